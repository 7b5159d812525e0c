// The automation rule contract: triggers (event types), nested condition groups and ordered actions,
// with the validation that names the bad path (zod). Shared by the routes and other modules' routes.
import { z } from 'zod';
import { CHANNELS } from '../../channels/types.js';
import { PRIORITIES } from '../conversations/conversations.schemas.js';

/** Event types the engine can start on (each is written to the event log with the change that caused it). */
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
export type Trigger = (typeof TRIGGERS)[number];

/** Events that are about one conversation (the others: a contact, the organization's clock). */
export const CONVERSATION_TRIGGERS: readonly string[] = TRIGGERS.filter(
  (t) =>
    t.startsWith('message.') || t.startsWith('conversation.') || t === 'sla.breached' || t === 'csat.received' || t === 'campaign.reply',
);

/** Fields a condition may test; plus `contact.attributes.<key>` and `payload.<path>` (the event's own data). */
export const FIELDS = {
  'event.type': 'string',
  'conversation.status': 'string',
  'conversation.channel': 'string',
  'conversation.priority': 'string',
  'conversation.tags': 'list',
  'conversation.assigneeId': 'string',
  'conversation.divisionId': 'string',
  'conversation.aiAgentId': 'string',
  'conversation.unreadCount': 'number',
  'conversation.subject': 'string',
  'conversation.accountId': 'string',
  'message.text': 'string',
  'message.type': 'string',
  'message.direction': 'string',
  'message.senderType': 'string',
  'message.language': 'string',
  'contact.name': 'string',
  'contact.phone': 'string',
  'contact.email': 'string',
  'time.hour': 'number',
  'time.weekday': 'string',
  'time.withinWorkingHours': 'boolean',
} as const;

export const OPERATORS = [
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
] as const;
export type Operator = (typeof OPERATORS)[number];

export const MAX_REGEX_LENGTH = 200;
const MAX_DEPTH = 4;

const fieldName = z
  .string()
  .min(1, 'Required')
  .max(120)
  .refine(
    (f) => f in FIELDS || /^contact\.attributes\.[\w.-]{1,64}$/.test(f) || /^payload(\.[\w-]{1,64}){1,6}$/.test(f),
    `Unknown field: use one of ${Object.keys(FIELDS).join(', ')}, contact.attributes.<key> or payload.<path>`,
  );

const scalar = z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]);

export const conditionSchema = z
  .object({
    field: fieldName,
    operator: z.enum(OPERATORS),
    value: z.union([scalar, z.array(z.union([z.string().max(500), z.number()])).max(200)]).optional(),
  })
  .superRefine((c, ctx) => {
    const needsList = c.operator === 'in' || c.operator === 'not_in';
    const needsNone = c.operator === 'exists' || c.operator === 'not_exists';
    if (needsList && !Array.isArray(c.value))
      ctx.addIssue({ code: 'custom', path: ['value'], message: `"${c.operator}" needs a list of values` });
    if (!needsList && !needsNone && (c.value === undefined || Array.isArray(c.value)))
      ctx.addIssue({ code: 'custom', path: ['value'], message: `"${c.operator}" needs one value` });
    if ((c.operator === 'greater_than' || c.operator === 'less_than') && typeof c.value !== 'number')
      ctx.addIssue({ code: 'custom', path: ['value'], message: `"${c.operator}" compares numbers: give a number` });
    if (c.operator === 'regex') {
      if (typeof c.value !== 'string' || c.value.length === 0 || c.value.length > MAX_REGEX_LENGTH)
        ctx.addIssue({ code: 'custom', path: ['value'], message: `A regular expression of 1-${MAX_REGEX_LENGTH} characters` });
      else {
        const problem = regexProblem(c.value);
        if (problem) ctx.addIssue({ code: 'custom', path: ['value'], message: `Not a valid regular expression: ${problem}` });
      }
    }
  });
export type ConditionDef = z.infer<typeof conditionSchema>;

export interface ConditionGroup {
  match: 'all' | 'any';
  conditions: (ConditionDef | ConditionGroup)[];
}

export const conditionGroupSchema: z.ZodType<ConditionGroup> = z
  .lazy(() =>
    z.object({
      match: z.enum(['all', 'any']).describe('all: every condition holds; any: at least one does'),
      conditions: z.array(z.union([conditionGroupSchema, conditionSchema])).max(50),
    }),
  )
  .meta({ id: 'ConditionGroup' });

export const isGroup = (c: ConditionDef | ConditionGroup): c is ConditionGroup => 'match' in c;

function groupDepth(g: ConditionGroup): number {
  return 1 + Math.max(0, ...g.conditions.filter(isGroup).map(groupDepth));
}

// Regular expressions run on RE2 semantics (re2js: linear time, no backreferences or lookaround),
// so a pattern cannot hang the engine; the check is set by the engine module at start.
let regexCheck: (pattern: string) => string | null = () => null;
export function setRegexCheck(check: (pattern: string) => string | null): void {
  regexCheck = check;
}
function regexProblem(pattern: string): string | null {
  return regexCheck(pattern);
}

const id = z.string().min(1, 'Required').max(64);
const text = z.string().trim().min(1, 'Required').max(4096);
const tags = z.array(z.string().trim().min(1).max(50)).min(1, 'At least one tag').max(20);

/** Actions refused when a rule is saved (none today: every action's module is installed). */
export const UNAVAILABLE_ACTIONS: Record<string, string> = {};

