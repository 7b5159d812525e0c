// An organization's billing: its subscription and plan, usage against the limits, invoices and
// their PDFs, payment methods and paying, coupons and add-ons; and Midtrans's notification.
import { z } from 'zod';
import { access, defineRoute, Reply } from '../../core/http/registry.js';
import { idParam, pageQuery } from '../../core/http/schemas.js';
import { addonView, catalogueService, planView } from './catalogue.service.js';
import { invoicesService } from './invoices.service.js';
import { payInvoice, paymentMethodsService, receiveMidtransNotification } from './payments.service.js';
import { subscriptionService } from './subscription.service.js';
import {
  addonSchema,
  attachedAddonSchema,
  currency,
  invoiceDetailSchema,
  invoiceSchema,
  invoiceStatus,
  lang,
  paymentMethodSchema,
  paymentSchema,
  planSchema,
  subscriptionSchema,
  subscriptionStateSchema,
  usageSchema,
} from './billing.schemas.js';

const tag = 'Billing';
const MANAGE = access.tenant('billing.manage');
const LIMITS_NOTE =
  'Limits are enforced where they apply: creating or re-activating an agent and connecting a channel account answer 403 (type …/plan-limit, naming `limit`, `used`, `allowed` and `plan`) beyond the plan, and 402 (type …/payment-required, naming the overdue `invoice`) while the subscription is past due; replying in a conversation that began this month beyond the monthly allowance answers 403. Customers’ inbound messages are always stored.';

