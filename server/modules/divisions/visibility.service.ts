// Who sees which conversations, written once: people with conversations.manage see all of them;
// everyone else sees the conversations of their divisions, those assigned to them, and those in no
// division. Another division's conversation answers 404, like another tenant's. The same rule is
// applied in memory (canSee), to raw SQL (scopeSql: search; scopeSqlNamed: the inbox list)
// and to realtime pushes (realtimeVisibility).
import type { DataSource } from 'typeorm';
import type { Services, TenantCtx, TenantPrincipal } from '../../core/context.js';
import type { ConversationVisibility } from '../../core/realtime/realtime.js';
import { notFound } from '../../core/http/errors.js';
import { scoped } from '../../core/tenancy.js';
import { ConversationEntity, type Conversation } from '../conversations/conversation.entity.js';
import { DivisionAgentEntity } from './division.entity.js';

/** null: sees everything in the tenant. */
export type ConversationScope = null | { userId: string; divisionIds: string[] };

async function scopeOf(db: DataSource, principal: TenantPrincipal): Promise<ConversationScope> {
  if (principal.permissions.has('conversations.manage')) return null;
  const rows = await db
    .getRepository(DivisionAgentEntity)
    .find({ where: { tenantId: principal.tenantId, userId: principal.userId }, select: { divisionId: true } });
  return { userId: principal.userId, divisionIds: rows.map((r) => r.divisionId) };
}

export function conversationScope(ctx: TenantCtx): Promise<ConversationScope> {
  return scopeOf(ctx.db, ctx.principal);
}

export function canSee(scope: ConversationScope, c: Pick<Conversation, 'divisionId' | 'assigneeId'>): boolean {
  return scope === null || c.divisionId === null || c.assigneeId === scope.userId || scope.divisionIds.includes(c.divisionId);
}

/** The rule as SQL over a conversations alias, with positional parameters; null when everything is visible. */
export function scopeSql(alias: string, scope: ConversationScope): { sql: string; params: string[] } | null {
  if (scope === null) return null;
  const divisions = scope.divisionIds.length ? ` OR ${alias}."divisionId" IN (${scope.divisionIds.map(() => '?').join(', ')})` : '';
  return { sql: `(${alias}."divisionId" IS NULL OR ${alias}."assigneeId" = ?${divisions})`, params: [scope.userId, ...scope.divisionIds] };
}

/** The same rule with named parameters (`:visible0`…), for SQL run with named parameters (the inbox list). */
export function scopeSqlNamed(alias: string, scope: ConversationScope): { sql: string; params: Record<string, string> } | null {
  const rule = scopeSql(alias, scope);
  if (!rule) return null;
  let i = 0;
  const params: Record<string, string> = {};
  const sql = rule.sql.replace(/\?/g, () => {
    const name = `visible${i}`;
    params[name] = rule.params[i++];
    return `:${name}`;
  });
  return { sql, params };
}

/** The conversation with this id if the caller may see it; 404 otherwise. */
export async function visibleConversation(ctx: TenantCtx, id: string): Promise<Conversation> {
  const conversation = await scoped(ctx, ConversationEntity).get(id, 'Conversation');
  if (!canSee(await conversationScope(ctx), conversation)) throw notFound('Conversation');
  return conversation;
}

/** The same rule for realtime pushes: which sockets may receive a conversation's events. */
export function realtimeVisibility(services: Services): ConversationVisibility {
  return {
    scopeChangingEvents: ['division.updated', 'division.deleted'],
    scopeFor: (principal) => scopeOf(services.db, principal),
    lookup: (tenantId, id) =>
      services.db
        .getRepository(ConversationEntity)
        .findOne({ where: { tenantId, id }, select: { id: true, divisionId: true, assigneeId: true } }),
    canSee: (scope, c) => canSee(scope as ConversationScope, c),
  };
}
