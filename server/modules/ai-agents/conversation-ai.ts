// AI agents in the inbox. A committed `message.created` from a customer becomes a durable job per
// conversation (in order, never inline); the job picks the AI agent (the one already serving, else
// the orchestration rules, else an assignment that matches the channel, account, division and hours),
// checks the handoff rules, retrieves passages, asks the model, and sends the answer as the AI agent
// through the normal outbound path (so the channel's reply window is respected). A conversation a
// person has taken is never answered. Whenever the AI cannot or should not answer (a rule, a monthly
// limit, the model unreachable or too slow), the conversation goes to people with a note that
// summarizes it, so the customer is never left waiting on a silent bot.
// Also here: the playground, reply suggestions and summaries for human agents, and the hand-over
// entry point other modules (automation) call.
import { In, MoreThan, type EntityManager } from 'typeorm';
import type { Ctx, Services, TenantCtx } from '../../core/context.js';
import { scoped } from '../../core/tenancy.js';
import { HttpError, unprocessable } from '../../core/http/errors.js';
import { newId } from '../../core/ids.js';
import { emitEvent, type EventHandler } from '../../core/events/outbox.js';
import { enqueueJob, type JobHandler } from '../../core/jobs/queue.js';
import { recordActivity } from '../../core/audit.js';
import { readThrough } from '../../core/entity-cache.js';
import { LlmError, type LlmClient } from '../../ai/llm.js';
import type { Passage } from '../../ai/retrieval.js';
import {
  checkMessageRules,
  checkRetrievalRules,
  fallbackSummary,
  generateAnswer,
  replyLanguage,
  suggestReply,
  summarize,
  type AgentProfile,
  type HandoffTrigger,
  type RuleHit,
  type RuleSpec,
  type Turn,
} from '../../ai/runtime.js';
import { containsPhrase, detectLanguage, type Language } from '../../ai/text.js';
import { UserEntity } from '../agents/agent.entity.js';
import { ConversationEntity, type Conversation } from '../conversations/conversation.entity.js';
import { conversationView } from '../conversations/conversation-views.service.js';
import { DivisionEntity } from '../divisions/division.entity.js';
import { applyConversationChange, pickAgent } from '../divisions/routing.service.js';
import { visibleConversation } from '../divisions/visibility.service.js';
import { MessageEntity, type Message } from '../messages/message.entity.js';
import { SEND_MAX_ATTEMPTS, messageView, preview } from '../messages/messages.service.js';
import { canSendText } from '../messages/system-messages.service.js';
import { NoteEntity } from '../notes/note.entity.js';
import { TenantEntity } from '../tenants/tenant.entity.js';
import { ConversationTransferEntity } from '../transfers/transfer.entity.js';
import { calendarFor } from '../working-hours/working-hours.service.js';
import {
  AiAgentEntity,
  AiAssignmentEntity,
  AiConversationStateEntity,
  HandoffRuleEntity,
  OrchestrationRuleEntity,
  type AiAgent,
  type AiAssignment,
  type AiConversationState,
  type HandoffRule,
} from './ai-agents.entity.js';
import { getAgent } from './lookups.js';
import { clientFor, limitReached, recordUsage, retrieve } from './model.js';

export const RESPOND_JOB = 'ai-agents.respond';
const HISTORY = 12;

/** Why a conversation went to people, beyond the rule types. */
export type HandoffReason =
  | HandoffTrigger
  | 'model_unavailable'
  | 'limit_reached'
  | 'unsupported_message'
  | 'window_closed'
  | 'hours_ended';

const REASON_LABELS: Record<HandoffReason, { id: string; en: string }> = {
  keyword: { id: 'kata kunci', en: 'keyword' },
  sentiment: { id: 'pelanggan tampak kesal', en: 'the customer sounds upset' },
  human_request: { id: 'pelanggan minta dilayani orang', en: 'the customer asked for a person' },
  low_confidence: { id: 'pengetahuan tidak cukup yakin', en: 'low retrieval confidence' },
  max_turns: { id: 'terlalu banyak balasan tanpa penyelesaian', en: 'too many turns without resolution' },
  out_of_scope: { id: 'di luar cakupan', en: 'outside the scope' },
  model_unavailable: { id: 'model AI tidak dapat dihubungi', en: 'the AI model is unavailable' },
  limit_reached: { id: 'batas pemakaian AI bulanan tercapai', en: 'the monthly AI limit is reached' },
  unsupported_message: { id: 'pesan tidak dapat dibaca AI', en: 'a message the AI cannot read' },
  window_closed: { id: 'jendela balasan 24 jam sudah tertutup', en: 'the 24-hour reply window has closed' },
  hours_ended: { id: 'jam tugas agen AI berakhir', en: "the AI agent's hours ended" },
};

