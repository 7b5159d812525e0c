// An organization's subscription: subscribe (a trial once per organization when the plan has one;
// otherwise incomplete until the first invoice is paid, or active at once on a free plan), change
// plan (prorated: unused time on the old plan is credited, the rest of the period on the new one
// charged; a move to another interval starts a new period), cancel (at the period's end or now),
// add-ons (prorated the same way), usage against the limits in force.
import { In, IsNull, Not, type EntityManager } from 'typeorm';
import type { TenantCtx } from '../../core/context.js';
import { HttpError, conflict, notFound, unprocessable } from '../../core/http/errors.js';
import { emitEvent } from '../../core/events/outbox.js';
import { recordActivity } from '../../core/audit.js';
import { newId } from '../../core/ids.js';
import {
  AddonEntity,
  CouponEntity,
  InvoiceEntity,
  PlanEntity,
  SubscriptionAddonEntity,
  SubscriptionEntity,
  type Addon,
  type Interval,
  type InvoiceLine,
  type Plan,
  type Subscription,
} from './billing.entity.js';
import {
  addonView,
  billingEnabled,
  couponProblem,
  couponView,
  findAddon,
  findCouponByCode,
  findPlan,
  fullLimits,
  planView,
} from './catalogue.service.js';
import { issueInvoice, voidOpenInvoices } from './invoicing.js';
import { currentUsage, liveSubscription, overLimits, planInForce, warningsFor } from './limits.service.js';
import { addDays, addInterval, remainingFraction } from './money.js';

const fmtDay = (d: Date) => d.toISOString().slice(0, 10);

export function subscriptionView(s: Subscription) {
  return {
    id: s.id,
    planId: s.planId,
    status: s.status,
    currency: s.currency,
    currentPeriodStart: s.currentPeriodStart,
    currentPeriodEnd: s.currentPeriodEnd,
    trialEnd: s.trialEnd,
    cancelAtPeriodEnd: s.cancelAtPeriodEnd,
    cancelledAt: s.cancelledAt,
    couponId: s.couponId,
    creditBalance: s.creditBalance,
    pastDueSince: s.pastDueSince,
    createdAt: s.createdAt,
  };
}

function notEnabled(): HttpError {
  return conflict('Billing is not set up on this appliance: there are no plans');
}

function priceIn(item: Plan | Addon, currency: string, path: string): number {
  const price = item.prices[currency];
  if (price === undefined)
    throw unprocessable(`"${item.name}" has no price in ${currency}`, [
      { path, message: `Priced in ${Object.keys(item.prices).join(', ')}` },
    ]);
  return price;
}

async function requireLive(ctx: TenantCtx, m: EntityManager = ctx.db.manager): Promise<Subscription> {
  const sub = await liveSubscription(m, ctx.tenantId);
  if (!sub) throw conflict('There is no subscription; subscribe to a plan first', [{ path: 'subscription', message: 'None' }]);
  return sub;
}

async function pastDueProblem(ctx: TenantCtx, sub: Subscription): Promise<HttpError> {
  const overdue = await ctx.db
    .getRepository(InvoiceEntity)
    .findOne({ where: { subscriptionId: sub.id, status: 'open' }, order: { dueAt: 'ASC' } });
  return new HttpError(402, `The subscription is past due: pay invoice ${overdue?.number ?? ''} first`.trim(), {
    type: 'https://omnistream.dev/problems/payment-required',
    title: 'Payment Required',
    invoice: overdue ? { id: overdue.id, number: overdue.number, total: overdue.total, currency: overdue.currency } : null,
  });
}

async function attachedAddons(m: EntityManager, subscriptionId: string) {
  const rows = await m.getRepository(SubscriptionAddonEntity).find({ where: { subscriptionId }, order: { createdAt: 'ASC' } });
  const addons = rows.length ? await m.getRepository(AddonEntity).find({ where: { id: In(rows.map((r) => r.addonId)) } }) : [];
  return rows.flatMap((r) => {
    const addon = addons.find((a) => a.id === r.addonId);
    return addon ? [{ row: r, addon }] : [];
  });
}

