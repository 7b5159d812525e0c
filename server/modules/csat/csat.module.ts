// The csat module: Customer satisfaction surveys on resolve, their answers and the public rating page.
import { defineModule } from '../../core/module.js';
import { CsatSettingsEntity, CsatSurveyEntity } from './csat.entity.js';
import { csatRoutes } from './csat.routes.js';
import { csatEvents, csatJobs } from './csat.jobs.js';
import { csatPages } from './csat.page.js';

export const csatModule = defineModule({
  name: 'csat',
  entities: [CsatSettingsEntity, CsatSurveyEntity],
  routes: () => csatRoutes,
  jobs: csatJobs,
  events: csatEvents,
  pushedEvents: ['csat.answered'],
  pages: csatPages,
});
