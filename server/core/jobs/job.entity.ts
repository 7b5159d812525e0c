import { EntitySchema } from 'typeorm';
import { col } from '../../db/columns.js';

export type JobStatus = 'pending' | 'running' | 'done' | 'failed';

/** A durable unit of background work; survives restarts. Jobs sharing a queueKey run in order. */
export interface Job {
  id: string;
  tenantId: string | null;
  type: string;
  payload: Record<string, unknown>;
  queueKey: string | null;
  status: JobStatus;
  attempts: number;
  maxAttempts: number;
  runAt: Date;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const JobEntity = new EntitySchema<Job>({
  name: 'Job',
  tableName: 'jobs',
  columns: {
    id: col.id,
    tenantId: col.ref(true),
    type: col.string(100),
    payload: col.json(),
    queueKey: col.string(200, true),
    status: col.string(20),
    attempts: col.int(0),
    maxAttempts: col.int(8),
    runAt: col.time(),
    lastError: col.text(true),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});
