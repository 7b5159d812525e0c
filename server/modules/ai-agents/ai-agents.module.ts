// The ai-agents module: AI agents that answer customers from the business's own knowledge on a
// local or cloud model (OpenAI-compatible), hand conversations to people, and help them in the
// composer. The model client, retrieval and runtime live in server/ai/.
import { defineModule } from '../../core/module.js';
import { aiEntities } from './ai-agents.entity.js';
import { AiAgents1733400000000 } from './ai-agents.migration.js';
import { aiAgentRoutes } from './ai-agents.routes.js';
import { aiAgentsEvents, aiAgentsJobs } from './ai-agents.jobs.js';

export const aiAgentsModule = defineModule({
  name: 'ai-agents',
  entities: aiEntities,
  migrations: [AiAgents1733400000000],
  routes: () => aiAgentRoutes,
  jobs: aiAgentsJobs,
  events: aiAgentsEvents,
  pushedEvents: ['ai_agent.handoff'],
});
