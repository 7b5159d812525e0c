// The activity log: who did what to which thing, when and from where. Written in the same
// transaction as the change it records.
import type { EntityManager } from 'typeorm';
import type { Ctx } from './context.js';
import { newId } from './ids.js';
import { ActivityLogEntity, type ActivityLog } from './audit.entity.js';

export interface ActivityInput {
  tenantId: string;
  action: string;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
  /** Defaults to the request's principal. */
  actor?: { type: ActivityLog['actorType']; id: string | null; name: string | null };
}

export async function recordActivity(ctx: Ctx, manager: EntityManager, input: ActivityInput): Promise<void> {
  const p = ctx.principal;
  const actor =
    input.actor ??
    (p?.kind === 'user'
      ? { type: p.apiKeyId ? ('api_key' as const) : ('user' as const), id: p.userId, name: p.name }
      : p?.kind === 'super_admin'
        ? { type: 'super_admin' as const, id: p.adminId, name: p.name }
        : { type: 'system' as const, id: null, name: null });
  await manager.getRepository(ActivityLogEntity).insert({
    id: newId(),
    tenantId: input.tenantId,
    actorType: actor.type,
    actorId: actor.id,
    actorName: actor.name,
    impersonatorId: p?.kind === 'user' ? (p.impersonatorId ?? null) : null,
    action: input.action,
    targetType: input.targetType ?? null,
    targetId: input.targetId ?? null,
    details: input.details ?? null,
    ip: ctx.ip,
    createdAt: ctx.now(),
  } satisfies ActivityLog as never);
}
