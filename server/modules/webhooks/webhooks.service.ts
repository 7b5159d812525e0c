// Inbound webhooks (DESIGN rule 6): verified by signature over the raw body, stored (with the job
// that will process them) before the 200 is sent, then processed idempotently by that job.
// Email arrives the same way, authenticated by the mailbox's inbound secret instead of a signature.
import { createHash } from 'node:crypto';
import { In, type EntityManager } from 'typeorm';
import type { Ctx, Services } from '../../core/context.js';
import { HttpError, badRequest, unauthorized, zodFieldErrors } from '../../core/http/errors.js';
import { enqueueJob, newJob } from '../../core/jobs/queue.js';
import { newId } from '../../core/ids.js';
import { emitEvent } from '../../core/events/outbox.js';
import type { JobHandler } from '../../core/jobs/queue.js';
import type { Job } from '../../core/jobs/job.entity.js';
import { isImplementedChannel, getAdapter } from '../../channels/index.js';
import { verifyMetaSignature } from '../../channels/meta-signature.js';
import type { Channel } from '../../channels/types.js';
import { emailJsonSchema, emailToInbound, type EmailJson, type ParsedEmail } from '../../channels/email/email.parse.js';
import { IntegrationAccountEntity, type IntegrationAccount } from '../integrations/integration.entity.js';
import { accountCredentials } from '../integrations/integrations.service.js';
import { ingestInbound, ingestInboundMany, type InboundItem } from '../messages/ingest.service.js';
import { applyStatus, applyWatermark } from '../messages/delivery-status.service.js';
import { applyRecipientStatus } from '../campaigns/campaigns.service.js';
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
  // One HMAC per distinct secret: the appliance's app secret, and each named account's own.
  const verdicts = new Map<string, boolean>();
  const signedWith = (secret: string | undefined): boolean => {
    if (!secret) return false;
    let ok = verdicts.get(secret);
    if (ok === undefined) verdicts.set(secret, (ok = verifyMetaSignature(rawBody, signature, secret)));
    return ok;
  };
  if (routed.length === 0) {
    // An unknown account is checked when a global secret exists, then acknowledged without storing
    // (nothing here could use it) so Meta stops retrying.
    if (ctx.config.META_APP_SECRET && !signedWith(ctx.config.META_APP_SECRET)) throw unauthorized('The webhook signature is not valid');
    ctx.log.warn({ object: body?.object }, 'webhook for an unknown account acknowledged without storing');
    return;
  }
  // Each account's entries count only if the body is signed with that account's own app secret
  // (or the appliance's): a body signed by one tenant's app that also names another tenant's
  // account must not reach that other tenant (issue 12, finding 2). Those entries are dropped by
  // the job (see webhookJobs), which records how many.
  let accepted = routed.filter((r) => signedWith(r.appSecret));
  if (accepted.length < routed.length && signedWith(ctx.config.META_APP_SECRET)) accepted = routed;
  if (accepted.length === 0) throw unauthorized('The webhook signature is not valid');
  if (accepted.length < routed.length) {
    ctx.log.warn(
      { dropped: routed.filter((r) => !accepted.includes(r)).map((r) => r.account.id), kept: accepted.map((r) => r.account.id) },
      'webhook names accounts whose app secret did not sign it; their entries are dropped',
    );
  }
  const tenants = [...new Set(accepted.map((r) => r.account.tenantId))];
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
  // One queue: statuses are applied after the messages they follow. `accounts`: the only accounts
  // whose entries the job may process.
  await storeWebhook(
    ctx,
    event,
    newJob('webhook.process', { eventId: event.id, accounts: accepted.map((r) => r.account.id) }, now, {
      tenantId: event.tenantId,
      queueKey: 'webhooks',
      maxAttempts: 20,
    }),
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
  const eventId = await ctx.transaction((m) => insertEmail(m, account, stored, ctx.now()));
  return { received: true, eventId };
}

/** Writes a stored email and its processing job with the caller's transaction. */
async function insertEmail(m: EntityManager, account: IntegrationAccount, stored: StoredEmail, now: Date): Promise<string> {
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
  await m.getRepository(WebhookEventEntity).insert(event);
  // One queue per mailbox: a reply is threaded after the email it answers.
  await enqueueJob(m, 'webhook.process', { eventId: event.id }, now, {
    tenantId: account.tenantId,
    queueKey: `email:${account.id}`,
    maxAttempts: 20,
  });
  return event.id;
}

/**
 * Stores a raw email read from the mailbox (IMAP) exactly as an inbound webhook would, inside the
 * caller's transaction, so the reader's cursor advances together with it. Threading, attachments
 * and de-duplication by Message-ID then happen in the same job as for the webhook.
 */
