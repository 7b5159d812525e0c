// The agents module: The organization's people (agents): invite, edit, suspend, status.
import { defineModule } from '../../core/module.js';
import { UserEntity } from './agent.entity.js';
import { PasswordResetEntity } from './password-reset.entity.js';
import { agentRoutes, invitationRoutes } from './agents.routes.js';
import { AgentInvitationEntity } from './invitation.entity.js';
import { invitationJobs } from './invitations.service.js';
import { EmailPerOrganization1733050000000 } from './agents.migration.js';
import { AgentInvitations1733610000002 } from './invitations.migration.js';
import { passwordLinkJobs } from './password-reset.service.js';

export const agentsModule = defineModule({
  name: 'agents',
  entities: [UserEntity, PasswordResetEntity, AgentInvitationEntity],
  migrations: [EmailPerOrganization1733050000000, AgentInvitations1733610000002],
  // The invitations come first: /agents/invitations is not an agent's id.
  routes: (kernel) => [...invitationRoutes(kernel), ...agentRoutes],
  jobs: (services) => ({ ...invitationJobs(services), ...passwordLinkJobs(services) }),
  pushedEvents: ['agent.status_changed'],
});
