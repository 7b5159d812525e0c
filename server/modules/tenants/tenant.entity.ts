import { EntitySchema } from 'typeorm';
import { col } from '../../db/columns.js';

export interface Tenant {
  id: string;
  name: string;
  slug: string;
  status: 'active' | 'suspended';
  timezone: string;
  /** Set when the operator deleted it: suspended now, its data purged at purgeAt unless restored before. */
  deletedAt?: Date | null;
  purgeAt?: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const TenantEntity = new EntitySchema<Tenant>({
  name: 'Tenant',
  tableName: 'tenants',
  columns: {
    id: col.id,
    name: col.string(200),
    slug: col.string(200),
    status: col.string(20),
    timezone: col.string(64),
    deletedAt: col.time(true),
    purgeAt: col.time(true),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});
