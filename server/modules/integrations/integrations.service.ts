// A tenant's channels: per-channel settings and the connected accounts, with credentials
// encrypted at rest and never returned in full.
import { randomBytes } from 'node:crypto';
import { In, type DataSource, type EntityManager } from 'typeorm';
import { readThrough } from '../../core/entity-cache.js';
import type { Services, TenantCtx } from '../../core/context.js';
import { scoped } from '../../core/tenancy.js';
import { conflict, badRequest, zodFieldErrors } from '../../core/http/errors.js';
import { recordActivity } from '../../core/audit.js';
import { emitEvent } from '../../core/events/outbox.js';
import { enforceLimit } from '../billing/limits.service.js';
import { maskSecret } from '../../core/vault.js';
import { CHANNELS, type AccountCredentials, type Channel } from '../../channels/types.js';
import { IntegrationAccountEntity, IntegrationEntity, type Integration, type IntegrationAccount } from './integration.entity.js';
import { accountConfigSchemas, accountSpecs, splitConfig } from './account-config.js';
import { ConversationEntity } from '../conversations/conversation.entity.js';
import { OWNERSHIP_FIELDS, proveOwnership } from './ownership.js';

export function accountView(services: Services, a: IntegrationAccount) {
  const secrets = services.vault.decrypt<Record<string, string>>(a.secrets);
  const masked = Object.fromEntries(accountSpecs[a.channel].secrets.map((k) => [k, maskSecret(secrets[k])]));
  return {
    id: a.id,
    channel: a.channel,
    name: a.name,
    externalId: a.externalId,
    config: { ...a.config, ...masked },
    isDefault: a.isDefault,
    status: a.status,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  };
}

/** The decrypted account, as a channel adapter needs it. */
export function accountCredentials(services: Services, a: IntegrationAccount): AccountCredentials {
  return {
    channel: a.channel,
    externalId: a.externalId,
    config: { ...a.config, ...services.vault.decrypt<Record<string, string>>(a.secrets) },
  };
}

function integrationView(channel: Channel, row: Integration | null, accounts: IntegrationAccount[]) {
  const mine = accounts.filter((a) => a.channel === channel && a.status === 'active');
  return {
    channel,
    configured: mine.length > 0,
    enabled: row?.enabled ?? true,
    // Keys starting with _ are server-internal (e.g. encrypted OAuth state) and never shown.
    settings: publicSettings(row?.settings),
    accountCount: mine.length,
    defaultAccountId: mine.find((a) => a.isDefault)?.id ?? null,
    updatedAt: row?.updatedAt ?? null,
  };
}

/** Channel settings without the server-internal keys (those starting with `_`). */
export function publicSettings(settings: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(settings ?? {}).filter(([k]) => !k.startsWith('_')));
}

function validateConfig(channel: Channel, config: unknown) {
  const parsed = accountConfigSchemas[channel].safeParse(config);
  if (!parsed.success) throw badRequest(`The ${channel} account settings are not valid`, zodFieldErrors(parsed.error, 'config'));
  return parsed.data as Record<string, string | undefined>;
}

async function makeDefault(m: EntityManager, ctx: TenantCtx, account: IntegrationAccount) {
  await scoped(ctx, IntegrationAccountEntity, m).repo.update({ tenantId: ctx.tenantId, channel: account.channel }, { isDefault: false });
  await scoped(ctx, IntegrationAccountEntity, m).update(account.id, { isDefault: true });
}

/**
 * Whether a tenant's channel is turned on (`PUT /integrations/{channel}` with `enabled`; on until
 * turned off). A channel that is off sends nothing; what arrives on it is stored and flagged.
 */
export async function channelEnabled(db: DataSource | EntityManager, tenantId: string, channel: Channel): Promise<boolean> {
  return (await integrationOf(db, tenantId, channel))?.enabled ?? true;
}

const accounts = readThrough<IntegrationAccount>(['IntegrationAccount']);

/**
 * A connected account by id, read for every message sent and every media download: cached until an
 * account is written (a disconnect or new credentials apply to the next send); not to be changed.
 * Throws when there is no such account, as findOneByOrFail does.
 */
export function accountById(db: DataSource, id: string): Promise<IntegrationAccount> {
  return accounts(db, id, () => db.getRepository(IntegrationAccountEntity).findOneByOrFail({ id }));
}

const integrations = readThrough<Integration | null>(['Integration']);

/**
 * An organization's settings for a channel (null: never configured), read for every message received
 * and sent (is the channel on? its opt-out keywords). Cached until an integration is written; not to be changed.
 */
export function integrationOf(db: DataSource | EntityManager, tenantId: string, channel: Channel): Promise<Integration | null> {
  return integrations(db, `${tenantId}:${channel}`, () => db.getRepository(IntegrationEntity).findOne({ where: { tenantId, channel } }));
}

