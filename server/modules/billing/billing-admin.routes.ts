// The operator's billing (super-admins): plans, add-ons, coupons, payment provider settings, every
// organization's invoices (manual payments, refunds) and subscriptions, and revenue analytics.
import { z } from 'zod';
import { access, defineRoute } from '../../core/http/registry.js';
import { idParam, pageQuery, timestamp } from '../../core/http/schemas.js';
import { addonView, catalogueService, couponView, planView } from './catalogue.service.js';
import { adminInvoicesService, invoiceView } from './invoices.service.js';
import { markPaid, refundInvoice, refundView } from './payments.service.js';
import { revenueService } from './revenue.service.js';
import { adminBillingService } from './admin.service.js';
import {
  addonSchema,
  adminPlanSchema,
  couponSchema,
  interval,
  invoiceDetailSchema,
  invoiceSchema,
  invoiceStatus,
  lang,
  limitsInput,
  prices,
  refundSchema,
  subscriptionSchema,
} from './billing.schemas.js';

const tag = 'Billing Admin';
const admin = access.superAdmin;

const code = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'Lowercase letters, digits, "-" and "_" (at most 64)');
const planBody = z.object({
  code,
  name: z.string().trim().min(1, 'Required').max(200),
  description: z.string().trim().max(2000).nullable().optional(),
  prices,
  interval: interval.default('month'),
  trialDays: z.number().int().min(0).max(365).default(0),
  limits: limitsInput.default({}),
  features: z.array(z.string().trim().min(1).max(200)).max(50).default([]),
  isPublic: z.boolean().default(true),
  isDefault: z.boolean().default(false).describe('The plan organizations without a subscription are on (their limits); at most one'),
  sortOrder: z.number().int().min(0).max(10_000).default(0),
});
const planPatch = z
  .object({
    code: code.optional(),
    name: z.string().trim().min(1, 'Required').max(200).optional(),
    description: z.string().trim().max(2000).nullable().optional(),
    prices: prices.optional(),
    interval: interval.optional(),
    trialDays: z.number().int().min(0).max(365).optional(),
    limits: limitsInput.optional(),
    features: z.array(z.string().trim().min(1).max(200)).max(50).optional(),
    isPublic: z.boolean().optional(),
    isDefault: z.boolean().optional(),
    sortOrder: z.number().int().min(0).max(10_000).optional(),
  })
  .strict();
const addonBody = z.object({
  code,
  name: z.string().trim().min(1, 'Required').max(200),
  description: z.string().trim().max(2000).nullable().optional(),
  prices,
  interval: interval.default('month'),
  limits: limitsInput.refine((l) => Object.values(l).some((v) => typeof v === 'number' && v > 0), 'An add-on adds to at least one limit'),
  isPublic: z.boolean().default(true),
});
const addonPatch = z
  .object({
    code: code.optional(),
    name: z.string().trim().min(1, 'Required').max(200).optional(),
    description: z.string().trim().max(2000).nullable().optional(),
    prices: prices.optional(),
    interval: interval.optional(),
    limits: limitsInput.optional(),
    isPublic: z.boolean().optional(),
  })
  .strict();
const couponCode = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z0-9_-]{3,40}$/, 'Letters, digits, "-" and "_" (3 to 40)');
const couponBody = z
  .object({
    code: couponCode,
    description: z.string().trim().max(500).nullable().optional(),
    percentOff: z.number().int().min(1).max(100).nullable().optional(),
    amountOff: prices.nullable().optional(),
    duration: z.enum(['once', 'repeating', 'forever']).default('once'),
    durationCycles: z.number().int().min(1).max(120).nullable().optional().describe('Invoices discounted, for `repeating`'),
    maxRedemptions: z.number().int().min(1).max(1_000_000).nullable().optional(),
    expiresAt: timestamp.nullable().optional(),
    planIds: z.array(z.string().max(64)).max(100).default([]).describe('Plans it applies to; empty: all'),
    active: z.boolean().default(true),
  })
  .superRefine((c, issue) => {
    if ((c.percentOff ? 1 : 0) + (c.amountOff ? 1 : 0) !== 1)
      issue.addIssue({ code: 'custom', path: ['percentOff'], message: 'Give either percentOff or amountOff' });
    if (c.duration === 'repeating' && !c.durationCycles)
      issue.addIssue({ code: 'custom', path: ['durationCycles'], message: 'Required for a repeating coupon' });
  });
