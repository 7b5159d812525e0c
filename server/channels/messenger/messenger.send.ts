// Builds the body of a Send API call (POST /{page-id}/messages for Messenger, POST
// /{ig-user-id}/messages for Instagram) for an OutboundMessage, as Meta documents it. Invalid
// messages are refused here, before calling Meta, with a non-retryable ChannelSendError.
import { ChannelSendError, type OutboundMessage } from '../types.js';
import type { MessagingChannel } from './messenger.parse.js';

export type MessagingSendBody = {
  recipient: { id: string };
  messaging_type?: 'RESPONSE' | 'MESSAGE_TAG';
  tag?: 'HUMAN_AGENT';
  message: Record<string, unknown>;
};

/** Meta's limits: Messenger text up to 2000 characters, Instagram up to 1000 bytes of UTF-8. */
export const MESSENGER_MAX_TEXT = 2000;
export const INSTAGRAM_MAX_TEXT_BYTES = 1000;
/** Quick replies: at most 13, titles of at most 20 characters. */
export const MAX_QUICK_REPLIES = 13;
export const MAX_QUICK_REPLY_TITLE = 20;

const PRODUCT: Record<MessagingChannel, string> = { messenger: 'Messenger', instagram: 'Instagram' };
const ATTACHMENT_TYPES: Record<string, string> = { image: 'image', video: 'video', audio: 'audio', document: 'file' };

const invalid = (reason: string) => new ChannelSendError(reason, false);
const charLength = (text: string) => [...text].length;

export function buildMessagingSendBody(message: OutboundMessage, channel: MessagingChannel): MessagingSendBody {
  const to = message.to?.trim();
  if (!to) throw invalid('The message has no recipient.');
  const body: MessagingSendBody = { recipient: { id: to }, message: messagePart(message, channel) };
  if (channel === 'messenger') {
    // RESPONSE inside the 24-hour window; a human agent's reply up to 7 days carries the tag.
    if (message.messagingTag) {
      body.messaging_type = 'MESSAGE_TAG';
      body.tag = message.messagingTag;
    } else body.messaging_type = 'RESPONSE';
  }
  return body;
}

function checkText(text: string, channel: MessagingChannel): void {
  if (text.trim() === '') throw invalid('A text message needs some text.');
  if (channel === 'messenger' && charLength(text) > MESSENGER_MAX_TEXT) {
    throw invalid(`Messenger messages are limited to ${MESSENGER_MAX_TEXT} characters; this one has ${charLength(text)}.`);
  }
  if (channel === 'instagram' && Buffer.byteLength(text, 'utf8') > INSTAGRAM_MAX_TEXT_BYTES) {
    throw invalid(`Instagram messages are limited to ${INSTAGRAM_MAX_TEXT_BYTES} bytes of text; shorten this one.`);
  }
}

function messagePart(message: OutboundMessage, channel: MessagingChannel): Record<string, unknown> {
  switch (message.type) {
    case 'text': {
      const text = message.text ?? '';
      checkText(text, channel);
      return { text };
    }
    case 'interactive': {
      const text = message.text ?? '';
      checkText(text, channel);
      const buttons = message.content.buttons ?? [];
      if (buttons.length === 0) throw invalid('An interactive message needs at least one button.');
      if (buttons.length > MAX_QUICK_REPLIES)
        throw invalid(`${PRODUCT[channel]} allows at most ${MAX_QUICK_REPLIES} quick replies; this message has ${buttons.length}.`);
      for (const b of buttons) {
        if (!b.id || !b.title?.trim()) throw invalid('Every button needs an id and a title.');
        if (charLength(b.title) > MAX_QUICK_REPLY_TITLE)
          throw invalid(`The quick reply "${b.title}" is longer than ${PRODUCT[channel]}'s limit of ${MAX_QUICK_REPLY_TITLE} characters.`);
      }
      return { text, quick_replies: buttons.map((b) => ({ content_type: 'text', title: b.title, payload: b.id })) };
    }
    case 'image':
    case 'video':
    case 'audio':
    case 'document': {
      const media = message.content.media;
      // An uploaded attachment (Messenger's Attachment Upload API) or a public link.
      const payload = media?.externalId
        ? { attachment_id: media.externalId }
        : media?.url
          ? { url: media.url, is_reusable: true }
          : undefined;
      if (!payload) throw invalid(`${PRODUCT[channel]} can send a file only once it is uploaded or from a public link.`);
      return { attachment: { type: ATTACHMENT_TYPES[message.type], payload } };
    }
    default:
      throw invalid(`${PRODUCT[channel]} messages of type "${message.type}" cannot be sent.`);
  }
}
