// Inbound webhooks (DESIGN rule 6): verified by signature over the raw body, stored (with the job
// that will process them) before the 200 is sent, then processed idempotently by that job.
// Email arrives the same way, authenticated by the mailbox's inbound secret instead of a signature.
import { createHash } from 'node:crypto';
import type { Ctx, Services } from '../../core/context.js';
import { HttpError, badRequest, unauthorized, zodFieldErrors } from '../../core/http/errors.js';
import { enqueueJob, newJob } from '../../core/jobs/queue.js';
import { newId } from '../../core/ids.js';
import { emitEvent } from '../../core/events/outbox.js';
import type { JobHandler } from '../../core/jobs/queue.js';
import { isImplementedChannel, getAdapter } from '../../channels/index.js';
import { verifyMetaSignature } from '../../channels/meta-signature.js';
import type { Channel } from '../../channels/types.js';
import { emailJsonSchema, emailToInbound, type EmailJson, type ParsedEmail } from '../../channels/email/email.parse.js';
import { IntegrationAccountEntity, type IntegrationAccount } from '../integrations/integration.entity.js';
import { accountCredentials } from '../integrations/integrations.service.js';
import { ingestInbound } from '../messages/ingest.service.js';
import { applyStatus, applyWatermark } from '../messages/delivery-status.service.js';
import { MessageEntity } from '../messages/message.entity.js';
import { saveMedia } from '../media/media.service.js';
import { WebhookEventEntity, type WebhookEvent } from './webhook-event.entity.js';
import { storeWebhook } from './webhook-store.js';
import { routeWebhook } from '../integrations/account-routing.service.js';

/** Which channel a Meta webhook body belongs to, by its `object` field. */
const META_OBJECTS: Record<string, Channel> = { whatsapp_business_account: 'whatsapp', instagram: 'instagram', page: 'messenger' };

/** The tokens Meta's verification handshake may present: the configured one and each account's. */
export async function verifyTokens(services: Services, channels: Channel[]): Promise<string[]> {
  // The appliance's own token (META_VERIFY_TOKEN, else generated once and shown in the tunnel settings).
  const tokens = [services.host.verifyToken()];
  const accounts = await services.db
    .getRepository(IntegrationAccountEntity)
    .find({ where: channels.map((channel) => ({ channel, status: 'active' as const })) });
  for (const a of accounts) {
    const token = accountCredentials(services, a).config.verifyToken;
    if (token) tokens.push(token);
  }
  return tokens;
}

export async function handshake(
  services: Services,
  query: { 'hub.mode'?: string; 'hub.verify_token'?: string; 'hub.challenge'?: string },
  channels: Channel[],
): Promise<string> {
  if (query['hub.mode'] !== 'subscribe' || !query['hub.challenge'] || !query['hub.verify_token']) {
    throw badRequest('Expected hub.mode=subscribe with hub.verify_token and hub.challenge', [
      ...(query['hub.mode'] !== 'subscribe' ? [{ path: 'query.hub.mode', message: 'Must be "subscribe"' }] : []),
      ...(!query['hub.verify_token'] ? [{ path: 'query.hub.verify_token', message: 'Required' }] : []),
      ...(!query['hub.challenge'] ? [{ path: 'query.hub.challenge', message: 'Required' }] : []),
    ]);
  }
  if (!(await verifyTokens(services, channels)).includes(query['hub.verify_token']))
    throw new HttpError(403, 'The verify token does not match');
  return query['hub.challenge'];
}

