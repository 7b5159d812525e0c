// Invitations: an admin invites someone by email with a role; they get a one-time link (copied by
// the admin, and mailed when the appliance has SMTP_URL) where they choose their name and password.
// Only the link's SHA-256 hash is stored; the link works once, until it expires or is revoked.
import { enforceLimit } from '../billing/limits.service.js';
import { createHash, randomBytes } from 'node:crypto';
import { IsNull } from 'typeorm';
import type { Ctx, Services, TenantCtx } from '../../core/context.js';
import { scoped } from '../../core/tenancy.js';
import { conflict, forbidden, notFound, unprocessable } from '../../core/http/errors.js';
import { hashPassword } from '../../core/auth/passwords.js';
import { recordActivity } from '../../core/audit.js';
import { emitEvent } from '../../core/events/outbox.js';
import { enqueueJob, PermanentJobError, type JobHandler } from '../../core/jobs/queue.js';
import { newId } from '../../core/ids.js';
import { lazy } from '../../core/lazy.js';
import { UserEntity } from './agent.entity.js';
import { AgentInvitationEntity, type AgentInvitation } from './invitation.entity.js';
import { RoleEntity, type Role } from '../roles/role.entity.js';
import { TenantEntity } from '../tenants/tenant.entity.js';
import { emailTaken } from './agents.service.js';

export const INVITATION_MAIL_JOB = 'agents.invitation-mail';
/** How long an invitation link works. */
export const INVITATION_DAYS = 7;
const loadNodemailer = lazy(() => import('nodemailer'));
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

type Status = 'pending' | 'accepted' | 'revoked' | 'expired';
function statusOf(i: AgentInvitation, now: Date): Status {
  if (i.acceptedAt) return 'accepted';
  if (i.revokedAt) return 'revoked';
  return i.expiresAt <= now ? 'expired' : 'pending';
}

function invitationView(i: AgentInvitation, role: Pick<Role, 'id' | 'name'> | null, now: Date) {
  return {
    id: i.id,
    email: i.email,
    name: i.name,
    role: role ? { id: role.id, name: role.name } : null,
    status: statusOf(i, now),
    expiresAt: i.expiresAt,
    acceptedAt: i.acceptedAt,
    createdAt: i.createdAt,
  };
}

/** The page of the link, under the address the admin reached us at (or the public one for mail). */
export const invitationPath = (token: string) => `/invite/${token}`;

async function pendingByToken(ctx: Ctx, token: string) {
  const row = /^[A-Za-z0-9_-]{20,100}$/.test(token)
    ? await ctx.db.getRepository(AgentInvitationEntity).findOne({ where: { tokenHash: hashToken(token) } })
    : null;
  const gone = notFound('Invitation');
  if (!row) throw gone;
  const status = statusOf(row, ctx.now());
  if (status !== 'pending') {
    throw conflict(
      status === 'accepted'
        ? 'This invitation has already been used; sign in instead'
        : status === 'expired'
          ? 'This invitation has expired; ask for a new one'
          : 'This invitation was withdrawn',
    );
  }
  const tenant = await ctx.db.getRepository(TenantEntity).findOne({ where: { id: row.tenantId } });
  if (!tenant || tenant.status !== 'active') throw gone;
  return { row, tenant };
}

