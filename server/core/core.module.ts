// Housekeeping that keeps the appliance's database small: old delivered events and finished jobs.
import { And, In, IsNull, LessThan, Not } from 'typeorm';
import { defineModule } from './module.js';
import { DomainEventEntity } from './events/event.entity.js';
import { JobEntity } from './jobs/job.entity.js';
import { ActivityLogEntity } from './audit.entity.js';

const DAY = 24 * 3600 * 1000;

/** Core's own tables (events, jobs, the activity log) and their housekeeping, as a module of the server. */
export const coreModule = defineModule({
  name: 'core',
  entities: [DomainEventEntity, JobEntity, ActivityLogEntity],
  jobs: (services) => ({
    'maintenance.prune': async () => {
      const now = services.now().getTime();
      await services.db.getRepository(DomainEventEntity).delete({ dispatchedAt: And(Not(IsNull()), LessThan(new Date(now - 30 * DAY))) });
      await services.db.getRepository(JobEntity).delete({ status: In(['done']), updatedAt: LessThan(new Date(now - 7 * DAY)) });
    },
  }),
  schedules: [{ cron: '15 3 * * *', job: 'maintenance.prune' }],
});
