// Billing's tables: the operator's catalogue (plans, add-ons, coupons) and settings, and each
// organization's subscription, add-ons, invoices, payments, refunds and payment methods; payment
// providers' notifications are stored as received before they are acknowledged.
import { EntitySchema } from 'typeorm';
import { col } from '../../db/columns.js';

/** Amounts are integers in the currency's minor unit as used in practice (rupiah for IDR, cents for USD). */
export type Prices = Record<string, number>;
export type LimitName = 'agents' | 'channels' | 'monthlyConversations' | 'aiTokens';
/** A limit of null (or missing) is unlimited. */
export type Limits = Partial<Record<LimitName, number | null>>;
export type Interval = 'month' | 'year';

export interface Plan {
  id: string;
  code: string;
  name: string;
  description: string | null;
  prices: Prices;
  interval: Interval;
  trialDays: number;
  limits: Limits;
  features: string[];
  /** Offered to organizations (a hidden plan can still be given by the operator). */
  isPublic: boolean;
  /** The plan organizations without a subscription are on (at most one). */
  isDefault: boolean;
  sortOrder: number;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

export const PlanEntity = new EntitySchema<Plan>({
  name: 'BillingPlan',
  tableName: 'billing_plans',
  columns: {
    id: col.id,
    code: col.string(64),
    name: col.string(200),
    description: col.text(true),
    prices: col.json(),
    interval: col.string(10),
    trialDays: col.int(),
    limits: col.json(),
    features: col.json(),
    isPublic: col.bool(true),
    isDefault: col.bool(),
    sortOrder: col.int(),
    createdAt: col.time(),
    updatedAt: col.time(),
    deletedAt: col.time(true),
  },
});

export interface Addon {
  id: string;
  code: string;
  name: string;
  description: string | null;
  prices: Prices;
  interval: Interval;
  /** What one unit adds to the plan's limits. */
  limits: Limits;
  isPublic: boolean;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

export const AddonEntity = new EntitySchema<Addon>({
  name: 'BillingAddon',
  tableName: 'billing_addons',
  columns: {
    id: col.id,
    code: col.string(64),
    name: col.string(200),
    description: col.text(true),
    prices: col.json(),
    interval: col.string(10),
    limits: col.json(),
    isPublic: col.bool(true),
    createdAt: col.time(),
    updatedAt: col.time(),
    deletedAt: col.time(true),
  },
});

export type CouponDuration = 'once' | 'repeating' | 'forever';

export interface Coupon {
  id: string;
  code: string;
  description: string | null;
  percentOff: number | null;
  /** A fixed discount per currency (minor units). */
  amountOff: Prices | null;
  duration: CouponDuration;
  durationCycles: number | null;
  maxRedemptions: number | null;
  redemptions: number;
  expiresAt: Date | null;
  /** Plans it applies to; empty: every plan. */
  planIds: string[];
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export const CouponEntity = new EntitySchema<Coupon>({
  name: 'BillingCoupon',
  tableName: 'billing_coupons',
  columns: {
    id: col.id,
    code: col.string(64),
    description: col.text(true),
    percentOff: { type: 'integer', nullable: true },
    amountOff: col.json(true),
    duration: col.string(20),
    durationCycles: { type: 'integer', nullable: true },
    maxRedemptions: { type: 'integer', nullable: true },
    redemptions: col.int(),
    expiresAt: col.time(true),
    planIds: col.json(),
    active: col.bool(true),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});

/** incomplete: waiting for the first payment. */
export type SubscriptionStatus = 'trialing' | 'incomplete' | 'active' | 'past_due' | 'cancelled';

export interface Subscription {
  id: string;
  tenantId: string;
  planId: string;
  status: SubscriptionStatus;
  currency: string;
  currentPeriodStart: Date;
  currentPeriodEnd: Date;
  trialEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  cancelledAt: Date | null;
  cancelReason: string | null;
  couponId: string | null;
  /** Invoices left that the coupon discounts (null: forever). */
  couponCyclesLeft: number | null;
  /** Credit from downgrades and detached add-ons, taken off the next invoices (minor units). */
  creditBalance: number;
  pastDueSince: Date | null;
  /** Dunning reminders sent for the current overdue invoice. */
  dunningStep: number;
  createdAt: Date;
  updatedAt: Date;
}

export const SubscriptionEntity = new EntitySchema<Subscription>({
  name: 'BillingSubscription',
  tableName: 'billing_subscriptions',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    planId: col.ref(),
    status: col.string(20),
    currency: col.string(3),
    currentPeriodStart: col.time(),
    currentPeriodEnd: col.time(),
    trialEnd: col.time(true),
    cancelAtPeriodEnd: col.bool(),
    cancelledAt: col.time(true),
    cancelReason: col.string(500, true),
    couponId: col.ref(true),
    couponCyclesLeft: { type: 'integer', nullable: true },
    creditBalance: col.int(),
    pastDueSince: col.time(true),
    dunningStep: col.int(),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});

export interface SubscriptionAddon {
  id: string;
  tenantId: string;
  subscriptionId: string;
  addonId: string;
  quantity: number;
  createdAt: Date;
}

export const SubscriptionAddonEntity = new EntitySchema<SubscriptionAddon>({
  name: 'BillingSubscriptionAddon',
  tableName: 'billing_subscription_addons',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    subscriptionId: col.ref(),
    addonId: col.ref(),
    quantity: col.int(1),
    createdAt: col.time(),
  },
});

export type InvoiceStatus = 'open' | 'paid' | 'void' | 'refunded' | 'partially_refunded';
export type InvoiceReason = 'subscription_create' | 'subscription_cycle' | 'subscription_update' | 'addon';

export interface InvoiceLine {
  kind: 'plan' | 'addon' | 'proration' | 'discount' | 'credit';
  description: string;
  /** For translation of the PDF: the line's meaning without the names in it. */
  descriptionKey?: string;
  descriptionArgs?: Record<string, string | number>;
  quantity: number;
  unitAmount: number;
  amount: number;
  periodStart?: string;
  periodEnd?: string;
}

export interface Invoice {
  id: string;
  tenantId: string;
  subscriptionId: string | null;
  planId: string | null;
  number: string;
  status: InvoiceStatus;
  reason: InvoiceReason;
  currency: string;
  lines: InvoiceLine[];
  subtotal: number;
  discount: number;
  credit: number;
  total: number;
  amountPaid: number;
  amountRefunded: number;
  periodStart: Date | null;
  periodEnd: Date | null;
  issuedAt: Date;
  dueAt: Date;
  paidAt: Date | null;
  voidedAt: Date | null;
  /** How it was paid: midtrans or bank_transfer. */
  paidVia: string | null;
  /** Who the invoice is for, as of issuing (the organization's name). */
  billedTo: string;
  createdAt: Date;
  updatedAt: Date;
}

export const InvoiceEntity = new EntitySchema<Invoice>({
  name: 'BillingInvoice',
  tableName: 'billing_invoices',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    subscriptionId: col.ref(true),
    planId: col.ref(true),
    number: col.string(40),
    status: col.string(20),
    reason: col.string(40),
    currency: col.string(3),
    lines: col.json(),
    subtotal: col.int(),
    discount: col.int(),
    credit: col.int(),
    total: col.int(),
    amountPaid: col.int(),
    amountRefunded: col.int(),
    periodStart: col.time(true),
    periodEnd: col.time(true),
    issuedAt: col.time(),
    dueAt: col.time(),
    paidAt: col.time(true),
    voidedAt: col.time(true),
    paidVia: col.string(20, true),
    billedTo: col.string(200),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});

export type PaymentStatus = 'creating' | 'pending' | 'paid' | 'failed' | 'expired' | 'cancelled';

export interface Payment {
  id: string;
  tenantId: string;
  invoiceId: string;
  provider: 'midtrans' | 'bank_transfer';
  /** The provider's order id (Midtrans order_id): unique per attempt. */
  orderId: string;
  status: PaymentStatus;
  amount: number;
  currency: string;
  redirectUrl: string | null;
  providerToken: string | null;
  providerTransactionId: string | null;
  paymentType: string | null;
  failureReason: string | null;
  /** Where the payer returns after the hosted page. */
  returnUrl: string | null;
  paidAt: Date | null;
  /** Who marked a bank transfer paid (super-admin id). */
  confirmedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const PaymentEntity = new EntitySchema<Payment>({
  name: 'BillingPayment',
  tableName: 'billing_payments',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    invoiceId: col.ref(),
    provider: col.string(20),
    orderId: col.string(64),
    status: col.string(20),
    amount: col.int(),
    currency: col.string(3),
    redirectUrl: col.string(1000, true),
    providerToken: col.string(200, true),
    providerTransactionId: col.string(200, true),
    paymentType: col.string(50, true),
    failureReason: col.string(1000, true),
    returnUrl: col.string(1000, true),
    paidAt: col.time(true),
    confirmedBy: col.ref(true),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});

export type RefundStatus = 'pending' | 'succeeded' | 'failed';

export interface Refund {
  id: string;
  tenantId: string;
  invoiceId: string;
  paymentId: string | null;
  provider: string;
  amount: number;
  currency: string;
  reason: string;
  status: RefundStatus;
  /** Sent to the provider so a retried request refunds once (Midtrans refund_key). */
  refundKey: string;
  failureReason: string | null;
  createdBy: string | null;
  createdAt: Date;
  processedAt: Date | null;
}

export const RefundEntity = new EntitySchema<Refund>({
  name: 'BillingRefund',
  tableName: 'billing_refunds',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    invoiceId: col.ref(),
    paymentId: col.ref(true),
    provider: col.string(20),
    amount: col.int(),
    currency: col.string(3),
    reason: col.string(500),
    status: col.string(20),
    refundKey: col.string(64),
    failureReason: col.string(1000, true),
    createdBy: col.ref(true),
    createdAt: col.time(),
    processedAt: col.time(true),
  },
});

export interface PaymentMethod {
  id: string;
  tenantId: string;
  type: 'midtrans' | 'bank_transfer';
  label: string;
  /** midtrans: {enabledPayments?: string[]}; bank_transfer: {bankName, accountName, accountNumberLast4?}. */
  details: Record<string, unknown>;
  isDefault: boolean;
  createdAt: Date;
}

export const PaymentMethodEntity = new EntitySchema<PaymentMethod>({
  name: 'BillingPaymentMethod',
  tableName: 'billing_payment_methods',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    type: col.string(20),
    label: col.string(200),
    details: col.json(),
    isDefault: col.bool(),
    createdAt: col.time(),
  },
});

/** A payment provider's notification, stored as received (before the acknowledgement). */
export interface PaymentNotification {
  id: string;
  provider: string;
  /** Same notification twice (provider retries): same key, stored once. */
  dedupeKey: string;
  orderId: string;
  payload: Record<string, unknown>;
  status: 'received' | 'processed' | 'ignored';
  result: string | null;
  receivedAt: Date;
  processedAt: Date | null;
}

export const PaymentNotificationEntity = new EntitySchema<PaymentNotification>({
  name: 'BillingPaymentNotification',
  tableName: 'billing_payment_notifications',
  columns: {
    id: col.id,
    provider: col.string(20),
    dedupeKey: col.string(200),
    orderId: col.string(64),
    payload: col.json(),
    status: col.string(20),
    result: col.string(500, true),
    receivedAt: col.time(),
    processedAt: col.time(true),
  },
});

/** Appliance-wide billing settings (one row per key; secrets sealed with the vault). */
export interface BillingSetting {
  key: string;
  value: Record<string, unknown>;
  updatedAt: Date;
}

export const BillingSettingEntity = new EntitySchema<BillingSetting>({
  name: 'BillingSetting',
  tableName: 'billing_settings',
  columns: {
    key: { type: 'varchar', length: 64, primary: true },
    value: col.json(),
    updatedAt: col.time(),
  },
});

/** Sequences (invoice numbers per year). */
export interface BillingCounter {
  key: string;
  value: number;
}

export const BillingCounterEntity = new EntitySchema<BillingCounter>({
  name: 'BillingCounter',
  tableName: 'billing_counters',
  columns: {
    key: { type: 'varchar', length: 64, primary: true },
    value: col.int(),
  },
});
