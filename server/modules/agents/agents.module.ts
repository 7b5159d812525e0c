// The agents module: The organization's people (agents): invite, edit, suspend, status.
import { defineModule } from '../../core/module.js';
import { UserEntity } from './agent.entity.js';
import { agentRoutes } from './agents.routes.js';

export const agentsModule = defineModule({
  name: 'agents',
  entities: [UserEntity],
  routes: () => agentRoutes,
  pushedEvents: ['agent.status_changed'],
});
