// One interface for every channel (WhatsApp, Messenger, Instagram, email): verify and parse
// webhooks, send, fetch media. The inbox, jobs and webhooks code only talk to this.

export const CHANNELS = ['whatsapp', 'messenger', 'instagram', 'email'] as const;
export type Channel = (typeof CHANNELS)[number];

export type MessageType =
  | 'text'
  | 'image'
  | 'video'
  | 'audio'
  | 'document'
  | 'sticker'
  | 'location'
  | 'contacts'
  | 'interactive'
  | 'button'
  | 'reaction'
  | 'template'
  | 'unsupported';

export type DeliveryStatus = 'queued' | 'sent' | 'delivered' | 'read' | 'failed';

/** Normalised, channel-independent content of a message, by type. */
export interface MessageContent {
  media?: {
    externalId?: string;
    url?: string;
    mimeType?: string;
    sha256?: string;
    filename?: string;
    caption?: string;
    voice?: boolean;
    mediaId?: string;
    /** Inbound: why the file could not be downloaded (a refused link, too large, gone); set once given up. */
    unavailable?: string;
  };
  location?: { latitude: number; longitude: number; name?: string; address?: string };
  contacts?: { name: string; phones: string[]; emails?: string[] }[];
  /** Reply to an interactive message (button or list) or a template quick-reply button. */
  interactive?: { kind: 'button_reply' | 'list_reply' | 'quick_reply' | 'postback'; id: string; title: string; description?: string };
  reaction?: { messageExternalId: string; emoji: string };
  template?: { name: string; language: string; components?: unknown[] };
  /** Outbound interactive message we send (buttons or list). */
  buttons?: { id: string; title: string }[];
  /** Outbound interactive list (WhatsApp: up to 10 rows in sections, opened by a button). */
  list?: InteractiveList;
  unsupported?: { reason: string };
  /** Instagram: a story that mentions the business, or the story a message replies to. */
  story?: { kind: 'mention' | 'reply'; id?: string; url?: string };
  /** Email: the headers that thread it, and what else the mail carried. */
  email?: EmailContent;
  /** Inbound: it arrived while its channel was turned off (stored, but nothing is sent on that channel). */
  receivedWhileDisabled?: boolean;
}

/** What an email message keeps besides its plain text (which is the message's `text`). */
export interface EmailContent {
  subject: string | null;
  /** RFC 5322 Message-ID with angle brackets, e.g. <abc@mail.example>; also the message's externalId. */
  messageId?: string;
  inReplyTo?: string;
  /** The thread's Message-IDs, oldest first. */
  references?: string[];
  from?: string;
  /** Where the sender wants replies (Reply-To), when it is not `from`. */
  replyTo?: string;
  to?: string[];
  cc?: string[];
  /** The HTML body, sanitised (no scripts, styles, event handlers or remote frames). */
  html?: string;
  /** Every attachment, stored as media; the first is also the message's mediaId. */
  attachments?: { mediaId: string; filename: string | null; mimeType: string; size: number }[];
  /** An auto-reply or bounce (Auto-Submitted, RFC 3834): never to be answered automatically. */
  autoSubmitted?: boolean;
}

/** An interactive list message: a button that opens sections of selectable rows. */
export interface InteractiveList {
  /** The label of the button that opens the list. */
  button: string;
  sections: { title?: string; rows: { id: string; title: string; description?: string }[] }[];
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
  /**
   * Messenger/Instagram echo: the business's own message, sent outside OmniStream (Meta's inbox or
   * another app) or by us. Stored as outbound (once: by externalId); `from` is still the customer.
   */
  echo?: boolean;
  /**
   * Email threading: the Message-IDs this message answers (In-Reply-To first, then References from
   * the newest) and its subject. The conversation is found by these instead of by the contact.
   */
  thread?: { references: string[]; subject: string | null };
}

/**
 * Messenger/Instagram delivery and read watermarks: every outbound message to `recipientId` sent
 * at or before `watermark` has reached this status.
 */
export interface InboundWatermark {
  recipientId: string;
  status: 'delivered' | 'read';
  watermark: Date;
}

