import { EntitySchema } from 'typeorm';
import { col } from '../../db/columns.js';

/** A team of agents; conversations may belong to one. */
export interface Division {
  id: string;
  tenantId: string;
  name: string;
  description: string | null;
  /** New conversations in the division go to the online member with the fewest open conversations. */
  autoAssign: boolean;
  /** New conversations join the default division (at most one per tenant). */
  isDefault: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface DivisionAgent {
  id: string;
  tenantId: string;
  divisionId: string;
  userId: string;
  /** Last time auto-assignment in this division chose this agent (the round-robin tie-break). */
  lastAssignedAt: Date | null;
  createdAt: Date;
}

export const DivisionEntity = new EntitySchema<Division>({
  name: 'Division',
  tableName: 'divisions',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    name: col.string(200),
    description: col.text(true),
    autoAssign: col.bool(false),
    isDefault: col.bool(false),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});

export const DivisionAgentEntity = new EntitySchema<DivisionAgent>({
  name: 'DivisionAgent',
  tableName: 'division_agents',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    divisionId: col.ref(),
    userId: col.ref(),
    lastAssignedAt: col.time(true),
    createdAt: col.time(),
  },
});
