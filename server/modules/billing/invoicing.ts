// Invoices: numbered per year (INV-2026-000001), issued with their lines, the subscription's coupon
// and credit applied; settled by a payment (provider notification or the operator's manual mark),
// which moves the subscription back to active. Invoice totals never go below zero: what a credit
// leaves over stays on the subscription.
import { In, type EntityManager } from 'typeorm';
import type { Ctx, Services } from '../../core/context.js';
import { emitEvent } from '../../core/events/outbox.js';
import { recordActivity } from '../../core/audit.js';
import { newId } from '../../core/ids.js';
import { TenantEntity } from '../tenants/tenant.entity.js';
import {
  BillingCounterEntity,
  CouponEntity,
  InvoiceEntity,
  SubscriptionEntity,
  type Invoice,
  type InvoiceLine,
  type InvoiceReason,
  type Payment,
  type Subscription,
} from './billing.entity.js';
import { addDays } from './money.js';
import { loadSettings } from './settings.js';

export const systemCtx = (services: Services): Ctx => ({ ...services, requestId: 'billing', ip: null, principal: null });

async function nextNumber(m: EntityManager, prefix: string, now: Date): Promise<string> {
  const year = now.getUTCFullYear();
  const key = `invoice:${year}`;
  const repo = m.getRepository(BillingCounterEntity);
  const row = await repo.findOne({ where: { key } });
  const value = (row?.value ?? 0) + 1;
  await repo.save({ key, value });
  return `${prefix}-${year}-${String(value).padStart(6, '0')}`;
}

export interface IssueInput {
  subscription: Subscription;
  reason: InvoiceReason;
  lines: InvoiceLine[];
  periodStart?: Date | null;
  periodEnd?: Date | null;
  /** Apply the subscription's coupon (plan and add-on lines of a new period). */
  applyCoupon?: boolean;
}

/** Issues an invoice in the transaction; one that comes to zero is paid at once. Returns it. */
export async function issueInvoice(services: Services, m: EntityManager, input: IssueInput): Promise<Invoice> {
  const now = services.now();
  const settings = await loadSettings(services, m);
  const sub = input.subscription;
  const lines = [...input.lines];
  const subtotal = lines.reduce((sum, l) => sum + l.amount, 0);
  let discount = 0;
  const subRepo = m.getRepository(SubscriptionEntity);
  if (input.applyCoupon && sub.couponId && sub.couponCyclesLeft !== 0) {
    const coupon = await m.getRepository(CouponEntity).findOne({ where: { id: sub.couponId } });
    if (coupon) {
      const base = lines.filter((l) => l.kind === 'plan' || l.kind === 'addon').reduce((s, l) => s + l.amount, 0);
      discount = coupon.percentOff ? Math.round((base * coupon.percentOff) / 100) : Math.min(base, coupon.amountOff?.[sub.currency] ?? 0);
      discount = Math.max(0, Math.min(discount, Math.max(0, subtotal)));
      if (discount > 0)
        lines.push({
          kind: 'discount',
          description: `Coupon ${coupon.code}`,
          descriptionKey: 'coupon',
          descriptionArgs: { code: coupon.code },
          quantity: 1,
          unitAmount: -discount,
          amount: -discount,
        });
      const left = sub.couponCyclesLeft === null ? null : Math.max(0, sub.couponCyclesLeft - 1);
      sub.couponCyclesLeft = left;
      if (left === 0) sub.couponId = null;
      await subRepo.update({ id: sub.id }, { couponCyclesLeft: sub.couponCyclesLeft, couponId: sub.couponId });
    }
  }
  // Credit (from downgrades, detached add-ons) pays what it can; a negative subtotal becomes credit.
  let credit = 0;
  const due = subtotal - discount;
  if (due < 0) {
    sub.creditBalance += -due;
  } else if (sub.creditBalance > 0 && due > 0) {
    credit = Math.min(due, sub.creditBalance);
    sub.creditBalance -= credit;
    lines.push({
      kind: 'credit',
      description: 'Account credit',
      descriptionKey: 'credit',
      quantity: 1,
      unitAmount: -credit,
      amount: -credit,
    });
  }
  await subRepo.update({ id: sub.id }, { creditBalance: sub.creditBalance });
  const total = Math.max(0, due - credit);
  const tenant = await m.getRepository(TenantEntity).findOne({ where: { id: sub.tenantId } });
  const invoice: Invoice = {
    id: newId(),
    tenantId: sub.tenantId,
    subscriptionId: sub.id,
    planId: sub.planId,
    number: await nextNumber(m, settings.invoices.numberPrefix, now),
    status: total === 0 ? 'paid' : 'open',
    reason: input.reason,
    currency: sub.currency,
    lines,
    subtotal,
    discount,
    credit,
    total,
    amountPaid: 0,
    amountRefunded: 0,
    periodStart: input.periodStart ?? null,
    periodEnd: input.periodEnd ?? null,
    issuedAt: now,
    dueAt: addDays(now, settings.invoices.dueDays),
    paidAt: total === 0 ? now : null,
    voidedAt: null,
    paidVia: null,
    billedTo: tenant?.name ?? '',
    createdAt: now,
    updatedAt: now,
  };
  await m.getRepository(InvoiceEntity).insert(invoice);
  await emitEvent(
    m,
    {
      tenantId: sub.tenantId,
      type: 'billing.invoice.created',
      payload: { invoiceId: invoice.id, number: invoice.number, total, currency: invoice.currency, status: invoice.status },
    },
    now,
  );
  return invoice;
}

