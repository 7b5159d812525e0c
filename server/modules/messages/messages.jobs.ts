// Background work of the messaging core: delivering replies and downloading inbound media.
// Both run as durable jobs, so an offline office or a restart loses nothing.
// A reply is never sent twice: the attempt is committed before the channel call (sendAttemptedAt),
// and an attempt whose outcome is unknown (a crash before the status write, a timeout, a cut
// connection) is not sent again blindly. A WhatsApp send carries `m:<messageId>` as callback data,
// so Meta's status webhook names it (applyStatus attaches its id); one that stays unconfirmed past
// MESSAGE_UNCONFIRMED_WINDOW_MS, and any such send on a channel without that (Messenger, Instagram,
// email), is marked failed `send_uncertain` for an agent to resend by hand. Failures that prove the
// request never left (an error answer, a refused connection) are retried as before.
import type { Services } from '../../core/context.js';
import type { JobHandler } from '../../core/jobs/queue.js';
import { getAdapter } from '../../channels/index.js';
import { ChannelSendError, provedNotSent, type Channel, type OutboundMessage } from '../../channels/types.js';
import { acquireSendSlot } from '../../channels/send-rate.js';
import { replyDecision, type OutboundType } from '../../channels/policy.js';
import { accountById, accountCredentials, channelEnabled } from '../integrations/integrations.service.js';
import { ConversationEntity } from '../conversations/conversation.entity.js';
import { ContactIdentityEntity } from '../contacts/contact.entity.js';
import { MediaEntity } from '../media/media.entity.js';
import { saveMedia } from '../media/media.service.js';
import { readFile } from '../../core/storage/local.js';
import { MessageEntity, SEND_UNCERTAIN, type Message } from './message.entity.js';
import { messageView } from './messages.service.js';
import { markOutbound } from './delivery-status.service.js';
import { emitEvent } from '../../core/events/outbox.js';
import { enqueueJob } from '../../core/jobs/queue.js';
const RECONCILE_JOB = 'message.reconcile';

