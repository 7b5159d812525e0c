import { z } from 'zod';
import { access, defineRoute } from '../../core/http/registry.js';
import { idParam, pageOf, pageQuery, timestamp } from '../../core/http/schemas.js';
import { CHANNELS } from '../../channels/types.js';
import { integrationsService } from './integrations.service.js';
import { whatsappService } from './whatsapp.service.js';
import { messengerService } from './messenger.service.js';
import { instagramService } from './instagram.service.js';
import { accountStatusService } from './account-status.service.js';

const tag = 'Integrations';
const manage = access.tenant('integrations.manage');
const channel = z.enum(CHANNELS);
const channelParams = z.object({ channel });
const accountParams = idParam('accountId');

const integrationSchema = z.object({
  channel,
  configured: z.boolean(),
  enabled: z.boolean(),
  settings: z.record(z.string(), z.unknown()),
  accountCount: z.number().int(),
  defaultAccountId: z.string().nullable(),
  updatedAt: timestamp.nullable(),
});
const accountSchema = z.object({
  id: z.string(),
  channel,
  name: z.string(),
  externalId: z.string().describe('Phone number id, page id, Instagram account id or mailbox'),
  config: z.record(z.string(), z.string().nullable()).describe('Secrets are shown masked (••••abcd)'),
  isDefault: z.boolean(),
  status: z.enum(['active', 'disconnected']),
  createdAt: timestamp,
  updatedAt: timestamp,
});
const accountName = z.string().trim().min(1, 'Required').max(200);
const oauthConfigSchema = z.object({
  available: z.boolean(),
  appId: z.string().nullable(),
  redirectUri: z.string().nullable().describe('META_OAUTH_REDIRECT_URI, if set'),
  scopes: z.array(z.string()),
  graphVersion: z.string(),
  missing: z.array(z.string()).describe('Environment variables to set before the flow can work'),
});
const oauthBody = z.object({
  code: z.string().trim().min(1).max(2000).describe('The authorization code the login dialog returned'),
  redirectUri: z
    .string()
    .url()
    .max(2000)
    .optional()
    .describe('The redirect URI used in the login dialog; defaults to META_OAUTH_REDIRECT_URI'),
});
const menuTitle = z.string().trim().min(1, 'Required').max(30, 'At most 30 characters');
const callToAction = z.discriminatedUnion('type', [
  z.object({ type: z.literal('postback'), title: menuTitle, payload: z.string().min(1, 'Required').max(1000) }),
  z.object({ type: z.literal('web_url'), title: menuTitle, url: z.string().url().max(2000) }),
]);
const menuLocale = z.object({
  locale: z.string().trim().min(1).max(20).describe('"default" or a locale such as en_US'),
  composerInputDisabled: z.boolean().optional(),
  callToActions: z.array(callToAction).min(1, 'At least one item').max(20, 'At most 20 items'),
});
const menuAccountQuery = z.object({ accountId: z.string().max(64).optional().describe('Defaults to the default Messenger account') });

