import { z } from 'zod';
import type { RequestHandler } from 'express';
import { access, defineRoute, type AnyRoute } from '../../core/http/registry.js';
import { email, password, name, timestamp } from '../../core/http/schemas.js';
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
      description:
        'An email may have accounts in several organizations. When the password matches more than one of them (and only then), the answer is 409 with `organizations: [{id, name, slug}]`: send the same request again with `organizationId`. A wrong password and an unknown email get the same 401.',
      access: access.public,
      before: [deps.authLimiter],
      body: z.object({
        email,
        password: z.string().min(1, 'Required').max(200),
        organizationId: z.string().min(1).max(64).optional().describe('Which organization, when the email has accounts in several'),
      }),
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
      description:
        "Ends this session: its tokens stop working at once and its open sockets are disconnected (the person's other sessions stay).",
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
      description:
        'The same session with a new expiry. Called with an API key, the token belongs to a session bound to that key: it stops working when the key is revoked (and never outlives its expiry).',
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
      description: 'The first user is the owner. An email is unique within an organization, so the same address may own or work in others.',
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
    defineRoute({
      method: 'post',
      path: '/api/v1/auth/password',
      tag,
      summary: 'Change your own password',
      description:
        'Needs the current password. Every session of yours ends (other browsers, API-key tokens, open sockets); the answer carries a new token for this one (and sets the cookie).',
      access: access.signedIn,
      before: [deps.authLimiter],
      body: z.object({ currentPassword: z.string().min(1, 'Required').max(200), newPassword: password }),
      response: z.object({ token: z.string() }),
      handler: async ({ ctx, body, req, res }) => {
        const result = await auth.changePassword(ctx, body);
        setSessionCookie(req, res, TENANT_COOKIE, result.token, deps.ttlSeconds);
        return result;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/auth/password-reset/inspect',
      tag,
      summary: 'Check a password link',
      description:
        'Who a one-time password link (from `POST /api/v1/agents/{agentId}/password-reset`, an invitation, or a super-admin) is for, while it is valid; 400 naming `token` when it is mistyped, used or expired. The token is sent in the body, never in a URL.',
      access: access.public,
      before: [deps.authLimiter],
      body: z.object({ token: z.string().min(1, 'Required').max(200) }),
      response: z.object({
        purpose: z.enum(['reset', 'invite']),
        name: z.string(),
        email: z.string(),
        organization: z.string(),
        expiresAt: timestamp,
      }),
      handler: ({ ctx, body }) => auth.describePasswordLink(ctx, body.token),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/auth/password-reset',
      tag,
      summary: 'Set a new password with a password link',
      description:
        "Sets the person's password from a one-time link (once; 400 naming `token` when it is mistyped, used or expired). Every session of theirs ends; they then log in with the new password.",
      access: access.public,
      before: [deps.authLimiter],
      status: 204,
      body: z.object({ token: z.string().min(1, 'Required').max(200), password }),
      handler: ({ ctx, body }) => auth.usePasswordLink(ctx, body),
    }),
  ];
}
