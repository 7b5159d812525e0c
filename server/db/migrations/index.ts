import { Foundation1732600000000 } from './1732600000000-foundation.js';
import { Messaging1732700000000 } from './1732700000000-messaging.js';
import { Channels1732800000000 } from './1732800000000-channels.js';
import { RepliesSchedulesCsat1732810000000 } from './1732810000000-replies-schedules-csat.js';
import { TeamWorkflow1732820000000 } from './1732820000000-team-workflow.js';
import { PerformanceIndexes1732890000000 } from './1732890000000-performance-indexes.js';
import { RedundantIndexes1733690000000 } from './1733690000000-redundant-indexes.js';

/** The schema as it stood when modules began to bring their own migrations (their manifests list those), and later changes to the indexes these made. Reviewed by hand; never generated at run time. */
export const baselineMigrations = [
  Foundation1732600000000,
  Messaging1732700000000,
  Channels1732800000000,
  RepliesSchedulesCsat1732810000000,
  TeamWorkflow1732820000000,
  PerformanceIndexes1732890000000,
  RedundantIndexes1733690000000,
];
