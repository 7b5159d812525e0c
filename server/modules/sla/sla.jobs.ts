// Keeping SLA states current: the automation engine's built-in "SLA checks" rule re-evaluates every
// minute (its schedule, so breaches are noticed on time even when nothing happens), and after
// conversation events and agents' replies (a first agent reply stops the first-response clock at
// once), through requestSlaCheck; these are the jobs it queues.
import type { Services } from '../../core/context.js';
import type { JobHandler } from '../../core/jobs/queue.js';
import { SLA_EVALUATE_ALL, SLA_EVALUATE_ONE, evaluateAll, evaluateConversation } from './sla.service.js';

export function slaJobs(services: Services): Record<string, JobHandler> {
  return {
    [SLA_EVALUATE_ALL]: async (job) => {
      await evaluateAll(services, typeof job.payload.tenantId === 'string' ? job.payload.tenantId : undefined);
    },
    [SLA_EVALUATE_ONE]: async (job) => {
      await evaluateConversation(services, String(job.payload.conversationId));
    },
  };
}
