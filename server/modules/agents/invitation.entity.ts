import { EntitySchema } from 'typeorm';
import { col } from '../../db/columns.js';

/**
 * An invitation to join the organization: a one-time link (only its SHA-256 hash is stored) that
 * lets the invited person choose their name and password. Used once, revocable, expiring.
 */
export interface AgentInvitation {
  id: string;
  tenantId: string;
  email: string;
  name: string | null;
  roleId: string;
  tokenHash: string;
  expiresAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
  /** The agent the invitation created. */
  userId: string | null;
  createdById: string | null;
  createdAt: Date;
}

export const AgentInvitationEntity = new EntitySchema<AgentInvitation>({
  name: 'AgentInvitation',
  tableName: 'agent_invitations',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    email: col.string(320),
    name: col.string(200, true),
    roleId: col.ref(),
    tokenHash: col.string(64),
    expiresAt: col.time(),
    acceptedAt: col.time(true),
    revokedAt: col.time(true),
    userId: col.ref(true),
    createdById: col.ref(true),
    createdAt: col.time(),
  },
});
