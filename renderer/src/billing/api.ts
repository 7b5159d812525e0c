// Billing's API for the web UI: the organization's (Billing) and the operator's (Billing Admin). The
// types are the server's, from the OpenAPI schema (../api/types.ts).
import { callApi, type ApiBody, type ApiItem, type ApiQuery, type ApiResponse } from '../api';

export type Usage = ApiResponse<'/api/v1/billing/usage', 'get'>;
export type Limits = Usage['limits'];
export type LimitName = keyof Limits;
export const LIMIT_NAMES: LimitName[] = ['agents', 'channels', 'monthlyConversations', 'aiTokens'];

export type Plan = ApiItem<'/api/v1/billing/plans', 'get'>;
export type AdminPlan = ApiItem<'/api/v1/billing-admin/plans', 'get'>;
export type Addon = ApiItem<'/api/v1/billing/addons', 'get'>;
export type AdminAddon = ApiItem<'/api/v1/billing-admin/addons', 'get'>;
export type Coupon = ApiItem<'/api/v1/billing-admin/coupons', 'get'>;
export type SubscriptionState = ApiResponse<'/api/v1/billing/subscription', 'get'>;
export type Subscription = NonNullable<SubscriptionState['subscription']>;
export type Payment = ApiResponse<'/api/v1/billing/invoices/{invoiceId}/pay', 'post'>;
export type Invoice = ApiItem<'/api/v1/billing/invoices', 'get'>;
export type InvoiceDetail = ApiResponse<'/api/v1/billing/invoices/{invoiceId}', 'get'>;
export type AdminInvoice = ApiItem<'/api/v1/billing-admin/invoices', 'get'>;
export type PaymentMethod = ApiItem<'/api/v1/billing/payment-methods', 'get'>;
export type Settings = ApiResponse<'/api/v1/billing-admin/settings', 'get'>;
export type Revenue = ApiResponse<'/api/v1/billing-admin/analytics', 'get'>;
type Lang = NonNullable<ApiQuery<'/api/v1/billing/invoices', 'get'>['lang']>;
/** The invoice language the server knows for the UI's language. */
const invoiceLang = (lang: string): Lang => (lang.startsWith('id') ? 'id' : 'en');

/** The currencies the server takes (it answers with them as plain strings). */
export type Currency = NonNullable<ApiBody<'/api/v1/billing/subscription', 'post'>['currency']>;
const DIGITS: Record<Currency, number> = { IDR: 0, USD: 2, SGD: 2, MYR: 2, EUR: 2, AUD: 2 };
export const CURRENCIES = Object.keys(DIGITS) as Currency[];
export const isCurrency = (value: string): value is Currency => value in DIGITS;

