// Transfers: hand a conversation to another agent or division (or both) with a reason. History is
// kept; the receiving agent is notified live (the event carries notifyUserId, relayed to their room).
import { In } from 'typeorm';
import type { TenantCtx } from '../../core/context.js';
import { scoped } from '../../core/tenancy.js';
import { badRequest, conflict, forbidden, unprocessable } from '../../core/http/errors.js';
import { emitEvent } from '../../core/events/outbox.js';
import { recordActivity } from '../../core/audit.js';
import { UserEntity } from '../agents/agent.entity.js';
import type { Conversation } from '../conversations/conversation.entity.js';
import { DivisionAgentEntity, DivisionEntity } from '../divisions/division.entity.js';
import { applyConversationChange, pickAgent } from '../divisions/routing.service.js';
import { visibleConversation } from '../divisions/visibility.service.js';
import { ConversationTransferEntity, type ConversationTransfer } from './transfer.entity.js';

export interface TransferInput {
  toAgentId?: string | null;
  toDivisionId?: string | null;
  reason: string;
}

async function transferViews(ctx: TenantCtx, rows: ConversationTransfer[]) {
  const userIds = [...new Set(rows.flatMap((r) => [r.fromAssigneeId, r.toAssigneeId, r.byUserId]).filter((x): x is string => Boolean(x)))];
  const divisionIds = [...new Set(rows.flatMap((r) => [r.fromDivisionId, r.toDivisionId]).filter((x): x is string => Boolean(x)))];
  const users = userIds.length ? await scoped(ctx, UserEntity).find({ id: In(userIds) }) : [];
  const divisions = divisionIds.length ? await scoped(ctx, DivisionEntity).find({ id: In(divisionIds) }) : [];
  const user = (id: string | null) => (id ? { id, name: users.find((u) => u.id === id)?.name ?? null } : null);
  const division = (id: string | null) => (id ? { id, name: divisions.find((d) => d.id === id)?.name ?? null } : null);
  return rows.map((r) => ({
    id: r.id,
    conversationId: r.conversationId,
    reason: r.reason,
    autoAssigned: r.autoAssigned,
    from: { agent: user(r.fromAssigneeId), division: division(r.fromDivisionId) },
    to: { agent: user(r.toAssigneeId), division: division(r.toDivisionId) },
    by: user(r.byUserId),
    createdAt: r.createdAt,
  }));
}

export const transfersService = {
  /**
   * To an agent: they become the assignee. To a division: the conversation moves there and, if the
   * division auto-assigns, goes to its online agent with the fewest open conversations (otherwise it
   * waits unassigned in the division). Both: the agent must belong to the division.
   * Managers (conversations.manage) transfer any conversation; others only their own or unassigned ones.
   */
  async transfer(ctx: TenantCtx, conversationId: string, input: TransferInput) {
    const conversation = await visibleConversation(ctx, conversationId);
    if (!input.toAgentId && !input.toDivisionId) {
      throw badRequest('Transfer to an agent, a division, or both', [
        { path: 'toAgentId', message: 'Give toAgentId or toDivisionId' },
        { path: 'toDivisionId', message: 'Give toAgentId or toDivisionId' },
      ]);
    }
    const me = ctx.principal.userId;
    if (!ctx.principal.permissions.has('conversations.manage') && conversation.assigneeId && conversation.assigneeId !== me) {
      throw forbidden('Only the assigned agent, or someone with "conversations.manage", can transfer this conversation');
    }
    const division = input.toDivisionId ? await scoped(ctx, DivisionEntity).findOne({ id: input.toDivisionId }) : null;
    if (input.toDivisionId && !division) throw unprocessable('No such division', [{ path: 'toDivisionId', message: 'Unknown division' }]);
    const agent = input.toAgentId ? await scoped(ctx, UserEntity).findOne({ id: input.toAgentId, status: 'active' }) : null;
    if (input.toAgentId && !agent)
      throw unprocessable('No such active agent in this organization', [{ path: 'toAgentId', message: 'Unknown agent' }]);
    if (agent && division && !(await scoped(ctx, DivisionAgentEntity).count({ divisionId: division.id, userId: agent.id }))) {
      throw unprocessable('The agent is not in that division', [{ path: 'toAgentId', message: 'Not a member of the division' }]);
    }
    if (agent && agent.id === conversation.assigneeId && (!division || division.id === conversation.divisionId)) {
      throw conflict('The conversation is already with this agent', [{ path: 'toAgentId', message: 'Already assigned' }]);
    }
    const now = ctx.now();
    return ctx.transaction(async (m) => {
      const patch: Partial<Conversation> = {};
      let autoAssigned = false;
      if (division) patch.divisionId = division.id;
      if (agent) patch.assigneeId = agent.id;
      else if (division) {
        const picked = division.autoAssign ? await pickAgent(m, ctx.tenantId, division.id, now, conversation.assigneeId) : null;
        patch.assigneeId = picked;
        autoAssigned = picked !== null;
      }
      // A person takes over from an AI agent.
      if (patch.assigneeId) patch.aiAgentId = null;
      const transfer = await scoped(ctx, ConversationTransferEntity, m).insert({
        conversationId,
        fromAssigneeId: conversation.assigneeId,
        fromDivisionId: conversation.divisionId,
        toAssigneeId: patch.assigneeId ?? null,
        toDivisionId: division?.id ?? conversation.divisionId,
        reason: input.reason,
        autoAssigned,
        byUserId: me,
        createdAt: now,
      });
      const { view } = await applyConversationChange(ctx, m, conversation, patch, me, { notify: false });
      const [transferView] = await transferViews(ctx, [transfer]);
      await emitEvent(
        m,
        {
          tenantId: ctx.tenantId,
          type: 'conversation.transferred',
          payload: {
            conversation: view,
            transfer: transferView,
            by: me,
            ...(transfer.toAssigneeId && transfer.toAssigneeId !== me ? { notifyUserId: transfer.toAssigneeId } : {}),
          },
        },
        now,
      );
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'conversation.transferred',
        targetType: 'conversation',
        targetId: conversationId,
        details: { from: transferView.from, to: transferView.to, reason: input.reason, autoAssigned },
      });
      return { transfer: transferView, conversation: view };
    });
  },

  async list(ctx: TenantCtx, conversationId: string, q: { limit: number; cursor?: string }) {
    await visibleConversation(ctx, conversationId);
    const page = await scoped(ctx, ConversationTransferEntity).page({ where: { conversationId }, limit: q.limit, cursor: q.cursor });
    return { data: await transferViews(ctx, page.data), nextCursor: page.nextCursor };
  },
};
