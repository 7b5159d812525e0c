// One interface for every channel (WhatsApp, Messenger, Instagram, email): verify and parse
// webhooks, send, fetch media. The inbox, jobs and webhooks code only talk to this.

export const CHANNELS = ['whatsapp', 'messenger', 'instagram', 'email'] as const;
export type Channel = (typeof CHANNELS)[number];

export type MessageType =
  | 'text' | 'image' | 'video' | 'audio' | 'document' | 'sticker' | 'location' | 'contacts'
  | 'interactive' | 'button' | 'reaction' | 'template' | 'unsupported';

export type DeliveryStatus = 'queued' | 'sent' | 'delivered' | 'read' | 'failed';

/** Normalised, channel-independent content of a message, by type. */
export interface MessageContent {
  media?: { externalId?: string; url?: string; mimeType?: string; sha256?: string; filename?: string; caption?: string; voice?: boolean; mediaId?: string };
  location?: { latitude: number; longitude: number; name?: string; address?: string };
  contacts?: { name: string; phones: string[]; emails?: string[] }[];
  /** Reply to an interactive message (button or list) or a template quick-reply button. */
  interactive?: { kind: 'button_reply' | 'list_reply' | 'quick_reply' | 'postback'; id: string; title: string; description?: string };
  reaction?: { messageExternalId: string; emoji: string };
  template?: { name: string; language: string; components?: unknown[] };
  /** Outbound interactive message we send (buttons or list). */
  buttons?: { id: string; title: string }[];
  unsupported?: { reason: string };
}

export interface InboundMessage {
  /** The channel's message id (WhatsApp wamid); the idempotency key. */
  externalId: string;
  /** The customer's id on the channel (WhatsApp wa_id = phone number). */
  from: string;
  profileName?: string;
  timestamp: Date;
  type: MessageType;
  /** Text for display, preview and search: the body, caption, title or a short summary. */
  text: string | null;
  content: MessageContent;
  /** The channel id of the message this one replies to. */
  replyToExternalId?: string;
}

export interface InboundStatus {
  externalId: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  timestamp: Date;
  recipientId: string;
  error?: { code: number; title: string; reason: string };
}

export interface InboundTemplateStatus {
  templateExternalId: string;
  name: string;
  language: string;
  event: string;
  reason?: string;
}

/** Everything one webhook delivered for one channel account (WhatsApp: one phone_number_id). */
export interface ParsedWebhook {
  channel: Channel;
  /** Routes the batch to its integration account: phone_number_id, page id, IG account id, mailbox. */
  accountKey: string;
  messages: InboundMessage[];
  statuses: InboundStatus[];
  templateStatuses: InboundTemplateStatus[];
}

/** Decrypted account configuration as the adapter needs it. */
export interface AccountCredentials {
  channel: Channel;
  /** The routing key (phone number id for WhatsApp). */
  externalId: string;
  config: Record<string, string | undefined>;
}

export interface OutboundMessage {
  /** The customer's id on the channel. */
  to: string;
  type: Exclude<MessageType, 'button' | 'unsupported' | 'contacts'>;
  text?: string | null;
  content: MessageContent;
  replyToExternalId?: string;
}

/** Why a send failed, and whether trying again later can help. */
export class ChannelSendError extends Error {
  constructor(
    readonly reason: string,
    readonly retryable: boolean,
    readonly code?: number,
    readonly httpStatus?: number,
  ) {
    super(reason);
  }
}

export interface FetchedMedia {
  data: Buffer;
  mimeType: string;
  filename?: string;
}

export interface ChannelAdapter {
  readonly channel: Channel;
  /** True when `signatureHeader` (X-Hub-Signature-256) is the HMAC of the exact raw body. */
  verifySignature(rawBody: Buffer, signatureHeader: string | undefined, appSecret: string): boolean;
  /** Parses a webhook body into batches per account; ignores parts it does not know. */
  parseWebhook(body: unknown): ParsedWebhook[];
  send(account: AccountCredentials, message: OutboundMessage): Promise<{ externalId: string }>;
  fetchMedia(account: AccountCredentials, mediaExternalId: string): Promise<FetchedMedia>;
  /** Channels that send files by id (WhatsApp) upload them first; others send a link. */
  uploadMedia?(account: AccountCredentials, file: { data: Buffer; mimeType: string; filename?: string }): Promise<{ externalId: string }>;
}
