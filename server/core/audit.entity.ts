import { EntitySchema } from 'typeorm';
import { col } from '../db/columns.js';

export interface ActivityLog {
  id: string;
  tenantId: string;
  actorType: 'user' | 'api_key' | 'super_admin' | 'system';
  actorId: string | null;
  actorName: string | null;
  /** Set when a super-admin acts through impersonation: the real actor. */
  impersonatorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: Record<string, unknown> | null;
  ip: string | null;
  createdAt: Date;
}

export const ActivityLogEntity = new EntitySchema<ActivityLog>({
  name: 'ActivityLog',
  tableName: 'activity_logs',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    actorType: col.string(20),
    actorId: col.ref(true),
    actorName: col.string(200, true),
    impersonatorId: col.ref(true),
    action: col.string(100),
    targetType: col.string(50, true),
    targetId: col.string(64, true),
    details: col.json(true),
    ip: col.string(64, true),
    createdAt: col.time(),
  },
});
