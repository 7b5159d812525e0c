import { z } from 'zod';
import type { Request, RequestHandler } from 'express';
import { access, defineRoute, type AnyRoute } from '../../core/http/registry.js';
import { email, idParam, name, pageQuery, password, timestamp } from '../../core/http/schemas.js';
import { setSessionCookie, SUPER_ADMIN_COOKIE, TENANT_COOKIE, type TokenService } from '../../core/auth/tokens.js';
import { superAdminService } from './super-admin.service.js';
import { IMPERSONATION_TTL_SECONDS, tenantsAdmin } from './tenants-admin.service.js';
import { tenantUsageList } from './usage-list.service.js';
import { systemHealth } from './system-health.service.js';
import { passwordResets } from './password-reset.service.js';

const tag = 'Super Admin';
const operator = access.superAdmin;

const adminSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  createdAt: timestamp,
  lastLoginAt: timestamp.nullable(),
});
const tenantStatus = z.enum(['active', 'suspended']);
const tenantSchema = z.object({
  id: z.string(),
  name: z.string(),
  slug: z.string(),
  status: tenantStatus,
  timezone: z.string(),
  deletedAt: timestamp.nullable().describe('Set when deleted: the organization is suspended and purged at purgeAt unless activated before'),
  purgeAt: timestamp.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
const userSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  name: z.string(),
  email: z.string(),
  status: z.enum(['active', 'suspended']),
  role: z.string().nullable(),
  lastSeenAt: timestamp.nullable(),
  createdAt: timestamp,
});
const usageSchema = z.object({
  period: z.object({ from: timestamp, to: timestamp }).describe("The current month on the organization's calendar"),
  conversations: z.object({ total: z.number().int(), thisMonth: z.number().int() }),
  messages: z.object({
    total: z.number().int(),
    thisMonth: z.number().int(),
    inboundThisMonth: z.number().int(),
    outboundThisMonth: z.number().int(),
  }),
  storageBytes: z.number().int(),
  agents: z.object({ total: z.number().int(), active: z.number().int() }),
  aiTokens: z.number().int().nullable().describe("Model tokens (in and out) used by the organization's AI in the period"),
});
const resetLinkSchema = z.object({
  url: z.string().describe('Give it to the person: it opens a page where they choose a new password. Works once, for 24 hours.'),
  expiresAt: timestamp,
});
const impersonationSchema = z.object({
  token: z.string().describe('A tenant token acting as the user; it records the super-admin as the real actor'),
  expiresAt: timestamp,
  user: userSchema,
  tenant: tenantSchema,
});
const tenantParams = idParam('tenantId');
const userParams = z.object({ ...tenantParams.shape, ...idParam('userId').shape });
const timezone = z.string().trim().max(64).describe('IANA time zone (default Asia/Jakarta)');

/** Where the web UI that made the request is reached (links the operator hands on point there). */
const originOf = (req: Request) => `${req.protocol}://${req.get('host')}`;

