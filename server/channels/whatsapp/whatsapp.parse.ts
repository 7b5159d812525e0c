// Normalises WhatsApp Cloud API webhooks (object "whatsapp_business_account") into ParsedWebhook
// batches, one per phone number. Webhook bodies come from outside: every field is checked, anything
// malformed is skipped, and nothing here throws.
import { graphErrorReason, graphErrorSentence } from '../graph-client.js';
import type { InboundMessage, InboundStatus, InboundTemplateStatus, MessageContent, MessageType, ParsedWebhook } from '../types.js';

type Obj = Record<string, unknown>;

const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
/** A non-empty string, or undefined. Numbers are accepted too (ids sometimes arrive as numbers). */
const str = (value: unknown): string | undefined => {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
};
const num = (value: unknown): number | undefined => {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
};

/** Unix seconds (a string in WhatsApp payloads) to a Date; undefined when not a valid time. */
function unixSeconds(value: unknown): Date | undefined {
  const seconds = num(value);
  return seconds === undefined ? undefined : new Date(seconds * 1000);
}

const MEDIA_TYPES = ['image', 'video', 'audio', 'document', 'sticker'] as const;
type MediaType = (typeof MEDIA_TYPES)[number];
const isMediaType = (type: string): type is MediaType => (MEDIA_TYPES as readonly string[]).includes(type);

const STATUSES = ['sent', 'delivered', 'read', 'failed'] as const;

type Body = { type: MessageType; text: string | null; content: MessageContent };

/**
 * The account keys a body is addressed to, without reading its messages: what acknowledging a
 * webhook needs to find the account and its app secret (the job parses the whole body later).
 */
export function whatsAppRoutingKeys(body: unknown): string[] {
  if (!isObj(body) || body.object !== 'whatsapp_business_account') return [];
  const keys = new Set<string>();
  for (const entry of asArray(body.entry)) {
    if (!isObj(entry)) continue;
    for (const change of asArray(entry.changes)) {
      if (!isObj(change) || !isObj(change.value)) continue;
      const key =
        change.field === 'messages'
          ? isObj(change.value.metadata)
            ? str(change.value.metadata.phone_number_id)
            : undefined
          : change.field === 'message_template_status_update'
            ? str(entry.id)
            : undefined;
      if (key) keys.add(key);
    }
  }
  return [...keys];
}

export function parseWhatsAppWebhook(body: unknown): ParsedWebhook[] {
  if (!isObj(body) || body.object !== 'whatsapp_business_account') return [];
  // Keyed by account key, in order of first appearance, so a batch spanning several entries for the
  // same phone number comes back as one ParsedWebhook.
  const batches = new Map<string, ParsedWebhook>();
  const batchFor = (accountKey: string): ParsedWebhook => {
    let batch = batches.get(accountKey);
    if (!batch) {
      batch = { channel: 'whatsapp', accountKey, messages: [], statuses: [], templateStatuses: [] };
      batches.set(accountKey, batch);
    }
    return batch;
  };

  for (const entry of asArray(body.entry)) {
    if (!isObj(entry)) continue;
    for (const change of asArray(entry.changes)) {
      if (!isObj(change) || !isObj(change.value)) continue;
      if (change.field === 'messages') {
        const phoneNumberId = isObj(change.value.metadata) ? str(change.value.metadata.phone_number_id) : undefined;
        if (!phoneNumberId) continue;
        const messages = parseMessages(change.value);
        const statuses = parseStatuses(change.value);
        if (messages.length === 0 && statuses.length === 0) continue;
        const batch = batchFor(phoneNumberId);
        batch.messages.push(...messages);
        batch.statuses.push(...statuses);
      } else if (change.field === 'message_template_status_update') {
        // Templates belong to the WhatsApp Business Account, not to a phone number, so this batch's
        // accountKey is the WABA id (entry.id) rather than a phone_number_id.
        const wabaId = str(entry.id);
        const templateStatus = parseTemplateStatus(change.value);
        if (wabaId && templateStatus) batchFor(wabaId).templateStatuses.push(templateStatus);
      }
    }
  }
  return [...batches.values()];
}

function parseMessages(value: Obj): InboundMessage[] {
  const profileNames = new Map<string, string>();
  for (const contact of asArray(value.contacts)) {
    if (!isObj(contact)) continue;
    const waId = str(contact.wa_id);
    const name = isObj(contact.profile) ? str(contact.profile.name) : undefined;
    if (waId && name) profileNames.set(waId, name);
  }
  const result: InboundMessage[] = [];
  for (const raw of asArray(value.messages)) {
    const message = parseMessage(raw, profileNames);
    if (message) result.push(message);
  }
  return result;
}

