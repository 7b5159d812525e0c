// The analytics API (GET /api/v1/analytics/*) as the dashboard uses it. The types are the server's,
// from the OpenAPI schema (../api/types.ts).
import { callApi, type ApiQuery, type ApiResponse } from '../api';

export type Overview = ApiResponse<'/api/v1/analytics/overview', 'get'>;
export type Durations = Overview['firstResponse'];
export type Moment = Durations['wallClock'];
export type TrendBucket = ApiResponse<'/api/v1/analytics/trends', 'get'>['buckets'][number];
export type AgentRow = ApiResponse<'/api/v1/analytics/agents', 'get'>['agents'][number];
export type ChannelRow = ApiResponse<'/api/v1/analytics/channels', 'get'>['channels'][number];
export type WaMessages = ApiResponse<'/api/v1/analytics/whatsapp/messages', 'get'>;
export type PricingRow = WaMessages['pricing'][number];
export type WaConversations = ApiResponse<'/api/v1/analytics/whatsapp/conversations', 'get'>;
export type TemplateRow = ApiResponse<'/api/v1/analytics/whatsapp/templates', 'get'>['templates'][number];
export type AnalyticsChannel = NonNullable<ApiQuery<'/api/v1/analytics/overview', 'get'>['channel']>;

export interface AnalyticsFilter {
  from: string;
  to: string;
  channel?: AnalyticsChannel;
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

/** The filter as the operations' query (every analytics operation takes the same one). */
const q = (f: AnalyticsFilter) => ({ from: f.from, to: f.to, channel: f.channel });

export const analyticsApi = {
  overview: (f: AnalyticsFilter) => callApi('get', '/api/v1/analytics/overview', { query: q(f) }),
  trends: (f: AnalyticsFilter) => callApi('get', '/api/v1/analytics/trends', { query: { ...q(f), interval: f.interval ?? 'day' } }),
  agents: (f: AnalyticsFilter) => callApi('get', '/api/v1/analytics/agents', { query: q(f) }),
  channels: (f: AnalyticsFilter) => callApi('get', '/api/v1/analytics/channels', { query: q(f) }),
  waMessages: (f: AnalyticsFilter) => callApi('get', '/api/v1/analytics/whatsapp/messages', { query: q(f) }),
  waConversations: (f: AnalyticsFilter) => callApi('get', '/api/v1/analytics/whatsapp/conversations', { query: q(f) }),
  templates: (f: AnalyticsFilter) => callApi('get', '/api/v1/analytics/whatsapp/templates', { query: q(f) }),
};
