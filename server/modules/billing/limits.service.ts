// Usage against the plan's limits, and where they are enforced. Other modules call these at the
// points where a limit applies:
//   - creating (or re-activating) an agent: enforceLimit(ctx, 'agents')
//   - connecting a channel account: enforceLimit(ctx, 'channels')
//   - replying in a conversation that began beyond the month's allowance: enforceConversationReply
// What is never blocked: customers' inbound messages (stored, and their conversations opened, even
// over the allowance), delivery statuses, reading anything, replies in conversations within the
// allowance or begun before this month, removing agents or channels, exports, and billing itself.
//
// The plan in force: the subscription's while it is trialing, active or past due (with its add-ons);
// otherwise the operator's default plan, if one is marked; otherwise none (unlimited). With no plan
// defined at all, billing is off and nothing is limited.
import { IsNull, In, type EntityManager } from 'typeorm';
import type { Services, TenantCtx } from '../../core/context.js';
import { HttpError } from '../../core/http/errors.js';
import { monthOf, tenantUsage } from '../super-admin/tenant-usage.service.js';
import { IntegrationAccountEntity } from '../integrations/integration.entity.js';
import { ConversationEntity } from '../conversations/conversation.entity.js';
import {
  AddonEntity,
  InvoiceEntity,
  PlanEntity,
  SubscriptionAddonEntity,
  SubscriptionEntity,
  type Addon,
  type LimitName,
  type Plan,
  type Subscription,
} from './billing.entity.js';
import { LIMIT_NAMES, LIVE_STATUSES, billingEnabled } from './catalogue.service.js';
import { tenantTimezone } from '../tenants/tenant-timezone.service.js';

export type LimitValues = Record<LimitName, number | null>;

export interface PlanInForce {
  enabled: boolean;
  /** The organization's live subscription (trialing, incomplete, active or past due), if any. */
  subscription: Subscription | null;
  plan: Plan | null;
  addons: { addon: Addon; quantity: number }[];
  limits: LimitValues;
  source: 'subscription' | 'default_plan' | 'none';
}

const UNLIMITED: LimitValues = { agents: null, channels: null, monthlyConversations: null, aiTokens: null };

export async function liveSubscription(m: EntityManager, tenantId: string): Promise<Subscription | null> {
  return m.getRepository(SubscriptionEntity).findOne({
    where: { tenantId, status: In([...LIVE_STATUSES]) },
    order: { createdAt: 'DESC' },
  });
}

export async function planInForce(services: Pick<Services, 'db'>, tenantId: string, manager?: EntityManager): Promise<PlanInForce> {
  const m = manager ?? services.db.manager;
  const plans = m.getRepository(PlanEntity);
  const enabled = await billingEnabled(m);
  if (!enabled) return { enabled, subscription: null, plan: null, addons: [], limits: UNLIMITED, source: 'none' };
  const subscription = await liveSubscription(m, tenantId);
  if (subscription && subscription.status !== 'incomplete') {
    const plan = await plans.findOne({ where: { id: subscription.planId } });
    const attached = await m.getRepository(SubscriptionAddonEntity).find({ where: { subscriptionId: subscription.id } });
    const addonRows = attached.length ? await m.getRepository(AddonEntity).find({ where: { id: In(attached.map((a) => a.addonId)) } }) : [];
    const addons = attached
      .map((a) => ({ addon: addonRows.find((r) => r.id === a.addonId), quantity: a.quantity }))
      .filter((a): a is { addon: Addon; quantity: number } => Boolean(a.addon));
    const limits = { ...UNLIMITED };
    for (const name of LIMIT_NAMES) {
      const base = plan?.limits[name] ?? null;
      if (base === null) continue;
      limits[name] = base + addons.reduce((sum, a) => sum + (a.addon.limits[name] ?? 0) * a.quantity, 0);
    }
    return { enabled, subscription, plan, addons, limits, source: 'subscription' };
  }
  const fallback = await plans.findOne({ where: { isDefault: true, deletedAt: IsNull() } });
  if (!fallback) return { enabled, subscription, plan: null, addons: [], limits: UNLIMITED, source: 'none' };
  return {
    enabled,
    subscription,
    plan: fallback,
    addons: [],
    limits: { ...UNLIMITED, ...Object.fromEntries(LIMIT_NAMES.map((n) => [n, fallback.limits[n] ?? null])) },
    source: 'default_plan',
  };
}

export { monthOf };

async function tenantMonth(m: EntityManager, tenantId: string, now: Date) {
  return monthOf(now, (await tenantTimezone(m, tenantId)) ?? 'Asia/Jakarta');
}

/** What counts against the limits, this calendar month on the organization's clock (the operator console's usage, plus channels). */
export async function currentUsage(services: Pick<Services, 'db' | 'now'>, tenantId: string) {
  const usage = await tenantUsage(services.db, tenantId, services.now());
  const channels = await services.db.getRepository(IntegrationAccountEntity).count({ where: { tenantId, status: 'active' } });
  return {
    period: usage.period,
    usage: {
      agents: usage.agents.active,
      channels,
      monthlyConversations: usage.conversations.thisMonth,
      // AI agents do not record their token use yet: counted as none until they do.
      aiTokens: usage.aiTokens ?? 0,
    } as Record<LimitName, number>,
  };
}

