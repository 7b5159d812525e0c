// AI agents: agents with their persona, knowledge, products, assignments, handoff rules,
// playground and evaluations; the organization's model, orchestration rules and usage. The
// composer's "Suggest reply" and "Summarize" (AiAssist) live here too and are used by the inbox.
import { defineFeature, lazyPage } from '../app/feature';
import en from './i18n/en.json';
import id from './i18n/id.json';

declare module '../i18n' {
  interface FeatureCatalogues {
    aiAgents: typeof en;
  }
}

export const aiAgents = defineFeature({
  namespace: 'aiAgents',
  translations: { en, id },
  routes: [{ path: '/ai-agents/*', frame: 'page', page: lazyPage(() => import('./AiAgentsRoutes').then((m) => m.AiAgentsRoutes)) }],
  nav: [{ to: '/ai-agents', icon: 'star', label: 'aiAgents.nav', testId: 'nav-ai-agents', permission: 'ai_agents.manage' }],
});
