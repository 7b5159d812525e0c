import { EntitySchema } from 'typeorm';
import { col } from '../../db/columns.js';

/** Only a SHA-256 hash of the key is stored; the key itself is shown once at creation. */
export interface ApiKey {
  id: string;
  tenantId: string;
  userId: string;
  name: string;
  prefix: string;
  keyHash: string;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  /** The permissions the key may use (a subset of its creator's); null: all of the creator's. */
  scopes: string[] | null;
  revokedAt: Date | null;
  createdAt: Date;
}

export const ApiKeyEntity = new EntitySchema<ApiKey>({
  name: 'ApiKey',
  tableName: 'api_keys',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    userId: col.ref(),
    name: col.string(200),
    prefix: col.string(32),
    keyHash: col.string(64),
    lastUsedAt: col.time(true),
    expiresAt: col.time(true),
    scopes: col.json(true),
    revokedAt: col.time(true),
    createdAt: col.time(),
  },
});
