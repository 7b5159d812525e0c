import { EntitySchema } from 'typeorm';
import { col } from '../../db/columns.js';

/** Transactional outbox: written in the same transaction as the change it describes. */
export interface DomainEvent {
  id: string;
  tenantId: string | null;
  type: string;
  payload: Record<string, unknown>;
  createdAt: Date;
  dispatchedAt: Date | null;
}

export const DomainEventEntity = new EntitySchema<DomainEvent>({
  name: 'DomainEvent',
  tableName: 'events',
  columns: {
    id: col.id,
    tenantId: col.ref(true),
    type: col.string(100),
    payload: col.json(),
    createdAt: col.time(),
    dispatchedAt: col.time(true),
  },
});
