// The operator's view of every organization's subscription, and the billing settings.
import { LessThan, type FindOptionsWhere } from 'typeorm';
import type { SuperAdminCtx } from '../../core/context.js';
import { badRequest, unprocessable } from '../../core/http/errors.js';
import { isId } from '../../core/ids.js';
import { TenantEntity } from '../tenants/tenant.entity.js';
import { PlanEntity, SubscriptionEntity, type Subscription, type SubscriptionStatus } from './billing.entity.js';
import { planView } from './catalogue.service.js';
import { monthly } from './money.js';
import { loadSettings, midtransServerKey, saveSection, settingsView, type BillingSettings } from './settings.js';
import { subscriptionView } from './subscription.service.js';

type SettingsInput = {
  midtrans?: {
    enabled?: boolean;
    environment?: 'sandbox' | 'production';
    serverKey?: string | null;
    clientKey?: string | null;
    merchantId?: string | null;
  };
  bankTransfer?: Partial<Omit<BillingSettings['bankTransfer'], never>>;
  seller?: Partial<BillingSettings['seller']>;
  invoices?: Partial<BillingSettings['invoices']>;
  dunning?: Partial<BillingSettings['dunning']>;
};

const defined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

export const adminBillingService = {
  async subscriptions(ctx: SuperAdminCtx, q: { limit: number; cursor?: string; status?: SubscriptionStatus; tenantId?: string }) {
    if (q.cursor !== undefined && !isId(q.cursor))
      throw badRequest('The cursor is not valid', [{ path: 'query.cursor', message: 'Invalid cursor' }]);
    const where: FindOptionsWhere<Subscription> = {};
    if (q.status) where.status = q.status;
    if (q.tenantId) where.tenantId = q.tenantId;
    if (q.cursor) where.id = LessThan(q.cursor);
    const rows = await ctx.db.getRepository(SubscriptionEntity).find({ where, order: { id: 'DESC' }, take: q.limit + 1 });
    const more = rows.length > q.limit;
    const data = more ? rows.slice(0, q.limit) : rows;
    const plans = new Map((await ctx.db.getRepository(PlanEntity).find()).map((p) => [p.id, p]));
    const tenants = new Map(
      (await ctx.db.getRepository(TenantEntity).find({ select: { id: true, name: true } })).map((t) => [t.id, t.name]),
    );
    return {
      data: data.map((s) => {
        const plan = plans.get(s.planId);
        const paying = s.status === 'active' || s.status === 'past_due';
        return {
          ...subscriptionView(s),
          plan: plan ? planView(plan) : null,
          tenantId: s.tenantId,
          tenantName: tenants.get(s.tenantId) ?? null,
          mrr: paying && plan ? Math.round(monthly(plan.prices[s.currency] ?? 0, plan.interval)) : 0,
        };
      }),
      nextCursor: more ? data[data.length - 1].id : null,
    };
  },

  async settings(ctx: SuperAdminCtx) {
    return settingsView(ctx, await loadSettings(ctx));
  },

  async updateSettings(ctx: SuperAdminCtx, body: SettingsInput) {
    const now = ctx.now();
    await ctx.transaction(async (m) => {
      const current = await loadSettings(ctx, m);
      if (body.midtrans) {
        const { serverKey, ...rest } = body.midtrans;
        const next = { ...current.midtrans, ...defined(rest) };
        if (serverKey !== undefined) next.serverKeySealed = serverKey === null ? null : ctx.vault.encrypt(serverKey);
        if (next.enabled && !(serverKey ?? (serverKey === null ? null : midtransServerKey(ctx, current))))
          throw unprocessable('Midtrans needs its server key', [{ path: 'midtrans.serverKey', message: 'Required to enable Midtrans' }]);
        await saveSection(m, 'midtrans', next, now);
      }
      if (body.bankTransfer) {
        const next = { ...current.bankTransfer, ...defined(body.bankTransfer) };
        if (next.enabled && !next.bankName)
          throw unprocessable('Bank transfer needs the bank', [
            { path: 'bankTransfer.bankName', message: 'Required to enable bank transfer' },
          ]);
        if (next.enabled && !next.accountNumber)
          throw unprocessable('Bank transfer needs the account number', [
            { path: 'bankTransfer.accountNumber', message: 'Required to enable bank transfer' },
          ]);
        await saveSection(m, 'bankTransfer', next, now);
      }
      if (body.seller) await saveSection(m, 'seller', { ...current.seller, ...defined(body.seller) }, now);
      if (body.invoices) await saveSection(m, 'invoices', { ...current.invoices, ...defined(body.invoices) }, now);
      if (body.dunning) await saveSection(m, 'dunning', { ...current.dunning, ...defined(body.dunning) }, now);
    });
    ctx.log.info({ sections: Object.keys(body), adminId: ctx.principal.adminId }, 'billing settings changed');
    return this.settings(ctx);
  },
};
