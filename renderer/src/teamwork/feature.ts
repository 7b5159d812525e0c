// The team workflow: divisions, transfers, quick replies, scheduled messages, working hours, SLA
// policies, chat expiration and CSAT. Its pieces show in the inbox (SLA badges, the transfer
// button, the quick-reply picker…); its settings are sections of the Settings area.
import { defineFeature, lazyPage } from '../app/feature';
import en from './i18n/en.json';
import id from './i18n/id.json';
import { TeamworkProvider } from './TeamworkProvider';

declare module '../i18n' {
  interface FeatureCatalogues {
    teamwork: typeof en;
  }
}

export const teamwork = defineFeature({
  namespace: 'teamwork',
  translations: { en, id },
  shellProvider: TeamworkProvider,
  settings: [
    {
      key: 'divisions',
      path: 'divisions',
      icon: 'contacts',
      permissions: ['divisions.manage'],
      title: 'sections.divisions.title',
      intro: 'sections.divisions.intro',
      page: lazyPage(() => import('./settings/DivisionsPage').then((m) => m.DivisionsPage)),
    },
    {
      key: 'quickReplies',
      path: 'quick-replies',
      icon: 'zap',
      permissions: ['messages.send'],
      title: 'sections.quickReplies.title',
      intro: 'sections.quickReplies.intro',
      page: lazyPage(() => import('./settings/QuickRepliesPage').then((m) => m.QuickRepliesPage)),
    },
    {
      key: 'workingHours',
      path: 'working-hours',
      icon: 'clock',
      permissions: ['settings.manage'],
      title: 'sections.workingHours.title',
      intro: 'sections.workingHours.intro',
      page: lazyPage(() => import('./settings/WorkingHoursPage').then((m) => m.WorkingHoursPage)),
    },
    {
      key: 'sla',
      path: 'sla',
      icon: 'gauge',
      permissions: ['settings.manage'],
      title: 'sections.sla.title',
      intro: 'sections.sla.intro',
      page: lazyPage(() => import('./settings/SlaPage').then((m) => m.SlaPage)),
    },
    {
      key: 'chatExpiration',
      path: 'chat-expiration',
      icon: 'resolve',
      permissions: ['settings.manage'],
      title: 'sections.chatExpiration.title',
      intro: 'sections.chatExpiration.intro',
      page: lazyPage(() => import('./settings/ChatExpirationPage').then((m) => m.ChatExpirationPage)),
    },
    {
      key: 'csat',
      path: 'csat',
      icon: 'star',
      permissions: ['settings.manage', 'analytics.view'],
      title: 'sections.csat.title',
      intro: 'sections.csat.intro',
      page: lazyPage(() => import('./settings/CsatPage').then((m) => m.CsatPage)),
    },
  ],
});
