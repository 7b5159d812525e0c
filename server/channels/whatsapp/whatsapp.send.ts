// Builds the body of POST /{phone-number-id}/messages for an OutboundMessage, exactly as the
// WhatsApp Cloud API documents it. Invalid messages are rejected here, before calling Meta, with a
// non-retryable ChannelSendError (retrying an invalid message cannot help).
import { ChannelSendError, type OutboundMessage } from '../types.js';

export type WhatsAppSendBody = Record<string, unknown> & {
  messaging_product: 'whatsapp';
  recipient_type: 'individual';
  to: string;
  type: string;
};

/** Limits of interactive reply buttons. */
export const MAX_REPLY_BUTTONS = 3;
export const MAX_BUTTON_TITLE_LENGTH = 20;
/** Limits of interactive list messages. */
export const MAX_LIST_ROWS = 10;
export const MAX_LIST_SECTIONS = 10;
export const MAX_ROW_TITLE_LENGTH = 24;
export const MAX_ROW_DESCRIPTION_LENGTH = 72;
export const MAX_ROW_ID_LENGTH = 200;
export const MAX_SECTION_TITLE_LENGTH = 24;

// Meta renders a link preview only when asked, and only for http(s) URLs.
const URL_PATTERN = /\bhttps?:\/\/[^\s]+/i;

const invalid = (reason: string) => new ChannelSendError(reason, false);

/** Length as a person counts it (emoji and other astral characters count once). */
const charLength = (text: string) => [...text].length;

export function buildWhatsAppSendBody(message: OutboundMessage): WhatsAppSendBody {
  const to = message.to?.trim();
  if (!to) throw invalid('The message has no recipient.');
  const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to } as const;
  const body: WhatsAppSendBody = { ...base, type: message.type, ...typePart(message) };
  // A reaction already names its message; WhatsApp does not take a quote context on it.
  if (message.replyToExternalId && message.type !== 'reaction') body.context = { message_id: message.replyToExternalId };
  if (message.callbackData) body.biz_opaque_callback_data = message.callbackData.slice(0, 512);
  return body;
}

function typePart(message: OutboundMessage): Record<string, unknown> {
  const { content } = message;
  switch (message.type) {
    case 'text': {
      const text = message.text ?? '';
      if (text.trim() === '') throw invalid('A text message needs some text.');
      return { text: URL_PATTERN.test(text) ? { body: text, preview_url: true } : { body: text } };
    }
    case 'image':
    case 'video':
    case 'audio':
    case 'document':
    case 'sticker': {
      const media = content.media;
      const source = media?.externalId ? { id: media.externalId } : media?.url ? { link: media.url } : undefined;
      if (!source)
        throw invalid(
          `A${message.type === 'image' || message.type === 'audio' ? 'n' : ''} ${message.type} message needs an uploaded media id or a link.`,
        );
      const part: Record<string, unknown> = { ...source };
      // Audio and stickers cannot carry a caption; the others take the media caption or the text.
      const caption = media?.caption ?? message.text ?? undefined;
      if (caption && message.type !== 'audio' && message.type !== 'sticker') part.caption = caption;
      if (message.type === 'document' && media?.filename) part.filename = media.filename;
      return { [message.type]: part };
    }
    case 'location': {
      const location = content.location;
      if (!location || !Number.isFinite(location.latitude) || !Number.isFinite(location.longitude)) {
        throw invalid('A location message needs a latitude and a longitude.');
      }
      const part: Record<string, unknown> = { latitude: location.latitude, longitude: location.longitude };
      if (location.name) part.name = location.name;
      if (location.address) part.address = location.address;
      return { location: part };
    }
    case 'template': {
      const template = content.template;
      if (!template?.name || !template.language) throw invalid('A template message needs the template name and language.');
      const part: Record<string, unknown> = { name: template.name, language: { code: template.language } };
      if (template.components?.length) part.components = template.components;
      return { template: part };
    }
    case 'interactive':
      return { interactive: message.content.list ? interactiveList(message) : interactiveButtons(message) };
    case 'reaction': {
      const reaction = content.reaction;
      if (!reaction?.messageExternalId) throw invalid('A reaction needs the id of the message it reacts to.');
      // An empty emoji removes our earlier reaction.
      return { reaction: { message_id: reaction.messageExternalId, emoji: reaction.emoji ?? '' } };
    }
    default: {
      const type: never = message.type;
      throw invalid(`WhatsApp messages of type "${String(type)}" cannot be sent.`);
    }
  }
}

