// Liveness of the appliance's parts: database, data-dir storage, background jobs.
import { access, constants } from 'node:fs/promises';
import type { Services } from '../../core/context.js';

export type ServiceState = 'up' | 'down';

export async function checkHealth(services: Services, jobsRunning: () => boolean, startedAt: number) {
  const checks: Record<string, ServiceState> = {};
  const detail: Record<string, string> = {};
  try {
    await services.db.query('SELECT 1');
    checks.database = 'up';
  } catch (err) {
    checks.database = 'down';
    detail.database = (err as Error).message;
  }
  try {
    await access(services.config.dataDir, constants.W_OK);
    checks.storage = 'up';
  } catch (err) {
    checks.storage = 'down';
    detail.storage = (err as Error).message;
  }
  checks.jobs = jobsRunning() ? 'up' : 'down';
  if (checks.jobs === 'down') detail.jobs = 'The background job runner is not running';
  const healthy = Object.values(checks).every((s) => s === 'up');
  return {
    healthy,
    body: {
      status: healthy ? ('healthy' as const) : ('degraded' as const),
      services: checks,
      ...(healthy ? {} : { errors: detail }),
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      time: services.now().toISOString(),
    },
  };
}
