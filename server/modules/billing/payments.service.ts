// Payments through a provider interface: Midtrans (Snap's hosted payment page, then its signed HTTP
// notification) and manual bank transfer (the operator marks the invoice paid). Starting a Midtrans
// payment is a durable job (nothing leaves the machine inline): the payment is answered as
// `creating` and gets its redirect URL when the job has reached Snap. Notifications are verified,
// stored before the acknowledgement and processed by a job, idempotently (the same notification
// twice is stored once; a paid invoice stays paid). Refunds go through the paying provider.
import { createHash } from 'node:crypto';
import type { Request } from 'express';
import { In, type EntityManager } from 'typeorm';
import type { Ctx, Services, SuperAdminCtx, TenantCtx } from '../../core/context.js';
import { HttpError, badRequest, conflict, notFound, unauthorized, unprocessable } from '../../core/http/errors.js';
import { enqueueJob, PermanentJobError } from '../../core/jobs/queue.js';
import { emitEvent } from '../../core/events/outbox.js';
import { recordActivity } from '../../core/audit.js';
import { isId, newId } from '../../core/ids.js';
import { scoped } from '../../core/tenancy.js';
import { TenantEntity } from '../tenants/tenant.entity.js';
import { UserEntity } from '../agents/agent.entity.js';
import {
  InvoiceEntity,
  PaymentEntity,
  PaymentMethodEntity,
  PaymentNotificationEntity,
  RefundEntity,
  SubscriptionEntity,
  type Invoice,
  type Payment,
  type PaymentMethod,
  type Refund,
} from './billing.entity.js';
import { settleInvoice, systemCtx } from './invoicing.js';
import { MidtransError, createSnapTransaction, midtransUrls, parseGrossAmount, refundTransaction, signatureMatches } from './midtrans.js';
import { bankTransferReady, loadSettings, midtransReady, midtransServerKey, type BillingSettings } from './settings.js';

export const PAYMENT_START_JOB = 'billing.payment.start';
export const NOTIFICATION_JOB = 'billing.notification.process';
export const REFUND_JOB = 'billing.refund.process';

export type ProviderName = 'midtrans' | 'bank_transfer';

/** A payment provider: how a payment starts, and how money goes back. */
export interface PaymentProvider {
  name: ProviderName;
  ready(services: Services, settings: BillingSettings): boolean;
  /** Runs in the start job: contacts the provider; returns where the payer goes. */
  start(
    services: Services,
    settings: BillingSettings,
    payment: Payment,
    invoice: Invoice,
  ): Promise<{ redirectUrl: string | null; token: string | null }>;
  /** Runs in the refund job; throws to retry (or PermanentJobError). */
  refund(services: Services, settings: BillingSettings, refund: Refund, payment: Payment | null): Promise<void>;
}

