// Inbound email: raw MIME (read with mailparser) or the documented JSON shape, normalised to one
// ParsedEmail; HTML sanitised; threading headers kept as Message-IDs in angle brackets.
import { createHash } from 'node:crypto';
import type { AddressObject } from 'mailparser';
import addressparser from 'nodemailer/lib/addressparser';
import { z } from 'zod';
import { lazy } from '../../core/lazy.js';
import type { EmailContent, InboundMessage, MessageType } from '../types.js';

export interface ParsedAddress {
  address: string;
  name?: string;
}

export interface ParsedEmailAttachment {
  filename?: string;
  contentType: string;
  content: Buffer;
}

export interface ParsedEmail {
  /** With angle brackets; synthesised from the content when the mail has none. */
  messageId: string;
  from: ParsedAddress;
  replyTo?: ParsedAddress;
  to: string[];
  cc: string[];
  subject: string | null;
  text: string | null;
  /** Sanitised. */
  html: string | null;
  date: Date | null;
  inReplyTo?: string;
  /** Oldest first. */
  references: string[];
  attachments: ParsedEmailAttachment[];
  /** Auto-Submitted (RFC 3834) other than "no": an auto-reply or bounce, never answered automatically. */
  autoSubmitted: boolean;
}

/** The longest text and HTML kept from one email. */
export const MAX_TEXT_CHARS = 100_000;
export const MAX_HTML_CHARS = 200_000;

/**
 * The JSON shape POST /api/v1/webhooks/email accepts besides raw MIME (e.g. from a provider's
 * inbound-parse hook, adapted). Addresses may be "Name <a@b>" or bare; Message-IDs with or without
 * angle brackets; attachments base64.
 */
export const emailJsonSchema = z.object({
  from: z.string().trim().min(3).max(500),
  to: z.union([z.string().max(5000), z.array(z.string().max(500)).max(100)]).optional(),
  cc: z.union([z.string().max(5000), z.array(z.string().max(500)).max(100)]).optional(),
  replyTo: z.string().max(500).optional(),
  subject: z.string().max(2000).optional(),
  text: z.string().max(5_000_000).optional(),
  html: z.string().max(10_000_000).optional(),
  messageId: z.string().trim().max(998).optional(),
  inReplyTo: z.string().trim().max(998).optional(),
  references: z.union([z.string().max(50_000), z.array(z.string().max(998)).max(500)]).optional(),
  date: z.string().max(100).optional(),
  attachments: z
    .array(
      z.object({
        filename: z.string().max(300).optional(),
        contentType: z.string().max(200).default('application/octet-stream'),
        contentBase64: z.string().max(40_000_000),
      }),
    )
    .max(50)
    .optional(),
});
export type EmailJson = z.infer<typeof emailJsonSchema>;

/** `<id>` for a Message-ID given with or without brackets; undefined when empty. */
export function bracketId(value: string | undefined | null): string | undefined {
  const id = value
    ?.trim()
    .replace(/^<+|>+$/g, '')
    .trim();
  return id ? `<${id}>` : undefined;
}

/** Every Message-ID in a References-like value (a header string or a list). */
export function messageIds(value: string | string[] | undefined | null): string[] {
  const parts = (Array.isArray(value) ? value : value ? [value] : []).flatMap((v) => v.match(/<[^<>\s]+>/g) ?? v.split(/[\s,]+/));
  const ids = parts.map(bracketId).filter((v): v is string => Boolean(v));
  return [...new Set(ids)];
}

/** A subject without its reply and forward prefixes (Re:, RE[2]:, Fwd:, Fw:, AW:, Balas:), for comparison. */
export function normalizeSubject(subject: string | null | undefined): string {
  let s = (subject ?? '').trim();
  for (;;) {
    const next = s.replace(/^(re|fw|fwd|aw|wg|sv|antw|balas|bls|tr)\s*(\[\d+\]|\(\d+\))?\s*:\s*/i, '').trim();
    if (next === s) break;
    s = next;
  }
  return s.replace(/\s+/g, ' ').toLowerCase();
}

