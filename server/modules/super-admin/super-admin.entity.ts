import { EntitySchema } from 'typeorm';
import { col } from '../../db/columns.js';

/** Operators who manage tenants, plans and billing; a separate principal from tenant users. */
export interface SuperAdmin {
  id: string;
  name: string;
  email: string;
  passwordHash: string;
  createdAt: Date;
  lastLoginAt: Date | null;
}

export const SuperAdminEntity = new EntitySchema<SuperAdmin>({
  name: 'SuperAdmin',
  tableName: 'super_admins',
  columns: {
    id: col.id,
    name: col.string(200),
    email: col.string(320),
    passwordHash: col.string(255),
    createdAt: col.time(),
    lastLoginAt: col.time(true),
  },
});
