// The operator's API (super-admin routes; the super-admin session is its own httpOnly cookie). The
// types are the server's, from the OpenAPI schema (../api/types.ts).
import { callApi, type ApiBody, type ApiItem, type ApiResponse } from '../api';

export type OrgRow = ApiItem<'/api/v1/super-admin/tenants', 'get'>;
export type OrgDetail = ApiResponse<'/api/v1/super-admin/tenants/{tenantId}', 'get'>;
export type Usage = OrgDetail['usage'];
export type OrgUser = ApiItem<'/api/v1/super-admin/tenants/{tenantId}/users', 'get'>;
export type ResetLink = ApiResponse<'/api/v1/super-admin/admins/{adminId}/reset-password', 'post'>;
export type Admin = ApiItem<'/api/v1/super-admin/admins', 'get'>;
export type Health = ApiResponse<'/api/v1/super-admin/health', 'get'>;
export type NewOrg = ApiBody<'/api/v1/super-admin/tenants', 'post'>;

export const operatorApi = {
  login: (email: string, password: string) => callApi('post', '/api/v1/super-admin/auth/login', { body: { email, password } }),
  admins: () => callApi('get', '/api/v1/super-admin/admins'),
  createAdmin: (body: ApiBody<'/api/v1/super-admin/admins', 'post'>) => callApi('post', '/api/v1/super-admin/admins', { body }),
  deleteAdmin: (adminId: string) => callApi('delete', '/api/v1/super-admin/admins/{adminId}', { path: { adminId } }),
  resetAdmin: (adminId: string) => callApi('post', '/api/v1/super-admin/admins/{adminId}/reset-password', { path: { adminId } }),
  tenants: (search = '') => callApi('get', '/api/v1/super-admin/tenants', { query: { limit: 200, search: search || undefined } }),
  tenant: (tenantId: string) => callApi('get', '/api/v1/super-admin/tenants/{tenantId}', { path: { tenantId } }),
  createTenant: (body: NewOrg) => callApi('post', '/api/v1/super-admin/tenants', { body }),
  updateTenant: (tenantId: string, body: ApiBody<'/api/v1/super-admin/tenants/{tenantId}', 'patch'>) =>
    callApi('patch', '/api/v1/super-admin/tenants/{tenantId}', { path: { tenantId }, body }),
  deleteTenant: (tenantId: string) => callApi('delete', '/api/v1/super-admin/tenants/{tenantId}', { path: { tenantId } }),
  impersonate: (tenantId: string) => callApi('post', '/api/v1/super-admin/tenants/{tenantId}/impersonate', { path: { tenantId } }),
  users: (tenantId: string) =>
    callApi('get', '/api/v1/super-admin/tenants/{tenantId}/users', { path: { tenantId }, query: { limit: 200 } }),
  userAction: (tenantId: string, userId: string, action: 'suspend' | 'activate') =>
    action === 'suspend'
      ? callApi('post', '/api/v1/super-admin/tenants/{tenantId}/users/{userId}/suspend', { path: { tenantId, userId } })
      : callApi('post', '/api/v1/super-admin/tenants/{tenantId}/users/{userId}/activate', { path: { tenantId, userId } }),
  resetUser: (tenantId: string, userId: string) =>
    callApi('post', '/api/v1/super-admin/tenants/{tenantId}/users/{userId}/reset-password', { path: { tenantId, userId } }),
  impersonateUser: (tenantId: string, userId: string) =>
    callApi('post', '/api/v1/super-admin/tenants/{tenantId}/users/{userId}/impersonate', { path: { tenantId, userId } }),
  health: () => callApi('get', '/api/v1/super-admin/health'),
};
