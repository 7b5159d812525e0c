import { z } from 'zod';
import type { RequestHandler } from 'express';
import { access, defineRoute, type AnyRoute } from '../../core/http/registry.js';
import { email, password, name } from '../../core/http/schemas.js';
import { setSessionCookie, TENANT_COOKIE, type TokenService } from '../../core/auth/tokens.js';
import { agentSchema } from '../agents/agents.schemas.js';
import { authService } from './auth.service.js';
import { tenantSchema } from '../tenants/tenants.service.js';

const tag = 'Auth';

export function authRoutes(tokens: TokenService, deps: { authLimiter: RequestHandler; ttlSeconds: number }): AnyRoute[] {
  const auth = authService(tokens);
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/auth/login',
      tag,
      summary: 'Login with email and password',
      access: access.public,
      before: [deps.authLimiter],
      body: z.object({ email, password: z.string().min(1, 'Required').max(200) }),
      response: z.object({ token: z.string(), user: agentSchema }),
      handler: async ({ ctx, body, req, res }) => {
        const result = await auth.login(ctx, body);
        setSessionCookie(req, res, TENANT_COOKIE, result.token, deps.ttlSeconds);
        return result;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/auth/me',
      tag,
      summary: 'Get current agent profile',
      access: access.signedIn,
      response: z.object({
        user: agentSchema,
        tenant: tenantSchema,
        permissions: z.array(z.string()),
        impersonatedBy: z.string().nullable(),
      }),
      handler: ({ ctx }) => auth.me(ctx),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/auth/logout',
      tag,
      summary: 'Logout (clears cookie)',
      access: access.signedIn,
      status: 204,
      handler: async ({ ctx, res }) => {
        await auth.logout(ctx);
        res.clearCookie(TENANT_COOKIE, { path: '/' });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/auth/token',
      tag,
      summary: 'Issue a fresh JWT for the current session',
      access: access.signedIn,
      response: z.object({ token: z.string() }),
      handler: async ({ ctx, req, res }) => {
        const result = await auth.freshToken(ctx);
        if (!ctx.principal.apiKeyId) setSessionCookie(req, res, TENANT_COOKIE, result.token, deps.ttlSeconds);
        return result;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/auth/register',
      tag,
      summary: 'Register a new tenant organization',
      access: access.public,
      status: 201,
      before: [deps.authLimiter],
      body: z.object({ organizationName: name, name, email, password }),
      response: z.object({ token: z.string(), user: agentSchema, tenant: tenantSchema }),
      handler: async ({ ctx, body, req, res }) => {
        const result = await auth.register(ctx, body);
        setSessionCookie(req, res, TENANT_COOKIE, result.token, deps.ttlSeconds);
        return result;
      },
    }),
  ];
}
