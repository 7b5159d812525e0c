// Scheduled messages: written now, sent later through the normal outbound path. Each is a row plus
// a durable job whose runAt is the send time, so a time that passed while the computer was off is
// caught up at the next start (and marked late). Cancellable until it is handed to the send path.
import { visibleConversation } from '../divisions/visibility.service.js';
import { In } from 'typeorm';
import type { EntityManager } from 'typeorm';
import type { Services, TenantCtx } from '../../core/context.js';
import { scoped } from '../../core/tenancy.js';
import { HttpError, badRequest, conflict, notFound, unprocessable } from '../../core/http/errors.js';
import { emitEvent } from '../../core/events/outbox.js';
import { enqueueJob, type JobHandler } from '../../core/jobs/queue.js';
import { isId, newId } from '../../core/ids.js';
import { TenantEntity } from '../tenants/tenant.entity.js';
import { MediaEntity } from '../media/media.entity.js';
import { UserEntity } from '../agents/agent.entity.js';
import { messagesService } from '../messages/messages.service.js';
import { ScheduledMessageEntity, type ScheduledMessage, type ScheduledStatus } from './scheduled-message.entity.js';
import { contextForUser } from './job-context.js';
import { formatLocal, isValidTimeZone, localToUtc } from '../../core/time.js';

export const SEND_JOB = 'scheduled_message.send';
/** Sent more than this long after its time, a message is marked late. */
export const LATE_AFTER_MS = 60_000;
/** How far ahead a message may be scheduled. */
export const MAX_AHEAD_MS = 366 * 24 * 3600 * 1000;

export type ScheduleInput = { sendAt?: string; sendAtLocal?: string; timezone?: string } & (
  | { type: 'text'; text: string }
  | { type: 'image' | 'video' | 'audio' | 'document'; mediaId: string; caption?: string }
  | { type: 'template'; template: { name: string; language: string; components?: Record<string, unknown>[] } }
);

