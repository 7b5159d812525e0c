// Password endpoints: change your own, and the one-time links (reset or first password).
import { api } from '../api';

export interface PasswordLinkInfo {
  purpose: 'reset' | 'invite';
  name: string;
  email: string;
  organization: string;
  expiresAt: string;
}

export interface OrganizationChoice {
  id: string;
  name: string;
  slug: string;
}

export const passwordApi = {
  change: (currentPassword: string, newPassword: string) =>
    api.post<{ token: string }>('/api/v1/auth/password', { currentPassword, newPassword }),
  inspect: (token: string) => api.post<PasswordLinkInfo>('/api/v1/auth/password-reset/inspect', { token }),
  use: (token: string, password: string) => api.post<void>('/api/v1/auth/password-reset', { token, password }),
};

/** The token of a password link: in the URL's fragment (#token=…), never sent to a server by the browser. */
export function tokenFromHash(hash: string): string {
  return new URLSearchParams(hash.replace(/^#/, '')).get('token') ?? '';
}
