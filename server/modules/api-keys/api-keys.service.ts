// API keys act as the user who created them, with that user's permissions, until revoked; tokens
// minted with a key, and sockets opened with it, end when it is revoked.
import type { TenantCtx } from '../../core/context.js';
import { scoped } from '../../core/tenancy.js';
import { notFound, unprocessable } from '../../core/http/errors.js';
import { recordActivity } from '../../core/audit.js';
import { generateApiKey } from '../../core/auth/api-key-format.js';
import { ApiKeyEntity, type ApiKey } from './api-key.entity.js';
import { revokeSessions } from '../sessions/sessions.service.js';

function apiKeyView(k: ApiKey) {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    lastUsedAt: k.lastUsedAt,
    expiresAt: k.expiresAt,
    scopes: k.scopes ?? null,
    revokedAt: k.revokedAt,
    createdAt: k.createdAt,
  };
}

export const apiKeysService = {
  async list(ctx: TenantCtx, q: { limit: number; cursor?: string }) {
    const page = await scoped(ctx, ApiKeyEntity).page({ where: { userId: ctx.principal.userId }, ...q });
    return { data: page.data.map(apiKeyView), nextCursor: page.nextCursor };
  },

  async create(ctx: TenantCtx, body: { name: string; expiresAt?: string; scopes?: string[] }) {
    const now = ctx.now();
    const expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
    if (expiresAt && expiresAt <= now)
      throw unprocessable('The expiry must be in the future', [{ path: 'expiresAt', message: 'Must be in the future' }]);
    // A key acts for its creator: it may be narrower than them, never wider.
    const scopes = body.scopes ? [...new Set(body.scopes)].sort() : null;
    const beyond = (scopes ?? []).filter((p) => !ctx.principal.permissions.has(p as never));
    if (beyond.length) {
      throw unprocessable(`You cannot give a key permissions you do not have: ${beyond.join(', ')}`, [
        { path: 'scopes', message: `Not yours: ${beyond.join(', ')}` },
      ]);
    }
    const { key, prefix, hash } = generateApiKey();
    const row = await ctx.transaction(async (m) => {
      const created = await scoped(ctx, ApiKeyEntity, m).insert({
        userId: ctx.principal.userId,
        name: body.name,
        prefix,
        keyHash: hash,
        lastUsedAt: null,
        expiresAt,
        scopes,
        revokedAt: null,
        createdAt: now,
      });
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'api_key.created',
        targetType: 'api_key',
        targetId: created.id,
        details: { name: body.name, prefix, scopes, expiresAt: expiresAt?.toISOString() ?? null },
      });
      return created;
    });
    // The only time the full key leaves the server.
    return { ...apiKeyView(row), key };
  },

  async revoke(ctx: TenantCtx, id: string) {
    const keys = scoped(ctx, ApiKeyEntity);
    const row = await keys.get(id, 'API key');
    if (row.userId !== ctx.principal.userId) throw notFound('API key');
    if (row.revokedAt) return;
    await ctx.transaction(async (m) => {
      await scoped(ctx, ApiKeyEntity, m).update(id, { revokedAt: ctx.now() });
      // Tokens minted with the key (GET /auth/token) and sockets opened with it end with it.
      await revokeSessions(m, { apiKeyId: id }, { tenantId: ctx.tenantId, userId: row.userId }, 'api_key_revoked', ctx.now());
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'api_key.revoked',
        targetType: 'api_key',
        targetId: id,
        details: { name: row.name, prefix: row.prefix },
      });
    });
  },
};
