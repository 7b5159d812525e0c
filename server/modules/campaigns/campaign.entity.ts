import { EntitySchema } from 'typeorm';
import { col } from '../../db/columns.js';

import type { CampaignStatus, RecipientStatus } from './campaigns.schemas.js';

export type { CampaignStatus, RecipientStatus } from './campaigns.schemas.js';

/** A broadcast of one approved WhatsApp template to many recipients. */
export interface Campaign {
  id: string;
  tenantId: string;
  name: string;
  /** The WhatsApp number it is sent from. */
  accountId: string | null;
  templateId: string | null;
  /** Template placeholder → value, which may use recipient fields: `{{name}}`, `{{city | Jakarta}}`. */
  variables: Record<string, string>;
  status: CampaignStatus;
  /** Messages per second from this number (Meta's throughput tier). */
  ratePerSecond: number;
  /** Region for numbers written without a country code (ISO 3166 alpha-2). */
  defaultCountry: string;
  scheduledAt: Date | null;
  /** The wall-clock time it was scheduled for, in `timezone` (the organization's). */
  scheduledLocal: string | null;
  timezone: string | null;
  skippedDuplicates: number;
  skippedOptedOut: number;
  skippedInvalid: number;
  failureReason: string | null;
  startedAt: Date | null;
  completedAt: Date | null;
  cancelledAt: Date | null;
  createdById: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const CampaignEntity = new EntitySchema<Campaign>({
  name: 'Campaign',
  tableName: 'campaigns',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    name: col.string(200),
    accountId: col.ref(true),
    templateId: col.ref(true),
    variables: col.json(),
    status: col.string(20),
    ratePerSecond: col.int(20),
    defaultCountry: col.string(2),
    scheduledAt: col.time(true),
    scheduledLocal: col.string(30, true),
    timezone: col.string(64, true),
    skippedDuplicates: col.int(0),
    skippedOptedOut: col.int(0),
    skippedInvalid: col.int(0),
    failureReason: col.string(500, true),
    startedAt: col.time(true),
    completedAt: col.time(true),
    cancelledAt: col.time(true),
    createdById: col.ref(true),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});

/**
 * One person a campaign goes to, with the state of their message. The state is written before the
 * Graph call (`sending`) and after it (`sent` with Meta's message id), so a restart never sends twice.
 */
export interface CampaignRecipient {
  id: string;
  tenantId: string;
  campaignId: string;
  contactId: string | null;
  /** E.164, e.g. +6281234567890. */
  phone: string;
  /** The WhatsApp id: the number's digits. */
  waId: string;
  name: string | null;
  /** Values variables may use: name, phone, the contact's attributes or the CSV's columns. */
  fields: Record<string, string>;
  status: RecipientStatus;
  attempts: number;
  /** Not before (pair rate limit backoff). */
  nextAttemptAt: Date | null;
  /** When the last Graph call began. */
  sendingAt: Date | null;
  /** Meta's message id (wamid). */
  externalId: string | null;
  errorCode: number | null;
  errorReason: string | null;
  sentAt: Date | null;
  deliveredAt: Date | null;
  readAt: Date | null;
  repliedAt: Date | null;
  /** When Meta's first status webhook for the message arrived. */
  confirmedAt: Date | null;
  /** The conversation their reply opened. */
  conversationId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const CampaignRecipientEntity = new EntitySchema<CampaignRecipient>({
  name: 'CampaignRecipient',
  tableName: 'campaign_recipients',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    campaignId: col.ref(),
    contactId: col.ref(true),
    phone: col.string(20),
    waId: col.string(20),
    name: col.string(200, true),
    fields: col.json(),
    status: col.string(20),
    attempts: col.int(0),
    nextAttemptAt: col.time(true),
    sendingAt: col.time(true),
    externalId: col.string(200, true),
    errorCode: { type: 'integer', nullable: true },
    errorReason: col.string(500, true),
    sentAt: col.time(true),
    deliveredAt: col.time(true),
    readAt: col.time(true),
    repliedAt: col.time(true),
    confirmedAt: col.time(true),
    conversationId: col.ref(true),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});