const couponPatch = z
  .object({
    description: z.string().trim().max(500).nullable().optional(),
    maxRedemptions: z.number().int().min(1).max(1_000_000).nullable().optional(),
    expiresAt: timestamp.nullable().optional(),
    planIds: z.array(z.string().max(64)).max(100).optional(),
    active: z.boolean().optional(),
  })
  .strict()
  .describe('The discount itself cannot change once created; create another coupon.');

const mrrSchema = z.object({
  asOf: timestamp,
  data: z.array(
    z.object({
      currency: z.string(),
      mrr: z.number(),
      arr: z.number(),
      payingSubscriptions: z.number(),
      arpa: z.number().describe('Average MRR per paying subscription'),
    }),
  ),
  trialingSubscriptions: z.number(),
});
const byPlanSchema = z.object({
  from: timestamp,
  to: timestamp,
  data: z.array(
    z.object({
      planId: z.string().nullable(),
      planName: z.string(),
      currency: z.string(),
      revenue: z.number().describe('Paid less refunded, in the period'),
      invoices: z.number(),
      mrr: z.number(),
      subscriptions: z.number().describe('Paying subscriptions now'),
    }),
  ),
});
const monthlySchema = z.object({
  timezone: z.string(),
  data: z.array(
    z.object({ month: z.string(), currency: z.string(), revenue: z.number(), refunds: z.number(), net: z.number(), invoices: z.number() }),
  ),
});
const churnSchema = z.object({
  month: z.string(),
  timezone: z.string(),
  subscriptionsAtStart: z.number(),
  cancelled: z.number(),
  newSubscriptions: z.number(),
  churnRate: z.number().describe('Cancelled this month among those paying at its start, 0..1'),
  mrrChurned: z.array(z.object({ currency: z.string(), amount: z.number(), rate: z.number() })),
  organizations: z.number(),
});
const tzQuery = z.object({
  timezone: z
    .string()
    .max(64)
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'Not a time zone')
    .optional()
    .describe('Months on this clock (default Asia/Jakarta)'),
});

