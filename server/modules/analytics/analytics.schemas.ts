// The analytics contract: the query every analytics endpoint takes, and the CSAT analytics answer
// (also served at GET /api/v1/csat/analytics, which the csat module declares with it).
import { z } from 'zod';
import { timestamp } from '../../core/http/schemas.js';
import { CHANNELS } from '../../channels/types.js';

export const periodQuery = {
  from: z.string().max(40).optional().describe('Start: YYYY-MM-DD (midnight in the time zone) or ISO 8601. Default: 29 days before today'),
  to: z.string().max(40).optional().describe('End, exclusive: YYYY-MM-DD or ISO 8601. Default: tomorrow at midnight'),
  timezone: z.string().max(64).optional().describe("IANA time zone for the dates and buckets (default: the organization's)"),
};

export const filterQuery = {
  channel: z.enum(CHANNELS).optional(),
  divisionId: z.string().max(64).optional().describe("Only the division's conversations"),
  agentId: z.string().max(64).optional().describe('Only conversations assigned to this agent'),
};

export const formatQuery = { format: z.enum(['json', 'csv']).default('json').describe('csv: the table as a CSV attachment') };

export const CSAT_GROUPS = ['agent', 'division', 'channel', 'day', 'week', 'month'] as const;

const csatBucket = {
  sent: z.number().int(),
  answered: z.number().int(),
  responseRate: z.number().nullable(),
  average: z.number().nullable(),
  csat: z.number().nullable().describe('Percent of answers that are 4 or 5'),
  distribution: z.object({ 1: z.number(), 2: z.number(), 3: z.number(), 4: z.number(), 5: z.number() }),
};

export const csatQuery = z.object({
  ...periodQuery,
  groupBy: z.enum(CSAT_GROUPS).optional(),
  agentId: z.string().max(64).optional(),
  divisionId: z.string().max(64).optional(),
  channel: z.enum(CHANNELS).optional(),
  ...formatQuery,
});

export const csatAnalyticsSchema = z.object({
  from: timestamp,
  to: timestamp,
  timezone: z.string(),
  groupBy: z.string().nullable(),
  summary: z.object(csatBucket),
  groups: z.array(z.object({ key: z.string().nullable(), label: z.string().nullable(), ...csatBucket })),
});

export const CSAT_ANALYTICS_DESCRIPTION =
  'Surveys made in [from, to) (default: the last 30 days): how many were sent and answered, the average score, the share of 4s and 5s and the distribution, ' +
  "overall and per group. Days, weeks (from Monday) and months follow the time zone (default: the organization's); a bare date means its midnight there. " +
  '`format=csv` answers the groups (or the summary) as CSV.';
