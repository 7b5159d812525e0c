// Client for the team's administration: agents and invitations, roles and permissions, API keys,
// and the activity log. The types are the server's, from the OpenAPI schema (../api/types.ts).
import { apiUrl, callApi, type ApiBody, type ApiItem, type ApiQuery, type ApiResponse } from '../api';

export type Agent = ApiItem<'/api/v1/agents', 'get'>;
export type NewAgent = ApiBody<'/api/v1/agents', 'post'>;
export type AgentPatch = ApiBody<'/api/v1/agents/{agentId}', 'patch'>;
export type Invitation = ApiResponse<'/api/v1/agents/invitations', 'get'>['data'][number];
export type NewInvitation = ApiBody<'/api/v1/agents/invitations', 'post'>;
export type CreatedInvitation = ApiResponse<'/api/v1/agents/invitations', 'post'>;
export type InvitationInfo = ApiResponse<'/api/v1/invitations/{token}', 'get'>;
export type Role = ApiItem<'/api/v1/roles', 'get'>;
export type NewRole = ApiBody<'/api/v1/roles', 'post'>;
export type RolePatch = ApiBody<'/api/v1/roles/{roleId}', 'patch'>;
export type PermissionInfo = ApiResponse<'/api/v1/permissions', 'get'>['data'][number];
export type ApiKey = ApiItem<'/api/v1/api-keys', 'get'>;
export type NewApiKey = ApiBody<'/api/v1/api-keys', 'post'>;
export type CreatedApiKey = ApiResponse<'/api/v1/api-keys', 'post'>;
export type ActivityEntry = ApiItem<'/api/v1/activity-logs', 'get'>;
export type ActivityFilter = Omit<NonNullable<ApiQuery<'/api/v1/activity-logs', 'get'>>, 'limit' | 'cursor'>;
export type ActivityFacets = ApiResponse<'/api/v1/activity-logs/facets', 'get'>;

/** Every page of a cursor-paginated list (settings lists are short). */
async function all<T>(load: (cursor?: string) => Promise<{ data: T[]; nextCursor: string | null }>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 50; i++) {
    const page = await load(cursor);
    items.push(...page.data);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return items;
}

export const membersApi = {
  agents: () => all((cursor) => callApi('get', '/api/v1/agents', { query: { limit: 200, cursor } })),
  createAgent: (body: NewAgent) => callApi('post', '/api/v1/agents', { body }),
  updateAgent: (agentId: string, body: AgentPatch) => callApi('patch', '/api/v1/agents/{agentId}', { path: { agentId }, body }),
  deleteAgent: (agentId: string) => callApi('delete', '/api/v1/agents/{agentId}', { path: { agentId } }),
  invitations: () => callApi('get', '/api/v1/agents/invitations').then((r) => r.data),
  invite: (body: NewInvitation) => callApi('post', '/api/v1/agents/invitations', { body }),
  revokeInvitation: (invitationId: string) => callApi('delete', '/api/v1/agents/invitations/{invitationId}', { path: { invitationId } }),
  invitation: (token: string) => callApi('get', '/api/v1/invitations/{token}', { path: { token } }),
  acceptInvitation: (token: string, body: ApiBody<'/api/v1/invitations/{token}/accept', 'post'>) =>
    callApi('post', '/api/v1/invitations/{token}/accept', { path: { token }, body }),

  roles: () => all((cursor) => callApi('get', '/api/v1/roles', { query: { limit: 200, cursor } })),
  permissions: () => callApi('get', '/api/v1/permissions').then((r) => r.data),
  createRole: (body: NewRole) => callApi('post', '/api/v1/roles', { body }),
  updateRole: (roleId: string, body: RolePatch) => callApi('patch', '/api/v1/roles/{roleId}', { path: { roleId }, body }),
  deleteRole: (roleId: string) => callApi('delete', '/api/v1/roles/{roleId}', { path: { roleId } }),

  apiKeys: () => all((cursor) => callApi('get', '/api/v1/api-keys', { query: { limit: 200, cursor } })),
  createApiKey: (body: NewApiKey) => callApi('post', '/api/v1/api-keys', { body }),
  revokeApiKey: (apiKeyId: string) => callApi('delete', '/api/v1/api-keys/{apiKeyId}', { path: { apiKeyId } }),

  activity: (filter: ActivityFilter, cursor?: string) =>
    callApi('get', '/api/v1/activity-logs', { query: { ...filter, limit: 50, cursor } }),
  activityFacets: () => callApi('get', '/api/v1/activity-logs/facets'),
  activityExportUrl: (filter: ActivityFilter) => apiUrl('/api/v1/activity-logs/export', { query: filter }),
};
