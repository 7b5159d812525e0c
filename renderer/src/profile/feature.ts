// The signed-in person's profile, organization and preferences (theme, sound, notifications).
import { defineFeature } from '../app/feature';
import en from './i18n/en.json';
import id from './i18n/id.json';
import { ProfilePage } from './ProfilePage';

declare module '../i18n' {
  interface FeatureCatalogues {
    profile: typeof en;
  }
}

export const profile = defineFeature({
  namespace: 'profile',
  translations: { en, id },
  routes: [{ path: '/profile', page: ProfilePage, frame: 'page' }],
  nav: [{ to: '/profile', icon: 'avatar', label: 'navLabel', testId: 'nav-profile', placement: 'account' }],
});
