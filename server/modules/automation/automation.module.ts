// The automation module: rules on real events (the built-in behaviours among them), the event log
// written with each change, the worker and its runs, schedules, the kill switch.
import { defineModule } from '../../core/module.js';
import {
  AutomationAlertEntity,
  AutomationControlEntity,
  AutomationEventEntity,
  AutomationRuleEntity,
  AutomationRuleVersionEntity,
  AutomationRunEntity,
} from './automation.entity.js';
import { Automation1733300000000 } from './automation.migration.js';
import { AutomationEventFields1733660000000 } from './automation-event-fields.migration.js';
import { AutomationUnmatchedRuns1733670000000 } from './automation-unmatched.migration.js';
import { AutomationRunIndex1733650000000 } from './automation-run-index.migration.js';
import { automationRoutes } from './automation.routes.js';
import { automationJobs, automationSchedules } from './automation.jobs.js';
import { automationOnEmit } from './event-log.js';
import { inlineProcessing } from './inline.js';

export const automationModule = defineModule({
  name: 'automation',
  entities: [
    AutomationRuleEntity,
    AutomationRuleVersionEntity,
    AutomationEventEntity,
    AutomationRunEntity,
    AutomationControlEntity,
    AutomationAlertEntity,
  ],
  migrations: [
    Automation1733300000000,
    AutomationRunIndex1733650000000,
    AutomationEventFields1733660000000,
    AutomationUnmatchedRuns1733670000000,
  ],
  routes: () => automationRoutes,
  jobs: automationJobs,
  // Events of many conversations (each its own queue) are processed up to 50 per commit.
  jobOptions: { 'automation.process': { batch: 50 } },
  schedules: automationSchedules,
  onEmit: (services) => automationOnEmit(services, inlineProcessing(services)),
  pushedEvents: ['automation.alert'],
});
