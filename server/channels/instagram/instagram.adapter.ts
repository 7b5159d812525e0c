// The Instagram messaging channel (an Instagram professional account): webhooks arrive in the
// Messenger Platform's shape (object "instagram"), replies go through POST /{ig-user-id}/messages.
import { GraphClient } from '../graph-client.js';
import { verifyMetaSignature } from '../meta-signature.js';
import {
  ChannelSendError,
  type AccountCredentials,
  type ChannelAdapter,
  type FetchedMedia,
  type OutboundMessage,
  type ParsedWebhook,
} from '../types.js';
import { messagingRoutingKeys, parseMessagingWebhook } from '../messenger/messenger.parse.js';
import { buildMessagingSendBody } from '../messenger/messenger.send.js';
import { downloadAttachment, sentMessageId, type MetaAdapterOptions } from '../messenger/messenger.adapter.js';

export class InstagramAdapter implements ChannelAdapter {
  readonly channel = 'instagram' as const;
  readonly graph: GraphClient;

  constructor(options: MetaAdapterOptions) {
    this.graph = new GraphClient({ ...options, product: 'Instagram' });
  }

  verifySignature(rawBody: Buffer, signatureHeader: string | undefined, appSecret: string): boolean {
    return verifyMetaSignature(rawBody, signatureHeader, appSecret);
  }

  parseWebhook(body: unknown): ParsedWebhook[] {
    return parseMessagingWebhook(body, 'instagram');
  }

  routingKeys(body: unknown): string[] {
    return messagingRoutingKeys(body, 'instagram');
  }

  /** POST /{ig-user-id}/messages: `{recipient: {id: IGSID}, message: {text}}`. */
  async send(account: AccountCredentials, message: OutboundMessage): Promise<{ externalId: string }> {
    const token = account.config.accessToken;
    if (!token) throw new ChannelSendError('The Instagram account has no access token; reconnect the account.', false);
    if (!account.externalId) throw new ChannelSendError('The Instagram account has no account id; reconnect the account.', false);
    const body = buildMessagingSendBody(message, 'instagram');
    return sentMessageId(await this.graph.post(`/${encodeURIComponent(account.externalId)}/messages`, token, body));
  }

  fetchMedia(_account: AccountCredentials, mediaExternalId: string): Promise<FetchedMedia> {
    return downloadAttachment(this.graph, mediaExternalId, 'Instagram');
  }
}
