// Registration, login and sessions for tenant users.
//
// An email is unique within an organization, not across the appliance (issue 12): registering or
// adding a person never tells anyone that an address belongs to another organization. Login checks
// the password against every account with that email; when it matches accounts in several
// organizations, and only then, the answer asks which one (409 with the list).
import type { Ctx, TenantCtx } from '../../core/context.js';
import { HttpError, forbidden, unauthorized } from '../../core/http/errors.js';
import { burnPasswordCheck, hashPassword, verifyPassword } from '../../core/auth/passwords.js';
import type { TokenService } from '../../core/auth/tokens.js';
import { recordActivity } from '../../core/audit.js';
import { emitEvent } from '../../core/events/outbox.js';
import { UserEntity, type User } from '../agents/agent.entity.js';
import { RoleEntity } from '../roles/role.entity.js';
import { TenantEntity } from '../tenants/tenant.entity.js';
import { ApiKeyEntity } from '../api-keys/api-key.entity.js';
import { agentView } from '../agents/agents.service.js';
import { describePasswordLink, usePasswordLink } from '../agents/password-reset.service.js';
import { createTenantWithOwner, tenantView } from '../tenants/tenants.service.js';
import { freshSessionToken, revokeSessions, startSession } from '../sessions/sessions.service.js';

/** More accounts than this under one email are not tried (each check costs ~50 ms of argon2). */
const MAX_ACCOUNTS_PER_EMAIL = 20;

const invalidLogin = () => unauthorized('Invalid email or password', 'invalid_credentials');

