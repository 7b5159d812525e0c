import { EntitySchema } from 'typeorm';
import { col } from '../../db/columns.js';

/**
 * A one-time link that lets a person set their password: after a reset asked for by someone who
 * may manage them (or by a super-admin), or to set a first password when they were invited without
 * one. Only a SHA-256 hash of the token is stored; the link is shown once and mailed.
 */
export interface PasswordReset {
  id: string;
  tenantId: string;
  userId: string;
  tokenHash: string;
  purpose: 'reset' | 'invite';
  /** Who asked for it: `user:<id>` or `super_admin:<id>`. */
  requestedBy: string;
  expiresAt: Date;
  usedAt: Date | null;
  createdAt: Date;
}

export const PasswordResetEntity = new EntitySchema<PasswordReset>({
  name: 'PasswordReset',
  tableName: 'password_resets',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    userId: col.ref(),
    tokenHash: col.string(64),
    purpose: col.string(20),
    requestedBy: col.string(100),
    expiresAt: col.time(),
    usedAt: col.time(true),
    createdAt: col.time(),
  },
});
