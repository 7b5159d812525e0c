import { z } from 'zod';
import { access, defineRoute } from '../../core/http/registry.js';
import { idParam, pageOf, pageQuery, timestamp } from '../../core/http/schemas.js';
import { automationService } from './automation.service.js';
import { OPERATORS, TRIGGERS, actionSchema, conditionGroupSchema, ruleInputSchema, rulePatchSchema } from './automation.schemas.js';

const tag = 'Automation';
const manage = access.tenant('automation.manage');
const ruleParams = idParam('ruleId');
const runParams = idParam('runId');
const eventParams = idParam('eventId');

const RUN_STATUSES = ['not_matched', 'skipped', 'running', 'waiting', 'succeeded', 'failed'] as const;
const EVENT_STATUSES = ['pending', 'processed', 'failed', 'duplicate', 'ignored'] as const;

const ruleSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  builtIn: z
    .string()
    .nullable()
    .describe(
      'The built-in behaviour this rule carries (division-routing, out-of-hours-reply, csat-on-resolve, sla-checks, chat-expiration)',
    ),
  enabled: z.boolean(),
  position: z.number().int(),
  triggers: z.array(z.enum(TRIGGERS)),
  conditions: conditionGroupSchema,
  actions: z.array(actionSchema),
  schedule: z.object({ cron: z.string(), timezone: z.string().nullable(), nextRunAt: timestamp.nullable() }).nullable(),
  rolloutPercent: z.number().int(),
  alerts: z.object({ enabled: z.boolean(), maxRunsPerHour: z.number().int().nullable(), maxFailuresPerHour: z.number().int().nullable() }),
  snoozedUntil: timestamp.nullable(),
  snoozeReason: z.string().nullable(),
  version: z.number().int(),
  lastRunAt: timestamp.nullable(),
  createdById: z.string().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

const outcomeSchema: z.ZodType = z
  .lazy(() =>
    z.object({
      path: z.string(),
      kind: z.enum(['group', 'condition']),
      match: z.enum(['all', 'any']).optional(),
      field: z.string().optional(),
      operator: z.string().optional(),
      expected: z.unknown().optional(),
      actual: z.unknown().optional(),
      result: z.boolean(),
      reason: z.string(),
      children: z.array(outcomeSchema).optional(),
    }),
  )
  .meta({ id: 'ConditionOutcome' });

const runSchema = z.object({
  id: z.string(),
  eventId: z.string(),
  ruleId: z.string(),
  ruleName: z.string().nullable(),
  ruleVersion: z.number().int(),
  attempt: z.number().int(),
  conversationId: z.string().nullable(),
  eventType: z.string(),
  status: z.enum(RUN_STATUSES),
  skipReason: z.string().nullable(),
  explanation: z.string().describe('One line: why it ran, or which condition was false and why'),
  conditions: outcomeSchema.nullable(),
  actions: z.array(
    z.object({
      index: z.number().int(),
      type: z.string(),
      status: z.enum(['succeeded', 'failed', 'skipped', 'waiting']),
      detail: z.string(),
      at: timestamp,
    }),
  ),
  nextAction: z.number().int(),
  error: z.string().nullable(),
  startedAt: timestamp,
  finishedAt: timestamp.nullable(),
  createdAt: timestamp,
});

const eventSchema = z.object({
  id: z.string(),
  type: z.string(),
  status: z.enum(EVENT_STATUSES),
  domainEventId: z.string().nullable().describe('The outbox event it was written with'),
  conversationId: z.string().nullable(),
  contactId: z.string().nullable(),
  messageId: z.string().nullable(),
  ruleId: z.string().nullable(),
  fingerprint: z.string(),
  attempt: z.number().int(),
  depth: z.number().int().describe('How many chained automation actions led to this event'),
  causeRuleId: z.string().nullable(),
  causeRunId: z.string().nullable(),
  lastError: z.string().nullable(),
  payload: z.record(z.string(), z.unknown()),
  occurredAt: timestamp,
  processedAt: timestamp.nullable(),
  createdAt: timestamp,
});

