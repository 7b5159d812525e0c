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

/**
 * A one-time link the operator issues for someone to choose a new password (a tenant user or a
 * super-admin): only its hash is kept; it works once, until it expires.
 */
export interface PasswordResetLink {
  id: string;
  principalType: 'user' | 'super_admin';
  principalId: string;
  tenantId: string | null;
  tokenHash: string;
  expiresAt: Date;
  usedAt: Date | null;
  createdById: string | null;
  createdAt: Date;
}

export const PasswordResetLinkEntity = new EntitySchema<PasswordResetLink>({
  name: 'PasswordResetLink',
  tableName: 'password_reset_links',
  columns: {
    id: col.id,
    principalType: col.string(20),
    principalId: col.ref(),
    tenantId: col.ref(true),
    tokenHash: col.string(64),
    expiresAt: col.time(),
    usedAt: col.time(true),
    createdById: col.ref(true),
    createdAt: col.time(),
  },
});