export const integrationRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/integrations/whatsapp/health',
    tag,
    summary: 'Fetch WhatsApp account health from Meta Graph API',
    access: manage,
    query: z.object({ accountId: z.string().max(64).optional().describe('Defaults to the default WhatsApp account') }),
    response: z.object({
      accountId: z.string(),
      phoneNumber: z.object({
        displayPhoneNumber: z.string().nullable(),
        verifiedName: z.string().nullable(),
        qualityRating: z.string().nullable(),
        nameStatus: z.string().nullable(),
        codeVerificationStatus: z.string().nullable(),
        messagingLimitTier: z.string().nullable(),
        throughput: z.string().nullable(),
      }),
      canSendMessage: z.string().nullable().describe('AVAILABLE, LIMITED or BLOCKED'),
      checkedAt: timestamp,
    }),
    handler: ({ ctx, query }) => whatsappService.health(ctx, query.accountId),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/integrations/whatsapp/embedded-signup/config',
    tag,
    summary: 'Get WhatsApp Embedded Signup config',
    access: manage,
    response: z.object({
      available: z.boolean(),
      appId: z.string().nullable(),
      configId: z.string().nullable(),
      graphVersion: z.string(),
      missing: z.array(z.string()),
    }),
    handler: async ({ ctx }) => whatsappService.signupConfig(ctx),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/integrations/whatsapp/embedded-signup',
    tag,
    summary: 'Complete WhatsApp Embedded Signup',
    access: manage,
    status: 201,
    description:
      'Takes the authorization code and the WABA and phone number ids from the Embedded Signup session; exchanges the code, subscribes the app, registers the number and connects it.',
    body: z.object({
      code: z.string().min(1).max(2000),
      wabaId: z.string().min(1).max(200),
      phoneNumberId: z.string().min(1).max(200),
      name: accountName.optional(),
      pin: z
        .string()
        .regex(/^\d{6}$/, 'Six digits')
        .optional(),
    }),
    response: accountSchema,
    handler: ({ ctx, body }) => whatsappService.completeSignup(ctx, body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/integrations/instagram/oauth/config',
    tag,
    summary: 'Get Instagram OAuth app config',
    access: manage,
    response: oauthConfigSchema,
    handler: async ({ ctx }) => instagramService.oauthConfig(ctx),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/integrations/instagram/oauth',
    tag,
    summary: 'Connect Instagram account via OAuth',
    access: manage,
    status: 201,
    description:
      'Exchanges the Instagram Login code for a short-lived token, then a long-lived one (60 days), and connects the professional account (reconnects or refreshes it if already known). 503 when INSTAGRAM_APP_ID/INSTAGRAM_APP_SECRET are not set; 502 when Instagram refuses the code.',
    body: oauthBody.extend({ name: accountName.optional() }),
    response: accountSchema,
    handler: ({ ctx, body }) => instagramService.completeOAuth(ctx, body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/integrations/messenger/oauth/config',
    tag,
    summary: 'Get Messenger OAuth app config',
    access: manage,
    response: oauthConfigSchema,
    handler: async ({ ctx }) => messengerService.oauthConfig(ctx),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/integrations/messenger/oauth',
    tag,
    summary: 'Connect Messenger via Facebook Login OAuth',
    access: manage,
    description:
      'Exchanges the Facebook Login code for a long-lived user token and lists the Pages it manages. Their page tokens stay on the server (encrypted) until the chosen pages are subscribed; none is returned.',
    body: oauthBody,
    response: z.object({
      pages: z.array(
        z.object({ id: z.string(), name: z.string(), connected: z.boolean().describe('Already connected to this workspace') }),
      ),
    }),
    handler: ({ ctx, body }) => messengerService.completeOAuth(ctx, body),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/integrations/messenger/pages/subscribe',
    tag,
    summary: 'Subscribe selected Facebook Pages to Messenger webhooks',
    access: manage,
    description:
      'For each page of the last Facebook Login: subscribes the app to its webhooks and connects (or reconnects) its Messenger account. 422 for page ids the last login did not list.',
    body: z.object({ pageIds: z.array(z.string().trim().min(1).max(200)).min(1, 'Choose at least one page').max(100) }),
    response: z.object({ data: z.array(accountSchema) }),
    handler: ({ ctx, body }) => messengerService.subscribePages(ctx, body),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/integrations/messenger/pages/{pageId}/disconnect',
    tag,
    summary: 'Disconnect a Messenger page',
    access: manage,
    params: z.object({ pageId: z.string().min(1).max(200) }),
    description:
      'Unsubscribes the app from the page on Meta, then disconnects the account here. If Meta refuses, the page is still disconnected here and `warning` says so.',
    response: z.object({
      pageId: z.string(),
      accountId: z.string(),
      disconnected: z.boolean(),
      unsubscribed: z.boolean().describe('Whether Meta confirmed the unsubscription'),
      warning: z.string().nullable(),
    }),
    handler: ({ ctx, params }) => messengerService.disconnectPage(ctx, params.pageId),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/integrations/messenger/persistent-menu',
    tag,
    summary: 'Get Messenger persistent menu',
    access: manage,
    query: menuAccountQuery,
    response: z.object({ accountId: z.string(), menu: z.array(menuLocale) }),
    handler: ({ ctx, query }) => messengerService.getPersistentMenu(ctx, query.accountId),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/integrations/messenger/persistent-menu',
    tag,
    summary: 'Set or delete Messenger persistent menu',
    access: manage,
    description: 'Send {persistentMenu: [...]} to set the menu, or {delete: true} to remove it.',
    query: menuAccountQuery,
    body: z.object({ persistentMenu: z.array(menuLocale).min(1).max(100).optional(), delete: z.literal(true).optional() }).strict(),
    response: z.object({ accountId: z.string(), deleted: z.boolean(), menu: z.array(menuLocale) }),
    handler: ({ ctx, query, body }) => messengerService.setPersistentMenu(ctx, { ...body, accountId: query.accountId }),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/integrations',
    tag,
    summary: 'List all channel integrations',
    access: manage,
    response: z.object({ data: z.array(integrationSchema) }),
    handler: ({ ctx }) => integrationsService.list(ctx),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/integrations/{channel}',
    tag,
    summary: 'Get a single integration by channel',
    access: manage,
    params: channelParams,
    response: integrationSchema,
    handler: ({ ctx, params }) => integrationsService.get(ctx, params.channel),
  }),
  defineRoute({
    method: 'put',
    path: '/api/v1/integrations/{channel}',
    tag,
    summary: 'Create or update an integration (upsert)',
    access: manage,
    params: channelParams,
    body: z.object({ enabled: z.boolean().optional(), settings: z.record(z.string(), z.unknown()).optional() }).strict(),
    response: integrationSchema,
    handler: ({ ctx, params, body }) => integrationsService.upsert(ctx, params.channel, body),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/integrations/{channel}',
    tag,
    summary: 'Delete an integration',
    access: manage,
    params: channelParams,
    status: 204,
    description: 'Removes the channel settings and disconnects its accounts; conversations are kept.',
    handler: ({ ctx, params }) => integrationsService.remove(ctx, params.channel),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/integration-accounts',
    tag,
    summary: 'List integration accounts',
    access: manage,
    query: pageQuery.extend({ channel: channel.optional() }),
    response: pageOf(accountSchema),
    handler: ({ ctx, query }) => integrationsService.listAccounts(ctx, query),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/integration-accounts',
    tag,
    summary: 'Create an integration account',
    access: manage,
    status: 201,
    description:
      'config by channel — whatsapp: {phoneNumberId, wabaId, accessToken, appSecret?, verifyToken?}; messenger: {pageId, pageAccessToken, appSecret?, verifyToken?}; instagram: {instagramAccountId, accessToken, appSecret?, verifyToken?}; email: {address, inboundSecret, smtpUrl?}. Secrets are encrypted at rest.',
    body: z.object({ channel, name: accountName, config: z.record(z.string(), z.unknown()), isDefault: z.boolean().optional() }),
    response: accountSchema,
    handler: ({ ctx, body }) => integrationsService.createAccount(ctx, body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/integration-accounts/{accountId}',
    tag,
    summary: 'Get an integration account by ID',
    access: manage,
    params: accountParams,
    response: accountSchema,
    handler: ({ ctx, params }) => integrationsService.getAccount(ctx, params.accountId),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/integration-accounts/{accountId}',
    tag,
    summary: 'Delete an integration account',
    access: manage,
    params: accountParams,
    status: 204,
    handler: ({ ctx, params }) => integrationsService.removeAccount(ctx, params.accountId),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/v1/integration-accounts/{accountId}',
    tag,
    summary: 'Update an integration account',
    access: manage,
    params: accountParams,
    description: 'config is merged: omitted secrets keep their stored values.',
    body: z.object({ name: accountName.optional(), config: z.record(z.string(), z.unknown()).optional() }).strict(),
    response: accountSchema,
    handler: ({ ctx, params, body }) => integrationsService.updateAccount(ctx, params.accountId, body),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/integration-accounts/{accountId}/default',
    tag,
    summary: 'Set an integration account as the default for its channel',
    access: manage,
    params: accountParams,
    response: accountSchema,
    handler: ({ ctx, params }) => integrationsService.setDefault(ctx, params.accountId),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/integration-accounts/{accountId}/status',
    tag,
    summary: "Check an integration account's state",
    access: manage,
    params: accountParams,
    description:
      "Checks the credentials with Meta now (WhatsApp: the number's quality rating and the business account's health), and says whether webhooks reach this server and what to paste into Meta's dashboard.",
    response: z.object({
      accountId: z.string(),
      channel,
      state: z
        .enum(['connected', 'disabled', 'disconnected', 'token_expired', 'error'])
        .describe('disabled: the channel is turned off; token_expired: Meta refused the token as expired or revoked'),
      enabled: z.boolean().describe('Whether the channel is turned on'),
      credentials: z.object({
        ok: z.boolean().nullable().describe('null when there is nothing to check remotely (email)'),
        detail: z.string().nullable(),
      }),
      quality: z
        .object({
          displayPhoneNumber: z.string().nullable(),
          verifiedName: z.string().nullable(),
          qualityRating: z.string().nullable().describe('GREEN, YELLOW, RED or UNKNOWN'),
          messagingLimitTier: z.string().nullable(),
          canSendMessage: z.string().nullable().describe('AVAILABLE, LIMITED or BLOCKED'),
        })
        .nullable(),
      webhook: z.object({
        callbackUrl: z
          .string()
          .nullable()
          .describe("Paste into Meta's dashboard as the Callback URL (null: this server has no public URL)"),
        path: z.string(),
        verifyToken: z.string().nullable().describe("The account's own verify token, to paste into Meta's dashboard"),
        lastReceivedAt: timestamp.nullable(),
        reaching: z.enum(['yes', 'not_yet', 'no_public_url']),
      }),
      imap: z
        .object({
          mailbox: z.string(),
          idle: z.boolean().describe('The server pushes new mail (IMAP IDLE); false: checked at an interval'),
          lastPolledAt: timestamp.nullable(),
          lastError: z.string().nullable(),
        })
        .nullable()
        .describe('Email accounts read by IMAP'),
      checkedAt: timestamp,
    }),
    handler: ({ ctx, params }) => accountStatusService.status(ctx, params.accountId),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/integration-accounts/{accountId}/test-message',
    tag,
    summary: 'Send a test message from an integration account',
    access: manage,
    params: accountParams,
    description:
      "Sends one message now, outside any conversation: WhatsApp sends Meta's hello_world template to a phone number; Messenger and Instagram a text to someone who wrote to the page in the last 24 hours (their id); email a short mail. 409 when the channel is turned off; 502 with the reason when Meta or the mail server refuses.",
    body: z.object({
      to: z.string().trim().min(1, 'Required').max(320).describe('Phone number with country code, page-scoped id, or email address'),
      text: z.string().max(1000).optional(),
    }),
    response: z.object({ sent: z.literal(true), externalId: z.string(), to: z.string(), sentAt: timestamp }),
    handler: ({ ctx, params, body }) => accountStatusService.testMessage(ctx, params.accountId, body),
  }),
];