/** Reply buttons: 1–3 buttons, unique ids, titles of at most 20 characters, and a body text. */
function interactiveButtons(message: OutboundMessage): Record<string, unknown> {
  const text = message.text ?? '';
  if (text.trim() === '') throw invalid('An interactive message needs a body text.');
  const buttons = message.content.buttons ?? [];
  if (buttons.length === 0) throw invalid('An interactive message needs at least one button.');
  if (buttons.length > MAX_REPLY_BUTTONS) {
    throw invalid(`WhatsApp allows at most ${MAX_REPLY_BUTTONS} reply buttons; this message has ${buttons.length}.`);
  }
  const ids = new Set<string>();
  for (const button of buttons) {
    if (!button.id || !button.title?.trim()) throw invalid('Every button needs an id and a title.');
    if (charLength(button.title) > MAX_BUTTON_TITLE_LENGTH) {
      throw invalid(`The button title "${button.title}" is longer than WhatsApp's limit of ${MAX_BUTTON_TITLE_LENGTH} characters.`);
    }
    if (ids.has(button.id)) throw invalid(`Two buttons have the same id "${button.id}"; button ids must be unique.`);
    ids.add(button.id);
  }
  return {
    type: 'button',
    body: { text },
    action: { buttons: buttons.map((b) => ({ type: 'reply', reply: { id: b.id, title: b.title } })) },
  };
}

/**
 * A list message: a body text, a button (at most 20 characters) that opens 1–10 sections holding
 * 1–10 rows in all; row ids unique (at most 200 characters), row titles at most 24 characters,
 * descriptions at most 72; every section needs a title (at most 24) when there is more than one.
 */
function interactiveList(message: OutboundMessage): Record<string, unknown> {
  const text = message.text ?? '';
  if (text.trim() === '') throw invalid('An interactive list needs a body text.');
  const list = message.content.list!;
  if (!list.button?.trim()) throw invalid('An interactive list needs a button label.');
  if (charLength(list.button) > MAX_BUTTON_TITLE_LENGTH) {
    throw invalid(`The list button label "${list.button}" is longer than WhatsApp's limit of ${MAX_BUTTON_TITLE_LENGTH} characters.`);
  }
  const sections = list.sections ?? [];
  if (sections.length === 0 || sections.length > MAX_LIST_SECTIONS)
    throw invalid(`An interactive list needs 1 to ${MAX_LIST_SECTIONS} sections.`);
  const rows = sections.flatMap((s) => s.rows ?? []);
  if (rows.length === 0) throw invalid('An interactive list needs at least one row.');
  if (rows.length > MAX_LIST_ROWS)
    throw invalid(`WhatsApp allows at most ${MAX_LIST_ROWS} rows in a list; this message has ${rows.length}.`);
  const ids = new Set<string>();
  for (const row of rows) {
    if (!row.id || !row.title?.trim()) throw invalid('Every list row needs an id and a title.');
    if (row.id.length > MAX_ROW_ID_LENGTH)
      throw invalid(`The list row id "${row.id.slice(0, 40)}…" is longer than WhatsApp's limit of ${MAX_ROW_ID_LENGTH} characters.`);
    if (charLength(row.title) > MAX_ROW_TITLE_LENGTH)
      throw invalid(`The list row title "${row.title}" is longer than WhatsApp's limit of ${MAX_ROW_TITLE_LENGTH} characters.`);
    if (row.description && charLength(row.description) > MAX_ROW_DESCRIPTION_LENGTH) {
      throw invalid(
        `The description of list row "${row.title}" is longer than WhatsApp's limit of ${MAX_ROW_DESCRIPTION_LENGTH} characters.`,
      );
    }
    if (ids.has(row.id)) throw invalid(`Two list rows have the same id "${row.id}"; row ids must be unique.`);
    ids.add(row.id);
  }
  for (const section of sections) {
    if (sections.length > 1 && !section.title?.trim()) throw invalid('Every section of a list with several sections needs a title.');
    if (section.title && charLength(section.title) > MAX_SECTION_TITLE_LENGTH) {
      throw invalid(`The section title "${section.title}" is longer than WhatsApp's limit of ${MAX_SECTION_TITLE_LENGTH} characters.`);
    }
  }
  return {
    type: 'list',
    body: { text },
    action: {
      button: list.button,
      sections: sections.map((s) => ({
        ...(s.title ? { title: s.title } : {}),
        rows: s.rows.map((r) => ({ id: r.id, title: r.title, ...(r.description ? { description: r.description } : {}) })),
      })),
    },
  };
}
