// The automation API as the UI uses it.
import { api } from '../api';

export type ConditionOperator =
  | 'equals'
  | 'not_equals'
  | 'contains'
  | 'not_contains'
  | 'starts_with'
  | 'regex'
  | 'in'
  | 'not_in'
  | 'greater_than'
  | 'less_than'
  | 'exists'
  | 'not_exists';

export interface Condition {
  field: string;
  operator: ConditionOperator;
  value?: string | number | boolean | null | (string | number)[];
}
export interface ConditionGroup {
  match: 'all' | 'any';
  conditions: (Condition | ConditionGroup)[];
}
export const isGroup = (c: Condition | ConditionGroup): c is ConditionGroup => 'match' in c;

export type Action = { type: string; [key: string]: unknown };

export interface Rule {
  id: string;
  name: string;
  description: string | null;
  builtIn: string | null;
  enabled: boolean;
  position: number;
  triggers: string[];
  conditions: ConditionGroup;
  actions: Action[];
  schedule: { cron: string; timezone: string | null; nextRunAt: string | null } | null;
  rolloutPercent: number;
  alerts: { enabled: boolean; maxRunsPerHour: number | null; maxFailuresPerHour: number | null };
  snoozedUntil: string | null;
  version: number;
  lastRunAt: string | null;
}

export interface Outcome {
  path: string;
  kind: 'group' | 'condition';
  match?: 'all' | 'any';
  field?: string;
  operator?: string;
  expected?: unknown;
  actual?: unknown;
  result: boolean;
  reason: string;
  children?: Outcome[];
}

export interface Run {
  id: string;
  eventId: string;
  ruleId: string;
  ruleName: string | null;
  ruleVersion: number;
  attempt: number;
  conversationId: string | null;
  eventType: string;
  status: 'not_matched' | 'skipped' | 'running' | 'waiting' | 'succeeded' | 'failed';
  explanation: string;
  conditions: Outcome | null;
  actions: { index: number; type: string; status: string; detail: string; at: string }[];
  error: string | null;
  createdAt: string;
}

export interface AutomationEvent {
  id: string;
  type: string;
  status: 'pending' | 'processed' | 'failed' | 'duplicate' | 'ignored';
  conversationId: string | null;
  fingerprint: string;
  attempt: number;
  depth: number;
  lastError: string | null;
  occurredAt: string;
  processedAt: string | null;
}

export interface Control {
  enabled: boolean;
  reason: string | null;
  maxDepth: number;
  maxRunsPerConversationPerMinute: number;
}

export interface Metrics {
  pending: number;
  lagMs: number;
  throughput: { lastMinute: number; perSecondLast5Minutes: number };
  failures: { lastHour: number };
  latencyMs: { p50: number | null; p95: number | null; p99: number | null; sample: number };
}

interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

const q = (params: Record<string, string | undefined>) => {
  const s = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => Boolean(e[1]))).toString();
  return s ? `?${s}` : '';
};

export const automationApi = {
  rules: () => api.get<Page<Rule>>('/api/v1/automation/rules?limit=200'),
  createRule: (body: unknown) => api.post<Rule>('/api/v1/automation/rules', body),
  updateRule: (id: string, body: unknown) => api.patch<Rule>(`/api/v1/automation/rules/${id}`, body),
  deleteRule: (id: string) => api.delete<void>(`/api/v1/automation/rules/${id}`),
  toggle: (id: string, enabled: boolean) => api.post<Rule>(`/api/v1/automation/rules/${id}/toggle`, { enabled }),
  snooze: (id: string, minutes: number) => api.post<Rule>(`/api/v1/automation/rules/${id}/snooze`, { minutes }),
  unsnooze: (id: string) => api.post<Rule>(`/api/v1/automation/rules/${id}/unsnooze`),
  preview: (id: string, cron?: string) =>
    api.get<{ timezone: string; runs: { at: string; local: string }[] }>(
      `/api/v1/automation/rules/${id}/schedule/preview${q({ cron, count: '5' })}`,
    ),
  dryRun: (body: unknown) =>
    api.post<{
      evaluated: number;
      matched: number;
      results: { eventId: string | null; eventType: string; wouldRun: boolean; explanation: string }[];
    }>('/api/v1/automation/rules/dry-run', body),
  runs: (params: { ruleId?: string; status?: string; cursor?: string }) =>
    api.get<Page<Run>>(`/api/v1/automation/runs${q({ ...params, limit: '50' })}`),
  events: (params: { status?: string; type?: string; cursor?: string }) =>
    api.get<Page<AutomationEvent>>(`/api/v1/automation/events${q({ ...params, limit: '50' })}`),
  retryEvent: (id: string) => api.post<AutomationEvent>(`/api/v1/automation/events/${id}/retry`),
  reprocessEvent: (id: string) => api.post<AutomationEvent>(`/api/v1/automation/events/${id}/reprocess`),
  retryFailed: () => api.post<{ retried: number }>('/api/v1/automation/events/retry-failed'),
  cleanup: (olderThanDays: number) =>
    api.post<{ deleted: number }>('/api/v1/automation/events/cleanup', { olderThanDays, statuses: ['failed'] }),
  control: () => api.get<Control>('/api/v1/automation/control'),
  updateControl: (body: Partial<Control>) => api.patch<Control>('/api/v1/automation/control', body),
  metrics: () => api.get<Metrics>('/api/v1/automation/worker/metrics'),
  stats: () =>
    api.get<{
      runs: { total: number; matched: number; succeeded: number; failed: number; skipped: number; notMatched: number };
      alerts: number;
    }>('/api/v1/automation/stats'),
};

export const TRIGGERS = [
  'message.received',
  'message.sent',
  'message.failed',
  'conversation.created',
  'conversation.assigned',
  'conversation.transferred',
  'conversation.resolved',
  'conversation.reopened',
  'conversation.status_changed',
  'contact.created',
  'contact.updated',
  'sla.breached',
  'csat.received',
  'campaign.reply',
  'working_hours.opened',
  'working_hours.closed',
  'schedule.tick',
] as const;

export const FIELDS = [
  'message.text',
  'message.type',
  'message.direction',
  'message.senderType',
  'message.language',
  'conversation.channel',
  'conversation.status',
  'conversation.priority',
  'conversation.tags',
  'conversation.assigneeId',
  'conversation.divisionId',
  'conversation.unreadCount',
  'conversation.subject',
  'contact.name',
  'contact.phone',
  'contact.email',
  'time.hour',
  'time.weekday',
  'time.withinWorkingHours',
  'event.type',
] as const;

export const OPERATORS: ConditionOperator[] = [
  'equals',
  'not_equals',
  'contains',
  'not_contains',
  'starts_with',
  'regex',
  'in',
  'not_in',
  'greater_than',
  'less_than',
  'exists',
  'not_exists',
];

export const ACTION_TYPES = [
  'add_tag',
  'remove_tag',
  'set_priority',
  'send_message',
  'send_quick_reply',
  'send_template',
  'call_webhook',
  'hand_to_ai_agent',
  'add_note',
  'assign_agent',
  'assign_division',
  'assign_round_robin',
  'unassign',
  'transfer',
  'resolve',
  'reopen',
  'snooze',
  'wait',
] as const;