const settingsSchema = z.object({
  midtrans: z.object({
    enabled: z.boolean(),
    environment: z.enum(['sandbox', 'production']),
    serverKey: z.string().nullable().describe('Only its last 4 characters'),
    clientKey: z.string().nullable(),
    merchantId: z.string().nullable(),
    ready: z.boolean(),
    notificationUrl: z.string().nullable().describe('Set this as the Payment Notification URL in the Midtrans dashboard'),
  }),
  bankTransfer: z.object({
    enabled: z.boolean(),
    bankName: z.string().nullable(),
    accountNumber: z.string().nullable(),
    accountName: z.string().nullable(),
    instructions: z.string().nullable(),
    ready: z.boolean(),
  }),
  seller: z.object({ name: z.string(), address: z.string().nullable(), taxId: z.string().nullable(), email: z.string().nullable() }),
  invoices: z.object({ dueDays: z.number(), numberPrefix: z.string() }),
  dunning: z.object({ reminderDays: z.array(z.number()), cancelAfterDays: z.number() }),
});
const nullableText = (max: number) => z.string().trim().max(max).nullable().optional();
const settingsBody = z
  .object({
    midtrans: z
      .object({
        enabled: z.boolean().optional(),
        environment: z.enum(['sandbox', 'production']).optional(),
        serverKey: z.string().trim().min(10).max(200).nullable().optional().describe('Stored encrypted; null removes it; omit to keep'),
        clientKey: nullableText(200),
        merchantId: nullableText(100),
      })
      .strict()
      .optional(),
    bankTransfer: z
      .object({
        enabled: z.boolean().optional(),
        bankName: nullableText(100),
        accountNumber: z
          .string()
          .trim()
          .regex(/^[0-9 -]{4,40}$/, 'Digits')
          .nullable()
          .optional(),
        accountName: nullableText(200),
        instructions: nullableText(1000),
      })
      .strict()
      .optional(),
    seller: z
      .object({
        name: z.string().trim().min(1).max(200).optional(),
        address: nullableText(500),
        taxId: nullableText(50),
        email: z.string().email().max(320).nullable().optional(),
      })
      .strict()
      .optional(),
    invoices: z
      .object({
        dueDays: z.number().int().min(0).max(90).optional(),
        numberPrefix: z
          .string()
          .regex(/^[A-Z0-9]{1,10}$/, 'Capital letters and digits, at most 10')
          .optional(),
      })
      .strict()
      .optional(),
    dunning: z
      .object({
        reminderDays: z.array(z.number().int().min(0).max(90)).max(10).optional(),
        cancelAfterDays: z.number().int().min(1).max(180).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const adminInvoiceSchema = invoiceSchema.extend({ tenantId: z.string(), tenantName: z.string().nullable() });

export const billingAdminRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/billing-admin/plans',
    tag,
    summary: 'List all billing plans',
    access: admin,
    description:
      'Public and hidden plans, with how many live subscriptions each has. With no plan at all, billing is off: organizations are unlimited.',
    response: z.object({ data: z.array(adminPlanSchema) }),
    handler: async ({ ctx }) => {
      const plans = await catalogueService.listPlans(ctx);
      const counts = await catalogueService.subscribers(
        ctx,
        plans.map((p) => p.id),
      );
      return { data: plans.map((p) => ({ ...planView(p), subscribers: counts.get(p.id) ?? 0 })) };
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/billing-admin/plans',
    tag,
    summary: 'Create a billing plan',
    access: admin,
    status: 201,
    description: 'The first plan turns billing on. 409 naming `code` when it is taken.',
    body: planBody,
    response: adminPlanSchema,
    handler: async ({ ctx, body }) => ({ ...planView(await catalogueService.createPlan(ctx, body)), subscribers: 0 }),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/billing-admin/plans/{planId}',
    tag,
    summary: 'Get a billing plan by ID',
    access: admin,
    params: idParam('planId'),
    response: adminPlanSchema,
    handler: async ({ ctx, params }) => {
      const plan = await catalogueService.getPlan(ctx, params.planId);
      return { ...planView(plan), subscribers: (await catalogueService.subscribers(ctx, [plan.id])).get(plan.id) ?? 0 };
    },
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/billing-admin/plans/{planId}',
    tag,
    summary: 'Delete a billing plan',
    access: admin,
    status: 204,
    description: '409 while organizations are subscribed to it. Invoices keep naming it.',
    params: idParam('planId'),
    handler: ({ ctx, params }) => catalogueService.deletePlan(ctx, params.planId),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/v1/billing-admin/plans/{planId}',
    tag,
    summary: 'Update a billing plan',
    access: admin,
    description: 'New limits apply at once; new prices from each subscriber’s next invoice.',
    params: idParam('planId'),
    body: planPatch,
    response: adminPlanSchema,
    handler: async ({ ctx, params, body }) => {
      const plan = await catalogueService.updatePlan(ctx, params.planId, body);
      return { ...planView(plan), subscribers: (await catalogueService.subscribers(ctx, [plan.id])).get(plan.id) ?? 0 };
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/billing-admin/coupons',
    tag,
    summary: 'List all coupons',
    access: admin,
    response: z.object({ data: z.array(couponSchema) }),
    handler: async ({ ctx }) => ({ data: (await catalogueService.listCoupons(ctx)).map(couponView) }),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/billing-admin/coupons',
    tag,
    summary: 'Create a coupon',
    access: admin,
    status: 201,
    description: 'Either `percentOff` or `amountOff` (per currency). 409 naming `code` when it is taken.',
    body: couponBody,
    response: couponSchema,
    handler: async ({ ctx, body }) => couponView(await catalogueService.createCoupon(ctx, body)),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/billing-admin/coupons/{couponId}',
    tag,
    summary: 'Delete a coupon',
    access: admin,
    status: 204,
    description:
      'Subscriptions that had it are not discounted from their next invoice on (deactivate it instead to only stop new redemptions).',
    params: idParam('couponId'),
    handler: ({ ctx, params }) => catalogueService.deleteCoupon(ctx, params.couponId),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/v1/billing-admin/coupons/{couponId}',
    tag,
    summary: 'Update a coupon',
    access: admin,
    params: idParam('couponId'),
    body: couponPatch,
    response: couponSchema,
    handler: async ({ ctx, params, body }) => couponView(await catalogueService.updateCoupon(ctx, params.couponId, body)),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/billing-admin/addons',
    tag,
    summary: 'List all add-ons',
    access: admin,
    response: z.object({ data: z.array(addonSchema) }),
    handler: async ({ ctx }) => ({ data: (await catalogueService.listAddons(ctx)).map(addonView) }),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/billing-admin/addons',
    tag,
    summary: 'Create an add-on',
    access: admin,
    status: 201,
    body: addonBody,
    response: addonSchema,
    handler: async ({ ctx, body }) => addonView(await catalogueService.createAddon(ctx, body)),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/billing-admin/addons/{addonId}',
    tag,
    summary: 'Delete an add-on',
    access: admin,
    status: 204,
    description: '409 while a subscription uses it.',
    params: idParam('addonId'),
    handler: ({ ctx, params }) => catalogueService.deleteAddon(ctx, params.addonId),
  }),
  defineRoute({
    method: 'patch',
    path: '/api/v1/billing-admin/addons/{addonId}',
    tag,
    summary: 'Update an add-on',
    access: admin,
    params: idParam('addonId'),
    body: addonPatch,
    response: addonSchema,
    handler: async ({ ctx, params, body }) => addonView(await catalogueService.updateAddon(ctx, params.addonId, body)),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/billing-admin/analytics',
    tag,
    summary: 'Combined analytics dashboard',
    access: admin,
    description: 'MRR, revenue by plan (last 12 months), monthly revenue and this month’s churn, per currency.',
    query: tzQuery,
    response: z.object({ mrr: mrrSchema, revenueByPlan: byPlanSchema, revenueMonthly: monthlySchema, churn: churnSchema }),
    handler: ({ ctx, query }) => revenueService.dashboard(ctx, query),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/billing-admin/analytics/mrr',
    tag,
    summary: 'Monthly recurring revenue summary',
    access: admin,
    description:
      'Per currency, from active and past-due subscriptions: plan and add-ons, yearly prices as a twelfth, running coupons taken off.',
    response: mrrSchema,
    handler: ({ ctx }) => revenueService.mrr(ctx),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/billing-admin/analytics/revenue-by-plan',
    tag,
    summary: 'Revenue breakdown by plan',
    access: admin,
    description: 'Paid invoices less refunds paid from `from` to `to` (default: the last 12 months up to now), with each plan’s MRR now.',
    query: z.object({ from: timestamp.optional(), to: timestamp.optional() }),
    response: byPlanSchema,
    handler: ({ ctx, query }) => revenueService.revenueByPlan(ctx, query),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/billing-admin/analytics/revenue-monthly',
    tag,
    summary: 'Monthly revenue over time (last 12 months)',
    access: admin,
    query: tzQuery,
    response: monthlySchema,
    handler: ({ ctx, query }) => revenueService.revenueMonthly(ctx, query),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/billing-admin/analytics/churn',
    tag,
    summary: 'Churn metrics for current month',
    access: admin,
    query: tzQuery,
    response: churnSchema,
    handler: ({ ctx, query }) => revenueService.churn(ctx, query),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/billing-admin/invoices/{invoiceId}/refund',
    tag,
    summary: 'Refund an invoice',
    access: admin,
    status: 202,
    description:
      'Through the provider that was paid: Midtrans refunds by its API (a job; the refund is `pending` until Midtrans accepts it, `failed` with its reason when it refuses, e.g. a virtual-account payment); a bank transfer is sent back by the operator and recorded at once. Default amount: all that is left. `cancelSubscription` also cancels the subscription now. 409 when the invoice is not paid or nothing is left; 422 for too large an amount.',
    params: idParam('invoiceId'),
    body: z.object({
      amount: z.number().int().min(1).optional(),
      reason: z.string().trim().min(1, 'Required').max(500),
      cancelSubscription: z.boolean().default(false),
    }),
    response: refundSchema,
    handler: async ({ ctx, params, body }) => refundView(await refundInvoice(ctx, params.invoiceId, body)),
  }),
  // Beyond the catalogue: what the operator needs around it.
  defineRoute({
    method: 'get',
    path: '/api/v1/billing-admin/invoices',
    tag,
    summary: "List every organization's invoices",
    access: admin,
    query: pageQuery.extend({ status: invoiceStatus.optional(), tenantId: z.string().max(64).optional(), lang }),
    response: z.object({ data: z.array(adminInvoiceSchema), nextCursor: z.string().nullable() }),
    handler: ({ ctx, query }) => adminInvoicesService.list(ctx, query),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/billing-admin/invoices/{invoiceId}',
    tag,
    summary: 'Get any invoice with its payments and refunds',
    access: admin,
    params: idParam('invoiceId'),
    query: z.object({ lang }),
    response: invoiceDetailSchema.extend({ tenantId: z.string() }),
    handler: ({ ctx, params, query }) => adminInvoicesService.get(ctx, params.invoiceId, query.lang),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/billing-admin/invoices/{invoiceId}/mark-paid',
    tag,
    summary: 'Mark an invoice paid by bank transfer',
    access: admin,
    description:
      'The manual bank-transfer provider: the operator saw the money arrive. The subscription becomes active when nothing else is overdue. 409 when the invoice is not open.',
    params: idParam('invoiceId'),
    body: z.object({ reference: z.string().trim().max(200).optional().describe('The bank’s reference, kept with the payment') }),
    response: invoiceSchema,
    handler: async ({ ctx, params, body }) => invoiceView(await markPaid(ctx, params.invoiceId, body)),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/billing-admin/subscriptions',
    tag,
    summary: "List organizations' subscriptions",
    access: admin,
    query: pageQuery.extend({
      status: z.enum(['trialing', 'incomplete', 'active', 'past_due', 'cancelled']).optional(),
      tenantId: z.string().max(64).optional().describe("One organization's subscriptions, newest first"),
    }),
    response: z.object({
      data: z.array(subscriptionSchema.extend({ tenantId: z.string(), tenantName: z.string().nullable(), mrr: z.number() })),
      nextCursor: z.string().nullable(),
    }),
    handler: ({ ctx, query }) => adminBillingService.subscriptions(ctx, query),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/billing-admin/settings',
    tag,
    summary: 'Get billing settings',
    access: admin,
    description:
      'Payment providers (the Midtrans server key shown as its last 4 characters), the seller on invoices, due days and dunning.',
    response: settingsSchema,
    handler: ({ ctx }) => adminBillingService.settings(ctx),
  }),
  defineRoute({
    method: 'put',
    path: '/api/v1/billing-admin/settings',
    tag,
    summary: 'Update billing settings',
    access: admin,
    description:
      'Sections and fields given are changed; the rest kept. Enabling Midtrans needs a server key; enabling bank transfer needs a bank and account number (422 naming the field).',
    body: settingsBody,
    response: settingsSchema,
    handler: ({ ctx, body }) => adminBillingService.updateSettings(ctx, body),
  }),
];
