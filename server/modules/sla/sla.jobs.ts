// Keeping SLA states current: a scheduled durable job re-evaluates every minute (so breaches are
// noticed on time even when nothing happens), and conversation and message events ask for a
// re-evaluation of their conversation (a first agent reply stops the first-response clock at once).
import type { Services } from '../../core/context.js';
import type { EventHandler } from '../../core/events/outbox.js';
import type { JobHandler } from '../../core/jobs/queue.js';
import type { Schedule } from '../../core/module.js';
import { SlaPolicyEntity } from './sla.entity.js';
import { SLA_EVALUATE_ALL, SLA_EVALUATE_ONE, evaluateAll, evaluateConversation, requestEvaluation } from './sla.service.js';

const TRIGGERS = ['conversation.created', 'conversation.status_changed', 'conversation.transferred', 'message.created'];

export const slaSchedules: Schedule[] = [{ cron: '* * * * *', job: SLA_EVALUATE_ALL }];

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

export function slaEvents(services: Services): Record<string, EventHandler> {
  const handlers: Record<string, EventHandler> = {};
  for (const type of TRIGGERS) {
    handlers[type] = async (event) => {
      const payload = event.payload as { conversation?: { id?: string }; message?: { direction?: string; senderType?: string } };
      const conversationId = payload.conversation?.id;
      if (!event.tenantId || !conversationId) return;
      // Only replies by people or AI agents move the clocks; customers' messages do not.
      if (
        type === 'message.created' &&
        !(payload.message?.direction === 'outbound' && ['agent', 'ai'].includes(String(payload.message?.senderType)))
      )
        return;
      if (!(await services.db.getRepository(SlaPolicyEntity).exists({ where: { tenantId: event.tenantId, enabled: true } }))) return;
      await requestEvaluation(services, event.tenantId, conversationId);
    };
  }
  return handlers;
}
