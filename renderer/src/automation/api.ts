// The automation API as the UI uses it. The types are the server's, from the OpenAPI schema
// (../api/types.ts).
import { callApi, type ApiBody, type ApiItem, type ApiQuery, type ApiResponse } from '../api';

export type Rule = ApiItem<'/api/v1/automation/rules', 'get'>;
export type Trigger = Rule['triggers'][number];
export type NewRule = ApiBody<'/api/v1/automation/rules', 'post'>;
export type RulePatch = ApiBody<'/api/v1/automation/rules/{ruleId}', 'patch'>;
export type ConditionGroup = Rule['conditions'];
export type Condition = Exclude<ConditionGroup['conditions'][number], ConditionGroup>;
export type ConditionOperator = Condition['operator'];
export const isGroup = (c: Condition | ConditionGroup): c is ConditionGroup => 'match' in c;
/** An action as the server declares it (one of its types, with that type's fields). */
export type Action = Rule['actions'][number];
/**
 * An action while the builder edits it field by field (its type chosen from a list, its fields
 * typed in); the server checks each action against `Action` and names the bad field.
 */
export type ActionDraft = { type: string; [key: string]: unknown };
export type Run = ApiItem<'/api/v1/automation/runs', 'get'>;
export type Outcome = NonNullable<Run['conditions']>;
export type AutomationEvent = ApiItem<'/api/v1/automation/events', 'get'>;
export type Control = ApiResponse<'/api/v1/automation/control', 'get'>;
export type Metrics = ApiResponse<'/api/v1/automation/worker/metrics', 'get'>;
type RunQuery = ApiQuery<'/api/v1/automation/runs', 'get'>;
type EventQuery = ApiQuery<'/api/v1/automation/events', 'get'>;

export const automationApi = {
  rules: () => callApi('get', '/api/v1/automation/rules', { query: { limit: 200 } }),
  createRule: (body: NewRule) => callApi('post', '/api/v1/automation/rules', { body }),
  updateRule: (ruleId: string, body: RulePatch) => callApi('patch', '/api/v1/automation/rules/{ruleId}', { path: { ruleId }, body }),
  deleteRule: (ruleId: string) => callApi('delete', '/api/v1/automation/rules/{ruleId}', { path: { ruleId } }),
  toggle: (ruleId: string, enabled: boolean) =>
    callApi('post', '/api/v1/automation/rules/{ruleId}/toggle', { path: { ruleId }, body: { enabled } }),
  snooze: (ruleId: string, minutes: number) =>
    callApi('post', '/api/v1/automation/rules/{ruleId}/snooze', { path: { ruleId }, body: { minutes } }),
  unsnooze: (ruleId: string) => callApi('post', '/api/v1/automation/rules/{ruleId}/unsnooze', { path: { ruleId } }),
  preview: (ruleId: string, cron?: string) =>
    callApi('get', '/api/v1/automation/rules/{ruleId}/schedule/preview', { path: { ruleId }, query: { cron, count: 5 } }),
  dryRun: (body: ApiBody<'/api/v1/automation/rules/dry-run', 'post'>) => callApi('post', '/api/v1/automation/rules/dry-run', { body }),
  runs: (query: Pick<RunQuery, 'ruleId' | 'status' | 'cursor'>) =>
    callApi('get', '/api/v1/automation/runs', { query: { ...query, limit: 50 } }),
  events: (query: Pick<EventQuery, 'status' | 'type' | 'cursor'>) =>
    callApi('get', '/api/v1/automation/events', { query: { ...query, limit: 50 } }),
  retryEvent: (eventId: string) => callApi('post', '/api/v1/automation/events/{eventId}/retry', { path: { eventId } }),
  reprocessEvent: (eventId: string) => callApi('post', '/api/v1/automation/events/{eventId}/reprocess', { path: { eventId } }),
  retryFailed: () => callApi('post', '/api/v1/automation/events/retry-failed'),
  cleanup: (olderThanDays: number) =>
    callApi('post', '/api/v1/automation/events/cleanup', { body: { olderThanDays, statuses: ['failed'] } }),
  control: () => callApi('get', '/api/v1/automation/control'),
  updateControl: (body: ApiBody<'/api/v1/automation/control', 'patch'>) => callApi('patch', '/api/v1/automation/control', { body }),
  metrics: () => callApi('get', '/api/v1/automation/worker/metrics'),
  stats: () => callApi('get', '/api/v1/automation/stats'),
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
] as const satisfies readonly Trigger[];

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

export const OPERATORS: readonly ConditionOperator[] = [
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
