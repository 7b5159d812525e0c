// SLA: policies with first-response and resolution targets by priority, channel or division,
// counted in working hours; each conversation's SLA state (kept current by the evaluator job and
// computed live for the status endpoint); breaches recorded once and emitted as events.
import { In, type EntityManager } from 'typeorm';
import type { Services, TenantCtx } from '../../core/context.js';
import { scoped } from '../../core/tenancy.js';
import { badRequest, unprocessable } from '../../core/http/errors.js';
import { emitEvent } from '../../core/events/outbox.js';
import { enqueueJob } from '../../core/jobs/queue.js';
import { JobEntity } from '../../core/jobs/job.entity.js';
import { recordActivity } from '../../core/audit.js';
import { newId } from '../../core/ids.js';
import { readThrough } from '../../core/entity-cache.js';
import type { Channel } from '../../channels/types.js';
import { ConversationEntity, type Conversation, type Priority } from '../conversations/conversation.entity.js';
import { conversationView } from '../conversations/conversation-views.service.js';
import { MessageEntity } from '../messages/message.entity.js';
import { DivisionEntity } from '../divisions/division.entity.js';
import { visibleConversation } from '../divisions/visibility.service.js';
import { WorkCalendar } from '../working-hours/calendar.service.js';
import { calendarFor } from '../working-hours/working-hours.service.js';
import { computeSla, type MetricState, type SlaState } from './sla.compute.js';
import { ConversationSlaEntity, SlaBreachEntity, SlaPolicyEntity, type ConversationSla, type SlaPolicy } from './sla.entity.js';

export const SLA_EVALUATE_ALL = 'sla.evaluate';
export const SLA_EVALUATE_ONE = 'sla.evaluate-conversation';

export interface PolicyInput {
  name?: string;
  description?: string | null;
  enabled?: boolean;
  priority?: Priority | null;
  channel?: Channel | null;
  divisionId?: string | null;
  firstResponseMinutes?: number | null;
  resolutionMinutes?: number | null;
  atRiskPercent?: number;
  workingHoursOnly?: boolean;
}

