// Channels: Settings → Channels (connect WhatsApp, Messenger, Instagram and email; each account's
// state, webhook details, test message; a channel's on/off switch) and the page Meta's login
// dialogs return to.
import { defineFeature, lazyPage } from '../app/feature';
import en from './i18n/en.json';
import id from './i18n/id.json';

declare module '../i18n' {
  interface FeatureCatalogues {
    channels: typeof en;
  }
}

export const channels = defineFeature({
  namespace: 'channels',
  translations: { en, id },
  routes: [{ path: '/channels/oauth', frame: 'page', page: lazyPage(() => import('./OAuthReturnPage').then((m) => m.OAuthReturnPage)) }],
  settings: [
    {
      key: 'channels',
      path: 'channels',
      icon: 'inbox',
      permissions: ['integrations.manage'],
      title: 'section.title',
      intro: 'section.intro',
      page: lazyPage(() => import('./ChannelsPage').then((m) => m.ChannelsPage)),
    },
  ],
});
