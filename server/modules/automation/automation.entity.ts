import { EntitySchema } from 'typeorm';
import { col } from '../../db/columns.js';
import type { ActionDef, ConditionGroup } from './automation.schemas.js';

/** A rule: trigger event types, a tree of conditions, ordered actions; built-in rules carry their key. */
export interface AutomationRule {
  id: string;
  tenantId: string;
  name: string;
  description: string | null;
  /** The built-in behaviour this rule carries ('division-routing', …); null for the organization's own rules. */
  builtIn: string | null;
  enabled: boolean;
  /** Evaluation order among the organization's rules (lower first). */
  position: number;
  triggers: string[];
  conditions: ConditionGroup;
  actions: ActionDef[];
  /** Cron expression for `schedule.tick` (5 or 6 fields), in `timezone` (null: the organization's). */
  scheduleCron: string | null;
  scheduleTimezone: string | null;
  nextRunAt: Date | null;
  rolloutPercent: number;
  alertsEnabled: boolean;
  alertMaxRunsPerHour: number | null;
  alertMaxFailuresPerHour: number | null;
  snoozedUntil: Date | null;
  snoozeReason: string | null;
  version: number;
  lastRunAt: Date | null;
  createdById: string | null;
  updatedById: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const AutomationRuleEntity = new EntitySchema<AutomationRule>({
  name: 'AutomationRule',
  tableName: 'automation_rules',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    name: col.string(200),
    description: col.text(true),
    builtIn: col.string(50, true),
    enabled: col.bool(true),
    position: col.int(0),
    triggers: col.json(),
    conditions: col.json(),
    actions: col.json(),
    scheduleCron: col.string(120, true),
    scheduleTimezone: col.string(64, true),
    nextRunAt: col.time(true),
    rolloutPercent: col.int(100),
    alertsEnabled: col.bool(false),
    alertMaxRunsPerHour: { type: 'integer', nullable: true },
    alertMaxFailuresPerHour: { type: 'integer', nullable: true },
    snoozedUntil: col.time(true),
    snoozeReason: col.string(500, true),
    version: col.int(1),
    lastRunAt: col.time(true),
    createdById: col.ref(true),
    updatedById: col.ref(true),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});

/** Every saved version of a rule's definition, so a run can be explained and replayed against the rule it ran. */
export interface AutomationRuleVersion {
  id: string;
  tenantId: string;
  ruleId: string;
  version: number;
  definition: { name: string; triggers: string[]; conditions: ConditionGroup; actions: ActionDef[] };
  createdAt: Date;
}

export const AutomationRuleVersionEntity = new EntitySchema<AutomationRuleVersion>({
  name: 'AutomationRuleVersion',
  tableName: 'automation_rule_versions',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    ruleId: col.ref(),
    version: col.int(1),
    definition: col.json(),
    createdAt: col.time(),
  },
});

export type AutomationEventStatus = 'pending' | 'processed' | 'failed' | 'duplicate' | 'ignored';

/** The automation event log: written in the transaction of the change it describes. */
export interface AutomationEvent {
  id: string;
  tenantId: string;
  type: string;
  /** The outbox event it was written with (null for ticks and transitions the engine's clock writes). */
  domainEventId: string | null;
  conversationId: string | null;
  contactId: string | null;
  messageId: string | null;
  /** schedule.tick: the rule whose schedule ticked. */
  ruleId: string | null;
  payload: Record<string, unknown>;
  /** sha256 of the type and payload (hex, 32 characters): equal payloads are processed once. */
  fingerprint: string;
  status: AutomationEventStatus;
  /** Incremented by "reprocess": runs are per (event, rule, attempt). */
  attempt: number;
  /** How many automation actions led to this event (0: a person, a customer or the clock). */
  depth: number;
  causeRuleId: string | null;
  causeRunId: string | null;
  lastError: string | null;
  /**
   * Per attempt ("1", "2", …), the values the rules' conditions read (field → value; an absent field
   * is left out). Runs whose conditions did not hold are stored without their condition tree, which
   * is rebuilt from these values (explanations.ts). Null: nothing recorded (every run keeps its tree).
   */
  fields: Record<string, Record<string, unknown>> | null;
  /** Per attempt, the rules whose conditions did not hold: their runs are kept here, not as rows (unmatched.ts). */
  unmatched: UnmatchedLog | null;
  occurredAt: Date;
  processedAt: Date | null;
  createdAt: Date;
}

/** Per attempt ("1", "2", …): when it was evaluated and the (rule id, rule version) that did not match (unmatched.ts). */
export type UnmatchedLog = Record<string, { at: string; rules: [string, number][] }>;

