// The engine's in-memory state per database: the rules each organization listens with (a short-lived
// cache, dropped when a rule changes), the cause of the transaction an action runs in (so the events
// it emits carry their depth: loop protection), and the worker's counters.
import type { DataSource, EntityManager } from 'typeorm';
import { newId } from '../../core/ids.js';
import {
  AutomationControlEntity,
  AutomationRuleEntity,
  AutomationRuleVersionEntity,
  type AutomationControl,
  type AutomationRule,
} from './automation.entity.js';
import { BUILT_IN_RULES } from './builtins.js';

export interface Cause {
  ruleId: string;
  runId: string;
  depth: number;
}

const CACHE_MS = 5_000;

export const DEFAULT_CONTROL = { enabled: true, reason: null, maxDepth: 3, maxRunsPerConversationPerMinute: 10 };
type ControlSettings = Omit<AutomationControl, 'id' | 'updatedAt'>;

/** The organization's automation control as stored (defaults until it is first changed). */
export async function controlFor(m: EntityManager, tenantId: string): Promise<ControlSettings> {
  const row = await m.getRepository(AutomationControlEntity).findOne({ where: { tenantId } });
  return row ?? { tenantId, ...DEFAULT_CONTROL, workingHoursOpen: null, updatedById: null };
}

export class EngineState {
  private readonly rules = new Map<string, { at: number; rules: AutomationRule[] }>();
  private readonly controls = new Map<string, { at: number; control: ControlSettings }>();
  private readonly causes = new WeakMap<EntityManager, Cause>();
  /** Conversations (queue keys) whose event is being processed in this process, and when it is done. */
  readonly busy = new Map<string, Promise<void>>();
  /** When each rule's lastRunAt was last written by this process (see touchRule). */
  private readonly touched = new Map<string, number>();
  readonly metrics = {
    logged: 0,
    processed: 0,
    failed: 0,
    actions: 0,
    /** Event written → processing finished, in ms (the last 2,000). */
    latencies: [] as number[],
    startedAt: Date.now(),
  };

  constructor(private readonly db: DataSource) {}

  setCause(m: EntityManager, cause: Cause): void {
    this.causes.set(m, cause);
  }

  causeOf(m: EntityManager): Cause | undefined {
    return this.causes.get(m);
  }

  invalidate(tenantId: string): void {
    this.rules.delete(tenantId);
    this.controls.delete(tenantId);
  }

  /**
   * Records that a rule ran (its lastRunAt), at most once a second per rule: a rule that matches
   * every message wrote its row for each of them, one UPDATE per run (about 5 per message in the
   * automation benchmark). lastRunAt is then at most a second behind the latest run.
   */
  async touchRule(m: EntityManager, ruleId: string, now: Date): Promise<void> {
    const last = this.touched.get(ruleId);
    if (last !== undefined && now.getTime() - last < 1000 && now.getTime() >= last) return;
    this.touched.set(ruleId, now.getTime());
    await m.getRepository(AutomationRuleEntity).update({ id: ruleId }, { lastRunAt: now });
  }

  recordLatency(ms: number): void {
    this.metrics.latencies.push(ms);
    if (this.metrics.latencies.length > 2000) this.metrics.latencies.splice(0, 500);
  }

  /** The organization's rules in evaluation order, creating the built-in ones the first time. */
  async rulesFor(m: EntityManager, tenantId: string, now = new Date()): Promise<AutomationRule[]> {
    const hit = this.rules.get(tenantId);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.rules;
    const repo = m.getRepository(AutomationRuleEntity);
    let rules = await repo.find({ where: { tenantId }, order: { position: 'ASC', createdAt: 'ASC', id: 'ASC' } });
    const missing = BUILT_IN_RULES.filter((b) => !rules.some((r) => r.builtIn === b.key));
    if (missing.length) {
      await ensureBuiltIns(m, tenantId, missing, now);
      rules = await repo.find({ where: { tenantId }, order: { position: 'ASC', createdAt: 'ASC', id: 'ASC' } });
    }
    this.rules.set(tenantId, { at: Date.now(), rules });
    return rules;
  }

  /** The organization's switch and limits, cached as its rules are (a change drops both: invalidate). */
  async controlFor(m: EntityManager, tenantId: string): Promise<ControlSettings> {
    const hit = this.controls.get(tenantId);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.control;
    const control = await controlFor(m, tenantId);
    this.controls.set(tenantId, { at: Date.now(), control });
    return control;
  }

  /** Whether an enabled rule of the organization starts on this event type (a schedule tick: that rule). */
  async listens(m: EntityManager, tenantId: string, type: string, ruleId: string | null): Promise<boolean> {
    const rules = await this.rulesFor(m, tenantId);
    return rules.some((r) => r.enabled && r.triggers.includes(type) && (type !== 'schedule.tick' || r.id === ruleId));
  }
}

async function ensureBuiltIns(m: EntityManager, tenantId: string, missing: typeof BUILT_IN_RULES, now: Date): Promise<void> {
  for (const b of missing) {
    const rule: AutomationRule = {
      id: newId(),
      tenantId,
      name: b.name,
      description: b.description,
      builtIn: b.key,
      enabled: true,
      position: b.position,
      triggers: [...b.triggers],
      conditions: b.conditions,
      actions: b.actions,
      scheduleCron: b.scheduleCron ?? null,
      scheduleTimezone: null,
      nextRunAt: null,
      rolloutPercent: 100,
      alertsEnabled: false,
      alertMaxRunsPerHour: null,
      alertMaxFailuresPerHour: null,
      snoozedUntil: null,
      snoozeReason: null,
      version: 1,
      lastRunAt: null,
      createdById: null,
      updatedById: null,
      createdAt: now,
      updatedAt: now,
    };
    // Another writer may have created it meanwhile (the unique key (tenantId, builtIn) keeps one).
    await m
      .createQueryBuilder()
      .insert()
      .into(AutomationRuleEntity)
      .values(rule as never)
      .orIgnore()
      .execute();
    const kept = await m.getRepository(AutomationRuleEntity).findOne({ where: { tenantId, builtIn: b.key }, select: { id: true } });
    if (kept?.id !== rule.id) continue;
    await m.getRepository(AutomationRuleVersionEntity).insert({
      id: newId(),
      tenantId,
      ruleId: rule.id,
      version: 1,
      definition: { name: rule.name, triggers: rule.triggers, conditions: rule.conditions, actions: rule.actions },
      createdAt: now,
    } as never);
  }
}

const states = new WeakMap<DataSource, EngineState>();
export function engineState(db: DataSource): EngineState {
  let s = states.get(db);
  if (!s) {
    s = new EngineState(db);
    states.set(db, s);
  }
  return s;
}
