// What each action does, inside the transaction that also records its result (so an action is applied
// exactly once, whatever crashes). Changes go through the owning modules' exported services and emit
// their usual domain events; customer messages are queued through the normal durable outbound path.
import type { EntityManager } from 'typeorm';
import type { Services, TenantCtx } from '../../core/context.js';
import { ALL_PERMISSIONS } from '../../core/permissions.js';
import { emitEvent } from '../../core/events/outbox.js';
import { enqueueJob } from '../../core/jobs/queue.js';
import { newId } from '../../core/ids.js';
import { UserEntity } from '../agents/agent.entity.js';
import { ConversationEntity, type Conversation } from '../conversations/conversation.entity.js';
import { DivisionAgentEntity, DivisionEntity } from '../divisions/division.entity.js';
import { applyConversationChange, pickAgent, requestDivisionRouting } from '../divisions/routing.service.js';
import { canSendText, queueSystemMessage } from '../messages/system-messages.service.js';
import { NoteEntity } from '../notes/note.entity.js';
import { quickRepliesService } from '../quick-replies/quick-replies.service.js';
import { QuickReplyEntity } from '../quick-replies/quick-reply.entity.js';
import { ConversationTransferEntity } from '../transfers/transfer.entity.js';
import { requestOutOfHoursReply } from '../working-hours/working-hours.service.js';
import { requestSurveyOnResolve } from '../csat/csat.service.js';
import { requestSlaCheck } from '../sla/sla.service.js';
import { requestExpiration } from '../chat-expiration/chat-expiration.service.js';
import { sendTemplateIn } from '../wa-templates/wa-templates.service.js';
import { callWebhook } from '../outgoing-webhooks/outgoing-webhooks.service.js';
import { handToAiAgent } from '../ai-agents/ai-agents.service.js';
import { HttpError } from '../../core/http/errors.js';
import type { AutomationEvent, AutomationRule } from './automation.entity.js';
import { CONVERSATION_ACTIONS, type ActionDef } from './automation.schemas.js';

export const UNSNOOZE_JOB = 'automation.unsnooze-conversation';

/** A failure that retrying cannot fix (an agent that left, a deleted division): recorded as the action's error. */
export class ActionError extends Error {}

export interface ActionResult {
  status: 'succeeded' | 'skipped';
  detail: string;
}

const ok = (detail: string): ActionResult => ({ status: 'succeeded', detail });
/** Another module's refusal (a 4xx: an unapproved template, a disabled webhook) is the action's recorded error. */
const refusal = (err: unknown) => (err instanceof HttpError && err.status < 500 ? new ActionError(err.message) : (err as Error));
const skip = (detail: string): ActionResult => ({ status: 'skipped', detail });

/** A request context for the engine acting in an organization, inside the action's transaction. */
export function systemCtx(services: Services, m: EntityManager, tenantId: string, rule: Pick<AutomationRule, 'createdById'>): TenantCtx {
  return {
    ...services,
    requestId: `automation-${newId()}`,
    ip: null,
    tenantId,
    principal: {
      kind: 'user',
      userId: rule.createdById ?? '',
      tenantId,
      name: 'Automation',
      email: '',
      roleId: '',
      permissions: new Set(ALL_PERMISSIONS),
    },
    transaction: (work) => work(m),
  };
}

async function conversationOf(m: EntityManager, event: AutomationEvent): Promise<Conversation> {
  if (!event.conversationId) throw new ActionError('This event is not about a conversation');
  const c = await m.getRepository(ConversationEntity).findOne({ where: { id: event.conversationId, tenantId: event.tenantId } });
  if (!c) throw new ActionError('The conversation no longer exists');
  return c;
}

async function activeAgent(m: EntityManager, tenantId: string, id: string) {
  const agent = await m.getRepository(UserEntity).findOne({ where: { id, tenantId, status: 'active' }, select: { id: true, name: true } });
  if (!agent) throw new ActionError(`Agent ${id} is not an active agent of this organization`);
  return agent;
}

async function division(m: EntityManager, tenantId: string, id: string) {
  const d = await m.getRepository(DivisionEntity).findOne({ where: { id, tenantId } });
  if (!d) throw new ActionError(`Division ${id} does not exist`);
  return d;
}

