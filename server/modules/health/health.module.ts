// The health module: Health and readiness checks.
import { defineModule } from '../../core/module.js';
import { healthRoutes } from './health.routes.js';

export const healthModule = defineModule({
  name: 'health',
  routes: (kernel) => healthRoutes(kernel.jobsRunning, kernel.startedAt),
});
