// Revenue analytics for the operator, per currency (amounts are never added across currencies):
// MRR from live paying subscriptions (active and past due; yearly prices count a twelfth; add-ons
// included; a coupon still running taken off), revenue by plan and by month from paid invoices net
// of refunds, and this month's churn. Months are calendar months on the operator's time zone
// (Asia/Jakarta unless `timezone` is given).
import { In, IsNull, Not } from 'typeorm';
import type { Ctx } from '../../core/context.js';
import { TenantEntity } from '../tenants/tenant.entity.js';
import {
  AddonEntity,
  CouponEntity,
  InvoiceEntity,
  PlanEntity,
  RefundEntity,
  SubscriptionAddonEntity,
  SubscriptionEntity,
  type Subscription,
} from './billing.entity.js';
import { monthOf } from './limits.service.js';
import { monthly } from './money.js';
import { wallClockToUtc, zonedParts } from '../../core/time.js';

type Money = Record<string, number>;
const add = (acc: Money, currency: string, amount: number) => {
  acc[currency] = (acc[currency] ?? 0) + amount;
};
const asList = (m: Money) =>
  Object.entries(m)
    .sort(([a], [b]) => (a === 'IDR' ? -1 : b === 'IDR' ? 1 : a.localeCompare(b)))
    .map(([currency, amount]) => ({ currency, amount: Math.round(amount) }));

/** Each subscription's monthly recurring revenue. */
async function mrrOf(ctx: Ctx, subs: Subscription[]): Promise<Map<string, number>> {
  const plans = await ctx.db.getRepository(PlanEntity).find();
  const planById = new Map(plans.map((p) => [p.id, p]));
  const attached = subs.length
    ? await ctx.db.getRepository(SubscriptionAddonEntity).find({ where: { subscriptionId: In(subs.map((s) => s.id)) } })
    : [];
  const addons = attached.length
    ? await ctx.db.getRepository(AddonEntity).find({ where: { id: In([...new Set(attached.map((a) => a.addonId))]) } })
    : [];
  const coupons = await ctx.db
    .getRepository(CouponEntity)
    .find({ where: { id: In(subs.map((s) => s.couponId).filter((c): c is string => Boolean(c))) } });
  const out = new Map<string, number>();
  for (const s of subs) {
    const plan = planById.get(s.planId);
    if (!plan) continue;
    let amount = monthly(plan.prices[s.currency] ?? 0, plan.interval);
    for (const a of attached.filter((x) => x.subscriptionId === s.id)) {
      const addon = addons.find((x) => x.id === a.addonId);
      if (addon) amount += monthly((addon.prices[s.currency] ?? 0) * a.quantity, addon.interval);
    }
    const coupon = s.couponId && s.couponCyclesLeft !== 0 ? coupons.find((c) => c.id === s.couponId) : undefined;
    if (coupon?.percentOff) amount -= (amount * coupon.percentOff) / 100;
    else if (coupon?.amountOff?.[s.currency]) amount -= Math.min(amount, monthly(coupon.amountOff[s.currency], plan.interval));
    out.set(s.id, Math.max(0, amount));
  }
  return out;
}

async function paying(ctx: Ctx) {
  return ctx.db.getRepository(SubscriptionEntity).find({ where: { status: In(['active', 'past_due']) } });
}

function monthKey(date: Date, timezone: string): string {
  const p = zonedParts(date, timezone);
  return `${p.year}-${String(p.month).padStart(2, '0')}`;
}