async function setStatus(
  services: Services,
  m: EntityManager,
  c: Conversation,
  status: 'open' | 'pending' | 'resolved',
  reason: string,
  rule: AutomationRule,
) {
  const now = services.now();
  const patch: Partial<Conversation> = { status, resolvedAt: status === 'resolved' ? now : null };
  const { view } = await applyConversationChange(services, m, c, patch, null);
  await emitEvent(
    m,
    {
      tenantId: c.tenantId,
      type: 'conversation.status_changed',
      payload: { conversation: view, by: null, from: c.status, to: status, reason, ruleId: rule.id },
    },
    now,
  );
}

export async function executeAction(
  services: Services,
  m: EntityManager,
  action: ActionDef,
  event: AutomationEvent,
  rule: AutomationRule,
): Promise<ActionResult> {
  const tenantId = event.tenantId;
  const now = services.now();
  if (CONVERSATION_ACTIONS.includes(action.type) && !event.conversationId)
    return skip(`This ${event.type} event is not about a conversation`);
  switch (action.type) {
    case 'assign_agent': {
      const c = await conversationOf(m, event);
      const agent = await activeAgent(m, tenantId, action.agentId);
      if (c.assigneeId === agent.id) return skip(`Already assigned to ${agent.name}`);
      await applyConversationChange(services, m, c, { assigneeId: agent.id }, null);
      return ok(`Assigned to ${agent.name}`);
    }
    case 'assign_division': {
      const c = await conversationOf(m, event);
      const d = await division(m, tenantId, action.divisionId);
      const patch: Partial<Conversation> = { divisionId: d.id };
      if (d.autoAssign && !c.assigneeId) {
        const picked = await pickAgent(m, tenantId, d.id, now);
        if (picked) patch.assigneeId = picked;
      }
      if (c.divisionId === d.id && !patch.assigneeId) return skip(`Already in ${d.name}`);
      await applyConversationChange(services, m, c, patch, null);
      return ok(`Moved to ${d.name}${patch.assigneeId ? ' and assigned to its next agent' : ''}`);
    }
    case 'assign_round_robin': {
      const c = await conversationOf(m, event);
      const d = await division(m, tenantId, action.divisionId);
      const picked = await pickAgent(m, tenantId, d.id, now, null);
      if (!picked) return skip(`Nobody in ${d.name} is online`);
      await applyConversationChange(services, m, c, { assigneeId: picked, divisionId: d.id }, null);
      const agent = await m.getRepository(UserEntity).findOne({ where: { id: picked }, select: { id: true, name: true } });
      return ok(`Assigned to ${agent?.name ?? picked} (round-robin in ${d.name})`);
    }
    case 'unassign': {
      const c = await conversationOf(m, event);
      if (!c.assigneeId) return skip('Already unassigned');
      await applyConversationChange(services, m, c, { assigneeId: null }, null);
      return ok('Unassigned');
    }
    case 'add_tag':
    case 'remove_tag': {
      const c = await conversationOf(m, event);
      const tags =
        action.type === 'add_tag' ? [...new Set([...c.tags, ...action.tags])].sort() : c.tags.filter((t) => !action.tags.includes(t));
      if (tags.length === c.tags.length && tags.every((t, i) => t === [...c.tags].sort()[i])) return skip('The tags were already so');
      await applyConversationChange(services, m, c, { tags }, null);
      return ok(`${action.type === 'add_tag' ? 'Added' : 'Removed'} ${action.tags.join(', ')}`);
    }
    case 'set_priority': {
      const c = await conversationOf(m, event);
      if (c.priority === action.priority) return skip(`Priority was already ${action.priority}`);
      await applyConversationChange(services, m, c, { priority: action.priority }, null);
      return ok(`Priority set to ${action.priority}`);
    }
    case 'send_message':
    case 'send_quick_reply': {
      const c = await conversationOf(m, event);
      if (!canSendText(c, now)) return skip('The channel does not accept a free-form message now (outside its reply window)');
      let text = action.type === 'send_message' ? action.text : '';
      if (action.type === 'send_quick_reply') {
        const reply = await m.getRepository(QuickReplyEntity).findOne({ where: { id: action.quickReplyId, tenantId, scope: 'shared' } });
        if (!reply) throw new ActionError(`Quick reply ${action.quickReplyId} is not a shared quick reply of this organization`);
        const used = await quickRepliesService.recordUsage(systemCtx(services, m, tenantId, rule), reply.id, { conversationId: c.id });
        text = used.rendered ?? reply.body;
      }
      const sent = await queueSystemMessage(services, m, c, text);
      return ok(`Message ${sent.message.id} queued`);
    }
    case 'add_note': {
      const c = await conversationOf(m, event);
      const note = { id: newId(), tenantId, conversationId: c.id, authorId: null, body: action.text, createdAt: now, updatedAt: now };
      await m.getRepository(NoteEntity).insert(note as never);
      await emitEvent(
        m,
        {
          tenantId,
          type: 'note.created',
          payload: { note: { id: note.id, conversationId: c.id, body: note.body, author: null, createdAt: now, updatedAt: now } },
        },
        now,
      );
      return ok(`Note ${note.id} added`);
    }
    case 'resolve': {
      const c = await conversationOf(m, event);
      if (c.status === 'resolved') return skip('Already resolved');
      await setStatus(services, m, c, 'resolved', 'automation', rule);
      return ok('Resolved');
    }
    case 'reopen': {
      const c = await conversationOf(m, event);
      if (c.status === 'open') return skip('Already open');
      await setStatus(services, m, c, 'open', 'automation', rule);
      return ok('Reopened');
    }
    case 'snooze': {
      const c = await conversationOf(m, event);
      if (c.status === 'resolved' || c.status === 'expired') return skip(`The conversation is ${c.status}`);
      const until = new Date(now.getTime() + action.minutes * 60_000);
      if (c.status !== 'pending') await setStatus(services, m, c, 'pending', 'automation_snooze', rule);
      await enqueueJob(m, UNSNOOZE_JOB, { conversationId: c.id, snoozedAt: now.toISOString(), ruleId: rule.id }, now, {
        tenantId,
        runAt: until,
        maxAttempts: 5,
      });
      return ok(`Snoozed (pending) until ${until.toISOString()}`);
    }
    case 'transfer': {
      const c = await conversationOf(m, event);
      const d = action.toDivisionId ? await division(m, tenantId, action.toDivisionId) : null;
      const agent = action.toAgentId ? await activeAgent(m, tenantId, action.toAgentId) : null;
      if (agent && d && !(await m.getRepository(DivisionAgentEntity).exists({ where: { divisionId: d.id, userId: agent.id } })))
        throw new ActionError(`${agent.name} is not a member of ${d.name}`);
      const patch: Partial<Conversation> = {};
      let autoAssigned = false;
      if (d) patch.divisionId = d.id;
      if (agent) patch.assigneeId = agent.id;
      else if (d) {
        const picked = d.autoAssign ? await pickAgent(m, tenantId, d.id, now, c.assigneeId) : null;
        patch.assigneeId = picked;
        autoAssigned = picked !== null;
      }
      if (patch.assigneeId) patch.aiAgentId = null;
      const transfer = {
        id: newId(),
        tenantId,
        conversationId: c.id,
        fromAssigneeId: c.assigneeId,
        fromDivisionId: c.divisionId,
        toAssigneeId: patch.assigneeId ?? null,
        toDivisionId: d?.id ?? c.divisionId,
        reason: action.reason,
        autoAssigned,
        byUserId: null,
        createdAt: now,
      };
      await m.getRepository(ConversationTransferEntity).insert(transfer as never);
      const { view } = await applyConversationChange(services, m, c, patch, null, { notify: false });
      await emitEvent(
        m,
        {
          tenantId,
          type: 'conversation.transferred',
          payload: {
            conversation: view,
            transfer: {
              id: transfer.id,
              conversationId: c.id,
              reason: transfer.reason,
              autoAssigned,
              from: {
                agent: c.assigneeId ? { id: c.assigneeId, name: null } : null,
                division: c.divisionId ? { id: c.divisionId, name: null } : null,
              },
              to: {
                agent: transfer.toAssigneeId ? { id: transfer.toAssigneeId, name: agent?.name ?? null } : null,
                division: transfer.toDivisionId ? { id: transfer.toDivisionId, name: d?.name ?? null } : null,
              },
              by: null,
              createdAt: now,
            },
            by: null,
            ruleId: rule.id,
            ...(transfer.toAssigneeId ? { notifyUserId: transfer.toAssigneeId } : {}),
          },
        },
        now,
      );
      return ok(`Transferred${d ? ` to ${d.name}` : ''}${agent ? ` to ${agent.name}` : autoAssigned ? ' and auto-assigned' : ''}`);
    }
    case 'built_in':
      return builtIn(services, m, action.action, event);
    case 'wait':
      throw new ActionError('wait is handled by the engine');
    case 'send_template': {
      const c = await conversationOf(m, event);
      try {
        const sent = await sendTemplateIn(services, m, {
          tenantId,
          templateId: action.templateId,
          values: action.values ?? {},
          conversationId: c.id,
          senderType: 'system',
          // Once per run and action: a replayed action finds the same message.
          clientMessageId: `automation-${event.id}-${rule.id}-${action.templateId}`.slice(0, 200),
        });
        return sent.created ? ok(`Template message ${sent.messageId} queued`) : skip(`Already sent (${sent.messageId})`);
      } catch (err) {
        throw refusal(err);
      }
    }
    case 'call_webhook': {
      try {
        const { deliveryId } = await callWebhook(services, m, {
          tenantId,
          webhookId: action.webhookId,
          data: { event: { id: event.id, type: event.type, payload: event.payload }, rule: { id: rule.id, name: rule.name } },
          eventType: 'automation.action',
          eventId: event.id,
        });
        return ok(`Webhook delivery ${deliveryId} queued`);
      } catch (err) {
        throw refusal(err);
      }
    }
    case 'hand_to_ai_agent': {
      const c = await conversationOf(m, event);
      const handed = await handToAiAgent(services, { tenantId, conversationId: c.id, aiAgentId: action.aiAgentId }, m);
      return handed.handed ? ok('Handed to the AI agent') : skip(handed.reason ?? 'Not handed');
    }
  }
}

