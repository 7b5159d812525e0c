// The shared inbox: conversation list, thread, composer and details. Loaded with the app (the
// screen agents live in), not on first visit.
import { defineFeature } from '../app/feature';
import en from './i18n/en.json';
import id from './i18n/id.json';
import { InboxPage } from './InboxPage';
import { OutboxBadge } from './OutboxBadge';

declare module '../i18n' {
  interface FeatureCatalogues {
    inbox: typeof en;
  }
}

export const inbox = defineFeature({
  namespace: 'inbox',
  translations: { en, id },
  routes: [{ path: '/inbox/:conversationId?', page: InboxPage }],
  nav: [{ to: '/inbox', icon: 'inbox', label: 'navLabel', testId: 'nav-inbox', permission: 'conversations.view', badge: OutboxBadge }],
});
