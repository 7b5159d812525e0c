// The broadcast feature's API calls and types: WhatsApp templates, campaigns, outgoing webhooks.
import { api } from '../api';

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface TemplateVariable {
  key: string;
  component: 'header' | 'body' | 'button';
  name: string;
  example: string | null;
}

export interface WaTemplate {
  id: string;
  name: string;
  language: string;
  category: string;
  status: string;
  statusReason: string | null;
  qualityScore: string | null;
  paused: boolean;
  header: { format: string; text: string | null } | null;
  body: string;
  footer: string | null;
  variables: TemplateVariable[];
  headerMediaUrl: string | null;
  submission: 'queued' | 'submitted' | 'failed' | 'synced';
  submissionError: string | null;
  updatedAt: string;
}

export type RecipientStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'read' | 'replied' | 'failed' | 'cancelled';

export interface Campaign {
  id: string;
  name: string;
  status: 'draft' | 'scheduled' | 'sending' | 'completed' | 'cancelled' | 'failed';
  templateId: string | null;
  template: { id: string; name: string; language: string; status: string } | null;
  variables: Record<string, string>;
  ratePerSecond: number;
  scheduledAt: string | null;
  scheduledLocal: string | null;
  timezone: string | null;
  stats: Record<RecipientStatus | 'total', number>;
  reached: { sent: number; delivered: number; read: number; replied: number };
  skipped: { duplicates: number; optedOut: number; invalid: number };
  failureReason: string | null;
  createdAt: string;
}

export interface Recipient {
  id: string;
  phone: string;
  name: string | null;
  status: RecipientStatus;
  error: { code: number | null; reason: string | null } | null;
  conversationId: string | null;
  sentAt: string | null;
}

export interface AddResult {
  added: number;
  skipped: { duplicates: number; optedOut: number; invalid: number };
  errors: { line: number; value: string | null; message: string }[];
  total: number;
}

export interface OutgoingWebhook {
  id: string;
  name: string;
  url: string;
  events: string[];
  enabled: boolean;
  secretMasked: string | null;
  secret?: string;
  consecutiveFailures: number;
  disabledAt: string | null;
  disabledReason: string | null;
  lastStatusCode: number | null;
}

export interface Delivery {
  id: string;
  eventType: string;
  status: 'pending' | 'retrying' | 'succeeded' | 'failed';
  attempts: number;
  statusCode: number | null;
  latencyMs: number | null;
  responseExcerpt: string | null;
  error: string | null;
  createdAt: string;
}

export const broadcastApi = {
  templates: () => api.get<Page<WaTemplate>>('/api/v1/wa-templates?limit=200'),
  syncTemplates: () => api.post<{ templates: number; created: number; updated: number }>('/api/v1/wa-templates/sync', {}),
  createTemplate: (input: unknown) => api.post<WaTemplate>('/api/v1/wa-templates', input),
  deleteTemplate: (id: string) => api.delete<void>(`/api/v1/wa-templates/${id}`),
  campaigns: () => api.get<Page<Campaign>>('/api/v1/campaigns?limit=100'),
  campaign: (id: string) => api.get<Campaign>(`/api/v1/campaigns/${id}`),
  createCampaign: (input: unknown) => api.post<Campaign>('/api/v1/campaigns', input),
  deleteCampaign: (id: string) => api.delete<void>(`/api/v1/campaigns/${id}`),
  recipients: (id: string) => api.get<Page<Recipient>>(`/api/v1/campaigns/${id}/recipients?limit=100`),
  addRecipients: (id: string, input: unknown) => api.post<AddResult>(`/api/v1/campaigns/${id}/recipients`, input),
  clearRecipients: (id: string) => api.delete<void>(`/api/v1/campaigns/${id}/recipients`),
  send: (id: string, input: { scheduledLocal?: string } = {}) => api.post<Campaign>(`/api/v1/campaigns/${id}/send`, input),
  cancel: (id: string) => api.post<Campaign>(`/api/v1/campaigns/${id}/cancel`, {}),
  webhooks: () => api.get<Page<OutgoingWebhook>>('/api/v1/outgoing-webhooks?limit=100'),
  webhookEvents: () => api.get<{ data: { type: string; description: string }[] }>('/api/v1/outgoing-webhooks/events'),
  createWebhook: (input: unknown) => api.post<OutgoingWebhook>('/api/v1/outgoing-webhooks', input),
  updateWebhook: (id: string, input: unknown) => api.patch<OutgoingWebhook>(`/api/v1/outgoing-webhooks/${id}`, input),
  deleteWebhook: (id: string) => api.delete<void>(`/api/v1/outgoing-webhooks/${id}`),
  deliveries: (id: string) => api.get<Page<Delivery>>(`/api/v1/outgoing-webhooks/${id}/deliveries?limit=50`),
  testWebhook: (id: string) => api.post<Delivery>(`/api/v1/outgoing-webhooks/${id}/test`, {}),
};

/** Placeholders of a text, in order: {{1}}, {{2}} or {{name}}. */
export const placeholdersIn = (text: string) => [...text.matchAll(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g)].map((m) => m[1]);
