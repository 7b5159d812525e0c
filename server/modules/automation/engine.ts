// The worker: consumes an automation event (a durable job on its conversation's queue, so a
// conversation's events run in order), evaluates the organization's rules that listen to it, and
// records a run per (event, rule, attempt) with each condition's outcome and each action's result.
// Each action runs in one transaction with the record of its result: after a crash the job runs
// again and resumes at the next action, so no action is applied twice and no event is lost.
import { createHash } from 'node:crypto';
import { MoreThan, type EntityManager, type FindOptionsWhere } from 'typeorm';
import type { Services } from '../../core/context.js';
import { emitEvent } from '../../core/events/outbox.js';
import { enqueueJob } from '../../core/jobs/queue.js';
import { newId } from '../../core/ids.js';
import { zonedParts } from '../../core/time.js';
import { ContactEntity } from '../contacts/contact.entity.js';
import { ConversationEntity } from '../conversations/conversation.entity.js';
import { calendarFor } from '../working-hours/working-hours.service.js';
import {
  AutomationAlertEntity,
  AutomationEventEntity,
  AutomationRuleVersionEntity,
  AutomationRunEntity,
  MATCHED_RUN_SQL,
  type ActionOutcome,
  type AutomationControl,
  type AutomationEvent,
  type AutomationRule,
  type AutomationRun,
} from './automation.entity.js';
import type { ActionDef } from './automation.schemas.js';
import { ActionError, executeAction } from './actions.js';
import { detectLanguage, evaluateGroup, type FieldReader } from './conditions.js';
import { RESUME_JOB, queueKeyOf } from './event-log.js';
import { engineState } from './state.js';
import { insertRows, updateRow } from '../../db/insert-row.js';
import { recordingReader, withAttemptFields } from './explanations.js';
import { MAX_UNMATCHED_RULES, compactable, unmatchedRuns, withUnmatched } from './unmatched.js';
import { tenantTimezone } from '../tenants/tenant-timezone.service.js';

/** The rollout bucket (0-99) of a subject for a rule: the same conversation always lands in the same bucket. */
export function rolloutBucket(ruleId: string, subjectId: string): number {
  return createHash('sha256').update(`${ruleId}:${subjectId}`).digest().readUInt32BE(0) % 100;
}