export function superAdminRoutes(tokens: TokenService, deps: { authLimiter: RequestHandler }): AnyRoute[] {
  const service = superAdminService(tokens);
  const tenants = tenantsAdmin(tokens);
  const impersonation = async (req: Request, res: Parameters<typeof setSessionCookie>[1], result: { token: string }) => {
    // The browser that asked becomes that user (the console opens the inbox); the API answer carries the token too.
    setSessionCookie(req, res, TENANT_COOKIE, result.token, IMPERSONATION_TTL_SECONDS);
    return result;
  };
  return [
    defineRoute({
      method: 'post',
      path: '/api/v1/super-admin/auth/login',
      tag,
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
    defineRoute({
      method: 'get',
      path: '/api/v1/super-admin/tenants',
      tag,
      summary: 'List all tenant organizations',
      access: operator,
      description: 'Newest first. `status=deleted` lists those waiting for their purge.',
      query: pageQuery.extend({
        search: z.string().trim().max(200).optional().describe('Matches the name or slug'),
        status: z.enum(['active', 'suspended', 'deleted']).optional(),
      }),
      response: z.object({ data: z.array(tenantSchema.extend({ users: z.number().int() })), nextCursor: z.string().nullable() }),
      handler: ({ ctx, query }) => tenants.list(ctx, query),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/super-admin/tenants',
      tag,
      summary: 'Provision a new tenant',
      access: operator,
      description:
        'Creates the organization with its built-in roles and its owner. Without `owner.password`, the answer carries `ownerSetupLink`: a one-time link for the owner to choose a password.',
      status: 201,
      body: z.object({
        name,
        timezone: timezone.optional(),
        owner: z.object({ name, email, password: password.optional() }),
      }),
      response: z.object({ tenant: tenantSchema, owner: userSchema, ownerSetupLink: resetLinkSchema.nullable() }),
      handler: ({ ctx, body, req }) => tenants.create(ctx, body, originOf(req)),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/super-admin/tenants/{tenantId}',
      tag,
      summary: 'Get a tenant organization',
      access: operator,
      params: tenantParams,
      response: tenantSchema.extend({ owner: userSchema.nullable(), usage: usageSchema }),
      handler: ({ ctx, params }) => tenants.get(ctx, params.tenantId),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/super-admin/tenants/{tenantId}',
      tag,
      summary: 'Suspend a tenant organization',
      access: operator,
      description:
        'Deletes softly: the organization is suspended at once (its users are signed out and cannot sign in) and its data and media are purged after the grace period ' +
        '(TENANT_PURGE_GRACE_DAYS, 30 by default) by a background job. Until then PATCH `status: active` restores it. Deleting it again changes nothing.',
      params: tenantParams,
      response: tenantSchema,
      handler: ({ ctx, params }) => tenants.remove(ctx, params.tenantId),
    }),
    defineRoute({
      method: 'patch',
      path: '/api/v1/super-admin/tenants/{tenantId}',
      tag,
      summary: 'Update a tenant organization',
      access: operator,
      description:
        '`status: suspended` suspends it (its users are signed out at once); `status: active` activates it again, and restores one deleted within its grace period.',
      params: tenantParams,
      body: z.object({ name: name.optional(), timezone: timezone.optional(), status: tenantStatus.optional() }),
      response: tenantSchema.extend({ owner: userSchema.nullable(), usage: usageSchema }),
      handler: ({ ctx, params, body }) => tenants.update(ctx, params.tenantId, body),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/super-admin/tenants/{tenantId}/impersonate',
      tag,
      summary: 'Impersonate a tenant admin',
      access: operator,
      description: `Acts as the organization's owner for ${IMPERSONATION_TTL_SECONDS / 60} minutes: a tenant token (also set as this browser's session cookie) that records the super-admin as the real actor; the start and everything done with it are in the organization's activity log, and the web UI shows a banner.`,
      params: tenantParams,
      response: impersonationSchema,
      handler: async ({ ctx, params, req, res }) => impersonation(req, res, await tenants.impersonateOwner(ctx, params.tenantId)),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/super-admin/usage',
      tag,
      summary: 'List all tenants with usage statistics',
      access: operator,
      description:
        "Conversations and messages (in all and this month on each organization's calendar), stored media, agents and AI tokens.",
      query: pageQuery,
      response: z.object({
        data: z.array(z.object({ tenant: tenantSchema, usage: usageSchema })),
        nextCursor: z.string().nullable(),
      }),
      handler: ({ ctx, query }) => tenantUsageList(ctx, query),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/super-admin/health',
      tag,
      summary: 'System health check',
      access: operator,
      description:
        'Database size, free disk in the data folder, the job queue (pending, due, running, failed in 24 h, and lag: how long the oldest due job has waited), ' +
        'undelivered events, channel accounts needing attention, the tunnel and the last backup. `problems` names what needs a look.',
      response: z.object({
        status: z.enum(['ok', 'degraded']),
        problems: z.array(z.string()),
        checkedAt: timestamp,
        database: z.object({ type: z.string(), sizeBytes: z.number().nullable() }),
        disk: z.object({ path: z.string(), freeBytes: z.number().nullable(), totalBytes: z.number().nullable() }),
        jobs: z.object({
          pending: z.number().int(),
          due: z.number().int(),
          running: z.number().int(),
          failedLast24h: z.number().int(),
          lagSeconds: z.number(),
        }),
        events: z.object({ undispatched: z.number().int(), lagSeconds: z.number() }),
        channelAccountsInError: z.array(
          z.object({
            accountId: z.string(),
            tenantId: z.string(),
            tenantName: z.string().nullable(),
            channel: z.string(),
            name: z.string(),
            status: z.string(),
            since: timestamp,
          }),
        ),
        tunnel: z
          .object({
            provider: z.string(),
            state: z.string(),
            publicUrl: z.string().nullable(),
            error: z.string().nullable(),
            since: z.string().nullable(),
          })
          .nullable(),
        lastBackup: z.object({ at: z.string(), ok: z.boolean(), name: z.string().nullable(), error: z.string().nullable() }).nullable(),
      }),
      handler: ({ ctx }) => systemHealth(ctx),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/super-admin/admins',
      tag,
      summary: 'List super-admin accounts',
      access: operator,
      response: z.object({ data: z.array(adminSchema), nextCursor: z.string().nullable() }),
      handler: ({ ctx }) => service.list(ctx),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/super-admin/admins',
      tag,
      summary: 'Create a super-admin account',
      access: operator,
      status: 201,
      body: z.object({ name, email, password }),
      response: adminSchema,
      handler: ({ ctx, body }) => service.create(ctx, body),
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v1/super-admin/admins/{adminId}',
      tag,
      summary: 'Delete a super-admin account',
      access: operator,
      description: 'Not your own account, and not the last one (409).',
      params: idParam('adminId'),
      status: 204,
      handler: ({ ctx, params }) => service.remove(ctx, params.adminId),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/super-admin/admins/{adminId}/reset-password',
      tag,
      summary: "Reset a super-admin's password",
      access: operator,
      description:
        'Issues a one-time link (24 hours) for that super-admin to choose a new password; earlier links stop working. No password is set by the caller.',
      params: idParam('adminId'),
      status: 201,
      response: resetLinkSchema,
      handler: ({ ctx, params, req }) => service.resetPassword(ctx, params.adminId, originOf(req)),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/super-admin/tenants/{tenantId}/users',
      tag,
      summary: 'List tenant users',
      access: operator,
      params: tenantParams,
      query: pageQuery.extend({ status: z.enum(['active', 'suspended']).optional() }),
      response: z.object({ data: z.array(userSchema), nextCursor: z.string().nullable() }),
      handler: ({ ctx, params, query }) => tenants.users(ctx, params.tenantId, query),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/super-admin/tenants/{tenantId}/users/{userId}/reset-password',
      tag,
      summary: "Reset a tenant user's password",
      access: operator,
      description:
        'Issues a one-time link (24 hours) for the user to choose a new password, recorded in the organization’s activity log. No password is set by the caller.',
      params: userParams,
      status: 201,
      response: resetLinkSchema,
      handler: ({ ctx, params, req }) => tenants.resetUserPassword(ctx, params.tenantId, params.userId, originOf(req)),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/super-admin/tenants/{tenantId}/users/{userId}/suspend',
      tag,
      summary: 'Suspend a tenant user',
      access: operator,
      description: 'The user is signed out at once (their token and API keys stop working) and cannot sign in until activated.',
      params: userParams,
      response: userSchema,
      handler: ({ ctx, params }) => tenants.setUserStatus(ctx, params.tenantId, params.userId, 'suspended'),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/super-admin/tenants/{tenantId}/users/{userId}/activate',
      tag,
      summary: 'Activate a tenant user',
      access: operator,
      params: userParams,
      response: userSchema,
      handler: ({ ctx, params }) => tenants.setUserStatus(ctx, params.tenantId, params.userId, 'active'),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/super-admin/tenants/{tenantId}/users/{userId}/impersonate',
      tag,
      summary: 'Impersonate a tenant user',
      access: operator,
      description: `Acts as this user for ${IMPERSONATION_TTL_SECONDS / 60} minutes (see POST …/tenants/{tenantId}/impersonate).`,
      params: userParams,
      response: impersonationSchema,
      handler: async ({ ctx, params, req, res }) => impersonation(req, res, await tenants.impersonate(ctx, params.tenantId, params.userId)),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v1/password-resets/{token}',
      tag,
      summary: 'Check a password reset link',
      access: access.public,
      description: 'Who the link is for, without using it; 404 for an unknown link, 410 for a used or expired one.',
      before: [deps.authLimiter],
      params: z.object({ token: z.string().max(200) }),
      response: z.object({ kind: z.enum(['user', 'super_admin']), email: z.string(), name: z.string(), expiresAt: timestamp }),
      handler: ({ ctx, params }) => passwordResets.inspect(ctx, params.token),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v1/password-resets/{token}',
      tag,
      summary: 'Choose a new password with a reset link',
      access: access.public,
      description:
        "Uses a super-admin's link up; then sign in at the operator console. (Tenant users' links open /reset-password#token=… and use POST /api/v1/auth/password-reset.)",
      before: [deps.authLimiter],
      params: z.object({ token: z.string().max(200) }),
      body: z.object({ password }),
      response: z.object({ kind: z.enum(['user', 'super_admin']) }),
      handler: ({ ctx, params, body }) => passwordResets.complete(ctx, params.token, body.password),
    }),
  ];
}
