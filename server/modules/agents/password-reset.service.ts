// One-time password links (issue 12, finding 4): nobody sets another person's password. Someone
// who may manage a person (or a super-admin) asks for a link; it is shown to them to pass on and,
// when SMTP is configured, mailed to the person; the person opens it and chooses a password at a
// public endpoint. The token is random, stored only as its SHA-256 hash, used once, and expires.
// Setting the password ends every session of that person.
import { IsNull, type EntityManager } from 'typeorm';
import type { Ctx, Services } from '../../core/context.js';
import { badRequest } from '../../core/http/errors.js';
import { hashPassword } from '../../core/auth/passwords.js';
import { hashLinkToken, looksLikeLinkToken, newLinkToken } from '../../core/auth/one-time-links.js';
import { enqueueJob, PermanentJobError, type JobHandler } from '../../core/jobs/queue.js';
import { emitEvent } from '../../core/events/outbox.js';
import { recordActivity } from '../../core/audit.js';
import { lazy } from '../../core/lazy.js';
import { newId } from '../../core/ids.js';
import { smtpError } from '../../channels/email/email.adapter.js';
import { revokeSessions } from '../sessions/sessions.service.js';
import { TenantEntity } from '../tenants/tenant.entity.js';
import { UserEntity, type User } from './agent.entity.js';
import { PasswordResetEntity, type PasswordReset } from './password-reset.entity.js';

/** A reset link works for an hour; an invitation (first password) for a week. */
export const PASSWORD_LINK_TTL_MS: Record<PasswordReset['purpose'], number> = { reset: 3600_000, invite: 7 * 24 * 3600_000 };
export const PASSWORD_LINK_MAIL_JOB = 'agents.password-link-mail';

const loadNodemailer = lazy(() => import('nodemailer'));

export interface PasswordLink {
  /** The link to pass on: the web UI's page that asks for the new password. */
  url: string;
  purpose: PasswordReset['purpose'];
  expiresAt: Date;
  /** True when it was also queued to be mailed to the person (SMTP_URL is configured). */
  mailQueued: boolean;
}

/**
 * Issues a link for `user` inside the caller's transaction: earlier unused links of the person stop
 * working; the mail (if SMTP is configured) is a durable job. `baseUrl` is the address the person
 * reaches the web UI at (the requester's own origin, or PUBLIC_URL).
 */
export async function issuePasswordLink(
  services: Services,
  m: EntityManager,
  input: {
    user: Pick<User, 'id' | 'tenantId'>;
    purpose: PasswordReset['purpose'];
    requestedBy: string;
    baseUrl: string;
    /** Instead of the purpose's default lifetime (the operator's links last a day). */
    ttlMs?: number;
  },
): Promise<PasswordLink> {
  const now = services.now();
  const { token, tokenHash } = newLinkToken();
  const expiresAt = new Date(now.getTime() + (input.ttlMs ?? PASSWORD_LINK_TTL_MS[input.purpose]));
  const repo = m.getRepository(PasswordResetEntity);
  await repo.update({ userId: input.user.id, usedAt: IsNull() }, { usedAt: now });
  const row: PasswordReset = {
    id: newId(),
    tenantId: input.user.tenantId,
    userId: input.user.id,
    tokenHash,
    purpose: input.purpose,
    requestedBy: input.requestedBy,
    expiresAt,
    usedAt: null,
    createdAt: now,
  };
  await repo.insert(row);
  // The token goes in the fragment: browsers never send it to the server, nor in a Referer.
  const url = `${input.baseUrl.replace(/\/+$/, '')}/reset-password#token=${token}`;
  const mailQueued = Boolean(services.config.SMTP_URL);
  if (mailQueued) {
    await enqueueJob(m, PASSWORD_LINK_MAIL_JOB, { resetId: row.id, link: services.vault.encrypt(url) }, now, {
      tenantId: input.user.tenantId,
      maxAttempts: 8,
    });
  }
  return { url, purpose: input.purpose, expiresAt, mailQueued };
}

/** The unused, unexpired link for this token, with its person; 400 naming `token` otherwise. */
async function validLink(services: Services, token: string, m: EntityManager = services.db.manager) {
  const invalid = badRequest('This password link is not valid: it was mistyped, already used or has expired; ask for a new one', [
    { path: 'token', message: 'Invalid, used or expired link' },
  ]);
  if (!looksLikeLinkToken(token)) throw invalid;
  const reset = await m.getRepository(PasswordResetEntity).findOne({ where: { tokenHash: hashLinkToken(token) } });
  if (!reset || reset.usedAt || reset.expiresAt.getTime() <= services.now().getTime()) throw invalid;
  const user = await m.getRepository(UserEntity).findOne({ where: { id: reset.userId, tenantId: reset.tenantId } });
  if (!user) throw invalid;
  return { reset, user };
}

