// The working-hours module: Working hours, holidays, out-of-hours replies and the public status.
import { defineModule } from '../../core/module.js';
import { OutOfHoursReplyLogEntity, WorkingHoursEntity } from './working-hours.entity.js';
import { workingHoursRoutes } from './working-hours.routes.js';
import { workingHoursJobs } from './working-hours.jobs.js';

export const workingHoursModule = defineModule({
  name: 'working-hours',
  entities: [WorkingHoursEntity, OutOfHoursReplyLogEntity],
  routes: () => workingHoursRoutes,
  jobs: workingHoursJobs,
});
