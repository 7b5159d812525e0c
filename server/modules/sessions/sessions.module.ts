// The sessions module: the session every tenant token names, so logout, password changes,
// suspensions, role changes and API-key revocations end tokens (and open sockets) at once.
import { defineModule } from '../../core/module.js';
import { SessionEntity } from './session.entity.js';
import { Sessions1733050100000 } from './sessions.migration.js';
import { pruneSessions } from './sessions.service.js';

export const sessionsModule = defineModule({
  name: 'sessions',
  entities: [SessionEntity],
  migrations: [Sessions1733050100000],
  jobs: (services) => ({ 'sessions.prune': () => pruneSessions(services) }),
  schedules: [{ cron: '35 3 * * *', job: 'sessions.prune' }],
});
