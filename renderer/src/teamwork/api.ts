// Client for the team-workflow endpoints: divisions, transfers, quick replies, scheduled messages,
// working hours, SLA, chat expiration and CSAT. The types are the server's, from the OpenAPI schema
// (../api/types.ts).
import { ApiError, apiUrl, callApi, type ApiBody, type ApiItem, type ApiQuery, type ApiResponse, type ProblemDetails } from '../api';
import type { Channel } from '../inbox/api';

// ---- Divisions ---------------------------------------------------------------

export type DivisionSummary = ApiItem<'/api/v1/divisions', 'get'>;
export type DivisionDetail = ApiResponse<'/api/v1/divisions/{divisionId}', 'get'>;
export type DivisionMember = DivisionDetail['agents'][number];
export type NewDivision = ApiBody<'/api/v1/divisions', 'post'>;
export type DivisionPatch = ApiBody<'/api/v1/divisions/{divisionId}', 'patch'>;

// ---- Transfers ---------------------------------------------------------------

export type Transfer = ApiItem<'/api/v1/conversations/{conversationId}/transfers', 'get'>;
export type TransferInput = ApiBody<'/api/v1/conversations/{conversationId}/transfer', 'post'>;

// ---- Quick replies -----------------------------------------------------------

export type QuickReply = ApiItem<'/api/v1/quick-replies', 'get'>;
export type QuickReplyScope = QuickReply['scope'];
export type NewQuickReply = ApiBody<'/api/v1/quick-replies', 'post'>;
export type QuickReplyPatch = ApiBody<'/api/v1/quick-replies/{quickReplyId}', 'patch'>;
export type ImportResult = ApiResponse<'/api/v1/quick-replies/import', 'post'>;

/** Variables a quick-reply body may use (the server refuses others). */
export const QUICK_REPLY_VARIABLES = [
  'contact.name',
  'contact.first_name',
  'contact.phone',
  'contact.email',
  'agent.name',
  'agent.email',
  'tenant.name',
] as const;

// ---- Scheduled messages ------------------------------------------------------

export type ScheduledMessage = ApiItem<'/api/v1/conversations/{conversationId}/scheduled-messages', 'get'>;
export type ScheduledStatus = ScheduledMessage['status'];
export type NewScheduledMessage = ApiBody<'/api/v1/conversations/{conversationId}/scheduled-messages', 'post'>;

// ---- Working hours -----------------------------------------------------------

export type TenantHours = ApiResponse<'/api/v1/working-hours', 'get'>;
export type HoursEntry = TenantHours['hours'][number];
export type Weekday = HoursEntry['day'];
export const WEEKDAYS = [
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
] as const satisfies readonly Weekday[];
export type Holiday = TenantHours['holidays'][number];
export type AutoReply = TenantHours['autoReplies'][number];
export type WorkingHoursInput = ApiBody<'/api/v1/working-hours', 'put'>;
export type DivisionHours = ApiResponse<'/api/v1/divisions/{divisionId}/working-hours', 'get'>;
export type DivisionHoursInput = ApiBody<'/api/v1/divisions/{divisionId}/working-hours', 'put'>;
export type TimezoneInfo = ApiResponse<'/api/v1/tenant/timezone', 'get'>;
export type PublicStatus = ApiResponse<'/api/v1/public/working-hours/{tenantSlug}/status', 'get'>;

// ---- SLA -----------------------------------------------------------------------

export type SlaPolicy = ApiItem<'/api/v1/sla/policies', 'get'>;
export type SlaStatus = NonNullable<ApiResponse<'/api/v1/conversations/{conversationId}', 'get'>['sla']>['status'];
export type NewSlaPolicy = ApiBody<'/api/v1/sla/policies', 'post'>;
export type SlaPolicyPatch = ApiBody<'/api/v1/sla/policies/{policyId}', 'patch'>;
export type SlaBreach = ApiItem<'/api/v1/sla/policies/{policyId}/breaches', 'get'>;

// ---- Chat expiration -----------------------------------------------------------

export type ExpirationRule = ApiItem<'/api/v1/chat-expiration/rules', 'get'>;
export type ExpirationRuleInput = ApiBody<'/api/v1/chat-expiration/rules/{channel}', 'put'>;

