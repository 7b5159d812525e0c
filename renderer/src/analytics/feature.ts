// The organization's analytics dashboard: KPIs, trends, agents, channels, CSAT, WhatsApp pricing and
// templates, with charts and a CSV of every table.
import { defineFeature, lazyPage } from '../app/feature';
import en from './i18n/en.json';
import id from './i18n/id.json';

declare module '../i18n' {
  interface FeatureCatalogues {
    analytics: typeof en;
  }
}

export const analytics = defineFeature({
  namespace: 'analytics',
  translations: { en, id },
  routes: [{ path: '/analytics', frame: 'page', page: lazyPage(() => import('./AnalyticsPage').then((m) => m.AnalyticsPage)) }],
  nav: [{ to: '/analytics', icon: 'chart', label: 'analytics.nav', testId: 'nav-analytics', permission: 'analytics.view' }],
});
