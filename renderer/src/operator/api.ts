// The operator's API (super-admin routes; the super-admin session is its own httpOnly cookie).
import { api } from '../api';

export interface OrgRow {
  id: string;
  name: string;
  slug: string;
  status: 'active' | 'suspended';
  timezone: string;
  deletedAt: string | null;
  purgeAt: string | null;
  users?: number;
  createdAt: string;
}
export interface OrgUser {
  id: string;
  name: string;
  email: string;
  status: 'active' | 'suspended';
  role: string | null;
  lastSeenAt: string | null;
}
export interface Usage {
  conversations: { total: number; thisMonth: number };
  messages: { total: number; thisMonth: number };
  storageBytes: number;
  agents: { total: number; active: number };
  aiTokens: number | null;
}
export interface ResetLink {
  url: string;
  expiresAt: string;
}
export interface Admin {
  id: string;
  name: string;
  email: string;
  lastLoginAt: string | null;
}
export interface Health {
  status: 'ok' | 'degraded';
  problems: string[];
  database: { type: string; sizeBytes: number | null };
  disk: { freeBytes: number | null; totalBytes: number | null };
  jobs: { pending: number; due: number; running: number; failedLast24h: number; lagSeconds: number };
  events: { undispatched: number; lagSeconds: number };
  channelAccountsInError: { accountId: string; tenantName: string | null; channel: string; name: string; status: string }[];
  tunnel: { provider: string; state: string; publicUrl: string | null; error: string | null } | null;
  lastBackup: { at: string; ok: boolean; name: string | null; error: string | null } | null;
}

const base = '/api/v1/super-admin';
export const operatorApi = {
  login: (email: string, password: string) => api.post<{ admin: Admin }>(`${base}/auth/login`, { email, password }),
  admins: () => api.get<{ data: Admin[] }>(`${base}/admins`),
  createAdmin: (body: { name: string; email: string; password: string }) => api.post<Admin>(`${base}/admins`, body),
  deleteAdmin: (id: string) => api.delete<void>(`${base}/admins/${id}`),
  resetAdmin: (id: string) => api.post<ResetLink>(`${base}/admins/${id}/reset-password`),
  tenants: (search = '') =>
    api.get<{ data: OrgRow[] }>(`${base}/tenants?limit=200${search ? `&search=${encodeURIComponent(search)}` : ''}`),
  tenant: (id: string) => api.get<OrgRow & { usage: Usage; owner: OrgUser | null }>(`${base}/tenants/${id}`),
  createTenant: (body: { name: string; timezone?: string; owner: { name: string; email: string; password?: string } }) =>
    api.post<{ tenant: OrgRow; ownerSetupLink: ResetLink | null }>(`${base}/tenants`, body),
  updateTenant: (id: string, body: { status?: 'active' | 'suspended'; name?: string }) => api.patch<OrgRow>(`${base}/tenants/${id}`, body),
  deleteTenant: (id: string) => api.delete<OrgRow>(`${base}/tenants/${id}`),
  impersonate: (id: string) => api.post<{ expiresAt: string }>(`${base}/tenants/${id}/impersonate`),
  users: (id: string) => api.get<{ data: OrgUser[] }>(`${base}/tenants/${id}/users?limit=200`),
  userAction: (tenantId: string, userId: string, action: 'suspend' | 'activate') =>
    api.post<OrgUser>(`${base}/tenants/${tenantId}/users/${userId}/${action}`),
  resetUser: (tenantId: string, userId: string) => api.post<ResetLink>(`${base}/tenants/${tenantId}/users/${userId}/reset-password`),
  impersonateUser: (tenantId: string, userId: string) =>
    api.post<{ expiresAt: string }>(`${base}/tenants/${tenantId}/users/${userId}/impersonate`),
  health: () => api.get<Health>(`${base}/health`),
};
