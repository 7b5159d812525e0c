// CSAT: a survey per resolved conversation (or made by an agent), sent as a WhatsApp list with rows
// 1–5 where the channel allows, else as a link to the public rating page this server serves. The
// rating is recorded once per survey (by the list reply, the page or the API); expired surveys refuse
// it. Analytics by agent, division, channel and period.
import { visibleConversation } from '../divisions/visibility.js';
import { randomBytes } from 'node:crypto';
import { Between, In, IsNull, MoreThan, type EntityManager, type FindOptionsWhere } from 'typeorm';
import type { Services, TenantCtx } from '../../core/context.js';
import { scoped } from '../../core/tenancy.js';
import { HttpError, badRequest, conflict, notFound, unprocessable } from '../../core/http/errors.js';
import { emitEvent } from '../../core/events/outbox.js';
import { recordActivity } from '../../core/audit.js';
import { enqueueJob } from '../../core/jobs/queue.js';
import { newId } from '../../core/ids.js';
import { replyDecision } from '../../channels/policy.js';
import type { MessageContent } from '../../channels/types.js';
import { ConversationEntity, type Conversation } from '../conversations/conversation.entity.js';
import { conversationView } from '../conversations/conversation.views.js';
import { TenantEntity } from '../tenants/tenant.entity.js';
import { UserEntity } from '../agents/agent.entity.js';
import { DivisionEntity } from '../divisions/division.entity.js';
import { MessageEntity, type Message } from '../messages/message.entity.js';
import { SEND_MAX_ATTEMPTS, messageView } from '../messages/messages.service.js';
import { runtimeFor } from '../appliance/appliance.service.js';
import { localDay, localToUtc, zonedParts } from '../scheduled-messages/zoned-time.js';
import {
  CsatSettingsEntity,
  CsatSurveyEntity,
  type CsatDelivery,
  type CsatLanguage,
  type CsatSettings,
  type CsatSurvey,
} from './csat.entity.js';
import { CSAT_TEXTS } from './csat.texts.js';

export const SEND_JOB = 'csat.send';
export const RESOLVED_JOB = 'csat.resolved';
export const ANSWER_JOB = 'csat.answer';
export const DEFAULT_SETTINGS = { enabled: false, expiryHours: 72, language: 'id' as CsatLanguage, message: null as string | null };

/** List row ids of a survey: csat:<token>:<score>. */
export const rowId = (token: string, score: number) => `csat:${token}:${score}`;
const ROW_ID = /^csat:([A-Za-z0-9_-]{16,64}):([1-5])$/;
export function parseRowId(id: string | undefined): { token: string; score: number } | null {
  const m = id ? ROW_ID.exec(id) : null;
  return m ? { token: m[1], score: Number(m[2]) } : null;
}

const newToken = () => randomBytes(24).toString('base64url');

// ---- settings ----

export async function loadSettings(services: Services, tenantId: string): Promise<Omit<CsatSettings, 'id' | 'createdAt' | 'updatedAt'>> {
  const row = await services.db.getRepository(CsatSettingsEntity).findOne({ where: { tenantId } });
  return row ?? { tenantId, ...DEFAULT_SETTINGS };
}

const settingsView = (s: Omit<CsatSettings, 'id' | 'createdAt' | 'updatedAt'>) => ({
  enabled: s.enabled,
  expiryHours: s.expiryHours,
  language: s.language,
  message: s.message,
});

// ---- the public address of the rating page ----

/** Where customers reach this server: the running tunnel, else PUBLIC_URL; null when neither is set. */
export function publicBaseUrl(services: Services): string | null {
  try {
    const status = runtimeFor(services.config).supervisor.status();
    if (status.state === 'up' && status.publicUrl) return status.publicUrl.replace(/\/+$/, '');
  } catch {
    // the appliance features are not running (openapi, some tests)
  }
  return services.config.PUBLIC_URL ? services.config.PUBLIC_URL.replace(/\/+$/, '') : null;
}

export const surveyPath = (token: string) => `/csat/${token}`;
const surveyUrl = (s: CsatSurvey, services: Services) => {
  const base = s.baseUrl ?? publicBaseUrl(services);
  return base ? `${base}${surveyPath(s.token)}` : null;
};

// ---- views ----

export const isExpired = (s: CsatSurvey, now: Date) => s.status === 'pending' && s.expiresAt.getTime() <= now.getTime();
export const effectiveStatus = (s: CsatSurvey, now: Date) => (isExpired(s, now) ? 'expired' : s.status);