const HANDOFF_MESSAGES: Record<Language, string> = {
  id: 'Baik, saya sambungkan dengan tim kami ya. Mohon tunggu sebentar, rekan kami akan segera membalas.',
  en: "Sure, I'm connecting you with our team. Please wait a moment; a colleague will reply shortly.",
};

/** A request context for work the system does on its own (jobs): no principal, actor "system". */
const systemCtx = (services: Services): Ctx => ({ ...services, requestId: 'ai-agents', ip: null, principal: null });

function profileOf(agent: AiAgent, businessName: string): AgentProfile {
  return {
    name: agent.name,
    businessName,
    instructions: agent.instructions,
    language: agent.language,
    temperature: agent.temperature,
    maxTokens: agent.maxTokens,
    model: agent.model,
  };
}

async function businessName(m: EntityManager, tenantId: string): Promise<string> {
  return (
    (await m.getRepository(TenantEntity).findOne({ where: { id: tenantId }, select: { id: true, name: true } }))?.name ?? 'the business'
  );
}

/** The conversation's latest messages with text, oldest first, as the model sees them. */
async function history(m: EntityManager, conversation: Conversation, upTo?: string): Promise<Turn[]> {
  const rows = await m.getRepository(MessageEntity).find({
    where: { tenantId: conversation.tenantId, conversationId: conversation.id },
    order: { id: 'DESC' },
    take: HISTORY * 2,
  });
  return rows
    .filter((r) => (!upTo || r.id <= upTo) && r.text && r.type !== 'reaction' && r.senderType !== 'system')
    .slice(0, HISTORY)
    .reverse()
    .map((r) => ({ role: r.direction === 'inbound' ? 'customer' : 'business', text: r.text ?? '' }));
}

/** What to search the knowledge for: the customer's latest message, with the one before when it is short. */
function retrievalQuery(turns: Turn[]): string {
  const customer = turns.filter((t) => t.role === 'customer').map((t) => t.text);
  const last = customer.at(-1) ?? '';
  return last.length < 40 && customer.length > 1 ? `${customer.at(-2)} ${last}` : last;
}

const ruleSpecs = (rules: HandoffRule[]): RuleSpec[] => rules.map((r) => ({ id: r.id, type: r.type, config: r.config }));

async function activeRules(m: EntityManager, agent: AiAgent): Promise<HandoffRule[]> {
  return m.getRepository(HandoffRuleEntity).find({
    where: { tenantId: agent.tenantId, aiAgentId: agent.id, active: true },
    order: { position: 'ASC', id: 'ASC' },
  });
}

// ---- which agent answers ---------------------------------------------------------------------

const assignmentMatches = (a: AiAssignment, c: Conversation) =>
  a.active &&
  (!a.channel || a.channel === c.channel) &&
  (!a.accountId || a.accountId === c.accountId) &&
  (!a.divisionId || a.divisionId === c.divisionId);

/** More specific assignments win: an account over a division over a channel over "everything". */
const specificity = (a: AiAssignment) => (a.accountId ? 4 : 0) + (a.divisionId ? 2 : 0) + (a.channel ? 1 : 0);

/**
 * The AI agent that should answer this conversation now, or null (people handle it). `stale` is set
 * when the agent already serving it is no longer on duty (its hours ended) and nobody else is.
 */
