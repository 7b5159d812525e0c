// The analytics API (GET /api/v1/analytics/*) as the dashboard uses it.
import { api } from '../api';

export interface Moment {
  median: number | null;
  p90: number | null;
}
export interface Durations {
  count: number;
  wallClock: Moment;
  workingHours: Moment;
}
export interface Overview {
  from: string;
  to: string;
  timezone: string;
  conversations: { new: number; resolved: number; open: number };
  messages: { inbound: number; outbound: number };
  firstResponse: Durations;
  resolution: Durations;
  sla: { met: number; breached: number; pending: number; attainment: number | null };
  csat: { sent: number; answered: number; average: number | null; csat: number | null; distribution: Record<string, number> };
}
export interface TrendBucket {
  label: string;
  newConversations: number;
  resolvedConversations: number;
  messagesIn: number;
  messagesOut: number;
  firstResponseMedian: number | null;
  firstResponseMedianWorking: number | null;
}
export interface AgentRow {
  agentId: string;
  name: string;
  newConversations: number;
  resolved: number;
  open: number;
  messagesSent: number;
  firstResponses: number;
  firstResponse: Durations;
  resolution: Durations;
  csat: { answered: number; average: number | null; csat: number | null };
}
export interface ChannelRow {
  channel: string;
  newConversations: number;
  resolved: number;
  open: number;
  messagesIn: number;
  messagesOut: number;
  firstResponse: Durations;
  resolution: Durations;
}
export interface PricingRow {
  pricingModel: string | null;
  category: string | null;
  pricingType: string | null;
  messages: number;
  billable: number;
}
export interface WaMessages {
  totals: { outbound: number; sent: number; delivered: number; read: number; failed: number };
  pricing: PricingRow[];
}
export interface WaConversations {
  totals: { conversations: number; billable: number };
  categories: { category: string | null; pricingModel: string | null; conversations: number; billable: number; messages: number }[];
}
export interface TemplateRow {
  name: string;
  languages: string[];
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  replied: number;
  readRate: number | null;
  replyRate: number | null;
}

export interface AnalyticsFilter {
  from: string;
  to: string;
  channel?: string;
  interval?: 'day' | 'week';
}

export const query = (f: AnalyticsFilter, extra: Record<string, string> = {}) => {
  const params = new URLSearchParams({ from: f.from, to: f.to, ...extra });
  if (f.channel) params.set('channel', f.channel);
  return params.toString();
};

/** The CSV export of one table (a link the browser downloads). */
export const csvUrl = (path: string, f: AnalyticsFilter, extra: Record<string, string> = {}) =>
  `/api/v1/analytics/${path}?${query(f, { ...extra, format: 'csv' })}`;

export const analyticsApi = {
  overview: (f: AnalyticsFilter) => api.get<Overview>(`/api/v1/analytics/overview?${query(f)}`),
  trends: (f: AnalyticsFilter) =>
    api.get<{ buckets: TrendBucket[] }>(`/api/v1/analytics/trends?${query(f, { interval: f.interval ?? 'day' })}`),
  agents: (f: AnalyticsFilter) => api.get<{ agents: AgentRow[] }>(`/api/v1/analytics/agents?${query(f)}`),
  channels: (f: AnalyticsFilter) => api.get<{ channels: ChannelRow[] }>(`/api/v1/analytics/channels?${query(f)}`),
  waMessages: (f: AnalyticsFilter) => api.get<WaMessages>(`/api/v1/analytics/whatsapp/messages?${query(f)}`),
  waConversations: (f: AnalyticsFilter) => api.get<WaConversations>(`/api/v1/analytics/whatsapp/conversations?${query(f)}`),
  templates: (f: AnalyticsFilter) => api.get<{ templates: TemplateRow[] }>(`/api/v1/analytics/whatsapp/templates?${query(f)}`),
};
