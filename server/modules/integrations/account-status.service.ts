// What the owner sees of one connected account in Settings → Channels: is it working (credentials
// accepted by Meta, or refused as expired), does Meta reach our webhook, its WhatsApp quality, and
// what to paste into Meta's dashboard. And a test message, sent straight away so the answer (sent,
// or Meta's or the mail server's reason) shows while the owner waits.
import { In, MoreThan } from 'typeorm';
import type { TenantCtx } from '../../core/context.js';
import { HttpError, conflict } from '../../core/http/errors.js';
import { scoped } from '../../core/tenancy.js';
import { getAdapter } from '../../channels/index.js';
import { ChannelSendError, type Channel, type OutboundMessage } from '../../channels/types.js';
import { WebhookEventEntity } from '../webhooks/webhook-event.entity.js';
import { ConversationEntity } from '../conversations/conversation.entity.js';
import { ImapCursorEntity } from '../email-imap/imap-cursor.entity.js';
import { IntegrationAccountEntity, type IntegrationAccount } from './integration.entity.js';
import { CHANNEL_OFF_REASON, accountCredentials, channelEnabled } from './integrations.service.js';

/** Where Meta (or the mail relay) must post each channel's webhooks. */
export const WEBHOOK_PATHS: Record<Channel, string> = {
  whatsapp: '/api/v1/webhooks/meta',
  messenger: '/api/v1/webhooks/messenger',
  instagram: '/api/v1/webhooks/instagram',
  email: '/api/v1/webhooks/email',
};
/** Which stored webhook sources count as "Meta reached us" for a channel. */
const WEBHOOK_SOURCES: Record<Channel, string[]> = {
  whatsapp: ['meta'],
  messenger: ['messenger'],
  instagram: ['instagram'],
  email: ['email'],
};
/** Graph error codes that mean the token no longer works (expired, revoked, password changed). */
const TOKEN_CODES = new Set([190, 102, 463, 467]);

export type AccountState = 'connected' | 'disabled' | 'disconnected' | 'token_expired' | 'error';

interface CredentialCheck {
  ok: boolean | null;
  tokenExpired: boolean;
  detail: string | null;
}

function checkFailure(err: unknown): CredentialCheck {
  if (!(err instanceof ChannelSendError)) throw err;
  const expired = err.code !== undefined && TOKEN_CODES.has(err.code);
  return { ok: false, tokenExpired: expired, detail: err.reason };
}

async function whatsappCheck(ctx: TenantCtx, account: IntegrationAccount) {
  const creds = accountCredentials(ctx, account);
  const graph = ctx.adapters.whatsapp.graph;
  const token = creds.config.accessToken ?? '';
  try {
    // The reference's two reads: the number's quality and limits, and the business account's health.
    const [phone, waba] = await Promise.all([
      graph.get<Record<string, unknown>>(`/${encodeURIComponent(account.externalId)}`, token, {
        fields: 'display_phone_number,verified_name,quality_rating,messaging_limit_tier',
      }),
      graph.get<{ health_status?: { can_send_message?: string } }>(`/${encodeURIComponent(creds.config.wabaId ?? '')}`, token, {
        fields: 'health_status',
      }),
    ]);
    return {
      check: { ok: true, tokenExpired: false, detail: null } as CredentialCheck,
      quality: {
        displayPhoneNumber: (phone.display_phone_number as string) ?? null,
        verifiedName: (phone.verified_name as string) ?? null,
        qualityRating: (phone.quality_rating as string) ?? null,
        messagingLimitTier: (phone.messaging_limit_tier as string) ?? null,
        canSendMessage: waba.health_status?.can_send_message ?? null,
      },
    };
  } catch (err) {
    return { check: checkFailure(err), quality: null };
  }
}

async function pageCheck(ctx: TenantCtx, account: IntegrationAccount): Promise<CredentialCheck> {
  const creds = accountCredentials(ctx, account);
  const graph = account.channel === 'messenger' ? ctx.adapters.messenger.graph : ctx.adapters.instagram.graph;
  const token = (account.channel === 'messenger' ? creds.config.pageAccessToken : creds.config.accessToken) ?? '';
  try {
    await graph.get(`/${encodeURIComponent(account.externalId)}`, token, { fields: 'id' });
    return { ok: true, tokenExpired: false, detail: null };
  } catch (err) {
    return checkFailure(err);
  }
}

