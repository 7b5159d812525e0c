// Working hours: the tenant's weekly hours and holidays (with per-channel out-of-hours replies),
// per-division overrides, the tenant timezone, and the public "are you open?" status.
import { IsNull, type EntityManager } from 'typeorm';
import { readThrough } from '../../core/entity-cache.js';
import type { Services, TenantCtx } from '../../core/context.js';
import { scoped } from '../../core/tenancy.js';
import { notFound, unprocessable } from '../../core/http/errors.js';
import { emitEvent } from '../../core/events/outbox.js';
import { recordActivity } from '../../core/audit.js';
import { isId } from '../../core/ids.js';
import { enqueueJob } from '../../core/jobs/queue.js';
import { TenantEntity } from '../tenants/tenant.entity.js';
import { DivisionEntity } from '../divisions/division.entity.js';
import { WorkCalendar, type Holiday, type HoursEntry } from './calendar.service.js';
import { canonicalTimezone, zonedParts } from '../../core/time.js';
import { WorkingHoursEntity, type OutOfHoursReply, type WorkingHours } from './working-hours.entity.js';
import { tenantTimezone } from '../tenants/tenant-timezone.service.js';

export interface HoursInput {
  hours?: HoursEntry[];
  holidays?: Holiday[];
  autoReplies?: OutOfHoursReply[];
}

const tenantRow = (m: EntityManager, tenantId: string) =>
  m.getRepository(WorkingHoursEntity).findOne({ where: { tenantId, divisionId: IsNull() } });
const divisionRow = (m: EntityManager, tenantId: string, divisionId: string) =>
  m.getRepository(WorkingHoursEntity).findOne({ where: { tenantId, divisionId } });

const calendarOf = (row: WorkingHours | null, timezone: string) =>
  row ? new WorkCalendar({ timezone, hours: row.hours, holidays: row.holidays }) : WorkCalendar.always();

type Calendar = { calendar: WorkCalendar; source: 'division' | 'tenant' | 'none' };
const calendars = readThrough<Calendar>(['WorkingHours', 'Tenant']);

/**
 * The calendar a conversation (or division) works by: the division's override, else the tenant's
 * hours, else always open (nothing configured). `source` says which.
 */
export function calendarFor(m: EntityManager, tenantId: string, divisionId: string | null): Promise<Calendar> {
  // Asked for on every inbound message (the out-of-hours rule): cached until hours or the organization change.
  return calendars(m, `${tenantId}:${divisionId ?? ''}`, async () => {
    const timezone = (await tenantTimezone(m, tenantId)) ?? 'UTC';
    const own = divisionId ? await divisionRow(m, tenantId, divisionId) : null;
    const row = own ?? (await tenantRow(m, tenantId));
    return { calendar: calendarOf(row, timezone), source: own ? 'division' : row ? 'tenant' : 'none' };
  });
}

/** The out-of-hours reply configured for a channel, if enabled. */
export const AUTO_REPLY_JOB = 'working-hours.auto-reply';

/**
 * An inbound message may need the out-of-hours reply: a durable job decides, asked for by the
 * automation engine's built-in rule. False (nothing queued) when the channel has no enabled reply.
 */
export async function requestOutOfHoursReply(
  m: EntityManager,
  tenantId: string,
  channel: string,
  messageId: string,
  now: Date,
): Promise<boolean> {
  if (!(await outOfHoursReply(m, tenantId, channel))) return false;
  await enqueueJob(m, AUTO_REPLY_JOB, { messageId }, now, { tenantId, maxAttempts: 5 });
  return true;
}

export async function outOfHoursReply(m: EntityManager, tenantId: string, channel: string): Promise<OutOfHoursReply | null> {
  const row = await tenantRow(m, tenantId);
  return row?.autoReplies.find((r) => r.channel === channel && r.enabled) ?? null;
}

