// Billing's durable scheduled work, on the injected clock: period ends (renewal invoices, trials
// ending, cancellations at the period's end), overdue invoices (past due, dunning reminders,
// cancellation after the last one), and payment attempts that were never finished. The cron only
// enqueues `billing.cycle`; the job does everything due at its clock's now, so a server that was
// off catches up when it starts again.
import { In, LessThanOrEqual } from 'typeorm';
import type { Services } from '../../core/context.js';
import type { JobHandler } from '../../core/jobs/queue.js';
import type { Schedule } from '../../core/module.js';
import { emitEvent } from '../../core/events/outbox.js';
import { recordActivity } from '../../core/audit.js';
import { InvoiceEntity, PaymentEntity, PlanEntity, SubscriptionEntity, type Subscription } from './billing.entity.js';
import { issueInvoice, systemCtx, voidOpenInvoices } from './invoicing.js';
import { addDays, addInterval } from './money.js';
import { loadSettings } from './settings.js';
import { periodLines } from './subscription.service.js';
import { NOTIFICATION_JOB, PAYMENT_START_JOB, REFUND_JOB, processNotification, processRefund, startPayment } from './payments.service.js';

export const CYCLE_JOB = 'billing.cycle';
export const billingSchedules: Schedule[] = [{ cron: '*/5 * * * *', job: CYCLE_JOB }];

/** At most this many periods are caught up per subscription in one run (a server off for years). */
const MAX_CATCH_UP = 24;
const PAYMENT_TTL_MS = 24 * 3600_000;

async function cancel(services: Services, sub: Subscription, reason: string, at: Date) {
  await services.transaction(async (m) => {
    await m
      .getRepository(SubscriptionEntity)
      .update({ id: sub.id }, { status: 'cancelled', cancelledAt: at, cancelReason: reason, updatedAt: services.now() });
    await voidOpenInvoices(services, m, sub.id);
    await recordActivity(systemCtx(services), m, {
      tenantId: sub.tenantId,
      action: 'billing.cancelled',
      targetType: 'subscription',
      targetId: sub.id,
      details: { reason },
    });
    await emitEvent(
      m,
      { tenantId: sub.tenantId, type: 'billing.subscription.cancelled', payload: { subscriptionId: sub.id, reason } },
      services.now(),
    );
  });
}

/** Ends the periods that are over: cancel at period end, end trials, renew. */
async function endPeriods(services: Services): Promise<void> {
  const now = services.now();
  const due = await services.db.getRepository(SubscriptionEntity).find({
    where: { status: In(['trialing', 'active', 'past_due']), currentPeriodEnd: LessThanOrEqual(now) },
    order: { currentPeriodEnd: 'ASC' },
  });
  for (const found of due) {
    let sub = found;
    for (let i = 0; i < MAX_CATCH_UP && sub.currentPeriodEnd.getTime() <= now.getTime(); i++) {
      if (sub.cancelAtPeriodEnd) {
        await cancel(services, sub, sub.cancelReason ?? 'requested', sub.currentPeriodEnd);
        break;
      }
      const plan = await services.db.getRepository(PlanEntity).findOneOrFail({ where: { id: sub.planId } });
      const start = sub.currentPeriodEnd;
      const end = addInterval(start, plan.interval);
      const current = sub;
      sub = await services.transaction(async (m) => {
        const next: Subscription = {
          ...current,
          currentPeriodStart: start,
          currentPeriodEnd: end,
          status: current.status === 'trialing' ? 'active' : current.status,
          updatedAt: now,
        };
        await m
          .getRepository(SubscriptionEntity)
          .update({ id: current.id }, { currentPeriodStart: start, currentPeriodEnd: end, status: next.status, updatedAt: now });
        const invoice = await issueInvoice(services, m, {
          subscription: next,
          reason: 'subscription_cycle',
          lines: await periodLines(m, next, plan, start, end),
          periodStart: start,
          periodEnd: end,
          applyCoupon: true,
        });
        if (current.status === 'trialing')
          await emitEvent(
            m,
            { tenantId: current.tenantId, type: 'billing.trial.ended', payload: { subscriptionId: current.id, invoiceId: invoice.id } },
            now,
          );
        return { ...next, couponId: next.couponId, creditBalance: next.creditBalance };
      });
      sub = (await services.db.getRepository(SubscriptionEntity).findOneOrFail({ where: { id: sub.id } })) as Subscription;
    }
  }
}

