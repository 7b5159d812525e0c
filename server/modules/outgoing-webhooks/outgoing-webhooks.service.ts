// Outgoing webhooks: subscriptions per event type, fed from the domain events in the outbox. Each
// delivery is a durable job that POSTs the JSON body through the SSRF guard (services.outbound),
// signed with HMAC-SHA256 over "<timestamp>.<raw body>"; failures retry with exponential backoff for
// 24 hours; deliveries keep status code, latency and a response excerpt; a subscription that keeps
// failing is disabled and its owner told (activity log and an event the UI shows).
import { createHmac, randomBytes } from 'node:crypto';
import { In, type EntityManager } from 'typeorm';
import type { Services, TenantCtx } from '../../core/context.js';
import { scoped } from '../../core/tenancy.js';
import { newId } from '../../core/ids.js';
import { notFound, unprocessable } from '../../core/http/errors.js';
import { emitEvent, type EventHandler } from '../../core/events/outbox.js';
import type { DomainEvent } from '../../core/events/event.entity.js';
import { enqueueJob, type JobHandler } from '../../core/jobs/queue.js';
import { recordActivity } from '../../core/audit.js';
import { maskSecret } from '../../core/vault.js';
import { OutboundError } from '../../core/net/outbound.js';
import {
  OutgoingWebhookDeliveryEntity,
  OutgoingWebhookEntity,
  type OutgoingWebhook,
  type OutgoingWebhookDelivery,
} from './outgoing-webhook.entity.js';

/** The event types a subscription can choose, with what they mean. */
export const WEBHOOK_EVENT_TYPES: Record<string, string> = {
  'message.created': 'A message was received from a customer or sent to one',
  'message.status': 'An outbound message was sent, delivered, read or failed',
  'conversation.created': 'A new conversation was opened',
  'conversation.updated': 'A conversation changed: assignment, status, tags, a new message',
  'conversation.resolved': 'A conversation was resolved',
  'contact.created': 'A new contact was created',
  'contact.updated': 'A contact changed (details, opt-out, merge)',
  'campaign.finished': 'A campaign finished sending (with its statistics)',
  'template.status_changed': 'Meta approved, rejected, paused or disabled a WhatsApp template',
};
export const TEST_EVENT = 'webhook.test';
const DELIVER_JOB = 'outgoing-webhooks.deliver';
const RETRY_WINDOW_MS = 24 * 3600_000;
const MAX_RETRY_DELAY_MS = 2 * 3600_000;
export const SIGNATURE_HEADER = 'X-OmniStream-Signature';
export const TIMESTAMP_HEADER = 'X-OmniStream-Timestamp';

/** The subscription event types a domain event is published as. */
function publishedAs(event: DomainEvent): string[] {
  switch (event.type) {
    case 'message.created':
    case 'conversation.created':
    case 'contact.created':
    case 'campaign.finished':
    case 'template.status_changed':
      return [event.type];
    case 'message.updated':
      return ['message.status'];
    case 'conversation.updated':
    case 'conversation.assigned':
    case 'conversation.takeover':
      return ['conversation.updated'];
    case 'conversation.status_changed':
      return (event.payload as { to?: string }).to === 'resolved'
        ? ['conversation.updated', 'conversation.resolved']
        : ['conversation.updated'];
    case 'contact.updated':
    case 'contact.merged':
      return ['contact.updated'];
    default:
      return [];
  }
}

export function webhookView(w: OutgoingWebhook) {
  return {
    id: w.id,
    name: w.name,
    url: w.url,
    events: w.events,
    enabled: w.enabled,
    secretMasked: maskSecret(`xxxxxxxx${w.secretLast4}`),
    consecutiveFailures: w.consecutiveFailures,
    disabledAt: w.disabledAt,
    disabledReason: w.disabledReason,
    lastDeliveryAt: w.lastDeliveryAt,
    lastStatusCode: w.lastStatusCode,
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
  };
}

