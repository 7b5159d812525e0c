// Normalises Messenger Platform webhooks into ParsedWebhook batches, one per Page (object "page")
// or Instagram professional account (object "instagram"): both products deliver `entry[].messaging[]`
// events of the same shape. Webhook bodies come from outside: every field is checked, anything
// malformed is skipped, and nothing here throws.
import type { InboundMessage, InboundStatus, InboundWatermark, MessageContent, MessageType, ParsedWebhook } from '../types.js';

type Obj = Record<string, unknown>;
export type MessagingChannel = 'messenger' | 'instagram';

const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
/** A non-empty string, or undefined. Numbers are accepted too (ids and app ids arrive as numbers). */
const str = (value: unknown): string | undefined => {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
};
/** Milliseconds since the epoch (Messenger timestamps) to a Date. */
function millis(value: unknown): Date | undefined {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? new Date(n) : undefined;
}

const OBJECTS: Record<MessagingChannel, string> = { messenger: 'page', instagram: 'instagram' };
const PRODUCT: Record<MessagingChannel, string> = { messenger: 'Messenger', instagram: 'Instagram' };

type Body = { type: MessageType; text: string | null; content: MessageContent };

/** The Page / Instagram account ids a body is addressed to, without reading its events. */
export function messagingRoutingKeys(body: unknown, channel: MessagingChannel): string[] {
  if (!isObj(body) || body.object !== OBJECTS[channel]) return [];
  const keys = new Set<string>();
  for (const entry of asArray(body.entry)) {
    const key = isObj(entry) ? str(entry.id) : undefined;
    if (key) keys.add(key);
  }
  return [...keys];
}

export function parseMessagingWebhook(body: unknown, channel: MessagingChannel): ParsedWebhook[] {
  if (!isObj(body) || body.object !== OBJECTS[channel]) return [];
  const batches = new Map<string, ParsedWebhook>();
  const batchFor = (accountKey: string): ParsedWebhook => {
    let batch = batches.get(accountKey);
    if (!batch) {
      batch = { channel, accountKey, messages: [], statuses: [], templateStatuses: [], watermarks: [] };
      batches.set(accountKey, batch);
    }
    return batch;
  };
  for (const entry of asArray(body.entry)) {
    if (!isObj(entry)) continue;
    const accountKey = str(entry.id);
    if (!accountKey) continue;
    for (const event of asArray(entry.messaging)) {
      if (!isObj(event)) continue;
      const parsed = parseEvent(event, accountKey, channel);
      if (!parsed.messages.length && !parsed.statuses.length && !parsed.watermarks.length) continue;
      const batch = batchFor(accountKey);
      batch.messages.push(...parsed.messages);
      batch.statuses.push(...parsed.statuses);
      batch.watermarks!.push(...parsed.watermarks);
    }
  }
  return [...batches.values()];
}

function parseEvent(
  event: Obj,
  accountKey: string,
  channel: MessagingChannel,
): { messages: InboundMessage[]; statuses: InboundStatus[]; watermarks: InboundWatermark[] } {
  const result = { messages: [] as InboundMessage[], statuses: [] as InboundStatus[], watermarks: [] as InboundWatermark[] };
  const sender = isObj(event.sender) ? str(event.sender.id) : undefined;
  const recipient = isObj(event.recipient) ? str(event.recipient.id) : undefined;
  const timestamp = millis(event.timestamp);
  if (!sender || !timestamp) return result;

  if (isObj(event.message)) {
    const echo = event.message.is_echo === true;
    // An echo is the business's own message: the customer is its recipient.
    const customer = echo ? recipient : sender;
    if (!customer || (customer === accountKey && !echo)) return result;
    result.messages.push(...parseMessage(event.message, customer, timestamp, channel, echo));
  } else if (isObj(event.postback)) {
    const postback = event.postback;
    const title = str(postback.title);
    const id = str(postback.payload) ?? title;
    if (id && title) {
      result.messages.push({
        externalId: str(postback.mid) ?? `postback:${sender}:${timestamp.getTime()}`,
        from: sender,
        timestamp,
        type: 'interactive',
        text: title,
        content: { interactive: { kind: 'postback', id, title } },
      });
    }
  } else if (isObj(event.reaction)) {
    const reaction = event.reaction;
    const messageExternalId = str(reaction.mid);
    if (messageExternalId) {
      // Removing a reaction (unreact) is an empty emoji, as on WhatsApp.
      const emoji = reaction.action === 'unreact' ? '' : (str(reaction.emoji) ?? str(reaction.reaction) ?? '');
      result.messages.push({
        // A reaction has no id of its own; Meta's retries repeat the same timestamp.
        externalId: `reaction:${messageExternalId}:${sender}:${timestamp.getTime()}${emoji ? '' : ':unreact'}`,
        from: sender,
        timestamp,
        type: 'reaction',
        text: emoji || null,
        content: { reaction: { messageExternalId, emoji } },
      });
    }
  } else if (isObj(event.delivery)) {
    for (const mid of asArray(event.delivery.mids)) {
      const externalId = str(mid);
      if (externalId) result.statuses.push({ externalId, status: 'delivered', timestamp, recipientId: sender });
    }
    const watermark = millis(event.delivery.watermark);
    if (watermark) result.watermarks.push({ recipientId: sender, status: 'delivered', watermark });
  } else if (isObj(event.read)) {
    // Messenger sends a watermark; Instagram names the last message read (and means everything before it).
    const mid = str(event.read.mid);
    if (mid) result.statuses.push({ externalId: mid, status: 'read', timestamp, recipientId: sender });
    const watermark = millis(event.read.watermark) ?? (channel === 'instagram' ? timestamp : undefined);
    if (watermark) result.watermarks.push({ recipientId: sender, status: 'read', watermark });
  }
  return result;
}

