import { z } from 'zod';
import { access, defineRoute } from '../../core/http/registry.js';
import { pageOf, pageQuery, timestamp } from '../../core/http/schemas.js';
import { activityLogsService } from './activity-logs.service.js';

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

export const activityLogRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/activity-logs',
    tag: 'Activity Logs',
    summary: 'List activity logs',
    access: access.tenant('activity_logs.view'),
    query: pageQuery.extend({
      action: z.string().max(100).optional().describe('e.g. auth.login, agent.created, role.updated, api_key.revoked'),
      actorId: z.string().max(64).optional(),
      targetType: z.string().max(50).optional(),
      targetId: z.string().max(64).optional(),
      from: z.iso.datetime({ offset: true }).optional(),
      to: z.iso.datetime({ offset: true }).optional(),
    }),
    response: pageOf(entrySchema),
    handler: ({ ctx, query }) => activityLogsService.list(ctx, query),
  }),
];
