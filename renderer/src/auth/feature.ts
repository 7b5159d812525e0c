// Signing in and registering an organization.
import { defineFeature } from '../app/feature';
import en from './i18n/en.json';
import id from './i18n/id.json';
import { LoginPage } from './LoginPage';
import { RegisterPage } from './RegisterPage';

declare module '../i18n' {
  interface FeatureCatalogues {
    auth: typeof en;
  }
}

export const auth = defineFeature({
  namespace: 'auth',
  translations: { en, id },
  routes: [
    { path: '/login', page: LoginPage, frame: 'public' },
    { path: '/register', page: RegisterPage, frame: 'public' },
  ],
});