/** Overdue invoices: incomplete subscriptions expire; others go past due, are reminded, then cancelled. */
async function dun(services: Services): Promise<void> {
  const now = services.now();
  const settings = await loadSettings(services);
  const overdue = await services.db.getRepository(InvoiceEntity).find({
    where: { status: 'open', dueAt: LessThanOrEqual(now) },
    order: { dueAt: 'ASC' },
  });
  const seen = new Set<string>();
  for (const invoice of overdue) {
    if (!invoice.subscriptionId || seen.has(invoice.subscriptionId)) continue;
    seen.add(invoice.subscriptionId);
    const sub = await services.db.getRepository(SubscriptionEntity).findOne({ where: { id: invoice.subscriptionId } });
    if (!sub || sub.status === 'cancelled') continue;
    if (sub.status === 'incomplete') {
      await cancel(services, sub, 'not_paid', now);
      continue;
    }
    const daysLate = (now.getTime() - invoice.dueAt.getTime()) / 86_400_000;
    if (daysLate >= settings.dunning.cancelAfterDays) {
      await cancel(services, sub, 'unpaid', now);
      continue;
    }
    await services.transaction(async (m) => {
      const patch: Partial<Subscription> = {};
      if (sub.status !== 'past_due') {
        patch.status = 'past_due';
        patch.pastDueSince = invoice.dueAt;
        patch.dunningStep = 0;
        await emitEvent(
          m,
          {
            tenantId: sub.tenantId,
            type: 'billing.subscription.updated',
            payload: { subscriptionId: sub.id, status: 'past_due', from: sub.status },
          },
          now,
        );
        await recordActivity(systemCtx(services), m, {
          tenantId: sub.tenantId,
          action: 'billing.past_due',
          targetType: 'invoice',
          targetId: invoice.id,
          details: { number: invoice.number },
        });
      }
      const step = patch.dunningStep ?? sub.dunningStep;
      const reminders = [...settings.dunning.reminderDays].sort((a, b) => a - b);
      let reached = step;
      while (reached < reminders.length && daysLate >= reminders[reached]) reached++;
      if (reached > step) {
        patch.dunningStep = reached;
        const cancelsAt = addDays(invoice.dueAt, settings.dunning.cancelAfterDays);
        await emitEvent(
          m,
          {
            tenantId: sub.tenantId,
            type: 'billing.dunning.reminder',
            payload: {
              subscriptionId: sub.id,
              invoiceId: invoice.id,
              number: invoice.number,
              step: reached,
              cancelsAt: cancelsAt.toISOString(),
            },
          },
          now,
        );
        await recordActivity(systemCtx(services), m, {
          tenantId: sub.tenantId,
          action: 'billing.payment_reminder',
          targetType: 'invoice',
          targetId: invoice.id,
          details: { number: invoice.number, step: reached, cancelsAt: cancelsAt.toISOString() },
        });
      }
      if (Object.keys(patch).length) await m.getRepository(SubscriptionEntity).update({ id: sub.id }, { ...patch, updatedAt: now });
    });
  }
}

/** Hosted-page payments nobody finished within a day expire (Midtrans's own expiry notice may also come). */
async function expirePayments(services: Services): Promise<void> {
  const now = services.now();
  await services.db
    .getRepository(PaymentEntity)
    .update(
      { provider: 'midtrans', status: In(['pending']), createdAt: LessThanOrEqual(new Date(now.getTime() - PAYMENT_TTL_MS)) },
      { status: 'expired', failureReason: 'Not completed within 24 hours', updatedAt: now },
    );
}

export async function runCycle(services: Services): Promise<void> {
  await endPeriods(services);
  await dun(services);
  await expirePayments(services);
}

export function billingJobs(services: Services): Record<string, JobHandler> {
  return {
    [CYCLE_JOB]: async () => runCycle(services),
    [PAYMENT_START_JOB]: async (job) => startPayment(services, String(job.payload.paymentId), job.attempts >= job.maxAttempts),
    [NOTIFICATION_JOB]: async (job) => processNotification(services, String(job.payload.notificationId)),
    [REFUND_JOB]: async (job) => processRefund(services, String(job.payload.refundId), job.attempts >= job.maxAttempts),
  };
}
