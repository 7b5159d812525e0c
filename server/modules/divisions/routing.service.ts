// Putting conversations into divisions and picking their agent: round-robin among the division's
// online agents with the fewest open conversations (ties: whoever was picked longest ago).
import { In, type EntityManager } from 'typeorm';
import type { Services } from '../../core/context.js';
import { emitEvent } from '../../core/events/outbox.js';
import { readThrough } from '../../core/entity-cache.js';
import type { JobHandler } from '../../core/jobs/queue.js';
import { enqueueJob } from '../../core/jobs/queue.js';
import { UserEntity } from '../agents/agent.entity.js';
import { ConversationEntity, type Conversation } from '../conversations/conversation.entity.js';
import { conversationView } from '../conversations/conversation-views.service.js';
import { DivisionAgentEntity, DivisionEntity } from './division.entity.js';

export const OPEN_STATUSES = ['open', 'pending'] as const;

/**
 * The online, active member of the division with the fewest open conversations, marked as picked
 * now; null when nobody is online. `exclude` leaves out someone (the agent handing a conversation over).
 */
export async function pickAgent(
  m: EntityManager,
  tenantId: string,
  divisionId: string,
  now: Date,
  exclude: string | null = null,
): Promise<string | null> {
  const members = await m.getRepository(DivisionAgentEntity).find({ where: { tenantId, divisionId } });
  if (members.length === 0) return null;
  const online = await m.getRepository(UserEntity).find({
    where: { tenantId, id: In(members.map((x) => x.userId)), status: 'active', online: true },
    select: { id: true },
  });
  const candidates = members.filter((x) => x.userId !== exclude && online.some((u) => u.id === x.userId));
  if (candidates.length === 0) return null;
  const counts: { assigneeId: string; open: string | number }[] = await m
    .getRepository(ConversationEntity)
    .createQueryBuilder('c')
    .select('c.assigneeId', 'assigneeId')
    .addSelect('COUNT(*)', 'open')
    .where('c.tenantId = :tenantId', { tenantId })
    .andWhere('c.assigneeId IN (:...ids)', { ids: candidates.map((x) => x.userId) })
    .andWhere('c.status IN (:...statuses)', { statuses: [...OPEN_STATUSES] })
    .groupBy('c.assigneeId')
    .getRawMany();
  const load = new Map(counts.map((r) => [r.assigneeId, Number(r.open)]));
  candidates.sort(
    (a, b) =>
      (load.get(a.userId) ?? 0) - (load.get(b.userId) ?? 0) ||
      (a.lastAssignedAt?.getTime() ?? 0) - (b.lastAssignedAt?.getTime() ?? 0) ||
      a.userId.localeCompare(b.userId),
  );
  const chosen = candidates[0];
  await m.getRepository(DivisionAgentEntity).update({ id: chosen.id }, { lastAssignedAt: now });
  return chosen.userId;
}

/**
 * Writes a change to a conversation made by the system or a person and emits its events in the same
 * transaction: `conversation.assigned` (notifying the new assignee) when the assignee changes, then
 * `conversation.updated`. Returns the new view. `notify: false` when the caller sends its own notification.
 */
export async function applyConversationChange(
  services: Services,
  m: EntityManager,
  before: Conversation,
  patch: Partial<Conversation>,
  by: string | null,
  opts: { notify?: boolean } = {},
) {
  const now = services.now();
  const after: Conversation = { ...before, ...patch, updatedAt: now };
  await m.getRepository(ConversationEntity).update({ id: before.id, tenantId: before.tenantId }, { ...patch, updatedAt: now } as never);
  const view = await conversationView(services, after);
  if ('assigneeId' in patch && patch.assigneeId !== before.assigneeId) {
    await emitEvent(
      m,
      {
        tenantId: before.tenantId,
        type: 'conversation.assigned',
        payload: {
          conversation: view,
          by,
          from: before.assigneeId,
          to: after.assigneeId,
          ...(opts.notify !== false && after.assigneeId && after.assigneeId !== by ? { notifyUserId: after.assigneeId } : {}),
        },
      },
      now,
    );
  }
  await emitEvent(m, { tenantId: before.tenantId, type: 'conversation.updated', payload: { conversation: view } }, now);
  return { conversation: after, view };
}

/**
 * A new conversation joins the default division and, if it auto-assigns, gets an agent: a durable job
 * per conversation, asked for by the automation engine's built-in "division routing" rule. False
 * (nothing queued) when the organization has no default division.
 */
const defaultDivisionExists = readThrough<boolean>([DivisionEntity.options.name]);

export async function requestDivisionRouting(m: EntityManager, tenantId: string, conversationId: string, now: Date): Promise<boolean> {
  const hasDefault = await defaultDivisionExists(m, tenantId, () =>
    m.getRepository(DivisionEntity).exists({ where: { tenantId, isDefault: true } }),
  );
  if (!hasDefault) return false;
  await enqueueJob(m, 'divisions.route', { conversationId }, now, { tenantId, maxAttempts: 5 });
  return true;
}

export function divisionJobs(services: Services): Record<string, JobHandler> {
  return {
    'divisions.route': async (job) => {
      await services.transaction(async (m) => {
        const conversation = await m.getRepository(ConversationEntity).findOne({ where: { id: String(job.payload.conversationId) } });
        // Someone (or something) already placed it: leave it.
        if (!conversation || conversation.divisionId || !OPEN_STATUSES.includes(conversation.status as never)) return;
        const division = await m.getRepository(DivisionEntity).findOne({ where: { tenantId: conversation.tenantId, isDefault: true } });
        if (!division) return;
        const patch: Partial<Conversation> = { divisionId: division.id };
        if (division.autoAssign && !conversation.assigneeId && !conversation.aiAgentId) {
          const agent = await pickAgent(m, conversation.tenantId, division.id, services.now());
          if (agent) patch.assigneeId = agent;
        }
        await applyConversationChange(services, m, conversation, patch, null);
      });
    },
  };
}
