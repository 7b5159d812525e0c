// Billing for the organization: its plan, usage against the limits, subscribing and changing plan,
// add-ons, invoices and paying (the page), and a banner across the shell before and at a limit. The
// operator's side (plans, coupons, invoices, revenue) is a tab of the operator's console.
import { defineFeature, lazyPage } from '../app/feature';
import { BillingBanner } from './BillingBanner';
import en from './i18n/en.json';
import id from './i18n/id.json';

declare module '../i18n' {
  interface FeatureCatalogues {
    billing: typeof en;
  }
}

export const billing = defineFeature({
  namespace: 'billing',
  translations: { en, id },
  routes: [{ path: '/billing', frame: 'page', page: lazyPage(() => import('./BillingPage').then((m) => m.BillingPage)) }],
  nav: [{ to: '/billing', icon: 'file', label: 'billing.nav', testId: 'nav-billing', permission: 'billing.manage' }],
  shellBanner: BillingBanner,
});
