// CSAT basics shared by the rest of the module: job names, the list-row ids of a WhatsApp survey,
// the organization's survey settings, where the public rating page is, and a survey as the API shows it.
import { randomBytes } from 'node:crypto';
import type { Services } from '../../core/context.js';
import { CsatSettingsEntity, type CsatLanguage, type CsatSettings, type CsatSurvey } from './csat.entity.js';

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

export const newToken = () => randomBytes(24).toString('base64url');

// ---- settings ----

export async function loadSettings(services: Services, tenantId: string): Promise<Omit<CsatSettings, 'id' | 'createdAt' | 'updatedAt'>> {
  const row = await services.db.getRepository(CsatSettingsEntity).findOne({ where: { tenantId } });
  return row ?? { tenantId, ...DEFAULT_SETTINGS };
}

export const settingsView = (s: Omit<CsatSettings, 'id' | 'createdAt' | 'updatedAt'>) => ({
  enabled: s.enabled,
  expiryHours: s.expiryHours,
  language: s.language,
  message: s.message,
});

// ---- the public address of the rating page ----

/** Where customers reach this server: the running tunnel, else PUBLIC_URL; null when neither is set. */
export function publicBaseUrl(services: Services): string | null {
  return services.host.publicUrl();
}

export const surveyPath = (token: string) => `/csat/${token}`;
export const surveyUrl = (s: CsatSurvey, services: Services) => {
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