function hoursView(row: WorkingHours | null, timezone: string, now: Date) {
  return {
    timezone,
    configured: row !== null,
    hours: row?.hours ?? [],
    holidays: row?.holidays ?? [],
    openNow: calendarOf(row, timezone).isOpen(now),
    updatedAt: row?.updatedAt ?? null,
  };
}

async function upsert(
  ctx: TenantCtx,
  m: EntityManager,
  existing: WorkingHours | null,
  divisionId: string | null,
  body: HoursInput,
): Promise<WorkingHours> {
  const now = ctx.now();
  const next: WorkingHours = existing
    ? { ...existing, updatedAt: now }
    : { id: '', tenantId: ctx.tenantId, divisionId, hours: [], holidays: [], autoReplies: [], createdAt: now, updatedAt: now };
  if (body.hours !== undefined) next.hours = sortHours(body.hours);
  if (body.holidays !== undefined)
    next.holidays = [...body.holidays].sort((a, b) => a.date.localeCompare(b.date)).map((h) => ({ date: h.date, name: h.name ?? null }));
  if (body.autoReplies !== undefined) next.autoReplies = body.autoReplies;
  if (existing)
    await scoped(ctx, WorkingHoursEntity, m).update(existing.id, {
      hours: next.hours,
      holidays: next.holidays,
      autoReplies: next.autoReplies,
      updatedAt: now,
    });
  else
    return scoped(ctx, WorkingHoursEntity, m).insert({
      divisionId,
      hours: next.hours,
      holidays: next.holidays,
      autoReplies: next.autoReplies,
      createdAt: now,
      updatedAt: now,
    });
  return next;
}

const DAY_ORDER = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const sortHours = (hours: HoursEntry[]) =>
  [...hours]
    .sort((a, b) => DAY_ORDER.indexOf(a.day) - DAY_ORDER.indexOf(b.day) || a.start.localeCompare(b.start))
    .map((h) => ({ day: h.day, start: h.start, end: h.end }));