const midtransProvider: PaymentProvider = {
  name: 'midtrans',
  ready: (services, settings) => midtransReady(services, settings),
  async start(services, settings, payment, invoice) {
    const serverKey = midtransServerKey(services, settings);
    if (!serverKey) throw new PermanentJobError('Midtrans is not configured');
    const tenant = await services.db.getRepository(TenantEntity).findOne({ where: { id: invoice.tenantId } });
    const owner = await services.db
      .getRepository(UserEntity)
      .findOne({ where: { tenantId: invoice.tenantId }, order: { createdAt: 'ASC' } });
    const method = await services.db
      .getRepository(PaymentMethodEntity)
      .findOne({ where: { tenantId: invoice.tenantId, type: 'midtrans', isDefault: true } });
    const publicUrl = services.host.publicUrl();
    try {
      const snap = await createSnapTransaction(midtransUrls(services.config, settings.midtrans.environment), serverKey, {
        orderId: payment.orderId,
        grossAmount: payment.amount,
        // Snap checks that the items add up to gross_amount: one line for the invoice.
        items: [{ id: invoice.number, name: `Invoice ${invoice.number}`, price: payment.amount, quantity: 1 }],
        customer: { firstName: tenant?.name ?? 'OmniStream', email: owner?.email ?? null },
        finishUrl: payment.returnUrl,
        notificationUrl: publicUrl ? `${publicUrl.replace(/\/+$/, '')}/api/v1/webhooks/midtrans` : null,
        enabledPayments: Array.isArray(method?.details.enabledPayments) ? (method.details.enabledPayments as string[]) : undefined,
      });
      return { redirectUrl: snap.redirectUrl, token: snap.token };
    } catch (err) {
      if (err instanceof MidtransError && !err.retryable) throw new PermanentJobError(err.message);
      throw err;
    }
  },
  async refund(services, settings, refund, payment) {
    const serverKey = midtransServerKey(services, settings);
    if (!serverKey || !payment) throw new PermanentJobError('Midtrans is not configured');
    try {
      await refundTransaction(midtransUrls(services.config, settings.midtrans.environment), serverKey, {
        orderId: payment.orderId,
        refundKey: refund.refundKey,
        amount: refund.amount,
        reason: refund.reason,
      });
    } catch (err) {
      if (err instanceof MidtransError && !err.retryable) throw new PermanentJobError(err.message);
      throw err;
    }
  },
};

const bankTransferProvider: PaymentProvider = {
  name: 'bank_transfer',
  ready: (_services, settings) => bankTransferReady(settings),
  // The payer transfers to the operator's account with the invoice number as the reference.
  async start() {
    return { redirectUrl: null, token: null };
  },
  // The operator sends the money back themselves; recording it is all there is to do.
  async refund() {},
};

export const PROVIDERS: Record<ProviderName, PaymentProvider> = { midtrans: midtransProvider, bank_transfer: bankTransferProvider };

export function paymentView(p: Payment, settings?: BillingSettings) {
  return {
    id: p.id,
    invoiceId: p.invoiceId,
    provider: p.provider,
    orderId: p.orderId,
    status: p.status,
    amount: p.amount,
    currency: p.currency,
    redirectUrl: p.redirectUrl,
    paymentType: p.paymentType,
    failureReason: p.failureReason,
    paidAt: p.paidAt,
    createdAt: p.createdAt,
    bankTransfer:
      p.provider === 'bank_transfer' && settings
        ? {
            bankName: settings.bankTransfer.bankName,
            accountNumber: settings.bankTransfer.accountNumber,
            accountName: settings.bankTransfer.accountName,
            instructions: settings.bankTransfer.instructions,
            reference: p.orderId,
          }
        : null,
  };
}

export function refundView(r: Refund) {
  return {
    id: r.id,
    invoiceId: r.invoiceId,
    provider: r.provider,
    amount: r.amount,
    currency: r.currency,
    reason: r.reason,
    status: r.status,
    failureReason: r.failureReason,
    createdAt: r.createdAt,
    processedAt: r.processedAt,
  };
}

export function methodView(m: PaymentMethod) {
  return { id: m.id, type: m.type, label: m.label, details: m.details, isDefault: m.isDefault, createdAt: m.createdAt };
}

// Payment methods