export function authService(tokens: TokenService) {
  return {
    async register(ctx: Ctx, body: { organizationName: string; name: string; email: string; password: string }) {
      const passwordHash = await hashPassword(body.password);
      const now = ctx.now();
      const { tenant, owner, roles, token } = await ctx.transaction(async (m) => {
        const created = await createTenantWithOwner(
          m,
          { organizationName: body.organizationName, ownerName: body.name, email: body.email, passwordHash },
          now,
        );
        await recordActivity(ctx, m, {
          tenantId: created.tenant.id,
          action: 'auth.register',
          targetType: 'tenant',
          targetId: created.tenant.id,
          actor: { type: 'user', id: created.owner.id, name: created.owner.name },
        });
        const session = await startSession(ctx, tokens, { tenantId: created.tenant.id, userId: created.owner.id }, m);
        return { ...created, token: session.token };
      });
      return { token, user: agentView(owner, roles[0]), tenant: tenantView(tenant) };
    },

    async login(ctx: Ctx, body: { email: string; password: string; organizationId?: string }) {
      const candidates = await ctx.db
        .getRepository(UserEntity)
        .find({ where: { email: body.email }, order: { createdAt: 'ASC' }, take: MAX_ACCOUNTS_PER_EMAIL });
      // One answer for an unknown email and a wrong password, in about the same time (the checks run in parallel).
      if (candidates.length === 0) {
        await burnPasswordCheck(body.password);
        throw invalidLogin();
      }
      const checks = await Promise.all(candidates.map((u) => verifyPassword(u.passwordHash, body.password)));
      let matched = candidates.filter((_, i) => checks[i]);
      if (matched.length === 0) throw invalidLogin();
      if (body.organizationId !== undefined) {
        matched = matched.filter((u) => u.tenantId === body.organizationId);
        if (matched.length === 0) throw invalidLogin();
      }
      if (matched.length > 1) {
        // Only someone who knows the password learns the organizations it opens.
        const tenants = await ctx.db.getRepository(TenantEntity).find({ where: matched.map((u) => ({ id: u.tenantId })) });
        throw new HttpError(409, 'This email and password open accounts in several organizations; choose one (organizationId)', {
          code: 'choose_organization',
          errors: [{ path: 'organizationId', message: 'Choose an organization', code: 'choose_organization' }],
          organizations: tenants.map((t) => ({ id: t.id, name: t.name, slug: t.slug })),
        });
      }
      const user = matched[0];
      if (user.status !== 'active') throw forbidden('This account is suspended; contact your administrator', 'account_suspended');
      const tenant = await ctx.db.getRepository(TenantEntity).findOneOrFail({ where: { id: user.tenantId } });
      if (tenant.status !== 'active') throw forbidden('This organization is suspended', 'organization_suspended');
      const role = await ctx.db.getRepository(RoleEntity).findOne({ where: { id: user.roleId } });
      const now = ctx.now();
      const token = await ctx.transaction(async (m) => {
        await m.getRepository(UserEntity).update({ id: user.id }, { lastSeenAt: now });
        await recordActivity(ctx, m, {
          tenantId: user.tenantId,
          action: 'auth.login',
          targetType: 'agent',
          targetId: user.id,
          actor: { type: 'user', id: user.id, name: user.name },
        });
        return (await startSession(ctx, tokens, { tenantId: user.tenantId, userId: user.id }, m)).token;
      });
      return { token, user: agentView({ ...user, lastSeenAt: now }, role) };
    },

    async me(ctx: TenantCtx) {
      const user = await ctx.db.getRepository(UserEntity).findOneOrFail({ where: { id: ctx.principal.userId, tenantId: ctx.tenantId } });
      const role = await ctx.db.getRepository(RoleEntity).findOne({ where: { id: user.roleId, tenantId: ctx.tenantId } });
      const tenant = await ctx.db.getRepository(TenantEntity).findOneOrFail({ where: { id: ctx.tenantId } });
      return {
        user: agentView(user, role),
        tenant: tenantView(tenant),
        permissions: [...ctx.principal.permissions].sort(),
        impersonatedBy: ctx.principal.impersonatorId ?? null,
      };
    },

    /** Ends this session (its tokens stop working at once, its open sockets are disconnected). */
    async logout(ctx: TenantCtx) {
      const { sessionId, userId } = ctx.principal;
      await ctx.transaction(async (m) => {
        if (sessionId) await revokeSessions(m, { sessionId }, { tenantId: ctx.tenantId, userId }, 'logout', ctx.now());
        await recordActivity(ctx, m, { tenantId: ctx.tenantId, action: 'auth.logout', targetType: 'agent', targetId: userId });
      });
    },

    /** A new token for this session; called with an API key, a session that ends with the key. */
    async freshToken(ctx: TenantCtx) {
      const keyId = ctx.principal.apiKeyId;
      const key = keyId ? await ctx.db.getRepository(ApiKeyEntity).findOne({ where: { id: keyId } }) : null;
      return freshSessionToken(ctx, tokens, ctx.principal, key?.expiresAt ?? null);
    },

    /**
     * Changes the caller's own password, given the current one. Every session of theirs ends
     * (other browsers and open sockets too); this caller gets a new token.
     */
    async changePassword(ctx: TenantCtx, body: { currentPassword: string; newPassword: string }) {
      if (ctx.principal.impersonatorId) throw forbidden("An impersonating super-admin cannot change the user's password");
      const users = ctx.db.getRepository(UserEntity);
      const user = await users.findOneOrFail({ where: { id: ctx.principal.userId, tenantId: ctx.tenantId } });
      if (!(await verifyPassword(user.passwordHash, body.currentPassword)))
        throw new HttpError(400, 'The current password is not correct', {
          errors: [{ path: 'currentPassword', message: 'Not your current password' }],
        });
      const passwordHash = await hashPassword(body.newPassword);
      const now = ctx.now();
      return ctx.transaction(async (m) => {
        await m.getRepository(UserEntity).update({ id: user.id }, { passwordHash, updatedAt: now } satisfies Partial<User>);
        await revokeSessions(m, { userId: user.id }, { tenantId: ctx.tenantId, userId: user.id }, 'password_changed', now);
        await recordActivity(ctx, m, { tenantId: ctx.tenantId, action: 'auth.password_changed', targetType: 'agent', targetId: user.id });
        await emitEvent(m, { tenantId: ctx.tenantId, type: 'agent.password_changed', payload: { agentId: user.id } }, now);
        const session = await startSession(ctx, tokens, { tenantId: ctx.tenantId, userId: user.id }, m);
        return { token: session.token };
      });
    },

    describePasswordLink: (ctx: Ctx, token: string) => describePasswordLink(ctx, token),

    async usePasswordLink(ctx: Ctx, body: { token: string; password: string }) {
      await usePasswordLink(ctx, body.token, body.password);
    },
  };
}
