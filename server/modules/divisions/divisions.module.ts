// The divisions module: Divisions (teams) and their members; routing new conversations; who may see which conversation.
import { defineModule } from '../../core/module.js';
import { DivisionAgentEntity, DivisionEntity } from './division.entity.js';
import { divisionRoutes } from './divisions.routes.js';
import { divisionJobs } from './routing.service.js';
import { realtimeVisibility } from './visibility.service.js';

export const divisionsModule = defineModule({
  name: 'divisions',
  entities: [DivisionEntity, DivisionAgentEntity],
  routes: () => divisionRoutes,
  jobs: divisionJobs,
  provides: (services) => ({ visibility: realtimeVisibility(services) }),
});