export const paymentMethodsService = {
  async list(ctx: TenantCtx) {
    const rows = await scoped(ctx, PaymentMethodEntity).find({}, { createdAt: 'ASC' });
    return { data: rows.map(methodView) };
  },

  async add(
    ctx: TenantCtx,
    body:
      | { type: 'midtrans'; label?: string; enabledPayments?: string[]; isDefault?: boolean }
      | { type: 'bank_transfer'; label?: string; bankName: string; accountName: string; accountNumber?: string; isDefault?: boolean },
  ) {
    const settings = await loadSettings(ctx);
    if (!PROVIDERS[body.type].ready(ctx, settings))
      throw unprocessable(
        body.type === 'midtrans'
          ? 'Online payment (Midtrans) is not available on this appliance'
          : 'Bank transfer is not available on this appliance',
        [{ path: 'type', message: 'Not offered by the operator' }],
      );
    const details: Record<string, unknown> =
      body.type === 'midtrans'
        ? { enabledPayments: body.enabledPayments ?? [] }
        : {
            bankName: body.bankName,
            accountName: body.accountName,
            accountNumberLast4: body.accountNumber ? body.accountNumber.slice(-4) : null,
          };
    const label =
      body.label ?? (body.type === 'midtrans' ? 'Midtrans (VA, QRIS, e-wallet, card)' : `${body.bankName} · ${body.accountName}`);
    const now = ctx.now();
    const method = await ctx.transaction(async (m) => {
      const methods = scoped(ctx, PaymentMethodEntity, m);
      const first = (await methods.count()) === 0;
      const isDefault = first || Boolean(body.isDefault);
      if (isDefault) await methods.repo.update({ tenantId: ctx.tenantId }, { isDefault: false });
      const row = await methods.insert({ type: body.type, label, details, isDefault, createdAt: now });
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'billing.payment_method_added',
        targetType: 'payment_method',
        targetId: row.id,
        details: { type: body.type },
      });
      return row;
    });
    return methodView(method);
  },

  async remove(ctx: TenantCtx, id: string) {
    const method = await scoped(ctx, PaymentMethodEntity).get(id, 'Payment method');
    await ctx.transaction(async (m) => {
      const methods = scoped(ctx, PaymentMethodEntity, m);
      await methods.remove(id);
      if (method.isDefault) {
        const next = (await methods.find({}, { createdAt: 'ASC' }))[0];
        if (next) await methods.update(next.id, { isDefault: true });
      }
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'billing.payment_method_deleted',
        targetType: 'payment_method',
        targetId: id,
      });
    });
  },
};

// Paying an invoice

async function nextOrderId(m: EntityManager, invoice: Invoice): Promise<string> {
  const n = await m.getRepository(PaymentEntity).count({ where: { invoiceId: invoice.id } });
  return `${invoice.number}-${n + 1}`;
}

export async function payInvoice(
  ctx: TenantCtx,
  invoiceId: string,
  body: { provider?: ProviderName; paymentMethodId?: string },
  req: Request,
) {
  const invoice = await scoped(ctx, InvoiceEntity).get(invoiceId, 'Invoice');
  if (invoice.status !== 'open')
    throw conflict(`Invoice ${invoice.number} is ${invoice.status}, not open`, [
      { path: 'invoiceId', message: `Invoice is ${invoice.status}` },
    ]);
  const settings = await loadSettings(ctx);
  let provider: ProviderName | undefined = body.provider;
  if (body.paymentMethodId) {
    const method = isId(body.paymentMethodId) ? await scoped(ctx, PaymentMethodEntity).findOne({ id: body.paymentMethodId }) : null;
    if (!method) throw unprocessable('No such payment method', [{ path: 'paymentMethodId', message: 'No such payment method' }]);
    provider = method.type;
  }
  if (!provider) {
    const fallback = await scoped(ctx, PaymentMethodEntity).findOne({ isDefault: true });
    provider = fallback?.type ?? (midtransReady(ctx, settings) ? 'midtrans' : bankTransferReady(settings) ? 'bank_transfer' : undefined);
  }
  if (!provider || !PROVIDERS[provider].ready(ctx, settings))
    throw unprocessable('No way to pay is set up on this appliance; ask its operator', [
      { path: 'provider', message: provider ? `${provider} is not available` : 'No provider available' },
    ]);
  if (provider === 'midtrans' && invoice.currency !== 'IDR')
    throw unprocessable('Midtrans takes payments in IDR only', [{ path: 'provider', message: 'IDR only' }]);
  const now = ctx.now();
  const payments = scoped(ctx, PaymentEntity);
  // The payment under way is answered again (a second click, a retry).
  const current = await payments.findOne({ invoiceId: invoice.id, provider, status: In(['creating', 'pending']) as never });
  if (current) return paymentView(current, settings);
  const origin = `${req.protocol}://${req.get('host')}`;
  const payment = await ctx.transaction(async (m) => {
    const row: Payment = {
      id: newId(),
      tenantId: ctx.tenantId,
      invoiceId: invoice.id,
      provider,
      orderId: await nextOrderId(m, invoice),
      status: provider === 'midtrans' ? 'creating' : 'pending',
      amount: invoice.total,
      currency: invoice.currency,
      redirectUrl: null,
      providerToken: null,
      providerTransactionId: null,
      paymentType: provider === 'bank_transfer' ? 'bank_transfer' : null,
      failureReason: null,
      returnUrl: `${origin}/billing?invoice=${invoice.id}`,
      paidAt: null,
      confirmedBy: null,
      createdAt: now,
      updatedAt: now,
    };
    await m.getRepository(PaymentEntity).insert(row);
    if (provider === 'midtrans')
      await enqueueJob(m, PAYMENT_START_JOB, { paymentId: row.id }, now, { tenantId: ctx.tenantId, maxAttempts: 6 });
    await recordActivity(ctx, m, {
      tenantId: ctx.tenantId,
      action: 'billing.payment_started',
      targetType: 'invoice',
      targetId: invoice.id,
      details: { provider, orderId: row.orderId },
    });
    return row;
  });
  return paymentView(payment, settings);
}