export const accountStatusService = {
  async status(ctx: TenantCtx, accountId: string) {
    const account = await scoped(ctx, IntegrationAccountEntity).get(accountId, 'Integration account');
    const enabled = await channelEnabled(ctx.db, ctx.tenantId, account.channel);
    let check: CredentialCheck = { ok: null, tokenExpired: false, detail: null };
    let quality = null;
    if (account.status === 'active') {
      if (account.channel === 'whatsapp') ({ check, quality } = await whatsappCheck(ctx, account));
      else if (account.channel === 'messenger' || account.channel === 'instagram') check = await pageCheck(ctx, account);
    }
    const state: AccountState =
      account.status !== 'active'
        ? 'disconnected'
        : !enabled
          ? 'disabled'
          : check.tokenExpired
            ? 'token_expired'
            : check.ok === false
              ? 'error'
              : 'connected';

    const publicUrl = ctx.host.publicUrl();
    const lastEvent = await ctx.db.getRepository(WebhookEventEntity).findOne({
      where: { tenantId: ctx.tenantId, source: In(WEBHOOK_SOURCES[account.channel]) as never },
      order: { receivedAt: 'DESC' },
      select: { receivedAt: true },
    });
    const lastInbound = await scoped(ctx, ConversationEntity).repo.findOne({
      where: { tenantId: ctx.tenantId, accountId: account.id, lastInboundAt: MoreThan(new Date(0)) },
      order: { lastInboundAt: 'DESC' },
      select: { lastInboundAt: true },
    });
    const times = [lastEvent?.receivedAt, lastInbound?.lastInboundAt].filter((d): d is Date => d instanceof Date);
    const lastReceivedAt = times.length ? new Date(Math.max(...times.map((d) => d.getTime()))) : null;
    const secrets = accountCredentials(ctx, account).config;
    const mailbox = account.channel === 'email' && secrets.imapHost ? secrets.imapMailbox || 'INBOX' : null;
    const cursor = mailbox ? await scoped(ctx, ImapCursorEntity).findOne({ accountId: account.id, mailbox }) : null;
    return {
      accountId: account.id,
      channel: account.channel,
      state,
      enabled,
      credentials: { ok: check.ok, detail: check.detail },
      quality,
      webhook: {
        callbackUrl: publicUrl ? `${publicUrl}${WEBHOOK_PATHS[account.channel]}` : null,
        path: WEBHOOK_PATHS[account.channel],
        verifyToken: account.channel === 'email' ? null : (secrets.verifyToken ?? null),
        lastReceivedAt,
        reaching: !publicUrl ? ('no_public_url' as const) : lastReceivedAt ? ('yes' as const) : ('not_yet' as const),
      },
      imap: mailbox
        ? { mailbox, idle: cursor?.idle ?? false, lastPolledAt: cursor?.lastPolledAt ?? null, lastError: cursor?.lastError ?? null }
        : null,
      checkedAt: ctx.now(),
    };
  },

  /** Sends one message now (WhatsApp: Meta's hello_world template, which every business account has). */
  async testMessage(ctx: TenantCtx, accountId: string, body: { to: string; text?: string }) {
    const account = await scoped(ctx, IntegrationAccountEntity).get(accountId, 'Integration account');
    if (account.status !== 'active') throw conflict('This account is disconnected; reconnect it first');
    if (!(await channelEnabled(ctx.db, ctx.tenantId, account.channel)))
      throw conflict(
        CHANNEL_OFF_REASON(account.channel),
        [{ path: 'channel', message: 'Channel turned off', code: 'channel_off' }],
        'channel_off',
      );
    const to = account.channel === 'whatsapp' ? body.to.replace(/[\s+()-]/g, '') : body.to.trim();
    if (account.channel === 'email' && !to.includes('@'))
      throw new HttpError(400, 'Give an email address to send the test to', { errors: [{ path: 'to', message: 'Not an email address' }] });
    if (account.channel === 'whatsapp' && !/^\d{6,15}$/.test(to))
      throw new HttpError(400, 'Give the phone number with its country code, e.g. 62812…', {
        errors: [{ path: 'to', message: 'Not a phone number' }],
      });
    const text = body.text?.trim() || 'OmniStream test message: this channel is connected. / Pesan uji OmniStream: saluran ini terhubung.';
    const message: OutboundMessage =
      account.channel === 'whatsapp'
        ? { to, type: 'template', content: { template: { name: 'hello_world', language: 'en_US' } } }
        : account.channel === 'email'
          ? { to, type: 'text', text, content: { email: { subject: 'OmniStream test / Uji OmniStream', to: [to] } } }
          : { to, type: 'text', text, content: {} };
    try {
      const { externalId } = await getAdapter(ctx.adapters, account.channel).send(accountCredentials(ctx, account), message);
      return { sent: true, externalId, to, sentAt: ctx.now() };
    } catch (err) {
      if (err instanceof ChannelSendError) throw new HttpError(502, err.reason, { code: err.code ?? null });
      throw err;
    }
  },
};