function getPath(obj: unknown, path: string[]): unknown {
  let cur = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Reads condition fields for an event: from its payload, loading the contact or calendar only when asked. */
export function fieldReader(services: Services, m: EntityManager, event: AutomationEvent): FieldReader {
  const payload = event.payload as { conversation?: Record<string, unknown>; message?: Record<string, unknown> };
  let conversation: Promise<Record<string, unknown> | undefined> | undefined;
  let contact: Promise<Record<string, unknown> | undefined> | undefined;
  let timezone: Promise<string> | undefined;
  const loadConversation = () =>
    (conversation ??= (async () => {
      if (payload.conversation) return payload.conversation;
      if (!event.conversationId) return undefined;
      const row = await m.getRepository(ConversationEntity).findOne({ where: { id: event.conversationId, tenantId: event.tenantId } });
      return row ? ({ ...row } as Record<string, unknown>) : undefined;
    })());
  const loadContact = () =>
    (contact ??= (async () => {
      const id = event.contactId ?? ((await loadConversation())?.contactId as string | undefined);
      if (!id) return undefined;
      const row = await m.getRepository(ContactEntity).findOne({ where: { id, tenantId: event.tenantId } });
      return row ? ({ ...row } as Record<string, unknown>) : undefined;
    })());
  const tz = () => (timezone ??= tenantTimezone(m, event.tenantId).then((t) => t ?? 'UTC'));
  return async (field) => {
    const [head, ...rest] = field.split('.');
    switch (head) {
      case 'event':
        return event.type;
      case 'conversation': {
        const c = await loadConversation();
        const key = rest[0];
        if (key === 'assigneeId' && c && !('assigneeId' in c)) return (c.assignee as { id?: string } | null)?.id ?? null;
        return c?.[key];
      }
      case 'message':
        if (rest[0] === 'language') return payload.message ? detectLanguage(payload.message.text as string | null) : undefined;
        return payload.message?.[rest[0]];
      case 'contact': {
        const c = await loadContact();
        return rest[0] === 'attributes' ? getPath(c?.attributes, rest.slice(1)) : c?.[rest[0]];
      }
      case 'time': {
        if (rest[0] === 'withinWorkingHours') {
          const c = await loadConversation();
          const { calendar } = await calendarFor(m, event.tenantId, (c?.divisionId as string | null | undefined) ?? null);
          return calendar.isOpen(event.occurredAt);
        }
        const parts = zonedParts(event.occurredAt, await tz());
        return rest[0] === 'hour' ? parts.hour : parts.weekday;
      }
      case 'payload':
        return getPath(event.payload, rest);
      default:
        return undefined;
    }
  };
}

async function definitionAt(m: EntityManager, rule: AutomationRule, version: number): Promise<{ actions: ActionDef[] }> {
  if (rule.version === version) return rule;
  const row = await m.getRepository(AutomationRuleVersionEntity).findOne({ where: { ruleId: rule.id, version } });
  return row?.definition ?? rule;
}

/** How long one job goes on processing other waiting events after its own. */
const PULL_AHEAD_MS = 250;

/** A rule's runs that matched: the status list is literal SQL, as in the partial index that answers it. */
export function matchedRuns(m: EntityManager, where: FindOptionsWhere<AutomationRun>) {
  return m.getRepository(AutomationRunEntity).createQueryBuilder('r').where(where).andWhere(`r.${MATCHED_RUN_SQL}`);
}

export class Engine {
  constructor(private readonly services: Services) {}

  private get state() {
    return engineState(this.services.db);
  }

  /**
   * Processes one event (the job handler). Safe to run again: finished runs are kept, unfinished ones
   * resume. `unwritten` (with `created`, inline.ts): the event's row is not written yet; it is
   * written here, processed, in the same transaction as its runs.
   */
  async process(eventId: string, options: { batched?: boolean; created?: AutomationEvent; unwritten?: boolean } = {}): Promise<void> {
    await this.processQueued(eventId, options.created, options.unwritten === true);
    // In a batch the runner already brings the other waiting events, in the same commit.
    if (!options.batched) await this.pullAhead();
  }

  /**
   * Processes its event once no other work on the same conversation is in flight in this process
   * (an event processed ahead by pullAhead counts), so a conversation's events stay in order.
   */
  private processQueued(eventId: string, created?: AutomationEvent, unwritten = false): Promise<void> {
    // In a transaction (a savepoint when batched): whoever holds a conversation (`busy`) is then the
    // work the transaction queue is running, never work waiting in that queue. A job holding a
    // conversation while its writes waited in the queue, behind a batch whose job waited for that
    // conversation, was a deadlock.
    return this.services.transaction(() => this.processQueuedIn(eventId, created, unwritten));
  }

  /**
   * `created`: the event as its own transaction just wrote it (the inline path, inline.ts). Nothing
   * else can have processed it or given it runs yet, so it is neither read back nor asked for runs.
   */
  private async processQueuedIn(eventId: string, created?: AutomationEvent, unwritten = false): Promise<void> {
    const repo = this.services.db.getRepository(AutomationEventEntity);
    const event = created ?? (await repo.findOne({ where: { id: eventId } }));
    if (!event || event.status !== 'pending') return;
    const key = queueKeyOf(event);
    const busy = this.state.busy;
    // Read again only if something else ran meanwhile (it may have processed this event).
    let waited = false;
    while (busy.has(key)) {
      waited = true;
      await busy.get(key);
    }
    // Read again only if something else ran meanwhile (it may have processed this event); an
    // unwritten event cannot have been: only written ones are read elsewhere.
    const reread = waited && !unwritten;
    const done = this.processOne(eventId, reread ? undefined : event, !reread && created !== undefined, unwritten).finally(() =>
      busy.delete(key),
    );
    busy.set(key, done);
    await done;
  }

  /**
   * Processes more waiting events in the same job (the oldest first, only the first of each
   * conversation, none whose conversation is being processed): one job start then covers many
   * events, which matters while the job runner holds back during a burst of webhooks. Their own jobs
   * still run later and find them processed; a crash leaves those jobs, and so the events, pending.
   */
  private async pullAhead(): Promise<void> {
    const started = performance.now();
    const repo = this.services.db.getRepository(AutomationEventEntity);
    while (performance.now() - started < PULL_AHEAD_MS) {
      const waiting = await repo.find({ where: { status: 'pending' }, order: { id: 'ASC' }, take: 50 });
      const seen = new Set<string>();
      const heads = waiting.filter((e) => {
        const key = queueKeyOf(e);
        if (seen.has(key)) return false;
        seen.add(key);
        return !this.state.busy.has(key);
      });
      if (heads.length === 0) return;
      for (const e of heads) {
        if (performance.now() - started >= PULL_AHEAD_MS) return;
        await this.processQueued(e.id);
        // better-sqlite3 is synchronous: without a turn of the event loop between events, webhooks
        // and API requests would wait for the whole pull-ahead (no transaction is open here).
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }

  private async processOne(eventId: string, loaded?: AutomationEvent, unprocessed = false, unwritten = false): Promise<void> {
    const { services } = this;
    const db = services.db.manager;
    const event = loaded ?? (await db.getRepository(AutomationEventEntity).findOne({ where: { id: eventId } }));
    if (!event || event.status !== 'pending') return;
    const now = services.now();
    const rules = (await this.state.rulesFor(db, event.tenantId, now)).filter(
      (r) => r.enabled && r.triggers.includes(event.type) && (event.type !== 'schedule.tick' || r.id === event.ruleId),
    );
    const existing = unprocessed
      ? []
      : [
          ...(await db.getRepository(AutomationRunEntity).find({ where: { eventId, attempt: event.attempt } })),
          ...unmatchedRuns(event, event.attempt),
        ];
    const byRule = new Map(existing.map((r) => [r.ruleId, r]));
    const control = await this.state.controlFor(db, event.tenantId);
    const recorder = recordingReader(fieldReader(services, db, event));
    const read = recorder.read;
    const fresh: AutomationRun[] = [];
    const alerts: { rule: AutomationRule; count: number; threshold: number; message: string }[] = [];
    for (const rule of rules) {
      if (byRule.has(rule.id)) continue;
      const run: AutomationRun = {
        id: newId(),
        tenantId: event.tenantId,
        eventId,
        ruleId: rule.id,
        ruleVersion: rule.version,
        attempt: event.attempt,
        conversationId: event.conversationId,
        eventType: event.type,
        status: 'skipped',
        skipReason: null,
        conditions: null,
        actions: [],
        nextAction: 0,
        error: null,
        startedAt: now,
        finishedAt: now,
        createdAt: now,
      };
      const gate = await this.gate(db, rule, event, control, now);
      if (gate) {
        run.skipReason = gate.reason;
        if (gate.alert) alerts.push({ rule, ...gate.alert });
      } else {
        run.conditions = await evaluateGroup(rule.conditions, read);
        if (!run.conditions.result) run.status = 'not_matched';
        else {
          const limited = await this.rateLimited(db, rule, event, control, now);
          if (limited) {
            run.skipReason = limited.reason;
            alerts.push({ rule, ...limited.alert });
          } else {
            run.status = 'running';
            run.finishedAt = null;
          }
        }
      }
      fresh.push(run);
      byRule.set(rule.id, run);
    }
    // The values the conditions read are kept once, on the event, and the runs that did not match
    // are kept there as a list of rules (unmatched.ts), not as rows; explanations.ts rebuilds their
    // condition trees on read. Runs the list cannot hold are rows without a tree.
    const values = fresh.length ? recorder.values() : null;
    const fields = values ? withAttemptFields(event.fields, event.attempt, values) : event.fields;
    const compact =
      values && compactable(event.attempt) ? fresh.filter((r) => r.status === 'not_matched').slice(0, MAX_UNMATCHED_RULES) : [];
    const unmatched = compact.length
      ? withUnmatched(
          event.unmatched,
          event.attempt,
          now,
          compact.map((r) => [r.ruleId, r.ruleVersion]),
        )
      : event.unmatched;
    const kept = new Set(compact);
    const stored = fresh.filter((r) => !kept.has(r)).map((r) => (values && r.status === 'not_matched' ? { ...r, conditions: null } : r));
    for (const run of byRule.values()) if (run.status === 'failed') run.status = 'running'; // a retry: from the action that failed
    const toRun = rules.map((r) => ({ rule: r, run: byRule.get(r.id)! })).filter((x) => x.run.status === 'running');
    // Fast path: the whole event in one transaction (new runs, every action, their results, the
    // event's status). Should an action throw, nothing of it is kept and the slow path below runs
    // the event again with one transaction per action, so the actions before the failing one stay
    // applied and the failure is recorded.
    const snapshot = toRun.map((x) => structuredClone(x.run));
    // A new run that acts is written once, as it ends (executeIn), not written and then updated.
    const acting = new Set(stored.filter((r) => r.status === 'running'));
    try {
      await services.transaction(async (m) => {
        await insertRows(
          m,
          AutomationRunEntity,
          stored.filter((r) => !acting.has(r)),
        );
        for (const a of alerts) await this.raiseAlert(m, a.rule, 'loop', a.count, a.threshold, a.message, now);
        for (const { rule, run } of toRun) await this.executeIn(m, run, rule, event, acting.has(run));
        const done = { status: 'processed', processedAt: services.now(), lastError: null, fields, unmatched } as const;
        if (unwritten) await insertRows(m, AutomationEventEntity, [{ ...event, ...done }]);
        else await updateRow(m, AutomationEventEntity, eventId, done);
      });
    } catch (err) {
      services.log.debug({ err, eventId }, 'automation: an action failed; running the event action by action');
      toRun.forEach((x, i) => Object.assign(x.run, snapshot[i]));
      if (fresh.length || unwritten) {
        await services.transaction(async (m) => {
          // Written now as pending, for the actions' own transactions below to update.
          if (unwritten) await insertRows(m, AutomationEventEntity, [{ ...event, fields, unmatched }]);
          await insertRows(m, AutomationRunEntity, stored);
          if (!unwritten && (fields !== event.fields || unmatched !== event.unmatched))
            await updateRow(m, AutomationEventEntity, eventId, { fields, unmatched });
          for (const a of alerts) await this.raiseAlert(m, a.rule, 'loop', a.count, a.threshold, a.message, now);
        });
      }
      let failed = false;
      for (const { rule, run } of toRun) failed = (await this.execute(run, rule, event)) === 'failed' || failed;
      await db.getRepository(AutomationEventEntity).update(
        { id: eventId },
        {
          status: failed ? 'failed' : 'processed',
          processedAt: services.now(),
          lastError: failed ? 'An action failed (see its runs)' : null,
        },
      );
      if (failed) this.state.metrics.failed++;
    }
    const finished = services.now();
    this.state.metrics.processed++;
    this.state.recordLatency(finished.getTime() - event.createdAt.getTime());
  }

  /** Why a rule does not run on this event before its conditions are even looked at, if it does not. */
  private async gate(
    m: EntityManager,
    rule: AutomationRule,
    event: AutomationEvent,
    control: Pick<AutomationControl, 'enabled' | 'maxDepth'>,
    now: Date,
  ): Promise<{ reason: string; alert?: { count: number; threshold: number; message: string } } | null> {
    if (rule.snoozedUntil && rule.snoozedUntil > now) return { reason: `Snoozed until ${rule.snoozedUntil.toISOString()}` };
    if (!rule.builtIn && !control.enabled) return { reason: 'Automation is paused for the organization (kill switch)' };
    if (rule.rolloutPercent < 100) {
      const subject = event.conversationId ?? event.contactId ?? event.id;
      const bucket = rolloutBucket(rule.id, subject);
      if (bucket >= rule.rolloutPercent) return { reason: `Outside the rollout: bucket ${bucket} of 100, rollout ${rule.rolloutPercent}%` };
    }
    if (!rule.builtIn && event.depth >= control.maxDepth)
      return {
        reason: `Loop protection: this event was caused by ${event.depth} chained automation actions (limit ${control.maxDepth})`,
        alert: { count: event.depth, threshold: control.maxDepth, message: `Stopped a chain of ${event.depth} automation actions` },
      };
    void m;
    return null;
  }

  private async rateLimited(
    m: EntityManager,
    rule: AutomationRule,
    event: AutomationEvent,
    control: Pick<AutomationControl, 'maxRunsPerConversationPerMinute'>,
    now: Date,
  ): Promise<{ reason: string; alert: { count: number; threshold: number; message: string } } | null> {
    if (rule.builtIn || !event.conversationId) return null;
    const limit = control.maxRunsPerConversationPerMinute;
    const recent = await matchedRuns(m, {
      ruleId: rule.id,
      conversationId: event.conversationId,
      createdAt: MoreThan(new Date(now.getTime() - 60_000)),
    }).getCount();
    if (recent < limit) return null;
    return {
      reason: `Rate limit: the rule already ran ${recent} times on this conversation in the last minute (limit ${limit})`,
      alert: { count: recent, threshold: limit, message: `Ran ${recent} times on one conversation within a minute` },
    };
  }

  /** Runs a run's actions inside the caller's transaction (the fast path); a failing action throws. */
  private async executeIn(
    m: EntityManager,
    run: AutomationRun,
    rule: AutomationRule,
    event: AutomationEvent,
    isNew: boolean,
  ): Promise<void> {
    const { services } = this;
    const { actions } = await definitionAt(m, rule, run.ruleVersion);
    for (let i = run.nextAction; i < actions.length; i++) {
      const action = actions[i];
      const at = services.now().toISOString();
      if (action.type === 'wait') {
        const until = new Date(services.now().getTime() + action.minutes * 60_000);
        run.actions = [
          ...run.actions.filter((a) => a.index !== i),
          { index: i, type: 'wait', status: 'waiting', detail: `Waiting until ${until.toISOString()}`, at },
        ];
        run.status = 'waiting';
        run.nextAction = i + 1;
        await enqueueJob(m, RESUME_JOB, { runId: run.id }, services.now(), { tenantId: run.tenantId, runAt: until, maxAttempts: 10 });
        break;
      }
      this.state.setCause(m, { ruleId: rule.id, runId: run.id, depth: event.depth + 1 });
      const result = await executeAction(services, m, action, event, rule);
      run.actions = [
        ...run.actions.filter((a) => a.index !== i),
        { index: i, type: action.type, status: result.status, detail: result.detail, at },
      ];
      run.nextAction = i + 1;
      this.state.metrics.actions++;
    }
    if (run.status === 'running') {
      run.status = 'succeeded';
      run.error = null;
      run.finishedAt = services.now();
    }
    if (isNew) await insertRows(m, AutomationRunEntity, [run]);
    else
      await m.getRepository(AutomationRunEntity).update({ id: run.id }, {
        actions: run.actions,
        nextAction: run.nextAction,
        status: run.status,
        error: run.error,
        finishedAt: run.finishedAt,
      } as never);
    await this.state.touchRule(m, rule.id, services.now());
    if (run.status === 'succeeded') await this.checkAlerts(m, rule, services.now());
  }

  /** Runs a run's actions from `nextAction`; each in its own transaction with the record of its result. */
  async execute(run: AutomationRun, rule: AutomationRule, event: AutomationEvent): Promise<'succeeded' | 'failed' | 'waiting'> {
    const { services } = this;
    const { actions } = await definitionAt(services.db.manager, rule, run.ruleVersion);
    const record = (m: EntityManager, outcome: ActionOutcome, patch: Partial<AutomationRun>) => {
      run.actions = [...run.actions.filter((a) => a.index !== outcome.index), outcome];
      Object.assign(run, patch);
      return m.getRepository(AutomationRunEntity).update({ id: run.id }, { actions: run.actions, ...patch } as never);
    };
    for (let i = run.nextAction; i < actions.length; i++) {
      const action = actions[i];
      const at = () => services.now().toISOString();
      if (action.type === 'wait') {
        await services.transaction(async (m) => {
          const until = new Date(services.now().getTime() + action.minutes * 60_000);
          await record(
            m,
            { index: i, type: 'wait', status: 'waiting', detail: `Waiting until ${until.toISOString()}`, at: at() },
            {
              status: 'waiting',
              nextAction: i + 1,
            },
          );
          await enqueueJob(m, RESUME_JOB, { runId: run.id }, services.now(), { tenantId: run.tenantId, runAt: until, maxAttempts: 10 });
        });
        return 'waiting';
      }
      try {
        await services.transaction(async (m) => {
          this.state.setCause(m, { ruleId: rule.id, runId: run.id, depth: event.depth + 1 });
          const result = await executeAction(services, m, action, event, rule);
          await record(m, { index: i, type: action.type, status: result.status, detail: result.detail, at: at() }, { nextAction: i + 1 });
        });
        this.state.metrics.actions++;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (!(err instanceof ActionError)) services.log.warn({ err, runId: run.id, action: action.type }, 'automation action failed');
        await services.transaction(async (m) => {
          await record(
            m,
            { index: i, type: action.type, status: 'failed', detail: message, at: at() },
            {
              status: 'failed',
              error: `Action ${i + 1} (${action.type}) failed: ${message}`,
              finishedAt: services.now(),
            },
          );
          await this.checkAlerts(m, rule, services.now());
        });
        return 'failed';
      }
    }
    await services.transaction(async (m) => {
      await m.getRepository(AutomationRunEntity).update({ id: run.id }, { status: 'succeeded', error: null, finishedAt: services.now() });
      await this.state.touchRule(m, rule.id, services.now());
      await this.checkAlerts(m, rule, services.now());
    });
    run.status = 'succeeded';
    return 'succeeded';
  }

  /** After a wait: the run goes on with its next action. */
  async resume(runId: string): Promise<void> {
    const db = this.services.db.manager;
    const run = await db.getRepository(AutomationRunEntity).findOne({ where: { id: runId } });
    if (!run || run.status !== 'waiting') return;
    const rule = (await this.state.rulesFor(db, run.tenantId)).find((r) => r.id === run.ruleId);
    const event = await db.getRepository(AutomationEventEntity).findOne({ where: { id: run.eventId } });
    if (!rule || !event) {
      await db
        .getRepository(AutomationRunEntity)
        .update({ id: runId }, { status: 'failed', error: 'The rule or its event no longer exists', finishedAt: this.services.now() });
      return;
    }
    run.status = 'running';
    await db.getRepository(AutomationRunEntity).update({ id: runId }, { status: 'running' });
    if ((await this.execute(run, rule, event)) === 'failed')
      await db
        .getRepository(AutomationEventEntity)
        .update({ id: event.id }, { status: 'failed', lastError: 'An action failed (see its runs)' });
  }

  private async checkAlerts(m: EntityManager, rule: AutomationRule, now: Date): Promise<void> {
    if (!rule.alertsEnabled) return;
    const hourAgo = new Date(now.getTime() - 3600_000);
    const runs = m.getRepository(AutomationRunEntity);
    if (rule.alertMaxRunsPerHour) {
      const count = await matchedRuns(m, { ruleId: rule.id, createdAt: MoreThan(hourAgo) }).getCount();
      if (count > rule.alertMaxRunsPerHour)
        await this.raiseAlert(
          m,
          rule,
          'runs',
          count,
          rule.alertMaxRunsPerHour,
          `Ran ${count} times in the last hour (alert above ${rule.alertMaxRunsPerHour})`,
          now,
        );
    }
    if (rule.alertMaxFailuresPerHour) {
      const count = await runs.count({ where: { ruleId: rule.id, createdAt: MoreThan(hourAgo), status: 'failed' } });
      if (count > rule.alertMaxFailuresPerHour)
        await this.raiseAlert(
          m,
          rule,
          'failures',
          count,
          rule.alertMaxFailuresPerHour,
          `Failed ${count} times in the last hour (alert above ${rule.alertMaxFailuresPerHour})`,
          now,
        );
    }
  }

  /** One alert per rule, kind and hour; the count is kept current. Pushed to the organization's browsers. */
  private async raiseAlert(
    m: EntityManager,
    rule: AutomationRule,
    kind: 'runs' | 'failures' | 'loop',
    count: number,
    threshold: number,
    message: string,
    now: Date,
  ): Promise<void> {
    const windowStart = new Date(Math.floor(now.getTime() / 3600_000) * 3600_000);
    const repo = m.getRepository(AutomationAlertEntity);
    const existing = await repo.findOne({ where: { ruleId: rule.id, kind, windowStart } });
    if (existing) {
      await repo.update({ id: existing.id }, { count: Math.max(count, existing.count + (kind === 'loop' ? 1 : 0)), message });
      return;
    }
    const alert = { id: newId(), tenantId: rule.tenantId, ruleId: rule.id, kind, windowStart, count, threshold, message, createdAt: now };
    await repo.insert(alert as never);
    await emitEvent(m, { tenantId: rule.tenantId, type: 'automation.alert', payload: { alert: { ...alert, ruleName: rule.name } } }, now);
  }
}
