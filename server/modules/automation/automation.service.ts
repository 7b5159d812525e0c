// The automation API: rules (CRUD, toggle, snooze, schedule, rollout, alerts, state, stats), the
// organization's control (kill switch and loop limits), runs and their explanations, the event log
// (retry, reprocess, cleanup, export) and the worker's metrics; dry-runs without side effects.
import { Cron } from 'croner';
import { Between, In, IsNull, LessThan, MoreThan, Not, type EntityManager, type FindOptionsWhere } from 'typeorm';
import type { Services, TenantCtx } from '../../core/context.js';
import { badRequest, conflict, notFound } from '../../core/http/errors.js';
import { isId, newId } from '../../core/ids.js';
import { recordActivity } from '../../core/audit.js';
import { scoped } from '../../core/tenancy.js';
import { canonicalTimezone, formatLocal, zonedParts } from '../../core/time.js';
import { UserEntity } from '../agents/agent.entity.js';
import { DivisionEntity } from '../divisions/division.entity.js';
import { visibleConversation } from '../divisions/visibility.service.js';
import { QuickReplyEntity } from '../quick-replies/quick-reply.entity.js';
import { WaTemplateEntity } from '../wa-templates/wa-template.entity.js';
import { OutgoingWebhookEntity } from '../outgoing-webhooks/outgoing-webhook.entity.js';
import { AiAgentEntity } from '../ai-agents/ai-agents.entity.js';
import {
  AutomationAlertEntity,
  AutomationControlEntity,
  AutomationEventEntity,
  AutomationRuleEntity,
  AutomationRuleVersionEntity,
  AutomationRunEntity,
  type AutomationEvent,
  type AutomationRule,
  type AutomationRun,
} from './automation.entity.js';
import { ruleIssues, type ActionDef, type ConditionGroup, type RuleInput, type RulePatch } from './automation.schemas.js';
import { explain, evaluateGroup } from './conditions.js';
import { Engine, fieldReader, rolloutBucket } from './engine.js';
import { enqueueProcessing } from './event-log.js';
import { withConditions } from './explanations.js';
import { findUnmatchedRun, unmatchedCounts, unmatchedPage, unmatchedRuns, unmatchedTotal } from './unmatched.js';
import { DEFAULT_CONTROL, controlFor, engineState } from './state.js';
import { tenantTimezone } from '../tenants/tenant-timezone.service.js';

const lazyCsv = () => import('csv-stringify/sync');

/** Actions whose modules are installed (none of the three yet on this build). */
const availableAction = (_type: string) => false;

// ---------- views ----------

export function ruleView(r: AutomationRule) {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    builtIn: r.builtIn,
    enabled: r.enabled,
    position: r.position,
    triggers: r.triggers,
    conditions: r.conditions,
    actions: r.actions,
    schedule: r.scheduleCron ? { cron: r.scheduleCron, timezone: r.scheduleTimezone, nextRunAt: r.nextRunAt } : null,
    rolloutPercent: r.rolloutPercent,
    alerts: { enabled: r.alertsEnabled, maxRunsPerHour: r.alertMaxRunsPerHour, maxFailuresPerHour: r.alertMaxFailuresPerHour },
    snoozedUntil: r.snoozedUntil,
    snoozeReason: r.snoozeReason,
    version: r.version,
    lastRunAt: r.lastRunAt,
    createdById: r.createdById,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

export function runView(r: AutomationRun, ruleName?: string | null) {
  return {
    id: r.id,
    eventId: r.eventId,
    ruleId: r.ruleId,
    ruleName: ruleName ?? null,
    ruleVersion: r.ruleVersion,
    attempt: r.attempt,
    conversationId: r.conversationId,
    eventType: r.eventType,
    status: r.status,
    skipReason: r.skipReason,
    explanation: r.skipReason ?? (r.conditions ? explain(r.conditions) : ''),
    conditions: r.conditions,
    actions: r.actions,
    nextAction: r.nextAction,
    error: r.error,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    createdAt: r.createdAt,
  };
}

export function eventView(e: AutomationEvent) {
  return {
    id: e.id,
    type: e.type,
    status: e.status,
    domainEventId: e.domainEventId,
    conversationId: e.conversationId,
    contactId: e.contactId,
    messageId: e.messageId,
    ruleId: e.ruleId,
    fingerprint: e.fingerprint,
    attempt: e.attempt,
    depth: e.depth,
    causeRuleId: e.causeRuleId,
    causeRunId: e.causeRunId,
    lastError: e.lastError,
    payload: e.payload,
    occurredAt: e.occurredAt,
    processedAt: e.processedAt,
    createdAt: e.createdAt,
  };
}

async function runViews(ctx: TenantCtx, stored: AutomationRun[]) {
  const ids = [...new Set(stored.map((r) => r.ruleId))];
  const rules = ids.length ? await scoped(ctx, AutomationRuleEntity).find({ id: In(ids) }) : [];
  const runs = await withConditions(ctx.db.manager, ctx.tenantId, stored, rules);
  const names = new Map(rules.map((r) => [r.id, r.name]));
  return runs.map((r) => runView(r, names.get(r.ruleId)));
}

// ---------- helpers ----------

async function timezoneOf(ctx: Services, tenantId: string): Promise<string> {
  return (await tenantTimezone(ctx.db, tenantId)) ?? 'UTC';
}

function cronOf(pattern: string, timezone: string, path = 'cron'): Cron {
  try {
    return new Cron(pattern, { timezone, paused: true });
  } catch (err) {
    throw badRequest('The schedule is not valid', [
      { path, message: `Not a valid cron expression: ${err instanceof Error ? err.message : String(err)}` },
    ]);
  }
}

function nextRun(pattern: string, timezone: string, from: Date): Date | null {
  return cronOf(pattern, timezone).nextRun(from);
}

async function resolveTimezone(ctx: TenantCtx, tz: string | null | undefined, path: string): Promise<string | null> {
  if (tz === undefined || tz === null) return null;
  const canonical = canonicalTimezone(tz);
  if (!canonical) throw badRequest('The time zone is not valid', [{ path, message: 'Not an IANA time zone (e.g. Asia/Jakarta)' }]);
  return canonical;
}

/** Checks the rule as a whole and the ids its actions name: 400 naming the path. */
async function validate(
  ctx: TenantCtx,
  rule: { triggers: string[]; conditions: ConditionGroup; actions: ActionDef[]; schedule?: { cron: string } | null },
  builtIn: boolean,
): Promise<void> {
  const issues = ruleIssues(rule, { builtIn, available: availableAction });
  for (const [i, a] of rule.actions.entries()) {
    if (a.type === 'assign_agent' || (a.type === 'transfer' && a.toAgentId)) {
      const agentId = a.type === 'assign_agent' ? a.agentId : a.toAgentId!;
      const path = a.type === 'assign_agent' ? 'agentId' : 'toAgentId';
      if (!isId(agentId) || !(await scoped(ctx, UserEntity).findOne({ id: agentId, status: 'active' })))
        issues.push({ path: `actions.${i}.${path}`, message: 'Unknown agent' });
    }
    if (a.type === 'assign_division' || a.type === 'assign_round_robin' || (a.type === 'transfer' && a.toDivisionId)) {
      const divisionId = a.type === 'transfer' ? a.toDivisionId! : a.divisionId;
      const path = a.type === 'transfer' ? 'toDivisionId' : 'divisionId';
      if (!isId(divisionId) || !(await scoped(ctx, DivisionEntity).findOne({ id: divisionId })))
        issues.push({ path: `actions.${i}.${path}`, message: 'Unknown division' });
    }
    if (
      a.type === 'send_quick_reply' &&
      (!isId(a.quickReplyId) || !(await scoped(ctx, QuickReplyEntity).findOne({ id: a.quickReplyId, scope: 'shared' })))
    )
      issues.push({ path: `actions.${i}.quickReplyId`, message: 'Unknown shared quick reply (personal replies cannot be used by rules)' });
    // Templates, webhooks and AI agents are named by id; whether they can act now (approved, enabled,
    // switched on) is checked when the action runs, and recorded on the run.
    if (a.type === 'send_template' && (!isId(a.templateId) || !(await scoped(ctx, WaTemplateEntity).findOne({ id: a.templateId }))))
      issues.push({ path: `actions.${i}.templateId`, message: 'Unknown WhatsApp template' });
    if (a.type === 'call_webhook' && (!isId(a.webhookId) || !(await scoped(ctx, OutgoingWebhookEntity).findOne({ id: a.webhookId }))))
      issues.push({ path: `actions.${i}.webhookId`, message: 'Unknown outgoing webhook' });
    if (a.type === 'hand_to_ai_agent' && (!isId(a.aiAgentId) || !(await scoped(ctx, AiAgentEntity).findOne({ id: a.aiAgentId }))))
      issues.push({ path: `actions.${i}.aiAgentId`, message: 'Unknown AI agent' });
  }
  if (issues.length) throw badRequest(`The rule is not valid: ${issues[0].path}: ${issues[0].message}`, issues);
}

async function getRule(ctx: TenantCtx, id: string): Promise<AutomationRule> {
  await engineState(ctx.db).rulesFor(ctx.db.manager, ctx.tenantId, ctx.now());
  return scoped(ctx, AutomationRuleEntity).get(id, 'Automation rule');
}

async function saveVersion(m: EntityManager, rule: AutomationRule, now: Date) {
  await m.getRepository(AutomationRuleVersionEntity).insert({
    id: newId(),
    tenantId: rule.tenantId,
    ruleId: rule.id,
    version: rule.version,
    definition: { name: rule.name, triggers: rule.triggers, conditions: rule.conditions, actions: rule.actions },
    createdAt: now,
  } as never);
}

async function patchRule(ctx: TenantCtx, rule: AutomationRule, patch: Partial<AutomationRule>, action: string, newVersion = false) {
  const now = ctx.now();
  const next: AutomationRule = { ...rule, ...patch, updatedAt: now, updatedById: ctx.principal.userId };
  if (newVersion) next.version = rule.version + 1;
  await ctx.transaction(async (m) => {
    await m.getRepository(AutomationRuleEntity).update({ id: rule.id, tenantId: ctx.tenantId }, {
      ...patch,
      version: next.version,
      updatedAt: now,
      updatedById: ctx.principal.userId,
    } as never);
    if (newVersion) await saveVersion(m, next, now);
    await recordActivity(ctx, m, {
      tenantId: ctx.tenantId,
      action,
      targetType: 'automation_rule',
      targetId: rule.id,
      details: { name: next.name, ...Object.fromEntries(Object.keys(patch).map((k) => [k, (patch as Record<string, unknown>)[k]])) },
    });
  });
  engineState(ctx.db).invalidate(ctx.tenantId);
  return ruleView(next);
}

function range(q: { from?: string; to?: string }, now: Date, defaultDays = 1) {
  const to = q.to ? new Date(q.to) : now;
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - defaultDays * 86400_000);
  if (from >= to) throw badRequest('"from" must be before "to"', [{ path: 'query.from', message: 'Must be before to' }]);
  if (to.getTime() - from.getTime() > 366 * 86400_000)
    throw badRequest('At most a year at a time', [{ path: 'query.from', message: 'At most 366 days before to' }]);
  return { from, to };
}

