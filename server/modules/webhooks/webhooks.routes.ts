import { z } from 'zod';
import { access, defineRoute } from '../../core/http/registry.js';
import { handshake, receiveMetaWebhook } from './webhooks.service.js';

const tag = 'Webhooks';
const handshakeQuery = z.object({
  'hub.mode': z.string().optional(),
  'hub.verify_token': z.string().optional(),
  'hub.challenge': z.string().optional(),
});

export const webhookRoutes = [
  defineRoute({
    method: 'get', path: '/api/v1/webhooks/meta', tag, summary: 'Meta webhook verification', access: access.public,
    description: 'Answers hub.challenge as text/plain when hub.verify_token matches META_VERIFY_TOKEN or an account\'s verify token; 403 otherwise.',
    query: handshakeQuery,
    handler: async ({ ctx, query, res }) => {
      const challenge = await handshake(ctx, query, ['whatsapp', 'instagram']);
      res.status(200).type('text/plain').send(challenge);
    },
  }),
  defineRoute({
    method: 'post', path: '/api/v1/webhooks/meta', tag, summary: 'Receive Meta webhook (WhatsApp + Instagram)', access: access.public,
    description: 'Verified by X-Hub-Signature-256 over the raw body (the account\'s app secret, else META_APP_SECRET); stored before the 200; processed by a job, idempotently by message id.',
    handler: async ({ ctx, req, res }) => {
      await receiveMetaWebhook(ctx, 'meta', req.rawBody, req.header('x-hub-signature-256'));
      res.status(200).type('text/plain').send('EVENT_RECEIVED');
    },
  }),
];
