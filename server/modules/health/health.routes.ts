import { z } from 'zod';
import { access, defineRoute, Reply } from '../../core/http/registry.js';
import { checkHealth } from './health.service.js';

export function healthRoutes(jobsRunning: () => boolean, startedAt: number) {
  return [
    defineRoute({
      method: 'get',
      path: '/health',
      tag: 'Health',
      summary: 'API Gateway health check',
      access: access.public,
      description: '200 when every service is up; 503 with status "degraded" naming the service that is down.',
      response: z.object({
        status: z.enum(['healthy', 'degraded']),
        services: z.record(z.string(), z.enum(['up', 'down'])),
        errors: z.record(z.string(), z.string()).optional(),
        uptimeSeconds: z.number(),
        time: z.string(),
      }),
      handler: async ({ ctx }) => {
        const { healthy, body } = await checkHealth(ctx, jobsRunning, startedAt);
        return new Reply(healthy ? 200 : 503, body);
      },
    }),
  ];
}