/** The start job: asks the provider for the hosted page. */
export async function startPayment(services: Services, paymentId: string, lastAttempt: boolean): Promise<void> {
  const repo = services.db.getRepository(PaymentEntity);
  const payment = await repo.findOne({ where: { id: paymentId } });
  if (payment?.status !== 'creating') return;
  const invoice = await services.db.getRepository(InvoiceEntity).findOneOrFail({ where: { id: payment.invoiceId } });
  const settings = await loadSettings(services);
  if (invoice.status !== 'open') {
    await repo.update(
      { id: payment.id },
      { status: 'cancelled', failureReason: `Invoice is ${invoice.status}`, updatedAt: services.now() },
    );
    return;
  }
  try {
    const started = await PROVIDERS[payment.provider].start(services, settings, payment, invoice);
    await repo.update(
      { id: payment.id },
      { status: 'pending', redirectUrl: started.redirectUrl, providerToken: started.token, updatedAt: services.now() },
    );
  } catch (err) {
    if (err instanceof PermanentJobError || lastAttempt)
      await repo.update(
        { id: payment.id },
        { status: 'failed', failureReason: (err as Error).message.slice(0, 1000), updatedAt: services.now() },
      );
    throw err;
  }
}

// Notifications

interface MidtransNotification {
  order_id: string;
  status_code: string;
  gross_amount: string;
  signature_key: string;
  transaction_status: string;
  transaction_id?: string;
  fraud_status?: string;
  payment_type?: string;
  [k: string]: unknown;
}

function asNotification(body: unknown): MidtransNotification {
  const b = (body ?? {}) as Record<string, unknown>;
  const missing = ['order_id', 'status_code', 'gross_amount', 'signature_key', 'transaction_status'].filter(
    (k) => typeof b[k] !== 'string' || !b[k],
  );
  if (missing.length)
    throw badRequest(
      'Not a Midtrans notification',
      missing.map((k) => ({ path: k, message: 'Required' })),
    );
  return b as MidtransNotification;
}

