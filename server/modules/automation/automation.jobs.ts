// The engine's background work: processing an event (per conversation, in order), resuming a run
// after a wait, ending a snooze; and the clock, every minute: rules' schedule ticks (croner, in the
// rule's or the organization's time zone) and the organization's working hours opening and closing,
// each written as a domain event (and so into the automation event log) in one transaction.
import { Cron } from 'croner';
import { And, In, IsNull, LessThan, LessThanOrEqual, Not } from 'typeorm';
import type { Services } from '../../core/context.js';
import { emitEvent } from '../../core/events/outbox.js';
import type { JobHandler } from '../../core/jobs/queue.js';
import { newId } from '../../core/ids.js';
import type { Schedule } from '../../core/module.js';
import { ChatExpirationRuleEntity } from '../chat-expiration/chat-expiration.entity.js';
import { SlaPolicyEntity } from '../sla/sla.entity.js';
import { TenantEntity } from '../tenants/tenant.entity.js';
import { WorkingHoursEntity } from '../working-hours/working-hours.entity.js';
import { calendarFor } from '../working-hours/working-hours.service.js';
import {
  AutomationControlEntity,
  AutomationEventEntity,
  AutomationRuleEntity,
  AutomationRunEntity,
  AutomationAlertEntity,
  type AutomationRule,
} from './automation.entity.js';
import { UNSNOOZE_JOB, unsnooze } from './actions.js';
import { Engine } from './engine.js';
import { PROCESS_JOB, RESUME_JOB } from './event-log.js';
import { DEFAULT_CONTROL, engineState } from './state.js';
import { tenantTimezone } from '../tenants/tenant-timezone.service.js';

export const CLOCK_JOB = 'automation.clock';
export const PRUNE_JOB = 'automation.prune';
const RETENTION_DAYS = 30;

export const automationSchedules: Schedule[] = [
  { cron: '* * * * *', job: CLOCK_JOB },
  { cron: '40 3 * * *', job: PRUNE_JOB },
];

/** Built-in rules tick only when their module has something to do (no SLA policy: no minute tick in the log). */
async function builtInRelevant(services: Services, rule: AutomationRule): Promise<boolean> {
  if (rule.builtIn === 'sla-checks')
    return services.db.getRepository(SlaPolicyEntity).exists({ where: { tenantId: rule.tenantId, enabled: true } });
  if (rule.builtIn === 'chat-expiration')
    return services.db.getRepository(ChatExpirationRuleEntity).exists({ where: { tenantId: rule.tenantId, enabled: true } });
  return true;
}

/** Every rule whose schedule is due ticks once (a missed minute is not replayed), then waits for its next run. */
export async function tickSchedules(services: Services): Promise<number> {
  const now = services.now();
  const state = engineState(services.db);
  const tenants = await services.db.getRepository(TenantEntity).find({ where: { status: 'active' }, select: { id: true } });
  for (const t of tenants) await state.rulesFor(services.db.manager, t.id, now);
  const due = await services.db.getRepository(AutomationRuleEntity).find({
    where: [
      { scheduleCron: Not(IsNull()), enabled: true, nextRunAt: LessThanOrEqual(now) },
      { scheduleCron: Not(IsNull()), enabled: true, nextRunAt: IsNull() },
    ],
  });
  let ticked = 0;
  for (const rule of due) {
    const zone = rule.scheduleTimezone ?? (await tenantTimezone(services.db, rule.tenantId)) ?? 'UTC';
    let next: Date | null = null;
    try {
      next = new Cron(rule.scheduleCron!, { timezone: zone, paused: true }).nextRun(now);
    } catch {
      next = null;
    }
    const fire = rule.nextRunAt !== null && !(rule.snoozedUntil && rule.snoozedUntil > now) && (await builtInRelevant(services, rule));
    await services.transaction(async (m) => {
      await m.getRepository(AutomationRuleEntity).update({ id: rule.id }, { nextRunAt: next });
      if (fire)
        await emitEvent(
          m,
          {
            tenantId: rule.tenantId,
            type: 'automation.schedule_tick',
            payload: {
              ruleId: rule.id,
              ruleName: rule.name,
              cron: rule.scheduleCron,
              timezone: zone,
              scheduledAt: rule.nextRunAt!.toISOString(),
            },
          },
          now,
        );
    });
    if (fire) ticked++;
  }
  if (due.length) for (const t of new Set(due.map((r) => r.tenantId))) state.invalidate(t);
  return ticked;
}

/** working_hours.opened / working_hours.closed when an organization's own hours change state. */
export async function watchWorkingHours(services: Services): Promise<void> {
  const now = services.now();
  const rows = await services.db
    .getRepository(WorkingHoursEntity)
    .find({ where: { divisionId: IsNull() }, select: { id: true, tenantId: true } });
  for (const { tenantId } of rows) {
    const { calendar } = await calendarFor(services.db.manager, tenantId, null);
    const open = calendar.isOpen(now);
    await services.transaction(async (m) => {
      const repo = m.getRepository(AutomationControlEntity);
      const control = await repo.findOne({ where: { tenantId } });
      if (control?.workingHoursOpen === open) return;
      if (control) await repo.update({ id: control.id }, { workingHoursOpen: open });
      else
        await repo.insert({
          id: newId(),
          tenantId,
          ...DEFAULT_CONTROL,
          workingHoursOpen: open,
          updatedById: null,
          updatedAt: now,
        } as never);
      // The first look only learns the state; a change after it is an event.
      if (control && control.workingHoursOpen !== null)
        await emitEvent(
          m,
          { tenantId, type: open ? 'working_hours.opened' : 'working_hours.closed', payload: { open, at: now.toISOString() } },
          now,
        );
    });
  }
}

/** Old processed events and their runs go after RETENTION_DAYS (failed ones stay until cleaned up by hand). */
export async function prune(services: Services): Promise<number> {
  const cutoff = new Date(services.now().getTime() - RETENTION_DAYS * 86400_000);
  const repo = services.db.getRepository(AutomationEventEntity);
  let deleted = 0;
  for (;;) {
    const old = await repo.find({
      where: { status: In(['processed', 'ignored', 'duplicate']), createdAt: LessThan(cutoff) },
      select: { id: true },
      take: 500,
    });
    if (old.length === 0) break;
    await services.transaction(async (m) => {
      await m.getRepository(AutomationRunEntity).delete({ eventId: In(old.map((e) => e.id)) });
      await m.getRepository(AutomationEventEntity).delete({ id: In(old.map((e) => e.id)) });
    });
    deleted += old.length;
  }
  await services.db.getRepository(AutomationAlertEntity).delete({ createdAt: And(LessThan(cutoff)) });
  return deleted;
}

export function automationJobs(services: Services): Record<string, JobHandler> {
  const engine = new Engine(services);
  return {
    [PROCESS_JOB]: (job, run) => engine.process(String(job.payload.eventId), { batched: run?.batched }),
    [RESUME_JOB]: (job) => engine.resume(String(job.payload.runId)),
    [UNSNOOZE_JOB]: (job) => unsnooze(services, job.payload),
    [CLOCK_JOB]: async () => {
      await tickSchedules(services);
      await watchWorkingHours(services);
    },
    [PRUNE_JOB]: async () => {
      await prune(services);
    },
  };
}
