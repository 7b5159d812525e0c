// This computer (the appliance): LAN access, the tunnel for Meta's webhooks, and backups.
import { defineFeature, lazyPage } from '../app/feature';
import en from './i18n/en.json';
import id from './i18n/id.json';

declare module '../i18n' {
  interface FeatureCatalogues {
    appliance: typeof en;
  }
}

export const appliance = defineFeature({
  namespace: 'appliance',
  translations: { en, id },
  settings: [
    {
      key: 'appliance',
      path: 'appliance',
      icon: 'monitor',
      permissions: [],
      operator: true,
      title: 'section.title',
      intro: 'section.intro',
      page: lazyPage(() => import('./AppliancePage').then((m) => m.AppliancePage)),
    },
  ],
});
