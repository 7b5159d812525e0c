// Invoices as organizations and the operator see them, and their PDFs.
import { LessThan, type FindOptionsWhere } from 'typeorm';
import type { Ctx, TenantCtx } from '../../core/context.js';
import { badRequest, notFound } from '../../core/http/errors.js';
import { isId } from '../../core/ids.js';
import { scoped } from '../../core/tenancy.js';
import { TenantEntity } from '../tenants/tenant.entity.js';
import { InvoiceEntity, PaymentEntity, RefundEntity, type Invoice, type InvoiceStatus } from './billing.entity.js';
import { invoicePdf, lineText } from './invoice-pdf.js';
import type { Lang } from './money.js';
import { paymentView, refundView } from './payments.service.js';
import { loadSettings } from './settings.js';

export function invoiceView(i: Invoice, lang: Lang = 'en') {
  return {
    id: i.id,
    number: i.number,
    status: i.status,
    reason: i.reason,
    subscriptionId: i.subscriptionId,
    planId: i.planId,
    currency: i.currency,
    lines: i.lines.map((l) => ({
      kind: l.kind,
      description: lineText(l, lang),
      quantity: l.quantity,
      unitAmount: l.unitAmount,
      amount: l.amount,
      periodStart: l.periodStart ?? null,
      periodEnd: l.periodEnd ?? null,
    })),
    subtotal: i.subtotal,
    discount: i.discount,
    credit: i.credit,
    total: i.total,
    amountPaid: i.amountPaid,
    amountRefunded: i.amountRefunded,
    periodStart: i.periodStart,
    periodEnd: i.periodEnd,
    issuedAt: i.issuedAt,
    dueAt: i.dueAt,
    paidAt: i.paidAt,
    voidedAt: i.voidedAt,
    paidVia: i.paidVia,
    billedTo: i.billedTo,
    pdfUrl: `/api/v1/billing/invoices/${i.id}/pdf`,
  };
}

async function details(ctx: Ctx, invoice: Invoice, lang: Lang) {
  const settings = await loadSettings(ctx);
  const payments = await ctx.db.getRepository(PaymentEntity).find({ where: { invoiceId: invoice.id }, order: { createdAt: 'DESC' } });
  const refunds = await ctx.db.getRepository(RefundEntity).find({ where: { invoiceId: invoice.id }, order: { createdAt: 'DESC' } });
  return { ...invoiceView(invoice, lang), payments: payments.map((p) => paymentView(p, settings)), refunds: refunds.map(refundView) };
}

async function pdfOf(ctx: Ctx, invoice: Invoice, lang: Lang) {
  const settings = await loadSettings(ctx);
  const tenant = await ctx.db.getRepository(TenantEntity).findOne({ where: { id: invoice.tenantId } });
  return invoicePdf(invoice, { lang, settings, timezone: tenant?.timezone ?? 'Asia/Jakarta' });
}

export const invoicesService = {
  async list(ctx: TenantCtx, q: { limit: number; cursor?: string; status?: InvoiceStatus; lang: Lang }) {
    const page = await scoped(ctx, InvoiceEntity).page({ where: q.status ? { status: q.status } : {}, limit: q.limit, cursor: q.cursor });
    return { data: page.data.map((i) => invoiceView(i, q.lang)), nextCursor: page.nextCursor };
  },

  async get(ctx: TenantCtx, id: string, lang: Lang) {
    return details(ctx, await scoped(ctx, InvoiceEntity).get(id, 'Invoice'), lang);
  },

  async pdf(ctx: TenantCtx, id: string, lang: Lang) {
    const invoice = await scoped(ctx, InvoiceEntity).get(id, 'Invoice');
    return { invoice, pdf: await pdfOf(ctx, invoice, lang) };
  },
};

export const adminInvoicesService = {
  async list(ctx: Ctx, q: { limit: number; cursor?: string; status?: InvoiceStatus; tenantId?: string; lang: Lang }) {
    if (q.cursor !== undefined && !isId(q.cursor))
      throw badRequest('The cursor is not valid', [{ path: 'query.cursor', message: 'Invalid cursor' }]);
    const where: FindOptionsWhere<Invoice> = {};
    if (q.status) where.status = q.status;
    if (q.tenantId) where.tenantId = q.tenantId;
    if (q.cursor) where.id = LessThan(q.cursor);
    const rows = await ctx.db.getRepository(InvoiceEntity).find({ where, order: { id: 'DESC' }, take: q.limit + 1 });
    const more = rows.length > q.limit;
    const data = more ? rows.slice(0, q.limit) : rows;
    const tenants = await ctx.db.getRepository(TenantEntity).find({ select: { id: true, name: true } });
    const names = new Map(tenants.map((t) => [t.id, t.name]));
    return {
      data: data.map((i) => ({ ...invoiceView(i, q.lang), tenantId: i.tenantId, tenantName: names.get(i.tenantId) ?? null })),
      nextCursor: more ? data[data.length - 1].id : null,
    };
  },

  async get(ctx: Ctx, id: string, lang: Lang) {
    const invoice = isId(id) ? await ctx.db.getRepository(InvoiceEntity).findOne({ where: { id } }) : null;
    if (!invoice) throw notFound('Invoice');
    return { ...(await details(ctx, invoice, lang)), tenantId: invoice.tenantId };
  },
};