export function surveyView(s: CsatSurvey, services: Services) {
  return {
    id: s.id,
    conversationId: s.conversationId,
    status: effectiveStatus(s, services.now()),
    score: s.score,
    comment: s.comment,
    channel: s.channel,
    agentId: s.agentId,
    divisionId: s.divisionId,
    delivery: s.delivery,
    trigger: s.trigger,
    language: s.language,
    url: surveyUrl(s, services),
    path: surveyPath(s.token),
    messageId: s.messageId,
    answeredVia: s.answeredVia,
    failureReason: s.failureReason,
    expiresAt: s.expiresAt,
    sentAt: s.sentAt,
    answeredAt: s.answeredAt,
    createdById: s.createdById,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

// ---- creating and sending ----

/** Whether the channel takes a message from the business now, without a human-agent tag. */
function sendableNow(conversation: Conversation, type: 'interactive' | 'text', now: Date): { ok: true } | { ok: false; reason: string } {
  const decision = replyDecision(conversation.channel, type, conversation.lastInboundAt, now);
  if (!decision.allowed) return { ok: false, reason: decision.reason };
  if (decision.messagingTag)
    return { ok: false, reason: 'The customer last wrote more than 24 hours ago: an automatic survey may not be sent now.' };
  return { ok: true };
}

const chooseDelivery = (conversation: Conversation, requested: CsatDelivery | 'auto'): CsatDelivery =>
  requested === 'auto' ? (conversation.channel === 'whatsapp' ? 'interactive' : 'link') : requested;

async function insertSurvey(
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
  if (survey.delivery === 'link' && !url)
    return fail('No public address: set up the tunnel (or PUBLIC_URL) so customers can open the rating page.');
  const settings = await loadSettings(services, survey.tenantId);
  const tenant = await services.db.getRepository(TenantEntity).findOneByOrFail({ id: survey.tenantId });
  const draft = surveyMessage(survey, settings, tenant.name, url);
  const allowed = sendableNow(conversation, draft.type, now);
  if (!allowed.ok) return fail(allowed.reason);
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

// ---- the API ----

export interface AnalyticsQuery {
  from?: string;
  to?: string;
  groupBy?: 'agent' | 'division' | 'channel' | 'day' | 'week' | 'month';
  agentId?: string;
  divisionId?: string;
  channel?: string;
}

type Bucket = { sent: number; answered: number; sum: number; distribution: Record<'1' | '2' | '3' | '4' | '5', number> };
const emptyBucket = (): Bucket => ({ sent: 0, answered: 0, sum: 0, distribution: { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 } });
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
const bucketView = (b: Bucket) => ({
  sent: b.sent,
  answered: b.answered,
  responseRate: b.sent ? round(b.answered / b.sent, 4) : null,
  average: b.answered ? round(b.sum / b.answered) : null,
  /** Share of answers that are 4 or 5, in percent. */
  csat: b.answered ? round(((b.distribution[4] + b.distribution[5]) / b.answered) * 100, 1) : null,
  distribution: b.distribution,
});

/** Start of the period `date` falls in, on the tenant's calendar: YYYY-MM-DD (day, week from Monday) or YYYY-MM. */
function periodKey(date: Date, timezone: string, groupBy: 'day' | 'week' | 'month'): string {
  if (groupBy === 'month') return localDay(date, timezone).slice(0, 7);
  const day = localDay(date, timezone);
  if (groupBy === 'day') return day;
  const p = zonedParts(date, timezone);
  const weekday = (new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay() + 6) % 7; // Monday = 0
  return new Date(Date.UTC(p.year, p.month - 1, p.day - weekday)).toISOString().slice(0, 10);
}

/** A bound of the range: an instant, or a day (its start on the tenant's calendar). */
function parseBound(value: string | undefined, timezone: string, field: 'from' | 'to'): Date | undefined {
  if (value === undefined) return undefined;
  const at = /^\d{4}-\d{2}-\d{2}$/.test(value) ? localToUtc(`${value}T00:00`, timezone) : new Date(value);
  if (!at || Number.isNaN(at.getTime()))
    throw badRequest(`${field} is not a valid date`, [{ path: `query.${field}`, message: 'Use YYYY-MM-DD or an ISO 8601 time' }]);
  return at;
}

export const csatService = {
  async settings(ctx: TenantCtx) {
    return settingsView(await loadSettings(ctx, ctx.tenantId));
  },

  async updateSettings(ctx: TenantCtx, body: Partial<typeof DEFAULT_SETTINGS>) {
    const repo = ctx.db.getRepository(CsatSettingsEntity);
    const now = ctx.now();
    const current = await repo.findOne({ where: { tenantId: ctx.tenantId } });
    const next = { ...(current ?? { tenantId: ctx.tenantId, ...DEFAULT_SETTINGS }), ...body };
    await ctx.transaction(async (m) => {
      const settings = m.getRepository(CsatSettingsEntity);
      if (current)
        await settings.update({ id: current.id }, {
          enabled: next.enabled,
          expiryHours: next.expiryHours,
          language: next.language,
          message: next.message,
          updatedAt: now,
        } as never);
      else await settings.insert({ id: newId(), ...next, createdAt: now, updatedAt: now } as never);
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'csat.settings_updated',
        targetType: 'csat_settings',
        details: settingsView(next),
      });
    });
    return settingsView(next);
  },

  async get(ctx: TenantCtx, conversationId: string) {
    await visibleConversation(ctx, conversationId);
    const [latest] = await scoped(ctx, CsatSurveyEntity).repo.find({
      where: { tenantId: ctx.tenantId, conversationId },
      order: { id: 'DESC' },
      take: 1,
    });
    if (!latest) throw notFound('CSAT survey for this conversation');
    return surveyView(latest, ctx);
  },

  async create(
    ctx: TenantCtx,
    conversationId: string,
    body: { delivery: CsatDelivery | 'auto'; expiresInHours?: number; language?: CsatLanguage },
    origin: string | null,
  ) {
    const conversation = await visibleConversation(ctx, conversationId);
    const now = ctx.now();
    const waiting = await scoped(ctx, CsatSurveyEntity).findOne({ conversationId, status: 'pending', expiresAt: MoreThan(now) });
    if (waiting)
      throw conflict('A survey for this conversation is still waiting for an answer', [
        { path: 'conversationId', message: 'Survey pending' },
      ]);
    const delivery = chooseDelivery(conversation, body.delivery);
    if (delivery === 'interactive' && conversation.channel !== 'whatsapp') {
      throw unprocessable('Interactive surveys are sent on WhatsApp only; use "link"', [
        { path: 'delivery', message: 'Not available on this channel' },
      ]);
    }
    if (delivery !== 'none') {
      const allowed = sendableNow(conversation, delivery === 'interactive' ? 'interactive' : 'text', now);
      if (!allowed.ok)
        throw unprocessable(`${allowed.reason} Use delivery "none" to get a link to share another way.`, [
          { path: 'delivery', message: 'Cannot be sent now' },
        ]);
    }
    const settings = await loadSettings(ctx, ctx.tenantId);
    const survey = await ctx.transaction((m) =>
      insertSurvey(ctx, m, conversation, {
        delivery,
        trigger: 'manual',
        expiryHours: body.expiresInHours ?? settings.expiryHours,
        language: body.language ?? settings.language,
        baseUrl: publicBaseUrl(ctx) ?? origin,
        createdById: ctx.principal.userId,
      }),
    );
    return surveyView(survey, ctx);
  },

  async analytics(ctx: TenantCtx, q: AnalyticsQuery) {
    const tenant = await ctx.db.getRepository(TenantEntity).findOneByOrFail({ id: ctx.tenantId });
    const timezone = tenant.timezone;
    const now = ctx.now();
    const to = parseBound(q.to, timezone, 'to') ?? now;
    const from = parseBound(q.from, timezone, 'from') ?? new Date(to.getTime() - 30 * 24 * 3600_000);
    if (from.getTime() >= to.getTime()) throw badRequest('from must be before to', [{ path: 'query.from', message: 'Must be before to' }]);
    const where: FindOptionsWhere<CsatSurvey> = { tenantId: ctx.tenantId, createdAt: Between(from, new Date(to.getTime() - 1)) };
    if (q.agentId) where.agentId = q.agentId;
    if (q.divisionId) where.divisionId = q.divisionId;
    if (q.channel) where.channel = q.channel;
    const surveys = await ctx.db.getRepository(CsatSurveyEntity).find({
      where,
      select: { id: true, status: true, score: true, agentId: true, divisionId: true, channel: true, createdAt: true },
    });
    const summary = emptyBucket();
    const groups = new Map<string, Bucket>();
    const keyOf = (s: CsatSurvey): string | null => {
      switch (q.groupBy) {
        case 'agent':
          return s.agentId;
        case 'division':
          return s.divisionId;
        case 'channel':
          return s.channel;
        case 'day':
        case 'week':
        case 'month':
          return periodKey(s.createdAt, timezone, q.groupBy);
        default:
          return null;
      }
    };
    for (const s of surveys) {
      if (s.status === 'failed') continue;
      const targets = [summary];
      if (q.groupBy) {
        const key = keyOf(s) ?? 'none';
        if (!groups.has(key)) groups.set(key, emptyBucket());
        targets.push(groups.get(key)!);
      }
      for (const b of targets) {
        b.sent++;
        if (s.status === 'answered' && s.score) {
          b.answered++;
          b.sum += s.score;
          b.distribution[String(s.score) as '1']++;
        }
      }
    }
    const labels = new Map<string, string>();
    const keys = [...groups.keys()].filter((k) => k !== 'none');
    if (q.groupBy === 'agent' && keys.length) {
      for (const u of await ctx.db
        .getRepository(UserEntity)
        .find({ where: { tenantId: ctx.tenantId, id: In(keys) }, select: { id: true, name: true } }))
        labels.set(u.id, u.name);
    } else if (q.groupBy === 'division' && keys.length) {
      for (const d of await ctx.db
        .getRepository(DivisionEntity)
        .find({ where: { tenantId: ctx.tenantId, id: In(keys) }, select: { id: true, name: true } }))
        labels.set(d.id, d.name);
    }
    const period = q.groupBy === 'day' || q.groupBy === 'week' || q.groupBy === 'month';
    const rows = [...groups.entries()].map(([key, b]) => ({
      key: key === 'none' ? null : key,
      label: key === 'none' ? null : (labels.get(key) ?? key),
      ...bucketView(b),
    }));
    rows.sort((a, b) =>
      period ? String(a.key).localeCompare(String(b.key)) : b.answered - a.answered || String(a.label).localeCompare(String(b.label)),
    );
    return { from, to, timezone, groupBy: q.groupBy ?? null, summary: bucketView(summary), groups: q.groupBy ? rows : [] };
  },
};