/** Who the link is for, so the page can say whose password is being set. */
export async function describePasswordLink(services: Services, token: string) {
  const { reset, user } = await validLink(services, token);
  const tenant = await services.db.getRepository(TenantEntity).findOne({ where: { id: user.tenantId } });
  return {
    purpose: reset.purpose,
    name: user.name,
    email: user.email,
    organization: tenant?.name ?? '',
    expiresAt: reset.expiresAt,
  };
}

/** Sets the person's password from a link, once; every session of theirs ends. */
export async function usePasswordLink(services: Ctx, token: string, password: string): Promise<void> {
  const passwordHash = await hashPassword(password);
  const now = services.now();
  await services.transaction(async (m) => {
    // Checked again inside the transaction: two uses of one link cannot both succeed.
    const { reset, user } = await validLink(services, token, m);
    const used = await m.getRepository(PasswordResetEntity).update({ id: reset.id, usedAt: IsNull() }, { usedAt: now });
    if (!used.affected) throw badRequest('This password link was already used', [{ path: 'token', message: 'Already used' }]);
    await m.getRepository(UserEntity).update({ id: user.id }, { passwordHash, updatedAt: now });
    await revokeSessions(m, { userId: user.id }, { tenantId: user.tenantId, userId: user.id }, 'password_reset', now);
    await recordActivity(services, m, {
      tenantId: user.tenantId,
      action: reset.purpose === 'invite' ? 'auth.password_set' : 'auth.password_reset',
      targetType: 'agent',
      targetId: user.id,
      actor: { type: 'user', id: user.id, name: user.name },
    });
    await emitEvent(m, { tenantId: user.tenantId, type: 'agent.password_changed', payload: { agentId: user.id } }, now);
  });
}

function mailText(purpose: PasswordReset['purpose'], name: string, organization: string, url: string, expiresAt: Date) {
  const until = expiresAt.toISOString().replace('T', ' ').slice(0, 16);
  if (purpose === 'invite') {
    return {
      subject: `Set your OmniStream password / Atur kata sandi OmniStream Anda (${organization})`,
      text:
        `Hello ${name},\n\nYou have been added to ${organization} on OmniStream. Choose your password here (the link works once, until ${until} UTC):\n\n${url}\n\n` +
        `— \n\nHalo ${name},\n\nAnda telah ditambahkan ke ${organization} di OmniStream. Pilih kata sandi Anda di sini (tautan hanya berlaku sekali, sampai ${until} UTC):\n\n${url}\n`,
    };
  }
  return {
    subject: `Reset your OmniStream password / Atur ulang kata sandi OmniStream Anda (${organization})`,
    text:
      `Hello ${name},\n\nA new password was requested for your ${organization} account on OmniStream. Choose it here (the link works once, until ${until} UTC):\n\n${url}\n\nIf you did not expect this, tell your administrator.\n\n` +
      `— \n\nHalo ${name},\n\nKata sandi baru diminta untuk akun ${organization} Anda di OmniStream. Pilih di sini (tautan hanya berlaku sekali, sampai ${until} UTC):\n\n${url}\n\nJika Anda tidak mengharapkan ini, beri tahu administrator Anda.\n`,
  };
}

/** The durable job that mails a link (only queued when SMTP_URL is set). */
export function passwordLinkJobs(services: Services): Record<string, JobHandler> {
  return {
    [PASSWORD_LINK_MAIL_JOB]: async (job) => {
      const reset = await services.db.getRepository(PasswordResetEntity).findOne({ where: { id: String(job.payload.resetId) } });
      // Used, replaced or expired meanwhile: nothing worth sending.
      if (!reset || reset.usedAt || reset.expiresAt.getTime() <= services.now().getTime()) return;
      const user = await services.db.getRepository(UserEntity).findOne({ where: { id: reset.userId } });
      const tenant = await services.db.getRepository(TenantEntity).findOne({ where: { id: reset.tenantId } });
      const smtpUrl = services.config.SMTP_URL;
      if (!user || !tenant || !smtpUrl) return;
      const url = services.vault.decrypt<string>(String(job.payload.link));
      const { subject, text } = mailText(reset.purpose, user.name, tenant.name, url, reset.expiresAt);
      const { default: nodemailer } = await loadNodemailer();
      const transport = nodemailer.createTransport({
        url: smtpUrl,
        connectionTimeout: 15_000,
        greetingTimeout: 15_000,
        socketTimeout: 60_000,
      });
      try {
        await transport.sendMail({ from: services.config.SMTP_FROM ?? defaultSender(smtpUrl), to: user.email, subject, text });
      } catch (err) {
        const failure = smtpError(err);
        throw failure.retryable ? failure : new PermanentJobError(failure.reason);
      } finally {
        transport.close();
      }
    },
  };
}

/** The SMTP login when it is an address, else a no-reply address (set SMTP_FROM for a proper one). */
function defaultSender(smtpUrl: string): string {
  try {
    const user = decodeURIComponent(new URL(smtpUrl).username);
    if (user.includes('@')) return `OmniStream <${user}>`;
  } catch {
    // fall through
  }
  return 'OmniStream <no-reply@omnistream.local>';
}