/** Verifies, stores (once) and queues a Midtrans notification; the caller acknowledges after this. */
export async function receiveMidtransNotification(ctx: Ctx, body: unknown): Promise<{ received: true; duplicate: boolean }> {
  const n = asNotification(body);
  const settings = await loadSettings(ctx);
  const serverKey = midtransServerKey(ctx, settings);
  if (!serverKey) throw new HttpError(503, 'Midtrans is not configured on this appliance');
  if (!signatureMatches(n, serverKey)) throw unauthorized('The notification signature does not match');
  const dedupeKey = createHash('sha256')
    .update([n.order_id, n.transaction_status, n.status_code, n.transaction_id ?? '', n.fraud_status ?? '', n.gross_amount].join('|'))
    .digest('hex');
  const now = ctx.now();
  const duplicate = await ctx.transaction(async (m) => {
    const repo = m.getRepository(PaymentNotificationEntity);
    if (await repo.exists({ where: { provider: 'midtrans', dedupeKey } })) return true;
    const id = newId();
    await repo.insert({
      id,
      provider: 'midtrans',
      dedupeKey,
      orderId: n.order_id.slice(0, 64),
      payload: n,
      status: 'received',
      result: null,
      receivedAt: now,
      processedAt: null,
    } as never);
    await enqueueJob(m, NOTIFICATION_JOB, { notificationId: id }, now, { queueKey: `billing:order:${n.order_id.slice(0, 64)}` });
    return false;
  });
  return { received: true, duplicate };
}

const PAID = ['settlement', 'capture'];
const FAILED: Record<string, Payment['status']> = { deny: 'failed', failure: 'failed', cancel: 'cancelled', expire: 'expired' };

/** The notification job: applies what Midtrans says to the payment, its invoice and subscription. */
export async function processNotification(services: Services, notificationId: string): Promise<void> {
  const repo = services.db.getRepository(PaymentNotificationEntity);
  const row = await repo.findOne({ where: { id: notificationId } });
  if (row?.status !== 'received') return;
  const n = row.payload as MidtransNotification;
  const finish = (m: EntityManager, status: 'processed' | 'ignored', result: string) =>
    m.getRepository(PaymentNotificationEntity).update({ id: row.id }, { status, result, processedAt: services.now() });
  await services.transaction(async (m) => {
    const payment = await m.getRepository(PaymentEntity).findOne({ where: { orderId: n.order_id } });
    if (!payment) return finish(m, 'ignored', 'unknown order');
    const amount = parseGrossAmount(n.gross_amount);
    if (amount !== payment.amount) return finish(m, 'ignored', `amount ${n.gross_amount} is not ${payment.amount}`);
    const now = services.now();
    const status = n.transaction_status;
    const invoice = await m.getRepository(InvoiceEntity).findOneOrFail({ where: { id: payment.invoiceId } });
    const common = {
      providerTransactionId: n.transaction_id ?? payment.providerTransactionId,
      paymentType: n.payment_type ?? payment.paymentType,
    };
    if (PAID.includes(status) && (status === 'settlement' || (n.fraud_status ?? 'accept') === 'accept')) {
      if (payment.status !== 'paid')
        await m.getRepository(PaymentEntity).update({ id: payment.id }, { ...common, status: 'paid', paidAt: now, updatedAt: now });
      const result = await settleInvoice(services, m, invoice, payment);
      if (result === 'not_open')
        services.log.warn(
          { invoiceId: invoice.id, orderId: n.order_id },
          'payment settled for an invoice that is no longer open: refund it',
        );
      return finish(
        m,
        'processed',
        result === 'paid' ? 'invoice paid' : result === 'already_paid' ? 'already paid' : `paid, invoice ${invoice.status}`,
      );
    }
    if (status === 'pending' || status === 'capture') {
      if (payment.status === 'creating' || payment.status === 'pending')
        await m.getRepository(PaymentEntity).update({ id: payment.id }, { ...common, status: 'pending', updatedAt: now });
      return finish(m, 'processed', 'pending');
    }
    if (FAILED[status]) {
      if (payment.status === 'paid') return finish(m, 'ignored', `already paid; ${status} ignored`);
      await m
        .getRepository(PaymentEntity)
        .update({ id: payment.id }, { ...common, status: FAILED[status], failureReason: `Midtrans: ${status}`, updatedAt: now });
      return finish(m, 'processed', status);
    }
    if (status === 'refund' || status === 'partial_refund') {
      // Our refunds are recorded when Midtrans accepts them; this confirms them.
      return finish(m, 'processed', status);
    }
    return finish(m, 'ignored', `status ${status}`);
  });
}

