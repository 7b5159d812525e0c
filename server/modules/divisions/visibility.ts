// Who sees which conversations: people with conversations.manage see all of them; everyone else
// sees the conversations of their divisions, those assigned to them, and those in no division.
// Another division's conversation answers 404, like another tenant's.
import type { SelectQueryBuilder } from 'typeorm';
import type { Services, TenantCtx } from '../../core/context.js';
import type { ConversationVisibility } from '../../core/realtime/realtime.js';
import { notFound } from '../../core/http/errors.js';
import { scoped } from '../../core/tenancy.js';
import { ConversationEntity, type Conversation } from '../conversations/conversation.entity.js';
import { DivisionAgentEntity } from './division.entity.js';

/** null: sees everything in the tenant. */
export type ConversationScope = null | { userId: string; divisionIds: string[] };

export async function conversationScope(ctx: TenantCtx): Promise<ConversationScope> {
  if (ctx.principal.permissions.has('conversations.manage')) return null;
  const rows = await scoped(ctx, DivisionAgentEntity).repo.find({
    where: { tenantId: ctx.tenantId, userId: ctx.principal.userId },
    select: { divisionId: true },
  });
  return { userId: ctx.principal.userId, divisionIds: rows.map((r) => r.divisionId) };
}

export function canSee(scope: ConversationScope, c: Pick<Conversation, 'divisionId' | 'assigneeId'>): boolean {
  return scope === null || c.divisionId === null || c.assigneeId === scope.userId || scope.divisionIds.includes(c.divisionId);
}

/** Adds the visibility condition to a conversations query (alias `alias`). */
export function restrictToScope<T extends object>(
  qb: SelectQueryBuilder<T>,
  alias: string,
  scope: ConversationScope,
): SelectQueryBuilder<T> {
  if (scope === null) return qb;
  const divisions = scope.divisionIds.length ? ` OR ${alias}.divisionId IN (:...visibleDivisionIds)` : '';
  return qb.andWhere(`(${alias}.divisionId IS NULL OR ${alias}.assigneeId = :visibleUserId${divisions})`, {
    visibleUserId: scope.userId,
    visibleDivisionIds: scope.divisionIds,
  });
}

/** The conversation with this id if the caller may see it; 404 otherwise. */
export async function visibleConversation(ctx: TenantCtx, id: string): Promise<Conversation> {
  const conversation = await scoped(ctx, ConversationEntity).get(id, 'Conversation');
  if (!canSee(await conversationScope(ctx), conversation)) throw notFound('Conversation');
  return conversation;
}

/** The same rules for realtime pushes: which sockets may receive a conversation's events. */
export function realtimeVisibility(services: Services): ConversationVisibility {
  return {
    async scopeFor(principal) {
      if (principal.permissions.has('conversations.manage')) return null;
      const rows = await services.db
        .getRepository(DivisionAgentEntity)
        .find({ where: { tenantId: principal.tenantId, userId: principal.userId }, select: { divisionId: true } });
      return { userId: principal.userId, divisionIds: rows.map((r) => r.divisionId) } satisfies ConversationScope;
    },
    lookup: (tenantId, id) =>
      services.db.getRepository(ConversationEntity).findOne({ where: { tenantId, id }, select: { divisionId: true, assigneeId: true } }),
    canSee: (scope, c) => canSee(scope as ConversationScope, c),
  };
}
