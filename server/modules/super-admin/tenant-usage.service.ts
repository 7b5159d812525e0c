// What an organization uses, for the operator's console and for billing (plans with limits):
// conversations and messages (in all, and in the current month on its calendar), stored media,
// agents, and the AI agents' model tokens in the period.
import type { DataSource } from 'typeorm';
import { wallClockToUtc, zonedParts } from '../../core/time.js';
import { UserEntity } from '../agents/agent.entity.js';
import { ConversationEntity } from '../conversations/conversation.entity.js';
import { MessageEntity } from '../messages/message.entity.js';
import { MediaEntity } from '../media/media.entity.js';
import { messagesBetween } from '../analytics/analytics.service.js';
import { aiTokensUsed } from '../ai-agents/ai-usage.service.js';
import { MoreThanOrEqual, LessThan, And } from 'typeorm';
import { tenantTimezone } from '../tenants/tenant-timezone.service.js';

export interface TenantUsage {
  /** The month counted in `thisMonth` fields: [from, to) on the organization's calendar. */
  period: { from: Date; to: Date };
  conversations: { total: number; thisMonth: number };
  messages: { total: number; thisMonth: number; inboundThisMonth: number; outboundThisMonth: number };
  storageBytes: number;
  agents: { total: number; active: number };
  /** Model tokens (in + out) the organization's AI used in the period; null only if it could not be counted. */
  aiTokens: number | null;
}

/** The calendar month containing `now` in `timezone`, as UTC instants. */
export function monthOf(now: Date, timezone: string): { from: Date; to: Date } {
  const p = zonedParts(now, timezone);
  return {
    from: new Date(wallClockToUtc(timezone, p.year, p.month, 1, 0, 0)),
    to: new Date(wallClockToUtc(timezone, p.year, p.month + 1, 1, 0, 0)),
  };
}

/**
 * An organization's usage (billing hook). `period` defaults to the current calendar month in the
 * organization's time zone; billing may pass its own billing period.
 */
export async function tenantUsage(db: DataSource, tenantId: string, now: Date, period?: { from: Date; to: Date }): Promise<TenantUsage> {
  const range = period ?? monthOf(now, (await tenantTimezone(db, tenantId)) ?? 'Asia/Jakarta');
  const conversations = db.getRepository(ConversationEntity);
  const [total, thisMonth] = await Promise.all([
    conversations.count({ where: { tenantId } }),
    conversations.count({ where: { tenantId, createdAt: And(MoreThanOrEqual(range.from), LessThan(range.to)) } }),
  ]);
  const messagesTotal = await db.getRepository(MessageEntity).count({ where: { tenantId } });
  const month = await messagesBetween({ db, tenantId }, range.from, range.to);
  const storage = await db
    .getRepository(MediaEntity)
    .createQueryBuilder('m')
    .select('COALESCE(SUM(m.size), 0)', 'bytes')
    .where('m.tenantId = :tenantId', { tenantId })
    .getRawOne<{ bytes: number | string }>();
  const users = db.getRepository(UserEntity);
  const [agents, active] = await Promise.all([
    users.count({ where: { tenantId } }),
    users.count({ where: { tenantId, status: 'active' } }),
  ]);
  return {
    period: range,
    conversations: { total, thisMonth },
    messages: {
      total: messagesTotal,
      thisMonth: month.inbound + month.outbound,
      inboundThisMonth: month.inbound,
      outboundThisMonth: month.outbound,
    },
    storageBytes: Number(storage?.bytes ?? 0),
    agents: { total: agents, active },
    aiTokens: (await aiTokensUsed(db, tenantId, range)).total,
  };
}
