// Full-text search over messages, opening the conversation at the message found.
import { defineFeature, lazyPage } from '../app/feature';
import en from './i18n/en.json';
import id from './i18n/id.json';

declare module '../i18n' {
  interface FeatureCatalogues {
    search: typeof en;
  }
}

export const search = defineFeature({
  namespace: 'search',
  translations: { en, id },
  routes: [{ path: '/search', page: lazyPage(() => import('./SearchPage').then((m) => m.SearchPage)) }],
  nav: [{ to: '/search', icon: 'search', label: 'navLabel', testId: 'nav-search', permission: 'conversations.view' }],
});