async function runCounts(ctx: TenantCtx, period: { ruleId?: string; from: Date; to: Date }) {
  const rows: { status: string; n: string | number }[] = await ctx.db
    .getRepository(AutomationRunEntity)
    .createQueryBuilder('r')
    .select('r.status', 'status')
    .addSelect('COUNT(*)', 'n')
    .where({ tenantId: ctx.tenantId, createdAt: Between(period.from, period.to), ...(period.ruleId ? { ruleId: period.ruleId } : {}) })
    .groupBy('r.status')
    .getRawMany();
  const by = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  // Runs that did not match are mostly kept on their events (unmatched.ts).
  by.not_matched = (by.not_matched ?? 0) + (await unmatchedTotal(ctx.db.manager, ctx.tenantId, period));
  const matched = (by.running ?? 0) + (by.waiting ?? 0) + (by.succeeded ?? 0) + (by.failed ?? 0);
  return {
    total: Object.values(by).reduce((a, b) => a + b, 0),
    matched,
    succeeded: by.succeeded ?? 0,
    failed: by.failed ?? 0,
    running: (by.running ?? 0) + (by.waiting ?? 0),
    skipped: by.skipped ?? 0,
    notMatched: by.not_matched ?? 0,
    successRate: matched ? Math.round(((by.succeeded ?? 0) / matched) * 1000) / 10 : null,
  };
}

