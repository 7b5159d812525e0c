// The team's administration: agents and invitations, roles and their permissions, API keys, and the
// activity log; and the page an invitation link opens.
import { defineFeature, lazyPage } from '../app/feature';
import en from './i18n/en.json';
import id from './i18n/id.json';

declare module '../i18n' {
  interface FeatureCatalogues {
    team: typeof en;
  }
}

export const team = defineFeature({
  namespace: 'team',
  translations: { en, id },
  routes: [{ path: '/invite/:token', frame: 'public', page: lazyPage(() => import('./InvitePage').then((m) => m.InvitePage)) }],
  settings: [
    {
      key: 'team',
      path: 'team',
      icon: 'user',
      permissions: ['agents.view'],
      title: 'sections.team.title',
      intro: 'sections.team.intro',
      page: lazyPage(() => import('./AgentsPage').then((m) => m.AgentsPage)),
    },
    {
      key: 'roles',
      path: 'roles',
      icon: 'lock',
      permissions: ['roles.view'],
      title: 'sections.roles.title',
      intro: 'sections.roles.intro',
      page: lazyPage(() => import('./RolesPage').then((m) => m.RolesPage)),
    },
    {
      key: 'apiKeys',
      path: 'api-keys',
      icon: 'zap',
      permissions: ['api_keys.manage'],
      title: 'sections.apiKeys.title',
      intro: 'sections.apiKeys.intro',
      page: lazyPage(() => import('./ApiKeysPage').then((m) => m.ApiKeysPage)),
    },
    {
      key: 'activity',
      path: 'activity',
      icon: 'clock',
      permissions: ['activity_logs.view'],
      title: 'sections.activity.title',
      intro: 'sections.activity.intro',
      page: lazyPage(() => import('./ActivityPage').then((m) => m.ActivityPage)),
    },
  ],
});
