// A super-admin's one-time password reset link, issued by another super-admin in the operator
// console and shown to them to pass on. Tenant users' links (the operator's "reset a user's
// password", an organization's setup link, an admin's reset, an invitation) are the organization's
// own, in modules/agents/password-reset.service.ts; both use the one token mechanism of
// core/auth/one-time-links.ts: only the token's hash is stored, a link works once, for 24 hours
// here, and issuing a new one voids the earlier ones. Setting another person's password directly is
// not offered.
import { IsNull } from 'typeorm';
import type { Ctx } from '../../core/context.js';
import { HttpError, notFound } from '../../core/http/errors.js';
import { hashPassword } from '../../core/auth/passwords.js';
import { hashLinkToken, looksLikeLinkToken, newLinkToken } from '../../core/auth/one-time-links.js';
import { newId } from '../../core/ids.js';
import { PasswordResetLinkEntity, SuperAdminEntity, type PasswordResetLink } from './super-admin.entity.js';

export const RESET_LINK_TTL_MS = 24 * 3600_000;

export interface IssuedLink {
  url: string;
  expiresAt: Date;
}

/** Issues a link for the super-admin `adminId`; `origin` is where the web UI is reached (the request's own). */
export async function issueResetLink(ctx: Ctx, adminId: string, origin: string): Promise<IssuedLink> {
  const { token, tokenHash } = newLinkToken();
  const now = ctx.now();
  const expiresAt = new Date(now.getTime() + RESET_LINK_TTL_MS);
  await ctx.transaction(async (m) => {
    const links = m.getRepository(PasswordResetLinkEntity);
    await links.update({ principalType: 'super_admin', principalId: adminId, usedAt: IsNull() }, { expiresAt: now });
    await links.insert({
      id: newId(),
      principalType: 'super_admin',
      principalId: adminId,
      tenantId: null,
      tokenHash,
      expiresAt,
      usedAt: null,
      createdById: ctx.principal?.kind === 'super_admin' ? ctx.principal.adminId : null,
      createdAt: now,
    });
  });
  return { url: `${origin.replace(/\/+$/, '')}/reset-password/${token}`, expiresAt };
}

/** The usable super-admin link for this token (links of tenant users are never here). */
async function usableLink(ctx: Ctx, token: string): Promise<PasswordResetLink> {
  const link = looksLikeLinkToken(token)
    ? await ctx.db
        .getRepository(PasswordResetLinkEntity)
        .findOne({ where: { tokenHash: hashLinkToken(token), principalType: 'super_admin' } })
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
    const who = await ctx.db
      .getRepository(SuperAdminEntity)
      .findOne({ where: { id: link.principalId }, select: { id: true, email: true, name: true } });
    if (!who) throw notFound('Reset link');
    return { kind: 'super_admin' as const, email: who.email, name: who.name, expiresAt: link.expiresAt };
  },

  /** Sets the new password and uses the link up. */
  async complete(ctx: Ctx, token: string, password: string) {
    const link = await usableLink(ctx, token);
    const passwordHash = await hashPassword(password);
    const now = ctx.now();
    await ctx.transaction(async (m) => {
      const used = await m.getRepository(PasswordResetLinkEntity).update({ id: link.id, usedAt: IsNull() }, { usedAt: now });
      if (!used.affected) throw new HttpError(410, 'This reset link has been used or has expired; ask for a new one');
      const admin = await m.getRepository(SuperAdminEntity).findOne({ where: { id: link.principalId } });
      if (!admin) throw notFound('Reset link');
      await m.getRepository(SuperAdminEntity).update({ id: admin.id }, { passwordHash });
    });
    return { kind: 'super_admin' as const };
  },
};