export async function chooseAgent(
  services: Services,
  m: EntityManager,
  conversation: Conversation,
  text: string,
): Promise<{ agent: AiAgent | null; stale: boolean }> {
  const agents = await m
    .getRepository(AiAgentEntity)
    .find({ where: { tenantId: conversation.tenantId, active: true }, order: { id: 'ASC' } });
  if (agents.length === 0) return { agent: null, stale: conversation.aiAgentId !== null };
  const assignments = await m.getRepository(AiAssignmentEntity).find({
    where: { tenantId: conversation.tenantId, aiAgentId: In(agents.map((a) => a.id)), active: true },
  });
  let open: boolean | undefined;
  const isOpen = async () => {
    if (open === undefined) {
      const { calendar } = await calendarFor(m, conversation.tenantId, conversation.divisionId);
      open = calendar.alwaysOpen || calendar.isOpen(services.now());
    }
    return open;
  };
  const onDuty = async (a: AiAssignment) =>
    a.schedule === 'always' || (a.schedule === 'working_hours' ? await isOpen() : !(await isOpen()));
  const matching = (agent: AiAgent) => assignments.filter((a) => a.aiAgentId === agent.id && assignmentMatches(a, conversation));
  /** Assigned to this conversation and on duty now; `unassignedOk`: an agent with no matching assignment counts as on duty. */
  const eligible = async (agent: AiAgent, unassignedOk: boolean) => {
    const mine = matching(agent);
    if (mine.length === 0) return unassignedOk;
    for (const a of mine) if (await onDuty(a)) return true;
    return false;
  };

  // The agent already serving (or handed the conversation explicitly) keeps it while on duty.
  const current = agents.find((a) => a.id === conversation.aiAgentId);
  if (current && (await eligible(current, true))) return { agent: current, stale: false };

  // Orchestration rules, by priority: the first that matches names the agent.
  const rules = await m.getRepository(OrchestrationRuleEntity).find({
    where: { tenantId: conversation.tenantId, active: true },
    order: { priority: 'ASC', id: 'ASC' },
  });
  const language = detectLanguage(text);
  for (const rule of rules) {
    const agent = agents.find((a) => a.id === rule.aiAgentId);
    if (!agent) continue;
    const c = rule.conditions;
    if (c.channels?.length && !c.channels.includes(conversation.channel)) continue;
    if (c.accountIds?.length && !c.accountIds.includes(conversation.accountId)) continue;
    if (c.divisionIds?.length && (!conversation.divisionId || !c.divisionIds.includes(conversation.divisionId))) continue;
    if (c.languages?.length && !c.languages.includes(language)) continue;
    if (c.keywords?.length && !c.keywords.some((k) => containsPhrase(text, k))) continue;
    if (await eligible(agent, true)) return { agent, stale: false };
  }

  // The most specific assignment on duty.
  const candidates = assignments
    .filter((a) => assignmentMatches(a, conversation))
    .sort((a, b) => specificity(b) - specificity(a) || a.id.localeCompare(b.id));
  for (const a of candidates) {
    if (await onDuty(a)) return { agent: agents.find((x) => x.id === a.aiAgentId) ?? null, stale: false };
  }
  return { agent: null, stale: conversation.aiAgentId !== null };
}

// ---- writing -------------------------------------------------------------------------------

/** Queues a text to the customer as the AI agent (senderType 'ai'), delivered by the normal `message.send` job. */
async function queueAiMessage(services: Services, m: EntityManager, conversation: Conversation, agent: AiAgent, text: string) {
  const now = services.now();
  const message: Message = {
    id: newId(),
    tenantId: conversation.tenantId,
    conversationId: conversation.id,
    direction: 'outbound',
    type: 'text',
    text,
    content: {},
    status: 'queued',
    externalId: null,
    clientMessageId: null,
    replyToId: null,
    senderType: 'ai',
    senderId: agent.id,
    mediaId: null,
    errorCode: null,
    errorReason: null,
    sentAt: null,
    deliveredAt: null,
    readAt: null,
    sendAttemptedAt: null,
    createdAt: now,
    updatedAt: now,
  };
  await m.getRepository(MessageEntity).insert(message as never);
  await enqueueJob(m, 'message.send', { messageId: message.id }, now, {
    tenantId: conversation.tenantId,
    queueKey: `conversation:${conversation.id}`,
    maxAttempts: SEND_MAX_ATTEMPTS,
  });
  const patch: Partial<Conversation> = { lastMessageAt: now, lastMessagePreview: preview('text', text), updatedAt: now };
  await m.getRepository(ConversationEntity).update({ id: conversation.id, tenantId: conversation.tenantId }, patch);
  const updated = { ...conversation, ...patch };
  const view = await conversationView(services, updated);
  await emitEvent(
    m,
    { tenantId: conversation.tenantId, type: 'message.created', payload: { message: messageView(message), conversation: view } },
    now,
  );
  await emitEvent(m, { tenantId: conversation.tenantId, type: 'conversation.updated', payload: { conversation: view } }, now);
  return { message, conversation: updated };
}

async function saveState(
  m: EntityManager,
  services: Services,
  conversation: Conversation,
  patch: Partial<AiConversationState>,
): Promise<void> {
  const repo = m.getRepository(AiConversationStateEntity);
  const now = services.now();
  const existing = await repo.findOne({ where: { conversationId: conversation.id } });
  if (existing) await repo.update({ id: existing.id }, { ...patch, updatedAt: now });
  else
    await repo.insert({
      id: newId(),
      tenantId: conversation.tenantId,
      conversationId: conversation.id,
      aiAgentId: null,
      turns: 0,
      lastHandledMessageId: null,
      handedOffAt: null,
      handoffReason: null,
      createdAt: now,
      updatedAt: now,
      ...patch,
    } as never);
}

export interface HandoffInput {
  conversation: Conversation;
  agent: AiAgent;
  reason: HandoffReason;
  detail: string;
  rule?: HandoffRule | null;
  /** The inbound message that led here (recorded as handled). */
  messageId?: string | null;
  turns: Turn[];
  language: Language;
  /** A model to summarize with (none when it is the model that failed). */
  client?: LlmClient | null;
}

