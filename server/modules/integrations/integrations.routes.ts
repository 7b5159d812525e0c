import { z } from 'zod';
import { access, defineRoute } from '../../core/http/registry.js';
import { idParam, pageOf, pageQuery, timestamp } from '../../core/http/schemas.js';
import { CHANNELS } from '../../channels/types.js';
import { integrationsService } from './integrations.service.js';
import { whatsappService } from './whatsapp.service.js';

const tag = 'Integrations';
const manage = access.tenant('integrations.manage');
const channel = z.enum(CHANNELS);
const channelParams = z.object({ channel });
const accountParams = idParam('accountId');

const integrationSchema = z.object({
  channel, configured: z.boolean(), enabled: z.boolean(), settings: z.record(z.string(), z.unknown()), accountCount: z.number().int(),
  defaultAccountId: z.string().nullable(), updatedAt: timestamp.nullable(),
});
const accountSchema = z.object({
  id: z.string(), channel, name: z.string(), externalId: z.string().describe('Phone number id, page id, Instagram account id or mailbox'),
  config: z.record(z.string(), z.string().nullable()).describe('Secrets are shown masked (••••abcd)'), isDefault: z.boolean(),
  status: z.enum(['active', 'disconnected']), createdAt: timestamp, updatedAt: timestamp,
});
const accountName = z.string().trim().min(1, 'Required').max(200);

export const integrationRoutes = [
  defineRoute({
    method: 'get', path: '/api/v1/integrations/whatsapp/health', tag, summary: 'Fetch WhatsApp account health from Meta Graph API', access: manage,
    query: z.object({ accountId: z.string().max(64).optional().describe('Defaults to the default WhatsApp account') }),
    response: z.object({
      accountId: z.string(),
      phoneNumber: z.object({
        displayPhoneNumber: z.string().nullable(), verifiedName: z.string().nullable(), qualityRating: z.string().nullable(), nameStatus: z.string().nullable(),
        codeVerificationStatus: z.string().nullable(), messagingLimitTier: z.string().nullable(), throughput: z.string().nullable(),
      }),
      canSendMessage: z.string().nullable().describe('AVAILABLE, LIMITED or BLOCKED'),
      checkedAt: timestamp,
    }),
    handler: ({ ctx, query }) => whatsappService.health(ctx, query.accountId),
  }),
  defineRoute({
    method: 'get', path: '/api/v1/integrations/whatsapp/embedded-signup/config', tag, summary: 'Get WhatsApp Embedded Signup config', access: manage,
    response: z.object({ available: z.boolean(), appId: z.string().nullable(), configId: z.string().nullable(), graphVersion: z.string(), missing: z.array(z.string()) }),
    handler: async ({ ctx }) => whatsappService.signupConfig(ctx),
  }),
  defineRoute({
    method: 'post', path: '/api/v1/integrations/whatsapp/embedded-signup', tag, summary: 'Complete WhatsApp Embedded Signup', access: manage, status: 201,
    description: 'Takes the authorization code and the WABA and phone number ids from the Embedded Signup session; exchanges the code, subscribes the app, registers the number and connects it.',
    body: z.object({
      code: z.string().min(1).max(2000), wabaId: z.string().min(1).max(200), phoneNumberId: z.string().min(1).max(200),
      name: accountName.optional(), pin: z.string().regex(/^\d{6}$/, 'Six digits').optional(),
    }),
    response: accountSchema,
    handler: ({ ctx, body }) => whatsappService.completeSignup(ctx, body),
  }),
  defineRoute({
    method: 'get', path: '/api/v1/integrations', tag, summary: 'List all channel integrations', access: manage,
    response: z.object({ data: z.array(integrationSchema) }),
    handler: ({ ctx }) => integrationsService.list(ctx),
  }),
  defineRoute({
    method: 'get', path: '/api/v1/integrations/{channel}', tag, summary: 'Get a single integration by channel', access: manage, params: channelParams,
    response: integrationSchema,
    handler: ({ ctx, params }) => integrationsService.get(ctx, params.channel),
  }),
  defineRoute({
    method: 'put', path: '/api/v1/integrations/{channel}', tag, summary: 'Create or update an integration (upsert)', access: manage, params: channelParams,
    body: z.object({ enabled: z.boolean().optional(), settings: z.record(z.string(), z.unknown()).optional() }).strict(),
    response: integrationSchema,
    handler: ({ ctx, params, body }) => integrationsService.upsert(ctx, params.channel, body),
  }),
  defineRoute({
    method: 'delete', path: '/api/v1/integrations/{channel}', tag, summary: 'Delete an integration', access: manage, params: channelParams, status: 204,
    description: 'Removes the channel settings and disconnects its accounts; conversations are kept.',
    handler: ({ ctx, params }) => integrationsService.remove(ctx, params.channel),
  }),
  defineRoute({
    method: 'get', path: '/api/v1/integration-accounts', tag, summary: 'List integration accounts', access: manage,
    query: pageQuery.extend({ channel: channel.optional() }),
    response: pageOf(accountSchema),
    handler: ({ ctx, query }) => integrationsService.listAccounts(ctx, query),
  }),
  defineRoute({
    method: 'post', path: '/api/v1/integration-accounts', tag, summary: 'Create an integration account', access: manage, status: 201,
    description: 'config by channel — whatsapp: {phoneNumberId, wabaId, accessToken, appSecret?, verifyToken?}; messenger: {pageId, pageAccessToken, appSecret?, verifyToken?}; instagram: {instagramAccountId, accessToken, appSecret?, verifyToken?}; email: {address, inboundSecret, smtpUrl?}. Secrets are encrypted at rest.',
    body: z.object({ channel, name: accountName, config: z.record(z.string(), z.unknown()), isDefault: z.boolean().optional() }),
    response: accountSchema,
    handler: ({ ctx, body }) => integrationsService.createAccount(ctx, body),
  }),
  defineRoute({
    method: 'get', path: '/api/v1/integration-accounts/{accountId}', tag, summary: 'Get an integration account by ID', access: manage, params: accountParams,
    response: accountSchema,
    handler: ({ ctx, params }) => integrationsService.getAccount(ctx, params.accountId),
  }),
  defineRoute({
    method: 'delete', path: '/api/v1/integration-accounts/{accountId}', tag, summary: 'Delete an integration account', access: manage, params: accountParams, status: 204,
    handler: ({ ctx, params }) => integrationsService.removeAccount(ctx, params.accountId),
  }),
  defineRoute({
    method: 'patch', path: '/api/v1/integration-accounts/{accountId}', tag, summary: 'Update an integration account', access: manage, params: accountParams,
    description: 'config is merged: omitted secrets keep their stored values.',
    body: z.object({ name: accountName.optional(), config: z.record(z.string(), z.unknown()).optional() }).strict(),
    response: accountSchema,
    handler: ({ ctx, params, body }) => integrationsService.updateAccount(ctx, params.accountId, body),
  }),
  defineRoute({
    method: 'post', path: '/api/v1/integration-accounts/{accountId}/default', tag, summary: 'Set an integration account as the default for its channel',
    access: manage, params: accountParams, response: accountSchema,
    handler: ({ ctx, params }) => integrationsService.setDefault(ctx, params.accountId),
  }),
];
