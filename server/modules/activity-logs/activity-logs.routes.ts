import { z } from 'zod';
import { access, defineRoute } from '../../core/http/registry.js';
import { pageOf, pageQuery, timestamp } from '../../core/http/schemas.js';
import { MAX_EXPORT_ROWS, activityLogsService } from './activity-logs.service.js';

const entrySchema = z.object({
  id: z.string(),
  actorType: z.enum(['user', 'api_key', 'super_admin', 'system']),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  impersonatorId: z.string().nullable().describe('The super-admin acting through impersonation, if any'),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()).nullable(),
  ip: z.string().nullable(),
  createdAt: timestamp,
});

const filters = z.object({
  action: z.string().max(100).optional().describe('e.g. auth.login, agent.created, role.updated, api_key.revoked'),
  actorId: z.string().max(64).optional(),
  targetType: z.string().max(50).optional(),
  targetId: z.string().max(64).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

export const activityLogRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/activity-logs',
    tag: 'Activity Logs',
    summary: 'List activity logs',
    access: access.tenant('activity_logs.view'),
    query: pageQuery.extend(filters.shape),
    response: pageOf(entrySchema),
    handler: ({ ctx, query }) => activityLogsService.list(ctx, query),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/activity-logs/export',
    tag: 'Activity Logs',
    summary: 'Export activity logs as CSV',
    access: access.tenant('activity_logs.view'),
    description:
      `The entries the same filters select, newest first (at most ${MAX_EXPORT_ROWS}), as text/csv (UTF-8 with a byte-order mark): ` +
      'time (UTC, ISO 8601), actorType, actorId, actorName, impersonatorId, action, targetType, targetId, details (JSON), ip.',
    query: filters,
    handler: async ({ ctx, query, res }) => {
      const csv = await activityLogsService.exportCsv(ctx, query);
      res.setHeader('Content-Type', 'text/csv; charset=utf-8');
      res.setHeader('Content-Disposition', 'attachment; filename="activity-log.csv"');
      res.setHeader('Cache-Control', 'no-store');
      res.status(200).send(csv);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/activity-logs/facets',
    tag: 'Activity Logs',
    summary: 'List the actions and actors in the activity log',
    access: access.tenant('activity_logs.view'),
    description: 'What the filters can pick: every action recorded in the organization, and every person or API key that acted.',
    response: z.object({
      actions: z.array(z.string()),
      actors: z.array(
        z.object({ id: z.string(), type: z.enum(['user', 'api_key', 'super_admin', 'system']), name: z.string().nullable() }),
      ),
    }),
    handler: ({ ctx }) => activityLogsService.facets(ctx),
  }),
];