/**
 * Hands the conversation to people: to the rule's (else the agent's) division and/or person, with a
 * note for them that summarizes the conversation, a transfer in its history, the customer told
 * (when the channel allows a message now), and the activity log. Returns false when a person had
 * already taken it meanwhile.
 */
export async function handOff(services: Services, input: HandoffInput): Promise<boolean> {
  const { agent } = input;
  let summary = '';
  if (input.client) {
    try {
      const result = await summarize(input.client, { history: input.turns, language: input.language, model: agent.model });
      summary = result.summary;
      await recordUsage(services, {
        tenantId: agent.tenantId,
        aiAgentId: agent.id,
        conversationId: input.conversation.id,
        kind: 'handoff_summary',
        usage: result.usage,
      });
    } catch (err) {
      await recordUsage(services, {
        tenantId: agent.tenantId,
        aiAgentId: agent.id,
        conversationId: input.conversation.id,
        kind: 'handoff_summary',
        model: input.client.endpoint.model,
        error: (err as Error).message,
      });
    }
  }
  if (!summary) summary = fallbackSummary(input.turns, input.language);
  const label = REASON_LABELS[input.reason];
  const body = [
    `Agen AI ${agent.name}: percakapan diserahkan ke tim / AI agent ${agent.name}: handed to the team`,
    `Alasan / Reason: ${label.id} / ${label.en}${input.detail ? ` — ${input.detail}` : ''}`,
    summary ? `Ringkasan / Summary:\n${summary}` : '',
  ]
    .filter(Boolean)
    .join('\n');
  const ctx = systemCtx(services);
  return services.transaction(async (m) => {
    const conversation = await m.getRepository(ConversationEntity).findOne({ where: { id: input.conversation.id } });
    if (!conversation || conversation.assigneeId) return false;
    const now = services.now();
    const targetAgentId = input.rule?.targetAgentId ?? agent.handoffAgentId;
    const targetDivisionId = input.rule?.targetDivisionId ?? agent.handoffDivisionId;
    const patch: Partial<Conversation> = { aiAgentId: null };
    let autoAssigned = false;
    const division = targetDivisionId
      ? await m.getRepository(DivisionEntity).findOne({ where: { id: targetDivisionId, tenantId: conversation.tenantId } })
      : null;
    if (division) patch.divisionId = division.id;
    const person = targetAgentId
      ? await m.getRepository(UserEntity).findOne({ where: { id: targetAgentId, tenantId: conversation.tenantId, status: 'active' } })
      : null;
    if (person) patch.assigneeId = person.id;
    else {
      const divisionId = division?.id ?? conversation.divisionId;
      const routing = divisionId ? await m.getRepository(DivisionEntity).findOne({ where: { id: divisionId } }) : null;
      if (routing?.autoAssign) {
        const picked = await pickAgent(m, conversation.tenantId, routing.id, now);
        if (picked) {
          patch.assigneeId = picked;
          autoAssigned = true;
        }
      }
    }
    const { view } = await applyConversationChange(services, m, conversation, patch, null);
    const transfer = {
      id: newId(),
      tenantId: conversation.tenantId,
      conversationId: conversation.id,
      fromAssigneeId: null,
      fromDivisionId: conversation.divisionId,
      toAssigneeId: patch.assigneeId ?? null,
      toDivisionId: patch.divisionId ?? conversation.divisionId,
      reason: `AI handoff (${agent.name}): ${label.en}`,
      autoAssigned,
      byUserId: null,
      createdAt: now,
    };
    await m.getRepository(ConversationTransferEntity).insert(transfer as never);
    await emitEvent(
      m,
      {
        tenantId: conversation.tenantId,
        type: 'conversation.transferred',
        payload: {
          conversation: view,
          transfer: {
            id: transfer.id,
            conversationId: conversation.id,
            reason: transfer.reason,
            autoAssigned,
            from: { agent: null, division: conversation.divisionId ? { id: conversation.divisionId, name: null } : null },
            to: {
              agent: transfer.toAssigneeId ? { id: transfer.toAssigneeId, name: person?.name ?? null } : null,
              division: transfer.toDivisionId ? { id: transfer.toDivisionId, name: division?.name ?? null } : null,
            },
            by: null,
            createdAt: now,
          },
          by: null,
          aiAgentId: agent.id,
          ...(transfer.toAssigneeId ? { notifyUserId: transfer.toAssigneeId } : {}),
        },
      },
      now,
    );
    const note = {
      id: newId(),
      tenantId: conversation.tenantId,
      conversationId: conversation.id,
      authorId: null,
      body,
      createdAt: now,
      updatedAt: now,
    };
    await m.getRepository(NoteEntity).insert(note as never);
    await emitEvent(
      m,
      {
        tenantId: conversation.tenantId,
        type: 'note.created',
        payload: { note: { id: note.id, conversationId: note.conversationId, body, author: null, createdAt: now, updatedAt: now } },
      },
      now,
    );
    if (canSendText(conversation, now)) {
      await queueAiMessage(
        services,
        m,
        { ...conversation, ...patch },
        agent,
        agent.handoffMessage?.trim() || HANDOFF_MESSAGES[input.language],
      );
    }
    await saveState(m, services, conversation, {
      aiAgentId: agent.id,
      turns: 0,
      handedOffAt: now,
      handoffReason: input.reason,
      ...(input.messageId ? { lastHandledMessageId: input.messageId } : {}),
    });
    await recordActivity(ctx, m, {
      tenantId: conversation.tenantId,
      action: 'ai_agent.handoff',
      targetType: 'conversation',
      targetId: conversation.id,
      details: {
        aiAgentId: agent.id,
        aiAgentName: agent.name,
        reason: input.reason,
        detail: input.detail,
        ruleId: input.rule?.id ?? null,
        toAssigneeId: patch.assigneeId ?? null,
        toDivisionId: patch.divisionId ?? conversation.divisionId,
      },
    });
    await emitEvent(
      m,
      {
        tenantId: conversation.tenantId,
        type: 'ai_agent.handoff',
        payload: { conversationId: conversation.id, aiAgentId: agent.id, reason: input.reason, detail: input.detail, summary },
      },
      now,
    );
    return true;
  });
}

