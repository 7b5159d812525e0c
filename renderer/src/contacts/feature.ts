// Contacts: the list, a contact's card (also in the inbox's details panel) and merging duplicates.
import { defineFeature, lazyPage } from '../app/feature';
import en from './i18n/en.json';
import id from './i18n/id.json';

declare module '../i18n' {
  interface FeatureCatalogues {
    contacts: typeof en;
  }
}

export const contacts = defineFeature({
  namespace: 'contacts',
  translations: { en, id },
  routes: [{ path: '/contacts/:contactId?', page: lazyPage(() => import('./ContactsPage').then((m) => m.ContactsPage)) }],
  nav: [{ to: '/contacts', icon: 'contacts', label: 'navLabel', testId: 'nav-contacts', permission: 'contacts.view' }],
});
