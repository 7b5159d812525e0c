// Client for the channel endpoints (integrations and their accounts). The types are the server's,
// from the OpenAPI schema (../api/types.ts).
import { callApi, type ApiBody, type ApiItem, type ApiResponse } from '../api';

export type Integration = ApiItem<'/api/v1/integrations', 'get'>;
export type ChannelName = Integration['channel'];
export type Account = ApiItem<'/api/v1/integration-accounts', 'get'>;
export type AccountStatus = ApiResponse<'/api/v1/integration-accounts/{accountId}/status', 'get'>;
export type NewAccount = ApiBody<'/api/v1/integration-accounts', 'post'>;
export type SignupConfig = ApiResponse<'/api/v1/integrations/whatsapp/embedded-signup/config', 'get'>;
export type OAuthConfig = ApiResponse<'/api/v1/integrations/messenger/oauth/config', 'get'>;
export type MessengerPage = ApiResponse<'/api/v1/integrations/messenger/oauth', 'post'>['pages'][number];
export type MenuLocale = ApiResponse<'/api/v1/integrations/messenger/persistent-menu', 'get'>['menu'][number];
export type MenuItem = MenuLocale['callToActions'][number];

export const CHANNEL_ORDER: readonly ChannelName[] = ['whatsapp', 'messenger', 'instagram', 'email'];

export const channelsApi = {
  integrations: () => callApi('get', '/api/v1/integrations'),
  setEnabled: (channel: ChannelName, enabled: boolean) =>
    callApi('put', '/api/v1/integrations/{channel}', { path: { channel }, body: { enabled } }),
  accounts: () => callApi('get', '/api/v1/integration-accounts', { query: { limit: 100 } }),
  createAccount: (body: NewAccount) => callApi('post', '/api/v1/integration-accounts', { body }),
  updateAccount: (accountId: string, body: ApiBody<'/api/v1/integration-accounts/{accountId}', 'patch'>) =>
    callApi('patch', '/api/v1/integration-accounts/{accountId}', { path: { accountId }, body }),
  removeAccount: (accountId: string) => callApi('delete', '/api/v1/integration-accounts/{accountId}', { path: { accountId } }),
  setDefault: (accountId: string) => callApi('post', '/api/v1/integration-accounts/{accountId}/default', { path: { accountId } }),
  status: (accountId: string) => callApi('get', '/api/v1/integration-accounts/{accountId}/status', { path: { accountId } }),
  testMessage: (accountId: string, to: string) =>
    callApi('post', '/api/v1/integration-accounts/{accountId}/test-message', { path: { accountId }, body: { to } }),
  signupConfig: () => callApi('get', '/api/v1/integrations/whatsapp/embedded-signup/config'),
  completeSignup: (body: ApiBody<'/api/v1/integrations/whatsapp/embedded-signup', 'post'>) =>
    callApi('post', '/api/v1/integrations/whatsapp/embedded-signup', { body }),
  messengerOAuthConfig: () => callApi('get', '/api/v1/integrations/messenger/oauth/config'),
  instagramOAuthConfig: () => callApi('get', '/api/v1/integrations/instagram/oauth/config'),
  messengerOAuth: (code: string, redirectUri?: string) =>
    callApi('post', '/api/v1/integrations/messenger/oauth', { body: { code, redirectUri } }),
  subscribePages: (pageIds: string[]) => callApi('post', '/api/v1/integrations/messenger/pages/subscribe', { body: { pageIds } }),
  persistentMenu: (accountId: string) => callApi('get', '/api/v1/integrations/messenger/persistent-menu', { query: { accountId } }),
  setPersistentMenu: (accountId: string, persistentMenu: MenuLocale[]) =>
    callApi('post', '/api/v1/integrations/messenger/persistent-menu', { query: { accountId }, body: { persistentMenu } }),
  deletePersistentMenu: (accountId: string) =>
    callApi('post', '/api/v1/integrations/messenger/persistent-menu', { query: { accountId }, body: { delete: true } }),
  instagramOAuth: (code: string, redirectUri?: string) =>
    callApi('post', '/api/v1/integrations/instagram/oauth', { body: { code, redirectUri } }),
};

/** A random secret for a mailbox's inbound webhook (the relay sends it as X-Webhook-Secret). */
export function randomSecret(bytes = 24): string {
  const data = new Uint8Array(bytes);
  crypto.getRandomValues(data);
  return Array.from(data, (b) => b.toString(16).padStart(2, '0')).join('');
}
