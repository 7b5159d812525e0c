import { EntitySchema } from 'typeorm';
import { col } from '../../db/columns.js';
import type { Channel } from '../../channels/types.js';

/** A tenant's settings for one channel (enabled, and channel-level options). */
export interface Integration {
  id: string;
  tenantId: string;
  channel: Channel;
  enabled: boolean;
  settings: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export const IntegrationEntity = new EntitySchema<Integration>({
  name: 'Integration',
  tableName: 'integrations',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    channel: col.string(20),
    enabled: col.bool(true),
    settings: col.json(),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});

/**
 * One connected account on a channel (a WhatsApp phone number, a Page, an IG account, a mailbox).
 * Secrets are encrypted at rest in `secrets`; `config` holds only what may be shown.
 */
export interface IntegrationAccount {
  id: string;
  tenantId: string;
  channel: Channel;
  name: string;
  /** Routing key of inbound webhooks: phone number id, page id, IG account id, mailbox address. */
  externalId: string;
  config: Record<string, string>;
  secrets: string;
  isDefault: boolean;
  status: 'active' | 'disconnected';
  createdAt: Date;
  updatedAt: Date;
}

export const IntegrationAccountEntity = new EntitySchema<IntegrationAccount>({
  name: 'IntegrationAccount',
  tableName: 'integration_accounts',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    channel: col.string(20),
    name: col.string(200),
    externalId: col.string(320),
    config: col.json(),
    secrets: col.text(),
    isDefault: col.bool(),
    status: col.string(20),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});
