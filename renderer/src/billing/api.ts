// Billing's API for the web UI: the organization's (Billing) and the operator's (Billing Admin).
import { api } from '../api';

export type LimitName = 'agents' | 'channels' | 'monthlyConversations' | 'aiTokens';
export type Limits = Record<LimitName, number | null>;
export const LIMIT_NAMES: LimitName[] = ['agents', 'channels', 'monthlyConversations', 'aiTokens'];

export interface Plan {
  id: string;
  code: string;
  name: string;
  description: string | null;
  prices: Record<string, number>;
  interval: 'month' | 'year';
  trialDays: number;
  limits: Limits;
  features: string[];
  isPublic: boolean;
  isDefault: boolean;
  sortOrder: number;
  subscribers?: number;
}
export interface Addon {
  id: string;
  code: string;
  name: string;
  description: string | null;
  prices: Record<string, number>;
  interval: 'month' | 'year';
  limits: Limits;
  isPublic: boolean;
}
export interface Coupon {
  id: string;
  code: string;
  description: string | null;
  percentOff: number | null;
  amountOff: Record<string, number> | null;
  duration: 'once' | 'repeating' | 'forever';
  durationCycles: number | null;
  maxRedemptions: number | null;
  redemptions: number;
  expiresAt: string | null;
  active: boolean;
}
export interface Subscription {
  id: string;
  planId: string;
  status: 'trialing' | 'incomplete' | 'active' | 'past_due' | 'cancelled';
  currency: string;
  currentPeriodStart: string;
  currentPeriodEnd: string;
  trialEnd: string | null;
  cancelAtPeriodEnd: boolean;
  creditBalance: number;
  plan: Plan | null;
}
export interface SubscriptionState {
  billingEnabled: boolean;
  subscription: Subscription | null;
  planInForce: Plan | null;
  source: 'subscription' | 'default_plan' | 'none';
  limits: Limits;
  addons: { addon: Addon; quantity: number; attachedAt: string }[];
  openInvoices: { id: string; number: string; total: number; currency: string; dueAt: string }[];
}
export interface Usage {
  billingEnabled: boolean;
  plan: { id: string; name: string; code: string } | null;
  limits: Limits;
  usage: Record<LimitName, number>;
  warnings: { limit: LimitName; used: number; allowed: number; level: 'near' | 'reached' | 'over' }[];
}
export interface Payment {
  id: string;
  provider: 'midtrans' | 'bank_transfer';
  orderId: string;
  status: 'creating' | 'pending' | 'paid' | 'failed' | 'expired' | 'cancelled';
  amount: number;
  currency: string;
  redirectUrl: string | null;
  failureReason: string | null;
  bankTransfer: {
    bankName: string | null;
    accountNumber: string | null;
    accountName: string | null;
    instructions: string | null;
    reference: string;
  } | null;
}
export interface Invoice {
  id: string;
  number: string;
  status: 'open' | 'paid' | 'void' | 'refunded' | 'partially_refunded';
  currency: string;
  total: number;
  amountPaid: number;
  amountRefunded: number;
  issuedAt: string;
  dueAt: string;
  paidAt: string | null;
  paidVia: string | null;
  pdfUrl: string;
  lines: { kind: string; description: string; amount: number }[];
  tenantName?: string | null;
  payments?: Payment[];
}
export interface PaymentMethod {
  id: string;
  type: 'midtrans' | 'bank_transfer';
  label: string;
  isDefault: boolean;
}
export interface Settings {
  midtrans: {
    enabled: boolean;
    environment: 'sandbox' | 'production';
    serverKey: string | null;
    clientKey: string | null;
    ready: boolean;
    notificationUrl: string | null;
  };
  bankTransfer: {
    enabled: boolean;
    bankName: string | null;
    accountNumber: string | null;
    accountName: string | null;
    instructions: string | null;
    ready: boolean;
  };
  seller: { name: string; address: string | null; taxId: string | null; email: string | null };
  invoices: { dueDays: number; numberPrefix: string };
  dunning: { reminderDays: number[]; cancelAfterDays: number };
}
export interface Revenue {
  mrr: { data: { currency: string; mrr: number; arr: number; payingSubscriptions: number; arpa: number }[]; trialingSubscriptions: number };
  revenueByPlan: {
    data: {
      planId: string | null;
      planName: string;
      currency: string;
      revenue: number;
      invoices: number;
      mrr: number;
      subscriptions: number;
    }[];
  };
  revenueMonthly: { data: { month: string; currency: string; revenue: number; refunds: number; net: number }[] };
  churn: {
    month: string;
    subscriptionsAtStart: number;
    cancelled: number;
    newSubscriptions: number;
    churnRate: number;
    mrrChurned: { currency: string; amount: number; rate: number }[];
  };
}

