// Housekeeping that keeps the appliance's database small: old delivered events and finished jobs.
import { And, In, IsNull, LessThan, Not } from 'typeorm';
import type { Services } from './core/context.js';
import type { JobRunner } from './core/jobs/queue.js';
import { DomainEventEntity } from './core/events/event.entity.js';
import { JobEntity } from './core/jobs/job.entity.js';

const DAY = 24 * 3600 * 1000;

export function registerMaintenance(services: Services, jobs: JobRunner): void {
  jobs.register('maintenance.prune', async () => {
    const now = services.now().getTime();
    await services.db.getRepository(DomainEventEntity).delete({ dispatchedAt: And(Not(IsNull()), LessThan(new Date(now - 30 * DAY))) });
    await services.db.getRepository(JobEntity).delete({ status: In(['done']), updatedAt: LessThan(new Date(now - 7 * DAY)) });
  });
  jobs.schedule('15 3 * * *', 'maintenance.prune');
}