/** The lines of a new period: the plan and each add-on. */
async function periodLines(m: EntityManager, sub: Subscription, plan: Plan, start: Date, end: Date): Promise<InvoiceLine[]> {
  const period = { periodStart: start.toISOString(), periodEnd: end.toISOString() };
  const lines: InvoiceLine[] = [
    {
      kind: 'plan',
      description: `${plan.name} (${fmtDay(start)} – ${fmtDay(end)})`,
      descriptionKey: 'plan',
      descriptionArgs: { name: plan.name },
      quantity: 1,
      unitAmount: plan.prices[sub.currency] ?? 0,
      amount: plan.prices[sub.currency] ?? 0,
      ...period,
    },
  ];
  for (const { row, addon } of await attachedAddons(m, sub.id)) {
    const unit = addon.prices[sub.currency] ?? 0;
    lines.push({
      kind: 'addon',
      description: `${addon.name} (${fmtDay(start)} – ${fmtDay(end)})`,
      descriptionKey: 'addon',
      descriptionArgs: { name: addon.name },
      quantity: row.quantity,
      unitAmount: unit,
      amount: unit * row.quantity,
      ...period,
    });
  }
  return lines;
}

export { periodLines };

export const subscriptionService = {
  async get(ctx: TenantCtx) {
    const force = await planInForce(ctx, ctx.tenantId);
    const addons = force.subscription ? await attachedAddons(ctx.db.manager, force.subscription.id) : [];
    const subPlan = force.subscription
      ? await ctx.db.getRepository(PlanEntity).findOne({ where: { id: force.subscription.planId } })
      : null;
    const open = force.subscription
      ? await ctx.db
          .getRepository(InvoiceEntity)
          .find({ where: { subscriptionId: force.subscription.id, status: 'open' }, order: { dueAt: 'ASC' } })
      : [];
    return {
      billingEnabled: force.enabled,
      subscription: force.subscription ? { ...subscriptionView(force.subscription), plan: subPlan ? planView(subPlan) : null } : null,
      planInForce: force.plan ? planView(force.plan) : null,
      source: force.source,
      limits: force.limits,
      addons: addons.map(({ row, addon }) => ({ addon: addonView(addon), quantity: row.quantity, attachedAt: row.createdAt })),
      openInvoices: open.map((i) => ({ id: i.id, number: i.number, total: i.total, currency: i.currency, dueAt: i.dueAt })),
    };
  },

  async usage(ctx: TenantCtx) {
    const force = await planInForce(ctx, ctx.tenantId);
    const { period, usage } = await currentUsage(ctx, ctx.tenantId);
    return {
      billingEnabled: force.enabled,
      period,
      plan: force.plan ? { id: force.plan.id, name: force.plan.name, code: force.plan.code } : null,
      limits: force.limits,
      usage,
      warnings: warningsFor(force.limits, usage),
    };
  },

  async subscribe(ctx: TenantCtx, body: { planId: string; currency?: string; couponCode?: string }) {
    if (!(await billingEnabled(ctx.db))) throw notEnabled();
    const plan = await findPlan(ctx.db.manager, body.planId);
    if (!plan?.isPublic) throw unprocessable('No such plan', [{ path: 'planId', message: 'No such plan' }]);
    const currency = body.currency ?? (plan.prices.IDR !== undefined ? 'IDR' : Object.keys(plan.prices)[0]);
    const price = priceIn(plan, currency, 'currency');
    const now = ctx.now();
    const id = await ctx.transaction(async (m) => {
      if (await liveSubscription(m, ctx.tenantId))
        throw conflict('The organization already has a subscription; change its plan instead', [
          { path: 'planId', message: 'Already subscribed' },
        ]);
      let coupon = null;
      if (body.couponCode) {
        coupon = await findCouponByCode(m, body.couponCode);
        const problem = couponProblem(coupon, plan.id, currency, now);
        if (problem) throw unprocessable(problem, [{ path: 'couponCode', message: problem }]);
      }
      const over = await overLimits(ctx, ctx.tenantId, fullLimits(plan.limits));
      if (over.length)
        throw conflict(
          `The organization uses more than "${plan.name}" allows: ${over.map((o) => `${o.used} ${o.limit} (at most ${o.allowed})`).join(', ')}`,
          [...over.map((o) => ({ path: `limits.${o.limit}`, message: `${o.used} in use, at most ${o.allowed}` }))],
        );
      const hadTrial =
        (await m.getRepository(SubscriptionEntity).count({ where: { tenantId: ctx.tenantId, trialEnd: Not(IsNull()) } })) > 0;
      const trial = plan.trialDays > 0 && !hadTrial && price > 0;
      const periodEnd = trial ? addDays(now, plan.trialDays) : addInterval(now, plan.interval);
      const sub: Subscription = {
        id: newId(),
        tenantId: ctx.tenantId,
        planId: plan.id,
        status: trial ? 'trialing' : price === 0 ? 'active' : 'incomplete',
        currency,
        currentPeriodStart: now,
        currentPeriodEnd: periodEnd,
        trialEnd: trial ? periodEnd : null,
        cancelAtPeriodEnd: false,
        cancelledAt: null,
        cancelReason: null,
        couponId: coupon?.id ?? null,
        couponCyclesLeft: coupon ? (coupon.duration === 'once' ? 1 : coupon.duration === 'repeating' ? coupon.durationCycles : null) : null,
        creditBalance: 0,
        pastDueSince: null,
        dunningStep: 0,
        createdAt: now,
        updatedAt: now,
      };
      await m.getRepository(SubscriptionEntity).insert(sub);
      if (coupon) await m.getRepository(CouponEntity).increment({ id: coupon.id }, 'redemptions', 1);
      if (sub.status === 'incomplete') {
        const invoice = await issueInvoice(ctx, m, {
          subscription: sub,
          reason: 'subscription_create',
          lines: await periodLines(m, sub, plan, now, periodEnd),
          periodStart: now,
          periodEnd,
          applyCoupon: true,
        });
        // A coupon that covers everything: nothing to wait for.
        if (invoice.status === 'paid') {
          sub.status = 'active';
          await m.getRepository(SubscriptionEntity).update({ id: sub.id }, { status: 'active' });
        }
      }
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'billing.subscribed',
        targetType: 'subscription',
        targetId: sub.id,
        details: { plan: plan.code, status: sub.status, currency },
      });
      await emitEvent(
        m,
        {
          tenantId: ctx.tenantId,
          type: 'billing.subscription.created',
          payload: { subscriptionId: sub.id, planId: plan.id, status: sub.status },
        },
        now,
      );
      return sub.id;
    });
    ctx.log.info({ subscriptionId: id, plan: plan.code }, 'subscribed');
    return this.get(ctx);
  },

  async changePlan(ctx: TenantCtx, body: { planId: string }) {
    if (!(await billingEnabled(ctx.db))) throw notEnabled();
    const sub = await requireLive(ctx);
    const plan = await findPlan(ctx.db.manager, body.planId);
    if (!plan?.isPublic) throw unprocessable('No such plan', [{ path: 'planId', message: 'No such plan' }]);
    if (plan.id === sub.planId) throw conflict('The subscription is already on this plan', [{ path: 'planId', message: 'Current plan' }]);
    if (sub.status === 'incomplete')
      throw conflict('Pay the first invoice, or cancel and subscribe again, before changing plan', [
        { path: 'subscription', message: 'Incomplete' },
      ]);
    if (sub.status === 'past_due') throw await pastDueProblem(ctx, sub);
    const newPrice = priceIn(plan, sub.currency, 'planId');
    const oldPlan = await ctx.db.getRepository(PlanEntity).findOneOrFail({ where: { id: sub.planId } });
    const addons = await attachedAddons(ctx.db.manager, sub.id);
    if (plan.interval !== oldPlan.interval && addons.length > 0)
      throw conflict('Detach the add-ons before moving to a plan billed at another interval', [
        { path: 'planId', message: 'Add-ons attached' },
      ]);
    const limits = fullLimits(plan.limits);
    for (const { row, addon } of addons)
      for (const name of Object.keys(limits) as (keyof typeof limits)[])
        if (limits[name] !== null) limits[name] = (limits[name] as number) + (addon.limits[name] ?? 0) * row.quantity;
    const over = await overLimits(ctx, ctx.tenantId, limits);
    if (over.length)
      throw conflict(
        `The organization uses more than "${plan.name}" allows: ${over.map((o) => `${o.used} ${o.limit} (at most ${o.allowed})`).join(', ')}`,
        [...over.map((o) => ({ path: `limits.${o.limit}`, message: `${o.used} in use, at most ${o.allowed}` }))],
      );
    const now = ctx.now();
    await ctx.transaction(async (m) => {
      const patch: Partial<Subscription> = { planId: plan.id, cancelAtPeriodEnd: false, updatedAt: now };
      let invoiceId: string | null = null;
      if (sub.status === 'active') {
        const oldPrice = oldPlan.prices[sub.currency] ?? 0;
        const fraction = remainingFraction(sub.currentPeriodStart, sub.currentPeriodEnd, now);
        const credit = Math.round(oldPrice * fraction);
        const lines: InvoiceLine[] = [];
        const periodStart = now;
        let periodEnd = sub.currentPeriodEnd;
        if (plan.interval === oldPlan.interval) {
          const charge = Math.round(newPrice * fraction);
          lines.push({
            kind: 'proration',
            description: `Remaining time on ${plan.name} (${fmtDay(now)} – ${fmtDay(sub.currentPeriodEnd)})`,
            descriptionKey: 'remaining',
            descriptionArgs: { name: plan.name },
            quantity: 1,
            unitAmount: charge,
            amount: charge,
            periodStart: now.toISOString(),
            periodEnd: sub.currentPeriodEnd.toISOString(),
          });
        } else {
          periodEnd = addInterval(now, plan.interval as Interval);
          patch.currentPeriodStart = now;
          patch.currentPeriodEnd = periodEnd;
          lines.push({
            kind: 'plan',
            description: `${plan.name} (${fmtDay(now)} – ${fmtDay(periodEnd)})`,
            descriptionKey: 'plan',
            descriptionArgs: { name: plan.name },
            quantity: 1,
            unitAmount: newPrice,
            amount: newPrice,
            periodStart: now.toISOString(),
            periodEnd: periodEnd.toISOString(),
          });
        }
        if (credit > 0)
          lines.push({
            kind: 'proration',
            description: `Unused time on ${oldPlan.name}`,
            descriptionKey: 'unused',
            descriptionArgs: { name: oldPlan.name },
            quantity: 1,
            unitAmount: -credit,
            amount: -credit,
          });
        const net = lines.reduce((s, l) => s + l.amount, 0);
        await m.getRepository(SubscriptionEntity).update({ id: sub.id }, patch);
        const current = { ...sub, ...patch } as Subscription;
        if (net > 0) {
          const invoice = await issueInvoice(ctx, m, {
            subscription: current,
            reason: 'subscription_update',
            lines,
            periodStart,
            periodEnd,
          });
          invoiceId = invoice.id;
        } else if (net < 0) {
          await m.getRepository(SubscriptionEntity).update({ id: sub.id }, { creditBalance: sub.creditBalance - net });
        }
      } else {
        // Trialing: the trial goes on, on the new plan.
        await m.getRepository(SubscriptionEntity).update({ id: sub.id }, patch);
      }
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'billing.plan_changed',
        targetType: 'subscription',
        targetId: sub.id,
        details: { from: oldPlan.code, to: plan.code, invoiceId },
      });
      await emitEvent(
        m,
        {
          tenantId: ctx.tenantId,
          type: 'billing.subscription.updated',
          payload: { subscriptionId: sub.id, planId: plan.id, from: oldPlan.id },
        },
        now,
      );
    });
    return this.get(ctx);
  },

  async cancel(ctx: TenantCtx, body: { atPeriodEnd: boolean; reason?: string }) {
    const sub = await requireLive(ctx);
    const now = ctx.now();
    const immediate = !body.atPeriodEnd || sub.status === 'incomplete';
    await ctx.transaction(async (m) => {
      if (immediate) {
        await m.getRepository(SubscriptionEntity).update(
          { id: sub.id },
          {
            status: 'cancelled',
            cancelledAt: now,
            cancelReason: body.reason ?? (sub.status === 'incomplete' ? 'not_paid' : 'requested'),
            updatedAt: now,
          },
        );
        await voidOpenInvoices(ctx, m, sub.id);
      } else {
        if (sub.cancelAtPeriodEnd) return;
        await m
          .getRepository(SubscriptionEntity)
          .update({ id: sub.id }, { cancelAtPeriodEnd: true, cancelReason: body.reason ?? 'requested', updatedAt: now });
      }
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'billing.cancelled',
        targetType: 'subscription',
        targetId: sub.id,
        details: { atPeriodEnd: !immediate, reason: body.reason ?? null },
      });
      await emitEvent(
        m,
        {
          tenantId: ctx.tenantId,
          type: immediate ? 'billing.subscription.cancelled' : 'billing.subscription.updated',
          payload: { subscriptionId: sub.id, cancelAtPeriodEnd: !immediate },
        },
        now,
      );
    });
    const row = await ctx.db.getRepository(SubscriptionEntity).findOneOrFail({ where: { id: sub.id } });
    const plan = await ctx.db.getRepository(PlanEntity).findOne({ where: { id: row.planId } });
    return { ...subscriptionView(row), plan: plan ? planView(plan) : null };
  },

  async validateCoupon(ctx: TenantCtx, body: { code: string; planId?: string; currency?: string }) {
    const coupon = await findCouponByCode(ctx.db.manager, body.code);
    const problem = couponProblem(coupon, body.planId ?? null, body.currency ?? null, ctx.now());
    if (body.planId && !(await findPlan(ctx.db.manager, body.planId)))
      throw unprocessable('No such plan', [{ path: 'planId', message: 'No such plan' }]);
    if (problem || !coupon) return { valid: false, reason: problem ?? 'No such coupon', coupon: null };
    const { redemptions: _r, maxRedemptions: _m, ...shown } = couponView(coupon);
    return { valid: true, reason: null, coupon: shown };
  },

  async listAttached(ctx: TenantCtx) {
    const sub = await liveSubscription(ctx.db.manager, ctx.tenantId);
    if (!sub) return { data: [] };
    return {
      data: (await attachedAddons(ctx.db.manager, sub.id)).map(({ row, addon }) => ({
        addon: addonView(addon),
        quantity: row.quantity,
        attachedAt: row.createdAt,
      })),
    };
  },

  async attachAddon(ctx: TenantCtx, body: { addonId: string; quantity: number }) {
    const sub = await requireLive(ctx);
    const addon = await findAddon(ctx.db.manager, body.addonId);
    if (!addon?.isPublic) throw unprocessable('No such add-on', [{ path: 'addonId', message: 'No such add-on' }]);
    if (sub.status === 'incomplete')
      throw conflict('Pay the first invoice before adding add-ons', [{ path: 'subscription', message: 'Incomplete' }]);
    if (sub.status === 'past_due') throw await pastDueProblem(ctx, sub);
    const unit = priceIn(addon, sub.currency, 'addonId');
    const plan = await ctx.db.getRepository(PlanEntity).findOneOrFail({ where: { id: sub.planId } });
    if (addon.interval !== plan.interval)
      throw unprocessable(`This add-on is billed per ${addon.interval} and the plan per ${plan.interval}`, [
        { path: 'addonId', message: 'Another billing interval' },
      ]);
    const now = ctx.now();
    await ctx.transaction(async (m) => {
      const repo = m.getRepository(SubscriptionAddonEntity);
      if (await repo.exists({ where: { subscriptionId: sub.id, addonId: addon.id } }))
        throw conflict('This add-on is already attached', [{ path: 'addonId', message: 'Already attached' }]);
      await repo.insert({
        id: newId(),
        tenantId: ctx.tenantId,
        subscriptionId: sub.id,
        addonId: addon.id,
        quantity: body.quantity,
        createdAt: now,
      });
      if (sub.status === 'active') {
        const charge = Math.round(unit * body.quantity * remainingFraction(sub.currentPeriodStart, sub.currentPeriodEnd, now));
        if (charge > 0)
          await issueInvoice(ctx, m, {
            subscription: sub,
            reason: 'addon',
            lines: [
              {
                kind: 'proration',
                description: `${addon.name} × ${body.quantity} (${fmtDay(now)} – ${fmtDay(sub.currentPeriodEnd)})`,
                descriptionKey: 'addonRemaining',
                descriptionArgs: { name: addon.name, quantity: body.quantity },
                quantity: 1,
                unitAmount: charge,
                amount: charge,
                periodStart: now.toISOString(),
                periodEnd: sub.currentPeriodEnd.toISOString(),
              },
            ],
            periodStart: now,
            periodEnd: sub.currentPeriodEnd,
          });
      }
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'billing.addon_attached',
        targetType: 'addon',
        targetId: addon.id,
        details: { code: addon.code, quantity: body.quantity },
      });
    });
    return { addon: addonView(addon), quantity: body.quantity, attachedAt: now };
  },

  async detachAddon(ctx: TenantCtx, addonId: string) {
    const sub = await requireLive(ctx);
    const row = await ctx.db.getRepository(SubscriptionAddonEntity).findOne({ where: { subscriptionId: sub.id, addonId } });
    if (!row) throw notFound('Attached add-on');
    const addon = await ctx.db.getRepository(AddonEntity).findOne({ where: { id: addonId } });
    // Unused paid time becomes credit; a trial or an unpaid period has none.
    const fitted = await overLimits(ctx, ctx.tenantId, await limitsWithout(ctx, sub, addonId));
    if (fitted.length)
      throw conflict(
        `Without this add-on the organization would be over its limits: ${fitted.map((o) => `${o.used} ${o.limit} (at most ${o.allowed})`).join(', ')}`,
        [...fitted.map((o) => ({ path: `limits.${o.limit}`, message: `${o.used} in use, at most ${o.allowed}` }))],
      );
    const now = ctx.now();
    await ctx.transaction(async (m) => {
      await m.getRepository(SubscriptionAddonEntity).delete({ id: row.id });
      if (sub.status === 'active' && addon) {
        const credit = Math.round(
          (addon.prices[sub.currency] ?? 0) * row.quantity * remainingFraction(sub.currentPeriodStart, sub.currentPeriodEnd, now),
        );
        if (credit > 0) await m.getRepository(SubscriptionEntity).increment({ id: sub.id }, 'creditBalance', credit);
      }
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'billing.addon_detached',
        targetType: 'addon',
        targetId: addonId,
        details: { code: addon?.code ?? null },
      });
    });
  },
};

async function limitsWithout(ctx: TenantCtx, sub: Subscription, addonId: string) {
  const plan = await ctx.db.getRepository(PlanEntity).findOneOrFail({ where: { id: sub.planId } });
  const limits = fullLimits(plan.limits);
  for (const { row, addon } of await attachedAddons(ctx.db.manager, sub.id)) {
    if (addon.id === addonId) continue;
    for (const name of Object.keys(limits) as (keyof typeof limits)[])
      if (limits[name] !== null) limits[name] = (limits[name] as number) + (addon.limits[name] ?? 0) * row.quantity;
  }
  return limits;
}
