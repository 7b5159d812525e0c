// The agents module: The organization's people (agents): invite, edit, suspend, status.
import { defineModule } from '../../core/module.js';
import { UserEntity } from './agent.entity.js';
import { PasswordResetEntity } from './password-reset.entity.js';
import { agentRoutes } from './agents.routes.js';
import { EmailPerOrganization1733050000000 } from './agents.migration.js';
import { passwordLinkJobs } from './password-reset.service.js';

export const agentsModule = defineModule({
  name: 'agents',
  entities: [UserEntity, PasswordResetEntity],
  migrations: [EmailPerOrganization1733050000000],
  routes: () => agentRoutes,
  jobs: passwordLinkJobs,
  pushedEvents: ['agent.status_changed'],
});