// ---- CSAT ------------------------------------------------------------------------

export type CsatSurvey = ApiResponse<'/api/v1/conversations/{conversationId}/csat', 'get'>;
export type CsatSettings = ApiResponse<'/api/v1/csat/settings', 'get'>;
export type CsatSettingsInput = ApiBody<'/api/v1/csat/settings', 'put'>;
export type CsatAnalytics = ApiResponse<'/api/v1/csat/analytics', 'get'>;
export type CsatAnalyticsQuery = ApiQuery<'/api/v1/csat/analytics', 'get'>;
export type CsatBucket = CsatAnalytics['summary'];
export type CsatGroupBy = NonNullable<CsatAnalyticsQuery['groupBy']>;

/** Sends a multipart form (fetch sets the boundary); errors are ApiErrors like the JSON client's. */
async function postForm<T>(path: string, form: FormData): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: 'POST',
      body: form,
      credentials: 'same-origin',
      headers: { Accept: 'application/json, application/problem+json' },
    });
  } catch (cause) {
    throw new ApiError(0, { title: 'Network error', detail: cause instanceof Error ? cause.message : undefined });
  }
  const text = await response.text();
  let payload: unknown;
  try {
    payload = text ? JSON.parse(text) : undefined;
  } catch {
    payload = undefined;
  }
  if (!response.ok) throw new ApiError(response.status, (payload as ProblemDetails) ?? { title: response.statusText });
  return payload as T;
}

