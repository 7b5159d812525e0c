// Identity and sessions in the web UI: the page a one-time password link opens (reset or first
// password), the "change your password" card on the profile and the organization choice at sign-in.
import { defineFeature, lazyPage } from '../app/feature';
import en from './i18n/en.json';
import id from './i18n/id.json';

declare module '../i18n' {
  interface FeatureCatalogues {
    security: typeof en;
  }
}

export const security = defineFeature({
  namespace: 'security',
  translations: { en, id },
  routes: [
    {
      path: '/reset-password',
      frame: 'public',
      page: lazyPage(() => import('./PasswordLinkPage').then((m) => m.PasswordLinkPage)),
    },
  ],
});
