// Messenger-specific operations: Facebook Login (code → long-lived user token → the user's Pages),
// subscribing chosen Pages to the app's webhooks, disconnecting a Page, and the persistent menu.
// Page tokens from the last login are kept server-side only, encrypted in the messenger
// integration row's internal settings (`_oauthPages`); responses never carry a token.
import type { TenantCtx } from '../../core/context.js';
import { HttpError, badRequest, notFound, unprocessable } from '../../core/http/errors.js';
import { scoped } from '../../core/tenancy.js';
import { ChannelSendError, type Channel } from '../../channels/types.js';
import { IntegrationAccountEntity, IntegrationEntity } from './integration.entity.js';
import { accountCredentials, integrationsService } from './integrations.service.js';

export const MESSENGER_SCOPES = ['pages_show_list', 'pages_manage_metadata', 'pages_messaging'];
export const PAGE_SUBSCRIBED_FIELDS = 'messages,messaging_postbacks,message_deliveries,message_reads,message_echoes,message_reactions';
const PENDING_KEY = '_oauthPages';

/** Graph failures become 502 problems with Meta's reason in plain words. */
export function upstream(err: unknown): never {
  if (err instanceof ChannelSendError) throw new HttpError(502, err.reason, { code: err.code ?? null });
  throw err;
}

/**
 * Connects an account, or, when this tenant already has it active, refreshes its credentials
 * (a second login with fresh tokens). A disconnected one is reconnected by createAccount itself.
 */
export async function connectAccount(
  ctx: TenantCtx,
  channel: Channel,
  name: string,
  config: Record<string, string | undefined>,
  key: string,
) {
  const existing = await scoped(ctx, IntegrationAccountEntity).findOne({ channel, externalId: String(config[key]), status: 'active' });
  if (existing) return integrationsService.updateAccount(ctx, existing.id, { name, config });
  return integrationsService.createAccount(ctx, { channel, name, config });
}

function oauthSettings(ctx: TenantCtx) {
  const {
    META_APP_ID: appId,
    META_APP_SECRET: appSecret,
    META_OAUTH_REDIRECT_URI: redirectUri,
    META_GRAPH_VERSION: graphVersion,
  } = ctx.config;
  const missing = [!appId && 'META_APP_ID', !appSecret && 'META_APP_SECRET'].filter((x): x is string => Boolean(x));
  return { appId: appId ?? null, appSecret, redirectUri: redirectUri ?? null, graphVersion, missing };
}

interface PendingPage {
  id: string;
  name: string;
  accessToken: string;
}

async function loadPending(ctx: TenantCtx): Promise<PendingPage[]> {
  const row = await scoped(ctx, IntegrationEntity).findOne({ channel: 'messenger' });
  const sealed = row?.settings?.[PENDING_KEY];
  if (typeof sealed !== 'string') return [];
  try {
    return ctx.vault.decrypt<PendingPage[]>(sealed);
  } catch {
    return [];
  }
}

async function savePending(ctx: TenantCtx, pages: PendingPage[]) {
  const now = ctx.now();
  const sealed = ctx.vault.encrypt(pages);
  await ctx.transaction(async (m) => {
    const repo = scoped(ctx, IntegrationEntity, m);
    const row = await repo.findOne({ channel: 'messenger' });
    if (row) await repo.update(row.id, { settings: { ...row.settings, [PENDING_KEY]: sealed }, updatedAt: now });
    else await repo.insert({ channel: 'messenger', enabled: true, settings: { [PENDING_KEY]: sealed }, createdAt: now, updatedAt: now });
  });
}

async function connectedPageIds(ctx: TenantCtx): Promise<Set<string>> {
  const accounts = await scoped(ctx, IntegrationAccountEntity).find({ channel: 'messenger', status: 'active' });
  return new Set(accounts.map((a) => a.externalId));
}

