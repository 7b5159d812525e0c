// The run of the chat expiration rules: a durable job, queued every five minutes for each organization
// with an enabled rule by the automation engine's built-in "chat expiration" rule (requestExpiration).
// Without a tenantId it runs for every organization with an enabled rule.
import type { Services } from '../../core/context.js';
import type { JobHandler } from '../../core/jobs/queue.js';
import { ChatExpirationRuleEntity } from './chat-expiration.entity.js';
import { CHAT_EXPIRATION_JOB, expireByRules } from './chat-expiration.service.js';

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
