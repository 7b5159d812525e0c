// The AI Agents API contract: request pieces and response shapes (other modules' routes may reuse
// them, e.g. an automation action that hands a conversation to an AI agent).
import { z } from 'zod';
import { timestamp } from '../../core/http/schemas.js';
import { CHANNELS } from '../../channels/types.js';
import { HANDOFF_TRIGGERS } from '../../ai/runtime.js';

export const LANGUAGES = ['auto', 'id', 'en'] as const;
export const SCHEDULES = ['always', 'working_hours', 'outside_working_hours'] as const;
export const SOURCE_TYPES = ['text', 'qna', 'file', 'url'] as const;
export const SOURCE_STATUSES = ['processing', 'ready', 'failed'] as const;

const id = z.string().max(64);
const optionalId = id.nullable().optional();
const money = z.coerce.number().min(0).max(1e12);

// ---- inputs ----

export const productInput = z.object({
  name: z.string().trim().min(1, 'Required').max(300),
  sku: z.string().trim().max(100).nullable().optional(),
  description: z.string().max(5000).nullable().optional(),
  price: money.describe('In the currency (IDR by default), e.g. 85000'),
  currency: z
    .string()
    .trim()
    .regex(/^[A-Za-z]{3}$/, 'A 3-letter currency code such as IDR')
    .transform((c) => c.toUpperCase())
    .optional(),
  stock: z.coerce.number().int().min(0).nullable().optional().describe('Units in stock; null when not tracked'),
  imageUrl: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .nullable()
    .optional(),
  imageMediaId: optionalId.describe('An image uploaded with POST /api/v1/media'),
  active: z.boolean().optional(),
});

/** "Rp 375.000", "375,000", "12.5": a number as people write it in a spreadsheet; anything else stays as it is (and fails). */
function numberCell(v: string): string {
  const cleaned = v
    .replace(/[^\d.,-]/g, '')
    .replace(/[.,](?=\d{3}(\D|$))/g, '')
    .replace(',', '.');
  return /\d/.test(cleaned) ? cleaned : v;
}

/** A row of a bulk import: the same fields, from JSON or CSV (CSV cells are text; empty means absent). */
export const productRowSchema = z.preprocess((raw) => {
  if (!raw || typeof raw !== 'object') return raw;
  const row: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === '' || v === null) continue;
    if (k === 'active' && typeof v === 'string') row[k] = !/^(false|0|no|tidak)$/i.test(v);
    else if (typeof v === 'string' && (k === 'price' || k === 'stock')) row[k] = numberCell(v);
    else row[k] = v;
  }
  return row;
}, productInput);

export const qnaInput = z.object({
  question: z.string().trim().min(1, 'Required').max(2000),
  answer: z.string().trim().min(1, 'Required').max(5000),
});

export const handoffConfig = z
  .object({
    keywords: z.array(z.string().trim().min(1).max(100)).max(100).optional().describe('keyword rules: words or phrases'),
    threshold: z
      .number()
      .min(-1)
      .max(1)
      .optional()
      .describe(
        'low_confidence: best passage confidence below this (0–1, default 0.3); sentiment: score at or below this (-1–0, default -0.5)',
      ),
    turns: z
      .number()
      .int()
      .min(1)
      .max(100)
      .optional()
      .describe('max_turns: AI replies without resolution before a person takes over (default 5)'),
  })
  .strict();

export const orchestrationConditions = z
  .object({
    channels: z.array(z.enum(CHANNELS)).max(10).optional(),
    accountIds: z.array(id).max(100).optional(),
    divisionIds: z.array(id).max(100).optional(),
    keywords: z.array(z.string().trim().min(1).max(100)).max(100).optional().describe("Any of these in the customer's message"),
    languages: z
      .array(z.enum(['id', 'en']))
      .max(2)
      .optional()
      .describe("The customer's language"),
  })
  .strict();

export const evaluationCase = z.object({
  question: z.string().trim().min(1, 'Required').max(2000),
  expectedAnswer: z.string().trim().max(5000).nullable().optional(),
  expectedFacts: z.array(z.string().trim().min(1).max(500)).max(50).optional().describe('Phrases the answer must state, e.g. "Rp 85.000"'),
});

// ---- responses ----