/** A model request failed: counted in usage and written to the activity log. */
async function modelFailed(
  services: Services,
  agent: AiAgent,
  conversationId: string | null,
  kind: 'reply' | 'test',
  err: LlmError,
  model: string | null,
) {
  await recordUsage(services, { tenantId: agent.tenantId, aiAgentId: agent.id, conversationId, kind, model, error: err.message });
  await services.transaction((m) =>
    recordActivity(systemCtx(services), m, {
      tenantId: agent.tenantId,
      action: 'ai_agent.model_failed',
      targetType: conversationId ? 'conversation' : 'ai_agent',
      targetId: conversationId ?? agent.id,
      details: { aiAgentId: agent.id, aiAgentName: agent.name, kind: err.kind, error: err.message },
    }),
  );
}

// ---- the job ---------------------------------------------------------------------------------

async function respond(services: Services, messageId: string): Promise<void> {
  const db = services.db.manager;
  const message = await db.getRepository(MessageEntity).findOne({ where: { id: messageId } });
  if (message?.direction !== 'inbound' || message.senderType !== 'contact') return;
  const conversation = await db.getRepository(ConversationEntity).findOne({ where: { id: message.conversationId } });
  // Closed, or a person has it: the AI stays out.
  if (!conversation || (conversation.status !== 'open' && conversation.status !== 'pending') || conversation.assigneeId) return;
  // A newer customer message has its own job, which answers both.
  if (
    await db
      .getRepository(MessageEntity)
      .exists({ where: { conversationId: conversation.id, direction: 'inbound', id: MoreThan(message.id) } })
  )
    return;
  const state = await db.getRepository(AiConversationStateEntity).findOne({ where: { conversationId: conversation.id } });
  if (state?.handedOffAt) return; // waiting for people since the handoff
  if (state?.lastHandledMessageId && state.lastHandledMessageId >= message.id) return;

  const text = message.text?.trim() ?? '';
  const { agent, stale } = await chooseAgent(services, db, conversation, text);
  const turns = await history(db, conversation, message.id);
  if (!agent) {
    if (stale) {
      const previous = await db.getRepository(AiAgentEntity).findOne({ where: { id: conversation.aiAgentId! } });
      if (previous)
        await handOff(services, {
          conversation,
          agent: previous,
          reason: 'hours_ended',
          detail: '',
          messageId: message.id,
          turns,
          language: replyLanguage(previous, turns),
        });
    }
    return;
  }
  const language = replyLanguage(agent, turns);
  const rules = await activeRules(db, agent);
  const ruleById = (hit: RuleHit) => rules.find((r) => r.id === hit.rule?.id) ?? null;
  const base = { conversation, agent, messageId: message.id, turns, language };

  if (!text)
    return void (await handOff(services, {
      ...base,
      reason: 'unsupported_message',
      detail: `The customer sent a ${message.type} message`,
    }));
  const early = checkMessageRules(ruleSpecs(rules), text, { turns: state?.turns ?? 0 });
  let client: LlmClient | null = null;
  let unavailable: LlmError | null = null;
  try {
    client = await clientFor(services, agent.tenantId);
  } catch (err) {
    if (!(err instanceof LlmError)) throw err;
    unavailable = err;
  }
  if (early) return void (await handOff(services, { ...base, reason: early.trigger, detail: early.detail, rule: ruleById(early), client }));
  if (!client) {
    await modelFailed(services, agent, conversation.id, 'reply', unavailable!, null);
    return void (await handOff(services, { ...base, reason: 'model_unavailable', detail: unavailable!.message }));
  }
  const limit = await limitReached(services, agent);
  if (limit) return void (await handOff(services, { ...base, reason: 'limit_reached', detail: limit }));
  if (!canSendText(conversation, services.now()))
    return void (await handOff(services, { ...base, reason: 'window_closed', detail: '', client }));

  const passages = await retrieve(services, agent, retrievalQuery(turns), { client, conversationId: conversation.id });
  const weak = checkRetrievalRules(ruleSpecs(rules), passages);
  if (weak) return void (await handOff(services, { ...base, reason: weak.trigger, detail: weak.detail, rule: ruleById(weak), client }));

  const profile = profileOf(agent, await businessName(db, agent.tenantId));
  let decision: Awaited<ReturnType<typeof generateAnswer>>;
  try {
    decision = await generateAnswer(client, { profile, history: turns, passages });
  } catch (err) {
    if (!(err instanceof LlmError)) throw err;
    await modelFailed(services, agent, conversation.id, 'reply', err, agent.model ?? client.endpoint.model);
    return void (await handOff(services, { ...base, reason: 'model_unavailable', detail: err.message }));
  }
  await recordUsage(services, {
    tenantId: agent.tenantId,
    aiAgentId: agent.id,
    conversationId: conversation.id,
    kind: 'reply',
    usage: decision.usage,
  });
  if (decision.kind === 'handoff') {
    const rule = rules.find((r) => r.type === decision.trigger) ?? null;
    return void (await handOff(services, { ...base, reason: decision.trigger, detail: decision.detail, rule, client }));
  }
  const reply = decision.text;
  await services.transaction(async (m) => {
    const fresh = await m.getRepository(ConversationEntity).findOne({ where: { id: conversation.id } });
    // A person took it while the model was thinking: their conversation now.
    if (!fresh || fresh.assigneeId) return;
    let current = fresh;
    if (fresh.aiAgentId !== agent.id)
      current = (await applyConversationChange(services, m, fresh, { aiAgentId: agent.id }, null)).conversation;
    await queueAiMessage(services, m, current, agent, reply);
    await saveState(m, services, current, { aiAgentId: agent.id, turns: (state?.turns ?? 0) + 1, lastHandledMessageId: message.id });
    await emitEvent(
      m,
      {
        tenantId: agent.tenantId,
        type: 'ai_agent.replied',
        payload: { conversationId: conversation.id, aiAgentId: agent.id, messageId: message.id, passages: passages.map((p) => p.chunkId) },
      },
      services.now(),
    );
  });
}