/** The refusal for a reply on a channel that is turned off (said once, used by the API and the send job). */
export const CHANNEL_OFF_REASON = (channel: Channel) =>
  `The ${CHANNEL_NAMES[channel]} channel is turned off in Settings → Channels, so nothing is sent on it; turn it on and send again.`;
const CHANNEL_NAMES: Record<Channel, string> = { whatsapp: 'WhatsApp', messenger: 'Messenger', instagram: 'Instagram', email: 'email' };

export const integrationsService = {
  async list(ctx: TenantCtx) {
    const rows = await scoped(ctx, IntegrationEntity).find();
    const accounts = await scoped(ctx, IntegrationAccountEntity).find();
    return { data: CHANNELS.map((c) => integrationView(c, rows.find((r) => r.channel === c) ?? null, accounts)) };
  },

  async get(ctx: TenantCtx, channel: Channel) {
    const row = await scoped(ctx, IntegrationEntity).findOne({ channel });
    const accounts = await scoped(ctx, IntegrationAccountEntity).find({ channel });
    return integrationView(channel, row, accounts);
  },

  async upsert(ctx: TenantCtx, channel: Channel, body: { enabled?: boolean; settings?: Record<string, unknown> }) {
    const now = ctx.now();
    if (body.settings) body = { ...body, settings: publicSettings(body.settings) };
    await ctx.transaction(async (m) => {
      const repo = scoped(ctx, IntegrationEntity, m);
      const row = await repo.findOne({ channel });
      if (row)
        await repo.update(row.id, {
          enabled: body.enabled ?? row.enabled,
          settings: { ...row.settings, ...body.settings },
          updatedAt: now,
        });
      else await repo.insert({ channel, enabled: body.enabled ?? true, settings: body.settings ?? {}, createdAt: now, updatedAt: now });
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'integration.updated',
        targetType: 'integration',
        targetId: channel,
        details: { enabled: body.enabled },
      });
    });
    return this.get(ctx, channel);
  },

  /** Removes the channel's settings and disconnects its accounts (history is kept). */
  async remove(ctx: TenantCtx, channel: Channel) {
    const accounts = await scoped(ctx, IntegrationAccountEntity).find({ channel });
    for (const a of accounts) await this.removeAccount(ctx, a.id);
    await ctx.transaction(async (m) => {
      await scoped(ctx, IntegrationEntity, m).repo.delete({ tenantId: ctx.tenantId, channel });
      await recordActivity(ctx, m, { tenantId: ctx.tenantId, action: 'integration.deleted', targetType: 'integration', targetId: channel });
    });
  },

  async listAccounts(ctx: TenantCtx, q: { limit: number; cursor?: string; channel?: Channel }) {
    const page = await scoped(ctx, IntegrationAccountEntity).page({
      where: q.channel ? { channel: q.channel } : {},
      limit: q.limit,
      cursor: q.cursor,
    });
    return { data: page.data.map((a) => accountView(ctx, a)), nextCursor: page.nextCursor };
  },

  async getAccount(ctx: TenantCtx, id: string) {
    return accountView(ctx, await scoped(ctx, IntegrationAccountEntity).get(id, 'Integration account'));
  },

  /**
   * Connects an account (manual connect, Embedded Signup and OAuth all end here). The token must
   * prove the asset is the tenant's (ownership.ts) before anything else is said about it; an asset
   * connected to another organization then answers 409 without naming it. `proven`: the caller has
   * just checked ownership with this very config.
   */
  async createAccount(
    ctx: TenantCtx,
    body: { channel: Channel; name: string; config: unknown; isDefault?: boolean },
    options: { proven?: boolean } = {},
  ) {
    const config = validateConfig(body.channel, body.config);
    // Each Meta account gets its own webhook verify token (shown in Settings → Channels to paste into Meta).
    if (body.channel !== 'email' && !config.verifyToken) config.verifyToken = randomBytes(18).toString('base64url');
    const { externalId, shown, secrets } = splitConfig(body.channel, config);
    if (!options.proven) await proveOwnership(ctx, body.channel, config);
    const existing = await ctx.db.getRepository(IntegrationAccountEntity).findOne({ where: { channel: body.channel, externalId } });
    const field = [{ path: `config.${accountSpecs[body.channel].key}`, message: 'Already connected' }];
    if (existing && existing.tenantId !== ctx.tenantId) {
      throw conflict(
        'This account is already connected to another organization on this server; it must be disconnected there first',
        field,
      );
    }
    if (existing?.status === 'active') throw conflict('This account is already connected in your organization', field);
    await enforceLimit(ctx, 'channels');
    const now = ctx.now();
    const id = await ctx.transaction(async (m) => {
      const accounts = scoped(ctx, IntegrationAccountEntity, m);
      const hasActive = (await accounts.count({ channel: body.channel, status: 'active' })) > 0;
      let account: IntegrationAccount;
      if (existing) {
        // Reconnecting an account this tenant disconnected earlier keeps its conversations.
        await accounts.update(existing.id, {
          name: body.name,
          config: shown,
          secrets: ctx.vault.encrypt(secrets),
          status: 'active',
          updatedAt: now,
        });
        account = { ...existing, status: 'active' };
      } else {
        account = await accounts.insert({
          channel: body.channel,
          name: body.name,
          externalId,
          config: shown,
          secrets: ctx.vault.encrypt(secrets),
          isDefault: false,
          status: 'active',
          createdAt: now,
          updatedAt: now,
        });
      }
      // The first account of a channel is its default.
      if (!hasActive || body.isDefault) await makeDefault(m, ctx, account);
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'integration_account.created',
        targetType: 'integration_account',
        targetId: account.id,
        details: { channel: body.channel, externalId },
      });
      await emitEvent(
        m,
        { tenantId: ctx.tenantId, type: 'integration_account.created', payload: { accountId: account.id, channel: body.channel } },
        now,
      );
      return account.id;
    });
    return this.getAccount(ctx, id);
  },

  async updateAccount(ctx: TenantCtx, id: string, body: { name?: string; config?: Record<string, unknown> }) {
    const account = await scoped(ctx, IntegrationAccountEntity).get(id, 'Integration account');
    const patch: Partial<IntegrationAccount> = { updatedAt: ctx.now() };
    if (body.name !== undefined) patch.name = body.name;
    if (body.config) {
      // Partial update: omitted secrets keep their stored value.
      const current = accountCredentials(ctx, account).config;
      const merged = validateConfig(account.channel, { ...current, ...body.config });
      const split = splitConfig(account.channel, merged);
      if (split.externalId !== account.externalId) {
        throw conflict('The account id cannot change; connect a new account instead', [
          { path: `config.${accountSpecs[account.channel].key}`, message: 'Cannot change' },
        ]);
      }
      // A new token (or another business account) must prove ownership again.
      if (OWNERSHIP_FIELDS[account.channel].some((k) => merged[k] !== current[k])) await proveOwnership(ctx, account.channel, merged);
      patch.config = split.shown;
      patch.secrets = ctx.vault.encrypt(split.secrets);
    }
    await ctx.transaction(async (m) => {
      await scoped(ctx, IntegrationAccountEntity, m).update(id, patch);
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'integration_account.updated',
        targetType: 'integration_account',
        targetId: id,
        details: { fields: Object.keys(body) },
      });
    });
    return this.getAccount(ctx, id);
  },

  /** Deletes an account; one with conversations is disconnected instead so its history stays. */
  async removeAccount(ctx: TenantCtx, id: string) {
    const account = await scoped(ctx, IntegrationAccountEntity).get(id, 'Integration account');
    const used = (await scoped(ctx, ConversationEntity).count({ accountId: id })) > 0;
    await ctx.transaction(async (m) => {
      const accounts = scoped(ctx, IntegrationAccountEntity, m);
      if (used)
        await accounts.update(id, { status: 'disconnected', isDefault: false, secrets: ctx.vault.encrypt({}), updatedAt: ctx.now() });
      else await accounts.remove(id);
      if (account.isDefault) {
        const next = (await accounts.find({ channel: account.channel, status: 'active' }, { createdAt: 'ASC' }))[0];
        if (next) await makeDefault(m, ctx, next);
      }
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'integration_account.deleted',
        targetType: 'integration_account',
        targetId: id,
        details: { channel: account.channel, kept: used },
      });
    });
  },

  async setDefault(ctx: TenantCtx, id: string) {
    const account = await scoped(ctx, IntegrationAccountEntity).get(id, 'Integration account');
    if (account.status !== 'active') throw conflict('A disconnected account cannot be the default');
    await ctx.transaction((m) => makeDefault(m, ctx, account));
    return this.getAccount(ctx, id);
  },
};

/**
 * Active accounts on a channel whose routing key is one of `keys` (for webhooks; any tenant).
 * WhatsApp template events name the business account (WABA) instead of the phone number.
 */
export async function findAccountsByKey(services: Services, channel: Channel, keys: string[]): Promise<IntegrationAccount[]> {
  if (keys.length === 0) return [];
  const repo = services.db.getRepository(IntegrationAccountEntity);
  const found = await repo.find({ where: { channel, externalId: In(keys), status: 'active' } });
  const missing = keys.filter((k) => !found.some((a) => a.externalId === k));
  if (channel !== 'whatsapp' || missing.length === 0) return found;
  const byWaba = (await repo.find({ where: { channel, status: 'active' } })).filter((a) => missing.includes(a.config.wabaId));
  return [...found, ...byWaba];
}
