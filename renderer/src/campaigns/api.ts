// The broadcast feature's API calls and types: WhatsApp templates, campaigns, outgoing webhooks. The
// types are the server's, from the OpenAPI schema (../api/types.ts).
import { callApi, type ApiBody, type ApiItem, type ApiResponse } from '../api';

export type WaTemplate = ApiItem<'/api/v1/wa-templates', 'get'>;
export type TemplateVariable = WaTemplate['variables'][number];
export type NewTemplate = ApiBody<'/api/v1/wa-templates', 'post'>;
export type Campaign = ApiResponse<'/api/v1/campaigns/{campaignId}', 'get'>;
export type NewCampaign = ApiBody<'/api/v1/campaigns', 'post'>;
export type Recipient = ApiItem<'/api/v1/campaigns/{campaignId}/recipients', 'get'>;
export type RecipientStatus = Recipient['status'];
export type NewRecipients = ApiBody<'/api/v1/campaigns/{campaignId}/recipients', 'post'>;
export type AddResult = ApiResponse<'/api/v1/campaigns/{campaignId}/recipients', 'post'>;
export type OutgoingWebhook = ApiItem<'/api/v1/outgoing-webhooks', 'get'>;
export type NewWebhook = ApiBody<'/api/v1/outgoing-webhooks', 'post'>;
export type WebhookPatch = ApiBody<'/api/v1/outgoing-webhooks/{webhookId}', 'patch'>;
export type Delivery = ApiItem<'/api/v1/outgoing-webhooks/{webhookId}/deliveries', 'get'>;

export const broadcastApi = {
  templates: () => callApi('get', '/api/v1/wa-templates', { query: { limit: 200 } }),
  syncTemplates: () => callApi('post', '/api/v1/wa-templates/sync', { body: {} }),
  createTemplate: (body: NewTemplate) => callApi('post', '/api/v1/wa-templates', { body }),
  deleteTemplate: (templateId: string) => callApi('delete', '/api/v1/wa-templates/{templateId}', { path: { templateId } }),
  campaigns: () => callApi('get', '/api/v1/campaigns', { query: { limit: 100 } }),
  campaign: (campaignId: string) => callApi('get', '/api/v1/campaigns/{campaignId}', { path: { campaignId } }),
  createCampaign: (body: NewCampaign) => callApi('post', '/api/v1/campaigns', { body }),
  deleteCampaign: (campaignId: string) => callApi('delete', '/api/v1/campaigns/{campaignId}', { path: { campaignId } }),
  recipients: (campaignId: string) =>
    callApi('get', '/api/v1/campaigns/{campaignId}/recipients', { path: { campaignId }, query: { limit: 100 } }),
  addRecipients: (campaignId: string, body: NewRecipients) =>
    callApi('post', '/api/v1/campaigns/{campaignId}/recipients', { path: { campaignId }, body }),
  clearRecipients: (campaignId: string) => callApi('delete', '/api/v1/campaigns/{campaignId}/recipients', { path: { campaignId } }),
  send: (campaignId: string, body: ApiBody<'/api/v1/campaigns/{campaignId}/send', 'post'> = {}) =>
    callApi('post', '/api/v1/campaigns/{campaignId}/send', { path: { campaignId }, body }),
  cancel: (campaignId: string) => callApi('post', '/api/v1/campaigns/{campaignId}/cancel', { path: { campaignId } }),
  webhooks: () => callApi('get', '/api/v1/outgoing-webhooks', { query: { limit: 100 } }),
  webhookEvents: () => callApi('get', '/api/v1/outgoing-webhooks/events'),
  createWebhook: (body: NewWebhook) => callApi('post', '/api/v1/outgoing-webhooks', { body }),
  updateWebhook: (webhookId: string, body: WebhookPatch) =>
    callApi('patch', '/api/v1/outgoing-webhooks/{webhookId}', { path: { webhookId }, body }),
  deleteWebhook: (webhookId: string) => callApi('delete', '/api/v1/outgoing-webhooks/{webhookId}', { path: { webhookId } }),
  deliveries: (webhookId: string) =>
    callApi('get', '/api/v1/outgoing-webhooks/{webhookId}/deliveries', { path: { webhookId }, query: { limit: 50 } }),
  testWebhook: (webhookId: string) => callApi('post', '/api/v1/outgoing-webhooks/{webhookId}/test', { path: { webhookId } }),
};

/** Placeholders of a text, in order: {{1}}, {{2}} or {{name}}. */
export const placeholdersIn = (text: string) => [...text.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)].map((m) => m[1]);