async function timeseries(ctx: TenantCtx, q: { from?: string; to?: string; interval?: 'hour' | 'day' }, ruleId?: string) {
  const { from, to } = range(q, ctx.now());
  const interval = q.interval ?? (to.getTime() - from.getTime() > 3 * 86400_000 ? 'day' : 'hour');
  const timezone = await timezoneOf(ctx, ctx.tenantId);
  const rows = await ctx.db.getRepository(AutomationRunEntity).find({
    where: { tenantId: ctx.tenantId, createdAt: Between(from, to), ...(ruleId ? { ruleId } : {}) },
    select: { id: true, status: true, createdAt: true },
  });
  const kept = await unmatchedCounts(ctx.db.manager, ctx.tenantId, { ruleId, from, to });
  const buckets = new Map<
    string,
    { bucket: string; total: number; matched: number; succeeded: number; failed: number; skipped: number; notMatched: number }
  >();
  const keyOf = (d: Date) => {
    const p = zonedParts(d, timezone);
    const day = `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
    return interval === 'day' ? day : `${day}T${String(p.hour).padStart(2, '0')}:00`;
  };
  // Every bucket from the one holding `from` to the one holding `to` (hours step through days too).
  for (let t = from.getTime(); ; t = Math.min(t + 3600_000, to.getTime())) {
    const k = keyOf(new Date(t));
    if (!buckets.has(k)) buckets.set(k, { bucket: k, total: 0, matched: 0, succeeded: 0, failed: 0, skipped: 0, notMatched: 0 });
    if (t >= to.getTime()) break;
  }
  for (const r of rows) {
    const b = buckets.get(keyOf(r.createdAt));
    if (!b) continue;
    b.total++;
    if (r.status === 'succeeded') b.succeeded++;
    if (r.status === 'failed') b.failed++;
    if (r.status === 'skipped') b.skipped++;
    if (r.status === 'not_matched') b.notMatched++;
    if (['running', 'waiting', 'succeeded', 'failed'].includes(r.status)) b.matched++;
  }
  for (const e of kept) {
    const b = buckets.get(keyOf(e.createdAt));
    if (!b) continue;
    b.total += e.n;
    b.notMatched += e.n;
  }
  return { interval, timezone, from, to, data: [...buckets.values()] };
}

// ---------- dry run ----------

interface DryRunInput {
  ruleId?: string;
  rule?: RuleInput;
  payload?: { type: string; conversationId?: string | null; contactId?: string | null; data?: Record<string, unknown> };
  eventIds?: string[];
  limit: number;
}

/** Evaluates a rule on events without writing anything: which conditions held, which actions would run. */
async function dryRun(ctx: TenantCtx, input: DryRunInput) {
  let rule: Pick<AutomationRule, 'id' | 'name' | 'triggers' | 'conditions' | 'actions' | 'rolloutPercent'>;
  if (input.ruleId) rule = await getRule(ctx, input.ruleId);
  else if (input.rule) {
    const conditions = input.rule.conditions ?? { match: 'all' as const, conditions: [] };
    await validate(ctx, { ...input.rule, conditions }, false);
    rule = {
      id: 'dry-run',
      name: input.rule.name,
      triggers: input.rule.triggers,
      conditions,
      actions: input.rule.actions,
      rolloutPercent: input.rule.rolloutPercent ?? 100,
    };
  } else throw badRequest('Give ruleId or rule', [{ path: 'ruleId', message: 'Give ruleId (a saved rule) or rule (a definition)' }]);
  let events: AutomationEvent[];
  if (input.payload) {
    const p = input.payload;
    if (p.conversationId) await visibleConversation(ctx, p.conversationId);
    const now = ctx.now();
    events = [
      {
        id: 'test-payload',
        tenantId: ctx.tenantId,
        type: p.type,
        domainEventId: null,
        conversationId: p.conversationId ?? null,
        contactId: p.contactId ?? null,
        messageId: null,
        ruleId: null,
        payload: p.data ?? {},
        fingerprint: '',
        status: 'pending',
        attempt: 1,
        depth: 0,
        causeRuleId: null,
        causeRunId: null,
        lastError: null,
        fields: null,
        unmatched: null,
        occurredAt: now,
        processedAt: null,
        createdAt: now,
      },
    ];
  } else if (input.eventIds?.length) {
    const ids = input.eventIds.filter(isId);
    events = ids.length ? await scoped(ctx, AutomationEventEntity).find({ id: In(ids) }, { id: 'DESC' }) : [];
    const missing = input.eventIds.filter((id) => !events.some((e) => e.id === id));
    if (missing.length) throw notFound(`Automation event ${missing[0]}`);
  } else {
    events = await ctx.db.getRepository(AutomationEventEntity).find({
      where: { tenantId: ctx.tenantId, type: In(rule.triggers), status: Not('duplicate') },
      order: { id: 'DESC' },
      take: input.limit,
    });
  }
  const results = [];
  for (const e of events) {
    const triggered = rule.triggers.includes(e.type);
    const outcome = triggered ? await evaluateGroup(rule.conditions, fieldReader(ctx, ctx.db.manager, e)) : null;
    const subject = e.conversationId ?? e.contactId ?? e.id;
    const inRollout = rule.rolloutPercent >= 100 || rolloutBucket(rule.id, subject) < rule.rolloutPercent;
    const wouldRun = triggered && Boolean(outcome?.result) && inRollout;
    results.push({
      eventId: e.id === 'test-payload' ? null : e.id,
      eventType: e.type,
      conversationId: e.conversationId,
      occurredAt: e.occurredAt,
      triggered,
      matched: Boolean(outcome?.result),
      inRollout,
      wouldRun,
      explanation: !triggered
        ? `The rule does not start on ${e.type}`
        : !outcome?.result
          ? explain(outcome)
          : !inRollout
            ? 'Outside the rollout'
            : explain(outcome),
      conditions: outcome,
      actions: wouldRun ? rule.actions.map((a, index) => ({ index, type: a.type, wouldDo: describeAction(a) })) : [],
    });
  }
  return {
    rule: { id: input.ruleId ?? null, name: rule.name },
    evaluated: results.length,
    matched: results.filter((r) => r.wouldRun).length,
    results,
  };
}

export function describeAction(a: ActionDef): string {
  switch (a.type) {
    case 'assign_agent':
      return `Assign to agent ${a.agentId}`;
    case 'assign_division':
      return `Move to division ${a.divisionId}`;
    case 'assign_round_robin':
      return `Assign round-robin within division ${a.divisionId}`;
    case 'unassign':
      return 'Unassign';
    case 'add_tag':
      return `Add tags ${a.tags.join(', ')}`;
    case 'remove_tag':
      return `Remove tags ${a.tags.join(', ')}`;
    case 'set_priority':
      return `Set priority to ${a.priority}`;
    case 'send_message':
      return `Send the message "${a.text.slice(0, 80)}"`;
    case 'send_quick_reply':
      return `Send quick reply ${a.quickReplyId}`;
    case 'add_note':
      return `Add the note "${a.text.slice(0, 80)}"`;
    case 'resolve':
      return 'Resolve the conversation';
    case 'reopen':
      return 'Reopen the conversation';
    case 'snooze':
      return `Snooze for ${a.minutes} minutes`;
    case 'transfer':
      return `Transfer (${a.reason})`;
    case 'wait':
      return `Wait ${a.minutes} minutes`;
    case 'built_in':
      return `Built-in: ${a.action}`;
    default:
      return a.type;
  }
}

// ---------- the service ----------

type ListQuery = { limit: number; cursor?: string };
type RunQuery = ListQuery & { status?: string; ruleId?: string; eventId?: string; conversationId?: string; from?: string; to?: string };
type EventQuery = ListQuery & { status?: string; type?: string; conversationId?: string; from?: string; to?: string };

function runWhere(q: Omit<RunQuery, 'limit' | 'cursor'>): FindOptionsWhere<AutomationRun> {
  return {
    ...(q.status ? { status: q.status as never } : {}),
    ...(q.ruleId ? { ruleId: q.ruleId } : {}),
    ...(q.eventId ? { eventId: q.eventId } : {}),
    ...(q.conversationId ? { conversationId: q.conversationId } : {}),
    ...(q.from || q.to ? { createdAt: Between(q.from ? new Date(q.from) : new Date(0), q.to ? new Date(q.to) : new Date(8.64e15)) } : {}),
  };
}

/**
 * Runs newest first, below `cursor`: the rows, and the runs kept on their events (unmatched.ts),
 * merged on their ids (both time-ordered).
 */
async function runPage(
  ctx: TenantCtx,
  q: Omit<RunQuery, 'limit' | 'cursor'>,
  limit: number,
  cursor?: string,
): Promise<{ data: AutomationRun[]; nextCursor: string | null }> {
  const rows = await scoped(ctx, AutomationRunEntity).page({ where: runWhere(q), limit, cursor });
  const kept = await unmatchedPage(
    ctx.db.manager,
    ctx.tenantId,
    { ...q, from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined },
    limit + 1,
    cursor,
    rows.nextCursor ?? undefined,
  );
  const merged = [...rows.data, ...kept].sort((a, b) => (a.id < b.id ? 1 : -1));
  const more = rows.nextCursor !== null || merged.length > limit;
  const data = merged.slice(0, limit);
  return { data, nextCursor: more && data.length ? data[data.length - 1].id : null };
}

/** A run by id: a row, or one kept on its event. */
async function getRunById(ctx: TenantCtx, id: string): Promise<AutomationRun> {
  const row = await scoped(ctx, AutomationRunEntity).findOne({ id });
  const run = row ?? (await findUnmatchedRun(ctx.db.manager, ctx.tenantId, id));
  if (!run) throw notFound('Automation run');
  return run;
}

function eventWhere(q: Omit<EventQuery, 'limit' | 'cursor'>): FindOptionsWhere<AutomationEvent> {
  return {
    ...(q.status ? { status: q.status as never } : {}),
    ...(q.type ? { type: q.type } : {}),
    ...(q.conversationId ? { conversationId: q.conversationId } : {}),
    ...(q.from || q.to ? { createdAt: Between(q.from ? new Date(q.from) : new Date(0), q.to ? new Date(q.to) : new Date(8.64e15)) } : {}),
  };
}

const CSV_MAX = 50_000;

async function requeue(ctx: TenantCtx, events: AutomationEvent[], reprocess: boolean) {
  const now = ctx.now();
  await ctx.transaction(async (m) => {
    for (const e of events) {
      const next = { ...e, status: 'pending' as const, attempt: reprocess ? e.attempt + 1 : e.attempt, lastError: null, processedAt: null };
      await m
        .getRepository(AutomationEventEntity)
        .update({ id: e.id }, { status: 'pending', attempt: next.attempt, lastError: null, processedAt: null });
      await enqueueProcessing(m, next, now);
    }
  });
}

export const automationService = {
  async listRules(ctx: TenantCtx, q: ListQuery & { enabled?: boolean; builtIn?: boolean; trigger?: string; search?: string }) {
    const all = await engineState(ctx.db).rulesFor(ctx.db.manager, ctx.tenantId, ctx.now());
    void all;
    const rows = (await scoped(ctx, AutomationRuleEntity).find({}, { position: 'ASC', createdAt: 'ASC', id: 'ASC' })).filter(
      (r) =>
        (q.enabled === undefined || r.enabled === q.enabled) &&
        (q.builtIn === undefined || Boolean(r.builtIn) === q.builtIn) &&
        (!q.trigger || r.triggers.includes(q.trigger)) &&
        (!q.search || `${r.name} ${r.description ?? ''}`.toLowerCase().includes(q.search.toLowerCase())),
    );
    const start = q.cursor ? rows.findIndex((r) => r.id === q.cursor) + 1 : 0;
    if (q.cursor && start === 0) throw badRequest('The cursor is not valid', [{ path: 'query.cursor', message: 'Invalid cursor' }]);
    const data = rows.slice(start, start + q.limit);
    return { data: data.map(ruleView), nextCursor: start + q.limit < rows.length ? data[data.length - 1].id : null };
  },

  async createRule(ctx: TenantCtx, input: RuleInput) {
    const conditions = input.conditions ?? { match: 'all' as const, conditions: [] };
    await validate(ctx, { ...input, conditions }, false);
    const now = ctx.now();
    const timezone = await resolveTimezone(ctx, input.schedule?.timezone, 'schedule.timezone');
    const zone = timezone ?? (await timezoneOf(ctx, ctx.tenantId));
    if (input.schedule) cronOf(input.schedule.cron, zone, 'schedule.cron');
    const triggers = [...new Set(input.schedule ? [...input.triggers, 'schedule.tick'] : input.triggers)];
    const maxPosition = await ctx.db.getRepository(AutomationRuleEntity).maximum('position', { tenantId: ctx.tenantId });
    const rule: AutomationRule = {
      id: newId(),
      tenantId: ctx.tenantId,
      name: input.name,
      description: input.description ?? null,
      builtIn: null,
      enabled: input.enabled ?? true,
      position: input.position ?? (maxPosition ?? 0) + 10,
      triggers,
      conditions,
      actions: input.actions,
      scheduleCron: input.schedule?.cron ?? null,
      scheduleTimezone: timezone,
      nextRunAt: input.schedule ? nextRun(input.schedule.cron, zone, now) : null,
      rolloutPercent: input.rolloutPercent ?? 100,
      alertsEnabled: false,
      alertMaxRunsPerHour: null,
      alertMaxFailuresPerHour: null,
      snoozedUntil: null,
      snoozeReason: null,
      version: 1,
      lastRunAt: null,
      createdById: ctx.principal.userId,
      updatedById: ctx.principal.userId,
      createdAt: now,
      updatedAt: now,
    };
    if (input.schedule) cronOf(input.schedule.cron, zone, 'schedule.cron');
    await ctx.transaction(async (m) => {
      await m.getRepository(AutomationRuleEntity).insert(rule as never);
      await saveVersion(m, rule, now);
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'automation_rule.created',
        targetType: 'automation_rule',
        targetId: rule.id,
        details: { name: rule.name },
      });
    });
    engineState(ctx.db).invalidate(ctx.tenantId);
    return ruleView(rule);
  },

  async listSnoozed(ctx: TenantCtx, q: ListQuery) {
    const page = await scoped(ctx, AutomationRuleEntity).page({
      where: { snoozedUntil: MoreThan(ctx.now()) },
      limit: q.limit,
      cursor: q.cursor,
    });
    return { data: page.data.map(ruleView), nextCursor: page.nextCursor };
  },

  async snoozeMany(ctx: TenantCtx, body: { ruleIds: string[]; until?: string; minutes?: number; reason?: string | null }) {
    const until = snoozeUntil(ctx, body);
    const ids = [...new Set(body.ruleIds)].filter(isId);
    const rules = ids.length ? await scoped(ctx, AutomationRuleEntity).find({ id: In(ids) }) : [];
    for (const r of rules) await patchRule(ctx, r, { snoozedUntil: until, snoozeReason: body.reason ?? null }, 'automation_rule.snoozed');
    return { snoozed: rules.length, until, notFound: body.ruleIds.filter((id) => !rules.some((r) => r.id === id)) };
  },

  async stats(ctx: TenantCtx, q: { from?: string; to?: string }) {
    const { from, to } = range(q, ctx.now());
    const rules = await engineState(ctx.db).rulesFor(ctx.db.manager, ctx.tenantId, ctx.now());
    const now = ctx.now();
    const events = await eventStatusCounts(ctx, { createdAt: Between(from, to) });
    const control = await controlFor(ctx.db.manager, ctx.tenantId);
    const alerts = await scoped(ctx, AutomationAlertEntity).count({ createdAt: Between(from, to) });
    const top: { ruleId: string; n: string | number }[] = await ctx.db
      .getRepository(AutomationRunEntity)
      .createQueryBuilder('r')
      .select('r.ruleId', 'ruleId')
      .addSelect('COUNT(*)', 'n')
      .where({ tenantId: ctx.tenantId, createdAt: Between(from, to), status: In(['running', 'waiting', 'succeeded', 'failed']) })
      .groupBy('r.ruleId')
      .orderBy('n', 'DESC')
      .limit(5)
      .getRawMany();
    return {
      from,
      to,
      enabled: control.enabled,
      rules: {
        total: rules.length,
        enabled: rules.filter((r) => r.enabled).length,
        snoozed: rules.filter((r) => r.snoozedUntil && r.snoozedUntil > now).length,
        builtIn: rules.filter((r) => r.builtIn).length,
      },
      runs: await runCounts(ctx, { from, to }),
      events,
      alerts,
      topRules: top.map((t) => ({ ruleId: t.ruleId, name: rules.find((r) => r.id === t.ruleId)?.name ?? null, runs: Number(t.n) })),
    };
  },

  timeseries: (ctx: TenantCtx, q: { from?: string; to?: string; interval?: 'hour' | 'day' }) => timeseries(ctx, q),

  async alertStats(ctx: TenantCtx, q: { from?: string; to?: string; limit: number }) {
    const { from, to } = range(q, ctx.now(), 7);
    const rows = await ctx.db
      .getRepository(AutomationAlertEntity)
      .find({ where: { tenantId: ctx.tenantId, createdAt: Between(from, to) }, order: { id: 'DESC' } });
    const rules = await scoped(ctx, AutomationRuleEntity).find();
    const name = (id: string) => rules.find((r) => r.id === id)?.name ?? null;
    const byKind: Record<string, number> = { runs: 0, failures: 0, loop: 0 };
    const byRule = new Map<string, number>();
    for (const r of rows) {
      byKind[r.kind] = (byKind[r.kind] ?? 0) + 1;
      byRule.set(r.ruleId, (byRule.get(r.ruleId) ?? 0) + 1);
    }
    return {
      from,
      to,
      total: rows.length,
      byKind,
      byRule: [...byRule.entries()].map(([ruleId, count]) => ({ ruleId, name: name(ruleId), count })).sort((a, b) => b.count - a.count),
      recent: rows.slice(0, q.limit).map((a) => ({
        id: a.id,
        ruleId: a.ruleId,
        ruleName: name(a.ruleId),
        kind: a.kind,
        count: a.count,
        threshold: a.threshold,
        message: a.message,
        windowStart: a.windowStart,
        createdAt: a.createdAt,
      })),
    };
  },

  dryRun,

  async getRule(ctx: TenantCtx, id: string) {
    return ruleView(await getRule(ctx, id));
  },

  async deleteRule(ctx: TenantCtx, id: string) {
    const rule = await getRule(ctx, id);
    if (rule.builtIn)
      throw conflict('A built-in rule cannot be deleted; turn it off instead', [{ path: 'ruleId', message: 'Built-in rule' }]);
    await ctx.transaction(async (m) => {
      // Its versions stay: the runs it leaves are explained from the version they ran (explanations.ts).
      await m.getRepository(AutomationRuleEntity).delete({ id, tenantId: ctx.tenantId });
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'automation_rule.deleted',
        targetType: 'automation_rule',
        targetId: id,
        details: { name: rule.name },
      });
    });
    engineState(ctx.db).invalidate(ctx.tenantId);
  },

  async updateRule(ctx: TenantCtx, id: string, input: RulePatch) {
    const rule = await getRule(ctx, id);
    const conditions = input.conditions ?? rule.conditions;
    const actions = input.actions ?? rule.actions;
    let triggers = input.triggers ?? rule.triggers;
    const patch: Partial<AutomationRule> = {};
    if (input.schedule !== undefined) {
      const zone = (await resolveTimezone(ctx, input.schedule?.timezone, 'schedule.timezone')) ?? null;
      if (input.schedule) {
        cronOf(input.schedule.cron, zone ?? (await timezoneOf(ctx, ctx.tenantId)), 'schedule.cron');
        triggers = [...new Set([...triggers, 'schedule.tick'])];
        Object.assign(patch, {
          scheduleCron: input.schedule.cron,
          scheduleTimezone: zone,
          nextRunAt: nextRun(input.schedule.cron, zone ?? (await timezoneOf(ctx, ctx.tenantId)), ctx.now()),
        });
      } else {
        triggers = triggers.filter((t) => t !== 'schedule.tick');
        Object.assign(patch, { scheduleCron: null, scheduleTimezone: null, nextRunAt: null });
      }
    }
    const schedule = input.schedule !== undefined ? input.schedule : rule.scheduleCron ? { cron: rule.scheduleCron } : null;
    if (triggers.length === 0)
      throw badRequest('The rule is not valid: triggers: At least one trigger', [{ path: 'triggers', message: 'At least one trigger' }]);
    await validate(ctx, { triggers, conditions, actions, schedule }, Boolean(rule.builtIn));
    if (input.name !== undefined) patch.name = input.name;
    if (input.description !== undefined) patch.description = input.description ?? null;
    if (input.enabled !== undefined) patch.enabled = input.enabled;
    if (input.position !== undefined) patch.position = input.position;
    if (input.rolloutPercent !== undefined) patch.rolloutPercent = input.rolloutPercent;
    const definitionChanged =
      input.triggers !== undefined ||
      input.conditions !== undefined ||
      input.actions !== undefined ||
      input.name !== undefined ||
      input.schedule !== undefined;
    Object.assign(patch, { triggers, conditions, actions });
    return patchRule(ctx, rule, patch, 'automation_rule.updated', definitionChanged);
  },

  async toggle(ctx: TenantCtx, id: string, body: { enabled?: boolean }) {
    const rule = await getRule(ctx, id);
    const enabled = body.enabled ?? !rule.enabled;
    return patchRule(ctx, rule, { enabled }, enabled ? 'automation_rule.enabled' : 'automation_rule.disabled');
  },

  async snooze(ctx: TenantCtx, id: string, body: { until?: string; minutes?: number; reason?: string | null }) {
    const rule = await getRule(ctx, id);
    return patchRule(ctx, rule, { snoozedUntil: snoozeUntil(ctx, body), snoozeReason: body.reason ?? null }, 'automation_rule.snoozed');
  },

  async unsnooze(ctx: TenantCtx, id: string) {
    const rule = await getRule(ctx, id);
    if (!rule.snoozedUntil || rule.snoozedUntil <= ctx.now())
      throw conflict('The rule is not snoozed', [{ path: 'ruleId', message: 'Not snoozed' }]);
    return patchRule(ctx, rule, { snoozedUntil: null, snoozeReason: null }, 'automation_rule.unsnoozed');
  },

  async ruleStats(ctx: TenantCtx, id: string, q: { from?: string; to?: string }) {
    const rule = await getRule(ctx, id);
    const { from, to } = range(q, ctx.now());
    const durations = await ctx.db.getRepository(AutomationRunEntity).find({
      where: { ruleId: rule.id, tenantId: ctx.tenantId, createdAt: Between(from, to), status: In(['succeeded', 'failed']) },
      select: { id: true, startedAt: true, finishedAt: true },
      order: { id: 'DESC' },
      take: 1000,
    });
    const ms = durations.filter((d) => d.finishedAt).map((d) => d.finishedAt!.getTime() - d.startedAt.getTime());
    return {
      ruleId: rule.id,
      from,
      to,
      runs: await runCounts(ctx, { ruleId: rule.id, from, to }),
      averageDurationMs: ms.length ? Math.round(ms.reduce((a, b) => a + b, 0) / ms.length) : null,
      lastRunAt: rule.lastRunAt,
      alerts: await scoped(ctx, AutomationAlertEntity).count({ ruleId: rule.id, createdAt: Between(from, to) }),
    };
  },

  async ruleTimeseries(ctx: TenantCtx, id: string, q: { from?: string; to?: string; interval?: 'hour' | 'day' }) {
    const rule = await getRule(ctx, id);
    return { ruleId: rule.id, ...(await timeseries(ctx, q, rule.id)) };
  },

  async ruleState(ctx: TenantCtx, id: string) {
    const rule = await getRule(ctx, id);
    const control = await controlFor(ctx.db.manager, ctx.tenantId);
    const now = ctx.now();
    const reasons: string[] = [];
    if (!rule.enabled) reasons.push('disabled');
    if (rule.snoozedUntil && rule.snoozedUntil > now) reasons.push('snoozed');
    if (!control.enabled && !rule.builtIn) reasons.push('kill_switch');
    if (rule.rolloutPercent === 0) reasons.push('rollout_zero');
    const hourAgo = new Date(now.getTime() - 3600_000);
    return {
      ruleId: rule.id,
      active: reasons.length === 0,
      state: reasons.length === 0 ? (rule.rolloutPercent < 100 ? 'partial_rollout' : 'active') : reasons[0],
      reasons,
      enabled: rule.enabled,
      snoozedUntil: rule.snoozedUntil && rule.snoozedUntil > now ? rule.snoozedUntil : null,
      killSwitch: !control.enabled,
      builtIn: rule.builtIn,
      rolloutPercent: rule.rolloutPercent,
      schedule: rule.scheduleCron
        ? {
            cron: rule.scheduleCron,
            timezone: rule.scheduleTimezone ?? (await timezoneOf(ctx, ctx.tenantId)),
            nextRunAt: rule.nextRunAt,
          }
        : null,
      lastRunAt: rule.lastRunAt,
      runsLastHour: await runCounts(ctx, { ruleId: rule.id, from: hourAgo, to: now }),
      openAlerts: await scoped(ctx, AutomationAlertEntity).count({ ruleId: rule.id, createdAt: MoreThan(hourAgo) }),
    };
  },

  async updateAlerts(
    ctx: TenantCtx,
    id: string,
    body: { enabled?: boolean; maxRunsPerHour?: number | null; maxFailuresPerHour?: number | null },
  ) {
    const rule = await getRule(ctx, id);
    const patch: Partial<AutomationRule> = {};
    if (body.enabled !== undefined) patch.alertsEnabled = body.enabled;
    if (body.maxRunsPerHour !== undefined) patch.alertMaxRunsPerHour = body.maxRunsPerHour;
    if (body.maxFailuresPerHour !== undefined) patch.alertMaxFailuresPerHour = body.maxFailuresPerHour;
    const next = { ...rule, ...patch };
    if (next.alertsEnabled && !next.alertMaxRunsPerHour && !next.alertMaxFailuresPerHour)
      throw badRequest('Alerts need a threshold', [{ path: 'maxRunsPerHour', message: 'Give maxRunsPerHour or maxFailuresPerHour' }]);
    return patchRule(ctx, rule, patch, 'automation_rule.alerts_updated');
  },

  async updateSchedule(ctx: TenantCtx, id: string, body: { cron: string | null; timezone?: string | null }) {
    const rule = await getRule(ctx, id);
    return automationService.updateRule(ctx, rule.id, {
      schedule: body.cron === null ? null : { cron: body.cron, timezone: body.timezone },
    });
  },

  async updateRollout(ctx: TenantCtx, id: string, body: { percent: number }) {
    const rule = await getRule(ctx, id);
    return patchRule(ctx, rule, { rolloutPercent: body.percent }, 'automation_rule.rollout_updated');
  },

  async schedulePreview(ctx: TenantCtx, id: string, q: { count: number; cron?: string; timezone?: string; from?: string }) {
    const rule = await getRule(ctx, id);
    const pattern = q.cron ?? rule.scheduleCron;
    if (!pattern) throw conflict('The rule has no schedule; give ?cron= to preview one', [{ path: 'query.cron', message: 'No schedule' }]);
    const timezone =
      (await resolveTimezone(ctx, q.timezone, 'query.timezone')) ?? rule.scheduleTimezone ?? (await timezoneOf(ctx, ctx.tenantId));
    const from = q.from ? new Date(q.from) : ctx.now();
    const runs = cronOf(pattern, timezone, q.cron ? 'query.cron' : 'cron').nextRuns(q.count, from);
    return { ruleId: rule.id, cron: pattern, timezone, from, runs: runs.map((at) => ({ at, local: formatLocal(at, timezone) })) };
  },

  async getControl(ctx: TenantCtx) {
    const c = await controlFor(ctx.db.manager, ctx.tenantId);
    return controlView(c);
  },

  async updateControl(
    ctx: TenantCtx,
    body: { enabled?: boolean; reason?: string | null; maxDepth?: number; maxRunsPerConversationPerMinute?: number },
  ) {
    const now = ctx.now();
    const current = await controlFor(ctx.db.manager, ctx.tenantId);
    const next = {
      ...current,
      ...Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)),
      updatedById: ctx.principal.userId,
    } as typeof current;
    await ctx.transaction(async (m) => {
      const repo = m.getRepository(AutomationControlEntity);
      const row = await repo.findOne({ where: { tenantId: ctx.tenantId } });
      const values = {
        enabled: next.enabled,
        reason: next.reason,
        maxDepth: next.maxDepth,
        maxRunsPerConversationPerMinute: next.maxRunsPerConversationPerMinute,
        updatedById: ctx.principal.userId,
        updatedAt: now,
      };
      if (row) await repo.update({ id: row.id }, values);
      else await repo.insert({ id: newId(), tenantId: ctx.tenantId, workingHoursOpen: null, ...values } as never);
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'automation.control_updated',
        targetType: 'automation_control',
        details: body,
      });
    });
    engineState(ctx.db).invalidate(ctx.tenantId);
    return controlView({ ...next, updatedAt: now } as never);
  },

  async listRuns(ctx: TenantCtx, q: RunQuery) {
    const page = await runPage(ctx, q, q.limit, q.cursor);
    return { data: await runViews(ctx, page.data), nextCursor: page.nextCursor };
  },

  async exportRuns(ctx: TenantCtx, q: Omit<RunQuery, 'limit' | 'cursor'>) {
    const rows = (await runPage(ctx, q, CSV_MAX)).data;
    const views = await runViews(ctx, rows);
    const { stringify } = await lazyCsv();
    return `\ufeff${stringify(
      views.map((r) =>
        [
          r.id,
          r.createdAt.toISOString(),
          r.ruleId,
          r.ruleName ?? '',
          r.ruleVersion,
          r.eventId,
          r.eventType,
          r.conversationId ?? '',
          r.status,
          r.attempt,
          r.explanation,
          r.actions.map((a) => `${a.index + 1}:${a.type}:${a.status}`).join(' '),
          r.error ?? '',
          r.finishedAt?.toISOString() ?? '',
        ].map(safeCell),
      ),
      {
        header: true,
        columns: [
          'id',
          'createdAt',
          'ruleId',
          'ruleName',
          'ruleVersion',
          'eventId',
          'eventType',
          'conversationId',
          'status',
          'attempt',
          'explanation',
          'actions',
          'error',
          'finishedAt',
        ],
      },
    )}`;
  },

  async ruleRuns(ctx: TenantCtx, id: string, q: RunQuery) {
    const rule = await getRule(ctx, id);
    return automationService.listRuns(ctx, { ...q, ruleId: rule.id });
  },

  async eventRuns(ctx: TenantCtx, eventId: string, q: RunQuery) {
    const event = await scoped(ctx, AutomationEventEntity).get(eventId, 'Automation event');
    return automationService.listRuns(ctx, { ...q, eventId: event.id });
  },

  async getRun(ctx: TenantCtx, id: string) {
    const run = await getRunById(ctx, id);
    return (await runViews(ctx, [run]))[0];
  },

  /** What the run saw and did, the rule as it was then and as it is now, and how the current rule would decide on the same event (nothing is executed). */
  async replay(ctx: TenantCtx, id: string) {
    const run = await getRunById(ctx, id);
    const event = await scoped(ctx, AutomationEventEntity).get(run.eventId, 'Automation event');
    const version = await ctx.db
      .getRepository(AutomationRuleVersionEntity)
      .findOne({ where: { ruleId: run.ruleId, version: run.ruleVersion, tenantId: ctx.tenantId } });
    const current = await scoped(ctx, AutomationRuleEntity).findOne({ id: run.ruleId });
    const outcome = current ? await evaluateGroup(current.conditions, fieldReader(ctx, ctx.db.manager, event)) : null;
    const wouldRun = Boolean(current?.triggers.includes(event.type) && outcome?.result);
    return {
      run: (await runViews(ctx, [run]))[0],
      event: eventView(event),
      ruleAtRun: version ? { version: version.version, ...version.definition } : null,
      currentRule: current ? ruleView(current) : null,
      reevaluation: current
        ? {
            ruleVersion: current.version,
            matched: Boolean(outcome?.result),
            wouldRun,
            explanation: explain(outcome),
            conditions: outcome,
            actions: wouldRun ? current.actions.map((a, index) => ({ index, type: a.type, wouldDo: describeAction(a) })) : [],
            sameOutcome: wouldRun === ['running', 'waiting', 'succeeded', 'failed'].includes(run.status),
          }
        : null,
      reprocess: { method: 'POST', path: `/api/v1/automation/events/${event.id}/reprocess` },
    };
  },

  async listEvents(ctx: TenantCtx, q: EventQuery) {
    const page = await scoped(ctx, AutomationEventEntity).page({ where: eventWhere(q), limit: q.limit, cursor: q.cursor });
    return { data: page.data.map(eventView), nextCursor: page.nextCursor };
  },

  async eventStats(ctx: TenantCtx) {
    const now = ctx.now();
    const oldest = await ctx.db
      .getRepository(AutomationEventEntity)
      .findOne({ where: { tenantId: ctx.tenantId, status: 'pending' }, order: { id: 'ASC' } });
    const byType: { type: string; n: string | number }[] = await ctx.db
      .getRepository(AutomationEventEntity)
      .createQueryBuilder('e')
      .select('e.type', 'type')
      .addSelect('COUNT(*)', 'n')
      .where({ tenantId: ctx.tenantId, createdAt: MoreThan(new Date(now.getTime() - 86400_000)) })
      .groupBy('e.type')
      .getRawMany();
    return {
      byStatus: await eventStatusCounts(ctx, {}),
      last24hByType: Object.fromEntries(byType.map((r) => [r.type, Number(r.n)])),
      oldestPendingAt: oldest?.createdAt ?? null,
      lagMs: oldest ? Math.max(0, now.getTime() - oldest.createdAt.getTime()) : 0,
    };
  },

  async exportEvents(ctx: TenantCtx, q: Omit<EventQuery, 'limit' | 'cursor'>) {
    const rows = await ctx.db
      .getRepository(AutomationEventEntity)
      .find({ where: { ...eventWhere(q), tenantId: ctx.tenantId }, order: { id: 'DESC' }, take: CSV_MAX });
    const { stringify } = await lazyCsv();
    return `\ufeff${stringify(
      rows.map((e) =>
        [
          e.id,
          e.createdAt.toISOString(),
          e.type,
          e.status,
          e.conversationId ?? '',
          e.contactId ?? '',
          e.messageId ?? '',
          e.fingerprint,
          e.attempt,
          e.depth,
          e.causeRuleId ?? '',
          e.lastError ?? '',
          e.processedAt?.toISOString() ?? '',
        ].map(safeCell),
      ),
      {
        header: true,
        columns: [
          'id',
          'createdAt',
          'type',
          'status',
          'conversationId',
          'contactId',
          'messageId',
          'fingerprint',
          'attempt',
          'depth',
          'causeRuleId',
          'lastError',
          'processedAt',
        ],
      },
    )}`;
  },

  async retryFailed(ctx: TenantCtx) {
    const failed = await ctx.db
      .getRepository(AutomationEventEntity)
      .find({ where: { tenantId: ctx.tenantId, status: 'failed' }, order: { id: 'ASC' }, take: 10_000 });
    await requeue(ctx, failed, false);
    return { retried: failed.length, eventIds: failed.map((e) => e.id) };
  },

  async cleanup(ctx: TenantCtx, body: { olderThanDays: number; statuses: string[] }) {
    const cutoff = new Date(ctx.now().getTime() - body.olderThanDays * 86400_000);
    const repo = ctx.db.getRepository(AutomationEventEntity);
    const old = await repo.find({
      where: { tenantId: ctx.tenantId, status: In(body.statuses), createdAt: LessThan(cutoff) },
      select: { id: true, tenantId: true, type: true, conversationId: true, unmatched: true, createdAt: true },
    });
    // The runs kept on the events go with them.
    let deletedRuns = old.reduce((n, e) => n + unmatchedRuns(e).length, 0);
    await ctx.transaction(async (m) => {
      for (let i = 0; i < old.length; i += 500) {
        const ids = old.slice(i, i + 500).map((e) => e.id);
        deletedRuns += (await m.getRepository(AutomationRunEntity).delete({ tenantId: ctx.tenantId, eventId: In(ids) })).affected ?? 0;
        await m.getRepository(AutomationEventEntity).delete({ tenantId: ctx.tenantId, id: In(ids) });
      }
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'automation.events_cleaned_up',
        targetType: 'automation_event',
        details: { ...body, deleted: old.length },
      });
    });
    return { deleted: old.length, deletedRuns, olderThan: cutoff };
  },

  async conversationEvents(ctx: TenantCtx, conversationId: string, q: EventQuery) {
    const c = await visibleConversation(ctx, conversationId);
    return automationService.listEvents(ctx, { ...q, conversationId: c.id });
  },

  async ruleEvents(ctx: TenantCtx, id: string, q: ListQuery) {
    const rule = await getRule(ctx, id);
    const runs = await runPage(ctx, { ruleId: rule.id }, q.limit, q.cursor);
    const events = runs.data.length
      ? await scoped(ctx, AutomationEventEntity).find({ id: In([...new Set(runs.data.map((r) => r.eventId))]) })
      : [];
    const byId = new Map(events.map((e) => [e.id, e]));
    return {
      data: runs.data
        .filter((r) => byId.has(r.eventId))
        .map((r) => ({ ...eventView(byId.get(r.eventId)!), run: { id: r.id, status: r.status, attempt: r.attempt } })),
      nextCursor: runs.nextCursor,
    };
  },

  async eventsByFingerprint(ctx: TenantCtx, fingerprint: string, q: ListQuery) {
    const page = await scoped(ctx, AutomationEventEntity).page({
      where: { fingerprint: fingerprint.toLowerCase() },
      limit: q.limit,
      cursor: q.cursor,
    });
    return { data: page.data.map(eventView), nextCursor: page.nextCursor };
  },

  async getEvent(ctx: TenantCtx, id: string) {
    const event = await scoped(ctx, AutomationEventEntity).get(id, 'Automation event');
    const runs = [
      ...(await ctx.db.getRepository(AutomationRunEntity).find({ where: { tenantId: ctx.tenantId, eventId: id } })),
      ...unmatchedRuns(event),
    ].sort((a, b) => (a.id < b.id ? -1 : 1));
    return { ...eventView(event), runs: await runViews(ctx, runs) };
  },

  async retryEvent(ctx: TenantCtx, id: string) {
    const event = await scoped(ctx, AutomationEventEntity).get(id, 'Automation event');
    if (event.status !== 'failed')
      throw conflict(`Only a failed event can be retried (this one is ${event.status}); reprocess it instead`, [
        { path: 'eventId', message: `Status ${event.status}` },
      ]);
    await requeue(ctx, [event], false);
    return eventView({ ...event, status: 'pending', lastError: null, processedAt: null });
  },

  async reprocessEvent(ctx: TenantCtx, id: string) {
    const event = await scoped(ctx, AutomationEventEntity).get(id, 'Automation event');
    if (event.status === 'pending') throw conflict('The event is still waiting to be processed', [{ path: 'eventId', message: 'Pending' }]);
    await requeue(ctx, [event], true);
    return eventView({ ...event, status: 'pending', attempt: event.attempt + 1, lastError: null, processedAt: null });
  },

  async workerMetrics(ctx: TenantCtx) {
    const now = ctx.now();
    const repo = ctx.db.getRepository(AutomationEventEntity);
    const oldest = await repo.findOne({ where: { tenantId: ctx.tenantId, status: 'pending' }, order: { id: 'ASC' } });
    const pending = await repo.count({ where: { tenantId: ctx.tenantId, status: 'pending' } });
    const minuteAgo = new Date(now.getTime() - 60_000);
    const processedLastMinute = await repo.count({
      where: { tenantId: ctx.tenantId, processedAt: MoreThan(minuteAgo), status: In(['processed', 'failed']) },
    });
    const processedLast5 = await repo.count({
      where: { tenantId: ctx.tenantId, processedAt: MoreThan(new Date(now.getTime() - 300_000)), status: In(['processed', 'failed']) },
    });
    const failedLastHour = await repo.count({
      where: { tenantId: ctx.tenantId, status: 'failed', createdAt: MoreThan(new Date(now.getTime() - 3600_000)) },
    });
    const recent = await repo.find({
      where: { tenantId: ctx.tenantId, status: In(['processed', 'failed']), processedAt: Not(IsNull()) },
      select: { id: true, createdAt: true, processedAt: true },
      order: { id: 'DESC' },
      take: 500,
    });
    const latencies = recent.map((e) => e.processedAt!.getTime() - e.createdAt.getTime()).sort((a, b) => a - b);
    const pct = (p: number) =>
      latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] : null;
    const m = engineState(ctx.db).metrics;
    return {
      pending,
      lagMs: oldest ? Math.max(0, now.getTime() - oldest.createdAt.getTime()) : 0,
      oldestPendingAt: oldest?.createdAt ?? null,
      throughput: { lastMinute: processedLastMinute, perSecondLast5Minutes: Math.round((processedLast5 / 300) * 100) / 100 },
      failures: { lastHour: failedLastHour },
      latencyMs: { p50: pct(50), p95: pct(95), p99: pct(99), sample: latencies.length },
      process: { logged: m.logged, processed: m.processed, failed: m.failed, actions: m.actions, sinceStart: new Date(m.startedAt) },
    };
  },
};

function snoozeUntil(ctx: TenantCtx, body: { until?: string; minutes?: number }): Date {
  const now = ctx.now();
  if (body.until) {
    const until = new Date(body.until);
    if (until <= now) throw badRequest('The snooze must end in the future', [{ path: 'until', message: 'Must be in the future' }]);
    return until;
  }
  if (body.minutes) return new Date(now.getTime() + body.minutes * 60_000);
  throw badRequest('Give until or minutes', [{ path: 'until', message: 'Give until (a time) or minutes' }]);
}

async function eventStatusCounts(ctx: TenantCtx, where: FindOptionsWhere<AutomationEvent>) {
  const rows: { status: string; n: string | number }[] = await ctx.db
    .getRepository(AutomationEventEntity)
    .createQueryBuilder('e')
    .select('e.status', 'status')
    .addSelect('COUNT(*)', 'n')
    .where({ ...where, tenantId: ctx.tenantId })
    .groupBy('e.status')
    .getRawMany();
  const by = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  return {
    total: Object.values(by).reduce((a, b) => a + b, 0),
    pending: by.pending ?? 0,
    processed: by.processed ?? 0,
    failed: by.failed ?? 0,
    duplicate: by.duplicate ?? 0,
    ignored: by.ignored ?? 0,
  };
}

function controlView(c: {
  enabled: boolean;
  reason: string | null;
  maxDepth: number;
  maxRunsPerConversationPerMinute: number;
  updatedAt?: Date;
  updatedById: string | null;
}) {
  return {
    enabled: c.enabled,
    reason: c.reason,
    maxDepth: c.maxDepth,
    maxRunsPerConversationPerMinute: c.maxRunsPerConversationPerMinute,
    updatedAt: c.updatedAt ?? null,
    updatedById: c.updatedById,
  };
}

/** A cell a spreadsheet would run as a formula starts with an apostrophe. */
function safeCell(v: unknown): string | number {
  if (typeof v === 'number') return v;
  const s = String(v ?? '');
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

export { DEFAULT_CONTROL, Engine };
