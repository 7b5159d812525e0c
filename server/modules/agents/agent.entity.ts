import { EntitySchema } from 'typeorm';
import { col } from '../../db/columns.js';

/** A person who works in a tenant's inbox (the owner included). */
export interface User {
  id: string;
  tenantId: string;
  roleId: string;
  name: string;
  email: string;
  passwordHash: string;
  status: 'active' | 'suspended';
  online: boolean;
  lastSeenAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const UserEntity = new EntitySchema<User>({
  name: 'User',
  tableName: 'users',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    roleId: col.ref(),
    name: col.string(200),
    email: col.string(320),
    passwordHash: col.string(255),
    status: col.string(20),
    online: col.bool(),
    lastSeenAt: col.time(true),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});
