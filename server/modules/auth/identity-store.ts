// The identity store core's Authenticator reads through: users with their organization and role,
// API keys and super-admins, as stored by the agents, tenants, roles, api-keys and super-admin modules.
import { IsNull, type DataSource } from 'typeorm';
import type { IdentityStore } from '../../core/auth/authenticate.js';
import type { TenantPrincipal } from '../../core/context.js';
import { forbidden, unauthorized } from '../../core/http/errors.js';
import { isPermission, type Permission } from '../../core/permissions.js';
import { UserEntity } from '../agents/agent.entity.js';
import { RoleEntity } from '../roles/role.entity.js';
import { TenantEntity } from '../tenants/tenant.entity.js';
import { ApiKeyEntity } from '../api-keys/api-key.entity.js';
import { SuperAdminEntity } from '../super-admin/super-admin.entity.js';
import { SessionEntity } from '../sessions/session.entity.js';
import { findSession } from '../sessions/sessions.service.js';

export function identityStore(db: DataSource): IdentityStore {
  return {
    principalEntities: [UserEntity.options.name, TenantEntity.options.name, RoleEntity.options.name],
    sessionEntities: [SessionEntity.options.name],

    loadSession: (sessionId) => findSession({ db }, sessionId),

    async loadUser(userId: string): Promise<TenantPrincipal> {
      const user = await db.getRepository(UserEntity).findOne({ where: { id: userId } });
      if (!user) throw unauthorized('This account no longer exists');
      if (user.status !== 'active') throw forbidden('This account is suspended', 'account_suspended');
      const tenant = await db.getRepository(TenantEntity).findOne({ where: { id: user.tenantId } });
      if (!tenant) throw unauthorized('This organization no longer exists');
      if (tenant.status !== 'active') throw forbidden('This organization is suspended', 'organization_suspended');
      const role = await db.getRepository(RoleEntity).findOne({ where: { id: user.roleId, tenantId: user.tenantId } });
      const permissions = new Set<Permission>((role?.permissions ?? []).filter(isPermission));
      return {
        kind: 'user',
        userId: user.id,
        tenantId: user.tenantId,
        name: user.name,
        email: user.email,
        roleId: user.roleId,
        permissions,
      };
    },

    findApiKey: (prefix) => db.getRepository(ApiKeyEntity).findOne({ where: { prefix, revokedAt: IsNull() } }),

    async touchApiKey(id, at) {
      await db.getRepository(ApiKeyEntity).update({ id }, { lastUsedAt: at });
    },

    findSuperAdmin: (id) => db.getRepository(SuperAdminEntity).findOne({ where: { id } }),
  };
}