export const workingHoursService = {
  async getTenant(ctx: TenantCtx) {
    const row = await tenantRow(ctx.db.manager, ctx.tenantId);
    const timezone = (await tenantTimezone(ctx.db.manager, ctx.tenantId)) ?? 'UTC';
    return { ...hoursView(row, timezone, ctx.now()), autoReplies: row?.autoReplies ?? [] };
  },

  /** Fields left out keep their current value (or start empty). */
  async putTenant(ctx: TenantCtx, body: HoursInput) {
    await ctx.transaction(async (m) => {
      await upsert(ctx, m, await tenantRow(m, ctx.tenantId), null, body);
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'working_hours.updated',
        targetType: 'working_hours',
        details: { fields: Object.keys(body) },
      });
      await emitEvent(m, { tenantId: ctx.tenantId, type: 'working_hours.updated', payload: { divisionId: null } }, ctx.now());
    });
    return this.getTenant(ctx);
  },

  /** The division's override, or the tenant's hours it inherits (`override: false`). */
  async getDivision(ctx: TenantCtx, divisionId: string) {
    await scoped(ctx, DivisionEntity).get(divisionId, 'Division');
    const own = await divisionRow(ctx.db.manager, ctx.tenantId, divisionId);
    const timezone = (await tenantTimezone(ctx.db.manager, ctx.tenantId)) ?? 'UTC';
    const row = own ?? (await tenantRow(ctx.db.manager, ctx.tenantId));
    return { divisionId, override: own !== null, ...hoursView(row, timezone, ctx.now()) };
  },

  async putDivision(ctx: TenantCtx, divisionId: string, body: HoursInput) {
    const division = await scoped(ctx, DivisionEntity).get(divisionId, 'Division');
    await ctx.transaction(async (m) => {
      const existing = await divisionRow(m, ctx.tenantId, divisionId);
      // A new override starts from nothing: hours must be given.
      if (!existing && body.hours === undefined)
        throw unprocessable('A new override needs its hours', [{ path: 'hours', message: 'Required' }]);
      await upsert(ctx, m, existing, divisionId, { hours: body.hours, holidays: body.holidays });
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'working_hours.updated',
        targetType: 'division',
        targetId: divisionId,
        details: { division: division.name, fields: Object.keys(body) },
      });
      await emitEvent(m, { tenantId: ctx.tenantId, type: 'working_hours.updated', payload: { divisionId } }, ctx.now());
    });
    return this.getDivision(ctx, divisionId);
  },

  async deleteDivision(ctx: TenantCtx, divisionId: string) {
    const division = await scoped(ctx, DivisionEntity).get(divisionId, 'Division');
    await ctx.transaction(async (m) => {
      const existing = await divisionRow(m, ctx.tenantId, divisionId);
      if (!existing) return;
      await scoped(ctx, WorkingHoursEntity, m).remove(existing.id);
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'working_hours.override_deleted',
        targetType: 'division',
        targetId: divisionId,
        details: { division: division.name },
      });
      await emitEvent(m, { tenantId: ctx.tenantId, type: 'working_hours.updated', payload: { divisionId } }, ctx.now());
    });
  },

  async getTimezone(ctx: TenantCtx) {
    const timezone = (await tenantTimezone(ctx.db.manager, ctx.tenantId)) ?? 'UTC';
    return timezoneView(timezone, ctx.now());
  },

  async putTimezone(ctx: TenantCtx, timezone: string) {
    const canonical = canonicalTimezone(timezone);
    if (!canonical)
      throw unprocessable('Unknown timezone; use an IANA name such as Asia/Jakarta', [{ path: 'timezone', message: 'Unknown timezone' }]);
    const before = (await tenantTimezone(ctx.db.manager, ctx.tenantId)) ?? 'UTC';
    await ctx.transaction(async (m) => {
      await m.getRepository(TenantEntity).update({ id: ctx.tenantId }, { timezone: canonical, updatedAt: ctx.now() });
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'tenant.timezone_changed',
        targetType: 'tenant',
        targetId: ctx.tenantId,
        details: { from: before, to: canonical },
      });
      await emitEvent(
        m,
        { tenantId: ctx.tenantId, type: 'tenant.updated', payload: { tenantId: ctx.tenantId, fields: ['timezone'] } },
        ctx.now(),
      );
    });
    return timezoneView(canonical, ctx.now());
  },

  /** Public: whether the organization (or one of its divisions) is open now. Unknown or suspended slugs are 404. */
  async publicStatus(services: Services, slug: string, divisionId?: string) {
    const tenant = await services.db.getRepository(TenantEntity).findOne({ where: { slug } });
    if (tenant?.status !== 'active') throw notFound('Organization');
    if (
      divisionId &&
      (!isId(divisionId) || !(await services.db.getRepository(DivisionEntity).exists({ where: { id: divisionId, tenantId: tenant.id } })))
    ) {
      throw notFound('Division');
    }
    const now = services.now();
    const { calendar, source } = await calendarFor(services.db.manager, tenant.id, divisionId ?? null);
    const open = calendar.isOpen(now);
    return {
      organization: { name: tenant.name, slug: tenant.slug },
      divisionId: divisionId ?? null,
      timezone: tenant.timezone,
      configured: source !== 'none',
      open,
      holiday: calendar.holidayAt(now),
      localTime: timezoneView(tenant.timezone, now).localTime,
      closesAt: open ? calendar.closingAt(now) : null,
      nextOpenAt: open ? null : calendar.nextOpening(now),
      checkedAt: now,
    };
  },
};

function timezoneView(timezone: string, now: Date) {
  const p = zonedParts(now, timezone);
  const two = (n: number) => String(n).padStart(2, '0');
  const offset = Math.round(
    (Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(now.getTime() / 1000) * 1000) / 60000,
  );
  const sign = offset < 0 ? '-' : '+';
  return {
    timezone,
    utcOffset: `${sign}${two(Math.floor(Math.abs(offset) / 60))}:${two(Math.abs(offset) % 60)}`,
    localTime: `${p.year}-${two(p.month)}-${two(p.day)}T${two(p.hour)}:${two(p.minute)}`,
  };
}