/** Whether an organization has an AI agent on: asked for every customer message, changed seldom. */
const anyAgentActive = readThrough<boolean>([AiAgentEntity.options.name]);

export function conversationAiEvents(services: Services): Record<string, EventHandler> {
  return {
    'message.created': async (event) => {
      const message = event.payload.message as
        | { id?: string; direction?: string; senderType?: string; conversationId?: string }
        | undefined;
      if (!event.tenantId || !message?.id || message.direction !== 'inbound' || message.senderType !== 'contact' || !message.conversationId)
        return;
      const conversation = event.payload.conversation as { assignee?: unknown; status?: string } | undefined;
      if (conversation?.assignee) return; // a person has it
      // Most organizations' messages need no job: only when an AI agent is on.
      const tenantId = event.tenantId;
      if (
        !(await anyAgentActive(services.db, tenantId, () =>
          services.db.getRepository(AiAgentEntity).exists({ where: { tenantId, active: true } }),
        ))
      )
        return;
      await services.transaction((m) =>
        enqueueJob(m, RESPOND_JOB, { messageId: message.id }, services.now(), {
          tenantId: event.tenantId,
          // One queue per conversation: answers in the order the customer wrote.
          queueKey: `ai:${message.conversationId}`,
          maxAttempts: 3,
        }),
      );
    },
    // A resolved or expired conversation starts afresh: the AI may serve it again when the customer returns.
    'conversation.status_changed': async (event) => {
      const to = event.payload.to;
      const id = (event.payload.conversation as { id?: string } | undefined)?.id;
      if (!event.tenantId || !id || (to !== 'resolved' && to !== 'expired')) return;
      await services.db.getRepository(AiConversationStateEntity).delete({ tenantId: event.tenantId, conversationId: id });
    },
  };
}