/** Verifies, stores and enqueues a Meta webhook. Returns once it is durable. */
export async function receiveMetaWebhook(
  ctx: Ctx,
  source: WebhookEvent['source'],
  rawBody: Buffer | undefined,
  signature: string | undefined,
  parsed?: unknown,
): Promise<void> {
  if (!signature) throw unauthorized('Missing X-Hub-Signature-256');
  if (!rawBody || rawBody.length === 0) throw badRequest('The webhook body must be JSON');
  let body: { object?: string };
  try {
    // The JSON body parser has usually read it already; the raw bytes are kept for the signature.
    body = (parsed !== undefined && typeof parsed === 'object' ? parsed : JSON.parse(rawBody.toString('utf8'))) as { object?: string };
  } catch {
    throw badRequest('The webhook body is not valid JSON');
  }
  const channel = META_OBJECTS[String(body?.object)];
  const routed =
    channel && isImplementedChannel(ctx.adapters, channel)
      ? await routeWebhook(ctx, channel, getAdapter(ctx.adapters, channel).routingKeys(body))
      : [];
  const secrets = [...routed.map((r) => r.appSecret), ctx.config.META_APP_SECRET].filter((s): s is string => Boolean(s));
  // A known account must be signed with its secret; an unknown one is checked when a global secret
  // exists, then acknowledged without storing (nothing here could use it) so Meta stops retrying.
  const checkable = routed.length > 0 || secrets.length > 0;
  if (checkable && !secrets.some((secret) => verifyMetaSignature(rawBody, signature, secret)))
    throw unauthorized('The webhook signature is not valid');
  if (routed.length === 0) {
    ctx.log.warn({ object: body?.object }, 'webhook for an unknown account acknowledged without storing');
    return;
  }
  const tenants = [...new Set(routed.map((r) => r.account.tenantId))];
  const now = ctx.now();
  const event: WebhookEvent = {
    id: newId(),
    tenantId: tenants.length === 1 ? tenants[0] : null,
    source,
    payload: rawBody.toString('utf8'),
    status: 'received',
    error: null,
    receivedAt: now,
    processedAt: null,
  };
  // One queue: statuses are applied after the messages they follow.
  await storeWebhook(
    ctx,
    event,
    newJob('webhook.process', { eventId: event.id }, now, { tenantId: event.tenantId, queueKey: 'webhooks', maxAttempts: 20 }),
  );
}

/** How an inbound email is kept in webhook_events until its job reads it. */
type StoredEmail = { accountId: string; format: 'mime'; raw: string } | { accountId: string; format: 'json'; email: EmailJson };

/**
 * The active mailbox whose inbound secret is `secret` (any tenant). Secrets are compared in constant
 * time; several mailboxes sharing one secret resolve to the oldest.
 */
async function mailboxForSecret(services: Services, secret: string): Promise<IntegrationAccount | undefined> {
  const adapter = getAdapter(services.adapters, 'email');
  const accounts = await services.db
    .getRepository(IntegrationAccountEntity)
    .find({ where: { channel: 'email', status: 'active' }, order: { createdAt: 'ASC' } });
  return accounts.find((a) => adapter.verifySignature(Buffer.alloc(0), secret, accountCredentials(services, a).config.inboundSecret ?? ''));
}

/**
 * The mailbox an email webhook is for, from its X-Webhook-Secret: 401 when the secret is missing or
 * matches no connected mailbox. Called before the (up to 30 MB) body is read.
 */
export async function authenticateMailbox(ctx: Ctx, secret: string | undefined): Promise<IntegrationAccount> {
  if (!secret) throw unauthorized("Missing X-Webhook-Secret (the mailbox's inbound secret)");
  const account = await mailboxForSecret(ctx, secret);
  if (!account) throw unauthorized('The X-Webhook-Secret does not match any connected mailbox');
  return account;
}

/**
 * Stores an email for an authenticated mailbox (see authenticateMailbox): checks that the body is an email
 * (raw MIME, or the JSON shape), then stores it with its processing job. Returns once it is durable.
 */
export async function receiveEmailWebhook(
  ctx: Ctx,
  input: { account: IntegrationAccount; mime?: Buffer; json?: unknown; contentType: string | undefined },
): Promise<{ received: true; eventId: string }> {
  const account = input.account;
  const adapter = getAdapter(ctx.adapters, 'email');
  let stored: StoredEmail;
  if (input.mime) {
    if (input.mime.length === 0)
      throw badRequest('The email is empty', [{ path: 'body', message: 'Send the raw message (message/rfc822)' }]);
    try {
      await adapter.parseEmail({ mime: input.mime });
    } catch (err) {
      throw badRequest(`The body is not a readable email: ${(err as Error).message}`, [
        { path: 'body', message: 'Not an RFC 5322 message with a From address' },
      ]);
    }
    stored = { accountId: account.id, format: 'mime', raw: input.mime.toString('base64') };
  } else if (input.json !== undefined) {
    const parsed = emailJsonSchema.safeParse(input.json);
    if (!parsed.success) throw badRequest('The email JSON is not valid', zodFieldErrors(parsed.error, ''));
    try {
      await adapter.parseEmail({ json: parsed.data });
    } catch (err) {
      throw badRequest((err as Error).message, [{ path: 'from', message: 'Needs an email address' }]);
    }
    stored = { accountId: account.id, format: 'json', email: parsed.data };
  } else {
    throw new HttpError(
      415,
      `Send the email as message/rfc822 (raw MIME) or application/json, not ${input.contentType ?? 'no content type'}`,
    );
  }
  const now = ctx.now();
  const event: WebhookEvent = {
    id: newId(),
    tenantId: account.tenantId,
    source: 'email',
    payload: JSON.stringify(stored),
    status: 'received',
    error: null,
    receivedAt: now,
    processedAt: null,
  };
  await ctx.transaction(async (m) => {
    await m.getRepository(WebhookEventEntity).insert(event);
    // One queue per mailbox: a reply is threaded after the email it answers.
    await enqueueJob(m, 'webhook.process', { eventId: event.id }, now, {
      tenantId: account.tenantId,
      queueKey: `email:${account.id}`,
      maxAttempts: 20,
    });
  });
  return { received: true, eventId: event.id };
}

