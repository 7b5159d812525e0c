// The email channel: inbound mail arrives at POST /api/v1/webhooks/email (raw MIME or JSON,
// authenticated by the mailbox's inbound secret) and is read by parseMime/parseEmailJson; replies
// leave over SMTP (the account's smtpUrl, else SMTP_URL) with the threading headers a mail client
// needs to place them under the customer's message.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  ChannelSendError,
  type AccountCredentials,
  type ChannelAdapter,
  type FetchedMedia,
  type OutboundMessage,
  type ParsedWebhook,
} from '../types.js';
import { bracketId, mailDomain, parseEmailJson, parseMime, replySubject, type EmailJson, type ParsedEmail } from './email.parse.js';
import { lazy } from '../../core/lazy.js';
import { OutboundError, type OutboundGuard } from '../../core/net/outbound.js';

/** nodemailer, imported when the first reply is sent. */
const loadNodemailer = lazy(() => import('nodemailer'));

export interface EmailAdapterOptions {
  /** Used when an account has no smtpUrl of its own. */
  smtpUrl?: string;
  /** Connecting and the server's greeting, each; default 15 s. */
  connectionTimeoutMs?: number;
  /** Silence on an open connection; default 60 s. */
  socketTimeoutMs?: number;
  /**
   * The SSRF guard: an account's own SMTP URL came from an organization, so its host is checked
   * (no loopback, private or link-local address unless the operator allowed it) and the connection
   * pinned to the address that passed. SMTP_URL (the operator's own configuration) is trusted.
   */
  outbound?: OutboundGuard;
}

/** Connection failures that trying again later can fix. */
const NETWORK_CODES: Record<string, string> = {
  ECONNECTION: 'the connection failed',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'the server did not answer in time',
  ESOCKET: 'a network error',
  EDNS: 'the host name could not be resolved',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'the connection closed',
};

/** System errors (nodemailer keeps them as `originalCode`) raised before a connection existed. */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EDNS']);

/** Maps a nodemailer failure to a ChannelSendError saying what went wrong and whether a retry can help. */
export function smtpError(err: unknown): ChannelSendError {
  if (err instanceof ChannelSendError) return err;
  const e = (err ?? {}) as {
    code?: string;
    originalCode?: string;
    timeoutType?: string;
    responseCode?: number;
    response?: string;
    message?: string;
  };
  const reply = (e.response ?? e.message ?? '').trim().slice(0, 300);
  if (e.code === 'EAUTH')
    return new ChannelSendError(
      `The mail server refused the login; check the user and password in the SMTP URL. (${reply})`,
      false,
      e.responseCode,
    );
  if (typeof e.responseCode === 'number') {
    if (e.responseCode >= 500) return new ChannelSendError(`The mail server refused the message (${reply}).`, false, e.responseCode);
    if (e.responseCode >= 400)
      // An SMTP reply: the server did not take the message, so trying again cannot send it twice.
      return new ChannelSendError(
        `The mail server deferred the message (${reply}); it will be tried again.`,
        true,
        e.responseCode,
        undefined,
        true,
      );
  }
  const network = e.code ? NETWORK_CODES[e.code] : undefined;
  // Failures before the session began (refused, no route, no name, no greeting) prove nothing was sent.
  const neverConnected =
    NEVER_CONNECTED.has(e.originalCode ?? e.code ?? '') || ['CONNECT_TIMEOUT', 'GREETING_TIMEOUT'].includes(e.timeoutType ?? '');
  if (network)
    return new ChannelSendError(
      `Could not reach the mail server (${network}); it will be tried again.`,
      true,
      undefined,
      undefined,
      neverConnected,
    );
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE')
    return new ChannelSendError(`The email could not be sent: ${reply || 'invalid sender or recipient'}.`, false);
  return new ChannelSendError(`Sending the email failed (${reply || e.code || 'unknown error'}); it will be tried again.`, true);
}

export class EmailAdapter implements ChannelAdapter {
  readonly channel = 'email' as const;
  readonly attachesFiles = true;

  constructor(readonly options: EmailAdapterOptions = {}) {}

  /** The X-Webhook-Secret header equals the account's inbound secret (compared in constant time). */
  verifySignature(_rawBody: Buffer, secretHeader: string | undefined, inboundSecret: string): boolean {
    if (typeof secretHeader !== 'string' || !inboundSecret) return false;
    const a = createHash('sha256').update(secretHeader).digest();
    const b = createHash('sha256').update(inboundSecret).digest();
    return timingSafeEqual(a, b);
  }