export function conversationAiJobs(services: Services): Record<string, JobHandler> {
  return {
    [RESPOND_JOB]: async (job) => respond(services, String(job.payload.messageId)),
  };
}

// ---- for people: playground, suggestions, summaries ------------------------------------------

function llmHttpError(err: LlmError): HttpError {
  if (err.kind === 'not_configured') return new HttpError(503, err.message, { reason: err.kind });
  if (err.kind === 'timeout') return new HttpError(504, err.message, { reason: err.kind });
  return new HttpError(502, err.message, { reason: err.kind });
}

async function clientOrHttp(ctx: TenantCtx): Promise<LlmClient> {
  try {
    return await clientFor(ctx, ctx.tenantId);
  } catch (err) {
    if (err instanceof LlmError) throw llmHttpError(err);
    throw err;
  }
}

const passageOut = (p: Passage) => ({
  chunkId: p.chunkId,
  kind: p.kind,
  sourceId: p.sourceId,
  productId: p.productId,
  title: p.title,
  text: p.text,
  lexical: p.lexical,
  similarity: p.similarity,
  confidence: p.confidence,
});

export const conversationAi = {
  /** The playground: what the agent would answer to `message` (after `history`), with the passages and the prompt. */
  async test(ctx: TenantCtx, aiAgentId: string, input: { message: string; history?: Turn[] }) {
    const agent = await getAgent(ctx, aiAgentId);
    const limit = await limitReached(ctx, agent);
    if (limit) throw new HttpError(429, limit);
    const turns: Turn[] = [...(input.history ?? []), { role: 'customer', text: input.message }];
    const rules = await activeRules(ctx.db.manager, agent);
    const language = replyLanguage(agent, turns);
    const early = checkMessageRules(ruleSpecs(rules), input.message, { turns: turns.filter((t) => t.role === 'business').length });
    if (early)
      return {
        answer: null,
        handoff: { reason: early.trigger, detail: early.detail, ruleId: early.rule?.id ?? null },
        language,
        passages: [],
        prompt: [],
        usage: null,
      };
    const client = await clientOrHttp(ctx);
    const passages = await retrieve(ctx, agent, retrievalQuery(turns), { client });
    const weak = checkRetrievalRules(ruleSpecs(rules), passages);
    if (weak)
      return {
        answer: null,
        handoff: { reason: weak.trigger, detail: weak.detail, ruleId: weak.rule?.id ?? null },
        language,
        passages: passages.map(passageOut),
        prompt: [],
        usage: null,
      };
    const profile = profileOf(agent, await businessName(ctx.db.manager, ctx.tenantId));
    let decision: Awaited<ReturnType<typeof generateAnswer>>;
    try {
      decision = await generateAnswer(client, { profile, history: turns, passages });
    } catch (err) {
      if (!(err instanceof LlmError)) throw err;
      await modelFailed(ctx, agent, null, 'test', err, agent.model ?? client.endpoint.model);
      throw llmHttpError(err);
    }
    await recordUsage(ctx, { tenantId: ctx.tenantId, aiAgentId: agent.id, kind: 'test', usage: decision.usage });
    const prompt = decision.prompt.map((m) => ({
      role: m.role,
      content: typeof m.content === 'string' ? m.content : JSON.stringify(m.content),
    }));
    return {
      answer: decision.kind === 'reply' ? decision.text : null,
      handoff:
        decision.kind === 'handoff'
          ? { reason: decision.trigger, detail: decision.detail, ruleId: rules.find((r) => r.type === decision.trigger)?.id ?? null }
          : null,
      language: decision.language,
      passages: passages.map(passageOut),
      prompt,
      usage: decision.usage,
    };
  },

  /** A draft reply for the human agent in the composer, from the same retrieval. */
  async suggest(ctx: TenantCtx, conversationId: string, input: { aiAgentId?: string }) {
    const conversation = await visibleConversation(ctx, conversationId);
    const agent = input.aiAgentId
      ? await getAgent(ctx, input.aiAgentId)
      : ((conversation.aiAgentId ? await scoped(ctx, AiAgentEntity).findOne({ id: conversation.aiAgentId }) : null) ??
        (await chooseAgent(ctx, ctx.db.manager, conversation, '')).agent ??
        (await scoped(ctx, AiAgentEntity).find({ active: true }, { id: 'ASC' }))[0] ??
        (await scoped(ctx, AiAgentEntity).find({}, { id: 'ASC' }))[0]);
    if (!agent)
      throw unprocessable('Create an AI agent with knowledge first: suggestions come from its knowledge', [
        { path: 'aiAgentId', message: 'No AI agent' },
      ]);
    const turns = await history(ctx.db.manager, conversation);
    if (!turns.some((t) => t.role === 'customer'))
      throw unprocessable('The customer has not written anything to reply to yet', [
        { path: 'conversationId', message: 'No customer message' },
      ]);
    const limit = await limitReached(ctx, agent);
    if (limit) throw new HttpError(429, limit);
    const client = await clientOrHttp(ctx);
    const passages = await retrieve(ctx, agent, retrievalQuery(turns), { client, conversationId });
    const profile = profileOf(agent, await businessName(ctx.db.manager, ctx.tenantId));
    try {
      const result = await suggestReply(client, { profile, history: turns, passages });
      await recordUsage(ctx, { tenantId: ctx.tenantId, aiAgentId: agent.id, conversationId, kind: 'suggest', usage: result.usage });
      return { suggestion: result.text, aiAgentId: agent.id, language: result.language, passages: passages.map(passageOut) };
    } catch (err) {
      if (!(err instanceof LlmError)) throw err;
      await recordUsage(ctx, {
        tenantId: ctx.tenantId,
        aiAgentId: agent.id,
        conversationId,
        kind: 'suggest',
        model: client.endpoint.model,
        error: err.message,
      });
      throw llmHttpError(err);
    }
  },

  /** A short summary of the conversation for the human agent. */
  async summarize(ctx: TenantCtx, conversationId: string) {
    const conversation = await visibleConversation(ctx, conversationId);
    const turns = await history(ctx.db.manager, conversation);
    if (turns.length === 0)
      throw unprocessable('The conversation has no messages to summarize', [{ path: 'conversationId', message: 'No messages' }]);
    const client = await clientOrHttp(ctx);
    const language = detectLanguage(turns.map((t) => t.text).join('\n'));
    try {
      const result = await summarize(client, { history: turns, language });
      await recordUsage(ctx, {
        tenantId: ctx.tenantId,
        aiAgentId: conversation.aiAgentId,
        conversationId,
        kind: 'summary',
        usage: result.usage,
      });
      return { summary: result.summary, language, messages: turns.length };
    } catch (err) {
      if (!(err instanceof LlmError)) throw err;
      await recordUsage(ctx, {
        tenantId: ctx.tenantId,
        aiAgentId: null,
        conversationId,
        kind: 'summary',
        model: client.endpoint.model,
        error: err.message,
      });
      throw llmHttpError(err);
    }
  },
};

