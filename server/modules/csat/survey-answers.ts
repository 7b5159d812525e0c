// Answers: recorded once per survey (by the list reply, the rating page or the API); expired surveys
// refuse them; a conversation that only held the answer is closed again.
import { In, MoreThan } from 'typeorm';
import type { Services } from '../../core/context.js';
import { HttpError, conflict, notFound } from '../../core/http/errors.js';
import { emitEvent } from '../../core/events/outbox.js';
import { ConversationEntity, type Conversation } from '../conversations/conversation.entity.js';
import { conversationView } from '../conversations/conversation-views.service.js';
import { MessageEntity } from '../messages/message.entity.js';
import { CsatSurveyEntity, type CsatSurvey } from './csat.entity.js';

import { parseRowId } from './survey-views.js';

// ---- answers ----

export type AnswerOutcome = { ok: true; survey: CsatSurvey } | { ok: false; reason: 'answered' | 'expired' | 'failed' };

/** Records the score once: only a pending, unexpired survey takes it (one conditional update, so two answers cannot both win). */
export async function recordAnswer(
  services: Services,
  survey: CsatSurvey,
  answer: { score: number; comment?: string | null; via: 'whatsapp' | 'web'; messageId?: string | null },
): Promise<AnswerOutcome> {
  const now = services.now();
  const patch: Partial<CsatSurvey> = {
    status: 'answered',
    score: answer.score,
    comment: answer.comment?.trim() || null,
    answeredVia: answer.via,
    answerMessageId: answer.messageId ?? null,
    answeredAt: now,
    updatedAt: now,
  };
  const won = await services.transaction(async (m) => {
    const result = await m
      .getRepository(CsatSurveyEntity)
      .update({ id: survey.id, status: 'pending', expiresAt: MoreThan(now) }, patch as never);
    if (!result.affected) return false;
    await emitEvent(
      m,
      {
        tenantId: survey.tenantId,
        type: 'csat.answered',
        payload: {
          surveyId: survey.id,
          conversationId: survey.conversationId,
          score: answer.score,
          agentId: survey.agentId,
          divisionId: survey.divisionId,
          channel: survey.channel,
          via: answer.via,
        },
      },
      now,
    );
    return true;
  });
  if (won) return { ok: true, survey: { ...survey, ...patch } };
  const current = await services.db.getRepository(CsatSurveyEntity).findOneByOrFail({ id: survey.id });
  return { ok: false, reason: current.status === 'answered' ? 'answered' : current.status === 'failed' ? 'failed' : 'expired' };
}

/** A rating from the public page or API; problems name what is wrong. */
export async function submitRating(services: Services, token: string, body: { score: number; comment?: string | null }) {
  const survey = await services.db.getRepository(CsatSurveyEntity).findOne({ where: { token } });
  if (!survey) throw notFound('Survey');
  const outcome = await recordAnswer(services, survey, { ...body, via: 'web' });
  if (!outcome.ok) {
    if (outcome.reason === 'answered')
      throw conflict('This survey has already been answered; a rating is recorded once', [{ path: 'score', message: 'Already answered' }]);
    if (outcome.reason === 'expired')
      throw new HttpError(410, `This survey expired at ${survey.expiresAt.toISOString()} and no longer accepts a rating`, {
        errors: [{ path: 'surveyToken', message: 'Expired' }],
      });
    throw conflict('This survey could not be sent and does not accept a rating', [{ path: 'surveyToken', message: 'Not sent' }]);
  }
  const s = outcome.survey;
  return { status: 'answered' as const, score: s.score!, comment: s.comment, answeredAt: s.answeredAt! };
}

/**
 * A list (or button) reply whose id is csat:<token>:<score>, from the survey's own contact: records
 * the score once; a later answer is ignored. When the reply opened a conversation of its own (the
 * surveyed one was resolved), that conversation holds nothing else and is resolved again.
 */
export async function answerFromMessage(services: Services, messageId: string): Promise<void> {
  const db = services.db;
  const message = await db.getRepository(MessageEntity).findOne({ where: { id: messageId } });
  if (message?.direction !== 'inbound') return;
  const parsed = parseRowId(message.content.interactive?.id);
  if (!parsed) return;
  const survey = await db.getRepository(CsatSurveyEntity).findOne({ where: { token: parsed.token, tenantId: message.tenantId } });
  if (!survey) return;
  const [surveyed, replied] = await Promise.all([
    db.getRepository(ConversationEntity).findOne({ where: { id: survey.conversationId } }),
    db.getRepository(ConversationEntity).findOne({ where: { id: message.conversationId } }),
  ]);
  if (!surveyed || !replied || surveyed.contactId !== replied.contactId) {
    services.log.warn({ surveyId: survey.id, messageId }, 'CSAT reply from another contact ignored');
    return;
  }
  const outcome =
    survey.answerMessageId === message.id
      ? { ok: false as const, reason: 'answered' as const }
      : await recordAnswer(services, survey, { score: parsed.score, via: 'whatsapp', messageId: message.id });
  if (!outcome.ok) services.log.info({ surveyId: survey.id, reason: outcome.reason }, 'CSAT reply not recorded');
  if (replied.id !== surveyed.id && (replied.status === 'open' || replied.status === 'pending'))
    await closeIfOnlySurveyReplies(services, replied);
}

async function closeIfOnlySurveyReplies(services: Services, conversation: Conversation): Promise<void> {
  const messages = await services.db
    .getRepository(MessageEntity)
    .find({ where: { conversationId: conversation.id }, select: { id: true, direction: true, content: true } });
  if (!messages.every((m) => m.direction === 'inbound' && parseRowId(m.content.interactive?.id))) return;
  const now = services.now();
  await services.transaction(async (m) => {
    const patch: Partial<Conversation> = { status: 'resolved', resolvedAt: now, unreadCount: 0, updatedAt: now };
    const result = await m.getRepository(ConversationEntity).update({ id: conversation.id, status: In(['open', 'pending']) }, patch);
    if (!result.affected) return;
    const view = await conversationView(services, { ...conversation, ...patch });
    await emitEvent(
      m,
      {
        tenantId: conversation.tenantId,
        type: 'conversation.status_changed',
        payload: { conversation: view, by: null, from: conversation.status, to: 'resolved', reason: 'csat_answer' },
      },
      now,
    );
    await emitEvent(m, { tenantId: conversation.tenantId, type: 'conversation.updated', payload: { conversation: view } }, now);
  });
}
