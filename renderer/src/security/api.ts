// Password endpoints: change your own, and the one-time links (reset or first password). The types
// are the server's, from the OpenAPI schema (../api/types.ts).
import { callApi, type ApiResponse } from '../api';

export type PasswordLinkInfo = ApiResponse<'/api/v1/auth/password-reset/inspect', 'post'>;

/**
 * An organization the login problem offers to choose from (its `organizations` extension member;
 * problem bodies are not in the OpenAPI document, so this one shape is written here).
 */
export interface OrganizationChoice {
  id: string;
  name: string;
  slug: string;
}

export const passwordApi = {
  change: (currentPassword: string, newPassword: string) =>
    callApi('post', '/api/v1/auth/password', { body: { currentPassword, newPassword } }),
  inspect: (token: string) => callApi('post', '/api/v1/auth/password-reset/inspect', { body: { token } }),
  use: (token: string, password: string) => callApi('post', '/api/v1/auth/password-reset', { body: { token, password } }),
};

/** The token of a password link: in the URL's fragment (#token=…), never sent to a server by the browser. */
export function tokenFromHash(hash: string): string {
  return new URLSearchParams(hash.replace(/^#/, '')).get('token') ?? '';
}