export function storeFetchedEmail(m: EntityManager, account: IntegrationAccount, mime: Buffer, now: Date): Promise<string> {
  return insertEmail(m, account, { accountId: account.id, format: 'mime', raw: mime.toString('base64') }, now);
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

/**
 * Processes stored webhooks in the order given (their queue's): one job's, or a batch's (the job
 * type's `many`). The inbound messages of consecutive webhooks are stored together
 * (ingestInboundMany); anything else a webhook carries (statuses, read watermarks, template events,
 * an email) first stores the messages before it, so every queue keeps its order.
 */
export async function processWebhooks(services: Services, jobs: Job[]): Promise<void> {
  const repo = services.db.getRepository(WebhookEventEntity);
  const events = await repo.find({ where: { id: In(jobs.map((job) => String(job.payload.eventId))) } });
  const eventById = new Map(events.map((e) => [e.id, e]));
  let inbound: InboundItem[] = [];
  const flush = async () => {
    if (inbound.length === 0) return;
    const items = inbound;
    inbound = [];
    await ingestInboundMany(services, items);
  };
  const outcomes: { id: string; status: WebhookEvent['status']; error: string | null }[] = [];
  for (const job of jobs) {
    const event = eventById.get(String(job.payload.eventId));
    if (!event || event.status === 'processed') continue;
    if (event.source === 'email') {
      await flush();
      const outcome = await processEmailEvent(services, event);
      outcomes.push({ id: event.id, status: outcome.status, error: outcome.error ?? null });
      continue;
    }
    const body = JSON.parse(event.payload) as { object?: string };
    const channel = META_OBJECTS[String(body.object)];
    if (!channel || !isImplementedChannel(services.adapters, channel)) {
      outcomes.push({ id: event.id, status: 'ignored', error: `No adapter for object ${body.object}` });
      continue;
    }
    // The accounts whose app secret signed the body (recorded when it was acknowledged). A job
    // queued before that was recorded may only touch the event's own tenant.
    const signedFor = Array.isArray(job.payload.accounts) ? new Set((job.payload.accounts as unknown[]).map(String)) : null;
    const mayProcess = (account: IntegrationAccount) =>
      signedFor ? signedFor.has(account.id) : event.tenantId !== null && account.tenantId === event.tenantId;
    let dropped = 0;
    for (const batch of getAdapter(services.adapters, channel).parseWebhook(body)) {
      const [account] = (await routeWebhook(services, channel, [batch.accountKey])).map((r) => r.account);
      // (For template events the key is the WABA id; one of its numbers' accounts stands for it.)
      if (!account) {
        services.log.warn({ channel, accountKey: batch.accountKey }, 'webhook batch for an unknown account skipped');
        continue;
      }
      if (!mayProcess(account)) {
        dropped++;
        services.log.warn(
          { channel, accountKey: batch.accountKey, accountId: account.id, eventId: event.id },
          'webhook entry for an account whose app secret did not sign the body dropped',
        );
        continue;
      }
      for (const message of batch.messages) inbound.push({ account, inbound: message });
      if (batch.statuses.length || batch.watermarks?.length || batch.templateStatuses.length) await flush();
      for (const status of batch.statuses) {
        // A status of no inbox message may be about a campaign send (those have no message row).
        if (!(await applyStatus(services, account, status))) await applyRecipientStatus(services, account, status);
      }
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
    outcomes.push({
      id: event.id,
      status: 'processed',
      // Counted on the event: what was dropped, and why.
      error: dropped
        ? `Dropped ${dropped} ${dropped === 1 ? 'entry' : 'entries'} for accounts whose app secret did not sign the body`
        : null,
    });
  }
  await flush();
  // One write per outcome (usually one for the lot: processed, nothing dropped).
  const processedAt = services.now();
  const groups = new Map<string, { status: WebhookEvent['status']; error: string | null; ids: string[] }>();
  for (const o of outcomes) {
    const key = `${o.status}\n${o.error ?? ''}`;
    const group = groups.get(key) ?? { status: o.status, error: o.error, ids: [] };
    group.ids.push(o.id);
    groups.set(key, group);
  }
  for (const g of groups.values()) await repo.update({ id: In(g.ids) }, { status: g.status, error: g.error, processedAt });
}

export function webhookJobs(services: Services): Record<string, JobHandler> {
  return {
    ['webhook.process']: Object.assign((job: Job) => processWebhooks(services, [job]), {
      many: (jobs: Job[]) => processWebhooks(services, jobs),
    }),
  };
}