export const teamApi = {
  // Divisions
  divisions: () => callApi('get', '/api/v1/divisions', { query: { limit: 200 } }),
  division: (divisionId: string) => callApi('get', '/api/v1/divisions/{divisionId}', { path: { divisionId } }),
  divisionAgents: (divisionId: string) => callApi('get', '/api/v1/divisions/{divisionId}/agents', { path: { divisionId } }),
  createDivision: (body: NewDivision) => callApi('post', '/api/v1/divisions', { body }),
  updateDivision: (divisionId: string, body: DivisionPatch) =>
    callApi('patch', '/api/v1/divisions/{divisionId}', { path: { divisionId }, body }),
  deleteDivision: (divisionId: string) => callApi('delete', '/api/v1/divisions/{divisionId}', { path: { divisionId } }),
  addDivisionAgents: (divisionId: string, agentIds: string[]) =>
    callApi('post', '/api/v1/divisions/{divisionId}/agents', { path: { divisionId }, body: { agentIds } }),
  removeDivisionAgents: (divisionId: string, agentIds: string[]) =>
    callApi('delete', '/api/v1/divisions/{divisionId}/agents', { path: { divisionId }, body: { agentIds } }),

  // Transfers
  transfer: (conversationId: string, body: TransferInput) =>
    callApi('post', '/api/v1/conversations/{conversationId}/transfer', { path: { conversationId }, body }),
  transfers: (conversationId: string) =>
    callApi('get', '/api/v1/conversations/{conversationId}/transfers', { path: { conversationId }, query: { limit: 100 } }),

  // Quick replies
  quickReplies: (params: { conversationId?: string; search?: string; scope?: QuickReplyScope; limit?: number } = {}) =>
    callApi('get', '/api/v1/quick-replies', { query: { ...params, limit: params.limit ?? 200 } }),
  createQuickReply: (body: NewQuickReply) => callApi('post', '/api/v1/quick-replies', { body }),
  updateQuickReply: (quickReplyId: string, body: QuickReplyPatch) =>
    callApi('patch', '/api/v1/quick-replies/{quickReplyId}', { path: { quickReplyId }, body }),
  deleteQuickReply: (quickReplyId: string) => callApi('delete', '/api/v1/quick-replies/{quickReplyId}', { path: { quickReplyId } }),
  recordQuickReplyUse: (quickReplyId: string, conversationId?: string) =>
    callApi('post', '/api/v1/quick-replies/{quickReplyId}/usage', {
      path: { quickReplyId },
      body: conversationId ? { conversationId } : {},
    }),
  favoriteQuickReply: (quickReplyId: string) =>
    callApi('post', '/api/v1/quick-replies/{quickReplyId}/favorite', { path: { quickReplyId } }),
  unfavoriteQuickReply: (quickReplyId: string) =>
    callApi('delete', '/api/v1/quick-replies/{quickReplyId}/favorite', { path: { quickReplyId } }),
  importQuickReplies: (file: File, scope: QuickReplyScope) => {
    const form = new FormData();
    form.append('scope', scope);
    form.append('file', file);
    return postForm<ImportResult>(apiUrl('/api/v1/quick-replies/import'), form);
  },
  quickRepliesExportUrl: (scope?: QuickReplyScope) => apiUrl('/api/v1/quick-replies/export', { query: { scope } }),

  // Scheduled messages
  scheduled: (conversationId: string) =>
    callApi('get', '/api/v1/conversations/{conversationId}/scheduled-messages', {
      path: { conversationId },
      query: { limit: 100, status: 'scheduled,sending,failed' },
    }),
  schedule: (conversationId: string, body: NewScheduledMessage) =>
    callApi('post', '/api/v1/conversations/{conversationId}/scheduled-messages', { path: { conversationId }, body }),
  cancelScheduled: (scheduledMessageId: string) =>
    callApi('delete', '/api/v1/scheduled-messages/{scheduledMessageId}', { path: { scheduledMessageId } }),

  // Working hours
  workingHours: () => callApi('get', '/api/v1/working-hours'),
  saveWorkingHours: (body: WorkingHoursInput) => callApi('put', '/api/v1/working-hours', { body }),
  divisionHours: (divisionId: string) => callApi('get', '/api/v1/divisions/{divisionId}/working-hours', { path: { divisionId } }),
  saveDivisionHours: (divisionId: string, body: DivisionHoursInput) =>
    callApi('put', '/api/v1/divisions/{divisionId}/working-hours', { path: { divisionId }, body }),
  deleteDivisionHours: (divisionId: string) => callApi('delete', '/api/v1/divisions/{divisionId}/working-hours', { path: { divisionId } }),
  timezone: () => callApi('get', '/api/v1/tenant/timezone'),
  saveTimezone: (timezone: string) => callApi('put', '/api/v1/tenant/timezone', { body: { timezone } }),
  publicStatusPath: (tenantSlug: string, divisionId?: string) =>
    apiUrl('/api/v1/public/working-hours/{tenantSlug}/status', { path: { tenantSlug }, query: { divisionId } }),
  publicStatus: (tenantSlug: string) => callApi('get', '/api/v1/public/working-hours/{tenantSlug}/status', { path: { tenantSlug } }),

  // SLA
  slaPolicies: () => callApi('get', '/api/v1/sla/policies', { query: { limit: 200 } }),
  createSlaPolicy: (body: NewSlaPolicy) => callApi('post', '/api/v1/sla/policies', { body }),
  updateSlaPolicy: (policyId: string, body: SlaPolicyPatch) =>
    callApi('patch', '/api/v1/sla/policies/{policyId}', { path: { policyId }, body }),
  deleteSlaPolicy: (policyId: string) => callApi('delete', '/api/v1/sla/policies/{policyId}', { path: { policyId } }),
  slaBreaches: (policyId: string) =>
    callApi('get', '/api/v1/sla/policies/{policyId}/breaches', { path: { policyId }, query: { limit: 100 } }),

  // Chat expiration
  expirationRules: () => callApi('get', '/api/v1/chat-expiration/rules'),
  saveExpirationRule: (channel: Channel, body: ExpirationRuleInput) =>
    callApi('put', '/api/v1/chat-expiration/rules/{channel}', { path: { channel }, body }),

  // CSAT
  csat: (conversationId: string) => callApi('get', '/api/v1/conversations/{conversationId}/csat', { path: { conversationId } }),
  sendCsat: (conversationId: string) =>
    callApi('post', '/api/v1/conversations/{conversationId}/csat', { path: { conversationId }, body: { delivery: 'auto' } }),
  csatSettings: () => callApi('get', '/api/v1/csat/settings'),
  saveCsatSettings: (body: CsatSettingsInput) => callApi('put', '/api/v1/csat/settings', { body }),
  csatAnalytics: (query: CsatAnalyticsQuery) => callApi('get', '/api/v1/csat/analytics', { query }),
};
