// Instagram Login (Business Login for Instagram): the browser's authorization code is exchanged at
// api.instagram.com for a short-lived token, then at graph.instagram.com for a long-lived one (60
// days), and the professional account is connected with it.
import type { TenantCtx } from '../../core/context.js';
import { HttpError, badRequest } from '../../core/http/errors.js';
import { ChannelSendError } from '../../channels/types.js';
import { DEFAULT_GRAPH_TIMEOUT_MS, graphHttpError, graphNetworkError } from '../../channels/graph-client.js';
import { connectAccount, upstream } from './messenger.service.js';

export const INSTAGRAM_SCOPES = ['instagram_business_basic', 'instagram_business_manage_messages'];

function oauthSettings(ctx: TenantCtx) {
  const {
    INSTAGRAM_APP_ID: appId,
    INSTAGRAM_APP_SECRET: appSecret,
    META_OAUTH_REDIRECT_URI: redirectUri,
    META_GRAPH_VERSION: graphVersion,
  } = ctx.config;
  const missing = [!appId && 'INSTAGRAM_APP_ID', !appSecret && 'INSTAGRAM_APP_SECRET'].filter((x): x is string => Boolean(x));
  return { appId: appId ?? null, appSecret, redirectUri: redirectUri ?? null, graphVersion, missing };
}

/**
 * One call to Instagram's login endpoints, errors mapped like Graph calls. Instagram answers ids as
 * JSON numbers beyond 2^53, so `user_id` is read as a string before parsing.
 */
async function instagramCall<T>(url: URL, init: { method: string; headers?: Record<string, string>; body?: string }): Promise<T> {
  let status: number;
  let text: string;
  try {
    const res = await fetch(url, {
      ...init,
      headers: { Accept: 'application/json', 'User-Agent': 'OmniStream/0.1', ...init.headers },
      signal: AbortSignal.timeout(DEFAULT_GRAPH_TIMEOUT_MS),
    });
    status = res.status;
    text = await res.text();
  } catch (err) {
    throw graphNetworkError(err, DEFAULT_GRAPH_TIMEOUT_MS);
  }
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text.replace(/"user_id"\s*:\s*(\d+)/g, '"user_id":"$1"')) : undefined;
  } catch {
    parsed = undefined;
  }
  if (status < 200 || status >= 300) {
    // Instagram's login endpoints answer {error_type, code, error_message} instead of Graph's {error}.
    const flat = parsed as { error_type?: string; error_message?: string } | undefined;
    if (flat?.error_message)
      throw new ChannelSendError(`Instagram refused the request: ${flat.error_message.slice(0, 300)}`, false, undefined, status);
    throw graphHttpError(status, text, 'Instagram');
  }
  if (parsed === undefined)
    throw new ChannelSendError(`Instagram answered HTTP ${status} with a body that is not JSON.`, false, undefined, status);
  return parsed as T;
}

export const instagramService = {
  oauthConfig(ctx: TenantCtx) {
    const s = oauthSettings(ctx);
    return {
      available: s.missing.length === 0,
      appId: s.appId,
      redirectUri: s.redirectUri,
      scopes: INSTAGRAM_SCOPES,
      graphVersion: s.graphVersion,
      missing: s.missing,
    };
  },

  async completeOAuth(ctx: TenantCtx, body: { code: string; redirectUri?: string; name?: string }) {
    const s = oauthSettings(ctx);
    if (s.missing.length)
      throw new HttpError(503, `Instagram Login is not configured on this server; set ${s.missing.join(', ')}`, { missing: s.missing });
    const redirectUri = body.redirectUri ?? s.redirectUri;
    if (!redirectUri)
      throw badRequest('redirectUri is required (or set META_OAUTH_REDIRECT_URI on the server)', [
        { path: 'redirectUri', message: 'Required' },
      ]);
    const form = new URLSearchParams({
      client_id: s.appId!,
      client_secret: s.appSecret!,
      grant_type: 'authorization_code',
      redirect_uri: redirectUri,
      code: body.code,
    });
    const answer = await instagramCall<{ access_token?: string; user_id?: string; data?: { access_token?: string; user_id?: string }[] }>(
      new URL(`${ctx.config.INSTAGRAM_API_URL.replace(/\/+$/, '')}/oauth/access_token`),
      { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString() },
    ).catch(upstream);
    // The answer is {access_token, user_id}, or the same wrapped in data[] on newer API versions.
    const shortLived = answer.data?.[0] ?? answer;
    if (!shortLived.access_token || !shortLived.user_id)
      throw new HttpError(502, 'Instagram did not return an access token and user id for this code');
    const exchange = new URL(`${ctx.config.INSTAGRAM_GRAPH_URL.replace(/\/+$/, '')}/access_token`);
    exchange.search = new URLSearchParams({
      grant_type: 'ig_exchange_token',
      client_secret: s.appSecret!,
      access_token: shortLived.access_token,
    }).toString();
    const long = await instagramCall<{ access_token?: string; expires_in?: number }>(exchange, {
      method: 'GET',
      headers: { Authorization: `Bearer ${shortLived.access_token}` },
    }).catch(upstream);
    if (!long.access_token) throw new HttpError(502, 'Instagram did not return a long-lived access token');
    const id = String(shortLived.user_id);
    return connectAccount(
      ctx,
      'instagram',
      body.name ?? `Instagram ${id}`,
      { instagramAccountId: id, accessToken: long.access_token, appSecret: s.appSecret },
      'instagramAccountId',
    );
  },
};