export function deliveryView(d: OutgoingWebhookDelivery) {
  return {
    id: d.id,
    webhookId: d.webhookId,
    eventId: d.eventId,
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts,
    statusCode: d.statusCode,
    latencyMs: d.latencyMs,
    responseExcerpt: d.responseExcerpt,
    error: d.error,
    nextAttemptAt: d.nextAttemptAt,
    lastAttemptAt: d.lastAttemptAt,
    deliveredAt: d.deliveredAt,
    body: d.body,
    createdAt: d.createdAt,
  };
}

/** The signature of a delivery: hex HMAC-SHA256 of "<timestamp>.<raw body>" under the secret. */
export function signDelivery(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

const newSecret = () => `whsec_${randomBytes(24).toString('base64url')}`;

// Subscriptions by tenant, briefly cached: every domain event looks them up.
const cache = new Map<string, { at: number; rows: OutgoingWebhook[] }>();
const CACHE_MS = 2000;
async function subscriptions(services: Services, tenantId: string): Promise<OutgoingWebhook[]> {
  const hit = cache.get(tenantId);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.rows;
  const rows = await services.db.getRepository(OutgoingWebhookEntity).find({ where: { tenantId, enabled: true } });
  cache.set(tenantId, { at: Date.now(), rows });
  return rows;
}

async function checkUrl(ctx: TenantCtx, url: string): Promise<void> {
  try {
    await ctx.outbound.check(url);
  } catch (err) {
    if (err instanceof OutboundError)
      throw unprocessable(`The URL cannot be used: ${err.message}`, [{ path: 'url', message: err.message }]);
    throw err;
  }
}

function checkEvents(events: string[]): void {
  const unknown = events.filter((e) => !Object.hasOwn(WEBHOOK_EVENT_TYPES, e));
  if (unknown.length)
    throw unprocessable(`Unknown event type ${unknown.join(', ')}`, [
      { path: 'events', message: `Use ${Object.keys(WEBHOOK_EVENT_TYPES).join(', ')}` },
    ]);
}

/**
 * Queues one delivery of `data` as `eventType` to a subscription, in the transaction `m` (for
 * automation rules: "call an outgoing webhook"). The job signs and sends it, and retries for 24 hours.
 */
export async function deliverToSubscription(
  services: Services,
  m: EntityManager,
  input: { tenantId: string; webhookId: string; eventType: string; data: unknown; eventId?: string | null; occurredAt?: Date },
): Promise<OutgoingWebhookDelivery> {
  const now = services.now();
  const id = newId();
  const body = JSON.stringify({ id, type: input.eventType, createdAt: (input.occurredAt ?? now).toISOString(), data: input.data });
  const delivery: OutgoingWebhookDelivery = {
    id,
    tenantId: input.tenantId,
    webhookId: input.webhookId,
    eventId: input.eventId ?? null,
    eventType: input.eventType,
    body,
    status: 'pending',
    attempts: 0,
    statusCode: null,
    latencyMs: null,
    responseExcerpt: null,
    error: null,
    nextAttemptAt: now,
    lastAttemptAt: null,
    deliveredAt: null,
    createdAt: now,
    updatedAt: now,
  };
  await m.getRepository(OutgoingWebhookDeliveryEntity).insert(delivery as never);
  await enqueueJob(m, DELIVER_JOB, { deliveryId: id }, now, { tenantId: input.tenantId, maxAttempts: 3 });
  return delivery;
}

/** The event type of a delivery other modules request (automation's "call an outgoing webhook"). */
export const CALL_EVENT = 'automation.action';

/**
 * Queues a delivery of `data` to one of the tenant's outgoing webhooks, in the caller's transaction
 * `m` (for automation's "call an outgoing webhook" action): signed like every delivery, sent by the
 * durable job with exponential retries for 24 hours, listed in the webhook's deliveries. `eventType`
 * defaults to "automation.action". 404 for a webhook that is not the tenant's; 422 for a disabled one.
 */
export async function callWebhook(
  services: Services,
  m: EntityManager,
  input: { tenantId: string; webhookId: string; data: unknown; eventType?: string; eventId?: string | null },
): Promise<{ deliveryId: string }> {
  const hook = await m.getRepository(OutgoingWebhookEntity).findOne({ where: { tenantId: input.tenantId, id: input.webhookId } });
  if (!hook) throw notFound('Outgoing webhook');
  if (!hook.enabled) throw unprocessable(`The outgoing webhook "${hook.name}" is disabled`, [{ path: 'webhookId', message: 'Disabled' }]);
  const delivery = await deliverToSubscription(services, m, {
    tenantId: input.tenantId,
    webhookId: hook.id,
    eventType: input.eventType ?? CALL_EVENT,
    data: input.data,
    eventId: input.eventId ?? null,
  });
  return { deliveryId: delivery.id };
}

export const outgoingWebhooksService = {
  events() {
    return { data: Object.entries(WEBHOOK_EVENT_TYPES).map(([type, description]) => ({ type, description })) };
  },

  async list(ctx: TenantCtx, q: { limit: number; cursor?: string }) {
    const page = await scoped(ctx, OutgoingWebhookEntity).page({ limit: q.limit, cursor: q.cursor });
    return { data: page.data.map(webhookView), nextCursor: page.nextCursor };
  },

  async create(ctx: TenantCtx, input: { name?: string; url: string; events: string[]; secret?: string; enabled?: boolean }) {
    checkEvents(input.events);
    await checkUrl(ctx, input.url);
    const secret = input.secret ?? newSecret();
    const now = ctx.now();
    const row: OutgoingWebhook = {
      id: newId(),
      tenantId: ctx.tenantId,
      name: input.name ?? new URL(input.url).host,
      url: input.url,
      events: [...new Set(input.events)],
      secret: ctx.vault.encrypt(secret),
      secretLast4: secret.slice(-4),
      enabled: input.enabled ?? true,
      consecutiveFailures: 0,
      disabledAt: null,
      disabledReason: null,
      lastDeliveryAt: null,
      lastStatusCode: null,
      createdById: ctx.principal.userId,
      createdAt: now,
      updatedAt: now,
    };
    await ctx.transaction(async (m) => {
      await m.getRepository(OutgoingWebhookEntity).insert(row as never);
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'outgoing_webhook.created',
        targetType: 'outgoing_webhook',
        targetId: row.id,
        details: { url: row.url, events: row.events },
      });
    });
    cache.delete(ctx.tenantId);
    // The secret is shown this once.
    return { ...webhookView(row), secret };
  },

  async update(
    ctx: TenantCtx,
    id: string,
    input: { name?: string; url?: string; events?: string[]; enabled?: boolean; rotateSecret?: boolean },
  ) {
    const row = await scoped(ctx, OutgoingWebhookEntity).get(id, 'Outgoing webhook');
    if (input.events) checkEvents(input.events);
    if (input.url) await checkUrl(ctx, input.url);
    const now = ctx.now();
    const patch: Partial<OutgoingWebhook> = { updatedAt: now };
    if (input.name !== undefined) patch.name = input.name;
    if (input.url !== undefined) patch.url = input.url;
    if (input.events !== undefined) patch.events = [...new Set(input.events)];
    if (input.enabled !== undefined) {
      patch.enabled = input.enabled;
      // Turning it back on starts the failure count afresh.
      if (input.enabled) Object.assign(patch, { consecutiveFailures: 0, disabledAt: null, disabledReason: null });
    }
    let secret: string | undefined;
    if (input.rotateSecret) {
      secret = newSecret();
      patch.secret = ctx.vault.encrypt(secret);
      patch.secretLast4 = secret.slice(-4);
    }
    await ctx.transaction(async (m) => {
      await scoped(ctx, OutgoingWebhookEntity, m).update(id, patch);
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'outgoing_webhook.updated',
        targetType: 'outgoing_webhook',
        targetId: id,
        details: { fields: Object.keys(input), rotatedSecret: Boolean(input.rotateSecret) },
      });
    });
    cache.delete(ctx.tenantId);
    return { ...webhookView({ ...row, ...patch }), ...(secret ? { secret } : {}) };
  },

  async remove(ctx: TenantCtx, id: string) {
    const row = await scoped(ctx, OutgoingWebhookEntity).get(id, 'Outgoing webhook');
    await ctx.transaction(async (m) => {
      await m.getRepository(OutgoingWebhookDeliveryEntity).delete({ tenantId: ctx.tenantId, webhookId: id });
      await scoped(ctx, OutgoingWebhookEntity, m).remove(id);
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'outgoing_webhook.deleted',
        targetType: 'outgoing_webhook',
        targetId: id,
        details: { url: row.url },
      });
    });
    cache.delete(ctx.tenantId);
  },

  async deliveries(ctx: TenantCtx, id: string, q: { limit: number; cursor?: string; status?: OutgoingWebhookDelivery['status'] }) {
    await scoped(ctx, OutgoingWebhookEntity).get(id, 'Outgoing webhook');
    const page = await scoped(ctx, OutgoingWebhookDeliveryEntity).page({
      where: { webhookId: id, ...(q.status ? { status: q.status } : {}) },
      limit: q.limit,
      cursor: q.cursor,
    });
    return { data: page.data.map(deliveryView), nextCursor: page.nextCursor };
  },

  /** Queues a `webhook.test` event to the subscription (even a disabled one: that is how it is checked before turning it on). */
  async test(ctx: TenantCtx, id: string) {
    const row = await scoped(ctx, OutgoingWebhookEntity).get(id, 'Outgoing webhook');
    const delivery = await ctx.transaction((m) =>
      deliverToSubscription(ctx, m, {
        tenantId: ctx.tenantId,
        webhookId: row.id,
        eventType: TEST_EVENT,
        data: { message: 'This is a test event from OmniStream.', webhookId: row.id, requestedBy: ctx.principal.name },
      }),
    );
    return deliveryView(delivery);
  },
};

