import { EntitySchema } from 'typeorm';
import { col } from '../../db/columns.js';
import type { Channel } from '../../channels/types.js';
import type { Priority } from '../conversations/conversation.entity.js';
import type { SlaMetric, SlaStatus } from './sla.compute.js';

/** Targets for conversations matching its conditions (null condition = any); the most specific policy applies. */
export interface SlaPolicy {
  id: string;
  tenantId: string;
  name: string;
  description: string | null;
  enabled: boolean;
  priority: Priority | null;
  channel: Channel | null;
  divisionId: string | null;
  firstResponseMinutes: number | null;
  resolutionMinutes: number | null;
  atRiskPercent: number;
  /** Count only working hours (the division's override or the tenant's); false counts around the clock. */
  workingHoursOnly: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** The last evaluated SLA state of a conversation (what the inbox shows). */
export interface ConversationSla {
  id: string;
  tenantId: string;
  conversationId: string;
  policyId: string | null;
  status: SlaStatus;
  firstResponseDueAt: Date | null;
  firstRespondedAt: Date | null;
  resolutionDueAt: Date | null;
  nextDueAt: Date | null;
  /** Both clocks stopped: the cron no longer looks at it. */
  final: boolean;
  evaluatedAt: Date;
}

export interface SlaBreach {
  id: string;
  tenantId: string;
  policyId: string;
  conversationId: string;
  metric: SlaMetric;
  targetMinutes: number;
  dueAt: Date;
  /** When the evaluator noticed (the scheduled job runs every minute). */
  breachedAt: Date;
}

export const SlaPolicyEntity = new EntitySchema<SlaPolicy>({
  name: 'SlaPolicy',
  tableName: 'sla_policies',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    name: col.string(200),
    description: col.text(true),
    enabled: col.bool(true),
    priority: col.string(10, true),
    channel: col.string(20, true),
    divisionId: col.ref(true),
    firstResponseMinutes: { type: 'integer', nullable: true },
    resolutionMinutes: { type: 'integer', nullable: true },
    atRiskPercent: col.int(80),
    workingHoursOnly: col.bool(true),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});

export const ConversationSlaEntity = new EntitySchema<ConversationSla>({
  name: 'ConversationSla',
  tableName: 'conversation_sla',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    conversationId: col.ref(),
    policyId: col.ref(true),
    status: col.string(20),
    firstResponseDueAt: col.time(true),
    firstRespondedAt: col.time(true),
    resolutionDueAt: col.time(true),
    nextDueAt: col.time(true),
    final: col.bool(false),
    evaluatedAt: col.time(),
  },
});

export const SlaBreachEntity = new EntitySchema<SlaBreach>({
  name: 'SlaBreach',
  tableName: 'sla_breaches',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    policyId: col.ref(),
    conversationId: col.ref(),
    metric: col.string(20),
    targetMinutes: col.int(0),
    dueAt: col.time(),
    breachedAt: col.time(),
  },
});
