// One-time password reset links the operator issues (shown to the operator, who passes them on):
// for a tenant user or a super-admin. Only the token's hash is stored; a link works once, for 24
// hours, and issuing a new one voids the earlier ones. Setting another person's password directly
// is not offered.
import { createHash, randomBytes } from 'node:crypto';
import { IsNull } from 'typeorm';
import type { Ctx } from '../../core/context.js';
import { HttpError, notFound } from '../../core/http/errors.js';
import { hashPassword } from '../../core/auth/passwords.js';
import { recordActivity } from '../../core/audit.js';
import { newId } from '../../core/ids.js';
import { UserEntity } from '../agents/agent.entity.js';
import { TenantEntity } from '../tenants/tenant.entity.js';
import { PasswordResetLinkEntity, SuperAdminEntity, type PasswordResetLink } from './super-admin.entity.js';

export const RESET_LINK_TTL_MS = 24 * 3600_000;
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface IssuedLink {
  url: string;
  expiresAt: Date;
}

/** Issues a link for `principal`; `origin` is where the web UI is reached (the request's own). */
export async function issueResetLink(
  ctx: Ctx,
  principal: { type: PasswordResetLink['principalType']; id: string; tenantId: string | null },
  origin: string,
): Promise<IssuedLink> {
  const token = randomBytes(32).toString('base64url');
  const now = ctx.now();
  const expiresAt = new Date(now.getTime() + RESET_LINK_TTL_MS);
  await ctx.transaction(async (m) => {
    const links = m.getRepository(PasswordResetLinkEntity);
    await links.update({ principalType: principal.type, principalId: principal.id, usedAt: IsNull() }, { expiresAt: now });
    await links.insert({
      id: newId(),
      principalType: principal.type,
      principalId: principal.id,
      tenantId: principal.tenantId,
      tokenHash: hashToken(token),
      expiresAt,
      usedAt: null,
      createdById: ctx.principal?.kind === 'super_admin' ? ctx.principal.adminId : null,
      createdAt: now,
    });
    if (principal.tenantId)
      await recordActivity(ctx, m, {
        tenantId: principal.tenantId,
        action: 'agent.password_reset_link',
        targetType: 'agent',
        targetId: principal.id,
        details: { expiresAt: expiresAt.toISOString() },
      });
  });
  return { url: `${origin.replace(/\/+$/, '')}/reset-password/${token}`, expiresAt };
}

async function usableLink(ctx: Ctx, token: string): Promise<PasswordResetLink> {
  const link = /^[\w-]{20,100}$/.test(token)
    ? await ctx.db.getRepository(PasswordResetLinkEntity).findOne({ where: { tokenHash: hashToken(token) } })
    : null;
  if (!link) throw notFound('Reset link');
  if (link.usedAt || link.expiresAt.getTime() <= ctx.now().getTime())
    throw new HttpError(410, 'This reset link has been used or has expired; ask for a new one');
  return link;
}

export const passwordResets = {
  /** Who the link is for (to greet them), without using it. */
  async inspect(ctx: Ctx, token: string) {
    const link = await usableLink(ctx, token);
    const who =
      link.principalType === 'user'
        ? await ctx.db.getRepository(UserEntity).findOne({ where: { id: link.principalId }, select: { id: true, email: true, name: true } })
        : await ctx.db
            .getRepository(SuperAdminEntity)
            .findOne({ where: { id: link.principalId }, select: { id: true, email: true, name: true } });
    if (!who) throw notFound('Reset link');
    return { kind: link.principalType, email: who.email, name: who.name, expiresAt: link.expiresAt };
  },

  /** Sets the new password and uses the link up. */
  async complete(ctx: Ctx, token: string, password: string) {
    const link = await usableLink(ctx, token);
    const passwordHash = await hashPassword(password);
    const now = ctx.now();
    await ctx.transaction(async (m) => {
      const used = await m.getRepository(PasswordResetLinkEntity).update({ id: link.id, usedAt: IsNull() }, { usedAt: now });
      if (!used.affected) throw new HttpError(410, 'This reset link has been used or has expired; ask for a new one');
      if (link.principalType === 'user') {
        const user = await m.getRepository(UserEntity).findOne({ where: { id: link.principalId } });
        if (!user) throw notFound('Reset link');
        await m.getRepository(UserEntity).update({ id: user.id }, { passwordHash, updatedAt: now });
        const tenant = await m.getRepository(TenantEntity).findOne({ where: { id: user.tenantId }, select: { id: true } });
        if (tenant)
          await recordActivity(ctx, m, {
            tenantId: tenant.id,
            action: 'agent.password_reset',
            targetType: 'agent',
            targetId: user.id,
            actor: { type: 'user', id: user.id, name: user.name },
          });
      } else {
        const admin = await m.getRepository(SuperAdminEntity).findOne({ where: { id: link.principalId } });
        if (!admin) throw notFound('Reset link');
        await m.getRepository(SuperAdminEntity).update({ id: admin.id }, { passwordHash });
      }
    });
    return { kind: link.principalType };
  },
};
