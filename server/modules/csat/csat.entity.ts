import { EntitySchema } from 'typeorm';
import { col } from '../../db/columns.js';

export type CsatLanguage = 'id' | 'en';

/** A tenant's CSAT settings; a tenant without a row has the defaults (disabled). */
export interface CsatSettings {
  id: string;
  tenantId: string;
  /** Send a survey automatically when a conversation is resolved. */
  enabled: boolean;
  /** A survey accepts a rating this many hours after it is created. */
  expiryHours: number;
  /** Language of the survey message and of the rating page's first view. */
  language: CsatLanguage;
  /** Replaces the default question; null keeps the default in `language`. */
  message: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const CsatSettingsEntity = new EntitySchema<CsatSettings>({
  name: 'CsatSettings',
  tableName: 'csat_settings',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    enabled: col.bool(false),
    expiryHours: col.int(72),
    language: col.string(5),
    message: col.text(true),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});

/** interactive: a WhatsApp list with rows 1–5; link: a text with the public rating page; none: no message (the link is shared by hand). */
export type CsatDelivery = 'interactive' | 'link' | 'none';
/** pending: waiting for a rating; answered; failed: the survey message could not be sent. Expiry is read from expiresAt. */
export type CsatStatus = 'pending' | 'answered' | 'failed';

export interface CsatSurvey {
  id: string;
  tenantId: string;
  conversationId: string;
  /** The secret in the rating link and in the list rows' ids. */
  token: string;
  channel: string;
  /** The conversation's assignee and division when the survey was made (analytics group by them). */
  agentId: string | null;
  divisionId: string | null;
  delivery: CsatDelivery;
  trigger: 'resolved' | 'manual';
  status: CsatStatus;
  score: number | null;
  comment: string | null;
  answeredVia: 'whatsapp' | 'web' | null;
  answerMessageId: string | null;
  /** The outbound survey message. */
  messageId: string | null;
  /** Base URL of the rating link (public URL, or the origin of the request that made the survey). */
  baseUrl: string | null;
  language: CsatLanguage;
  failureReason: string | null;
  expiresAt: Date;
  sentAt: Date | null;
  answeredAt: Date | null;
  createdById: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const CsatSurveyEntity = new EntitySchema<CsatSurvey>({
  name: 'CsatSurvey',
  tableName: 'csat_surveys',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    conversationId: col.ref(),
    token: col.string(64),
    channel: col.string(20),
    agentId: col.ref(true),
    divisionId: col.ref(true),
    delivery: col.string(20),
    trigger: col.string(20),
    status: col.string(20),
    score: { type: 'integer', nullable: true },
    comment: col.text(true),
    answeredVia: col.string(20, true),
    answerMessageId: col.ref(true),
    messageId: col.ref(true),
    baseUrl: col.string(500, true),
    language: col.string(5),
    failureReason: col.string(500, true),
    expiresAt: col.time(),
    sentAt: col.time(true),
    answeredAt: col.time(true),
    createdById: col.ref(true),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});