export const BUILT_IN_ACTIONS = ['division_routing', 'out_of_hours_reply', 'csat_survey', 'sla_check', 'chat_expiration'] as const;

export const actionSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('assign_agent'), agentId: id }),
  z.object({ type: z.literal('assign_division'), divisionId: id }),
  z.object({
    type: z.literal('assign_round_robin'),
    divisionId: id.describe('Pick the online member of this division with the fewest open conversations'),
  }),
  z.object({ type: z.literal('unassign') }),
  z.object({ type: z.literal('add_tag'), tags }),
  z.object({ type: z.literal('remove_tag'), tags }),
  z.object({ type: z.literal('set_priority'), priority: z.enum(PRIORITIES) }),
  z.object({ type: z.literal('send_message'), text }),
  z.object({ type: z.literal('send_quick_reply'), quickReplyId: id }),
  z.object({
    type: z.literal('send_template'),
    templateId: id,
    values: z
      .record(z.string().max(60), z.string().max(1000))
      .optional()
      .describe("The template's variables (body.1, header.1, button.N or body.<name>) as fixed text"),
  }),
  z.object({ type: z.literal('add_note'), text }),
  z.object({ type: z.literal('resolve') }),
  z.object({
    type: z.literal('snooze'),
    minutes: z
      .number()
      .int()
      .min(1)
      .max(60 * 24 * 30),
  }),
  z.object({ type: z.literal('reopen') }),
  z.object({
    type: z.literal('transfer'),
    toAgentId: id.nullable().optional(),
    toDivisionId: id.nullable().optional(),
    reason: z.string().trim().min(1, 'Required').max(500),
  }),
  z.object({ type: z.literal('call_webhook'), webhookId: id }),
  z.object({ type: z.literal('hand_to_ai_agent'), aiAgentId: id }),
  z.object({
    type: z.literal('wait'),
    minutes: z
      .number()
      .int()
      .min(1)
      .max(60 * 24 * 7),
  }),
  z.object({ type: z.literal('built_in'), action: z.enum(BUILT_IN_ACTIONS) }),
]);
export type ActionDef = z.infer<typeof actionSchema>;
export type ActionType = ActionDef['type'];

/** Actions that work on the event's conversation (skipped, with the reason, on an event that has none). */
export const CONVERSATION_ACTIONS: readonly string[] = [
  'assign_agent',
  'assign_division',
  'assign_round_robin',
  'unassign',
  'add_tag',
  'remove_tag',
  'set_priority',
  'send_message',
  'send_quick_reply',
  'send_template',
  'add_note',
  'resolve',
  'snooze',
  'reopen',
  'transfer',
  'hand_to_ai_agent',
];

export const scheduleSchema = z.object({
  cron: z
    .string()
    .trim()
    .min(1, 'Required')
    .max(120)
    .describe('A cron expression: minute hour day month weekday (an optional leading seconds field)'),
  timezone: z.string().max(64).nullable().optional().describe("An IANA time zone; null or absent: the organization's"),
});

const ruleShape = {
  name: z.string().trim().min(1, 'Required').max(200),
  description: z.string().trim().max(2000).nullable().optional(),
  enabled: z.boolean().optional(),
  position: z.number().int().min(0).max(100_000).optional(),
  triggers: z.array(z.enum(TRIGGERS)).min(1, 'At least one trigger').max(TRIGGERS.length),
  conditions: conditionGroupSchema.optional(),
  actions: z.array(actionSchema).min(1, 'At least one action').max(20),
  schedule: scheduleSchema.nullable().optional(),
  rolloutPercent: z.number().int().min(0).max(100).optional(),
};

/** Checks that span fields; `builtIn` rules may use the built-in actions. */
export function ruleIssues(
  rule: { triggers?: string[]; conditions?: ConditionGroup; actions?: ActionDef[]; schedule?: { cron: string } | null },
  opts: { builtIn: boolean; available?: (type: string) => boolean },
): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  const triggers = rule.triggers ?? [];
  if (rule.conditions && groupDepth(rule.conditions) > MAX_DEPTH)
    issues.push({ path: 'conditions', message: `Condition groups nest at most ${MAX_DEPTH} deep` });
  (rule.actions ?? []).forEach((a, i) => {
    if (a.type in UNAVAILABLE_ACTIONS && !(opts.available?.(a.type) ?? false))
      issues.push({ path: `actions.${i}.type`, message: UNAVAILABLE_ACTIONS[a.type] });
    if (a.type === 'built_in' && !opts.builtIn)
      issues.push({ path: `actions.${i}.type`, message: 'Built-in actions belong to the built-in rules only' });
    if (a.type === 'transfer' && !a.toAgentId && !a.toDivisionId)
      issues.push({ path: `actions.${i}.toAgentId`, message: 'Give toAgentId or toDivisionId' });
  });
  if (rule.schedule === undefined) return issues;
  if (triggers.includes('schedule.tick') && !rule.schedule)
    issues.push({ path: 'schedule', message: 'A schedule.tick trigger needs a schedule' });
  return issues;
}

export const ruleInputSchema = z.object(ruleShape);
export const rulePatchSchema = z.object({
  ...ruleShape,
  name: ruleShape.name.optional(),
  triggers: ruleShape.triggers.optional(),
  actions: ruleShape.actions.optional(),
});
export type RuleInput = z.infer<typeof ruleInputSchema>;
export type RulePatch = z.infer<typeof rulePatchSchema>;