export const revenueService = {
  async mrr(ctx: Ctx) {
    const subs = await paying(ctx);
    const mrr = await mrrOf(ctx, subs);
    const total: Money = {};
    const counts: Money = {};
    for (const s of subs) {
      add(total, s.currency, mrr.get(s.id) ?? 0);
      add(counts, s.currency, 1);
    }
    const trialing = await ctx.db.getRepository(SubscriptionEntity).count({ where: { status: 'trialing' } });
    return {
      asOf: ctx.now(),
      data: asList(total).map(({ currency, amount }) => ({
        currency,
        mrr: amount,
        arr: amount * 12,
        payingSubscriptions: counts[currency] ?? 0,
        arpa: counts[currency] ? Math.round(amount / counts[currency]) : 0,
      })),
      trialingSubscriptions: trialing,
    };
  },

  async revenueByPlan(ctx: Ctx, q: { from?: string; to?: string } = {}) {
    const now = ctx.now();
    const to = q.to ? new Date(q.to) : now;
    const from = q.from ? new Date(q.from) : new Date(Date.UTC(now.getUTCFullYear() - 1, now.getUTCMonth(), now.getUTCDate()));
    const invoices = await ctx.db
      .getRepository(InvoiceEntity)
      .createQueryBuilder('i')
      .where('i.paidAt IS NOT NULL AND i.paidAt >= :from AND i.paidAt <= :to', { from, to })
      .andWhere('i.status IN (:...paid)', { paid: ['paid', 'refunded', 'partially_refunded'] })
      .getMany();
    const plans = await ctx.db.getRepository(PlanEntity).find();
    const subs = await paying(ctx);
    const mrr = await mrrOf(ctx, subs);
    const rows = new Map<
      string,
      { planId: string | null; planName: string; currency: string; revenue: number; invoices: number; mrr: number; subscriptions: number }
    >();
    const row = (planId: string | null, currency: string) => {
      const key = `${planId}|${currency}`;
      let r = rows.get(key);
      if (!r) {
        r = {
          planId,
          planName: plans.find((p) => p.id === planId)?.name ?? '—',
          currency,
          revenue: 0,
          invoices: 0,
          mrr: 0,
          subscriptions: 0,
        };
        rows.set(key, r);
      }
      return r;
    };
    for (const i of invoices) {
      const r = row(i.planId, i.currency);
      r.revenue += i.amountPaid - i.amountRefunded;
      r.invoices++;
    }
    for (const s of subs) {
      const r = row(s.planId, s.currency);
      r.mrr += mrr.get(s.id) ?? 0;
      r.subscriptions++;
    }
    return {
      from,
      to,
      data: [...rows.values()].map((r) => ({ ...r, mrr: Math.round(r.mrr) })).sort((a, b) => b.revenue - a.revenue || b.mrr - a.mrr),
    };
  },

  async revenueMonthly(ctx: Ctx, q: { timezone?: string } = {}) {
    const tz = q.timezone ?? 'Asia/Jakarta';
    const now = ctx.now();
    const p = zonedParts(now, tz);
    const months: string[] = [];
    for (let i = 11; i >= 0; i--) {
      const d = new Date(Date.UTC(p.year, p.month - 1 - i, 1));
      months.push(`${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`);
    }
    const from = new Date(wallClockToUtc(tz, Number(months[0].slice(0, 4)), Number(months[0].slice(5)), 1, 0, 0));
    const paid = await ctx.db
      .getRepository(InvoiceEntity)
      .createQueryBuilder('i')
      .where('i.paidAt IS NOT NULL AND i.paidAt >= :from', { from })
      .andWhere('i.status IN (:...paid)', { paid: ['paid', 'refunded', 'partially_refunded'] })
      .getMany();
    const refunds = await ctx.db
      .getRepository(RefundEntity)
      .createQueryBuilder('r')
      .where('r.status = :ok AND r.processedAt >= :from', { ok: 'succeeded', from })
      .getMany();
    const currencies = new Set<string>(['IDR', ...paid.map((i) => i.currency), ...refunds.map((r) => r.currency)]);
    const data = months.flatMap((month) =>
      [...currencies].map((currency) => {
        const revenue = paid
          .filter((i) => i.currency === currency && monthKey(i.paidAt as Date, tz) === month)
          .reduce((s, i) => s + i.amountPaid, 0);
        const refunded = refunds
          .filter((r) => r.currency === currency && monthKey(r.processedAt as Date, tz) === month)
          .reduce((s, r) => s + r.amount, 0);
        const invoices = paid.filter((i) => i.currency === currency && monthKey(i.paidAt as Date, tz) === month).length;
        return { month, currency, revenue, refunds: refunded, net: revenue - refunded, invoices };
      }),
    );
    return { timezone: tz, data };
  },

  async churn(ctx: Ctx, q: { timezone?: string } = {}) {
    const tz = q.timezone ?? 'Asia/Jakarta';
    const now = ctx.now();
    const month = monthOf(now, tz);
    const repo = ctx.db.getRepository(SubscriptionEntity);
    // Paying at the month's start: created before it, not cancelled before it, and not one that never paid.
    const all = await repo.find({ where: { status: Not(IsNull()) } });
    const counted = all.filter((s) => s.cancelReason !== 'not_paid' && s.status !== 'incomplete');
    const atStart = counted.filter(
      (s) =>
        s.createdAt.getTime() < month.from.getTime() &&
        (!s.cancelledAt || s.cancelledAt.getTime() >= month.from.getTime()) &&
        (!s.trialEnd || s.trialEnd.getTime() <= month.from.getTime()),
    );
    const cancelled = counted.filter(
      (s) => s.cancelledAt && s.cancelledAt.getTime() >= month.from.getTime() && s.cancelledAt.getTime() < month.to.getTime(),
    );
    const newOnes = counted.filter((s) => s.createdAt.getTime() >= month.from.getTime() && s.createdAt.getTime() < month.to.getTime());
    const mrr = await mrrOf(ctx, [...atStart, ...cancelled]);
    const lost: Money = {};
    const base: Money = {};
    for (const s of cancelled) add(lost, s.currency, mrr.get(s.id) ?? 0);
    for (const s of atStart) add(base, s.currency, mrr.get(s.id) ?? 0);
    const churnedOfStart = cancelled.filter((s) => atStart.includes(s)).length;
    const tenants = await ctx.db.getRepository(TenantEntity).count();
    return {
      month: monthKey(now, tz),
      timezone: tz,
      subscriptionsAtStart: atStart.length,
      cancelled: cancelled.length,
      newSubscriptions: newOnes.length,
      churnRate: atStart.length ? Math.round((churnedOfStart / atStart.length) * 10_000) / 10_000 : 0,
      mrrChurned: asList(lost).map(({ currency, amount }) => ({
        currency,
        amount,
        rate: base[currency] ? Math.round((amount / base[currency]) * 10_000) / 10_000 : 0,
      })),
      organizations: tenants,
    };
  },

  async dashboard(ctx: Ctx, q: { timezone?: string } = {}) {
    const [mrr, revenueByPlan, revenueMonthly, churn] = await Promise.all([
      this.mrr(ctx),
      this.revenueByPlan(ctx),
      this.revenueMonthly(ctx, q),
      this.churn(ctx, q),
    ]);
    return { mrr, revenueByPlan, revenueMonthly, churn };
  },
};