export const billingRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/billing/subscription',
    tag,
    summary: 'Get current subscription and plan',
    access: access.signedIn,
    description: `Any member of the organization may read it (the UI warns before a limit). ${LIMITS_NOTE}`,
    response: subscriptionStateSchema,
    handler: ({ ctx }) => subscriptionService.get(ctx),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/billing/plans',
    tag,
    summary: 'List available billing plans',
    access: access.signedIn,
    description: 'The plans the operator offers (public ones), cheapest first as the operator ordered them. Empty when billing is off.',
    response: z.object({ data: z.array(planSchema) }),
    handler: async ({ ctx }) => ({ data: (await catalogueService.listPlans(ctx, { includeHidden: false })).map(planView) }),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/billing/subscription',
    tag,
    summary: 'Subscribe to a plan',
    access: MANAGE,
    status: 201,
    description:
      'A plan with trial days starts a trial (once per organization); a free plan is active at once; otherwise the subscription is `incomplete` and its first invoice is open: pay it (POST /api/v1/billing/invoices/{invoiceId}/pay) to make it active. 409 when already subscribed or when the organization uses more than the plan allows (naming `limits.<name>`); 422 for an unknown plan, a currency the plan has no price in, or a coupon that does not apply (naming `couponCode`).',
    body: z.object({
      planId: z.string().max(64),
      currency: currency.optional().describe('Default: IDR when the plan is priced in it'),
      couponCode: z.string().trim().min(1).max(64).optional(),
    }),
    response: subscriptionStateSchema,
    handler: ({ ctx, body }) => subscriptionService.subscribe(ctx, body),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/billing/subscription/change-plan',
    tag,
    summary: 'Upgrade or downgrade subscription plan',
    access: MANAGE,
    description:
      'Prorated: the unused part of the period on the old plan is credited and the rest of the period on the new plan charged; a positive difference is invoiced at once, a negative one kept as credit for the next invoices. A plan billed at another interval starts a new period now. During a trial the trial goes on, on the new plan. The new limits apply at once; a downgrade below what the organization uses answers 409 naming `limits.<name>`. 402 while past due.',
    body: z.object({ planId: z.string().max(64) }),
    response: subscriptionStateSchema,
    handler: ({ ctx, body }) => subscriptionService.changePlan(ctx, body),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/billing/subscription/cancel',
    tag,
    summary: 'Cancel subscription',
    access: MANAGE,
    description:
      'By default at the end of the current period (the plan stays until then; changing plan undoes it); `atPeriodEnd: false` cancels now and voids open invoices. An incomplete subscription is cancelled at once.',
    body: z.object({ atPeriodEnd: z.boolean().default(true), reason: z.string().trim().max(500).optional() }),
    response: subscriptionSchema,
    handler: ({ ctx, body }) => subscriptionService.cancel(ctx, body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/billing/usage',
    tag,
    summary: "Get current month's usage",
    access: access.signedIn,
    description:
      "Active agents, connected channel accounts, conversations begun this calendar month (on the organization's clock) and AI tokens, against the limits in force, with `warnings` from 80% of a limit.",
    response: usageSchema,
    handler: ({ ctx }) => subscriptionService.usage(ctx),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/billing/invoices',
    tag,
    summary: 'List invoices',
    access: MANAGE,
    description: 'Newest first. Amounts are integers in the minor unit of the currency used in practice (rupiah for IDR).',
    query: pageQuery.extend({ status: invoiceStatus.optional(), lang }),
    response: z.object({ data: z.array(invoiceSchema), nextCursor: z.string().nullable() }),
    handler: ({ ctx, query }) => invoicesService.list(ctx, query),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/billing/invoices/{invoiceId}',
    tag,
    summary: 'Get an invoice with its payments',
    access: MANAGE,
    params: idParam('invoiceId'),
    query: z.object({ lang }),
    response: invoiceDetailSchema,
    handler: ({ ctx, params, query }) => invoicesService.get(ctx, params.invoiceId, query.lang),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/billing/invoices/{invoiceId}/pdf',
    tag,
    summary: 'Download invoice PDF',
    access: MANAGE,
    description: 'application/pdf, in English or Bahasa Indonesia (`lang`).',
    params: idParam('invoiceId'),
    query: z.object({ lang }),
    handler: async ({ ctx, params, query, res }) => {
      const { invoice, pdf } = await invoicesService.pdf(ctx, params.invoiceId, query.lang);
      res.setHeader('Content-Type', 'application/pdf');
      res.setHeader('Content-Disposition', `attachment; filename="${invoice.number}.pdf"`);
      res.setHeader('Cache-Control', 'no-store');
      res.status(200).send(pdf);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/billing/invoices/{invoiceId}/pay',
    tag,
    summary: 'Pay an invoice',
    access: MANAGE,
    status: 202,
    description:
      'Starts a payment. Midtrans: answered as `creating`; a job asks Snap for the hosted payment page and the payment becomes `pending` with its `redirectUrl` (read it back with GET /api/v1/billing/invoices/{invoiceId}); the invoice is paid when Midtrans notifies the settlement. Bank transfer: answered `pending` with the account and the reference to quote; the operator marks it paid. The provider is `provider`, else the chosen payment method’s, else the default method’s, else Midtrans when the operator set it up. A payment already under way is answered again. 409 when the invoice is not open; 422 when no provider is available or Midtrans is asked for a non-IDR invoice.',
    params: idParam('invoiceId'),
    body: z.object({ provider: z.enum(['midtrans', 'bank_transfer']).optional(), paymentMethodId: z.string().max(64).optional() }),
    response: paymentSchema,
    handler: ({ ctx, params, body, req }) => payInvoice(ctx, params.invoiceId, body, req),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/billing/payment-methods',
    tag,
    summary: 'List payment methods',
    access: MANAGE,
    response: z.object({ data: z.array(paymentMethodSchema) }),
    handler: ({ ctx }) => paymentMethodsService.list(ctx),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/billing/payment-methods',
    tag,
    summary: 'Add a payment method',
    access: MANAGE,
    status: 201,
    description:
      'How the organization pays: `midtrans` (the hosted page: virtual account, QRIS, e-wallets, cards; `enabledPayments` narrows Snap’s choice, e.g. ["bca_va", "gopay", "qris"]) or `bank_transfer` (to the operator’s account; the payer’s bank and account name help the operator match the transfer; only the last 4 digits of a number are kept). The first one, or one with `isDefault`, is the default. 422 when the operator does not offer that way.',
    body: z.discriminatedUnion('type', [
      z.object({
        type: z.literal('midtrans'),
        label: z.string().trim().min(1).max(200).optional(),
        enabledPayments: z
          .array(z.string().regex(/^[a-z_]{2,40}$/, 'A Midtrans payment type such as bca_va, gopay, qris'))
          .max(30)
          .optional(),
        isDefault: z.boolean().optional(),
      }),
      z.object({
        type: z.literal('bank_transfer'),
        label: z.string().trim().min(1).max(200).optional(),
        bankName: z.string().trim().min(1, 'Required').max(100),
        accountName: z.string().trim().min(1, 'Required').max(200),
        accountNumber: z
          .string()
          .trim()
          .regex(/^[0-9 -]{4,40}$/, 'Digits')
          .optional(),
        isDefault: z.boolean().optional(),
      }),
    ]),
    response: paymentMethodSchema,
    handler: ({ ctx, body }) => paymentMethodsService.add(ctx, body),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/billing/payment-methods/{paymentMethodId}',
    tag,
    summary: 'Delete a payment method',
    access: MANAGE,
    status: 204,
    params: idParam('paymentMethodId'),
    handler: ({ ctx, params }) => paymentMethodsService.remove(ctx, params.paymentMethodId),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/billing/coupons/validate',
    tag,
    summary: 'Validate a coupon code',
    access: MANAGE,
    description: 'Answers 200 with `valid` and, when not, the `reason` (unknown, expired, used up, not for this plan or currency).',
    body: z.object({
      code: z.string().trim().min(1, 'Required').max(64),
      planId: z.string().max(64).optional(),
      currency: currency.optional(),
    }),
    response: z.object({
      valid: z.boolean(),
      reason: z.string().nullable(),
      coupon: z
        .object({
          id: z.string(),
          code: z.string(),
          description: z.string().nullable(),
          percentOff: z.number().nullable(),
          amountOff: z.record(z.string(), z.number()).nullable(),
          duration: z.enum(['once', 'repeating', 'forever']),
          durationCycles: z.number().nullable(),
          expiresAt: z.string().nullable(),
          planIds: z.array(z.string()),
          active: z.boolean(),
          createdAt: z.string(),
          updatedAt: z.string(),
        })
        .nullable(),
    }),
    handler: ({ ctx, body }) => subscriptionService.validateCoupon(ctx, body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/billing/addons',
    tag,
    summary: 'List available add-ons',
    access: access.signedIn,
    response: z.object({ data: z.array(addonSchema) }),
    handler: async ({ ctx }) => ({ data: (await catalogueService.listAddons(ctx, { includeHidden: false })).map(addonView) }),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/billing/subscription/addons',
    tag,
    summary: 'List attached add-ons',
    access: access.signedIn,
    response: z.object({ data: z.array(attachedAddonSchema) }),
    handler: ({ ctx }) => subscriptionService.listAttached(ctx),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/billing/subscription/addons',
    tag,
    summary: 'Attach an add-on to subscription',
    access: MANAGE,
    status: 201,
    description:
      'Its limits add to the plan’s at once. On an active subscription the rest of the period is invoiced now; later periods include it. 409 when already attached or the subscription is incomplete; 422 for an unknown add-on or one billed at another interval; 402 while past due.',
    body: z.object({ addonId: z.string().max(64), quantity: z.number().int().min(1).max(1000).default(1) }),
    response: attachedAddonSchema,
    handler: ({ ctx, body }) => subscriptionService.attachAddon(ctx, body),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/billing/subscription/addons/{addonId}',
    tag,
    summary: 'Detach an add-on from subscription',
    access: MANAGE,
    status: 204,
    description: 'The unused part of the period becomes credit. 409 when the organization would be over its limits without it.',
    params: idParam('addonId'),
    handler: ({ ctx, params }) => subscriptionService.detachAddon(ctx, params.addonId),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/webhooks/midtrans',
    tag,
    summary: 'Receive a Midtrans payment notification',
    access: access.public,
    description:
      'Midtrans’s HTTP notification (set it as the Payment Notification URL in the Midtrans dashboard; the appliance also names it per transaction when it has a public URL). Verified by `signature_key` = SHA512(order_id + status_code + gross_amount + server key) (401 otherwise), stored before the 200 and processed by a job; the same notification twice is stored once.',
    response: z.object({ received: z.literal(true), duplicate: z.boolean() }),
    handler: async ({ ctx, req }) => new Reply(200, await receiveMidtransNotification(ctx, req.body)),
  }),
];