export function scheduledView(s: ScheduledMessage) {
  return {
    id: s.id,
    conversationId: s.conversationId,
    type: s.type,
    text: s.text,
    mediaId: s.content.mediaId ?? null,
    caption: s.content.caption ?? null,
    template: s.content.template ?? null,
    sendAt: s.sendAt,
    sendAtLocal: formatLocal(s.sendAt, s.timezone),
    timezone: s.timezone,
    status: s.status,
    late: s.late,
    lateBySeconds: s.lateBySeconds,
    messageId: s.messageId,
    failureReason: s.failureReason,
    sentAt: s.sentAt,
    cancelledAt: s.cancelledAt,
    createdById: s.createdById,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

const emit = (m: EntityManager, s: ScheduledMessage, type: string, now: Date) =>
  emitEvent(m, { tenantId: s.tenantId, type, payload: { scheduledMessage: scheduledView(s) } }, now);

const encodeOffset = (n: number) => Buffer.from(`o:${n}`).toString('base64url');
function decodeOffset(cursor: string): number {
  const m = /^o:(\d{1,7})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) throw badRequest('The cursor is not valid', [{ path: 'query.cursor', message: 'Invalid cursor' }]);
  return Number(m[1]);
}

/** When to send: an instant (sendAt, with its offset) or a wall-clock time in the tenant's timezone (sendAtLocal). */
function resolveSendAt(input: ScheduleInput, timezone: string, now: Date): Date {
  const field = input.sendAt !== undefined ? 'sendAt' : 'sendAtLocal';
  const at = input.sendAt !== undefined ? new Date(input.sendAt) : localToUtc(input.sendAtLocal ?? '', timezone);
  if (!at || Number.isNaN(at.getTime()))
    throw badRequest('The send time is not valid', [{ path: field, message: 'Not a valid date and time' }]);
  if (at.getTime() <= now.getTime()) {
    throw unprocessable(`The send time must be in the future (it is now ${formatLocal(now, timezone)} in ${timezone})`, [
      { path: field, message: 'Must be in the future' },
    ]);
  }
  if (at.getTime() - now.getTime() > MAX_AHEAD_MS)
    throw unprocessable('A message can be scheduled at most a year ahead', [{ path: field, message: 'Too far ahead' }]);
  return at;
}

export const scheduledMessagesService = {
  async create(ctx: TenantCtx, conversationId: string, input: ScheduleInput) {
    const conversation = await visibleConversation(ctx, conversationId);
    const tenant = await ctx.db.getRepository(TenantEntity).findOneByOrFail({ id: ctx.tenantId });
    const timezone = input.timezone ?? tenant.timezone;
    if (!isValidTimeZone(timezone))
      throw badRequest('Unknown timezone', [{ path: 'timezone', message: 'Not an IANA timezone name, e.g. Asia/Jakarta' }]);
    const now = ctx.now();
    const sendAt = resolveSendAt(input, timezone, now);
    const row: ScheduledMessage = {
      id: newId(),
      tenantId: ctx.tenantId,
      conversationId: conversation.id,
      createdById: ctx.principal.userId,
      type: input.type,
      text: null,
      content: {},
      sendAt,
      timezone,
      status: 'scheduled',
      late: false,
      lateBySeconds: null,
      messageId: null,
      failureReason: null,
      sentAt: null,
      cancelledAt: null,
      cancelledById: null,
      createdAt: now,
      updatedAt: now,
    };
    if (input.type === 'text') row.text = input.text;
    else if (input.type === 'template') row.content = { template: input.template };
    else {
      if (!isId(input.mediaId) || !(await scoped(ctx, MediaEntity).findOne({ id: input.mediaId }))) {
        throw unprocessable('The media file does not exist', [{ path: 'mediaId', message: 'No such media' }]);
      }
      row.content = { mediaId: input.mediaId, caption: input.caption };
      row.text = input.caption ?? null;
    }
    await ctx.transaction(async (m) => {
      await m.getRepository(ScheduledMessageEntity).insert(row as never);
      await enqueueJob(m, SEND_JOB, { scheduledMessageId: row.id }, now, { tenantId: ctx.tenantId, runAt: sendAt, maxAttempts: 50 });
      await emit(m, row, 'scheduled_message.created', now);
    });
    return scheduledView(row);
  },

  async list(ctx: TenantCtx, conversationId: string, q: { limit: number; cursor?: string; status?: ScheduledStatus[] }) {
    await visibleConversation(ctx, conversationId);
    const offset = q.cursor ? decodeOffset(q.cursor) : 0;
    const rows = await scoped(ctx, ScheduledMessageEntity).repo.find({
      where: { tenantId: ctx.tenantId, conversationId, ...(q.status?.length ? { status: In(q.status) } : {}) },
      order: { sendAt: 'ASC', id: 'ASC' },
      skip: offset,
      take: q.limit + 1,
    });
    const more = rows.length > q.limit;
    return { data: rows.slice(0, q.limit).map(scheduledView), nextCursor: more ? encodeOffset(offset + q.limit) : null };
  },

  async cancel(ctx: TenantCtx, id: string) {
    const row = await scoped(ctx, ScheduledMessageEntity).get(id, 'Scheduled message');
    // In a conversation the caller may not see (another division), it does not exist for them.
    await visibleConversation(ctx, row.conversationId).catch((err: unknown) => {
      throw err instanceof HttpError && err.status === 404 ? notFound('Scheduled message') : err;
    });
    const now = ctx.now();
    const patch: Partial<ScheduledMessage> = { status: 'cancelled', cancelledAt: now, cancelledById: ctx.principal.userId, updatedAt: now };
    const cancelled = await ctx.transaction(async (m) => {
      // Only from "scheduled": the job claims the row the same way, so exactly one of them wins.
      const result = await m
        .getRepository(ScheduledMessageEntity)
        .update({ id, tenantId: ctx.tenantId, status: 'scheduled' }, patch as never);
      if (!result.affected) return false;
      await emit(m, { ...row, ...patch }, 'scheduled_message.cancelled', now);
      return true;
    });
    if (!cancelled) {
      const current = await scoped(ctx, ScheduledMessageEntity).get(id, 'Scheduled message');
      throw conflict(
        current.status === 'cancelled'
          ? 'The scheduled message is already cancelled'
          : current.status === 'failed'
            ? 'The scheduled message already failed; it will not be sent'
            : 'The scheduled message has already been sent and can no longer be cancelled',
        [{ path: 'status', message: `Is ${current.status}` }],
      );
    }
    return scheduledView({ ...row, ...patch });
  },
};

/** At its time: claim the row, create the outbound message through the normal send path, record the outcome. */
export function scheduledMessageJobs(services: Services): Record<string, JobHandler> {
  return {
    [SEND_JOB]: async (job) => {
      const repo = services.db.getRepository(ScheduledMessageEntity);
      const id = String(job.payload.scheduledMessageId);
      let row = await repo.findOne({ where: { id } });
      if (!row || (row.status !== 'scheduled' && row.status !== 'sending')) return;
      const startedAt = services.now();
      if (row.status === 'scheduled') {
        const claimed = await services.transaction((m) =>
          m.getRepository(ScheduledMessageEntity).update({ id, status: 'scheduled' }, { status: 'sending', updatedAt: startedAt } as never),
        );
        if (!claimed.affected) return; // cancelled a moment ago
        row = { ...row, status: 'sending' };
      }
      const lateMs = startedAt.getTime() - row.sendAt.getTime();
      const lateness =
        lateMs > LATE_AFTER_MS ? { late: true, lateBySeconds: Math.round(lateMs / 1000) } : { late: false, lateBySeconds: null };
      const finish = (patch: Partial<ScheduledMessage>, event: string) =>
        services.transaction(async (m) => {
          const now = services.now();
          const full = { ...patch, ...lateness, updatedAt: now };
          await m.getRepository(ScheduledMessageEntity).update({ id }, full as never);
          await emit(m, { ...row!, ...full }, event, now);
        });
      const author = row.createdById
        ? await services.db.getRepository(UserEntity).findOne({ where: { id: row.createdById, tenantId: row.tenantId } })
        : null;
      if (!author)
        return finish(
          { status: 'failed', failureReason: 'The agent who scheduled this message no longer exists.' },
          'scheduled_message.failed',
        );
      const ctx = contextForUser(services, author, `job:${job.id}`);
      const c = row.content;
      try {
        // The client message id makes this idempotent: a retry after a crash finds the same message.
        const clientMessageId = `scheduled-${row.id}`;
        const message =
          row.type === 'text'
            ? await messagesService.send(ctx, row.conversationId, { type: 'text', text: row.text ?? '', clientMessageId })
            : row.type === 'template'
              ? await messagesService.send(ctx, row.conversationId, { type: 'template', template: c.template!, clientMessageId })
              : await messagesService.send(ctx, row.conversationId, {
                  type: row.type,
                  mediaId: c.mediaId,
                  caption: c.caption,
                  clientMessageId,
                });
        await finish({ status: 'sent', messageId: message.id, sentAt: services.now(), failureReason: null }, 'scheduled_message.sent');
      } catch (err) {
        // Refused by the send path (window closed, media gone, conversation deleted): retrying cannot help.
        if (err instanceof HttpError && err.status < 500) {
          return finish({ status: 'failed', failureReason: err.message.slice(0, 500) }, 'scheduled_message.failed');
        }
        throw err;
      }
    },
  };
}