function parseMessage(raw: unknown, profileNames: Map<string, string>): InboundMessage | undefined {
  if (!isObj(raw)) return undefined;
  const externalId = str(raw.id);
  const from = str(raw.from);
  const type = str(raw.type);
  const timestamp = unixSeconds(raw.timestamp);
  if (!externalId || !from || !type || !timestamp) return undefined;
  const body = parseBody(type, raw);
  if (!body) return undefined;
  const message: InboundMessage = { externalId, from, timestamp, ...body };
  const profileName = profileNames.get(from);
  if (profileName) message.profileName = profileName;
  const replyTo = isObj(raw.context) ? str(raw.context.id) : undefined;
  if (replyTo) message.replyToExternalId = replyTo;
  return message;
}

/** The type-specific part of a message; undefined when the type's object is missing or malformed. */
function parseBody(type: string, raw: Obj): Body | undefined {
  if (isMediaType(type)) return parseMedia(type, raw[type]);
  switch (type) {
    case 'text': {
      const text = isObj(raw.text) && typeof raw.text.body === 'string' ? raw.text.body : undefined;
      return text === undefined ? undefined : { type: 'text', text, content: {} };
    }
    case 'location':
      return parseLocation(raw.location);
    case 'contacts':
      return parseContacts(raw.contacts);
    case 'interactive':
      return parseInteractive(raw.interactive);
    case 'button': {
      if (!isObj(raw.button)) return undefined;
      const title = str(raw.button.text);
      const id = str(raw.button.payload) ?? title;
      if (!id || !title) return undefined;
      return { type: 'button', text: title, content: { interactive: { kind: 'quick_reply', id, title } } };
    }
    case 'reaction': {
      if (!isObj(raw.reaction)) return undefined;
      const messageExternalId = str(raw.reaction.message_id);
      if (!messageExternalId) return undefined;
      // An empty (or absent) emoji means the customer removed their reaction; keep it as ''.
      const emoji = typeof raw.reaction.emoji === 'string' ? raw.reaction.emoji : '';
      return { type: 'reaction', text: emoji || null, content: { reaction: { messageExternalId, emoji } } };
    }
    case 'unsupported': {
      const error = asArray(raw.errors).find(isObj);
      const reason = error ? errorReason(error) : 'This message type is not supported by WhatsApp.';
      return { type: 'unsupported', text: null, content: { unsupported: { reason } } };
    }
    default:
      // A type this code does not know yet (order, system, …): keep the customer's message visible
      // in the conversation instead of dropping it.
      return {
        type: 'unsupported',
        text: null,
        content: { unsupported: { reason: `WhatsApp message type "${type}" is not supported yet.` } },
      };
  }
}

function parseMedia(type: MediaType, raw: unknown): Body | undefined {
  if (!isObj(raw)) return undefined;
  const externalId = str(raw.id);
  if (!externalId) return undefined;
  const media: NonNullable<MessageContent['media']> = { externalId };
  const mimeType = str(raw.mime_type);
  const sha256 = str(raw.sha256);
  const caption = str(raw.caption);
  const filename = str(raw.filename);
  if (mimeType) media.mimeType = mimeType;
  if (sha256) media.sha256 = sha256;
  if (caption) media.caption = caption;
  if (filename) media.filename = filename;
  if (typeof raw.voice === 'boolean') media.voice = raw.voice;
  return { type, text: caption ?? null, content: { media } };
}

function parseLocation(raw: unknown): Body | undefined {
  if (!isObj(raw)) return undefined;
  const latitude = num(raw.latitude);
  const longitude = num(raw.longitude);
  if (latitude === undefined || longitude === undefined) return undefined;
  const location: NonNullable<MessageContent['location']> = { latitude, longitude };
  const name = str(raw.name);
  const address = str(raw.address);
  if (name) location.name = name;
  if (address) location.address = address;
  const text = [name, address].filter(Boolean).join(', ') || `${latitude},${longitude}`;
  return { type: 'location', text, content: { location } };
}

