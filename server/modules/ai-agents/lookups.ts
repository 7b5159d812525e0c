// Finding an AI agent and its sub-resources in the caller's organization: another tenant's (or
// another agent's) id is simply not found.
import type { FindOptionsWhere } from 'typeorm';
import type { EntitySchema } from 'typeorm';
import type { TenantCtx } from '../../core/context.js';
import { notFound } from '../../core/http/errors.js';
import { isId } from '../../core/ids.js';
import { scoped } from '../../core/tenancy.js';
import { AiAgentEntity, type AiAgent } from './ai-agents.entity.js';

export function getAgent(ctx: TenantCtx, aiAgentId: string): Promise<AiAgent> {
  return scoped(ctx, AiAgentEntity).get(aiAgentId, 'AI agent');
}

/** A row of `entity` that belongs to the agent (aiAgentId column), or 404 naming `what`. */
export async function agentChild<T extends { id: string; tenantId: string; aiAgentId: string }>(
  ctx: TenantCtx,
  entity: EntitySchema<T>,
  aiAgentId: string,
  id: string,
  what: string,
): Promise<T> {
  const row = isId(id) ? await scoped(ctx, entity).findOne({ id, aiAgentId } as FindOptionsWhere<T>) : null;
  if (!row) throw notFound(what);
  return row;
}