/** "Re: <subject>", never "Re: Re: …". */
export function replySubject(subject: string | null | undefined): string {
  const s = (subject ?? '').trim();
  if (!s) return 'Re: (no subject)';
  return /^re\s*(\[\d+\]|\(\d+\))?\s*:/i.test(s) ? `Re: ${s.replace(/^re\s*(\[\d+\]|\(\d+\))?\s*:\s*/i, '')}` : `Re: ${s}`;
}

/** The domain of a mailbox address, for our own Message-IDs. */
export function mailDomain(address: string): string {
  const at = address.lastIndexOf('@');
  return at >= 0 && at < address.length - 1 ? address.slice(at + 1).toLowerCase() : 'omnistream.invalid';
}

// mailparser and sanitize-html are imported when the first email arrives.
const loadMailparser = lazy(() => import('mailparser'));
const loadSanitizeHtml = lazy(async () => (await import('sanitize-html')).default);

export async function sanitizeEmailHtml(html: string): Promise<string> {
  const sanitizeHtml = await loadSanitizeHtml();
  return sanitizeHtml(html.slice(0, MAX_HTML_CHARS * 2), {
    allowedTags: [...sanitizeHtml.defaults.allowedTags, 'img', 'font', 'center'],
    allowedAttributes: {
      ...sanitizeHtml.defaults.allowedAttributes,
      a: ['href', 'name', 'target', 'rel'],
      img: ['src', 'alt', 'width', 'height'],
      td: ['colspan', 'rowspan', 'align', 'valign'],
      th: ['colspan', 'rowspan', 'align', 'valign'],
      table: ['width', 'border', 'cellpadding', 'cellspacing'],
      font: ['color', 'size'],
      '*': ['dir', 'lang', 'title'],
    },
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    allowedSchemesByTag: { img: ['https', 'cid', 'data'] },
    // Links open outside the app and do not tell the sender who clicked.
    transformTags: { a: sanitizeHtml.simpleTransform('a', { target: '_blank', rel: 'noopener noreferrer nofollow' }) },
  }).slice(0, MAX_HTML_CHARS);
}

const clip = (text: string | null | undefined, max: number): string | null => {
  const t = text?.replace(/\r\n/g, '\n').trim();
  return t ? t.slice(0, max) : null;
};

function addresses(value: AddressObject | AddressObject[] | undefined): ParsedAddress[] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  return list.flatMap((o) => flatten(o.value));
}

function flatten(list: { address?: string; name?: string; group?: unknown[] }[]): ParsedAddress[] {
  return list.flatMap((a) => {
    if (Array.isArray(a.group)) return flatten(a.group as { address?: string; name?: string }[]);
    const address = a.address?.trim().toLowerCase();
    if (!address?.includes('@')) return [];
    return [a.name?.trim() ? { address, name: a.name.trim() } : { address }];
  });
}

function parseAddressList(value: string | string[] | undefined): ParsedAddress[] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  return list.flatMap((v) => flatten(addressparser(v, { flatten: true }) as { address?: string; name?: string }[]));
}

/** Reads raw MIME. Throws only for input that is not a message at all (no From address). */
export async function parseMime(raw: Buffer): Promise<ParsedEmail> {
  const { simpleParser } = await loadMailparser();
  const mail = await simpleParser(raw, { keepCidLinks: true });
  const [from] = addresses(mail.from);
  if (!from) throw new Error('The email has no From address');
  const [replyTo] = addresses(mail.replyTo);
  const auto = mail.headers.get('auto-submitted');
  const email: ParsedEmail = {
    messageId: bracketId(mail.messageId) ?? syntheticId(raw),
    from,
    to: addresses(mail.to).map((a) => a.address),
    cc: addresses(mail.cc).map((a) => a.address),
    subject: mail.subject?.trim() || null,
    text: clip(mail.text, MAX_TEXT_CHARS),
    html: typeof mail.html === 'string' && mail.html.trim() ? await sanitizeEmailHtml(mail.html) : null,
    date: mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date : null,
    references: messageIds(mail.references),
    attachments: mail.attachments
      .filter((a) => a.content?.length)
      .map((a) => ({
        ...(a.filename ? { filename: a.filename } : {}),
        contentType: a.contentType || 'application/octet-stream',
        content: a.content,
      })),
    autoSubmitted: typeof auto === 'string' && auto.trim().toLowerCase() !== 'no',
  };
  const inReplyTo = messageIds(mail.inReplyTo)[0];
  if (inReplyTo) email.inReplyTo = inReplyTo;
  if (replyTo && replyTo.address !== from.address) email.replyTo = replyTo;
  return email;
}

