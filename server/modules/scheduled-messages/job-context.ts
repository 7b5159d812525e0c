// A request context for background work done on a user's behalf (a scheduled message is sent as
// the agent who scheduled it), so services written for requests can run from a durable job.
import type { Services, TenantCtx } from '../../core/context.js';
import type { User } from '../agents/agent.entity.js';

export function contextForUser(
  services: Services,
  user: Pick<User, 'id' | 'tenantId' | 'roleId' | 'name' | 'email'>,
  requestId: string,
): TenantCtx {
  return {
    ...services,
    requestId,
    ip: null,
    tenantId: user.tenantId,
    principal: {
      kind: 'user',
      userId: user.id,
      tenantId: user.tenantId,
      name: user.name,
      email: user.email,
      roleId: user.roleId,
      permissions: new Set(),
    },
  };
}