export function messageJobs(services: Services): Record<string, JobHandler> {
  const uncertain = (message: Message) =>
    services.transaction((m) => markOutbound(services, m, message, { status: 'failed', errorCode: null, errorReason: SEND_UNCERTAIN }));

  /**
   * A send that may have reached the channel. WhatsApp: Meta's status webhook (with our callback
   * data) settles it; if none came within the window it is given up. Other channels say nothing
   * about a send they did not answer, so it is given up at once.
   */
  async function unconfirmed(message: Message, channel: Channel): Promise<void> {
    const attemptedAt = message.sendAttemptedAt ?? services.now();
    const deadline = new Date(attemptedAt.getTime() + services.config.MESSAGE_UNCONFIRMED_WINDOW_MS);
    if (channel !== 'whatsapp' || deadline.getTime() <= services.now().getTime()) {
      services.log.warn({ messageId: message.id, channel }, 'send interrupted and never confirmed; marked failed, not sent again');
      return uncertain(message);
    }
    // Outside the conversation's queue: the replies after it are not held up while it waits.
    await services.transaction((m) =>
      enqueueJob(m, RECONCILE_JOB, { messageId: message.id }, services.now(), { tenantId: message.tenantId, runAt: deadline }),
    );
  }

  return {
    [RECONCILE_JOB]: async (job) => {
      const message = await services.db.getRepository(MessageEntity).findOne({ where: { id: String(job.payload.messageId) } });
      // Settled meanwhile: Meta's webhook attached its id and status, or an agent gave up on it.
      if (message?.status !== 'queued' || message.externalId || !message.sendAttemptedAt) return;
      const conversation = await services.db.getRepository(ConversationEntity).findOneByOrFail({ id: message.conversationId });
      const account = await accountById(services.db, conversation.accountId);
      await unconfirmed(message, account.channel);
    },

    ['message.send']: async (job) => {
      const db = services.db;
      const message = await db.getRepository(MessageEntity).findOne({ where: { id: String(job.payload.messageId) } });
      // Exactly once: a message that already left (or was given up on) is not sent again.
      if (message?.status !== 'queued') return;
      const conversation = await db.getRepository(ConversationEntity).findOneByOrFail({ id: message.conversationId });
      const account = await accountById(db, conversation.accountId);
      // Handed to the channel by an earlier run whose outcome was never written (the process died
      // during the call): the channel may have it, so it is reconciled, not sent again.
      if (message.sendAttemptedAt) return unconfirmed(message, account.channel);
      // Our own refusals are stored as reason codes the UI translates (window_closed, channel_disconnected…);
      // a channel's refusal keeps the channel's own error code and text.
      const fail = (reason: string, code: number | null = null) =>
        services.transaction((m) => markOutbound(services, m, message, { status: 'failed', errorCode: code, errorReason: reason }));
      if (account.status !== 'active') return fail('channel_disconnected');
      // Queued before the channel was turned off (or written by automation since): not sent.
      if (!(await channelEnabled(db, message.tenantId, account.channel))) return fail('channel_off');
      // A reply that waited in the queue (offline, retries) past the channel's window is not sent.
      const decision = replyDecision(account.channel, message.type as OutboundType, conversation.lastInboundAt, services.now(), {
        checkType: false,
      });
      if (!decision.allowed) return fail(decision.code);
      const identity = await db
        .getRepository(ContactIdentityEntity)
        .findOne({ where: { tenantId: message.tenantId, contactId: conversation.contactId, channel: account.channel } });
      if (!identity) return fail('no_channel_address');
      const replyTo = message.replyToId
        ? await db.getRepository(MessageEntity).findOne({ where: { id: message.replyToId }, select: { externalId: true } })
        : null;
      const adapter = getAdapter(services.adapters, account.channel);
      const credentials = accountCredentials(services, account);
      const content = { ...message.content };
      try {
        if (message.mediaId && content.media && !content.media.externalId && adapter.uploadMedia) {
          // Upload once; the channel's media id is kept on the message so a retry does not upload again.
          const media = await db.getRepository(MediaEntity).findOneByOrFail({ id: message.mediaId });
          const data = await readFile(services.config.dataDir, media.storageKey);
          if (!data) return fail('media_missing');
          const uploaded = await adapter.uploadMedia(credentials, {
            data,
            mimeType: media.mimeType,
            filename: media.filename ?? undefined,
          });
          content.media = {
            ...content.media,
            externalId: uploaded.externalId,
            mimeType: media.mimeType,
            filename: media.filename ?? undefined,
          };
          await db.getRepository(MessageEntity).update({ id: message.id }, { content } as never);
        }
      } catch (err) {
        if (err instanceof ChannelSendError && !err.retryable) return fail(err.reason, err.code ?? null);
        throw err;
      }
      const outbound: OutboundMessage = {
        to: identity.externalId,
        type: message.type as OutboundMessage['type'],
        text: message.text,
        content,
        replyToExternalId: replyTo?.externalId ?? undefined,
      };
      if (decision.messagingTag) outbound.messagingTag = decision.messagingTag;
      if (message.mediaId && adapter.attachesFiles) {
        // Email carries the file itself.
        const media = await db.getRepository(MediaEntity).findOneByOrFail({ id: message.mediaId });
        const data = await readFile(services.config.dataDir, media.storageKey);
        if (!data) return fail('The attached file is missing from storage.');
        outbound.file = { data, mimeType: media.mimeType, filename: media.filename ?? undefined };
      }
      // WhatsApp numbers have a throughput tier: replies and campaigns share its slots.
      if (account.channel === 'whatsapp') await acquireSendSlot(account.id, services.config.WHATSAPP_SEND_RATE);
      // Meta's status webhook carries this back, naming the message even if the answer is lost.
      if (account.channel === 'whatsapp') outbound.callbackData = `m:${message.id}`;
      // Committed before the call (only if still queued): from here on, the send may have happened.
      const attemptedAt = services.now();
      // In a transaction (the queue's), not a loose write: a loose write could land inside another
      // open transaction and be reported done before that one commits.
      const claimed = await services.transaction((m) =>
        m.getRepository(MessageEntity).update({ id: message.id, status: 'queued' }, { sendAttemptedAt: attemptedAt }),
      );
      if (!claimed.affected) return;
      let externalId: string;
      try {
        ({ externalId } = await adapter.send(credentials, outbound));
      } catch (err) {
        // A refusal (an invalid message, a closed window, a bad token): not sent, and never will be.
        if (err instanceof ChannelSendError && !err.retryable) return fail(err.reason, err.code ?? null);
        if (!provedNotSent(err)) {
          services.log.warn({ messageId: message.id, err: (err as Error).message }, 'send outcome unknown; not sending it again');
          return unconfirmed({ ...message, sendAttemptedAt: attemptedAt }, account.channel);
        }
        // It never left (network down, an error answer such as 5xx or a rate limit): free to try again.
        await services.transaction((m) =>
          m.getRepository(MessageEntity).update({ id: message.id, status: 'queued' }, { sendAttemptedAt: null }),
        );
        if (job.attempts >= job.maxAttempts) return fail(`Gave up after ${job.attempts} attempts: ${(err as Error).message}`);
        // The job runner retries with backoff, in order.
        throw err;
      }
      await services.transaction(async (m) => {
        // One read for what may have changed since the message was read above (its status and
        // channel id; the rest is in hand) and for another message that already has this channel id
        // (an echo stored first), which markOutbound would otherwise look up.
        const rows = await m.getRepository(MessageEntity).find({
          where: [{ id: message.id }, { tenantId: message.tenantId, externalId }],
          select: { id: true, status: true, externalId: true, direction: true, senderId: true, conversationId: true },
        });
        const current = rows.find((r) => r.id === message.id);
        if (!current) return;
        // Meta's status webhook came first (matched by the callback data): it already moved the message on.
        if (current.status !== 'queued') {
          if (!current.externalId) await m.getRepository(MessageEntity).update({ id: current.id }, { externalId });
          return;
        }
        await markOutbound(
          services,
          m,
          { ...message, content, sendAttemptedAt: attemptedAt },
          {
            status: 'sent',
            externalId,
            sentAt: services.now(),
            errorCode: null,
            errorReason: null,
          },
          { other: rows.find((r) => r.id !== message.id) ?? null },
        );
      });
    },

    ['media.download']: async (job) => {
      const db = services.db;
      const message = await db.getRepository(MessageEntity).findOne({ where: { id: String(job.payload.messageId) } });
      if (!message || message.mediaId) return;
      const account = await accountById(db, String(job.payload.accountId));
      const adapter = getAdapter(services.adapters, account.channel);
      const mediaExternalId = String(job.payload.mediaExternalId);
      // Given up: the message says so (the link was refused, the file is too large or gone), live.
      const unavailable = (reason: string) =>
        services.transaction(async (m) => {
          const now = services.now();
          const content = { ...message.content, media: { ...message.content.media, unavailable: reason } };
          await m.getRepository(MessageEntity).update({ id: message.id }, { content, updatedAt: now } as never);
          await emitEvent(
            m,
            {
              tenantId: message.tenantId,
              type: 'message.updated',
              payload: { message: messageView({ ...message, content, updatedAt: now }) },
            },
            now,
          );
        });
      let fetched;
      try {
        fetched = await adapter.fetchMedia(accountCredentials(services, account), mediaExternalId);
      } catch (err) {
        const final = err instanceof ChannelSendError && !err.retryable;
        if (final || job.attempts >= job.maxAttempts) {
          const reason = err instanceof ChannelSendError ? err.reason : (err as Error).message;
          services.log.warn({ messageId: message.id, reason }, 'inbound media could not be downloaded');
          return unavailable(reason);
        }
        throw err;
      }
      const media = await saveMedia(services, {
        tenantId: message.tenantId,
        data: fetched.data,
        mimeType: fetched.mimeType,
        filename: fetched.filename ?? message.content.media?.filename ?? null,
        source: 'inbound',
        channel: account.channel,
        externalId: mediaExternalId,
      });
      await services.transaction(async (m) => {
        const now = services.now();
        const content = { ...message.content, media: { ...message.content.media, mediaId: media.id } };
        await m.getRepository(MessageEntity).update({ id: message.id }, { mediaId: media.id, content, updatedAt: now } as never);
        // The view carries the new updatedAt: the browser keeps the newer of this and a page it fetched meanwhile.
        await emitEvent(
          m,
          {
            tenantId: message.tenantId,
            type: 'message.updated',
            payload: { message: messageView({ ...message, mediaId: media.id, content, updatedAt: now }) },
          },
          now,
        );
      });
    },
  };
}