const isoTime = z.iso.datetime({ offset: true });
const rangeQuery = z.object({
  from: isoTime.optional().describe('Start (default: 24 hours before to)'),
  to: isoTime.optional().describe('End (default: now)'),
});
const seriesQuery = rangeQuery.extend({
  interval: z.enum(['hour', 'day']).optional().describe("Bucket size, in the organization's time zone"),
});
const runFilters = z.object({
  status: z.enum(RUN_STATUSES).optional(),
  ruleId: z.string().max(64).optional(),
  eventId: z.string().max(64).optional(),
  conversationId: z.string().max(64).optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
});
const eventFilters = z.object({
  status: z.enum(EVENT_STATUSES).optional(),
  type: z.enum(TRIGGERS).optional(),
  conversationId: z.string().max(64).optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
});
const snoozeBody = z.object({
  until: isoTime.optional().describe('When the rule wakes up'),
  minutes: z
    .number()
    .int()
    .min(1)
    .max(60 * 24 * 365)
    .optional()
    .describe('Or: for this many minutes'),
  reason: z.string().trim().max(500).nullable().optional(),
});
const boolQuery = z
  .enum(['true', 'false'])
  .transform((v) => v === 'true')
  .optional();
const stats = z.object({
  total: z.number(),
  matched: z.number(),
  succeeded: z.number(),
  failed: z.number(),
  running: z.number(),
  skipped: z.number(),
  notMatched: z.number(),
  successRate: z.number().nullable(),
});
const series = z.object({
  interval: z.enum(['hour', 'day']),
  timezone: z.string(),
  from: timestamp,
  to: timestamp,
  data: z.array(
    z.object({
      bucket: z.string(),
      total: z.number(),
      matched: z.number(),
      succeeded: z.number(),
      failed: z.number(),
      skipped: z.number(),
      notMatched: z.number(),
    }),
  ),
});
const controlSchema = z.object({
  enabled: z
    .boolean()
    .describe("The kill switch: false stops every rule of the organization's own; built-in rules keep their own switches"),
  reason: z.string().nullable(),
  maxDepth: z.number().int(),
  maxRunsPerConversationPerMinute: z.number().int(),
  updatedAt: timestamp.nullable(),
  updatedById: z.string().nullable(),
});
const csv = (res: import('express').Response, name: string, body: string) => {
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
  res.setHeader('Cache-Control', 'no-store');
  res.status(200).send(body);
};

const RULE_DOC =
  `A rule starts on any of its \`triggers\` (${TRIGGERS.join(', ')}), evaluates \`conditions\` (groups with match all/any, nested up to 4 deep; ` +
  `each condition: field, operator (${OPERATORS.join(', ')}) and value), then runs \`actions\` in order. ` +
  'Fields: event.type, conversation.* (status, channel, priority, tags, assigneeId, divisionId, unreadCount, subject…), message.* (text, type, direction, senderType, language: id/en/unknown), ' +
  "contact.* (name, phone, email, attributes.<key>), time.hour, time.weekday, time.withinWorkingHours (the conversation's division or the organization's hours), payload.<path>. " +
  'Regular expressions use RE2 syntax (no backreferences or lookaround), case-insensitive, over at most 10,000 characters. ' +
  'Any invalid part answers 400 with `errors[].path` naming it (e.g. `conditions.conditions.1.value`).';