async function messengerAccount(ctx: TenantCtx, accountId?: string) {
  const accounts = scoped(ctx, IntegrationAccountEntity);
  const account = accountId
    ? await accounts.get(accountId, 'Integration account')
    : await accounts.findOne({ channel: 'messenger', status: 'active', isDefault: true });
  if (account?.channel !== 'messenger' || account.status !== 'active') throw notFound('Messenger account');
  return { account, token: accountCredentials(ctx, account).config.pageAccessToken ?? '' };
}

export type CallToAction = { type: 'postback'; title: string; payload: string } | { type: 'web_url'; title: string; url: string };
export interface MenuLocale {
  locale: string;
  composerInputDisabled?: boolean;
  callToActions: CallToAction[];
}

interface MetaMenuLocale {
  locale?: string;
  composer_input_disabled?: boolean;
  call_to_actions?: { type?: string; title?: string; payload?: string; url?: string }[];
}

function fromMeta(menu: MetaMenuLocale[]): MenuLocale[] {
  return menu.map((l) => ({
    locale: l.locale ?? 'default',
    composerInputDisabled: l.composer_input_disabled ?? false,
    callToActions: (l.call_to_actions ?? []).map(
      (c): CallToAction =>
        c.type === 'web_url'
          ? { type: 'web_url', title: c.title ?? '', url: c.url ?? '' }
          : { type: 'postback', title: c.title ?? '', payload: c.payload ?? '' },
    ),
  }));
}

function toMeta(menu: MenuLocale[]): MetaMenuLocale[] {
  return menu.map((l) => ({
    locale: l.locale,
    composer_input_disabled: l.composerInputDisabled ?? false,
    call_to_actions: l.callToActions.map((c) =>
      c.type === 'web_url' ? { type: 'web_url', title: c.title, url: c.url } : { type: 'postback', title: c.title, payload: c.payload },
    ),
  }));
}

