// Registration, login and sessions for tenant users.
import type { Ctx, TenantCtx } from '../../core/context.js';
import { conflict, forbidden, unauthorized } from '../../core/http/errors.js';
import { burnPasswordCheck, hashPassword, verifyPassword } from '../../core/auth/passwords.js';
import { TENANT_AUDIENCE, type TokenService } from '../../core/auth/tokens.js';
import { recordActivity } from '../../core/audit.js';
import { UserEntity } from '../agents/agent.entity.js';
import { RoleEntity } from '../roles/role.entity.js';
import { TenantEntity } from '../tenants/tenant.entity.js';
import { agentView, emailTaken } from '../agents/agents.service.js';
import { createTenantWithOwner, tenantView } from '../tenants/tenants.service.js';

/** Tokens minted while impersonating stay short-lived. */
const IMPERSONATION_TTL_SECONDS = 3600;

export function authService(tokens: TokenService) {
  return {
    async register(ctx: Ctx, body: { organizationName: string; name: string; email: string; password: string }) {
      if (await emailTaken(ctx.db.manager, body.email))
        throw conflict(
          'This email is already registered',
          [{ path: 'email', message: 'Already registered', code: 'email_taken' }],
          'email_taken',
        );
      const passwordHash = await hashPassword(body.password);
      const now = ctx.now();
      const { tenant, owner, roles } = await ctx.transaction(async (m) => {
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
        return created;
      });
      const token = await tokens.sign(TENANT_AUDIENCE, { sub: owner.id, tid: tenant.id });
      return { token, user: agentView(owner, roles[0]), tenant: tenantView(tenant) };
    },

    async login(ctx: Ctx, body: { email: string; password: string }) {
      const users = ctx.db.getRepository(UserEntity);
      const user = await users.findOne({ where: { email: body.email } });
      // One answer for an unknown email and a wrong password, in the same time.
      if (!user) {
        await burnPasswordCheck(body.password);
        throw unauthorized('Invalid email or password', 'invalid_credentials');
      }
      if (!(await verifyPassword(user.passwordHash, body.password))) throw unauthorized('Invalid email or password', 'invalid_credentials');
      if (user.status !== 'active') throw forbidden('This account is suspended; contact your administrator', 'account_suspended');
      const tenant = await ctx.db.getRepository(TenantEntity).findOneOrFail({ where: { id: user.tenantId } });
      if (tenant.status !== 'active') throw forbidden('This organization is suspended', 'organization_suspended');
      const role = await ctx.db.getRepository(RoleEntity).findOne({ where: { id: user.roleId } });
      const now = ctx.now();
      await ctx.transaction(async (m) => {
        await m.getRepository(UserEntity).update({ id: user.id }, { lastSeenAt: now });
        await recordActivity(ctx, m, {
          tenantId: user.tenantId,
          action: 'auth.login',
          targetType: 'agent',
          targetId: user.id,
          actor: { type: 'user', id: user.id, name: user.name },
        });
      });
      const token = await tokens.sign(TENANT_AUDIENCE, { sub: user.id, tid: user.tenantId });
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

    async logout(ctx: TenantCtx) {
      await ctx.transaction((m) =>
        recordActivity(ctx, m, { tenantId: ctx.tenantId, action: 'auth.logout', targetType: 'agent', targetId: ctx.principal.userId }),
      );
    },

    async freshToken(ctx: TenantCtx) {
      const { userId, tenantId, impersonatorId } = ctx.principal;
      const token = impersonatorId
        ? await tokens.sign(TENANT_AUDIENCE, { sub: userId, tid: tenantId, imp: impersonatorId }, IMPERSONATION_TTL_SECONDS)
        : await tokens.sign(TENANT_AUDIENCE, { sub: userId, tid: tenantId });
      return { token };
    },
  };
}
