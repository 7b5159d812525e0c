import { z } from 'zod';
import type { RequestHandler } from 'express';
import { access, defineRoute } from '../../core/http/registry.js';
import { email, password, timestamp } from '../../core/http/schemas.js';
import { setSessionCookie, SUPER_ADMIN_COOKIE, type TokenService } from '../../core/auth/tokens.js';
import { superAdminService } from './super-admin.service.js';

const adminSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  createdAt: timestamp,
  lastLoginAt: timestamp.nullable(),
});

export function superAdminRoutes(tokens: TokenService, deps: { authLimiter: RequestHandler }) {
  const service = superAdminService(tokens);
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/super-admin/auth/login',
      tag: 'Super Admin',
      summary: 'Super-admin login',
      access: access.public,
      description:
        'Before any super-admin exists, `setupCode` (printed at first start) with a new email and password creates the first one.',
      before: [deps.authLimiter],
      body: z
        .object({ email, password: z.string().min(1, 'Required').max(200), setupCode: z.string().max(100).optional() })
        .refine((b) => !b.setupCode || password.safeParse(b.password).success, {
          path: ['password'],
          message: 'Must be at least 8 characters',
        }),
      response: z.object({ token: z.string(), admin: adminSchema }),
      handler: async ({ ctx, body, req, res }) => {
        const result = await service.login(ctx, body);
        setSessionCookie(req, res, SUPER_ADMIN_COOKIE, result.token, 12 * 3600);
        return result;
      },
    }),
  ];
}