function parseMessage(raw: Obj, customer: string, timestamp: Date, channel: MessagingChannel, echo: boolean): InboundMessage[] {
  const mid = str(raw.mid);
  // A deleted Instagram message carries nothing to show.
  if (!mid || raw.is_deleted === true) return [];
  const base = { from: customer, timestamp, ...(echo ? { echo: true } : {}) };
  const replyTo = isObj(raw.reply_to) ? raw.reply_to : undefined;
  const replyToMid = replyTo ? str(replyTo.mid) : undefined;
  const story = replyTo && isObj(replyTo.story) ? replyTo.story : undefined;
  const decorate = (message: InboundMessage): InboundMessage => {
    if (replyToMid) message.replyToExternalId = replyToMid;
    if (story) {
      const s: NonNullable<MessageContent['story']> = { kind: 'reply' };
      const id = str(story.id);
      const url = str(story.url);
      if (id) s.id = id;
      if (url) s.url = url;
      message.content.story = s;
    }
    return message;
  };

  const text = typeof raw.text === 'string' && raw.text !== '' ? raw.text : undefined;
  const attachments = asArray(raw.attachments).filter(isObj);
  if (attachments.length === 0) {
    if (text === undefined) {
      if (raw.is_unsupported === true) {
        return [
          decorate({
            ...base,
            externalId: mid,
            type: 'unsupported',
            text: null,
            content: { unsupported: { reason: `${PRODUCT[channel]} sent a message that it does not make available to apps.` } },
          }),
        ];
      }
      return [];
    }
    const quickReply = isObj(raw.quick_reply) ? str(raw.quick_reply.payload) : undefined;
    if (quickReply) {
      return [
        decorate({
          ...base,
          externalId: mid,
          type: 'interactive',
          text,
          content: { interactive: { kind: 'quick_reply', id: quickReply, title: text } },
        }),
      ];
    }
    return [decorate({ ...base, externalId: mid, type: 'text', text, content: {} })];
  }
  // One Messenger message may carry several files: the first keeps the mid (reactions and replies
  // name it), the others become messages of their own beside it.
  const messages: InboundMessage[] = [];
  attachments.forEach((attachment, index) => {
    const body = parseAttachment(attachment, channel, index === 0 ? text : undefined);
    if (!body) return;
    messages.push(decorate({ ...base, externalId: index === 0 ? mid : `${mid}#${index}`, ...body }));
  });
  return messages;
}

const MEDIA_TYPES: Record<string, MessageType> = {
  image: 'image',
  video: 'video',
  audio: 'audio',
  file: 'document',
  ig_reel: 'video',
  reel: 'video',
};

function parseAttachment(attachment: Obj, channel: MessagingChannel, text: string | undefined): Body | undefined {
  const type = str(attachment.type);
  if (!type) return undefined;
  const payload = isObj(attachment.payload) ? attachment.payload : {};
  const url = str(payload.url);
  const title = str(attachment.title) ?? str(payload.title);
  if (type === 'story_mention') {
    const story: NonNullable<MessageContent['story']> = { kind: 'mention' };
    if (url) story.url = url;
    const content: MessageContent = { story };
    if (url) content.media = { externalId: url, url };
    return { type: 'image', text: text ?? null, content };
  }
  const mediaType = MEDIA_TYPES[type];
  if (mediaType) {
    if (!url) return undefined;
    const media: NonNullable<MessageContent['media']> = { externalId: url, url };
    if (text) media.caption = text;
    return { type: mediaType, text: text ?? title ?? null, content: { media } };
  }
  if (type === 'location') {
    const coordinates = isObj(payload.coordinates) ? payload.coordinates : undefined;
    const latitude = coordinates ? Number(coordinates.lat) : NaN;
    const longitude = coordinates ? Number(coordinates.long) : NaN;
    if (Number.isFinite(latitude) && Number.isFinite(longitude)) {
      const location: NonNullable<MessageContent['location']> = { latitude, longitude };
      if (title) location.name = title;
      return { type: 'location', text: title ?? `${latitude},${longitude}`, content: { location } };
    }
  }
  // A shared post, link (fallback), template or anything newer: keep it readable as its link.
  const shown = [text, title, url].filter(Boolean).join(' ');
  if (shown) return { type: 'text', text: shown, content: {} };
  return {
    type: 'unsupported',
    text: null,
    content: { unsupported: { reason: `${PRODUCT[channel]} attachment type "${type}" is not supported yet.` } },
  };
}
