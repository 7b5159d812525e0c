// The scheduled run of the chat expiration rules: a durable job every five minutes, for every tenant with an enabled rule.
import type { Services } from '../../core/context.js';
import type { JobHandler } from '../../core/jobs/queue.js';
import type { Schedule } from '../../core/module.js';
import { ChatExpirationRuleEntity } from './chat-expiration.entity.js';
import { expireByRules } from './chat-expiration.service.js';

export const CHAT_EXPIRATION_JOB = 'chat-expiration.run';

export const chatExpirationSchedules: Schedule[] = [{ cron: '*/5 * * * *', job: CHAT_EXPIRATION_JOB }];

export function chatExpirationJobs(services: Services): Record<string, JobHandler> {
  return {
    [CHAT_EXPIRATION_JOB]: async (job) => {
      const only = typeof job.payload.tenantId === 'string' ? job.payload.tenantId : null;
      const rules = await services.db
        .getRepository(ChatExpirationRuleEntity)
        .find({ where: { enabled: true, ...(only ? { tenantId: only } : {}) }, select: { tenantId: true } });
      for (const tenantId of new Set(rules.map((r) => r.tenantId))) await expireByRules(services, tenantId);
    },
  };
}
