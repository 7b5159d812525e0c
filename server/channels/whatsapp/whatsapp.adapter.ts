// The WhatsApp Cloud API channel: webhook signature and parsing, sending, media upload and download,
// and read receipts, all through Meta's Graph API.
import { GraphClient } from '../graph-client.js';
import type { OutboundGuard } from '../../core/net/outbound.js';
import { verifyMetaSignature } from '../meta-signature.js';
import {
  ChannelSendError,
  type AccountCredentials,
  type ChannelAdapter,
  type FetchedMedia,
  type OutboundMessage,
  type ParsedWebhook,
} from '../types.js';
import { parseWhatsAppWebhook, whatsAppRoutingKeys } from './whatsapp.parse.js';
import { buildWhatsAppSendBody } from './whatsapp.send.js';

export interface WhatsAppAdapterOptions {
  /** e.g. https://graph.facebook.com */
  graphUrl: string;
  /** e.g. v21.0 */
  graphVersion: string;
  /** Per Graph request; default 15 s. */
  timeoutMs?: number;
  /** For media downloads; default 8 × timeoutMs. */
  downloadTimeoutMs?: number;
  /** The SSRF guard media downloads go through (their URLs come from outside). */
  outbound?: OutboundGuard;
}

interface SendAnswer {
  messages?: { id?: string }[];
}

interface MediaAnswer {
  url?: string;
  mime_type?: string;
}

export class WhatsAppAdapter implements ChannelAdapter {
  readonly channel = 'whatsapp' as const;
  readonly graph: GraphClient;

  constructor(options: WhatsAppAdapterOptions) {
    this.graph = new GraphClient({ ...options, product: 'WhatsApp' });
  }

  verifySignature(rawBody: Buffer, signatureHeader: string | undefined, appSecret: string): boolean {
    return verifyMetaSignature(rawBody, signatureHeader, appSecret);
  }

  parseWebhook(body: unknown): ParsedWebhook[] {
    return parseWhatsAppWebhook(body);
  }

  routingKeys(body: unknown): string[] {
    return whatsAppRoutingKeys(body);
  }

  async send(account: AccountCredentials, message: OutboundMessage): Promise<{ externalId: string }> {
    const { phoneNumberId, token } = credentials(account);
    const body = buildWhatsAppSendBody(message);
    const answer = await this.graph.post<SendAnswer | undefined>(`/${encodeURIComponent(phoneNumberId)}/messages`, token, body);
    const externalId = answer?.messages?.[0]?.id;
    // Meta accepted the call, so the message may well be out: not retryable, to avoid a duplicate.
    if (typeof externalId !== 'string' || externalId === '') {
      throw new ChannelSendError('Meta accepted the message but its answer did not include a message id.', false);
    }
    return { externalId };
  }

  /** Marks an inbound message (and the ones before it) as read; the customer sees blue ticks. */
  async markRead(account: AccountCredentials, externalId: string): Promise<void> {
    const { phoneNumberId, token } = credentials(account);
    await this.graph.post(`/${encodeURIComponent(phoneNumberId)}/messages`, token, {
      messaging_product: 'whatsapp',
      status: 'read',
      message_id: externalId,
    });
  }

  /**
   * Uploads a file for sending (POST /{phone-number-id}/media, multipart); the returned id goes in
   * `content.media.externalId` of an outbound media message. Meta keeps uploads for 30 days.
   */
  async uploadMedia(
    account: AccountCredentials,
    file: { data: Buffer; mimeType: string; filename?: string },
  ): Promise<{ externalId: string }> {
    const { phoneNumberId, token } = credentials(account);
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('type', file.mimeType);
    form.set('file', new Blob([new Uint8Array(file.data)], { type: file.mimeType }), file.filename || 'file');
    const answer = await this.graph.post<{ id?: string } | undefined>(`/${encodeURIComponent(phoneNumberId)}/media`, token, form);
    if (typeof answer?.id !== 'string' || answer.id === '') {
      throw new ChannelSendError('Meta accepted the upload but its answer did not include a media id.', false);
    }
    return { externalId: answer.id };
  }

  /** GET /{media-id} gives a short-lived URL, which is then downloaded with the same token. */
  async fetchMedia(account: AccountCredentials, mediaExternalId: string): Promise<FetchedMedia> {
    const { token } = credentials(account);
    const info = await this.graph.get<MediaAnswer | undefined>(`/${encodeURIComponent(mediaExternalId)}`, token);
    if (!info?.url) throw new ChannelSendError(`Meta did not return a download URL for media ${mediaExternalId}.`, false);
    const file = await this.graph.download(info.url, token);
    const media: FetchedMedia = {
      data: file.data,
      mimeType: info.mime_type || file.contentType || 'application/octet-stream',
    };
    if (file.filename) media.filename = file.filename;
    return media;
  }
}

function credentials(account: AccountCredentials): { phoneNumberId: string; token: string } {
  const token = account.config.accessToken;
  if (!token) throw new ChannelSendError('The WhatsApp account has no access token; reconnect the account.', false);
  if (!account.externalId) throw new ChannelSendError('The WhatsApp account has no phone number id; reconnect the account.', false);
  return { phoneNumberId: account.externalId, token };
}
