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
      if (!source) throw invalid(`A${message.type === 'image' || message.type === 'audio' ? 'n' : ''} ${message.type} message needs an uploaded media id or a link.`);
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
      return { interactive: interactiveButtons(message) };
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
