import { z } from 'zod';
import { access, defineRoute } from '../../core/http/registry.js';
import { idParam, timestamp } from '../../core/http/schemas.js';
import { CHANNELS } from '../../channels/types.js';
import { END_TIME_RE, TIME_RE, WEEKDAYS, minutesOf } from './calendar.service.js';
import { isValidDate } from '../../core/time.js';
import { workingHoursService } from './working-hours.service.js';

const tag = 'Working Hours';
const settings = access.tenant('settings.manage');
const divisionParams = idParam('divisionId');

const hoursEntry = z
  .object({
    day: z.enum(WEEKDAYS),
    start: z.string().regex(TIME_RE, 'Use HH:MM between 00:00 and 23:59'),
    end: z.string().regex(END_TIME_RE, 'Use HH:MM between 00:01 and 24:00'),
  })
  .refine((e) => minutesOf(e.end) > minutesOf(e.start), {
    message: 'Must be after start (split intervals that cross midnight)',
    path: ['end'],
  });

const hoursList = z
  .array(hoursEntry)
  .max(70)
  .superRefine((list, c) => {
    list.forEach((a, i) => {
      const clash = list.findIndex(
        (b, j) => j < i && b.day === a.day && minutesOf(a.start) < minutesOf(b.end) && minutesOf(b.start) < minutesOf(a.end),
      );
      if (clash >= 0) c.addIssue({ code: 'custom', message: `Overlaps entry ${clash} on ${a.day}`, path: [i, 'start'] });
    });
  })
  .describe('Opening intervals in local time; several per day for breaks; a day without entries is closed');

const holidayList = z
  .array(
    z.object({
      date: z.string().refine(isValidDate, 'Use a real date as YYYY-MM-DD'),
      name: z.string().trim().max(200).nullable().optional(),
    }),
  )
  .max(500)
  .superRefine((list, c) => {
    list.forEach((h, i) => {
      if (list.findIndex((x) => x.date === h.date) < i) c.addIssue({ code: 'custom', message: 'Listed twice', path: [i, 'date'] });
    });
  })
  .describe('Local dates closed all day');

const autoReplyList = z
  .array(
    z.object({
      channel: z.enum(CHANNELS),
      enabled: z.boolean(),
      message: z.string().trim().min(1, 'Required').max(4096),
    }),
  )
  .max(CHANNELS.length)
  .superRefine((list, c) => {
    list.forEach((r, i) => {
      if (list.findIndex((x) => x.channel === r.channel) < i) c.addIssue({ code: 'custom', message: 'Listed twice', path: [i, 'channel'] });
    });
  })
  .describe('Per channel: the reply a customer gets when writing outside working hours (once per conversation per closed period)');

const hoursEntrySchema = z.object({ day: z.enum(WEEKDAYS), start: z.string(), end: z.string() });
const holidaySchema = z.object({ date: z.string(), name: z.string().nullable() });
const baseView = {
  timezone: z.string(),
  configured: z.boolean().describe('False: nothing set, always open'),
  hours: z.array(hoursEntrySchema),
  holidays: z.array(holidaySchema),
  openNow: z.boolean(),
  updatedAt: timestamp.nullable(),
};
const tenantHoursSchema = z.object({
  ...baseView,
  autoReplies: z.array(z.object({ channel: z.enum(CHANNELS), enabled: z.boolean(), message: z.string() })),
});
const divisionHoursSchema = z.object({
  divisionId: z.string(),
  override: z.boolean().describe("False: the tenant's hours apply"),
  ...baseView,
});
const timezoneSchema = z.object({
  timezone: z.string(),
  utcOffset: z.string(),
  localTime: z.string().describe('Wall-clock time now, YYYY-MM-DDTHH:MM'),
});

export const workingHoursRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/working-hours',
    tag,
    summary: 'List global working hours',
    access: access.signedIn,
    response: tenantHoursSchema,
    handler: ({ ctx }) => workingHoursService.getTenant(ctx),
  }),
  defineRoute({
    method: 'put',
    path: '/api/v1/working-hours',
    tag,
    summary: 'Upsert global working hours',
    access: settings,
    description: 'Fields left out keep their current value. Times are in the tenant timezone.',
    body: z.object({ hours: hoursList.optional(), holidays: holidayList.optional(), autoReplies: autoReplyList.optional() }).strict(),
    response: tenantHoursSchema,
    handler: ({ ctx, body }) => workingHoursService.putTenant(ctx, body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/divisions/{divisionId}/working-hours',
    tag,
    summary: 'List division working hours',
    access: access.signedIn,
    params: divisionParams,
    description: "The division's override, or (override false) the tenant's hours it follows.",
    response: divisionHoursSchema,
    handler: ({ ctx, params }) => workingHoursService.getDivision(ctx, params.divisionId),
  }),
  defineRoute({
    method: 'put',
    path: '/api/v1/divisions/{divisionId}/working-hours',
    tag,
    summary: 'Upsert division working hours override',
    access: settings,
    params: divisionParams,
    description: 'A new override needs `hours`; fields left out keep their current value. Out-of-hours replies stay per tenant.',
    body: z.object({ hours: hoursList.optional(), holidays: holidayList.optional() }).strict(),
    response: divisionHoursSchema,
    handler: ({ ctx, params, body }) => workingHoursService.putDivision(ctx, params.divisionId, body),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/divisions/{divisionId}/working-hours',
    tag,
    summary: 'Delete division working hours override',
    access: settings,
    params: divisionParams,
    status: 204,
    handler: ({ ctx, params }) => workingHoursService.deleteDivision(ctx, params.divisionId),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/tenant/timezone',
    tag,
    summary: 'Get tenant timezone',
    access: access.signedIn,
    response: timezoneSchema,
    handler: ({ ctx }) => workingHoursService.getTimezone(ctx),
  }),
  defineRoute({
    method: 'put',
    path: '/api/v1/tenant/timezone',
    tag,
    summary: 'Update tenant timezone',
    access: settings,
    body: z.object({ timezone: z.string().trim().min(1, 'Required').max(64).describe('IANA name, e.g. Asia/Jakarta') }),
    response: timezoneSchema,
    handler: ({ ctx, body }) => workingHoursService.putTimezone(ctx, body.timezone),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/public/working-hours/{tenantSlug}/status',
    tag,
    summary: 'Check working hours status (public)',
    access: access.public,
    description:
      'For websites and chat widgets: whether the organization (or one division, `?divisionId=`) is open now, and when that changes.',
    params: z.object({ tenantSlug: z.string().max(200) }),
    query: z.object({ divisionId: z.string().max(64).optional() }),
    response: z.object({
      organization: z.object({ name: z.string(), slug: z.string() }),
      divisionId: z.string().nullable(),
      timezone: z.string(),
      configured: z.boolean(),
      open: z.boolean(),
      holiday: z.string().nullable().describe('Name of today\'s holiday ("" if unnamed)'),
      localTime: z.string(),
      closesAt: timestamp.nullable(),
      nextOpenAt: timestamp.nullable(),
      checkedAt: timestamp,
    }),
    handler: ({ ctx, params, query }) => workingHoursService.publicStatus(ctx, params.tenantSlug, query.divisionId),
  }),
];
