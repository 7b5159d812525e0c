// Typed client for the team-workflow endpoints: divisions, transfers, quick replies, scheduled
// messages, working hours, SLA, chat expiration and CSAT.
import { ApiError, api, type ProblemDetails } from '../api';
import type { Channel, Conversation, Page, Priority } from '../inbox/api';

const enc = encodeURIComponent;

function qs(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

// ---- Divisions ---------------------------------------------------------------

export interface DivisionSummary {
  id: string;
  name: string;
  description: string | null;
  autoAssign: boolean;
  isDefault: boolean;
  agentCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface DivisionMember {
  id: string;
  name: string;
  email: string;
  status: 'active' | 'suspended';
  online: boolean;
  openConversations: number;
  lastAssignedAt: string | null;
  joinedAt: string;
}

export interface DivisionDetail extends DivisionSummary {
  agents: DivisionMember[];
}

export interface DivisionInput {
  name?: string;
  description?: string | null;
  autoAssign?: boolean;
  isDefault?: boolean;
  agentIds?: string[];
}

// ---- Transfers ---------------------------------------------------------------

export interface Ref {
  id: string;
  name: string | null;
}

export interface Transfer {
  id: string;
  conversationId: string;
  reason: string;
  autoAssigned: boolean;
  from: { agent: Ref | null; division: Ref | null };
  to: { agent: Ref | null; division: Ref | null };
  by: Ref | null;
  createdAt: string;
}

// ---- Quick replies -----------------------------------------------------------

export type QuickReplyScope = 'personal' | 'shared';

export interface QuickReply {
  id: string;
  shortcut: string;
  title: string | null;
  body: string;
  scope: QuickReplyScope;
  ownerId: string | null;
  mediaId: string | null;
  media: { id: string; mimeType: string; filename: string | null; size: number; url: string } | null;
  variables: string[];
  rendered: string | null;
  favorite: boolean;
  usageCount: number;
  lastUsedAt: string | null;
  createdById: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface QuickReplyInput {
  shortcut?: string;
  title?: string | null;
  body?: string;
  scope?: QuickReplyScope;
  mediaId?: string | null;
}

export interface ImportResult {
  imported: number;
  created: number;
  updated: number;
  errors: { line: number; message: string }[];
}

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

export type ScheduledStatus = 'scheduled' | 'sending' | 'sent' | 'failed' | 'cancelled';

export interface ScheduledMessage {
  id: string;
  conversationId: string;
  type: 'text' | 'image' | 'video' | 'audio' | 'document' | 'template';
  text: string | null;
  mediaId: string | null;
  caption: string | null;
  sendAt: string;
  sendAtLocal: string;
  timezone: string;
  status: ScheduledStatus;
  late: boolean;
  lateBySeconds: number | null;
  messageId: string | null;
  failureReason: string | null;
  sentAt: string | null;
  cancelledAt: string | null;
  createdById: string | null;
  createdAt: string;
}

// ---- Working hours -----------------------------------------------------------

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface HoursEntry {
  day: Weekday;
  start: string;
  end: string;
}

export interface Holiday {
  date: string;
  name: string | null;
}

export interface AutoReply {
  channel: Channel;
  enabled: boolean;
  message: string;
}

export interface TenantHours {
  timezone: string;
  configured: boolean;
  hours: HoursEntry[];
  holidays: Holiday[];
  openNow: boolean;
  updatedAt: string | null;
  autoReplies: AutoReply[];
}

export interface DivisionHours extends Omit<TenantHours, 'autoReplies'> {
  divisionId: string;
  override: boolean;
}

export interface TimezoneInfo {
  timezone: string;
  utcOffset: string;
  localTime: string;
}

export interface PublicStatus {
  organization: { name: string; slug: string };
  divisionId: string | null;
  timezone: string;
  configured: boolean;
  open: boolean;
  holiday: string | null;
  localTime: string;
  closesAt: string | null;
  nextOpenAt: string | null;
}

// ---- SLA -----------------------------------------------------------------------

export type SlaStatus = 'on_track' | 'at_risk' | 'breached' | 'met';

export interface SlaPolicy {
  id: string;
  name: string;
  description: string | null;
  enabled: boolean;
  priority: Priority | null;
  channel: Channel | null;
  divisionId: string | null;
  firstResponseMinutes: number | null;
  resolutionMinutes: number | null;
  atRiskPercent: number;
  workingHoursOnly: boolean;
  createdAt: string;
  updatedAt: string;
}

export type SlaPolicyInput = Partial<Omit<SlaPolicy, 'id' | 'createdAt' | 'updatedAt'>>;

export interface SlaBreach {
  id: string;
  policyId: string;
  conversationId: string;
  metric: 'first_response' | 'resolution';
  targetMinutes: number;
  dueAt: string;
  breachedAt: string;
  conversation: {
    id: string;
    channel: Channel;
    status: string;
    priority: Priority;
    assigneeId: string | null;
    divisionId: string | null;
  } | null;
}

// ---- Chat expiration -----------------------------------------------------------

export interface ExpirationRule {
  channel: Channel;
  enabled: boolean;
  hours: number;
  closingMessage: string | null;
  configured: boolean;
  updatedAt: string | null;
}

// ---- CSAT ------------------------------------------------------------------------

export interface CsatSurvey {
  id: string;
  conversationId: string;
  status: 'pending' | 'answered' | 'expired' | 'failed';
  score: number | null;
  comment: string | null;
  channel: string;
  agentId: string | null;
  divisionId: string | null;
  delivery: 'interactive' | 'link' | 'none';
  url: string | null;
  failureReason: string | null;
  expiresAt: string;
  sentAt: string | null;
  answeredAt: string | null;
  createdAt: string;
}

export interface CsatSettings {
  enabled: boolean;
  expiryHours: number;
  language: 'id' | 'en';
  message: string | null;
}

export interface CsatBucket {
  sent: number;
  answered: number;
  responseRate: number | null;
  average: number | null;
  csat: number | null;
  distribution: Record<'1' | '2' | '3' | '4' | '5', number>;
}

export type CsatGroupBy = 'agent' | 'division' | 'channel' | 'day' | 'week' | 'month';

export interface CsatAnalytics {
  from: string;
  to: string;
  timezone: string;
  groupBy: CsatGroupBy | null;
  summary: CsatBucket;
  groups: (CsatBucket & { key: string | null; label: string | null })[];
}

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
  divisions: () => api.get<Page<DivisionSummary>>('/api/v1/divisions?limit=200'),
  division: (id: string) => api.get<DivisionDetail>(`/api/v1/divisions/${enc(id)}`),
  divisionAgents: (id: string) => api.get<Page<DivisionMember>>(`/api/v1/divisions/${enc(id)}/agents`),
  createDivision: (input: DivisionInput & { name: string }) => api.post<DivisionDetail>('/api/v1/divisions', input),
  updateDivision: (id: string, input: DivisionInput) => api.patch<DivisionDetail>(`/api/v1/divisions/${enc(id)}`, input),
  deleteDivision: (id: string) => api.delete<void>(`/api/v1/divisions/${enc(id)}`),
  addDivisionAgents: (id: string, agentIds: string[]) =>
    api.post<Page<DivisionMember>>(`/api/v1/divisions/${enc(id)}/agents`, { agentIds }),
  removeDivisionAgents: (id: string, agentIds: string[]) =>
    api.delete<Page<DivisionMember>>(`/api/v1/divisions/${enc(id)}/agents?agentIds=${agentIds.map(enc).join(',')}`),

  // Transfers
  transfer: (conversationId: string, body: { toAgentId?: string | null; toDivisionId?: string | null; reason: string }) =>
    api.post<{ transfer: Transfer; conversation: Conversation }>(`/api/v1/conversations/${enc(conversationId)}/transfer`, body),
  transfers: (conversationId: string) => api.get<Page<Transfer>>(`/api/v1/conversations/${enc(conversationId)}/transfers?limit=100`),

  // Quick replies
  quickReplies: (params: { conversationId?: string; search?: string; scope?: QuickReplyScope; limit?: number } = {}) =>
    api.get<Page<QuickReply>>(
      `/api/v1/quick-replies${qs({ limit: params.limit ?? 200, conversationId: params.conversationId, search: params.search, scope: params.scope })}`,
    ),
  createQuickReply: (input: QuickReplyInput & { shortcut: string; body: string }) => api.post<QuickReply>('/api/v1/quick-replies', input),
  updateQuickReply: (id: string, input: QuickReplyInput) => api.patch<QuickReply>(`/api/v1/quick-replies/${enc(id)}`, input),
  deleteQuickReply: (id: string) => api.delete<void>(`/api/v1/quick-replies/${enc(id)}`),
  recordQuickReplyUse: (id: string, conversationId?: string) =>
    api.post<QuickReply>(`/api/v1/quick-replies/${enc(id)}/usage`, conversationId ? { conversationId } : {}),
  favoriteQuickReply: (id: string) => api.post<QuickReply>(`/api/v1/quick-replies/${enc(id)}/favorite`),
  unfavoriteQuickReply: (id: string) => api.delete<void>(`/api/v1/quick-replies/${enc(id)}/favorite`),
  importQuickReplies: (file: File, scope: QuickReplyScope) => {
    const form = new FormData();
    form.append('scope', scope);
    form.append('file', file);
    return postForm<ImportResult>('/api/v1/quick-replies/import', form);
  },
  quickRepliesExportUrl: (scope?: QuickReplyScope) => `/api/v1/quick-replies/export${qs({ scope })}`,

  // Scheduled messages
  scheduled: (conversationId: string) =>
    api.get<Page<ScheduledMessage>>(
      `/api/v1/conversations/${enc(conversationId)}/scheduled-messages?limit=100&status=scheduled,sending,failed`,
    ),
  schedule: (conversationId: string, body: { type: 'text'; text: string; sendAtLocal: string; timezone?: string }) =>
    api.post<ScheduledMessage>(`/api/v1/conversations/${enc(conversationId)}/scheduled-messages`, body),
  cancelScheduled: (id: string) => api.delete<ScheduledMessage>(`/api/v1/scheduled-messages/${enc(id)}`),

  // Working hours
  workingHours: () => api.get<TenantHours>('/api/v1/working-hours'),
  saveWorkingHours: (body: { hours?: HoursEntry[]; holidays?: Holiday[]; autoReplies?: AutoReply[] }) =>
    api.put<TenantHours>('/api/v1/working-hours', body),
  divisionHours: (divisionId: string) => api.get<DivisionHours>(`/api/v1/divisions/${enc(divisionId)}/working-hours`),
  saveDivisionHours: (divisionId: string, body: { hours: HoursEntry[]; holidays?: Holiday[] }) =>
    api.put<DivisionHours>(`/api/v1/divisions/${enc(divisionId)}/working-hours`, body),
  deleteDivisionHours: (divisionId: string) => api.delete<void>(`/api/v1/divisions/${enc(divisionId)}/working-hours`),
  timezone: () => api.get<TimezoneInfo>('/api/v1/tenant/timezone'),
  saveTimezone: (timezone: string) => api.put<TimezoneInfo>('/api/v1/tenant/timezone', { timezone }),
  publicStatusPath: (slug: string, divisionId?: string) => `/api/v1/public/working-hours/${enc(slug)}/status${qs({ divisionId })}`,
  publicStatus: (slug: string) => api.get<PublicStatus>(`/api/v1/public/working-hours/${enc(slug)}/status`),

  // SLA
  slaPolicies: () => api.get<Page<SlaPolicy>>('/api/v1/sla/policies?limit=200'),
  createSlaPolicy: (input: SlaPolicyInput & { name: string }) => api.post<SlaPolicy>('/api/v1/sla/policies', input),
  updateSlaPolicy: (id: string, input: SlaPolicyInput) => api.patch<SlaPolicy>(`/api/v1/sla/policies/${enc(id)}`, input),
  deleteSlaPolicy: (id: string) => api.delete<void>(`/api/v1/sla/policies/${enc(id)}`),
  slaBreaches: (id: string) => api.get<Page<SlaBreach>>(`/api/v1/sla/policies/${enc(id)}/breaches?limit=100`),

  // Chat expiration
  expirationRules: () => api.get<{ data: ExpirationRule[] }>('/api/v1/chat-expiration/rules'),
  saveExpirationRule: (channel: Channel, body: { enabled: boolean; hours: number; closingMessage: string | null }) =>
    api.put<ExpirationRule>(`/api/v1/chat-expiration/rules/${enc(channel)}`, body),

  // CSAT
  csat: (conversationId: string) => api.get<CsatSurvey>(`/api/v1/conversations/${enc(conversationId)}/csat`),
  sendCsat: (conversationId: string) => api.post<CsatSurvey>(`/api/v1/conversations/${enc(conversationId)}/csat`, { delivery: 'auto' }),
  csatSettings: () => api.get<CsatSettings>('/api/v1/csat/settings'),
  saveCsatSettings: (body: Partial<CsatSettings>) => api.put<CsatSettings>('/api/v1/csat/settings', body),
  csatAnalytics: (params: { from?: string; to?: string; groupBy?: CsatGroupBy }) =>
    api.get<CsatAnalytics>(`/api/v1/csat/analytics${qs(params)}`),
};