export const invitationsService = {
  async list(ctx: TenantCtx) {
    const rows = await scoped(ctx, AgentInvitationEntity).find({ acceptedAt: IsNull(), revokedAt: IsNull() }, { createdAt: 'DESC' });
    const roles = new Map((await scoped(ctx, RoleEntity).find()).map((r) => [r.id, r]));
    const now = ctx.now();
    return { data: rows.map((r) => invitationView(r, roles.get(r.roleId) ?? null, now)) };
  },

  async create(ctx: TenantCtx, body: { email: string; name?: string | null; roleId: string }, origin: string) {
    const role = await scoped(ctx, RoleEntity).findOne({ id: body.roleId });
    if (!role) throw unprocessable('The role does not exist', [{ path: 'roleId', message: 'No such role in this organization' }]);
    // The same rule as creating an agent: nobody gives a role with permissions they lack.
    const missing = role.permissions.filter((p) => !ctx.principal.permissions.has(p as never));
    if (missing.length) throw forbidden(`You cannot give a role with permissions you do not have: ${missing.join(', ')}`);
    // An invitation is a seat about to be taken: the plan's agent limit applies now.
    await enforceLimit(ctx, 'agents');
    if (await emailTaken(ctx.db.manager, ctx.tenantId, body.email))
      throw conflict(
        'This email is already an agent of this organization',
        [{ path: 'email', message: 'Already registered', code: 'email_taken' }],
        'email_taken',
      );
    const token = randomBytes(32).toString('base64url');
    const now = ctx.now();
    const expiresAt = new Date(now.getTime() + INVITATION_DAYS * 86_400_000);
    const mailed = Boolean(ctx.config.SMTP_URL);
    const base = (ctx.host.publicUrl() ?? origin).replace(/\/+$/, '');
    const row = await ctx.transaction(async (m) => {
      // A new invitation replaces the pending one to the same address.
      await m
        .getRepository(AgentInvitationEntity)
        .update({ tenantId: ctx.tenantId, email: body.email, acceptedAt: IsNull(), revokedAt: IsNull() }, { revokedAt: now });
      const created = await scoped(ctx, AgentInvitationEntity, m).insert({
        email: body.email,
        name: body.name ?? null,
        roleId: role.id,
        tokenHash: hashToken(token),
        expiresAt,
        acceptedAt: null,
        revokedAt: null,
        userId: null,
        createdById: ctx.principal.userId,
        createdAt: now,
      });
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'agent.invited',
        targetType: 'invitation',
        targetId: created.id,
        details: { email: body.email, role: role.name, mailed },
      });
      if (mailed) {
        // The link is a secret: the job keeps it sealed.
        const link = ctx.vault.encrypt(`${base}${invitationPath(token)}`);
        await enqueueJob(m, INVITATION_MAIL_JOB, { invitationId: created.id, link }, now, { tenantId: ctx.tenantId });
      }
      return created;
    });
    return { ...invitationView(row, role, now), url: `${origin.replace(/\/+$/, '')}${invitationPath(token)}`, mailed };
  },

  async revoke(ctx: TenantCtx, id: string) {
    const row = await scoped(ctx, AgentInvitationEntity).get(id, 'Invitation');
    if (row.acceptedAt) throw conflict('This invitation has already been used');
    if (row.revokedAt) return;
    await ctx.transaction(async (m) => {
      await scoped(ctx, AgentInvitationEntity, m).update(id, { revokedAt: ctx.now() });
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'agent.invitation_revoked',
        targetType: 'invitation',
        targetId: id,
        details: { email: row.email },
      });
    });
  },

  /** What the invitation page shows before the person accepts. */
  async lookup(ctx: Ctx, token: string) {
    const { row, tenant } = await pendingByToken(ctx, token);
    const role = await ctx.db.getRepository(RoleEntity).findOne({ where: { id: row.roleId, tenantId: row.tenantId } });
    return { email: row.email, name: row.name, organization: tenant.name, role: role?.name ?? null, expiresAt: row.expiresAt };
  },

  /** Creates the agent with the invitation's email and role; the link is used up. */
  async accept(ctx: Ctx, token: string, body: { name: string; password: string }) {
    const { row } = await pendingByToken(ctx, token);
    const role = await ctx.db.getRepository(RoleEntity).findOne({ where: { id: row.roleId, tenantId: row.tenantId } });
    if (!role) throw conflict('The role of this invitation no longer exists; ask for a new one');
    if (await emailTaken(ctx.db.manager, row.tenantId, row.email))
      throw conflict('This email is already an agent of this organization; sign in instead', undefined, 'email_taken');
    const passwordHash = await hashPassword(body.password);
    const now = ctx.now();
    const userId = newId();
    await ctx.transaction(async (m) => {
      // Used once: the update only succeeds for the request that finds it still pending.
      const claimed = await m
        .getRepository(AgentInvitationEntity)
        .update({ id: row.id, acceptedAt: IsNull(), revokedAt: IsNull() }, { acceptedAt: now, userId });
      if (!claimed.affected) throw conflict('This invitation has already been used; sign in instead');
      await m.getRepository(UserEntity).insert({
        id: userId,
        tenantId: row.tenantId,
        roleId: role.id,
        name: body.name,
        email: row.email,
        passwordHash,
        status: 'active',
        online: false,
        lastSeenAt: null,
        createdAt: now,
        updatedAt: now,
      } as never);
      await recordActivity(ctx, m, {
        tenantId: row.tenantId,
        action: 'agent.invitation_accepted',
        targetType: 'agent',
        targetId: userId,
        details: { email: row.email, role: role.name, invitationId: row.id },
        actor: { type: 'user', id: userId, name: body.name },
      });
      await emitEvent(m, { tenantId: row.tenantId, type: 'agent.created', payload: { agentId: userId } }, now);
    });
    return { email: row.email };
  },
};

/** Mails the invitation link (in English and Bahasa Indonesia) through SMTP_URL. */
export function invitationJobs(services: Services): Record<string, JobHandler> {
  return {
    [INVITATION_MAIL_JOB]: async (job) => {
      const smtpUrl = services.config.SMTP_URL;
      if (!smtpUrl) throw new PermanentJobError('SMTP_URL is not set');
      const invitation = await services.db
        .getRepository(AgentInvitationEntity)
        .findOne({ where: { id: String(job.payload.invitationId) } });
      if (!invitation || statusOf(invitation, services.now()) !== 'pending') return;
      const tenant = await services.db.getRepository(TenantEntity).findOne({ where: { id: invitation.tenantId } });
      const link = services.vault.decrypt<string>(String(job.payload.link));
      const org = tenant?.name ?? 'OmniStream';
      const days = INVITATION_DAYS;
      const { default: nodemailer } = await loadNodemailer();
      const transport = nodemailer.createTransport(smtpUrl);
      try {
        await transport.sendMail({
          from: {
            name: `${org} (OmniStream)`,
            address: `no-reply@${new URL(services.host.publicUrl() ?? 'http://omnistream.local').hostname}`,
          },
          to: invitation.email,
          subject: `You are invited to ${org} on OmniStream / Undangan bergabung dengan ${org}`,
          text: [
            `Hello${invitation.name ? ` ${invitation.name}` : ''},`,
            '',
            `You have been invited to answer customers for ${org} on OmniStream. Open this link to choose your password (it works once, for ${days} days):`,
            link,
            '',
            '---',
            '',
            `Halo${invitation.name ? ` ${invitation.name}` : ''},`,
            '',
            `Anda diundang untuk melayani pelanggan ${org} di OmniStream. Buka tautan ini untuk membuat kata sandi (berlaku sekali, selama ${days} hari):`,
            link,
          ].join('\n'),
        });
      } finally {
        transport.close();
      }
    },
  };
}
