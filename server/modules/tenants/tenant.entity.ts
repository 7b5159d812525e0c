import { EntitySchema } from 'typeorm';
import { col } from '../../db/columns.js';

export interface Tenant {
  id: string;
  name: string;
  slug: string;
  status: 'active' | 'suspended';
  timezone: string;
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
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});