export function policyView(p: SlaPolicy) {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    enabled: p.enabled,
    priority: p.priority,
    channel: p.channel,
    divisionId: p.divisionId,
    firstResponseMinutes: p.firstResponseMinutes,
    resolutionMinutes: p.resolutionMinutes,
    atRiskPercent: p.atRiskPercent,
    workingHoursOnly: p.workingHoursOnly,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

const specificity = (p: SlaPolicy) => Number(p.priority !== null) + Number(p.channel !== null) + Number(p.divisionId !== null);

/** The enabled policy that applies: every condition it sets matches; the most specific wins, then the oldest. */
export function choosePolicy(policies: SlaPolicy[], c: Pick<Conversation, 'priority' | 'channel' | 'divisionId'>): SlaPolicy | null {
  const matching = policies.filter(
    (p) =>
      p.enabled &&
      (p.priority === null || p.priority === c.priority) &&
      (p.channel === null || p.channel === c.channel) &&
      (p.divisionId === null || p.divisionId === c.divisionId),
  );
  matching.sort((a, b) => specificity(b) - specificity(a) || a.id.localeCompare(b.id));
  return matching[0] ?? null;
}

/** When the conversation's clocks stop: the first agent or AI reply; the close (resolved or expired). */
async function clockStops(m: EntityManager, c: Conversation) {
  const reply = await m.getRepository(MessageEntity).findOne({
    where: { conversationId: c.id, direction: 'outbound', senderType: In(['agent', 'ai']) },
    order: { id: 'ASC' },
    select: { id: true, createdAt: true },
  });
  const closedAt = c.status === 'resolved' || c.status === 'expired' ? (c.resolvedAt ?? c.updatedAt) : null;
  return { firstResponseAt: reply?.createdAt ?? null, closedAt };
}

interface Evaluation {
  policy: SlaPolicy;
  state: SlaState;
  calendar: 'division' | 'tenant' | 'none' | 'always';
  firstResponseAt: Date | null;
  closedAt: Date | null;
}

async function evaluation(m: EntityManager, c: Conversation, policies: SlaPolicy[], now: Date): Promise<Evaluation | null> {
  const policy = choosePolicy(policies, c);
  if (!policy) return null;
  const cal = policy.workingHoursOnly
    ? await calendarFor(m, c.tenantId, c.divisionId)
    : { calendar: WorkCalendar.always(), source: 'always' as const };
  const stops = await clockStops(m, c);
  const state = computeSla(
    { firstResponseMinutes: policy.firstResponseMinutes, resolutionMinutes: policy.resolutionMinutes, atRiskPercent: policy.atRiskPercent },
    cal.calendar,
    { start: c.createdAt, ...stops, now },
  );
  return { policy, state, calendar: cal.source, ...stops };
}

export const slaSummary = (row: ConversationSla | null | undefined) =>
  row
    ? {
        status: row.status,
        policyId: row.policyId,
        nextDueAt: row.nextDueAt,
        firstResponseDueAt: row.firstResponseDueAt,
        resolutionDueAt: row.resolutionDueAt,
      }
    : null;

/**
 * Re-evaluates one conversation and records what changed, in one transaction: the stored state
 * (pushed as `sla.updated` and `conversation.updated` when its status or due times change) and
 * each newly breached target (recorded once, pushed as `sla.breached`).
 */
export async function evaluateConversation(services: Services, conversationId: string): Promise<void> {
  await services.transaction(async (m) => {
    const c = await m.getRepository(ConversationEntity).findOne({ where: { id: conversationId } });
    if (!c) return;
    const now = services.now();
    const policies = await m.getRepository(SlaPolicyEntity).find({ where: { tenantId: c.tenantId, enabled: true } });
    const result = await evaluation(m, c, policies, now);
    const rows = m.getRepository(ConversationSlaEntity);
    const existing = await rows.findOne({ where: { conversationId } });
    const announce = async (row: ConversationSla | null) => {
      const view = await conversationView(services, c);
      await emitEvent(m, { tenantId: c.tenantId, type: 'sla.updated', payload: { conversationId, sla: slaSummary(row) } }, now);
      await emitEvent(m, { tenantId: c.tenantId, type: 'conversation.updated', payload: { conversation: view } }, now);
    };
    if (!result) {
      if (existing) {
        await rows.delete({ id: existing.id });
        await announce(null);
      }
      return;
    }
    const { policy, state } = result;
    const row: ConversationSla = {
      id: existing?.id ?? newId(),
      tenantId: c.tenantId,
      conversationId,
      policyId: policy.id,
      status: state.status,
      firstResponseDueAt: state.firstResponse?.dueAt ?? null,
      firstRespondedAt: result.firstResponseAt,
      resolutionDueAt: state.resolution?.dueAt ?? null,
      nextDueAt: state.nextDueAt,
      final: result.closedAt !== null,
      evaluatedAt: now,
    };
    if (existing) await rows.update({ id: existing.id }, row as never);
    else await rows.insert(row as never);

    const breaches = m.getRepository(SlaBreachEntity);
    for (const metric of [state.firstResponse, state.resolution]) {
      if (metric?.status !== 'breached' || !metric.dueAt) continue;
      if (await breaches.exists({ where: { conversationId, policyId: policy.id, metric: metric.metric } })) continue;
      const breach = {
        id: newId(),
        tenantId: c.tenantId,
        policyId: policy.id,
        conversationId,
        metric: metric.metric,
        targetMinutes: metric.targetMinutes,
        dueAt: metric.dueAt,
        breachedAt: now,
      };
      await breaches.insert(breach);
      await emitEvent(
        m,
        {
          tenantId: c.tenantId,
          type: 'sla.breached',
          payload: {
            conversationId,
            breach: { ...breach, policyName: policy.name },
            ...(c.assigneeId ? { notifyUserId: c.assigneeId } : {}),
          },
        },
        now,
      );
    }
    const time = (d: Date | null | undefined) => d?.getTime() ?? null;
    const changed =
      !existing ||
      existing.status !== row.status ||
      existing.policyId !== row.policyId ||
      time(existing.nextDueAt) !== time(row.nextDueAt) ||
      time(existing.firstResponseDueAt) !== time(row.firstResponseDueAt) ||
      time(existing.resolutionDueAt) !== time(row.resolutionDueAt);
    if (changed) await announce(row);
  });
}

/** Every conversation whose SLA may move: open ones in tenants with policies, and states not yet final. */
export async function evaluateAll(services: Services, tenantId?: string): Promise<number> {
  const db = services.db;
  const policyTenants = tenantId
    ? [tenantId]
    : [
        ...new Set(
          (await db.getRepository(SlaPolicyEntity).find({ where: { enabled: true }, select: { tenantId: true } })).map((p) => p.tenantId),
        ),
      ];
  const ids = new Set<string>();
  for (const t of policyTenants) {
    const open = await db
      .getRepository(ConversationEntity)
      .find({ where: { tenantId: t, status: In(['open', 'pending']) }, select: { id: true } });
    for (const c of open) ids.add(c.id);
  }
  const unfinished = await db
    .getRepository(ConversationSlaEntity)
    .find({ where: { final: false, ...(tenantId ? { tenantId } : {}) }, select: { conversationId: true } });
  for (const r of unfinished) ids.add(r.conversationId);
  for (const id of ids) await evaluateConversation(services, id);
  return ids.size;
}

/** Asks for a re-evaluation of one conversation (or a whole tenant) soon, unless one is already waiting. */
export async function requestEvaluation(services: Services, tenantId: string, conversationId?: string): Promise<void> {
  await services.transaction((m) => queueEvaluation(m, tenantId, conversationId, services.now()));
}

async function queueEvaluation(m: EntityManager, tenantId: string, conversationId: string | undefined, now: Date): Promise<void> {
  const queueKey = conversationId ? `sla:${conversationId}` : `sla-tenant:${tenantId}`;
  const type = conversationId ? SLA_EVALUATE_ONE : SLA_EVALUATE_ALL;
  if (await m.getRepository(JobEntity).exists({ where: { queueKey, status: 'pending' } })) return;
  await enqueueJob(m, type, conversationId ? { conversationId } : { tenantId }, now, { tenantId, queueKey, maxAttempts: 3 });
}

/**
 * Whether the organization has an enabled policy, cached until a policy is written: the built-in
 * rule asks after every reply an agent sends and every conversation event.
 */
const slaEnabled = readThrough<boolean>(['SlaPolicy']);

/**
 * The SLA checks, asked for by the automation engine's built-in rule: a conversation's clocks after
 * one of its events, or (without a conversation: the rule's minute schedule) every open conversation
 * of the organization. False (nothing queued) when the organization has no enabled policy.
 */
export async function requestSlaCheck(m: EntityManager, tenantId: string, conversationId: string | null, now: Date): Promise<boolean> {
  if (!(await slaEnabled(m, tenantId, () => m.getRepository(SlaPolicyEntity).exists({ where: { tenantId, enabled: true } })))) return false;
  await queueEvaluation(m, tenantId, conversationId ?? undefined, now);
  return true;
}

function metricView(m: MetricState | null) {
  return (
    m && {
      targetMinutes: m.targetMinutes,
      dueAt: m.dueAt,
      completedAt: m.completedAt,
      status: m.status,
      elapsedMinutes: m.elapsedMinutes,
      remainingMinutes: m.remainingMinutes,
    }
  );
}

async function validDivision(ctx: TenantCtx, divisionId: string | null | undefined) {
  if (divisionId && !(await scoped(ctx, DivisionEntity).findOne({ id: divisionId }))) {
    throw unprocessable('No such division', [{ path: 'divisionId', message: 'Unknown division' }]);
  }
}

export const slaService = {
  async list(ctx: TenantCtx, q: { limit: number; cursor?: string }) {
    const page = await scoped(ctx, SlaPolicyEntity).page(q);
    return { data: page.data.map(policyView), nextCursor: page.nextCursor };
  },

  async create(ctx: TenantCtx, body: PolicyInput & { name: string }) {
    if (body.firstResponseMinutes == null && body.resolutionMinutes == null) {
      throw badRequest('Set a first-response or a resolution target', [
        { path: 'firstResponseMinutes', message: 'Give this or resolutionMinutes' },
      ]);
    }
    await validDivision(ctx, body.divisionId);
    const now = ctx.now();
    const policy = await ctx.transaction(async (m) => {
      const created = await scoped(ctx, SlaPolicyEntity, m).insert({
        name: body.name,
        description: body.description ?? null,
        enabled: body.enabled ?? true,
        priority: body.priority ?? null,
        channel: body.channel ?? null,
        divisionId: body.divisionId ?? null,
        firstResponseMinutes: body.firstResponseMinutes ?? null,
        resolutionMinutes: body.resolutionMinutes ?? null,
        atRiskPercent: body.atRiskPercent ?? 80,
        workingHoursOnly: body.workingHoursOnly ?? true,
        createdAt: now,
        updatedAt: now,
      });
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'sla_policy.created',
        targetType: 'sla_policy',
        targetId: created.id,
        details: { name: created.name },
      });
      return created;
    });
    await requestEvaluation(ctx, ctx.tenantId);
    return policyView(policy);
  },

  async update(ctx: TenantCtx, id: string, body: PolicyInput) {
    const policy = await scoped(ctx, SlaPolicyEntity).get(id, 'SLA policy');
    const next = { ...policy, ...Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)) } as SlaPolicy;
    if (next.firstResponseMinutes === null && next.resolutionMinutes === null) {
      throw badRequest('Keep a first-response or a resolution target', [
        { path: 'firstResponseMinutes', message: 'Give this or resolutionMinutes' },
      ]);
    }
    if (body.divisionId !== undefined) await validDivision(ctx, body.divisionId);
    const now = ctx.now();
    await ctx.transaction(async (m) => {
      const { id: _id, tenantId: _t, createdAt: _c, ...patch } = next;
      await scoped(ctx, SlaPolicyEntity, m).update(id, { ...patch, updatedAt: now });
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'sla_policy.updated',
        targetType: 'sla_policy',
        targetId: id,
        details: { name: next.name, fields: Object.keys(body) },
      });
    });
    await requestEvaluation(ctx, ctx.tenantId);
    return policyView({ ...next, updatedAt: now });
  },

  /** Its breach records go with it; conversations it covered are re-evaluated. */
  async remove(ctx: TenantCtx, id: string) {
    const policy = await scoped(ctx, SlaPolicyEntity).get(id, 'SLA policy');
    await ctx.transaction(async (m) => {
      await scoped(ctx, SlaPolicyEntity, m).remove(id);
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'sla_policy.deleted',
        targetType: 'sla_policy',
        targetId: id,
        details: { name: policy.name },
      });
    });
    await requestEvaluation(ctx, ctx.tenantId);
  },

  async breaches(ctx: TenantCtx, policyId: string, q: { limit: number; cursor?: string; metric?: 'first_response' | 'resolution' }) {
    await scoped(ctx, SlaPolicyEntity).get(policyId, 'SLA policy');
    const page = await scoped(ctx, SlaBreachEntity).page({
      where: { policyId, ...(q.metric ? { metric: q.metric } : {}) },
      limit: q.limit,
      cursor: q.cursor,
    });
    const conversations = page.data.length
      ? await scoped(ctx, ConversationEntity).find({ id: In([...new Set(page.data.map((b) => b.conversationId))]) })
      : [];
    return {
      data: page.data.map((b) => {
        const c = conversations.find((x) => x.id === b.conversationId);
        return {
          id: b.id,
          policyId: b.policyId,
          conversationId: b.conversationId,
          metric: b.metric,
          targetMinutes: b.targetMinutes,
          dueAt: b.dueAt,
          breachedAt: b.breachedAt,
          conversation: c
            ? { id: c.id, channel: c.channel, status: c.status, priority: c.priority, assigneeId: c.assigneeId, divisionId: c.divisionId }
            : null,
        };
      }),
      nextCursor: page.nextCursor,
    };
  },

  /** Computed now, with the caller's clock; `breaches` are the recorded ones. */
  async forConversation(ctx: TenantCtx, conversationId: string) {
    const c = await visibleConversation(ctx, conversationId);
    const now = ctx.now();
    const policies = await scoped(ctx, SlaPolicyEntity).find({ enabled: true });
    const result = await evaluation(ctx.db.manager, c, policies, now);
    const breaches = await scoped(ctx, SlaBreachEntity).find({ conversationId }, { id: 'ASC' });
    return {
      conversationId,
      evaluatedAt: now,
      policy: result ? { id: result.policy.id, name: result.policy.name } : null,
      status: result?.state.status ?? null,
      calendar: result?.calendar ?? null,
      firstResponse: metricView(result?.state.firstResponse ?? null),
      resolution: metricView(result?.state.resolution ?? null),
      nextDueAt: result?.state.nextDueAt ?? null,
      breaches: breaches.map((b) => ({
        id: b.id,
        policyId: b.policyId,
        metric: b.metric,
        targetMinutes: b.targetMinutes,
        dueAt: b.dueAt,
        breachedAt: b.breachedAt,
      })),
    };
  },
};
