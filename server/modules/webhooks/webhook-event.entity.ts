import { EntitySchema } from 'typeorm';
import { col } from '../../db/columns.js';

/** A received webhook, stored before it is acknowledged and processed by a job. */
export interface WebhookEvent {
  id: string;
  tenantId: string | null;
  source: 'meta' | 'messenger' | 'instagram' | 'email';
  payload: string;
  status: 'received' | 'processed' | 'ignored' | 'failed';
  error: string | null;
  receivedAt: Date;
  processedAt: Date | null;
}

export const WebhookEventEntity = new EntitySchema<WebhookEvent>({
  name: 'WebhookEvent',
  tableName: 'webhook_events',
  columns: {
    id: col.id,
    tenantId: col.ref(true),
    source: col.string(20),
    payload: col.text(),
    status: col.string(20),
    error: col.text(true),
    receivedAt: col.time(),
    processedAt: col.time(true),
  },
});