export const messengerService = {
  oauthConfig(ctx: TenantCtx) {
    const s = oauthSettings(ctx);
    return {
      available: s.missing.length === 0,
      appId: s.appId,
      redirectUri: s.redirectUri,
      scopes: MESSENGER_SCOPES,
      graphVersion: s.graphVersion,
      missing: s.missing,
    };
  },

  /** Code → short-lived user token → long-lived user token → the Pages the user manages (tokens kept here). */
  async completeOAuth(ctx: TenantCtx, body: { code: string; redirectUri?: string }) {
    const s = oauthSettings(ctx);
    if (s.missing.length)
      throw new HttpError(503, `Facebook Login is not configured on this server; set ${s.missing.join(', ')}`, { missing: s.missing });
    const graph = ctx.adapters.messenger.graph;
    const appToken = `${s.appId}|${s.appSecret}`;
    const short = await graph
      .get<{ access_token?: string }>('/oauth/access_token', appToken, {
        client_id: s.appId!,
        client_secret: s.appSecret!,
        redirect_uri: body.redirectUri ?? s.redirectUri ?? '',
        code: body.code,
      })
      .catch(upstream);
    if (!short?.access_token) throw new HttpError(502, 'Meta did not return an access token for this code');
    const long = await graph
      .get<{ access_token?: string }>('/oauth/access_token', appToken, {
        grant_type: 'fb_exchange_token',
        client_id: s.appId!,
        client_secret: s.appSecret!,
        fb_exchange_token: short.access_token,
      })
      .catch(upstream);
    if (!long?.access_token) throw new HttpError(502, 'Meta did not return a long-lived user token');
    const accounts = await graph
      .get<{ data?: { id?: string; name?: string; access_token?: string }[] }>('/me/accounts', long.access_token, {
        fields: 'id,name,access_token',
        limit: 100,
      })
      .catch(upstream);
    const pages: PendingPage[] = (accounts?.data ?? [])
      .filter((p) => p.id && p.access_token)
      .map((p) => ({ id: String(p.id), name: p.name ?? `Page ${p.id}`, accessToken: p.access_token! }));
    await savePending(ctx, pages);
    const connected = await connectedPageIds(ctx);
    return { pages: pages.map((p) => ({ id: p.id, name: p.name, connected: connected.has(p.id) })) };
  },

  /** Subscribes each chosen Page (from the last login) to the app's webhooks and connects it. */
  async subscribePages(ctx: TenantCtx, body: { pageIds: string[] }) {
    const s = oauthSettings(ctx);
    if (s.missing.length)
      throw new HttpError(503, `Facebook Login is not configured on this server; set ${s.missing.join(', ')}`, { missing: s.missing });
    const pending = await loadPending(ctx);
    const ids = [...new Set(body.pageIds)];
    const unknown = ids.filter((id) => !pending.some((p) => p.id === id));
    if (unknown.length) {
      throw unprocessable(`Unknown page ${unknown.join(', ')}: connect with Facebook Login first and choose among the pages it listed`, [
        { path: 'pageIds', message: `Not among the pages of the last Facebook Login: ${unknown.join(', ')}` },
      ]);
    }
    const graph = ctx.adapters.messenger.graph;
    const data = [];
    for (const id of ids) {
      const page = pending.find((p) => p.id === id)!;
      await graph
        .post(`/${encodeURIComponent(id)}/subscribed_apps`, page.accessToken, undefined, { subscribed_fields: PAGE_SUBSCRIBED_FIELDS })
        .catch(upstream);
      data.push(
        await connectAccount(
          ctx,
          'messenger',
          page.name,
          { pageId: id, pageAccessToken: page.accessToken, appSecret: s.appSecret },
          'pageId',
        ),
      );
    }
    return { data };
  },

  /** Unsubscribes the app from the Page (best effort) and disconnects the account here. */
  async disconnectPage(ctx: TenantCtx, pageId: string) {
    const account = await scoped(ctx, IntegrationAccountEntity).findOne({ channel: 'messenger', externalId: pageId, status: 'active' });
    if (!account) throw notFound('Messenger page');
    const token = accountCredentials(ctx, account).config.pageAccessToken ?? '';
    let warning: string | null = null;
    try {
      await ctx.adapters.messenger.graph.delete(`/${encodeURIComponent(pageId)}/subscribed_apps`, token);
    } catch (err) {
      if (!(err instanceof ChannelSendError)) throw err;
      warning = `Meta could not unsubscribe the app from the page (${err.reason}); the page was disconnected here anyway. Remove the app in the page's settings on Facebook to stop its webhooks.`;
    }
    await integrationsService.removeAccount(ctx, account.id);
    return { pageId, accountId: account.id, disconnected: true, unsubscribed: warning === null, warning };
  },

  async getPersistentMenu(ctx: TenantCtx, accountId?: string) {
    const { account, token } = await messengerAccount(ctx, accountId);
    const answer = await ctx.adapters.messenger.graph
      .get<{ data?: { persistent_menu?: MetaMenuLocale[] }[] }>('/me/messenger_profile', token, { fields: 'persistent_menu' })
      .catch(upstream);
    return { accountId: account.id, menu: fromMeta(answer?.data?.[0]?.persistent_menu ?? []) };
  },

  async setPersistentMenu(ctx: TenantCtx, body: { accountId?: string; persistentMenu?: MenuLocale[]; delete?: boolean }) {
    if (body.delete && body.persistentMenu)
      throw badRequest('Send either persistentMenu or delete, not both', [{ path: 'delete', message: 'Not allowed with persistentMenu' }]);
    if (!body.delete && !body.persistentMenu)
      throw badRequest('persistentMenu is required (or delete: true)', [{ path: 'persistentMenu', message: 'Required' }]);
    const { account, token } = await messengerAccount(ctx, body.accountId);
    const graph = ctx.adapters.messenger.graph;
    if (body.delete) {
      await graph.request('DELETE', '/me/messenger_profile', { token, body: { fields: ['persistent_menu'] } }).catch(upstream);
      return { accountId: account.id, deleted: true, menu: [] };
    }
    await graph.post('/me/messenger_profile', token, { persistent_menu: toMeta(body.persistentMenu!) }).catch(upstream);
    return {
      accountId: account.id,
      deleted: false,
      menu: body.persistentMenu!.map((l) => ({ ...l, composerInputDisabled: l.composerInputDisabled ?? false })),
    };
  },
};