async function builtIn(services: Services, m: EntityManager, action: string, event: AutomationEvent): Promise<ActionResult> {
  const now = services.now();
  const tenantId = event.tenantId;
  const queued = (yes: boolean, what: string, why: string) => (yes ? ok(what) : skip(why));
  switch (action) {
    case 'division_routing':
      if (!event.conversationId) return skip('No conversation');
      return queued(
        await requestDivisionRouting(m, tenantId, event.conversationId, now),
        'Routing to the default division queued',
        'The organization has no default division',
      );
    case 'out_of_hours_reply': {
      const p = event.payload as { conversation?: { channel?: string } };
      if (!event.messageId || !p.conversation?.channel) return skip('No inbound message');
      return queued(
        await requestOutOfHoursReply(m, tenantId, p.conversation.channel, event.messageId, now),
        'Out-of-hours reply queued (sent once per closed period)',
        'This channel has no enabled out-of-hours reply',
      );
    }
    case 'csat_survey': {
      if (!event.conversationId) return skip('No conversation');
      const p = event.payload as { reason?: unknown };
      return queued(
        await requestSurveyOnResolve(services, m, {
          tenantId,
          conversationId: event.conversationId,
          eventId: event.domainEventId ?? event.id,
          reason: p.reason,
        }),
        'CSAT survey queued',
        p.reason === 'csat_answer' ? 'Closed by a survey answer' : 'CSAT surveys are off',
      );
    }
    case 'sla_check':
      return queued(
        await requestSlaCheck(m, tenantId, event.type === 'schedule.tick' ? null : event.conversationId, now),
        event.type === 'schedule.tick' ? 'SLA evaluation of open conversations queued' : 'SLA evaluation queued',
        'No SLA policy is enabled',
      );
    case 'chat_expiration':
      return queued(await requestExpiration(m, tenantId, now), 'Chat expiration run queued', 'No chat expiration rule is enabled');
    default:
      throw new ActionError(`Unknown built-in action ${action}`);
  }
}

/** Ends a snooze: the conversation is open again, unless someone changed it since. */
export async function unsnooze(
  services: Services,
  payload: { conversationId?: unknown; snoozedAt?: unknown; ruleId?: unknown },
): Promise<void> {
  await services.transaction(async (m) => {
    const c = await m.getRepository(ConversationEntity).findOne({ where: { id: String(payload.conversationId) } });
    if (!c || c.status !== 'pending' || c.updatedAt.getTime() > new Date(String(payload.snoozedAt)).getTime() + 1000) return;
    const now = services.now();
    const { view } = await applyConversationChange(services, m, c, { status: 'open', resolvedAt: null }, null);
    await emitEvent(
      m,
      {
        tenantId: c.tenantId,
        type: 'conversation.status_changed',
        payload: { conversation: view, by: null, from: 'pending', to: 'open', reason: 'snooze_ended', ruleId: payload.ruleId ?? null },
      },
      now,
    );
  });
}
