// CSAT: a survey per resolved conversation (or made by an agent), sent as a WhatsApp list with rows
// 1–5 where the channel allows, else as a link to the public rating page this server serves. The
// rating is recorded once per survey (by the list reply, the page or the API); expired surveys refuse
// it. Its analytics are the analytics module's (GET /api/v1/analytics/csat).
import { visibleConversation } from '../divisions/visibility.service.js';
import { MoreThan, type EntityManager } from 'typeorm';
import type { Services, TenantCtx } from '../../core/context.js';
import { enqueueJob } from '../../core/jobs/queue.js';
import { scoped } from '../../core/tenancy.js';
import { conflict, notFound, unprocessable } from '../../core/http/errors.js';
import { recordActivity } from '../../core/audit.js';
import { newId } from '../../core/ids.js';
import { CsatSettingsEntity, CsatSurveyEntity, type CsatDelivery, type CsatLanguage } from './csat.entity.js';

import { DEFAULT_SETTINGS, RESOLVED_JOB, loadSettings, publicBaseUrl, settingsView, surveyView } from './survey-views.js';
import { chooseDelivery, insertSurvey, sendableNow } from './survey-delivery.js';

export { ANSWER_JOB, RESOLVED_JOB, SEND_JOB, effectiveStatus, loadSettings, parseRowId, publicBaseUrl } from './survey-views.js';
export { deliverSurvey, surveyOnResolve } from './survey-delivery.js';
export { answerFromMessage, submitRating } from './survey-answers.js';

/**
 * A resolved conversation gets a survey (a durable job), asked for by the automation engine's built-in
 * "CSAT on resolve" rule. False (nothing queued) when surveys are off, or when the conversation was
 * closed because it only held a survey answer.
 */
export async function requestSurveyOnResolve(
  services: Services,
  m: EntityManager,
  input: { tenantId: string; conversationId: string; eventId: string; reason?: unknown },
): Promise<boolean> {
  if (input.reason === 'csat_answer') return false;
  const settings = await m.getRepository(CsatSettingsEntity).findOne({ where: { tenantId: input.tenantId } });
  if (!(settings ?? DEFAULT_SETTINGS).enabled) return false;
  await enqueueJob(m, RESOLVED_JOB, { conversationId: input.conversationId, eventId: input.eventId }, services.now(), {
    tenantId: input.tenantId,
    maxAttempts: 10,
  });
  return true;
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
};
