// Automation: the rule builder, run history with explanations, the event log and the controls.
import { defineFeature, lazyPage } from '../app/feature';
import en from './i18n/en.json';
import id from './i18n/id.json';

declare module '../i18n' {
  interface FeatureCatalogues {
    automation: typeof en;
  }
}

export const automation = defineFeature({
  namespace: 'automation',
  translations: { en, id },
  routes: [{ path: '/automation', frame: 'page', page: lazyPage(() => import('./AutomationPage').then((m) => m.AutomationPage)) }],
  nav: [{ to: '/automation', icon: 'zap', label: 'automation.nav', testId: 'nav-automation', permission: 'automation.manage' }],
});