/** Reads the JSON shape (already validated by emailJsonSchema). Throws when `from` has no address. */
export async function parseEmailJson(body: EmailJson): Promise<ParsedEmail> {
  const [from] = parseAddressList(body.from);
  if (!from) throw new Error('The email has no From address');
  const [replyTo] = parseAddressList(body.replyTo);
  const date = body.date ? new Date(body.date) : null;
  const html = body.html?.trim() ? await sanitizeEmailHtml(body.html) : null;
  const sanitizeHtml = await loadSanitizeHtml();
  const email: ParsedEmail = {
    messageId: bracketId(body.messageId) ?? syntheticId(Buffer.from(JSON.stringify(body))),
    from,
    to: parseAddressList(body.to).map((a) => a.address),
    cc: parseAddressList(body.cc).map((a) => a.address),
    subject: body.subject?.trim() || null,
    text:
      clip(body.text, MAX_TEXT_CHARS) ??
      (html ? clip(sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} }), MAX_TEXT_CHARS) : null),
    html,
    date: date && !Number.isNaN(date.getTime()) ? date : null,
    references: messageIds(body.references),
    attachments: (body.attachments ?? [])
      .map((a) => ({
        ...(a.filename ? { filename: a.filename } : {}),
        contentType: a.contentType,
        content: Buffer.from(a.contentBase64, 'base64'),
      }))
      .filter((a) => a.content.length > 0),
    autoSubmitted: false,
  };
  const inReplyTo = bracketId(body.inReplyTo);
  if (inReplyTo) email.inReplyTo = inReplyTo;
  if (replyTo && replyTo.address !== from.address) email.replyTo = replyTo;
  return email;
}

/** A stable Message-ID for a mail without one, so a redelivery is still recognised. */
function syntheticId(raw: Buffer): string {
  return `<${createHash('sha256').update(raw).digest('hex').slice(0, 40)}@omnistream.invalid>`;
}

/**
 * The Message-IDs to thread by, most specific first: In-Reply-To, then References from the newest.
 */
export function threadReferences(email: Pick<ParsedEmail, 'inReplyTo' | 'references'>): string[] {
  return [...new Set([...(email.inReplyTo ? [email.inReplyTo] : []), ...[...email.references].reverse()])];
}

const MEDIA_KIND = (mime: string): MessageType => {
  if (mime.startsWith('image/')) return 'image';
  if (mime.startsWith('video/')) return 'video';
  if (mime.startsWith('audio/')) return 'audio';
  return 'document';
};

/**
 * The InboundMessage for a parsed email whose attachments are already stored as media. The message
 * is text (its plain body); a mail with attachments and no text takes its first attachment's type.
 */
export function emailToInbound(email: ParsedEmail, stored: NonNullable<EmailContent['attachments']>, receivedAt: Date): InboundMessage {
  const content: EmailContent = { subject: email.subject, messageId: email.messageId, from: email.from.address, to: email.to };
  if (email.inReplyTo) content.inReplyTo = email.inReplyTo;
  if (email.references.length) content.references = email.references;
  if (email.cc.length) content.cc = email.cc;
  if (email.html) content.html = email.html;
  if (stored.length) content.attachments = stored;
  if (email.replyTo) content.replyTo = email.replyTo.address;
  if (email.autoSubmitted) content.autoSubmitted = true;
  const first = stored[0];
  const type: MessageType = email.text || !first ? 'text' : MEDIA_KIND(first.mimeType);
  const message: InboundMessage = {
    externalId: email.messageId,
    from: email.from.address,
    timestamp: email.date && email.date.getTime() <= receivedAt.getTime() + 5 * 60_000 ? email.date : receivedAt,
    type,
    // The subject stands in for an empty body, so previews and search still say something.
    text: email.text ?? email.subject,
    content: { email: content },
    thread: { references: threadReferences(email), subject: email.subject },
  };
  if (email.from.name) message.profileName = email.from.name;
  if (first)
    message.content.media = { mediaId: first.mediaId, mimeType: first.mimeType, ...(first.filename ? { filename: first.filename } : {}) };
  return message;
}
