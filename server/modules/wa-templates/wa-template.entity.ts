import { EntitySchema } from 'typeorm';
import { col } from '../../db/columns.js';

/** One of Meta's template components, as Meta shapes it (HEADER, BODY, FOOTER, BUTTONS). */
export interface TemplateComponent {
  type: string;
  format?: string;
  text?: string;
  example?: Record<string, unknown>;
  buttons?: { type: string; text: string; url?: string; phone_number?: string; example?: string[] }[];
  [extra: string]: unknown;
}

export interface TemplateStatusChange {
  event: string;
  reason: string | null;
  at: Date;
}

/**
 * A WhatsApp message template of a WhatsApp Business Account: created here (and submitted to Meta) or
 * synced from Meta; its status, quality score and pause state follow Meta's webhooks.
 */
export interface WaTemplate {
  id: string;
  tenantId: string;
  /** The WhatsApp account whose token reaches the WABA (templates belong to the WABA, not to a number). */
  accountId: string;
  wabaId: string;
  /** Meta's template id; null until the submission has been accepted. */
  externalId: string | null;
  name: string;
  language: string;
  category: string;
  parameterFormat: 'POSITIONAL' | 'NAMED';
  components: TemplateComponent[];
  /** APPROVED, PENDING, REJECTED, PAUSED, DISABLED, IN_APPEAL… (Meta's words). */
  status: string;
  /** Why Meta rejected, paused or disabled it (Meta's reason code, e.g. INVALID_FORMAT). */
  statusReason: string | null;
  /** GREEN, YELLOW, RED or UNKNOWN. */
  qualityScore: string | null;
  /** Set while paused: Meta's pause title (FIRST_PAUSE, SECOND_PAUSE…) and description. */
  pause: { title: string; description?: string } | null;
  /** The last status changes Meta reported, newest first (at most 20). */
  statusHistory: TemplateStatusChange[];
  /** The link of the header image, video or document sent with the template. */
  headerMediaUrl: string | null;
  /** queued (waiting to reach Meta), submitted, failed (Meta refused the submission), synced (came from Meta). */
  submission: 'queued' | 'submitted' | 'failed' | 'synced';
  submissionError: string | null;
  createdById: string | null;
  lastSyncedAt: Date | null;
  statusUpdatedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const WaTemplateEntity = new EntitySchema<WaTemplate>({
  name: 'WaTemplate',
  tableName: 'wa_templates',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    accountId: col.ref(),
    wabaId: col.string(100),
    externalId: col.string(100, true),
    name: col.string(512),
    language: col.string(20),
    category: col.string(30),
    parameterFormat: col.string(20),
    components: col.json(),
    status: col.string(30),
    statusReason: col.string(500, true),
    qualityScore: col.string(20, true),
    pause: col.json(true),
    statusHistory: col.json(),
    headerMediaUrl: col.string(2000, true),
    submission: col.string(20),
    submissionError: col.string(1000, true),
    createdById: col.ref(true),
    lastSyncedAt: col.time(true),
    statusUpdatedAt: col.time(true),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});
