import { EntitySchema } from 'typeorm';
import { col } from '../../db/columns.js';

/** A subscription: POST these event types, signed, to this URL. */
export interface OutgoingWebhook {
  id: string;
  tenantId: string;
  name: string;
  url: string;
  events: string[];
  /** The signing secret, encrypted with the vault; shown once at creation (or rotation). */
  secret: string;
  secretLast4: string;
  enabled: boolean;
  /** Failed attempts in a row (any delivery); reset by a success. */
  consecutiveFailures: number;
  disabledAt: Date | null;
  disabledReason: string | null;
  lastDeliveryAt: Date | null;
  lastStatusCode: number | null;
  createdById: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const OutgoingWebhookEntity = new EntitySchema<OutgoingWebhook>({
  name: 'OutgoingWebhook',
  tableName: 'outgoing_webhooks',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    name: col.string(200),
    url: col.string(2000),
    events: col.json(),
    secret: col.text(),
    secretLast4: col.string(8),
    enabled: col.bool(true),
    consecutiveFailures: col.int(0),
    disabledAt: col.time(true),
    disabledReason: col.string(500, true),
    lastDeliveryAt: col.time(true),
    lastStatusCode: { type: 'integer', nullable: true },
    createdById: col.ref(true),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});

export type DeliveryStatus = 'pending' | 'retrying' | 'succeeded' | 'failed';

/** One event for one subscription: the exact body sent, and the outcome of its last attempt. */
export interface OutgoingWebhookDelivery {
  id: string;
  tenantId: string;
  webhookId: string;
  /** The domain event it carries (null for a test event); with webhookId, unique. */
  eventId: string | null;
  eventType: string;
  body: string;
  status: DeliveryStatus;
  attempts: number;
  statusCode: number | null;
  latencyMs: number | null;
  responseExcerpt: string | null;
  error: string | null;
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const OutgoingWebhookDeliveryEntity = new EntitySchema<OutgoingWebhookDelivery>({
  name: 'OutgoingWebhookDelivery',
  tableName: 'outgoing_webhook_deliveries',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    webhookId: col.ref(),
    eventId: col.ref(true),
    eventType: col.string(100),
    body: col.text(),
    status: col.string(20),
    attempts: col.int(0),
    statusCode: { type: 'integer', nullable: true },
    latencyMs: { type: 'integer', nullable: true },
    responseExcerpt: col.string(1000, true),
    error: col.string(1000, true),
    nextAttemptAt: col.time(true),
    lastAttemptAt: col.time(true),
    deliveredAt: col.time(true),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});
