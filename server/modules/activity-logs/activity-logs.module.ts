// The activity-logs module: Reading the activity log (written by core/audit.ts).
import { defineModule } from '../../core/module.js';
import { activityLogRoutes } from './activity-logs.routes.js';

export const activityLogsModule = defineModule({
  name: 'activity-logs',
  routes: () => activityLogRoutes,
});
