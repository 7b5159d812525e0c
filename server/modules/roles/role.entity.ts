import { EntitySchema } from 'typeorm';
import { col } from '../../db/columns.js';

export interface Role {
  id: string;
  tenantId: string;
  name: string;
  description: string | null;
  permissions: string[];
  builtIn: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export const RoleEntity = new EntitySchema<Role>({
  name: 'Role',
  tableName: 'roles',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    name: col.string(100),
    description: col.string(500, true),
    permissions: col.json(),
    builtIn: col.bool(),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});
