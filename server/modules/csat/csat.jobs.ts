// CSAT background work. A customer's list reply (an event from the outbox) and the automation
// engine's built-in "CSAT on resolve" rule (requestSurveyOnResolve) start it; each only enqueues a
// durable job, so nothing is lost to a restart.
import type { Services } from '../../core/context.js';
import type { EventHandler } from '../../core/events/outbox.js';
import { enqueueJob, type JobHandler } from '../../core/jobs/queue.js';
import { ANSWER_JOB, RESOLVED_JOB, SEND_JOB, answerFromMessage, deliverSurvey, parseRowId, surveyOnResolve } from './csat.service.js';

interface MessageCreatedPayload {
  message?: { id?: string; direction?: string; content?: { interactive?: { id?: string } } };
}

export function csatEvents(services: Services): Record<string, EventHandler> {
  return {
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