export const automationRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/automation/rules',
    tag,
    summary: 'List automation rules',
    access: manage,
    description:
      "The organization's rules in evaluation order, the built-in ones (division routing, out-of-hours reply, CSAT on resolve, SLA checks, chat expiration) among them.",
    query: pageQuery.extend({
      enabled: boolQuery,
      builtIn: boolQuery,
      trigger: z.enum(TRIGGERS).optional(),
      search: z.string().trim().max(200).optional(),
    }),
    response: pageOf(ruleSchema),
    handler: ({ ctx, query }) => automationService.listRules(ctx, query),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/automation/rules',
    tag,
    summary: 'Create an automation rule',
    access: manage,
    status: 201,
    description: RULE_DOC,
    body: ruleInputSchema,
    response: ruleSchema,
    handler: ({ ctx, body }) => automationService.createRule(ctx, body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/automation/rules/snoozed',
    tag,
    summary: 'List snoozed automation rules',
    access: manage,
    query: pageQuery,
    response: pageOf(ruleSchema),
    handler: ({ ctx, query }) => automationService.listSnoozed(ctx, query),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/automation/rules/snooze',
    tag,
    summary: 'Snooze multiple automation rules',
    access: manage,
    body: snoozeBody.extend({ ruleIds: z.array(z.string().max(64)).min(1, 'At least one rule').max(200) }),
    response: z.object({ snoozed: z.number().int(), until: timestamp, notFound: z.array(z.string()) }),
    handler: ({ ctx, body }) => automationService.snoozeMany(ctx, body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/automation/stats',
    tag,
    summary: 'Automation stats overview',
    access: manage,
    query: rangeQuery,
    response: z.object({
      from: timestamp,
      to: timestamp,
      enabled: z.boolean(),
      rules: z.object({ total: z.number(), enabled: z.number(), snoozed: z.number(), builtIn: z.number() }),
      runs: stats,
      events: z.object({
        total: z.number(),
        pending: z.number(),
        processed: z.number(),
        failed: z.number(),
        duplicate: z.number(),
        ignored: z.number(),
      }),
      alerts: z.number(),
      topRules: z.array(z.object({ ruleId: z.string(), name: z.string().nullable(), runs: z.number() })),
    }),
    handler: ({ ctx, query }) => automationService.stats(ctx, query),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/automation/stats/timeseries',
    tag,
    summary: 'Automation stats time series',
    access: manage,
    query: seriesQuery,
    response: series,
    handler: ({ ctx, query }) => automationService.timeseries(ctx, query),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/automation/stats/alerts',
    tag,
    summary: 'Automation alert stats',
    access: manage,
    description:
      'Rate alerts (a rule running or failing more than its thresholds in an hour) and loop alerts (loop protection stopped a chain, or a rule hit its per-conversation rate limit). Default: the last 7 days.',
    query: rangeQuery.extend({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
    response: z.object({
      from: timestamp,
      to: timestamp,
      total: z.number(),
      byKind: z.record(z.string(), z.number()),
      byRule: z.array(z.object({ ruleId: z.string(), name: z.string().nullable(), count: z.number() })),
      recent: z.array(
        z.object({
          id: z.string(),
          ruleId: z.string(),
          ruleName: z.string().nullable(),
          kind: z.string(),
          count: z.number(),
          threshold: z.number(),
          message: z.string(),
          windowStart: timestamp,
          createdAt: timestamp,
        }),
      ),
    }),
    handler: ({ ctx, query }) => automationService.alertStats(ctx, query),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/automation/rules/dry-run',
    tag,
    summary: 'Dry-run an automation rule against a test payload',
    access: manage,
    description:
      'Evaluates a saved rule (`ruleId`) or a definition (`rule`) against a test `payload`, given `eventIds`, or the latest `limit` logged events of its triggers. ' +
      'Nothing is written and no action runs: the answer says which conditions held and which actions would run.',
    body: z.object({
      ruleId: z.string().max(64).optional(),
      rule: ruleInputSchema.optional(),
      payload: z
        .object({
          type: z.enum(TRIGGERS),
          conversationId: z.string().max(64).nullable().optional(),
          contactId: z.string().max(64).nullable().optional(),
          data: z
            .record(z.string(), z.unknown())
            .optional()
            .describe(
              'The event payload, e.g. {"message": {"text": "…", "direction": "inbound"}, "conversation": {"channel": "whatsapp"}}',
            ),
        })
        .optional(),
      eventIds: z.array(z.string().max(64)).max(200).optional(),
      limit: z.number().int().min(1).max(500).default(50),
    }),
    response: z.object({
      rule: z.object({ id: z.string().nullable(), name: z.string() }),
      evaluated: z.number(),
      matched: z.number(),
      results: z.array(
        z.object({
          eventId: z.string().nullable(),
          eventType: z.string(),
          conversationId: z.string().nullable(),
          occurredAt: timestamp,
          triggered: z.boolean(),
          matched: z.boolean(),
          inRollout: z.boolean(),
          wouldRun: z.boolean(),
          explanation: z.string(),
          conditions: outcomeSchema.nullable(),
          actions: z.array(z.object({ index: z.number(), type: z.string(), wouldDo: z.string() })),
        }),
      ),
    }),
    handler: ({ ctx, body }) => automationService.dryRun(ctx, body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/automation/rules/{ruleId}',
    tag,
    summary: 'Get an automation rule by ID',
    access: manage,
    params: ruleParams,
    response: ruleSchema,
    handler: ({ ctx, params }) => automationService.getRule(ctx, params.ruleId),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/automation/rules/{ruleId}',
    tag,
    summary: 'Delete an automation rule',
    access: manage,
    status: 204,
    description: 'Built-in rules cannot be deleted (409); turn them off instead. Past runs stay in the history.',
    params: ruleParams,
    handler: ({ ctx, params }) => automationService.deleteRule(ctx, params.ruleId),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/v1/automation/rules/{ruleId}',
    tag,
    summary: 'Update an automation rule',
    access: manage,
    description: `${RULE_DOC} A change of name, triggers, conditions, actions or schedule makes a new version; runs keep the version they ran.`,
    params: ruleParams,
    body: rulePatchSchema,
    response: ruleSchema,
    handler: ({ ctx, params, body }) => automationService.updateRule(ctx, params.ruleId, body),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/automation/rules/{ruleId}/toggle',
    tag,
    summary: 'Toggle automation rule active state',
    access: manage,
    description: 'Flips `enabled`, or sets it to the given value.',
    params: ruleParams,
    body: z.object({ enabled: z.boolean().optional() }).optional().default({}),
    response: ruleSchema,
    handler: ({ ctx, params, body }) => automationService.toggle(ctx, params.ruleId, body ?? {}),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/automation/rules/{ruleId}/snooze',
    tag,
    summary: 'Snooze an automation rule until a given time',
    access: manage,
    description: 'While snoozed, the rule records a skipped run for each event it would have seen.',
    params: ruleParams,
    body: snoozeBody,
    response: ruleSchema,
    handler: ({ ctx, params, body }) => automationService.snooze(ctx, params.ruleId, body),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/automation/rules/{ruleId}/unsnooze',
    tag,
    summary: 'Unsnooze an automation rule',
    access: manage,
    params: ruleParams,
    response: ruleSchema,
    handler: ({ ctx, params }) => automationService.unsnooze(ctx, params.ruleId),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/automation/rules/{ruleId}/stats',
    tag,
    summary: 'Get stats for a specific automation rule',
    access: manage,
    params: ruleParams,
    query: rangeQuery,
    response: z.object({
      ruleId: z.string(),
      from: timestamp,
      to: timestamp,
      runs: stats,
      averageDurationMs: z.number().nullable(),
      lastRunAt: timestamp.nullable(),
      alerts: z.number(),
    }),
    handler: ({ ctx, params, query }) => automationService.ruleStats(ctx, params.ruleId, query),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/automation/rules/{ruleId}/stats/timeseries',
    tag,
    summary: 'Get time series stats for a specific automation rule',
    access: manage,
    params: ruleParams,
    query: seriesQuery,
    response: series.extend({ ruleId: z.string() }),
    handler: ({ ctx, params, query }) => automationService.ruleTimeseries(ctx, params.ruleId, query),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/automation/rules/{ruleId}/state',
    tag,
    summary: 'Get the effective state of an automation rule',
    access: manage,
    description: 'Whether the rule runs now, and if not why (disabled, snoozed, kill_switch, rollout_zero).',
    params: ruleParams,
    response: z.object({
      ruleId: z.string(),
      active: z.boolean(),
      state: z.string(),
      reasons: z.array(z.string()),
      enabled: z.boolean(),
      snoozedUntil: timestamp.nullable(),
      killSwitch: z.boolean(),
      builtIn: z.string().nullable(),
      rolloutPercent: z.number(),
      schedule: z.object({ cron: z.string(), timezone: z.string(), nextRunAt: timestamp.nullable() }).nullable(),
      lastRunAt: timestamp.nullable(),
      runsLastHour: stats,
      openAlerts: z.number(),
    }),
    handler: ({ ctx, params }) => automationService.ruleState(ctx, params.ruleId),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/v1/automation/rules/{ruleId}/alerts',
    tag,
    summary: 'Update alert settings for an automation rule',
    access: manage,
    description:
      'An alert is raised (once per hour, pushed as `automation.alert`) when the rule runs or fails more often than these thresholds within an hour.',
    params: ruleParams,
    body: z.object({
      enabled: z.boolean().optional(),
      maxRunsPerHour: z.number().int().min(1).max(1_000_000).nullable().optional(),
      maxFailuresPerHour: z.number().int().min(1).max(1_000_000).nullable().optional(),
    }),
    response: ruleSchema,
    handler: ({ ctx, params, body }) => automationService.updateAlerts(ctx, params.ruleId, body),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/v1/automation/rules/{ruleId}/schedule',
    tag,
    summary: 'Update schedule settings for an automation rule',
    access: manage,
    description:
      "A cron expression (croner: minute hour day month weekday, an optional leading seconds field) in `timezone` or the organization's; the rule then also starts on `schedule.tick`. `cron: null` removes the schedule.",
    params: ruleParams,
    body: z.object({ cron: z.string().trim().min(1, 'Required').max(120).nullable(), timezone: z.string().max(64).nullable().optional() }),
    response: ruleSchema,
    handler: ({ ctx, params, body }) => automationService.updateSchedule(ctx, params.ruleId, body),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/v1/automation/rules/{ruleId}/rollout',
    tag,
    summary: 'Update rollout percentage for an automation rule',
    access: manage,
    description:
      'The share of conversations the rule runs on, chosen deterministically by conversation id (the same conversation is always in or out).',
    params: ruleParams,
    body: z.object({ percent: z.number().int().min(0).max(100) }),
    response: ruleSchema,
    handler: ({ ctx, params, body }) => automationService.updateRollout(ctx, params.ruleId, body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/automation/rules/{ruleId}/schedule/preview',
    tag,
    summary: 'Preview upcoming schedule windows for an automation rule',
    access: manage,
    description: "The next runs of the rule's schedule, or of `cron` (to try an expression before saving it), in UTC and local time.",
    params: ruleParams,
    query: z.object({
      count: z.coerce.number().int().min(1).max(50).default(5),
      cron: z.string().trim().min(1).max(120).optional(),
      timezone: z.string().max(64).optional(),
      from: isoTime.optional(),
    }),
    response: z.object({
      ruleId: z.string(),
      cron: z.string(),
      timezone: z.string(),
      from: timestamp,
      runs: z.array(z.object({ at: timestamp, local: z.string() })),
    }),
    handler: ({ ctx, params, query }) => automationService.schedulePreview(ctx, params.ruleId, query),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/automation/control',
    tag,
    summary: 'Get global automation control state',
    access: manage,
    response: controlSchema,
    handler: ({ ctx }) => automationService.getControl(ctx),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/v1/automation/control',
    tag,
    summary: 'Update global automation control state',
    access: manage,
    description:
      '`enabled: false` is the kill switch: events are still logged, and each rule records a skipped run. Loop protection: `maxDepth` chained automation actions, `maxRunsPerConversationPerMinute` runs of one rule on one conversation.',
    body: z.object({
      enabled: z.boolean().optional(),
      reason: z.string().trim().max(500).nullable().optional(),
      maxDepth: z.number().int().min(1).max(20).optional(),
      maxRunsPerConversationPerMinute: z.number().int().min(1).max(1000).optional(),
    }),
    response: controlSchema,
    handler: ({ ctx, body }) => automationService.updateControl(ctx, body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/automation/runs',
    tag,
    summary: 'List automation rule runs',
    access: manage,
    description:
      'Newest first. A run is one rule evaluated on one event: each condition with its outcome and reason, each action with its result.',
    query: pageQuery.extend(runFilters.shape),
    response: pageOf(runSchema),
    handler: ({ ctx, query }) => automationService.listRuns(ctx, query),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/automation/runs/export',
    tag,
    summary: 'Export automation runs as CSV',
    access: manage,
    description: 'text/csv (UTF-8 with a byte-order mark), newest first, at most 50,000 rows; the filters of the list.',
    query: runFilters,
    handler: async ({ ctx, query, res }) => csv(res, 'automation-runs.csv', await automationService.exportRuns(ctx, query)),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/automation/rules/{ruleId}/runs',
    tag,
    summary: 'List automation runs for a specific rule',
    access: manage,
    params: ruleParams,
    query: pageQuery.extend({ status: z.enum(RUN_STATUSES).optional() }),
    response: pageOf(runSchema),
    handler: ({ ctx, params, query }) => automationService.ruleRuns(ctx, params.ruleId, query),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/automation/events/{eventId}/runs',
    tag,
    summary: 'List automation runs for a specific event',
    access: manage,
    params: eventParams,
    query: pageQuery,
    response: pageOf(runSchema),
    handler: ({ ctx, params, query }) => automationService.eventRuns(ctx, params.eventId, query),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/automation/runs/{runId}',
    tag,
    summary: 'Get a single automation run by ID',
    access: manage,
    params: runParams,
    response: runSchema,
    handler: ({ ctx, params }) => automationService.getRun(ctx, params.runId),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/automation/runs/{runId}/replay',
    tag,
    summary: 'Get replay context for an automation run',
    access: manage,
    description:
      'What the run saw (the event), the rule as it was then and as it is now, and how the current rule decides on the same event, without running anything. To run it again for real, reprocess the event (`reprocess` in the answer).',
    params: runParams,
    response: z.object({
      run: runSchema,
      event: eventSchema,
      ruleAtRun: z.record(z.string(), z.unknown()).nullable(),
      currentRule: ruleSchema.nullable(),
      reevaluation: z
        .object({
          ruleVersion: z.number(),
          matched: z.boolean(),
          wouldRun: z.boolean(),
          explanation: z.string(),
          conditions: outcomeSchema.nullable(),
          actions: z.array(z.object({ index: z.number(), type: z.string(), wouldDo: z.string() })),
          sameOutcome: z.boolean(),
        })
        .nullable(),
      reprocess: z.object({ method: z.string(), path: z.string() }),
    }),
    handler: ({ ctx, params }) => automationService.replay(ctx, params.runId),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/automation/events',
    tag,
    summary: 'List automation event queue items',
    access: manage,
    description:
      'The event log, newest first: every event a rule could start on, written with the change that caused it. Status: pending (queued), processed, failed (an action failed), duplicate (same payload fingerprint as an earlier event), ignored (no enabled rule listened).',
    query: pageQuery.extend(eventFilters.shape),
    response: pageOf(eventSchema),
    handler: ({ ctx, query }) => automationService.listEvents(ctx, query),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/automation/events/stats',
    tag,
    summary: 'Automation event queue stats',
    access: manage,
    response: z.object({
      byStatus: z.object({
        total: z.number(),
        pending: z.number(),
        processed: z.number(),
        failed: z.number(),
        duplicate: z.number(),
        ignored: z.number(),
      }),
      last24hByType: z.record(z.string(), z.number()),
      oldestPendingAt: timestamp.nullable(),
      lagMs: z.number(),
    }),
    handler: ({ ctx }) => automationService.eventStats(ctx),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/automation/events/export',
    tag,
    summary: 'Export automation events as CSV',
    access: manage,
    description: 'text/csv (UTF-8 with a byte-order mark), newest first, at most 50,000 rows; the filters of the list.',
    query: eventFilters,
    handler: async ({ ctx, query, res }) => csv(res, 'automation-events.csv', await automationService.exportEvents(ctx, query)),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/automation/events/retry-failed',
    tag,
    summary: 'Retry all failed automation events',
    access: manage,
    description: 'Each failed run goes on from the action that failed; actions that succeeded are not repeated.',
    response: z.object({ retried: z.number(), eventIds: z.array(z.string()) }),
    handler: ({ ctx }) => automationService.retryFailed(ctx),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/automation/events/cleanup',
    tag,
    summary: 'Clean up old failed automation events',
    access: manage,
    description:
      'Deletes events (failed by default) older than `olderThanDays`, with their runs. Processed events are removed after 30 days by a nightly job.',
    body: z
      .object({
        olderThanDays: z.number().int().min(0).max(3650).default(30),
        statuses: z
          .array(z.enum(['failed', 'processed', 'duplicate', 'ignored']))
          .min(1)
          .default(['failed']),
      })
      .optional()
      .default({ olderThanDays: 30, statuses: ['failed'] }),
    response: z.object({ deleted: z.number(), deletedRuns: z.number(), olderThan: timestamp }),
    handler: ({ ctx, body }) => automationService.cleanup(ctx, body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/conversations/{conversationId}/automation-events',
    tag,
    summary: 'List automation events for a conversation',
    access: access.tenant('conversations.view'),
    params: idParam('conversationId'),
    query: pageQuery.extend({ status: z.enum(EVENT_STATUSES).optional(), type: z.enum(TRIGGERS).optional() }),
    response: pageOf(eventSchema),
    handler: ({ ctx, params, query }) => automationService.conversationEvents(ctx, params.conversationId, query),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/automation/rules/{ruleId}/events',
    tag,
    summary: 'List automation events for a rule',
    access: manage,
    description: 'The events the rule was evaluated on, newest first, each with that run.',
    params: ruleParams,
    query: pageQuery,
    response: pageOf(eventSchema.extend({ run: z.object({ id: z.string(), status: z.string(), attempt: z.number() }) })),
    handler: ({ ctx, params, query }) => automationService.ruleEvents(ctx, params.ruleId, query),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/automation/events/fingerprint/{fingerprint}',
    tag,
    summary: 'List automation events by payload fingerprint',
    access: manage,
    description: 'An event and its duplicates (the same type and payload).',
    params: z.object({ fingerprint: z.string().regex(/^[0-9a-fA-F]{32}$/, '32 hexadecimal characters') }),
    query: pageQuery,
    response: pageOf(eventSchema),
    handler: ({ ctx, params, query }) => automationService.eventsByFingerprint(ctx, params.fingerprint, query),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/automation/events/{eventId}',
    tag,
    summary: 'Get a single automation event by ID',
    access: manage,
    params: eventParams,
    response: eventSchema.extend({ runs: z.array(runSchema) }),
    handler: ({ ctx, params }) => automationService.getEvent(ctx, params.eventId),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/automation/events/{eventId}/retry',
    tag,
    summary: 'Retry a single automation event',
    access: manage,
    description: 'A failed event only (409 otherwise): failed runs go on from the action that failed.',
    params: eventParams,
    response: eventSchema,
    handler: ({ ctx, params }) => automationService.retryEvent(ctx, params.eventId),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/automation/events/{eventId}/reprocess',
    tag,
    summary: 'Reprocess an automation event with the current rule set',
    access: manage,
    description: 'Evaluates the event again with the rules as they are now (a new attempt: new runs; their actions run again).',
    params: eventParams,
    response: eventSchema,
    handler: ({ ctx, params }) => automationService.reprocessEvent(ctx, params.eventId),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/automation/worker/metrics',
    tag,
    summary: 'Get automation worker metrics',
    access: manage,
    description:
      "Lag (age of the oldest waiting event), throughput, failures and event-to-done latency for the organization; `process` counts this server process's work since it started.",
    response: z.object({
      pending: z.number(),
      lagMs: z.number(),
      oldestPendingAt: timestamp.nullable(),
      throughput: z.object({ lastMinute: z.number(), perSecondLast5Minutes: z.number() }),
      failures: z.object({ lastHour: z.number() }),
      latencyMs: z.object({ p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable(), sample: z.number() }),
      process: z.object({ logged: z.number(), processed: z.number(), failed: z.number(), actions: z.number(), sinceStart: timestamp }),
    }),
    handler: ({ ctx }) => automationService.workerMetrics(ctx),
  }),
];
