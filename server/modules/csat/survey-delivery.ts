// Creating a survey and sending it: as a WhatsApp list with rows 1–5 where the channel allows, else as
// a link to the public rating page; on resolve (from settings) or made by an agent.
import { IsNull, MoreThan, type EntityManager } from 'typeorm';
import type { Services } from '../../core/context.js';
import { emitEvent } from '../../core/events/outbox.js';
import { enqueueJob } from '../../core/jobs/queue.js';
import { newId } from '../../core/ids.js';
import { replyDecision } from '../../channels/policy.js';
import type { MessageContent } from '../../channels/types.js';
import { ConversationEntity, type Conversation } from '../conversations/conversation.entity.js';
import { conversationView } from '../conversations/conversation-views.service.js';
import { TenantEntity } from '../tenants/tenant.entity.js';
import { MessageEntity, type Message } from '../messages/message.entity.js';
import { SEND_MAX_ATTEMPTS, messageView } from '../messages/messages.service.js';
import { CsatSurveyEntity, type CsatDelivery, type CsatLanguage, type CsatSurvey } from './csat.entity.js';
import { CSAT_TEXTS } from './csat.texts.js';

import { SEND_JOB, isExpired, loadSettings, newToken, publicBaseUrl, rowId, surveyUrl } from './survey-views.js';

// ---- creating and sending ----

/** Whether the channel takes a message from the business now, without a human-agent tag. */
export function sendableNow(
  conversation: Conversation,
  type: 'interactive' | 'text',
  now: Date,
): { ok: true } | { ok: false; code: string; reason: string } {
  const decision = replyDecision(conversation.channel, type, conversation.lastInboundAt, now);
  // `code` is stored as the failure reason, which the UI translates; `reason` explains it in the API's answer.
  if (!decision.allowed) return { ok: false, code: decision.code, reason: decision.reason };
  if (decision.messagingTag)
    return {
      ok: false,
      code: 'window_closed',
      reason: 'The customer last wrote more than 24 hours ago: an automatic survey may not be sent now.',
    };
  return { ok: true };
}

export const chooseDelivery = (conversation: Conversation, requested: CsatDelivery | 'auto'): CsatDelivery =>
  requested === 'auto' ? (conversation.channel === 'whatsapp' ? 'interactive' : 'link') : requested;

export async function insertSurvey(
  services: Services,
  m: EntityManager,
  conversation: Conversation,
  opts: {
    delivery: CsatDelivery;
    trigger: CsatSurvey['trigger'];
    expiryHours: number;
    language: CsatLanguage;
    baseUrl: string | null;
    createdById: string | null;
  },
): Promise<CsatSurvey> {
  const now = services.now();
  const survey: CsatSurvey = {
    id: newId(),
    tenantId: conversation.tenantId,
    conversationId: conversation.id,
    token: newToken(),
    channel: conversation.channel,
    agentId: conversation.assigneeId,
    divisionId: conversation.divisionId,
    delivery: opts.delivery,
    trigger: opts.trigger,
    status: 'pending',
    score: null,
    comment: null,
    answeredVia: null,
    answerMessageId: null,
    messageId: null,
    baseUrl: opts.baseUrl,
    language: opts.language,
    failureReason: null,
    expiresAt: new Date(now.getTime() + opts.expiryHours * 3600_000),
    sentAt: null,
    answeredAt: null,
    createdById: opts.createdById,
    createdAt: now,
    updatedAt: now,
  };
  await m.getRepository(CsatSurveyEntity).insert(survey as never);
  if (opts.delivery !== 'none') await enqueueJob(m, SEND_JOB, { surveyId: survey.id }, now, { tenantId: survey.tenantId, maxAttempts: 10 });
  await emitEvent(
    m,
    { tenantId: survey.tenantId, type: 'csat.created', payload: { surveyId: survey.id, conversationId: survey.conversationId } },
    now,
  );
  return survey;
}

/** The survey message: a list with rows 5…1 (WhatsApp) or a text with the rating link. */
function surveyMessage(
  survey: CsatSurvey,
  settings: { message: string | null },
  orgName: string,
  url: string | null,
): { type: 'interactive' | 'text'; text: string; content: MessageContent } {
  const t = CSAT_TEXTS[survey.language];
  const question = settings.message?.trim() || t.question(orgName);
  if (survey.delivery === 'interactive') {
    const rows = [5, 4, 3, 2, 1].map((score) => ({
      id: rowId(survey.token, score),
      title: `${'⭐'.repeat(score)} ${score}`,
      description: t.labels[score - 1],
    }));
    return {
      type: 'interactive',
      text: question.replace(/\{\{\s*url\s*\}\}/g, '').trim(),
      content: { list: { button: t.listButton, sections: [{ rows }] } },
    };
  }
  const text = /\{\{\s*url\s*\}\}/.test(question)
    ? question.replace(/\{\{\s*url\s*\}\}/g, url ?? '')
    : `${question}\n\n${t.linkPrompt} ${url}`;
  return { type: 'text', text, content: {} };
}

