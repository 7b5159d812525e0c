// Sessions: every tenant token is minted here and names its session (`sid`), so it can be ended
// before it expires. Core's Authenticator checks the session on every request and Socket.IO event
// (through the identity store, cached and emptied on writes); revoking emits SESSIONS_REVOKED_EVENT,
// after which the realtime layer re-checks and disconnects the person's open sockets.
import { IsNull, LessThan, type EntityManager, type FindOptionsWhere } from 'typeorm';
import type { Services, TenantPrincipal } from '../../core/context.js';
import { SESSIONS_REVOKED_EVENT } from '../../core/auth/authenticate.js';
import { TENANT_AUDIENCE, type TokenService } from '../../core/auth/tokens.js';
import { emitEvent } from '../../core/events/outbox.js';
import { newId } from '../../core/ids.js';
import { SessionEntity, type Session } from './session.entity.js';

/** Tokens minted while impersonating stay short-lived. */
export const IMPERSONATION_TTL_SECONDS = 3600;

export interface SessionInput {
  tenantId: string;
  userId: string;
  /** The API key the caller used, when a token is minted from one: the session ends with the key. */
  apiKeyId?: string | null;
  /** The key's own expiry: the token never outlives it. */
  apiKeyExpiresAt?: Date | null;
  impersonatorId?: string | null;
  ttlSeconds?: number;
}

function ttlFor(services: Services, input: Pick<SessionInput, 'ttlSeconds' | 'impersonatorId' | 'apiKeyExpiresAt'>): number {
  let ttl = input.ttlSeconds ?? (input.impersonatorId ? IMPERSONATION_TTL_SECONDS : services.config.JWT_TTL_SECONDS);
  if (input.apiKeyExpiresAt) ttl = Math.min(ttl, Math.floor((input.apiKeyExpiresAt.getTime() - services.now().getTime()) / 1000));
  return Math.max(ttl, 1);
}

const sign = (tokens: TokenService, s: Pick<Session, 'id' | 'userId' | 'tenantId' | 'impersonatorId'>, ttl: number) =>
  tokens.sign(TENANT_AUDIENCE, { sub: s.userId, tid: s.tenantId, sid: s.id, ...(s.impersonatorId ? { imp: s.impersonatorId } : {}) }, ttl);

/** Starts a session and returns its first token. Pass `manager` to write it inside a transaction. */
export async function startSession(
  services: Services,
  tokens: TokenService,
  input: SessionInput,
  manager: EntityManager = services.db.manager,
): Promise<{ token: string; sessionId: string; expiresAt: Date }> {
  const ttl = ttlFor(services, input);
  const now = services.now();
  const session: Session = {
    id: newId(),
    tenantId: input.tenantId,
    userId: input.userId,
    apiKeyId: input.apiKeyId ?? null,
    impersonatorId: input.impersonatorId ?? null,
    createdAt: now,
    expiresAt: new Date(now.getTime() + ttl * 1000),
    revokedAt: null,
  };
  await manager.getRepository(SessionEntity).insert(session);
  return { token: await sign(tokens, session, ttl), sessionId: session.id, expiresAt: session.expiresAt };
}

/**
 * A fresh token for the caller's session (same session, new expiry). A caller using an API key gets
 * a new session bound to that key, so the token dies when the key is revoked.
 */
export async function freshSessionToken(
  services: Services,
  tokens: TokenService,
  principal: TenantPrincipal,
  apiKeyExpiresAt?: Date | null,
): Promise<{ token: string }> {
  const repo = services.db.getRepository(SessionEntity);
  const session = principal.sessionId ? await repo.findOne({ where: { id: principal.sessionId, revokedAt: IsNull() } }) : null;
  if (!session) {
    const started = await startSession(services, tokens, {
      tenantId: principal.tenantId,
      userId: principal.userId,
      apiKeyId: principal.apiKeyId ?? null,
      apiKeyExpiresAt,
      impersonatorId: principal.impersonatorId ?? null,
    });
    return { token: started.token };
  }
  const ttl = ttlFor(services, { impersonatorId: session.impersonatorId, apiKeyExpiresAt });
  const expiresAt = new Date(services.now().getTime() + ttl * 1000);
  if (expiresAt > session.expiresAt) await repo.update({ id: session.id }, { expiresAt });
  return { token: await sign(tokens, session, ttl) };
}

export type RevokeScope = { sessionId: string } | { userId: string } | { apiKeyId: string };

/**
 * Ends sessions (one, all of a user's, or all minted with an API key) inside the caller's
 * transaction, and emits the event that disconnects the person's open sockets once it commits.
 * `who` is the user whose sockets are re-checked.
 */
export async function revokeSessions(
  m: EntityManager,
  scope: RevokeScope,
  who: { tenantId: string; userId: string },
  reason: string,
  now: Date,
): Promise<void> {
  const where: FindOptionsWhere<Session> = { revokedAt: IsNull() };
  if ('sessionId' in scope) where.id = scope.sessionId;
  else if ('userId' in scope) where.userId = scope.userId;
  else where.apiKeyId = scope.apiKeyId;
  await m.getRepository(SessionEntity).update(where, { revokedAt: now });
  await emitEvent(m, { tenantId: who.tenantId, type: SESSIONS_REVOKED_EVENT, payload: { userId: who.userId, reason } }, now);
}

/** What the Authenticator needs of a session (see identity-store.ts). */
export async function findSession(services: Pick<Services, 'db'>, id: string) {
  return services.db
    .getRepository(SessionEntity)
    .findOne({ where: { id }, select: { id: true, userId: true, apiKeyId: true, impersonatorId: true, revokedAt: true } });
}

/** Housekeeping: sessions whose last token expired more than a day ago. */
export async function pruneSessions(services: Services): Promise<void> {
  await services.db.getRepository(SessionEntity).delete({ expiresAt: LessThan(new Date(services.now().getTime() - 24 * 3600 * 1000)) });
}