/**
 * Hands a conversation to an AI agent (for other modules, e.g. an automation action): the agent
 * serves it from now on (any person assigned is unassigned), the AI's state starts afresh, and if
 * the customer's latest message is still unanswered the agent answers it (a durable job, in the
 * conversation's order). Runs in the caller's transaction when `m` is given. Returns false (changing
 * nothing) when the agent is not active or the conversation is closed.
 */
export async function handToAiAgent(
  services: Services,
  input: { tenantId: string; conversationId: string; aiAgentId: string },
  m?: EntityManager,
): Promise<{ handed: boolean; reason?: string }> {
  const work = async (tx: EntityManager) => {
    const agent = await tx.getRepository(AiAgentEntity).findOne({ where: { id: input.aiAgentId, tenantId: input.tenantId } });
    if (!agent) return { handed: false, reason: 'No such AI agent' };
    if (!agent.active) return { handed: false, reason: 'The AI agent is not active' };
    const conversation = await tx
      .getRepository(ConversationEntity)
      .findOne({ where: { id: input.conversationId, tenantId: input.tenantId } });
    if (!conversation) return { handed: false, reason: 'No such conversation' };
    if (conversation.status !== 'open' && conversation.status !== 'pending') return { handed: false, reason: 'The conversation is closed' };
    await applyConversationChange(services, tx, conversation, { aiAgentId: agent.id, assigneeId: null }, null);
    await tx.getRepository(AiConversationStateEntity).delete({ conversationId: conversation.id });
    const last = await tx.getRepository(MessageEntity).findOne({ where: { conversationId: conversation.id }, order: { id: 'DESC' } });
    if (last?.direction === 'inbound' && last.senderType === 'contact')
      await enqueueJob(tx, RESPOND_JOB, { messageId: last.id }, services.now(), {
        tenantId: input.tenantId,
        queueKey: `ai:${conversation.id}`,
        maxAttempts: 3,
      });
    await recordActivity(systemCtx(services), tx, {
      tenantId: input.tenantId,
      action: 'ai_agent.assigned',
      targetType: 'conversation',
      targetId: conversation.id,
      details: { aiAgentId: agent.id, aiAgentName: agent.name, from: conversation.assigneeId },
    });
    return { handed: true };
  };
  return m ? work(m) : services.transaction(work);
}
