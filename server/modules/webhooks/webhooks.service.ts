// Inbound webhooks (DESIGN rule 6): verified by signature over the raw body, stored (with the job
// that will process them) before the 200 is sent, then processed idempotently by that job.
import type { Ctx, Services } from '../../core/context.js';
import { HttpError, badRequest, unauthorized } from '../../core/http/errors.js';
import { enqueueJob } from '../../core/jobs/queue.js';
import { newId } from '../../core/ids.js';
import { emitEvent } from '../../core/events/outbox.js';
import type { JobRunner } from '../../core/jobs/queue.js';
import { isImplementedChannel, getAdapter } from '../../channels/index.js';
import { verifyMetaSignature } from '../../channels/meta-signature.js';
import type { Channel } from '../../channels/types.js';
import { IntegrationAccountEntity } from '../integrations/integration.entity.js';
import { accountCredentials, findAccountsByKey } from '../integrations/integrations.service.js';
import { applyStatus, ingestInbound } from '../messages/messages.service.js';
import { WebhookEventEntity, type WebhookEvent } from './webhook-event.entity.js';

/** Which channel a Meta webhook body belongs to, by its `object` field. */
const META_OBJECTS: Record<string, Channel> = { whatsapp_business_account: 'whatsapp', instagram: 'instagram', page: 'messenger' };

/** The tokens Meta's verification handshake may present: the configured one and each account's. */
export async function verifyTokens(services: Services, channels: Channel[]): Promise<string[]> {
  const tokens = services.config.META_VERIFY_TOKEN ? [services.config.META_VERIFY_TOKEN] : [];
  const accounts = await services.db.getRepository(IntegrationAccountEntity).find({ where: channels.map((channel) => ({ channel, status: 'active' as const })) });
  for (const a of accounts) {
    const token = accountCredentials(services, a).config.verifyToken;
    if (token) tokens.push(token);
  }
  return tokens;
}

export async function handshake(services: Services, query: { 'hub.mode'?: string; 'hub.verify_token'?: string; 'hub.challenge'?: string }, channels: Channel[]): Promise<string> {
  if (query['hub.mode'] !== 'subscribe' || !query['hub.challenge'] || !query['hub.verify_token']) {
    throw badRequest('Expected hub.mode=subscribe with hub.verify_token and hub.challenge', [
      ...(query['hub.mode'] !== 'subscribe' ? [{ path: 'query.hub.mode', message: 'Must be "subscribe"' }] : []),
      ...(!query['hub.verify_token'] ? [{ path: 'query.hub.verify_token', message: 'Required' }] : []),
      ...(!query['hub.challenge'] ? [{ path: 'query.hub.challenge', message: 'Required' }] : []),
    ]);
  }
  if (!(await verifyTokens(services, channels)).includes(query['hub.verify_token'])) throw new HttpError(403, 'The verify token does not match');
  return query['hub.challenge'];
}

/** Account routing keys a Meta body mentions (phone number ids, page ids, IG account ids). */
function routingKeys(services: Services, channel: Channel, body: unknown): string[] {
  if (!isImplementedChannel(services.adapters, channel)) return [];
  return getAdapter(services.adapters, channel).parseWebhook(body).map((b) => b.accountKey);
}

/** Verifies, stores and enqueues a Meta webhook. Returns once it is durable. */
export async function receiveMetaWebhook(ctx: Ctx, source: WebhookEvent['source'], rawBody: Buffer | undefined, signature: string | undefined): Promise<void> {
  if (!signature) throw unauthorized('Missing X-Hub-Signature-256');
  if (!rawBody || rawBody.length === 0) throw badRequest('The webhook body must be JSON');
  let body: { object?: string };
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw badRequest('The webhook body is not valid JSON');
  }
  const channel = META_OBJECTS[String(body?.object)];
  const accounts = channel ? await findAccountsByKey(ctx, channel, routingKeys(ctx, channel, body)) : [];
  const secrets = [...accounts.map((a) => accountCredentials(ctx, a).config.appSecret), ctx.config.META_APP_SECRET].filter((s): s is string => Boolean(s));
  if (accounts.length === 0 && secrets.length === 0) {
    // Nothing here can check it and nothing would be stored: note it and let Meta stop retrying.
    ctx.log.warn({ object: body?.object }, 'webhook for an unknown account acknowledged without storing');
    return;
  }
  if (!secrets.some((secret) => verifyMetaSignature(rawBody, signature, secret))) throw unauthorized('The webhook signature is not valid');
  if (accounts.length === 0) {
    ctx.log.warn({ object: body?.object }, 'webhook for an unknown account acknowledged without storing');
    return;
  }
  const tenants = [...new Set(accounts.map((a) => a.tenantId))];
  const now = ctx.now();
  await ctx.transaction(async (m) => {
    const event: WebhookEvent = {
      id: newId(), tenantId: tenants.length === 1 ? tenants[0] : null, source, payload: rawBody.toString('utf8'), status: 'received',
      error: null, receivedAt: now, processedAt: null,
    };
    await m.getRepository(WebhookEventEntity).insert(event);
    // One queue: statuses are applied after the messages they follow.
    await enqueueJob(m, 'webhook.process', { eventId: event.id }, now, { tenantId: event.tenantId, queueKey: 'webhooks', maxAttempts: 20 });
  });
}

export function registerWebhookJobs(services: Services, jobs: JobRunner): void {
  jobs.register('webhook.process', async (job) => {
    const repo = services.db.getRepository(WebhookEventEntity);
    const event = await repo.findOne({ where: { id: String(job.payload.eventId) } });
    if (!event || event.status === 'processed') return;
    const body = JSON.parse(event.payload) as { object?: string };
    const channel = META_OBJECTS[String(body.object)];
    if (!channel || !isImplementedChannel(services.adapters, channel)) {
      await repo.update({ id: event.id }, { status: 'ignored', error: `No adapter for object ${body.object}`, processedAt: services.now() });
      return;
    }
    for (const batch of getAdapter(services.adapters, channel).parseWebhook(body)) {
      const [account] = await findAccountsByKey(services, channel, [batch.accountKey]);
      // (For template events the key is the WABA id; one of its numbers' accounts stands for it.)
      if (!account) {
        services.log.warn({ channel, accountKey: batch.accountKey }, 'webhook batch for an unknown account skipped');
        continue;
      }
      for (const message of batch.messages) await ingestInbound(services, account, message);
      for (const status of batch.statuses) await applyStatus(services, account, status);
      for (const t of batch.templateStatuses) {
        await services.transaction((m) => emitEvent(m, { tenantId: account.tenantId, type: 'template.status_changed', payload: { ...t, accountId: account.id } }, services.now()));
      }
    }
    await repo.update({ id: event.id }, { status: 'processed', processedAt: services.now() });
  });
}
