// Billing's API shapes (requests and responses), shared by its two route files.
import { z } from 'zod';
import { timestamp } from '../../core/http/schemas.js';
import { CURRENCY_CODES } from './money.js';

export const currency = z.enum(CURRENCY_CODES).describe('ISO 4217 currency code');
export const lang = z.enum(['en', 'id']).default('en').describe('Language of descriptions and the PDF');

export const prices = z
  .partialRecord(currency, z.number().int().min(0).max(1_000_000_000_000))
  .refine((p) => Object.keys(p).length > 0, 'At least one currency')
  .transform((p) => p as Record<string, number>)
  .describe('Price per currency, an integer in the minor unit used in practice (rupiah for IDR: 299000; cents for USD: 1900)');

const limit = z.number().int().min(0).max(1_000_000_000).nullable().optional();
export const limitsInput = z
  .object({ agents: limit, channels: limit, monthlyConversations: limit, aiTokens: limit })
  .strict()
  .describe('null or missing: unlimited');
export const limitsView = z.object({
  agents: z.number().nullable(),
  channels: z.number().nullable(),
  monthlyConversations: z.number().nullable(),
  aiTokens: z.number().nullable(),
});
const pricesView = z.record(z.string(), z.number());
export const interval = z.enum(['month', 'year']);

export const planSchema = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  prices: pricesView,
  interval,
  trialDays: z.number().int(),
  limits: limitsView,
  features: z.array(z.string()),
  isPublic: z.boolean(),
  isDefault: z.boolean(),
  sortOrder: z.number().int(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export const adminPlanSchema = planSchema.extend({ subscribers: z.number().int().describe('Live subscriptions on this plan') });

export const addonSchema = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  prices: pricesView,
  interval,
  limits: limitsView.describe('What one unit adds to the plan’s limits'),
  isPublic: z.boolean(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const couponSchema = z.object({
  id: z.string(),
  code: z.string(),
  description: z.string().nullable(),
  percentOff: z.number().nullable(),
  amountOff: pricesView.nullable(),
  duration: z.enum(['once', 'repeating', 'forever']),
  durationCycles: z.number().nullable(),
  maxRedemptions: z.number().nullable(),
  redemptions: z.number(),
  expiresAt: timestamp.nullable(),
  planIds: z.array(z.string()),
  active: z.boolean(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const subscriptionSchema = z.object({
  id: z.string(),
  planId: z.string(),
  status: z.enum(['trialing', 'incomplete', 'active', 'past_due', 'cancelled']),
  currency: z.string(),
  currentPeriodStart: timestamp,
  currentPeriodEnd: timestamp,
  trialEnd: timestamp.nullable(),
  cancelAtPeriodEnd: z.boolean(),
  cancelledAt: timestamp.nullable(),
  couponId: z.string().nullable(),
  creditBalance: z.number().describe('Credit taken off the next invoices (minor units)'),
  pastDueSince: timestamp.nullable(),
  createdAt: timestamp,
  plan: planSchema.nullable(),
});

export const attachedAddonSchema = z.object({ addon: addonSchema, quantity: z.number().int(), attachedAt: timestamp });

export const subscriptionStateSchema = z.object({
  billingEnabled: z.boolean().describe('False when the operator defined no plan: nothing is limited'),
  subscription: subscriptionSchema.nullable().describe('The live subscription (trialing, incomplete, active or past due)'),
  planInForce: planSchema.nullable().describe('Whose limits apply: the subscription’s plan, else the default plan'),
  source: z.enum(['subscription', 'default_plan', 'none']),
  limits: limitsView.describe('Limits in force, add-ons included; null is unlimited'),
  addons: z.array(attachedAddonSchema),
  openInvoices: z.array(z.object({ id: z.string(), number: z.string(), total: z.number(), currency: z.string(), dueAt: timestamp })),
});

export const usageSchema = z.object({
  billingEnabled: z.boolean(),
  period: z.object({ from: timestamp, to: timestamp }).describe("This calendar month on the organization's clock"),
  plan: z.object({ id: z.string(), name: z.string(), code: z.string() }).nullable(),
  limits: limitsView,
  usage: z.object({ agents: z.number(), channels: z.number(), monthlyConversations: z.number(), aiTokens: z.number() }),
  warnings: z.array(
    z.object({
      limit: z.enum(['agents', 'channels', 'monthlyConversations', 'aiTokens']),
      used: z.number(),
      allowed: z.number(),
      level: z.enum(['near', 'reached', 'over']).describe('near: 80% or more; reached: at the limit; over: beyond it'),
    }),
  ),
});

export const invoiceStatus = z.enum(['open', 'paid', 'void', 'refunded', 'partially_refunded']);
export const invoiceSchema = z.object({
  id: z.string(),
  number: z.string(),
  status: invoiceStatus,
  reason: z.string(),
  subscriptionId: z.string().nullable(),
  planId: z.string().nullable(),
  currency: z.string(),
  lines: z.array(
    z.object({
      kind: z.string(),
      description: z.string(),
      quantity: z.number(),
      unitAmount: z.number(),
      amount: z.number(),
      periodStart: z.string().nullable(),
      periodEnd: z.string().nullable(),
    }),
  ),
  subtotal: z.number(),
  discount: z.number(),
  credit: z.number(),
  total: z.number(),
  amountPaid: z.number(),
  amountRefunded: z.number(),
  periodStart: timestamp.nullable(),
  periodEnd: timestamp.nullable(),
  issuedAt: timestamp,
  dueAt: timestamp,
  paidAt: timestamp.nullable(),
  voidedAt: timestamp.nullable(),
  paidVia: z.string().nullable(),
  billedTo: z.string(),
  pdfUrl: z.string(),
});

export const paymentSchema = z.object({
  id: z.string(),
  invoiceId: z.string(),
  provider: z.enum(['midtrans', 'bank_transfer']),
  orderId: z.string(),
  status: z.enum(['creating', 'pending', 'paid', 'failed', 'expired', 'cancelled']),
  amount: z.number(),
  currency: z.string(),
  redirectUrl: z.string().nullable().describe('Midtrans: the hosted payment page (once the payment is pending)'),
  paymentType: z.string().nullable(),
  failureReason: z.string().nullable(),
  paidAt: timestamp.nullable(),
  createdAt: timestamp,
  bankTransfer: z
    .object({
      bankName: z.string().nullable(),
      accountNumber: z.string().nullable(),
      accountName: z.string().nullable(),
      instructions: z.string().nullable(),
      reference: z.string(),
    })
    .nullable(),
});

export const refundSchema = z.object({
  id: z.string(),
  invoiceId: z.string(),
  provider: z.string(),
  amount: z.number(),
  currency: z.string(),
  reason: z.string(),
  status: z.enum(['pending', 'succeeded', 'failed']),
  failureReason: z.string().nullable(),
  createdAt: timestamp,
  processedAt: timestamp.nullable(),
});

export const invoiceDetailSchema = invoiceSchema.extend({ payments: z.array(paymentSchema), refunds: z.array(refundSchema) });

export const paymentMethodSchema = z.object({
  id: z.string(),
  type: z.enum(['midtrans', 'bank_transfer']),
  label: z.string(),
  details: z.record(z.string(), z.unknown()),
  isDefault: z.boolean(),
  createdAt: timestamp,
});
