// Appliance features that run beside the API (LAN announcement, tunnel, backups).
import type { Services } from '../../core/context.js';
import type { JobRunner } from '../../core/jobs/queue.js';

export interface ApplianceFeatures {
  stop(): Promise<void>;
}

export async function startApplianceFeatures(_services: Services, _jobs: JobRunner, _port: number): Promise<ApplianceFeatures> {
  return { async stop() {} };
}
