// CSAT background work. Events from the outbox start it (a conversation resolved, a customer's
// list reply); each handler only enqueues a durable job, so nothing is lost to a restart.
import type { Services } from '../../core/context.js';
import type { EventHandler } from '../../core/events/outbox.js';
import { enqueueJob, type JobHandler } from '../../core/jobs/queue.js';
import {
  ANSWER_JOB,
  RESOLVED_JOB,
  SEND_JOB,
  answerFromMessage,
  deliverSurvey,
  loadSettings,
  parseRowId,
  surveyOnResolve,
} from './csat.service.js';

interface StatusChangedPayload {
  conversation?: { id?: string };
  to?: string;
  reason?: string;
}
interface MessageCreatedPayload {
  message?: { id?: string; direction?: string; content?: { interactive?: { id?: string } } };
}

export function csatEvents(services: Services): Record<string, EventHandler> {
  return {
    'conversation.status_changed': async (event) => {
      const payload = event.payload as StatusChangedPayload;
      const conversationId = payload.conversation?.id;
      // A conversation closed because it only held a survey answer gets no survey of its own.
      if (!event.tenantId || !conversationId || payload.to !== 'resolved' || payload.reason === 'csat_answer') return;
      if (!(await loadSettings(services, event.tenantId)).enabled) return;
      await services.transaction((m) =>
        enqueueJob(m, RESOLVED_JOB, { conversationId, eventId: event.id }, services.now(), { tenantId: event.tenantId, maxAttempts: 10 }),
      );
    },

    'message.created': async (event) => {
      const message = (event.payload as MessageCreatedPayload).message;
      if (!event.tenantId || !message?.id || message.direction !== 'inbound' || !parseRowId(message.content?.interactive?.id)) return;
      // Two answers may run in any order: the survey takes the first one that is recorded (a conditional update).
      await services.transaction((m) =>
        enqueueJob(m, ANSWER_JOB, { messageId: message.id }, services.now(), { tenantId: event.tenantId, maxAttempts: 10 }),
      );
    },
  };
}

export function csatJobs(services: Services): Record<string, JobHandler> {
  return {
    [RESOLVED_JOB]: (job) => surveyOnResolve(services, String(job.payload.conversationId)),
    [SEND_JOB]: (job) => deliverSurvey(services, String(job.payload.surveyId)),
    [ANSWER_JOB]: (job) => answerFromMessage(services, String(job.payload.messageId)),
  };
}
