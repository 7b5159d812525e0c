import express, { type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { access, defineRoute } from '../../core/http/registry.js';
import { authenticateMailbox, handshake, receiveEmailWebhook, receiveMetaWebhook } from './webhooks.service.js';

const tag = 'Webhooks';

/** Meta only needs a quick 200; written directly (no ETag hashing or content negotiation for 14 bytes). */
function acknowledge(res: Response): void {
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': '14' }).end('EVENT_RECEIVED');
}
const handshakeQuery = z.object({
  'hub.mode': z.string().optional(),
  'hub.verify_token': z.string().optional(),
  'hub.challenge': z.string().optional(),
});

const SIGNED =
  "Verified by X-Hub-Signature-256 over the raw body (the account's app secret, else META_APP_SECRET); stored before the 200; processed by a job, idempotently by message id.";
const HANDSHAKE = 'Answers hub.challenge as text/plain when hub.verify_token matches META_VERIFY_TOKEN or the verify token of';

/** Raw MIME arrives as message/rfc822 (some relays say text/plain or application/octet-stream). */
const rawEmail = express.raw({ type: ['message/rfc822', 'text/plain', 'application/octet-stream'], limit: '30mb' });
const jsonEmail = express.json({ limit: '2mb' });

/** Reads the body with a body parser, once the sender is known (RouteDef.ownBody: nothing read it before). */
function readBody(parser: RequestHandler, req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => parser(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
}

const EMAIL_DESCRIPTION = [
  "Inbound email for a connected mailbox, authenticated by `X-Webhook-Secret: <the account's inboundSecret>` (401 without it or when it matches no mailbox).",
  'Send either the raw message with `Content-Type: message/rfc822` (up to 30 MB; parsed with a MIME library: text and HTML bodies, attachments, threading headers),',
  'or `application/json` (up to 2 MB) in this shape:',
  '`{from: "Name <a@b>", to?: string | string[], cc?: string | string[], replyTo?, subject?, text?, html?, messageId?, inReplyTo?, references?: string | string[], date?: ISO 8601,',
  'attachments?: [{filename?, contentType, contentBase64}]}`.',
  'The email is stored before the 200 and processed by a job: HTML is sanitised, attachments become media, and it joins the conversation of the Message-ID it answers',
  "(In-Reply-To, then References), else the sender's open conversation with the same subject (without Re:), else a new one. A Message-ID already received is ignored.",
].join(' ');

export const webhookRoutes = [
  defineRoute({
    method: 'get',
    path: '/api/v1/webhooks/meta',
    tag,
    summary: 'Meta webhook verification',
    access: access.public,
    description: `${HANDSHAKE} any WhatsApp, Messenger or Instagram account; 403 otherwise.`,
    query: handshakeQuery,
    handler: async ({ ctx, query, res }) => {
      const challenge = await handshake(ctx, query, ['whatsapp', 'messenger', 'instagram']);
      res.status(200).type('text/plain').send(challenge);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/webhooks/meta',
    tag,
    summary: 'Receive Meta webhook (WhatsApp + Instagram)',
    access: access.public,
    ingress: true,
    description: `One callback for every Meta product: the body's \`object\` (whatsapp_business_account, instagram, page) picks the channel. ${SIGNED}`,
    handler: async ({ ctx, req, res }) => {
      await receiveMetaWebhook(ctx, 'meta', req.rawBody, req.header('x-hub-signature-256'), req.body);
      acknowledge(res);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/webhooks/email',
    tag,
    summary: 'Receive inbound email webhook',
    access: access.public,
    description: EMAIL_DESCRIPTION,
    // A wrong or missing secret is refused before a byte of the (up to 30 MB) body is read.
    ownBody: true,
    response: z.object({ received: z.literal(true), eventId: z.string() }),
    handler: async ({ ctx, req, res }) => {
      const account = await authenticateMailbox(ctx, req.header('x-webhook-secret'));
      await readBody(jsonEmail, req, res);
      await readBody(rawEmail, req, res);
      return receiveEmailWebhook(ctx, {
        account,
        mime: Buffer.isBuffer(req.body) ? req.body : undefined,
        json: req.is('application/json') ? req.body : undefined,
        contentType: req.header('content-type'),
      });
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/webhooks/messenger',
    tag,
    summary: 'Meta webhook verification for Messenger',
    access: access.public,
    description: `${HANDSHAKE} a Messenger Page account; 403 otherwise.`,
    query: handshakeQuery,
    handler: async ({ ctx, query, res }) => {
      const challenge = await handshake(ctx, query, ['messenger']);
      res.status(200).type('text/plain').send(challenge);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/webhooks/messenger',
    tag,
    summary: 'Receive Messenger inbound webhook events',
    access: access.public,
    ingress: true,
    description: `Page events (object "page"): messages, attachments, quick replies, postbacks, reactions, echoes of the Page's own messages, delivery and read watermarks. ${SIGNED}`,
    handler: async ({ ctx, req, res }) => {
      await receiveMetaWebhook(ctx, 'messenger', req.rawBody, req.header('x-hub-signature-256'), req.body);
      acknowledge(res);
    },
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/webhooks/instagram',
    tag,
    summary: 'Meta webhook verification for Instagram',
    access: access.public,
    description: `${HANDSHAKE} an Instagram account; 403 otherwise.`,
    query: handshakeQuery,
    handler: async ({ ctx, query, res }) => {
      const challenge = await handshake(ctx, query, ['instagram']);
      res.status(200).type('text/plain').send(challenge);
    },
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/webhooks/instagram',
    tag,
    summary: 'Receive Instagram inbound webhook events',
    access: access.public,
    ingress: true,
    description: `Instagram messaging events (object "instagram"): messages, attachments, story replies and mentions, reactions, reads, echoes. ${SIGNED}`,
    handler: async ({ ctx, req, res }) => {
      await receiveMetaWebhook(ctx, 'instagram', req.rawBody, req.header('x-hub-signature-256'), req.body);
      acknowledge(res);
    },
  }),
];