function parseContacts(raw: unknown): Body | undefined {
  const contacts: NonNullable<MessageContent['contacts']> = [];
  for (const card of asArray(raw)) {
    if (!isObj(card)) continue;
    const phones = asArray(card.phones)
      .filter(isObj)
      .map((p) => str(p.phone) ?? str(p.wa_id))
      .filter((p): p is string => !!p);
    const emails = asArray(card.emails)
      .filter(isObj)
      .map((e) => str(e.email))
      .filter((e): e is string => !!e);
    const nameObj = isObj(card.name) ? card.name : {};
    const name =
      str(nameObj.formatted_name) ??
      ([str(nameObj.first_name), str(nameObj.last_name)].filter(Boolean).join(' ') || undefined) ??
      phones[0];
    if (!name) continue;
    contacts.push(emails.length ? { name, phones, emails } : { name, phones });
  }
  if (contacts.length === 0) return undefined;
  return { type: 'contacts', text: contacts.map((c) => c.name).join(', '), content: { contacts } };
}

function parseInteractive(raw: unknown): Body | undefined {
  if (!isObj(raw)) return undefined;
  const kind = raw.type;
  if (kind !== 'button_reply' && kind !== 'list_reply') {
    const name = str(kind) ?? 'unknown';
    return {
      type: 'unsupported',
      text: null,
      content: { unsupported: { reason: `WhatsApp interactive reply "${name}" is not supported yet.` } },
    };
  }
  const reply = raw[kind];
  if (!isObj(reply)) return undefined;
  const id = str(reply.id);
  const title = str(reply.title);
  if (!id || !title) return undefined;
  const interactive: NonNullable<MessageContent['interactive']> = { kind, id, title };
  const description = str(reply.description);
  if (kind === 'list_reply' && description) interactive.description = description;
  return { type: 'interactive', text: title, content: { interactive } };
}

function parseStatuses(value: Obj): InboundStatus[] {
  const result: InboundStatus[] = [];
  for (const raw of asArray(value.statuses)) {
    if (!isObj(raw)) continue;
    const externalId = str(raw.id);
    const status = STATUSES.find((s) => s === raw.status);
    const timestamp = unixSeconds(raw.timestamp);
    const recipientId = str(raw.recipient_id);
    if (!externalId || !status || !timestamp || !recipientId) continue;
    const parsed: InboundStatus = { externalId, status, timestamp, recipientId };
    const error = asArray(raw.errors).find(isObj);
    if (error) {
      const code = num(error.code) ?? 0;
      parsed.error = {
        code,
        title: str(error.title) ?? str(error.message) ?? '',
        reason: errorReason(error),
      };
    }
    if (isObj(raw.pricing)) {
      const billable = raw.pricing.billable;
      parsed.pricing = {
        billable: typeof billable === 'boolean' ? billable : null,
        pricingModel: str(raw.pricing.pricing_model) ?? null,
        category: str(raw.pricing.category)?.toLowerCase() ?? null,
        type: str(raw.pricing.type)?.toLowerCase() ?? null,
      };
    }
    const conversationId = isObj(raw.conversation) ? str(raw.conversation.id) : undefined;
    if (isObj(raw.conversation) && conversationId) {
      parsed.conversation = {
        id: conversationId,
        originType: (isObj(raw.conversation.origin) ? str(raw.conversation.origin.type)?.toLowerCase() : undefined) ?? null,
        expiresAt: unixSeconds(raw.conversation.expiration_timestamp) ?? null,
      };
    }
    result.push(parsed);
  }
  return result;
}

/** Meta's own explanation of an error: the details if any, else the message or title. */
function metaText(error: Obj): string | undefined {
  const details = isObj(error.error_data) ? str(error.error_data.details) : undefined;
  return details ?? str(error.message) ?? str(error.title);
}

/**
 * The reason shown for an error in a webhook (a failed status, an unsupported message): our readable
 * sentence for the code, the same as for a failed send, else Meta's own words.
 */
function errorReason(error: Obj): string {
  const code = num(error.code);
  return (code === undefined ? undefined : graphErrorSentence(code)) ?? metaText(error) ?? graphErrorReason(code, undefined);
}

function parseTemplateStatus(value: Obj): InboundTemplateStatus | undefined {
  const templateExternalId = str(value.message_template_id);
  const name = str(value.message_template_name);
  const event = str(value.event);
  if (!templateExternalId || !name || !event) return undefined;
  const status: InboundTemplateStatus = { templateExternalId, name, language: str(value.message_template_language) ?? '', event };
  const reason = str(value.reason);
  // Meta sends the literal "NONE" when there is no reason (e.g. on APPROVED).
  if (reason && reason !== 'NONE') status.reason = reason;
  return status;
}