export interface InboundStatus {
  externalId: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  timestamp: Date;
  recipientId: string;
  error?: { code: number; title: string; reason: string };
  /** WhatsApp: the `biz_opaque_callback_data` the message was sent with (campaigns put their recipient id there). */
  callbackData?: string;
  /** WhatsApp: how Meta prices the message (analytics by category and pricing type). */
  pricing?: { billable: boolean | null; pricingModel: string | null; category: string | null; type: string | null };
  /** WhatsApp conversation-based pricing: the conversation the message opened or joined. */
  conversation?: { id: string; originType: string | null; expiresAt: Date | null };
}

export interface InboundTemplateStatus {
  templateExternalId: string;
  name: string;
  language: string;
  /** APPROVED, REJECTED, PAUSED, DISABLED, PENDING_DELETION…; for a quality change, QUALITY_CHANGED. */
  event: string;
  reason?: string;
  category?: string;
  /** message_template_quality_update: GREEN, YELLOW, RED or UNKNOWN. */
  qualityScore?: string;
  previousQualityScore?: string;
  /** PAUSED/unpause details Meta adds (`other_info`): FIRST_PAUSE, SECOND_PAUSE, RATE_LIMITING_PAUSE, UNPAUSE… */
  pause?: { title: string; description?: string };
}

/** Everything one webhook delivered for one channel account (WhatsApp: one phone_number_id). */
export interface ParsedWebhook {
  channel: Channel;
  /** Routes the batch to its integration account: phone_number_id, page id, IG account id, mailbox. */
  accountKey: string;
  messages: InboundMessage[];
  statuses: InboundStatus[];
  templateStatuses: InboundTemplateStatus[];
  /** Messenger/Instagram only. */
  watermarks?: InboundWatermark[];
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
  /** Messenger: send with this message tag (HUMAN_AGENT between 24 hours and 7 days). */
  messagingTag?: 'HUMAN_AGENT';
  /** The attached file's bytes, for channels that carry files inline (email); see ChannelAdapter.attachesFiles. */
  file?: { data: Buffer; mimeType: string; filename?: string };
  /** WhatsApp: echoed back in the message's status webhooks (`biz_opaque_callback_data`, at most 512 characters). */
  callbackData?: string;
}

/** Why a send failed, and whether trying again later can help. */
export class ChannelSendError extends Error {
  constructor(
    readonly reason: string,
    readonly retryable: boolean,
    readonly code?: number,
    readonly httpStatus?: number,
    /**
     * The request provably never left (connection refused, failed name lookup, connect timeout):
     * sending again cannot make a duplicate. An error answer (httpStatus, an SMTP reply) proves it too.
     */
    readonly notSent = false,
  ) {
    super(reason);
  }
}

/**
 * Whether a failed send certainly did not reach the channel: the channel answered with an error, or
 * the connection was never made. Otherwise (a timeout, a cut connection, an unexpected exception)
 * the channel may have the message, and sending it again could deliver it twice.
 */
export function provedNotSent(err: unknown): boolean {
  return err instanceof ChannelSendError && (err.httpStatus !== undefined || err.notSent);
}

export interface FetchedMedia {
  data: Buffer;
  mimeType: string;
  filename?: string;
}

export interface ChannelAdapter {
  readonly channel: Channel;
  /**
   * True when the webhook is authentic: for Meta channels `signatureHeader` (X-Hub-Signature-256) is
   * the HMAC of the exact raw body under `appSecret`; for email it is the account's inbound secret.
   */
  verifySignature(rawBody: Buffer, signatureHeader: string | undefined, appSecret: string): boolean;
  /**
   * Parses a Meta JSON webhook body into batches per account; ignores parts it does not know.
   * Email has no JSON batches (always []): its MIME is read by EmailAdapter.parseEmail.
   */
  parseWebhook(body: unknown): ParsedWebhook[];
  /** The account keys parseWebhook would give batches for (a superset), read cheaply while acknowledging. */
  routingKeys(body: unknown): string[];
  send(account: AccountCredentials, message: OutboundMessage): Promise<{ externalId: string }>;
  fetchMedia(account: AccountCredentials, mediaExternalId: string): Promise<FetchedMedia>;
  /** Email: the send job puts an attached file's bytes in OutboundMessage.file. */
  readonly attachesFiles?: boolean;
  /** Channels that send files by id (WhatsApp) upload them first; others send a link. */
  uploadMedia?(account: AccountCredentials, file: { data: Buffer; mimeType: string; filename?: string }): Promise<{ externalId: string }>;
}