/** Voids the subscription's open invoices (cancelled before they were paid). */
export async function voidOpenInvoices(services: Services, m: EntityManager, subscriptionId: string): Promise<void> {
  const now = services.now();
  await m.getRepository(InvoiceEntity).update({ subscriptionId, status: 'open' }, { status: 'void', voidedAt: now, updatedAt: now });
}

/**
 * Settles an open invoice with a payment (in the caller's transaction): the invoice is paid, and
 * the subscription becomes active when nothing else of it is overdue. Idempotent: an invoice
 * already paid is left alone. Returns what changed.
 */
export async function settleInvoice(
  services: Services,
  m: EntityManager,
  invoice: Invoice,
  payment: Pick<Payment, 'provider' | 'amount'>,
  actor?: Ctx,
): Promise<'paid' | 'already_paid' | 'not_open'> {
  if (invoice.status === 'paid' || invoice.status === 'refunded' || invoice.status === 'partially_refunded') return 'already_paid';
  if (invoice.status !== 'open') return 'not_open';
  const now = services.now();
  await m
    .getRepository(InvoiceEntity)
    .update({ id: invoice.id }, { status: 'paid', amountPaid: payment.amount, paidAt: now, paidVia: payment.provider, updatedAt: now });
  await emitEvent(
    m,
    {
      tenantId: invoice.tenantId,
      type: 'billing.invoice.paid',
      payload: { invoiceId: invoice.id, number: invoice.number, total: invoice.total, currency: invoice.currency, via: payment.provider },
    },
    now,
  );
  const ctx = actor ?? systemCtx(services);
  await recordActivity(ctx, m, {
    tenantId: invoice.tenantId,
    action: 'billing.invoice_paid',
    targetType: 'invoice',
    targetId: invoice.id,
    details: { number: invoice.number, via: payment.provider, total: invoice.total, currency: invoice.currency },
  });
  if (!invoice.subscriptionId) return 'paid';
  const sub = await m.getRepository(SubscriptionEntity).findOne({ where: { id: invoice.subscriptionId } });
  if (!sub || !['incomplete', 'past_due', 'active'].includes(sub.status)) return 'paid';
  const stillOverdue = await m
    .getRepository(InvoiceEntity)
    .createQueryBuilder('i')
    .where('i.subscriptionId = :id AND i.status = :open AND i.dueAt <= :now AND i.id != :paid', {
      id: sub.id,
      open: 'open',
      now,
      paid: invoice.id,
    })
    .getCount();
  if (sub.status === 'active' || stillOverdue > 0) return 'paid';
  const from = sub.status;
  await m
    .getRepository(SubscriptionEntity)
    .update({ id: sub.id }, { status: 'active', pastDueSince: null, dunningStep: 0, updatedAt: now });
  await emitEvent(
    m,
    { tenantId: sub.tenantId, type: 'billing.subscription.updated', payload: { subscriptionId: sub.id, status: 'active', from } },
    now,
  );
  return 'paid';
}

/** The subscription's open invoices, oldest first. */
export async function openInvoices(m: EntityManager, subscriptionIds: string[]): Promise<Invoice[]> {
  if (subscriptionIds.length === 0) return [];
  return m.getRepository(InvoiceEntity).find({
    where: { subscriptionId: In(subscriptionIds), status: 'open' },
    order: { dueAt: 'ASC' },
  });
}