/** Sends a pending survey once: its message is queued like any outbound message, in the conversation's order. */
export async function deliverSurvey(services: Services, surveyId: string): Promise<void> {
  const surveys = services.db.getRepository(CsatSurveyEntity);
  const survey = await surveys.findOne({ where: { id: surveyId } });
  if (survey?.status !== 'pending' || survey.messageId || survey.delivery === 'none') return;
  const now = services.now();
  if (isExpired(survey, now)) return;
  const conversation = await services.db.getRepository(ConversationEntity).findOne({ where: { id: survey.conversationId } });
  if (!conversation) return;
  const fail = (reason: string) =>
    services.transaction(async (m) => {
      await m
        .getRepository(CsatSurveyEntity)
        .update({ id: survey.id }, { status: 'failed', failureReason: reason.slice(0, 500), updatedAt: now } as never);
      await emitEvent(
        m,
        { tenantId: survey.tenantId, type: 'csat.failed', payload: { surveyId: survey.id, conversationId: survey.conversationId, reason } },
        now,
      );
    });
  const url = surveyUrl(survey, services);
  if (survey.delivery === 'link' && !url) return fail('no_public_url');
  const settings = await loadSettings(services, survey.tenantId);
  const tenant = await services.db.getRepository(TenantEntity).findOneByOrFail({ id: survey.tenantId });
  const draft = surveyMessage(survey, settings, tenant.name, url);
  const allowed = sendableNow(conversation, draft.type, now);
  if (!allowed.ok) return fail(allowed.code);
  await services.transaction(async (m) => {
    const message: Message = {
      id: newId(),
      tenantId: survey.tenantId,
      conversationId: conversation.id,
      direction: 'outbound',
      type: draft.type,
      text: draft.text,
      content: draft.content,
      status: 'queued',
      externalId: null,
      clientMessageId: `csat-${survey.id}`,
      replyToId: null,
      senderType: 'system',
      senderId: null,
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
    // Checked and claimed in the same transaction as the message (SQLite runs one at a time): a retried job finds messageId set and stops.
    if (!(await m.getRepository(CsatSurveyEntity).exists({ where: { id: survey.id, status: 'pending', messageId: IsNull() } }))) return;
    await m.getRepository(MessageEntity).insert(message as never);
    await m.getRepository(CsatSurveyEntity).update({ id: survey.id }, { messageId: message.id, sentAt: now, updatedAt: now } as never);
    const patch: Partial<Conversation> = { lastMessageAt: now, lastMessagePreview: draft.text.slice(0, 280), updatedAt: now };
    await m.getRepository(ConversationEntity).update({ id: conversation.id }, patch);
    await enqueueJob(m, 'message.send', { messageId: message.id }, now, {
      tenantId: survey.tenantId,
      queueKey: `conversation:${conversation.id}`,
      maxAttempts: SEND_MAX_ATTEMPTS,
    });
    const view = await conversationView(services, { ...conversation, ...patch });
    await emitEvent(
      m,
      { tenantId: survey.tenantId, type: 'message.created', payload: { message: messageView(message), conversation: view } },
      now,
    );
    await emitEvent(m, { tenantId: survey.tenantId, type: 'conversation.updated', payload: { conversation: view } }, now);
  });
}

/** On resolve (a durable job, from the event): one survey per resolution, when the tenant has CSAT on. */
export async function surveyOnResolve(services: Services, conversationId: string): Promise<void> {
  const conversation = await services.db.getRepository(ConversationEntity).findOne({ where: { id: conversationId } });
  if (conversation?.status !== 'resolved') return;
  const settings = await loadSettings(services, conversation.tenantId);
  if (!settings.enabled) return;
  const surveys = services.db.getRepository(CsatSurveyEntity);
  const since = conversation.resolvedAt ?? conversation.updatedAt;
  // The event is delivered at least once: a survey made for this resolution, or one still waiting, is enough.
  const existing = await surveys.findOne({
    where: [
      { conversationId, createdAt: MoreThan(new Date(since.getTime() - 1)) },
      { conversationId, status: 'pending', expiresAt: MoreThan(services.now()) },
    ],
  });
  if (existing) return;
  await services.transaction((m) =>
    insertSurvey(services, m, conversation, {
      delivery: chooseDelivery(conversation, 'auto'),
      trigger: 'resolved',
      expiryHours: settings.expiryHours,
      language: settings.language,
      baseUrl: publicBaseUrl(services),
      createdById: null,
    }),
  );
}