  /** Email has no Meta-style JSON batches; see parseEmail. */
  parseWebhook(): ParsedWebhook[] {
    return [];
  }

  routingKeys(): string[] {
    return [];
  }

  /** Reads an inbound email: raw MIME bytes, or the documented JSON shape. */
  parseEmail(input: { mime: Buffer } | { json: EmailJson }): Promise<ParsedEmail> {
    return 'mime' in input ? parseMime(input.mime) : parseEmailJson(input.json);
  }

  /**
   * Sends a reply over SMTP. Subject, In-Reply-To, References, From and Message-ID come from
   * `content.email` (set when the reply was written); the returned externalId is the Message-ID.
   */
  async send(account: AccountCredentials, message: OutboundMessage): Promise<{ externalId: string }> {
    const own = account.config.smtpUrl;
    const url = own || this.options.smtpUrl;
    if (!url) {
      throw new ChannelSendError(
        "No SMTP server is configured for this mailbox: set the account's SMTP URL, or SMTP_URL for the whole server.",
        false,
      );
    }
    const mailbox = account.externalId;
    if (!mailbox) throw new ChannelSendError('The email account has no mailbox address; reconnect it.', false);
    const email = message.content.email;
    const to = email?.to?.length ? email.to : [message.to];
    if (!to.every((a) => a?.includes('@'))) throw new ChannelSendError('The customer has no email address to reply to.', false);
    const text = message.text ?? message.content.media?.caption ?? '';
    if (!text.trim() && !message.file) throw new ChannelSendError('An email needs some text or an attachment.', false);
    const messageId = bracketId(email?.messageId) ?? `<${randomUUID()}@${mailDomain(mailbox)}>`;
    const references = email?.references ?? [];
    const { default: nodemailer } = await loadNodemailer();
    const target = own ? await this.pinnedSmtp(own) : { url };
    const transport = nodemailer.createTransport({
      ...target,
      connectionTimeout: this.options.connectionTimeoutMs ?? 15_000,
      greetingTimeout: this.options.connectionTimeoutMs ?? 15_000,
      socketTimeout: this.options.socketTimeoutMs ?? 60_000,
    });
    try {
      await transport.sendMail({
        from: email?.from || mailbox,
        to,
        subject: email?.subject ?? replySubject(null),
        text,
        messageId,
        ...(email?.inReplyTo ? { inReplyTo: email.inReplyTo } : {}),
        ...(references.length ? { references } : {}),
        ...(message.file
          ? {
              attachments: [
                { filename: message.file.filename || 'attachment', content: message.file.data, contentType: message.file.mimeType },
              ],
            }
          : {}),
        envelope: { from: mailbox, to },
      });
    } catch (err) {
      throw smtpError(err);
    } finally {
      transport.close();
    }
    return { externalId: messageId };
  }

  /**
   * Checks an account's SMTP URL under the guard and pins it: the URL nodemailer gets names the
   * checked address, with the original host name kept for TLS (SNI and the certificate check).
   */
  private async pinnedSmtp(raw: string): Promise<{ url: string; servername?: string }> {
    if (!this.options.outbound) throw new ChannelSendError("The mailbox's own SMTP server cannot be used (no outbound guard).", false);
    try {
      const parsed = await this.options.outbound.check(raw, ['smtp:', 'smtps:']);
      const [address] = await this.options.outbound.resolve(parsed.hostname);
      const host = parsed.hostname.replace(/^\[|\]$/g, '');
      if (address.address === host) return { url: raw };
      parsed.hostname = address.family === 6 ? `[${address.address}]` : address.address;
      return { url: parsed.toString(), servername: host };
    } catch (err) {
      if (err instanceof OutboundError) {
        const retry = err.reason === 'dns' || err.reason === 'network' || err.reason === 'timeout';
        // Refused before connecting: nothing was sent.
        throw new ChannelSendError(`The mailbox's SMTP server was refused: ${err.message}.`, retry, undefined, undefined, true);
      }
      throw err;
    }
  }

  /** Email attachments arrive inside the message and are stored when it is received. */
  async fetchMedia(): Promise<FetchedMedia> {
    throw new ChannelSendError('Email attachments are stored when the email is received; there is nothing to download.', false);
  }
}
