// A run whose conditions did not hold is stored without its condition tree (most runs: with 50 rules
// on message.received, 45-odd per message). The event keeps, once, the values the conditions read
// (AutomationEvent.fields); the tree, with each condition's outcome and reason, is rebuilt on read by
// evaluating the rule version the run used against those values. Evaluation depends only on the
// values and the conditions (regular expressions included), so the rebuilt tree is the one the
// engine saw.
import { In, type EntityManager } from 'typeorm';
import {
  AutomationEventEntity,
  AutomationRuleVersionEntity,
  type AutomationRule,
  type AutomationRun,
  type ConditionOutcome,
} from './automation.entity.js';
import type { ConditionGroup } from './automation.schemas.js';
import { evaluateGroup, type FieldReader } from './conditions.js';

/** Values that read back from JSON as they were (anything else keeps the run's tree stored). */
function plain(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  const t = typeof value;
  if (t === 'string' || t === 'boolean') return true;
  if (t === 'number') return Number.isFinite(value);
  return Array.isArray(value) && value.every((v) => v === null || ['string', 'boolean'].includes(typeof v) || Number.isFinite(v));
}

/** Wraps a reader so the values it gives are recorded; `values()` is null if one would not survive JSON. */
export function recordingReader(read: FieldReader): { read: FieldReader; values(): Record<string, unknown> | null } {
  const seen: Record<string, unknown> = {};
  let storable = true;
  return {
    read: async (field) => {
      const value = await read(field);
      if (!plain(value)) storable = false;
      else if (value !== undefined) seen[field] = value;
      return value;
    },
    values: () => (storable ? seen : null),
  };
}

/** The event's recorded values for an attempt, merged into what it holds for earlier attempts. */
export function withAttemptFields(
  fields: Record<string, Record<string, unknown>> | null,
  attempt: number,
  values: Record<string, unknown>,
): Record<string, Record<string, unknown>> {
  return { ...(fields ?? {}), [String(attempt)]: values };
}

/**
 * Fills in the condition tree of runs stored without one (see above). `rules` are the runs' rules,
 * already loaded by the caller: their current version needs no other read; older versions are read
 * for the (rule, version) pairs in use only. Runs whose rule version is gone keep null.
 */
export async function withConditions(
  m: EntityManager,
  tenantId: string,
  runs: AutomationRun[],
  rules: Pick<AutomationRule, 'id' | 'version' | 'conditions'>[],
): Promise<AutomationRun[]> {
  const bare = runs.filter((r) => r.conditions === null && r.status === 'not_matched');
  if (bare.length === 0) return runs;
  const conditionsAt = new Map<string, ConditionGroup>(rules.map((r) => [`${r.id}:${r.version}`, r.conditions]));
  const older = new Map<string, { tenantId: string; ruleId: string; version: number }>();
  for (const r of bare) {
    const key = `${r.ruleId}:${r.ruleVersion}`;
    if (!conditionsAt.has(key)) older.set(key, { tenantId, ruleId: r.ruleId, version: r.ruleVersion });
  }
  const eventIds = [...new Set(bare.map((r) => r.eventId))];
  const [events, versions] = await Promise.all([
    m.getRepository(AutomationEventEntity).find({ where: { tenantId, id: In(eventIds) }, select: { id: true, fields: true } }),
    older.size
      ? m
          .getRepository(AutomationRuleVersionEntity)
          .find({ where: [...older.values()], select: { ruleId: true, version: true, definition: true } })
      : [],
  ]);
  for (const v of versions) conditionsAt.set(`${v.ruleId}:${v.version}`, v.definition.conditions);
  const fieldsOf = new Map(events.map((e) => [e.id, e.fields]));
  const filled = new Map<AutomationRun, ConditionOutcome>();
  for (const run of bare) {
    const values = fieldsOf.get(run.eventId)?.[String(run.attempt)];
    const conditions = conditionsAt.get(`${run.ruleId}:${run.ruleVersion}`);
    if (!values || !conditions) continue;
    filled.set(run, await evaluateGroup(conditions, async (field) => values[field]));
  }
  return runs.map((r) => (filled.has(r) ? { ...r, conditions: filled.get(r)! } : r));
}
