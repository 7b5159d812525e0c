// WhatsApp-specific account operations: health from the Graph API, and Embedded Signup
// (Facebook Login for Business) that connects a number without copying tokens by hand.
import { randomInt } from 'node:crypto';
import type { TenantCtx } from '../../core/context.js';
import { HttpError, notFound } from '../../core/http/errors.js';
import { scoped } from '../../core/tenancy.js';
import { ChannelSendError } from '../../channels/types.js';
import { IntegrationAccountEntity } from './integration.entity.js';
import { accountCredentials, integrationsService } from './integrations.service.js';
import { proveOwnership } from './ownership.js';

function upstream(err: unknown): never {
  if (err instanceof ChannelSendError) throw new HttpError(502, err.reason, { code: err.code ?? null });
  throw err;
}

function signupSettings(ctx: TenantCtx) {
  const {
    META_APP_ID: appId,
    META_APP_SECRET: appSecret,
    META_EMBEDDED_SIGNUP_CONFIG_ID: configId,
    META_GRAPH_VERSION: graphVersion,
  } = ctx.config;
  const missing = [!appId && 'META_APP_ID', !appSecret && 'META_APP_SECRET', !configId && 'META_EMBEDDED_SIGNUP_CONFIG_ID'].filter(
    (x): x is string => Boolean(x),
  );
  return { appId: appId ?? null, appSecret, configId: configId ?? null, graphVersion, missing };
}

export const whatsappService = {
  async health(ctx: TenantCtx, accountId?: string) {
    const accounts = scoped(ctx, IntegrationAccountEntity);
    const account = accountId
      ? await accounts.get(accountId, 'Integration account')
      : await accounts.findOne({ channel: 'whatsapp', status: 'active', isDefault: true });
    if (account?.channel !== 'whatsapp') throw notFound('WhatsApp account');
    const creds = accountCredentials(ctx, account);
    const graph = ctx.adapters.whatsapp.graph;
    const token = creds.config.accessToken ?? '';
    const [phone, waba] = await Promise.all([
      graph.get<Record<string, unknown>>(`/${creds.externalId}`, token, {
        fields: 'display_phone_number,verified_name,quality_rating,code_verification_status,name_status,messaging_limit_tier,throughput',
      }),
      graph.get<{ health_status?: { can_send_message?: string; entities?: unknown[] } }>(`/${creds.config.wabaId}`, token, {
        fields: 'health_status',
      }),
    ]).catch(upstream);
    return {
      accountId: account.id,
      phoneNumber: {
        displayPhoneNumber: (phone.display_phone_number as string) ?? null,
        verifiedName: (phone.verified_name as string) ?? null,
        qualityRating: (phone.quality_rating as string) ?? null,
        nameStatus: (phone.name_status as string) ?? null,
        codeVerificationStatus: (phone.code_verification_status as string) ?? null,
        messagingLimitTier: (phone.messaging_limit_tier as string) ?? null,
        throughput: (phone.throughput as { level?: string } | undefined)?.level ?? null,
      },
      canSendMessage: waba.health_status?.can_send_message ?? null,
      checkedAt: ctx.now(),
    };
  },

  signupConfig(ctx: TenantCtx) {
    const s = signupSettings(ctx);
    return { available: s.missing.length === 0, appId: s.appId, configId: s.configId, graphVersion: s.graphVersion, missing: s.missing };
  },

  /** Exchanges the browser's code for a token, subscribes the app to the WABA, registers the number, connects it. */
  async completeSignup(ctx: TenantCtx, body: { code: string; wabaId: string; phoneNumberId: string; name?: string; pin?: string }) {
    const s = signupSettings(ctx);
    if (s.missing.length)
      throw new HttpError(503, `Embedded Signup is not configured on this server; set ${s.missing.join(', ')}`, { missing: s.missing });
    const graph = ctx.adapters.whatsapp.graph;
    const appToken = `${s.appId}|${s.appSecret}`;
    const { access_token: accessToken } = await graph
      .get<{ access_token: string }>('/oauth/access_token', appToken, { client_id: s.appId!, client_secret: s.appSecret!, code: body.code })
      .catch(upstream);
    if (!accessToken) throw new HttpError(502, 'Meta did not return an access token for this code');
    const config = { phoneNumberId: body.phoneNumberId, wabaId: body.wabaId, accessToken, appSecret: s.appSecret };
    // Before subscribing or registering anything: the token must own that business account and number.
    await proveOwnership(ctx, 'whatsapp', config);
    await graph.post(`/${body.wabaId}/subscribed_apps`, accessToken).catch(upstream);
    const pin = body.pin ?? String(randomInt(0, 1_000_000)).padStart(6, '0');
    await graph.post(`/${body.phoneNumberId}/register`, accessToken, { messaging_product: 'whatsapp', pin }).catch(upstream);
    return integrationsService.createAccount(
      ctx,
      { channel: 'whatsapp', name: body.name ?? `WhatsApp ${body.phoneNumberId}`, config },
      { proven: true },
    );
  },
};
