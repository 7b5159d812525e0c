// The out-of-hours auto-reply: a customer who writes while the business is closed gets the
// channel's reply, once per conversation per closed period. The automation engine's built-in rule
// asks for it (requestOutOfHoursReply); the job decides and queues the reply through the normal outbound path.
import type { Services } from '../../core/context.js';
import { newId } from '../../core/ids.js';
import type { JobHandler } from '../../core/jobs/queue.js';
import { ConversationEntity } from '../conversations/conversation.entity.js';
import { MessageEntity } from '../messages/message.entity.js';
import { canSendText, queueSystemMessage } from '../messages/system-messages.service.js';
import { AUTO_REPLY_JOB, calendarFor, outOfHoursReply } from './working-hours.service.js';
import { OutOfHoursReplyLogEntity } from './working-hours.entity.js';

export function workingHoursJobs(services: Services): Record<string, JobHandler> {
  return {
    [AUTO_REPLY_JOB]: async (job) => {
      await services.transaction(async (m) => {
        const message = await m.getRepository(MessageEntity).findOne({ where: { id: String(job.payload.messageId) } });
        if (message?.direction !== 'inbound') return;
        const conversation = await m.getRepository(ConversationEntity).findOne({ where: { id: message.conversationId } });
        if (!conversation || (conversation.status !== 'open' && conversation.status !== 'pending')) return;
        const reply = await outOfHoursReply(m, conversation.tenantId, conversation.channel);
        if (!reply) return;
        const { calendar } = await calendarFor(m, conversation.tenantId, conversation.divisionId);
        const now = services.now();
        // Written while closed, and still closed (a job that ran late must not greet an open office).
        if (calendar.isOpen(message.createdAt) || calendar.isOpen(now)) return;
        const period = calendar.closedPeriodStart(message.createdAt);
        if (!period) return;
        const periodKey = period.toISOString();
        const logs = m.getRepository(OutOfHoursReplyLogEntity);
        if (await logs.exists({ where: { conversationId: conversation.id, periodKey } })) return;
        if (!canSendText(conversation, now)) {
          services.log.info({ conversationId: conversation.id }, 'out-of-hours reply skipped: the channel does not accept a message now');
          return;
        }
        const sent = await queueSystemMessage(services, m, conversation, reply.message);
        await logs.insert({
          id: newId(),
          tenantId: conversation.tenantId,
          conversationId: conversation.id,
          periodKey,
          messageId: sent.message.id,
          createdAt: now,
        });
      });
    },
  };
}
