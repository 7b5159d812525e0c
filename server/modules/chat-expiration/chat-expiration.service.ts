// Chat expiration: per channel, resolve conversations after N hours without activity, optionally
// with a closing message (sent once: the conversation is resolved in the same transaction, so it
// is never picked again). Runs on a schedule and through POST /conversations/expire.
import { In, IsNull, LessThan, type EntityManager } from 'typeorm';
import type { Services, TenantCtx } from '../../core/context.js';
import { scoped } from '../../core/tenancy.js';
import { emitEvent } from '../../core/events/outbox.js';
import { recordActivity } from '../../core/audit.js';
import { enqueueJob } from '../../core/jobs/queue.js';
import { JobEntity } from '../../core/jobs/job.entity.js';
import { CHANNELS, type Channel } from '../../channels/types.js';
import { ConversationEntity, type Conversation } from '../conversations/conversation.entity.js';
import { applyConversationChange } from '../divisions/routing.service.js';
import { canSendText, queueSystemMessage } from '../messages/system-messages.service.js';
import { ChatExpirationRuleEntity, type ChatExpirationRule } from './chat-expiration.entity.js';

const HOUR = 3600_000;
export const DEFAULT_HOURS = 24;

export function ruleView(channel: Channel, rule: ChatExpirationRule | undefined) {
  return {
    channel,
    enabled: rule?.enabled ?? false,
    hours: rule?.hours ?? DEFAULT_HOURS,
    closingMessage: rule?.closingMessage ?? null,
    configured: Boolean(rule),
    updatedAt: rule?.updatedAt ?? null,
  };
}

async function resolveIdle(services: Services, m: EntityManager, c: Conversation, rule: ChatExpirationRule): Promise<boolean> {
  // Re-read inside the transaction: a message may have arrived since the candidates were listed.
  const fresh = await m.getRepository(ConversationEntity).findOne({ where: { id: c.id } });
  const now = services.now();
  const cutoff = now.getTime() - rule.hours * HOUR;
  if (!fresh || !['open', 'pending'].includes(fresh.status) || (fresh.lastMessageAt ?? fresh.createdAt).getTime() >= cutoff) return false;
  let current = fresh;
  let closingMessageId: string | null = null;
  if (rule.closingMessage) {
    if (canSendText(current, now)) {
      const sent = await queueSystemMessage(services, m, current, rule.closingMessage);
      current = sent.conversation;
      closingMessageId = sent.message.id;
    } else services.log.info({ conversationId: c.id }, 'closing message skipped: the channel does not accept a message now');
  }
  const { view } = await applyConversationChange(services, m, current, { status: 'resolved', resolvedAt: now }, null);
  await emitEvent(
    m,
    {
      tenantId: c.tenantId,
      type: 'conversation.status_changed',
      payload: {
        conversation: view,
        by: null,
        from: fresh.status,
        to: 'resolved',
        reason: 'chat_expiration',
        hours: rule.hours,
        closingMessageId,
      },
    },
    now,
  );
  return true;
}

export const CHAT_EXPIRATION_JOB = 'chat-expiration.run';

/**
 * Asks for a run of the organization's expiration rules (a durable job), as the automation engine's
 * built-in "chat expiration" rule does every five minutes. False (nothing queued) without an enabled rule.
 */
export async function requestExpiration(m: EntityManager, tenantId: string, now: Date): Promise<boolean> {
  if (!(await m.getRepository(ChatExpirationRuleEntity).exists({ where: { tenantId, enabled: true } }))) return false;
  const queueKey = `chat-expiration:${tenantId}`;
  if (await m.getRepository(JobEntity).exists({ where: { queueKey, status: 'pending' } })) return true;
  await enqueueJob(m, CHAT_EXPIRATION_JOB, { tenantId }, now, { tenantId, queueKey, maxAttempts: 3 });
  return true;
}

/** Resolves every conversation idle longer than its channel's rule; returns their ids. */
export async function expireByRules(services: Services, tenantId: string, actor?: TenantCtx): Promise<string[]> {
  const rules = await services.db.getRepository(ChatExpirationRuleEntity).find({ where: { tenantId, enabled: true } });
  const resolved: string[] = [];
  for (const rule of rules) {
    const cutoff = new Date(services.now().getTime() - rule.hours * HOUR);
    const repo = services.db.getRepository(ConversationEntity);
    const base = { tenantId, channel: rule.channel, status: In(['open', 'pending']) };
    const idle = await repo.find({
      where: [
        { ...base, lastMessageAt: LessThan(cutoff) },
        { ...base, lastMessageAt: IsNull(), createdAt: LessThan(cutoff) },
      ],
    });
    for (const c of idle) {
      if (await services.transaction((m) => resolveIdle(services, m, c, rule))) resolved.push(c.id);
    }
  }
  if (resolved.length && actor) {
    await services.transaction((m) =>
      recordActivity(actor, m, {
        tenantId,
        action: 'conversation.expired_by_rule',
        targetType: 'conversation',
        details: { count: resolved.length, conversationIds: resolved.slice(0, 100) },
      }),
    );
  }
  return resolved;
}

export const chatExpirationService = {
  async list(ctx: TenantCtx) {
    const rules = await scoped(ctx, ChatExpirationRuleEntity).find();
    return {
      data: CHANNELS.map((channel) =>
        ruleView(
          channel,
          rules.find((r) => r.channel === channel),
        ),
      ),
    };
  },

  async upsert(ctx: TenantCtx, channel: Channel, body: { enabled: boolean; hours: number; closingMessage?: string | null }) {
    const now = ctx.now();
    const rule = await ctx.transaction(async (m) => {
      const rules = scoped(ctx, ChatExpirationRuleEntity, m);
      const existing = await rules.findOne({ channel });
      const fields = {
        enabled: body.enabled,
        hours: body.hours,
        closingMessage: body.closingMessage === undefined ? (existing?.closingMessage ?? null) : body.closingMessage,
        updatedAt: now,
      };
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'chat_expiration.updated',
        targetType: 'chat_expiration_rule',
        targetId: channel,
        details: { enabled: body.enabled, hours: body.hours },
      });
      if (existing) {
        await rules.update(existing.id, fields);
        return { ...existing, ...fields };
      }
      return rules.insert({ channel, ...fields, createdAt: now });
    });
    return ruleView(channel, rule);
  },
};
