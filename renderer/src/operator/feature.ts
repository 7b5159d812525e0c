// The operator's console (super-admins: organizations, users, usage, health, super-admin accounts)
// with its own sign-in, the impersonation banner in the shell, and the public reset-password page.
import { defineFeature, lazyPage } from '../app/feature';
import { ImpersonationBanner } from './ImpersonationBanner';
import en from './i18n/en.json';
import id from './i18n/id.json';

declare module '../i18n' {
  interface FeatureCatalogues {
    operator: typeof en;
  }
}

export const operator = defineFeature({
  namespace: 'operator',
  translations: { en, id },
  routes: [
    { path: '/operator', frame: 'bare', page: lazyPage(() => import('./OperatorPage').then((m) => m.OperatorPage)) },
    {
      path: '/reset-password/:token',
      frame: 'public',
      page: lazyPage(() => import('./ResetPasswordPage').then((m) => m.ResetPasswordPage)),
    },
  ],
  shellBanner: ImpersonationBanner,
});