export const agentSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  instructions: z.string(),
  language: z.enum(LANGUAGES),
  active: z.boolean(),
  model: z.string().nullable(),
  temperature: z.number(),
  maxTokens: z.number().int(),
  handoffMessage: z.string().nullable(),
  handoffDivisionId: z.string().nullable(),
  handoffAgentId: z.string().nullable(),
  monthlyTokenLimit: z.number().int().nullable(),
  counts: z.object({
    sources: z.number().int(),
    products: z.number().int(),
    assignments: z.number().int(),
    handoffRules: z.number().int(),
  }),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const assignmentSchema = z.object({
  id: z.string(),
  aiAgentId: z.string(),
  channel: z.enum(CHANNELS).nullable(),
  accountId: z.string().nullable(),
  divisionId: z.string().nullable(),
  schedule: z.enum(SCHEDULES),
  active: z.boolean(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const handoffRuleSchema = z.object({
  id: z.string(),
  aiAgentId: z.string(),
  type: z.enum(HANDOFF_TRIGGERS),
  config: handoffConfig,
  targetDivisionId: z.string().nullable(),
  targetAgentId: z.string().nullable(),
  position: z.number().int(),
  active: z.boolean(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const sourceSchema = z.object({
  id: z.string(),
  aiAgentId: z.string(),
  type: z.enum(SOURCE_TYPES),
  name: z.string(),
  status: z.enum(SOURCE_STATUSES),
  error: z.string().nullable().describe('Why processing failed'),
  url: z.string().nullable(),
  mediaId: z.string().nullable(),
  content: z.string().nullable().describe('Text sources: the text'),
  preview: z.string().nullable().describe('The first 300 characters of the text (extracted text for files and pages)'),
  chunkCount: z.number().int(),
  charCount: z.number().int(),
  qnaCount: z.number().int().nullable().describe('QnA sources: how many pairs'),
  processedAt: timestamp.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const qnaSchema = z.object({
  id: z.string(),
  sourceId: z.string(),
  question: z.string(),
  answer: z.string(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const productSchema = z.object({
  id: z.string(),
  aiAgentId: z.string(),
  name: z.string(),
  sku: z.string().nullable(),
  description: z.string().nullable(),
  price: z.number(),
  currency: z.string(),
  stock: z.number().int().nullable(),
  imageUrl: z.string().nullable(),
  imageMediaId: z.string().nullable(),
  image: z.string().nullable().describe('Where to show the image from'),
  active: z.boolean(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const orchestrationRuleSchema = z.object({
  id: z.string(),
  name: z.string(),
  aiAgentId: z.string(),
  priority: z.number().int(),
  conditions: orchestrationConditions,
  active: z.boolean(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

const caseResult = z.object({
  question: z.string(),
  answer: z.string().nullable(),
  handoff: z.string().nullable().describe('Set when the agent handed off instead of answering'),
  score: z.number(),
  passed: z.boolean(),
  matchedFacts: z.array(z.string()),
  missingFacts: z.array(z.string()),
  answerRecall: z.number().nullable(),
  passages: z.array(z.object({ chunkId: z.string(), title: z.string().nullable(), confidence: z.number() })),
  latencyMs: z.number().int(),
  error: z.string().nullable(),
});

export const evaluationRunSchema = z.object({
  id: z.string(),
  evaluationId: z.string(),
  status: z.enum(['queued', 'running', 'done', 'failed']),
  score: z.number().nullable().describe('Mean case score, 0–1'),
  passedCount: z.number().int(),
  total: z.number().int(),
  results: z.array(caseResult),
  error: z.string().nullable(),
  createdAt: timestamp,
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
});

export const evaluationSchema = z.object({
  id: z.string(),
  aiAgentId: z.string(),
  name: z.string(),
  cases: z.array(evaluationCase),
  passThreshold: z.number(),
  lastRun: evaluationRunSchema.nullable(),
  runs: z.array(evaluationRunSchema.omit({ results: true })).describe('History, newest first (up to 20)'),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const passageSchema = z.object({
  chunkId: z.string(),
  kind: z.enum(['text', 'qna', 'file', 'url', 'product']),
  sourceId: z.string().nullable(),
  productId: z.string().nullable(),
  title: z.string().nullable(),
  text: z.string(),
  lexical: z.number(),
  similarity: z.number().nullable(),
  confidence: z.number(),
});

const usageNumbers = {
  requests: z.number().int(),
  failures: z.number().int(),
  tokensIn: z.number().int(),
  tokensOut: z.number().int(),
  avgLatencyMs: z.number().int(),
  maxLatencyMs: z.number().int(),
};

export const usageDaySchema = z.object({ date: z.string().describe('YYYY-MM-DD in the organization time zone'), ...usageNumbers });

export const settingsSchema = z.object({
  baseUrl: z.string().nullable(),
  apiKey: z.string().nullable().describe('Masked: the last 4 characters'),
  model: z.string().nullable(),
  embeddingModel: z.string().nullable(),
  timeoutMs: z.number().int(),
  monthlyTokenLimit: z.number().int().nullable(),
  source: z
    .enum(['organization', 'appliance', 'none'])
    .describe('Whose endpoint the agents use: these settings, the appliance LLM_* defaults, or none'),
  effective: z
    .object({ baseUrl: z.string(), model: z.string(), embeddingModel: z.string().nullable() })
    .nullable()
    .describe('The endpoint in use'),
});

export { usageNumbers };