// The operator: invoices, manual payments, refunds

export async function markPaid(ctx: SuperAdminCtx, invoiceId: string, body: { reference?: string }) {
  const invoice = isId(invoiceId) ? await ctx.db.getRepository(InvoiceEntity).findOne({ where: { id: invoiceId } }) : null;
  if (!invoice) throw notFound('Invoice');
  if (invoice.status !== 'open')
    throw conflict(`Invoice ${invoice.number} is ${invoice.status}, not open`, [
      { path: 'invoiceId', message: `Invoice is ${invoice.status}` },
    ]);
  const now = ctx.now();
  await ctx.transaction(async (m) => {
    const repo = m.getRepository(PaymentEntity);
    const pending = await repo.findOne({ where: { invoiceId: invoice.id, provider: 'bank_transfer', status: 'pending' } });
    const amount = invoice.total;
    if (pending)
      await repo.update(
        { id: pending.id },
        { status: 'paid', paidAt: now, confirmedBy: ctx.principal.adminId, providerTransactionId: body.reference ?? null, updatedAt: now },
      );
    else
      await repo.insert({
        id: newId(),
        tenantId: invoice.tenantId,
        invoiceId: invoice.id,
        provider: 'bank_transfer',
        orderId: `${invoice.number}-${(await repo.count({ where: { invoiceId: invoice.id } })) + 1}`,
        status: 'paid',
        amount,
        currency: invoice.currency,
        redirectUrl: null,
        providerToken: null,
        providerTransactionId: body.reference ?? null,
        paymentType: 'bank_transfer',
        failureReason: null,
        returnUrl: null,
        paidAt: now,
        confirmedBy: ctx.principal.adminId,
        createdAt: now,
        updatedAt: now,
      });
    // Other attempts under way (a Snap page) are no longer needed.
    await repo.update(
      { invoiceId: invoice.id, status: In(['creating', 'pending']) },
      { status: 'cancelled', failureReason: 'Paid by bank transfer', updatedAt: now },
    );
    await settleInvoice(ctx, m, invoice, { provider: 'bank_transfer', amount }, ctx);
  });
  return ctx.db.getRepository(InvoiceEntity).findOneOrFail({ where: { id: invoice.id } });
}