const LIMIT_LABELS: Record<LimitName, string> = {
  agents: 'active agents',
  channels: 'connected channel accounts',
  monthlyConversations: 'new conversations this month',
  aiTokens: 'AI tokens this month',
};

function limitProblem(limit: LimitName, force: PlanInForce, used: number, allowed: number): HttpError {
  const planName = force.plan?.name ?? 'your plan';
  return new HttpError(
    403,
    `Your plan "${planName}" allows ${allowed} ${LIMIT_LABELS[limit]} and ${used} are in use. Upgrade the plan or add an add-on to go further.`,
    {
      type: 'https://omnistream.dev/problems/plan-limit',
      title: 'Plan limit reached',
      limit,
      used,
      allowed,
      plan: force.plan ? { id: force.plan.id, name: force.plan.name, code: force.plan.code } : null,
    },
  );
}

/** 402 while the subscription is past due: growth waits until the overdue invoice is paid. */
async function paymentProblem(m: EntityManager, sub: Subscription): Promise<HttpError> {
  const overdue = await m.getRepository(InvoiceEntity).findOne({
    where: { subscriptionId: sub.id, status: 'open' },
    order: { dueAt: 'ASC' },
  });
  return new HttpError(
    402,
    overdue
      ? `Your subscription is past due: pay invoice ${overdue.number} to add more.`
      : 'Your subscription is past due: pay the overdue invoice to add more.',
    {
      type: 'https://omnistream.dev/problems/payment-required',
      title: 'Payment Required',
      invoice: overdue ? { id: overdue.id, number: overdue.number, total: overdue.total, currency: overdue.currency } : null,
    },
  );
}

/** Refuses adding one more agent or channel beyond the plan in force (403), or while past due (402). */
export async function enforceLimit(ctx: TenantCtx, limit: 'agents' | 'channels', adding = 1): Promise<void> {
  const force = await planInForce(ctx, ctx.tenantId);
  if (!force.enabled) return;
  if (force.subscription?.status === 'past_due') throw await paymentProblem(ctx.db.manager, force.subscription);
  const allowed = force.limits[limit];
  if (allowed === null) return;
  const { usage } = await currentUsage(ctx, ctx.tenantId);
  if (usage[limit] + adding > allowed) throw limitProblem(limit, force, usage[limit], allowed);
}

/**
 * Replying in a conversation that began this month beyond the month's allowance answers 403 (the
 * customer's messages are stored all the same). Conversations begun within the allowance, or
 * before this month, are never blocked.
 */
export async function enforceConversationReply(ctx: TenantCtx, conversation: { id: string; createdAt: Date }): Promise<void> {
  const force = await planInForce(ctx, ctx.tenantId);
  const allowed = force.limits.monthlyConversations;
  if (!force.enabled || allowed === null) return;
  const m = ctx.db.manager;
  const period = await tenantMonth(m, ctx.tenantId, ctx.now());
  const created = new Date(conversation.createdAt);
  if (created.getTime() < period.from.getTime()) return;
  // Its place among the month's conversations (ties in time broken by the time-ordered id).
  const position = await m
    .getRepository(ConversationEntity)
    .createQueryBuilder('c')
    .where('c.tenantId = :tenantId AND c.createdAt >= :from', { tenantId: ctx.tenantId, from: period.from })
    .andWhere('(c.createdAt < :created OR (c.createdAt = :created AND c.id <= :id))', { created, id: conversation.id })
    .getCount();
  if (position <= allowed) return;
  const { usage } = await currentUsage(ctx, ctx.tenantId);
  throw limitProblem('monthlyConversations', force, usage.monthlyConversations, allowed);
}

/** Limits that may be lowered to `limits` without leaving the organization over them (a downgrade). */
export async function overLimits(services: Pick<Services, 'db' | 'now'>, tenantId: string, limits: LimitValues) {
  const { usage } = await currentUsage(services, tenantId);
  return (['agents', 'channels'] as const)
    .filter((n) => limits[n] !== null && usage[n] > (limits[n] as number))
    .map((n) => ({ limit: n, used: usage[n], allowed: limits[n] as number }));
}

/** Near (80%), at or over each limit: what the UI's banner shows before a limit is reached. */
export function warningsFor(limits: LimitValues, usage: Record<LimitName, number>) {
  return LIMIT_NAMES.flatMap((name) => {
    const allowed = limits[name];
    if (allowed === null) return [];
    const used = usage[name];
    const level = used > allowed ? 'over' : used >= allowed ? 'reached' : used >= allowed * 0.8 ? 'near' : null;
    return level ? [{ limit: name, used, allowed, level }] : [];
  });
}
