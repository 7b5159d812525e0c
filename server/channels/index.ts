// The channel adapters of this server, built once from configuration. Webhook, inbox and job code
// look adapters up by channel here instead of constructing them.
import type { Channel, ChannelAdapter } from './types.js';
import type { OutboundGuard } from '../core/net/outbound.js';
import { WhatsAppAdapter } from './whatsapp/whatsapp.adapter.js';
import { MessengerAdapter } from './messenger/messenger.adapter.js';
import { InstagramAdapter } from './instagram/instagram.adapter.js';
import { EmailAdapter } from './email/email.adapter.js';

export interface ChannelsConfig {
  META_GRAPH_URL: string;
  META_GRAPH_VERSION: string;
  /** Per Graph request; default 15 s. */
  META_GRAPH_TIMEOUT_MS?: number;
  /** The SMTP server for email replies of accounts without their own smtpUrl. */
  SMTP_URL?: string;
}

/** The channels with an adapter: all of them. */
export type ImplementedChannel = keyof ChannelAdapters;

export interface ChannelAdapters {
  whatsapp: WhatsAppAdapter;
  messenger: MessengerAdapter;
  instagram: InstagramAdapter;
  email: EmailAdapter;
}

/**
 * The adapters, given the one SSRF guard (DESIGN rule 13): media URLs from webhook payloads and
 * from Graph's answers, and the SMTP hosts of email accounts, come from outside.
 */
export function createAdapters(config: ChannelsConfig, outbound: OutboundGuard): ChannelAdapters {
  const graph = {
    graphUrl: config.META_GRAPH_URL,
    graphVersion: config.META_GRAPH_VERSION,
    timeoutMs: config.META_GRAPH_TIMEOUT_MS,
    outbound,
  };
  return {
    whatsapp: new WhatsAppAdapter(graph),
    messenger: new MessengerAdapter(graph),
    instagram: new InstagramAdapter(graph),
    email: new EmailAdapter({ smtpUrl: config.SMTP_URL, outbound }),
  };
}

export function isImplementedChannel(adapters: ChannelAdapters, channel: string): channel is ImplementedChannel {
  return Object.hasOwn(adapters, channel);
}

/** The adapter for `channel`; throws for a channel that has none. */
export function getAdapter(adapters: ChannelAdapters, channel: 'whatsapp'): WhatsAppAdapter;
export function getAdapter(adapters: ChannelAdapters, channel: 'messenger'): MessengerAdapter;
export function getAdapter(adapters: ChannelAdapters, channel: 'instagram'): InstagramAdapter;
export function getAdapter(adapters: ChannelAdapters, channel: 'email'): EmailAdapter;
export function getAdapter(adapters: ChannelAdapters, channel: Channel): ChannelAdapter;
export function getAdapter(adapters: ChannelAdapters, channel: Channel): ChannelAdapter {
  if (!isImplementedChannel(adapters, channel)) throw new Error(`No adapter for the ${channel} channel yet.`);
  return adapters[channel];
}

// The channel layer adds its adapters to the services every module receives; core itself knows
// no channel (DESIGN rule 11).
declare module '../core/context.js' {
  interface Services {
    /** One adapter per channel (WhatsApp, …), talking to the outside world. */
    adapters: ChannelAdapters;
  }
}