const DIGITS: Record<string, number> = { IDR: 0, USD: 2, SGD: 2, MYR: 2, EUR: 2, AUD: 2 };
export const CURRENCIES = Object.keys(DIGITS);

/** An amount in minor units, written for the reader's language (Rp 150.000 / IDR 150,000). */
export function money(amount: number, currency: string, lang: string): string {
  const digits = DIGITS[currency] ?? 2;
  return new Intl.NumberFormat(lang.startsWith('id') ? 'id-ID' : 'en-US', {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(amount / 10 ** digits);
}
export const toMinor = (major: number, currency: string) => Math.round(major * 10 ** (DIGITS[currency] ?? 2));
export const toMajor = (minor: number, currency: string) => minor / 10 ** (DIGITS[currency] ?? 2);

const b = '/api/v1/billing';
export const billingApi = {
  subscription: () => api.get<SubscriptionState>(`${b}/subscription`),
  usage: () => api.get<Usage>(`${b}/usage`),
  plans: () => api.get<{ data: Plan[] }>(`${b}/plans`),
  addons: () => api.get<{ data: Addon[] }>(`${b}/addons`),
  subscribe: (body: { planId: string; currency?: string; couponCode?: string }) => api.post<SubscriptionState>(`${b}/subscription`, body),
  changePlan: (planId: string) => api.post<SubscriptionState>(`${b}/subscription/change-plan`, { planId }),
  cancel: (atPeriodEnd: boolean) => api.post<Subscription>(`${b}/subscription/cancel`, { atPeriodEnd }),
  attach: (addonId: string, quantity: number) => api.post(`${b}/subscription/addons`, { addonId, quantity }),
  detach: (addonId: string) => api.delete<void>(`${b}/subscription/addons/${addonId}`),
  validateCoupon: (code: string, planId?: string, currency?: string) =>
    api.post<{ valid: boolean; reason: string | null; coupon: Coupon | null }>(`${b}/coupons/validate`, { code, planId, currency }),
  invoices: (lang: string) => api.get<{ data: Invoice[]; nextCursor: string | null }>(`${b}/invoices?limit=50&lang=${lang}`),
  invoice: (id: string, lang: string) => api.get<Invoice>(`${b}/invoices/${id}?lang=${lang}`),
  pay: (id: string, provider?: 'midtrans' | 'bank_transfer') => api.post<Payment>(`${b}/invoices/${id}/pay`, provider ? { provider } : {}),
  methods: () => api.get<{ data: PaymentMethod[] }>(`${b}/payment-methods`),
  addMethod: (body: Record<string, unknown>) => api.post<PaymentMethod>(`${b}/payment-methods`, body),
  deleteMethod: (id: string) => api.delete<void>(`${b}/payment-methods/${id}`),
};

const a = '/api/v1/billing-admin';
export const billingAdminApi = {
  plans: () => api.get<{ data: Plan[] }>(`${a}/plans`),
  createPlan: (body: Record<string, unknown>) => api.post<Plan>(`${a}/plans`, body),
  updatePlan: (id: string, body: Record<string, unknown>) => api.patch<Plan>(`${a}/plans/${id}`, body),
  deletePlan: (id: string) => api.delete<void>(`${a}/plans/${id}`),
  addons: () => api.get<{ data: Addon[] }>(`${a}/addons`),
  createAddon: (body: Record<string, unknown>) => api.post<Addon>(`${a}/addons`, body),
  deleteAddon: (id: string) => api.delete<void>(`${a}/addons/${id}`),
  coupons: () => api.get<{ data: Coupon[] }>(`${a}/coupons`),
  createCoupon: (body: Record<string, unknown>) => api.post<Coupon>(`${a}/coupons`, body),
  updateCoupon: (id: string, body: Record<string, unknown>) => api.patch<Coupon>(`${a}/coupons/${id}`, body),
  deleteCoupon: (id: string) => api.delete<void>(`${a}/coupons/${id}`),
  invoices: (lang: string, status?: string) =>
    api.get<{ data: Invoice[] }>(`${a}/invoices?limit=100&lang=${lang}${status ? `&status=${status}` : ''}`),
  markPaid: (id: string, reference?: string) => api.post<Invoice>(`${a}/invoices/${id}/mark-paid`, reference ? { reference } : {}),
  refund: (id: string, body: { amount?: number; reason: string }) => api.post(`${a}/invoices/${id}/refund`, body),
  settings: () => api.get<Settings>(`${a}/settings`),
  saveSettings: (body: Record<string, unknown>) => api.put<Settings>(`${a}/settings`, body),
  revenue: () => api.get<Revenue>(`${a}/analytics`),
  tenantSubscriptions: (tenantId: string) =>
    api.get<{ data: (Subscription & { mrr: number })[] }>(`${a}/subscriptions?limit=1&tenantId=${encodeURIComponent(tenantId)}`),
};
