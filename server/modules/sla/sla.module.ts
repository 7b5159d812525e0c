// The sla module: SLA policies, per-conversation clocks and breaches.
import { defineModule } from '../../core/module.js';
import { ConversationSlaEntity, SlaBreachEntity, SlaPolicyEntity } from './sla.entity.js';
import { slaRoutes } from './sla.routes.js';
import { slaJobs } from './sla.jobs.js';

export const slaModule = defineModule({
  name: 'sla',
  entities: [SlaPolicyEntity, ConversationSlaEntity, SlaBreachEntity],
  routes: () => slaRoutes,
  jobs: slaJobs,
  pushedEvents: ['sla.updated', 'sla.breached'],
});
