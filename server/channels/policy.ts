// When and what an agent may send on each channel: the customer-service windows Meta enforces
// (WhatsApp and Instagram 24 hours; Messenger 24 hours, or 7 days for human agents with the
// HUMAN_AGENT tag) and the message types each channel can carry. Email has no window.
// Used when a reply is written (to refuse it at once, 422) and again when it is sent (a reply that
// waited in the queue past the window fails with the same reason instead of reaching Meta).
import type { Channel } from './types.js';

export const HOUR_MS = 3600 * 1000;
/** The standard customer-service window of every Meta channel. */
export const STANDARD_WINDOW_MS = 24 * HOUR_MS;
/** Messenger's HUMAN_AGENT tag: human replies up to 7 days after the customer's last message. */
export const HUMAN_AGENT_WINDOW_MS = 7 * 24 * HOUR_MS;

/** Outbound types the send API accepts (see messages.routes.ts). */
export type OutboundType = 'text' | 'image' | 'video' | 'audio' | 'document' | 'template' | 'interactive';

export type ReplyDecision =
  | { allowed: true /** Messenger: send with this tag. */; messagingTag?: 'HUMAN_AGENT' }
  | {
      allowed: false;
      /** Machine-readable, translated by the UI (also stored as a failed send's reason). */
      code: ReplyRefusal;
      reason: string;
      /** The request field to name in a 422. */
      field: string;
      hint: string;
    };

/** Why a reply may not go out now. */
export type ReplyRefusal = 'window_closed' | 'type_not_supported';

interface ChannelPolicy {
  /** How long after the customer's last message free-form replies are allowed; null = always. */
  windowMs: number | null;
  types: readonly OutboundType[];
  decide(type: OutboundType, sinceLastInboundMs: number | null): ReplyDecision;
}

const closed = (reason: string, hint: string, code: ReplyRefusal = 'window_closed'): ReplyDecision => ({
  allowed: false,
  code,
  reason,
  field: 'type',
  hint,
});

const POLICIES: Record<Channel, ChannelPolicy> = {
  whatsapp: {
    windowMs: STANDARD_WINDOW_MS,
    types: ['text', 'image', 'video', 'audio', 'document', 'template', 'interactive'],
    decide(type, since) {
      if (type === 'template' || (since !== null && since < STANDARD_WINDOW_MS)) return { allowed: true };
      return closed(
        'The 24-hour customer service window has closed: the customer has not written in the last 24 hours. Send an approved template message instead.',
        'Use "template" outside the 24-hour window',
      );
    },
  },
  messenger: {
    windowMs: HUMAN_AGENT_WINDOW_MS,
    types: ['text', 'image', 'video', 'audio', 'document', 'interactive'],
    decide(_type, since) {
      if (since !== null && since < STANDARD_WINDOW_MS) return { allowed: true };
      if (since !== null && since < HUMAN_AGENT_WINDOW_MS) return { allowed: true, messagingTag: 'HUMAN_AGENT' };
      return closed(
        'More than 7 days have passed since the customer last wrote on Messenger: Meta allows a person to reply only within 7 days (the HUMAN_AGENT tag). The conversation can continue when the customer writes again.',
        "Messenger replies are possible only within 7 days of the customer's last message",
      );
    },
  },
  instagram: {
    windowMs: STANDARD_WINDOW_MS,
    types: ['text', 'interactive'],
    decide(_type, since) {
      if (since !== null && since < STANDARD_WINDOW_MS) return { allowed: true };
      return closed(
        'The 24-hour messaging window on Instagram has closed: the customer has not written in the last 24 hours, and Instagram accepts no message from the business until they write again.',
        "Instagram replies are possible only within 24 hours of the customer's last message",
      );
    },
  },
  email: {
    windowMs: null,
    types: ['text', 'image', 'video', 'audio', 'document'],
    decide: () => ({ allowed: true }),
  },
};

const TYPE_NAMES: Record<Channel, string> = { whatsapp: 'WhatsApp', messenger: 'Messenger', instagram: 'Instagram', email: 'Email' };

/**
 * Whether an agent may send a message of `type` on `channel` now, given the time of the customer's
 * last message; and for Messenger between 24 hours and 7 days, the tag to send it with.
 * `checkType: false` checks the window only (the send job: the type was checked when written).
 */
export function replyDecision(
  channel: Channel,
  type: OutboundType,
  lastInboundAt: Date | null,
  now: Date,
  options: { checkType?: boolean } = {},
): ReplyDecision {
  const policy = POLICIES[channel];
  if (options.checkType !== false && !policy.types.includes(type)) {
    const why =
      type === 'template'
        ? 'Message templates are a WhatsApp feature; reply with a text message.'
        : `${TYPE_NAMES[channel]} conversations cannot carry "${type}" messages; send one of: ${policy.types.join(', ')}.`;
    return closed(why, `Not supported on ${TYPE_NAMES[channel]}`, 'type_not_supported');
  }
  const since = lastInboundAt ? now.getTime() - lastInboundAt.getTime() : null;
  return policy.decide(type, since);
}

/**
 * When free-form replies stop being possible (the conversation's windowExpiresAt): 24 hours after the
 * customer's last message on WhatsApp and Instagram, 7 days on Messenger (HUMAN_AGENT), never for email.
 */
export function windowEnd(channel: Channel, lastInboundAt: Date | null): Date | null {
  const windowMs = POLICIES[channel].windowMs;
  return windowMs === null || !lastInboundAt ? null : new Date(lastInboundAt.getTime() + windowMs);
}

/** The message types an agent can send on `channel`. */
export function outboundTypes(channel: Channel): readonly OutboundType[] {
  return POLICIES[channel].types;
}