export async function refundInvoice(
  ctx: SuperAdminCtx,
  invoiceId: string,
  body: { amount?: number; reason: string; cancelSubscription?: boolean },
) {
  const invoice = isId(invoiceId) ? await ctx.db.getRepository(InvoiceEntity).findOne({ where: { id: invoiceId } }) : null;
  if (!invoice) throw notFound('Invoice');
  if (!['paid', 'partially_refunded'].includes(invoice.status))
    throw conflict(`Invoice ${invoice.number} is ${invoice.status}; only a paid invoice can be refunded`, [
      { path: 'invoiceId', message: `Invoice is ${invoice.status}` },
    ]);
  const pendingRefunds = await ctx.db.getRepository(RefundEntity).find({ where: { invoiceId: invoice.id, status: 'pending' } });
  const refundable = invoice.amountPaid - invoice.amountRefunded - pendingRefunds.reduce((s, r) => s + r.amount, 0);
  const amount = body.amount ?? refundable;
  if (refundable <= 0) throw conflict('Nothing is left to refund on this invoice', [{ path: 'amount', message: 'Fully refunded' }]);
  if (amount > refundable)
    throw unprocessable(`At most ${refundable} can be refunded`, [{ path: 'amount', message: `At most ${refundable}` }]);
  const payment = await ctx.db
    .getRepository(PaymentEntity)
    .findOne({ where: { invoiceId: invoice.id, status: 'paid' }, order: { paidAt: 'DESC' } });
  const provider: ProviderName = payment?.provider ?? 'bank_transfer';
  const now = ctx.now();
  const refund: Refund = {
    id: newId(),
    tenantId: invoice.tenantId,
    invoiceId: invoice.id,
    paymentId: payment?.id ?? null,
    provider,
    amount,
    currency: invoice.currency,
    reason: body.reason,
    status: 'pending',
    refundKey: `rf-${newId()}`,
    failureReason: null,
    createdBy: ctx.principal.adminId,
    createdAt: now,
    processedAt: null,
  };
  await ctx.transaction(async (m) => {
    await m.getRepository(RefundEntity).insert(refund);
    await enqueueJob(m, REFUND_JOB, { refundId: refund.id }, now, { tenantId: invoice.tenantId, maxAttempts: 6 });
    await recordActivity(ctx, m, {
      tenantId: invoice.tenantId,
      action: 'billing.refund_requested',
      targetType: 'invoice',
      targetId: invoice.id,
      details: { amount, provider, reason: body.reason },
    });
    if (body.cancelSubscription && invoice.subscriptionId) {
      await m.getRepository(SubscriptionEntity).update(
        { id: invoice.subscriptionId, status: In(['trialing', 'incomplete', 'active', 'past_due']) },
        {
          status: 'cancelled',
          cancelledAt: now,
          cancelReason: 'refunded',
          updatedAt: now,
        },
      );
      await emitEvent(
        m,
        {
          tenantId: invoice.tenantId,
          type: 'billing.subscription.cancelled',
          payload: { subscriptionId: invoice.subscriptionId, reason: 'refunded' },
        },
        now,
      );
    }
  });
  return refund;
}

/** The refund job: the provider returns the money; the invoice records it. */
export async function processRefund(services: Services, refundId: string, lastAttempt: boolean): Promise<void> {
  const repo = services.db.getRepository(RefundEntity);
  const refund = await repo.findOne({ where: { id: refundId } });
  if (refund?.status !== 'pending') return;
  const payment = refund.paymentId ? await services.db.getRepository(PaymentEntity).findOne({ where: { id: refund.paymentId } }) : null;
  const settings = await loadSettings(services);
  try {
    await PROVIDERS[refund.provider as ProviderName].refund(services, settings, refund, payment);
  } catch (err) {
    if (err instanceof PermanentJobError || lastAttempt)
      await repo.update(
        { id: refund.id },
        { status: 'failed', failureReason: (err as Error).message.slice(0, 1000), processedAt: services.now() },
      );
    throw err;
  }
  const now = services.now();
  await services.transaction(async (m) => {
    await m.getRepository(RefundEntity).update({ id: refund.id }, { status: 'succeeded', processedAt: now });
    const invoice = await m.getRepository(InvoiceEntity).findOneOrFail({ where: { id: refund.invoiceId } });
    const refunded = invoice.amountRefunded + refund.amount;
    await m
      .getRepository(InvoiceEntity)
      .update(
        { id: invoice.id },
        { amountRefunded: refunded, status: refunded >= invoice.amountPaid ? 'refunded' : 'partially_refunded', updatedAt: now },
      );
    await emitEvent(
      m,
      {
        tenantId: refund.tenantId,
        type: 'billing.invoice.refunded',
        payload: { invoiceId: invoice.id, amount: refund.amount, currency: refund.currency },
      },
      now,
    );
    await recordActivity(systemCtx(services), m, {
      tenantId: refund.tenantId,
      action: 'billing.refunded',
      targetType: 'invoice',
      targetId: invoice.id,
      details: { amount: refund.amount, provider: refund.provider },
    });
  });
}