/** Reads a stored email, keeps its attachments as media and ingests it into its thread. */
async function processEmailEvent(services: Services, event: WebhookEvent): Promise<{ status: WebhookEvent['status']; error?: string }> {
  const stored = JSON.parse(event.payload) as StoredEmail;
  const account = await services.db.getRepository(IntegrationAccountEntity).findOne({ where: { id: stored.accountId } });
  if (account?.status !== 'active') return { status: 'ignored', error: 'The mailbox is no longer connected' };
  const adapter = getAdapter(services.adapters, 'email');
  let email: ParsedEmail;
  try {
    email = await adapter.parseEmail(stored.format === 'mime' ? { mime: Buffer.from(stored.raw, 'base64') } : { json: stored.email });
  } catch (err) {
    return { status: 'failed', error: `Unreadable email: ${(err as Error).message}` };
  }
  // Our own replies copied back to the mailbox (or a loop) are not customer messages.
  if (email.from.address === account.externalId) return { status: 'ignored', error: 'Sent from the mailbox itself' };
  if (await services.db.getRepository(MessageEntity).exist({ where: { tenantId: account.tenantId, externalId: email.messageId } }))
    return { status: 'processed' };
  const attachments = [];
  for (const [index, file] of email.attachments.entries()) {
    const media = await saveMedia(services, {
      tenantId: account.tenantId,
      data: file.content,
      mimeType: file.contentType,
      filename: file.filename ?? null,
      source: 'inbound',
      channel: 'email',
      // Stable per email and position, so a retried job finds the file it already saved.
      externalId: `email:${createHash('sha256').update(`${email.messageId}#${index}`).digest('hex').slice(0, 48)}`,
    });
    attachments.push({ mediaId: media.id, filename: media.filename, mimeType: media.mimeType, size: media.size });
  }
  await ingestInbound(services, account, emailToInbound(email, attachments, event.receivedAt));
  return { status: 'processed' };
}

export function webhookJobs(services: Services): Record<string, JobHandler> {
  return {
    ['webhook.process']: async (job) => {
      const repo = services.db.getRepository(WebhookEventEntity);
      const event = await repo.findOne({ where: { id: String(job.payload.eventId) } });
      if (!event || event.status === 'processed') return;
      if (event.source === 'email') {
        const outcome = await processEmailEvent(services, event);
        await repo.update({ id: event.id }, { status: outcome.status, error: outcome.error ?? null, processedAt: services.now() });
        return;
      }
      const body = JSON.parse(event.payload) as { object?: string };
      const channel = META_OBJECTS[String(body.object)];
      if (!channel || !isImplementedChannel(services.adapters, channel)) {
        await repo.update(
          { id: event.id },
          { status: 'ignored', error: `No adapter for object ${body.object}`, processedAt: services.now() },
        );
        return;
      }
      for (const batch of getAdapter(services.adapters, channel).parseWebhook(body)) {
        const [account] = (await routeWebhook(services, channel, [batch.accountKey])).map((r) => r.account);
        // (For template events the key is the WABA id; one of its numbers' accounts stands for it.)
        if (!account) {
          services.log.warn({ channel, accountKey: batch.accountKey }, 'webhook batch for an unknown account skipped');
          continue;
        }
        for (const message of batch.messages) await ingestInbound(services, account, message);
        for (const status of batch.statuses) await applyStatus(services, account, status);
        for (const watermark of batch.watermarks ?? []) await applyWatermark(services, account, watermark);
        for (const t of batch.templateStatuses) {
          await services.transaction((m) =>
            emitEvent(
              m,
              { tenantId: account.tenantId, type: 'template.status_changed', payload: { ...t, accountId: account.id } },
              services.now(),
            ),
          );
        }
      }
      await repo.update({ id: event.id }, { status: 'processed', processedAt: services.now() });
    },
  };
}
