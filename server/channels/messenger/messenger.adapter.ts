// The Messenger channel (a Facebook Page): webhook signature and parsing, sending through the Send
// API with the Page access token, attachment upload, and downloads of inbound attachments.
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
import { messagingRoutingKeys, parseMessagingWebhook } from './messenger.parse.js';
import { buildMessagingSendBody } from './messenger.send.js';

export interface MetaAdapterOptions {
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
  recipient_id?: string;
  message_id?: string;
}

/** The Send API answer's message id, or a non-retryable error (Meta took the call: never resend). */
export function sentMessageId(answer: SendAnswer | undefined): { externalId: string } {
  const externalId = answer?.message_id;
  if (typeof externalId !== 'string' || externalId === '') {
    throw new ChannelSendError('Meta accepted the message but its answer did not include a message id.', false);
  }
  return { externalId };
}

/** Downloads an inbound attachment: its URL (on Meta's CDN, signed) is the media's external id. */
export async function downloadAttachment(graph: GraphClient, url: string, product: string): Promise<FetchedMedia> {
  if (!/^https?:\/\//i.test(url)) throw new ChannelSendError(`The ${product} attachment has no download link.`, false);
  const file = await graph.download(url);
  const media: FetchedMedia = { data: file.data, mimeType: file.contentType?.split(';')[0].trim() || 'application/octet-stream' };
  if (file.filename) media.filename = file.filename;
  return media;
}

export class MessengerAdapter implements ChannelAdapter {
  readonly channel = 'messenger' as const;
  readonly graph: GraphClient;

  constructor(options: MetaAdapterOptions) {
    this.graph = new GraphClient({ ...options, product: 'Messenger' });
  }

  verifySignature(rawBody: Buffer, signatureHeader: string | undefined, appSecret: string): boolean {
    return verifyMetaSignature(rawBody, signatureHeader, appSecret);
  }

  parseWebhook(body: unknown): ParsedWebhook[] {
    return parseMessagingWebhook(body, 'messenger');
  }

  routingKeys(body: unknown): string[] {
    return messagingRoutingKeys(body, 'messenger');
  }

  /** POST /{page-id}/messages with the Page token; RESPONSE in the window, HUMAN_AGENT up to 7 days. */
  async send(account: AccountCredentials, message: OutboundMessage): Promise<{ externalId: string }> {
    const { pageId, token } = credentials(account);
    const body = buildMessagingSendBody(message, 'messenger');
    return sentMessageId(await this.graph.post<SendAnswer | undefined>(`/${encodeURIComponent(pageId)}/messages`, token, body));
  }

  /**
   * Uploads a file once (Attachment Upload API, POST /{page-id}/message_attachments, multipart) and
   * returns its attachment_id, which the send then names instead of a public link.
   */
  async uploadMedia(
    account: AccountCredentials,
    file: { data: Buffer; mimeType: string; filename?: string },
  ): Promise<{ externalId: string }> {
    const { pageId, token } = credentials(account);
    const type = file.mimeType.startsWith('image/')
      ? 'image'
      : file.mimeType.startsWith('video/')
        ? 'video'
        : file.mimeType.startsWith('audio/')
          ? 'audio'
          : 'file';
    const form = new FormData();
    form.set('message', JSON.stringify({ attachment: { type, payload: { is_reusable: true } } }));
    form.set('filedata', new Blob([new Uint8Array(file.data)], { type: file.mimeType }), file.filename || 'file');
    const answer = await this.graph.post<{ attachment_id?: string } | undefined>(
      `/${encodeURIComponent(pageId)}/message_attachments`,
      token,
      form,
    );
    if (typeof answer?.attachment_id !== 'string' || answer.attachment_id === '') {
      throw new ChannelSendError('Meta accepted the upload but its answer did not include an attachment id.', false);
    }
    return { externalId: answer.attachment_id };
  }

  fetchMedia(_account: AccountCredentials, mediaExternalId: string): Promise<FetchedMedia> {
    return downloadAttachment(this.graph, mediaExternalId, 'Messenger');
  }
}

function credentials(account: AccountCredentials): { pageId: string; token: string } {
  const token = account.config.pageAccessToken;
  if (!token) throw new ChannelSendError('The Messenger Page has no access token; reconnect the Page.', false);
  if (!account.externalId) throw new ChannelSendError('The Messenger account has no Page id; reconnect the Page.', false);
  return { pageId: account.externalId, token };
}