export const AutomationEventEntity = new EntitySchema<AutomationEvent>({
  name: 'AutomationEvent',
  tableName: 'automation_events',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    type: col.string(60),
    domainEventId: col.ref(true),
    conversationId: col.ref(true),
    contactId: col.ref(true),
    messageId: col.ref(true),
    ruleId: col.ref(true),
    payload: col.json(),
    fingerprint: col.string(64),
    status: col.string(20),
    attempt: col.int(1),
    depth: col.int(0),
    causeRuleId: col.ref(true),
    causeRunId: col.ref(true),
    lastError: col.text(true),
    fields: col.json(true),
    unmatched: col.json(true),
    occurredAt: col.time(),
    processedAt: col.time(true),
    createdAt: col.time(),
  },
});

export type RunStatus = 'not_matched' | 'skipped' | 'running' | 'waiting' | 'succeeded' | 'failed';

export interface ConditionOutcome {
  path: string;
  kind: 'group' | 'condition';
  match?: 'all' | 'any';
  field?: string;
  operator?: string;
  expected?: unknown;
  actual?: unknown;
  result: boolean;
  /** Why, in words ("conversation.channel was \"email\", not in [whatsapp]"). */
  reason: string;
  children?: ConditionOutcome[];
}

export interface ActionOutcome {
  index: number;
  type: string;
  status: 'succeeded' | 'failed' | 'skipped' | 'waiting';
  detail: string;
  at: string;
}

/** One rule evaluated on one event: each condition's outcome and each action's result. */
export interface AutomationRun {
  id: string;
  tenantId: string;
  eventId: string;
  ruleId: string;
  ruleVersion: number;
  attempt: number;
  conversationId: string | null;
  eventType: string;
  status: RunStatus;
  skipReason: string | null;
  conditions: ConditionOutcome | null;
  actions: ActionOutcome[];
  /** The next action to run (resuming after a wait, a crash or a retry). */
  nextAction: number;
  error: string | null;
  startedAt: Date;
  finishedAt: Date | null;
  createdAt: Date;
}

/** A run that matched (it acts or acted), as literal SQL: the partial rate-limit index is on these. */
export const MATCHED_RUN_SQL = `"status" IN ('running', 'waiting', 'succeeded', 'failed')`;

export const AutomationRunEntity = new EntitySchema<AutomationRun>({
  name: 'AutomationRun',
  tableName: 'automation_runs',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    eventId: col.ref(),
    ruleId: col.ref(),
    ruleVersion: col.int(1),
    attempt: col.int(1),
    conversationId: col.ref(true),
    eventType: col.string(60),
    status: col.string(20),
    skipReason: col.string(200, true),
    conditions: col.json(true),
    actions: col.json(),
    nextAction: col.int(0),
    error: col.text(true),
    startedAt: col.time(),
    finishedAt: col.time(true),
    createdAt: col.time(),
  },
});

/** The organization's automation switch and loop limits. */
export interface AutomationControl {
  id: string;
  tenantId: string;
  /** The kill switch: false stops every rule of the organization's own (built-in rules keep their own switch). */
  enabled: boolean;
  reason: string | null;
  /** An event caused by this many chained automation actions runs no rule (loop protection). */
  maxDepth: number;
  /** A rule runs at most this often per conversation per minute. */
  maxRunsPerConversationPerMinute: number;
  /** Last seen state of the organization's working hours (for working_hours.opened/closed). */
  workingHoursOpen: boolean | null;
  updatedById: string | null;
  updatedAt: Date;
}

export const AutomationControlEntity = new EntitySchema<AutomationControl>({
  name: 'AutomationControl',
  tableName: 'automation_control',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    enabled: col.bool(true),
    reason: col.string(500, true),
    maxDepth: col.int(3),
    maxRunsPerConversationPerMinute: col.int(10),
    workingHoursOpen: { type: 'boolean', nullable: true },
    updatedById: col.ref(true),
    updatedAt: col.time(),
  },
});

export type AlertKind = 'runs' | 'failures' | 'loop';

export interface AutomationAlert {
  id: string;
  tenantId: string;
  ruleId: string;
  kind: AlertKind;
  /** Start of the hour (UTC) the alert is about: one alert per rule, kind and hour. */
  windowStart: Date;
  count: number;
  threshold: number;
  message: string;
  createdAt: Date;
}

export const AutomationAlertEntity = new EntitySchema<AutomationAlert>({
  name: 'AutomationAlert',
  tableName: 'automation_alerts',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    ruleId: col.ref(),
    kind: col.string(20),
    windowStart: col.time(),
    count: col.int(0),
    threshold: col.int(0),
    message: col.string(500),
    createdAt: col.time(),
  },
});
