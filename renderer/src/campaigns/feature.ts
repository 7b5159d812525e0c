// Broadcast: WhatsApp templates, campaigns and outgoing webhooks (one page with a tab each), and the
// notice, on every screen, that an outgoing webhook its owner set up was turned off.
import { defineFeature, lazyPage } from '../app/feature';
import { BroadcastNotifications } from './BroadcastNotifications';
import en from './i18n/en.json';
import id from './i18n/id.json';

declare module '../i18n' {
  interface FeatureCatalogues {
    campaigns: typeof en;
  }
}

export const campaigns = defineFeature({
  namespace: 'campaigns',
  translations: { en, id },
  routes: [{ path: '/broadcast/*', frame: 'page', page: lazyPage(() => import('./BroadcastPage').then((m) => m.BroadcastPage)) }],
  nav: [
    {
      to: '/broadcast',
      icon: 'send',
      label: 'broadcast.nav',
      testId: 'nav-broadcast',
      permission: ['campaigns.manage', 'templates.manage', 'automation.manage'],
    },
  ],
  shellProvider: BroadcastNotifications,
});