/** An amount in minor units, written for the reader's language (Rp 150.000 / IDR 150,000). */
export function money(amount: number, currency: string, lang: string): string {
  const digits = isCurrency(currency) ? DIGITS[currency] : 2;
  return new Intl.NumberFormat(lang.startsWith('id') ? 'id-ID' : 'en-US', {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(amount / 10 ** digits);
}
export const toMinor = (major: number, currency: string) => Math.round(major * 10 ** (isCurrency(currency) ? DIGITS[currency] : 2));
export const toMajor = (minor: number, currency: string) => minor / 10 ** (isCurrency(currency) ? DIGITS[currency] : 2);

export const billingApi = {
  subscription: () => callApi('get', '/api/v1/billing/subscription'),
  usage: () => callApi('get', '/api/v1/billing/usage'),
  plans: () => callApi('get', '/api/v1/billing/plans'),
  addons: () => callApi('get', '/api/v1/billing/addons'),
  subscribe: (body: ApiBody<'/api/v1/billing/subscription', 'post'>) => callApi('post', '/api/v1/billing/subscription', { body }),
  changePlan: (planId: string) => callApi('post', '/api/v1/billing/subscription/change-plan', { body: { planId } }),
  cancel: (atPeriodEnd: boolean) => callApi('post', '/api/v1/billing/subscription/cancel', { body: { atPeriodEnd } }),
  attach: (addonId: string, quantity: number) => callApi('post', '/api/v1/billing/subscription/addons', { body: { addonId, quantity } }),
  detach: (addonId: string) => callApi('delete', '/api/v1/billing/subscription/addons/{addonId}', { path: { addonId } }),
  validateCoupon: (code: string, planId?: string, currency?: Currency) =>
    callApi('post', '/api/v1/billing/coupons/validate', { body: { code, planId, currency } }),
  invoices: (lang: string) => callApi('get', '/api/v1/billing/invoices', { query: { limit: 50, lang: invoiceLang(lang) } }),
  invoice: (invoiceId: string, lang: string) =>
    callApi('get', '/api/v1/billing/invoices/{invoiceId}', { path: { invoiceId }, query: { lang: invoiceLang(lang) } }),
  pay: (invoiceId: string, provider?: Payment['provider']) =>
    callApi('post', '/api/v1/billing/invoices/{invoiceId}/pay', { path: { invoiceId }, body: provider ? { provider } : {} }),
  methods: () => callApi('get', '/api/v1/billing/payment-methods'),
  addMethod: (body: ApiBody<'/api/v1/billing/payment-methods', 'post'>) => callApi('post', '/api/v1/billing/payment-methods', { body }),
  deleteMethod: (paymentMethodId: string) =>
    callApi('delete', '/api/v1/billing/payment-methods/{paymentMethodId}', { path: { paymentMethodId } }),
};

export const billingAdminApi = {
  plans: () => callApi('get', '/api/v1/billing-admin/plans'),
  createPlan: (body: ApiBody<'/api/v1/billing-admin/plans', 'post'>) => callApi('post', '/api/v1/billing-admin/plans', { body }),
  updatePlan: (planId: string, body: ApiBody<'/api/v1/billing-admin/plans/{planId}', 'patch'>) =>
    callApi('patch', '/api/v1/billing-admin/plans/{planId}', { path: { planId }, body }),
  deletePlan: (planId: string) => callApi('delete', '/api/v1/billing-admin/plans/{planId}', { path: { planId } }),
  addons: () => callApi('get', '/api/v1/billing-admin/addons'),
  createAddon: (body: ApiBody<'/api/v1/billing-admin/addons', 'post'>) => callApi('post', '/api/v1/billing-admin/addons', { body }),
  deleteAddon: (addonId: string) => callApi('delete', '/api/v1/billing-admin/addons/{addonId}', { path: { addonId } }),
  coupons: () => callApi('get', '/api/v1/billing-admin/coupons'),
  createCoupon: (body: ApiBody<'/api/v1/billing-admin/coupons', 'post'>) => callApi('post', '/api/v1/billing-admin/coupons', { body }),
  updateCoupon: (couponId: string, body: ApiBody<'/api/v1/billing-admin/coupons/{couponId}', 'patch'>) =>
    callApi('patch', '/api/v1/billing-admin/coupons/{couponId}', { path: { couponId }, body }),
  deleteCoupon: (couponId: string) => callApi('delete', '/api/v1/billing-admin/coupons/{couponId}', { path: { couponId } }),
  invoices: (lang: string, status?: ApiQuery<'/api/v1/billing-admin/invoices', 'get'>['status']) =>
    callApi('get', '/api/v1/billing-admin/invoices', { query: { limit: 100, lang: invoiceLang(lang), status } }),
  markPaid: (invoiceId: string, reference?: string) =>
    callApi('post', '/api/v1/billing-admin/invoices/{invoiceId}/mark-paid', { path: { invoiceId }, body: reference ? { reference } : {} }),
  refund: (invoiceId: string, body: ApiBody<'/api/v1/billing-admin/invoices/{invoiceId}/refund', 'post'>) =>
    callApi('post', '/api/v1/billing-admin/invoices/{invoiceId}/refund', { path: { invoiceId }, body }),
  settings: () => callApi('get', '/api/v1/billing-admin/settings'),
  saveSettings: (body: ApiBody<'/api/v1/billing-admin/settings', 'put'>) => callApi('put', '/api/v1/billing-admin/settings', { body }),
  revenue: () => callApi('get', '/api/v1/billing-admin/analytics'),
  tenantSubscriptions: (tenantId: string) => callApi('get', '/api/v1/billing-admin/subscriptions', { query: { limit: 1, tenantId } }),
};
