// The agents module: The organization's people (agents): invite, edit, suspend, status.
import { defineModule } from '../../core/module.js';
import { UserEntity } from './agent.entity.js';
import { agentRoutes, invitationRoutes } from './agents.routes.js';
import { AgentInvitationEntity } from './invitation.entity.js';
import { invitationJobs } from './invitations.service.js';
import { AgentInvitations1733610000002 } from './agents.migration.js';

export const agentsModule = defineModule({
  name: 'agents',
  entities: [UserEntity, AgentInvitationEntity],
  migrations: [AgentInvitations1733610000002],
  // The invitations come first: /agents/invitations is not an agent's id.
  routes: (kernel) => [...invitationRoutes(kernel), ...agentRoutes],
  jobs: invitationJobs,
  pushedEvents: ['agent.status_changed'],
});