export function outgoingWebhookEvents(services: Services): Record<string, EventHandler> {
  return {
    '*': async (event) => {
      if (!event.tenantId) return;
      const types = publishedAs(event);
      if (types.length === 0) return;
      const subs = (await subscriptions(services, event.tenantId)).filter((s) => types.some((t) => s.events.includes(t)));
      if (subs.length === 0) return;
      await services.transaction(async (m) => {
        for (const sub of subs) {
          for (const type of types.filter((t) => sub.events.includes(t))) {
            // The bus delivers at least once: one delivery per (subscription, event, type).
            const eventId = types.length > 1 ? null : event.id;
            if (eventId && (await m.getRepository(OutgoingWebhookDeliveryEntity).exist({ where: { webhookId: sub.id, eventId } })))
              continue;
            await deliverToSubscription(services, m, {
              tenantId: event.tenantId!,
              webhookId: sub.id,
              eventType: type,
              data: event.payload,
              eventId,
              occurredAt: event.createdAt,
            });
          }
        }
      });
    },
  };
}

export function outgoingWebhookJobs(services: Services): Record<string, JobHandler> {
  return {
    [DELIVER_JOB]: async (job) => {
      const deliveries = services.db.getRepository(OutgoingWebhookDeliveryEntity);
      const hooks = services.db.getRepository(OutgoingWebhookEntity);
      const delivery = await deliveries.findOne({ where: { id: String(job.payload.deliveryId) } });
      if (!delivery || delivery.status === 'succeeded' || delivery.status === 'failed') return;
      const hook = await hooks.findOne({ where: { id: delivery.webhookId } });
      if (!hook) return;
      if (!hook.enabled && delivery.eventType !== TEST_EVENT) {
        await deliveries.update(
          { id: delivery.id },
          { status: 'failed', error: 'The webhook is disabled', nextAttemptAt: null, updatedAt: services.now() },
        );
        return;
      }
      const secret = services.vault.decrypt<string>(hook.secret);
      const timestamp = Math.floor(services.now().getTime() / 1000);
      const started = performance.now();
      let statusCode: number | null = null;
      let excerpt: string | null = null;
      let error: string | null = null;
      try {
        const res = await services.outbound.fetch(hook.url, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'User-Agent': 'OmniStream-Webhooks/1.0',
            'X-OmniStream-Event': delivery.eventType,
            'X-OmniStream-Delivery': delivery.id,
            [TIMESTAMP_HEADER]: String(timestamp),
            [SIGNATURE_HEADER]: signDelivery(secret, timestamp, delivery.body),
          },
          body: delivery.body,
          timeoutMs: 10_000,
          maxBytes: 256 * 1024,
          maxRedirects: 0,
        });
        statusCode = res.status;
        excerpt = res.text().slice(0, 500);
        if (res.status < 200 || res.status >= 300) error = `The endpoint answered HTTP ${res.status}`;
      } catch (err) {
        error = err instanceof OutboundError ? err.message : (err as Error).message;
      }
      const latencyMs = Math.round(performance.now() - started);
      const now = services.now();
      const attempts = delivery.attempts + 1;
      const base = {
        attempts,
        statusCode,
        latencyMs,
        responseExcerpt: excerpt,
        error: error?.slice(0, 1000) ?? null,
        lastAttemptAt: now,
        updatedAt: now,
      };
      if (!error) {
        await services.transaction(async (m) => {
          await m
            .getRepository(OutgoingWebhookDeliveryEntity)
            .update({ id: delivery.id }, { ...base, status: 'succeeded', deliveredAt: now, nextAttemptAt: null } as never);
          await m
            .getRepository(OutgoingWebhookEntity)
            .update({ id: hook.id }, { consecutiveFailures: 0, lastDeliveryAt: now, lastStatusCode: statusCode });
        });
        return;
      }
      const failures = hook.consecutiveFailures + 1;
      const disable = hook.enabled && failures >= services.config.OUTGOING_WEBHOOK_DISABLE_AFTER;
      const delay = Math.min(services.config.OUTGOING_WEBHOOK_RETRY_BASE_MS * 2 ** (attempts - 1), MAX_RETRY_DELAY_MS);
      const next = new Date(now.getTime() + delay);
      const giveUp =
        disable || next.getTime() > delivery.createdAt.getTime() + RETRY_WINDOW_MS || (!hook.enabled && delivery.eventType === TEST_EVENT);
      await services.transaction(async (m) => {
        await m
          .getRepository(OutgoingWebhookDeliveryEntity)
          .update({ id: delivery.id }, { ...base, status: giveUp ? 'failed' : 'retrying', nextAttemptAt: giveUp ? null : next } as never);
        await m
          .getRepository(OutgoingWebhookEntity)
          .update({ id: hook.id }, { consecutiveFailures: failures, lastDeliveryAt: now, lastStatusCode: statusCode });
        if (!giveUp)
          await enqueueJob(m, DELIVER_JOB, { deliveryId: delivery.id }, now, { tenantId: delivery.tenantId, runAt: next, maxAttempts: 3 });
        if (disable) {
          const reason = `Disabled after ${failures} failed attempts in a row; the last: ${error}`.slice(0, 500);
          await m
            .getRepository(OutgoingWebhookEntity)
            .update({ id: hook.id }, { enabled: false, disabledAt: now, disabledReason: reason, updatedAt: now });
          await m
            .getRepository(OutgoingWebhookDeliveryEntity)
            .update(
              { webhookId: hook.id, status: In(['pending', 'retrying']) },
              { status: 'failed', error: 'The webhook was disabled', nextAttemptAt: null, updatedAt: now },
            );
          await recordActivity({ ...services, requestId: job.id, ip: null, principal: null }, m, {
            tenantId: hook.tenantId,
            action: 'outgoing_webhook.disabled',
            targetType: 'outgoing_webhook',
            targetId: hook.id,
            details: { url: hook.url, failures, lastError: error },
          });
          await emitEvent(
            m,
            {
              tenantId: hook.tenantId,
              type: 'outgoing_webhook.disabled',
              payload: {
                webhookId: hook.id,
                name: hook.name,
                url: hook.url,
                reason,
                ownerId: hook.createdById,
                notifyUserId: hook.createdById,
              },
            },
            now,
          );
        }
      });
      if (disable) cache.delete(hook.tenantId);
    },
  };
}
