import { z } from 'zod';
import { access, defineRoute, type AnyRoute } from '../../core/http/registry.js';
import { idParam, pageOf, pageQuery } from '../../core/http/schemas.js';
import { CHANNELS } from '../../channels/types.js';
import { HANDOFF_TRIGGERS } from '../../ai/runtime.js';
import {
  agentSchema,
  assignmentSchema,
  evaluationCase,
  evaluationRunSchema,
  evaluationSchema,
  handoffConfig,
  handoffRuleSchema,
  LANGUAGES,
  orchestrationConditions,
  orchestrationRuleSchema,
  passageSchema,
  productInput,
  productSchema,
  qnaInput,
  qnaSchema,
  SCHEDULES,
  settingsSchema,
  SOURCE_STATUSES,
  SOURCE_TYPES,
  sourceSchema,
  usageDaySchema,
  usageNumbers,
} from './ai-agents.schemas.js';
import { aiAgentsService as ai } from './ai-agents.service.js';

const tag = 'AI Agents';
const manage = access.tenant('ai_agents.manage');
const agentParams = idParam('aiAgentId');
const sub = (name: string) => z.object({ aiAgentId: z.string().max(64), [name]: z.string().max(64) });
const id = z.string().max(64);
const nullableId = id.nullable().optional();

const agentFields = {
  description: z.string().trim().max(2000).nullable().optional(),
  instructions: z
    .string()
    .max(20_000)
    .optional()
    .describe('Persona and instructions given to the model with every request (tone, what to sell, what never to promise)'),
  language: z
    .enum(LANGUAGES)
    .optional()
    .describe("auto: answer in the customer's language (Indonesian when unsure); id or en: always that language"),
  active: z.boolean().optional(),
  model: z.string().trim().min(1).max(200).nullable().optional().describe("Overrides the organization's chat model"),
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.number().int().min(16).max(8000).optional().describe('Longest answer, in tokens'),
  handoffMessage: z
    .string()
    .trim()
    .max(1000)
    .nullable()
    .optional()
    .describe("Said to the customer when a person takes over; null: a built-in sentence in the customer's language"),
  handoffDivisionId: nullableId.describe('Where handoffs go when the rule names no target'),
  handoffAgentId: nullableId.describe('Who handoffs go to when the rule names no target'),
  monthlyTokenLimit: z
    .number()
    .int()
    .min(1)
    .nullable()
    .optional()
    .describe('Tokens per calendar month; at the limit, conversations go to people'),
};

const assignmentFields = {
  channel: z.enum(CHANNELS).nullable().optional().describe('null: every channel'),
  accountId: nullableId.describe('One channel account; null: every account'),
  divisionId: nullableId.describe('Conversations of one division; null: any'),
  schedule: z
    .enum(SCHEDULES)
    .optional()
    .describe('always; working_hours: while the organization (or the division) is open; outside_working_hours: while closed'),
  active: z.boolean().optional(),
};

const ruleFields = {
  config: handoffConfig.optional(),
  targetDivisionId: nullableId.describe("The division to hand to (default: the agent's handoffDivisionId)"),
  targetAgentId: nullableId.describe("The person to hand to (default: the agent's handoffAgentId)"),
  position: z.number().int().min(0).max(1000).optional().describe('Rules are checked in this order'),
  active: z.boolean().optional(),
};

const orchestrationFields = {
  priority: z.number().int().min(-1000).max(1000).optional().describe('Lower first'),
  conditions: orchestrationConditions.optional(),
  active: z.boolean().optional(),
};

const evaluationFields = {
  cases: z.array(evaluationCase).min(1, 'At least one question').max(100),
  passThreshold: z.number().min(0).max(1).optional().describe('A case passes at this score or above (default 0.7)'),
};

const usage = z.object({ tokensIn: z.number().int(), tokensOut: z.number().int(), latencyMs: z.number().int(), model: z.string() });
const handoffOut = z.object({ reason: z.string(), detail: z.string(), ruleId: z.string().nullable() }).nullable();
const turn = z.object({ role: z.enum(['customer', 'business']), text: z.string().max(4000) });

const handoffDoc =
  'Rule types: `keyword` (config.keywords), `sentiment` (config.threshold, -1–0, default -0.5), `human_request` (the customer asks for a person, ' +
  'in Indonesian or English), `low_confidence` (the best retrieved passage below config.threshold, 0–1, default 0.3), `max_turns` (config.turns AI replies ' +
  'without resolution, default 5), `out_of_scope` (the model finds the question outside the knowledge). A handoff assigns the conversation to the target ' +
  'division and/or person, adds a note that summarizes the conversation, records a transfer, tells the customer, and writes the activity log. ' +
  'The model being unreachable or too slow always hands off, with no rule needed.';

export const aiAgentRoutes: AnyRoute[] = [
  defineRoute({
    method: 'get',
    path: '/api/v1/ai-agents',
    tag,
    summary: 'List all AI agents',
    access: manage,
    query: pageQuery.extend({
      active: z
        .enum(['true', 'false'])
        .transform((v) => v === 'true')
        .optional(),
    }),
    response: pageOf(agentSchema),
    handler: ({ ctx, query }) => ai.agents.list(ctx, query),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/ai-agents',
    tag,
    summary: 'Create a new AI agent',
    access: manage,
    status: 201,
    description: 'A new agent is inactive unless `active` is true, and starts with one handoff rule: `human_request`.',
    body: z.object({ name: z.string().trim().min(1, 'Required').max(200), ...agentFields }).strict(),
    response: agentSchema,
    handler: ({ ctx, body }) => ai.agents.create(ctx, body),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/ai-agents/{aiAgentId}',
    tag,
    summary: 'Get an AI agent by ID',
    access: manage,
    params: agentParams,
    response: agentSchema,
    handler: ({ ctx, params }) => ai.agents.get(ctx, params.aiAgentId),
  }),
  defineRoute({
    method: 'put',
    path: '/api/v1/ai-agents/{aiAgentId}',
    tag,
    summary: 'Update an AI agent',
    access: manage,
    params: agentParams,
    description: 'Fields left out stay as they are.',
    body: z.object({ name: z.string().trim().min(1, 'Required').max(200).optional(), ...agentFields }).strict(),
    response: agentSchema,
    handler: ({ ctx, params, body }) => ai.agents.update(ctx, params.aiAgentId, body),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/ai-agents/{aiAgentId}',
    tag,
    summary: 'Delete an AI agent',
    access: manage,
    status: 204,
    params: agentParams,
    description:
      'With its knowledge, products, rules and evaluations; conversations it was serving go back to people. Its usage stays counted.',
    handler: ({ ctx, params }) => ai.agents.remove(ctx, params.aiAgentId),
  }),
  defineRoute({
    method: 'put',
    path: '/api/v1/ai-agents/{aiAgentId}/toggle',
    tag,
    summary: 'Toggle AI agent active state',
    access: manage,
    params: agentParams,
    description: 'With `active`, sets it; without a body, flips it. Only active agents answer customers.',
    body: z.object({ active: z.boolean().optional() }).strict().optional(),
    response: agentSchema,
    handler: ({ ctx, params, body }) => ai.agents.toggle(ctx, params.aiAgentId, body?.active),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/ai-agents/{aiAgentId}/assignments',
    tag,
    summary: 'List AI agent assignments',
    access: manage,
    params: agentParams,
    query: pageQuery,
    response: pageOf(assignmentSchema),
    handler: ({ ctx, params, query }) => ai.agents.listAssignments(ctx, params.aiAgentId, query),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/ai-agents/{aiAgentId}/assignments',
    tag,
    summary: 'Create an AI agent assignment',
    access: manage,
    status: 201,
    params: agentParams,
    description:
      'Which conversations the agent answers: a channel, an account and/or a division (empty: all), and when. When several agents match, orchestration rules choose; ' +
      'otherwise the most specific assignment wins (account, then division, then channel).',
    body: z.object(assignmentFields).strict(),
    response: assignmentSchema,
    handler: ({ ctx, params, body }) => ai.agents.createAssignment(ctx, params.aiAgentId, body),
  }),
  defineRoute({
    method: 'put',
    path: '/api/v1/ai-agents/{aiAgentId}/assignments/{assignmentId}',
    tag,
    summary: 'Update an AI agent assignment',
    access: manage,
    params: sub('assignmentId'),
    body: z.object(assignmentFields).strict(),
    response: assignmentSchema,
    handler: ({ ctx, params, body }) => ai.agents.updateAssignment(ctx, params.aiAgentId, params.assignmentId, body),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/ai-agents/{aiAgentId}/assignments/{assignmentId}',
    tag,
    summary: 'Delete an AI agent assignment',
    access: manage,
    status: 204,
    params: sub('assignmentId'),
    handler: ({ ctx, params }) => ai.agents.removeAssignment(ctx, params.aiAgentId, params.assignmentId),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/ai-agents/{aiAgentId}/handoff-rules',
    tag,
    summary: 'List handoff rules for an AI agent',
    access: manage,
    params: agentParams,
    description: `In the order they are checked. ${handoffDoc}`,
    response: pageOf(handoffRuleSchema),
    handler: ({ ctx, params }) => ai.agents.listRules(ctx, params.aiAgentId),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/ai-agents/{aiAgentId}/handoff-rules',
    tag,
    summary: 'Create a handoff rule',
    access: manage,
    status: 201,
    params: agentParams,
    description: handoffDoc,
    body: z.object({ type: z.enum(HANDOFF_TRIGGERS), ...ruleFields }).strict(),
    response: handoffRuleSchema,
    handler: ({ ctx, params, body }) => ai.agents.createRule(ctx, params.aiAgentId, body),
  }),
  defineRoute({
    method: 'put',
    path: '/api/v1/ai-agents/{aiAgentId}/handoff-rules/{handoffRuleId}',
    tag,
    summary: 'Update a handoff rule',
    access: manage,
    params: sub('handoffRuleId'),
    body: z.object({ type: z.enum(HANDOFF_TRIGGERS).optional(), ...ruleFields }).strict(),
    response: handoffRuleSchema,
    handler: ({ ctx, params, body }) => ai.agents.updateRule(ctx, params.aiAgentId, params.handoffRuleId, body),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/ai-agents/{aiAgentId}/handoff-rules/{handoffRuleId}',
    tag,
    summary: 'Delete a handoff rule',
    access: manage,
    status: 204,
    params: sub('handoffRuleId'),
    handler: ({ ctx, params }) => ai.agents.removeRule(ctx, params.aiAgentId, params.handoffRuleId),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/ai-agents/{aiAgentId}/usage',
    tag,
    summary: 'Get daily usage stats for an AI agent',
    access: manage,
    params: agentParams,
    description:
      'Model requests of the agent (replies, handoff summaries, playground, suggestions, evaluations, embeddings) per day in the organization time zone: ' +
      'requests, failures (model unreachable, timeouts, errors), tokens in and out, latency. Default: the last 30 days.',
    query: z.object({
      from: z.string().max(10).optional().describe('First day, YYYY-MM-DD'),
      to: z.string().max(10).optional().describe('Last day, YYYY-MM-DD (default today)'),
    }),
    response: z.object({
      aiAgentId: z.string(),
      from: z.string(),
      to: z.string(),
      timezone: z.string(),
      days: z.array(usageDaySchema),
      totals: z.object(usageNumbers),
      monthlyTokenLimit: z.number().int().nullable(),
    }),
    handler: ({ ctx, params, query }) => ai.usage.agent(ctx, params.aiAgentId, query),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/ai-agents/{aiAgentId}/knowledge-sources',
    tag,
    summary: 'List knowledge sources for an AI agent',
    access: manage,
    params: agentParams,
    query: pageQuery.extend({ status: z.enum(SOURCE_STATUSES).optional(), type: z.enum(SOURCE_TYPES).optional() }),
    response: pageOf(sourceSchema),
    handler: ({ ctx, params, query }) => ai.knowledge.listSources(ctx, params.aiAgentId, query),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/ai-agents/{aiAgentId}/knowledge-sources',
    tag,
    summary: 'Add a knowledge source',
    access: manage,
    status: 201,
    params: agentParams,
    description:
      'Types: `text` (`content`), `qna` (FAQ: optional `qna` pairs; more with POST …/qna), `file` (`mediaId` of a PDF, Word .docx, text or CSV file uploaded with ' +
      'POST /api/v1/media), `url` (a web page, fetched once through the outbound guard; reprocess fetches it again). The source answers with status ' +
      '`processing`; a background job extracts, chunks and indexes it (full-text, and vectors when the endpoint has an embedding model) and sets `ready`, ' +
      'or `failed` with the reason in `error`.',
    body: z
      .object({
        type: z.enum(SOURCE_TYPES),
        name: z.string().trim().max(300).optional(),
        content: z.string().max(200_000).optional(),
        url: z
          .url({ protocol: /^https?$/ })
          .max(2000)
          .optional(),
        mediaId: id.optional(),
        qna: z.array(qnaInput).max(1000).optional(),
      })
      .strict(),
    response: sourceSchema,
    handler: ({ ctx, params, body }) => ai.knowledge.addSource(ctx, params.aiAgentId, body),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/ai-agents/{aiAgentId}/knowledge-sources/{sourceId}',
    tag,
    summary: 'Delete a knowledge source',
    access: manage,
    status: 204,
    params: sub('sourceId'),
    handler: ({ ctx, params }) => ai.knowledge.removeSource(ctx, params.aiAgentId, params.sourceId),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/ai-agents/{aiAgentId}/knowledge-sources/{sourceId}/reprocess',
    tag,
    summary: 'Reprocess a knowledge source',
    access: manage,
    status: 202,
    params: sub('sourceId'),
    description: 'Extracts (a web page is fetched again), chunks and indexes the source anew. 409 while it is still processing.',
    response: sourceSchema,
    handler: ({ ctx, params }) => ai.knowledge.reprocess(ctx, params.aiAgentId, params.sourceId),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/ai-agents/{aiAgentId}/knowledge-sources/{sourceId}/qna',
    tag,
    summary: 'List QnA pairs for a knowledge source',
    access: manage,
    params: sub('sourceId'),
    query: pageQuery,
    response: pageOf(qnaSchema),
    handler: ({ ctx, params, query }) => ai.knowledge.listQna(ctx, params.aiAgentId, params.sourceId, query),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/ai-agents/{aiAgentId}/knowledge-sources/{sourceId}/qna',
    tag,
    summary: 'Add a QnA pair',
    access: manage,
    status: 201,
    params: sub('sourceId'),
    description: 'Only on sources of type qna (422 otherwise). The source is reindexed in the background.',
    body: qnaInput.strict(),
    response: qnaSchema,
    handler: ({ ctx, params, body }) => ai.knowledge.addQna(ctx, params.aiAgentId, params.sourceId, body),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/ai-agents/{aiAgentId}/knowledge-sources/{sourceId}/qna/{qnaId}',
    tag,
    summary: 'Delete a QnA pair',
    access: manage,
    status: 204,
    params: z.object({ aiAgentId: id, sourceId: id, qnaId: id }),
    handler: ({ ctx, params }) => ai.knowledge.removeQna(ctx, params.aiAgentId, params.sourceId, params.qnaId),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/ai-agents/{aiAgentId}/products',
    tag,
    summary: 'List products for an AI agent',
    access: manage,
    params: agentParams,
    query: pageQuery.extend({ search: z.string().trim().max(200).optional().describe('In the name or SKU') }),
    response: pageOf(productSchema),
    handler: ({ ctx, params, query }) => ai.knowledge.listProducts(ctx, params.aiAgentId, query),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/ai-agents/{aiAgentId}/products',
    tag,
    summary: 'Create a product',
    access: manage,
    status: 201,
    params: agentParams,
    description:
      'Searchable by the agent at once (name, price, stock, description); an inactive product is not. SKUs are unique per agent (409).',
    body: productInput.strict(),
    response: productSchema,
    handler: ({ ctx, params, body }) => ai.knowledge.createProduct(ctx, params.aiAgentId, body),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/ai-agents/{aiAgentId}/products/bulk',
    tag,
    summary: 'Bulk import products',
    access: manage,
    params: agentParams,
    description:
      'Either `products` (JSON rows) or `csv` (CSV text whose header names the columns name, sku, description, price, currency, stock, imageUrl, active). ' +
      'A row whose SKU (else name) matches an existing product updates it. Bad rows are reported as `errors: [{row, message}]` (CSV: line numbers, the header ' +
      'being line 1) and skipped; the others are saved. At most 5,000 rows.',
    body: z.object({ products: z.array(z.unknown()).max(5000).optional(), csv: z.string().max(5_000_000).optional() }).strict(),
    response: z.object({
      created: z.number().int(),
      updated: z.number().int(),
      errors: z.array(z.object({ row: z.number().int(), message: z.string() })),
    }),
    handler: ({ ctx, params, body }) => ai.knowledge.bulkProducts(ctx, params.aiAgentId, body),
  }),
  defineRoute({
    method: 'put',
    path: '/api/v1/ai-agents/{aiAgentId}/products/{productId}',
    tag,
    summary: 'Update a product',
    access: manage,
    params: sub('productId'),
    description: 'Fields left out stay as they are.',
    body: productInput.partial().strict(),
    response: productSchema,
    handler: ({ ctx, params, body }) => ai.knowledge.updateProduct(ctx, params.aiAgentId, params.productId, body),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/ai-agents/{aiAgentId}/products/{productId}',
    tag,
    summary: 'Delete a product',
    access: manage,
    status: 204,
    params: sub('productId'),
    handler: ({ ctx, params }) => ai.knowledge.removeProduct(ctx, params.aiAgentId, params.productId),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/ai/orchestration-rules',
    tag,
    summary: 'List orchestration rules',
    access: manage,
    description:
      'By priority. For a customer message in a conversation no AI agent serves yet, the first active rule whose conditions all hold (channels, accounts, divisions, ' +
      "keywords in the message, the customer's language) names the AI agent that answers (if that agent is active and, when it has assignments for the " +
      'conversation, on duty). Without a matching rule, assignments decide.',
    response: pageOf(orchestrationRuleSchema),
    handler: ({ ctx }) => ai.agents.listOrchestration(ctx),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/ai/orchestration-rules',
    tag,
    summary: 'Create an orchestration rule',
    access: manage,
    status: 201,
    body: z.object({ name: z.string().trim().min(1, 'Required').max(200), aiAgentId: id, ...orchestrationFields }).strict(),
    response: orchestrationRuleSchema,
    handler: ({ ctx, body }) => ai.agents.createOrchestration(ctx, body),
  }),
  defineRoute({
    method: 'put',
    path: '/api/v1/ai/orchestration-rules/{orchestrationRuleId}',
    tag,
    summary: 'Update an orchestration rule',
    access: manage,
    params: idParam('orchestrationRuleId'),
    body: z
      .object({ name: z.string().trim().min(1, 'Required').max(200).optional(), aiAgentId: id.optional(), ...orchestrationFields })
      .strict(),
    response: orchestrationRuleSchema,
    handler: ({ ctx, params, body }) => ai.agents.updateOrchestration(ctx, params.orchestrationRuleId, body),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/ai/orchestration-rules/{orchestrationRuleId}',
    tag,
    summary: 'Delete an orchestration rule',
    access: manage,
    status: 204,
    params: idParam('orchestrationRuleId'),
    handler: ({ ctx, params }) => ai.agents.removeOrchestration(ctx, params.orchestrationRuleId),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/ai-agents/{aiAgentId}/evaluations',
    tag,
    summary: 'List evaluations for an AI agent',
    access: manage,
    params: agentParams,
    query: pageQuery,
    response: pageOf(evaluationSchema),
    handler: ({ ctx, params, query }) => ai.evaluations.list(ctx, params.aiAgentId, query),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/ai-agents/{aiAgentId}/evaluations',
    tag,
    summary: 'Create an AI response evaluation',
    access: manage,
    status: 201,
    params: agentParams,
    description:
      'Questions with the answer or the facts expected. Unless `run` is false, a run is queued at once: each question goes through the same rules, ' +
      'retrieval and model as a customer message; each answer is scored 0–1 (the share of expected facts it states and of the expected answer’s keywords it uses). ' +
      'Runs are kept (`runs`, newest first; `lastRun` with every answer).',
    body: z.object({ name: z.string().trim().min(1, 'Required').max(200), ...evaluationFields, run: z.boolean().optional() }).strict(),
    response: evaluationSchema,
    handler: ({ ctx, params, body }) => ai.evaluations.create(ctx, params.aiAgentId, body),
  }),
  defineRoute({
    method: 'put',
    path: '/api/v1/ai-agents/{aiAgentId}/evaluations/{evaluationId}',
    tag,
    summary: 'Update an AI evaluation',
    access: manage,
    params: sub('evaluationId'),
    description: 'Fields left out stay as they are; `run: true` queues a new run with the updated questions.',
    body: z
      .object({
        name: z.string().trim().min(1, 'Required').max(200).optional(),
        cases: evaluationFields.cases.optional(),
        passThreshold: evaluationFields.passThreshold,
        run: z.boolean().optional(),
      })
      .strict(),
    response: evaluationSchema,
    handler: ({ ctx, params, body }) => ai.evaluations.update(ctx, params.aiAgentId, params.evaluationId, body),
  }),
  defineRoute({
    method: 'delete',
    path: '/api/v1/ai-agents/{aiAgentId}/evaluations/{evaluationId}',
    tag,
    summary: 'Delete an AI evaluation',
    access: manage,
    status: 204,
    params: sub('evaluationId'),
    handler: ({ ctx, params }) => ai.evaluations.remove(ctx, params.aiAgentId, params.evaluationId),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/ai/usage',
    tag,
    summary: 'Get aggregated AI usage summary',
    access: manage,
    description:
      "The organization's model usage in a calendar month (its time zone; default the current month): totals, the monthly limit and what is left, per agent, " +
      'per kind of request, and the latest failures (model unreachable, timeouts).',
    query: z.object({
      month: z
        .string()
        .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM')
        .optional(),
    }),
    response: z.object({
      month: z.string(),
      timezone: z.string(),
      totals: z.object(usageNumbers),
      limit: z.object({ monthlyTokenLimit: z.number().int().nullable(), used: z.number().int(), remaining: z.number().int().nullable() }),
      agents: z.array(
        z.object({
          aiAgentId: z.string().nullable(),
          name: z.string().nullable(),
          monthlyTokenLimit: z.number().int().nullable(),
          ...usageNumbers,
        }),
      ),
      byKind: z.array(z.object({ kind: z.string(), ...usageNumbers })),
      recentFailures: z.array(
        z.object({
          at: z.iso.datetime(),
          aiAgentId: z.string().nullable(),
          conversationId: z.string().nullable(),
          kind: z.string(),
          model: z.string().nullable(),
          error: z.string().nullable(),
        }),
      ),
    }),
    handler: ({ ctx, query }) => ai.usage.organization(ctx, query),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/ai-agents/{aiAgentId}/test',
    tag,
    summary: 'Send a test message to an AI agent',
    access: manage,
    params: agentParams,
    description:
      'The playground: what the agent would answer to `message` (after an optional `history`), with the passages retrieval found and the prompt the model got; ' +
      'or the handoff a rule or the model chose. Works on inactive agents too; nothing is sent to anyone. 503 with no model configured, 502 when the model ' +
      'endpoint fails, 504 when it is too slow, 429 at a monthly limit.',
    body: z.object({ message: z.string().trim().min(1, 'Required').max(4000), history: z.array(turn).max(30).optional() }).strict(),
    response: z.object({
      answer: z.string().nullable(),
      handoff: handoffOut,
      language: z.enum(['id', 'en']),
      passages: z.array(passageSchema),
      prompt: z.array(z.object({ role: z.string(), content: z.string() })),
      usage: usage.nullable(),
    }),
    handler: ({ ctx, params, body }) => ai.conversations.test(ctx, params.aiAgentId, body),
  }),

  // ---- beyond the catalogue: the organization's model, evaluation runs, the composer's helpers ----

  defineRoute({
    method: 'get',
    path: '/api/v1/ai/settings',
    tag,
    summary: "Get the organization's AI model settings",
    access: manage,
    description:
      'The OpenAI-compatible endpoint the agents use (Ollama, llama.cpp server, LM Studio, vLLM or a cloud provider). Without an organization endpoint, the ' +
      "appliance's LLM_BASE_URL / LLM_API_KEY / LLM_MODEL / LLM_EMBEDDING_MODEL apply. The API key is never returned (its last 4 characters at most).",
    response: settingsSchema,
    handler: ({ ctx }) => ai.agents.settings(ctx),
  }),
  defineRoute({
    method: 'put',
    path: '/api/v1/ai/settings',
    tag,
    summary: "Update the organization's AI model settings",
    access: manage,
    description:
      'Fields left out stay as they are; `baseUrl: null` goes back to the appliance default; `apiKey: null` removes the key. Model servers on the local ' +
      'network must be allowed by the operator (OUTBOUND_ALLOWED_HOSTS) — every model request goes through the outbound guard.',
    body: z
      .object({
        baseUrl: z
          .url({ protocol: /^https?$/ })
          .max(500)
          .nullable()
          .optional()
          .describe('e.g. http://192.168.1.20:11434/v1 (Ollama) or https://api.openai.com/v1'),
        apiKey: z.string().trim().min(1).max(500).nullable().optional(),
        model: z.string().trim().min(1).max(200).nullable().optional().describe('Chat model, e.g. qwen2.5:7b-instruct'),
        embeddingModel: z
          .string()
          .trim()
          .min(1)
          .max(200)
          .nullable()
          .optional()
          .describe('e.g. nomic-embed-text; null: full-text retrieval only'),
        timeoutMs: z
          .number()
          .int()
          .min(1000)
          .max(300_000)
          .optional()
          .describe('Per model request; slower answers hand the conversation to people'),
        monthlyTokenLimit: z.number().int().min(1).nullable().optional(),
      })
      .strict(),
    response: settingsSchema,
    handler: ({ ctx, body }) => ai.agents.updateSettings(ctx, body),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/ai/settings/test',
    tag,
    summary: 'Test the AI model connection',
    access: manage,
    description: 'Lists the endpoint’s models (GET /models) and says whether the configured chat and embedding models are among them.',
    response: z.object({
      ok: z.boolean(),
      latencyMs: z.number().int(),
      models: z.array(z.string()),
      modelAvailable: z.boolean(),
      embeddingModelAvailable: z.boolean().nullable(),
      error: z.object({ kind: z.string(), message: z.string() }).nullable(),
    }),
    handler: ({ ctx }) => ai.testConnection(ctx),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/ai-agents/{aiAgentId}/knowledge-sources/{sourceId}',
    tag,
    summary: 'Get a knowledge source',
    access: manage,
    params: sub('sourceId'),
    response: sourceSchema,
    handler: ({ ctx, params }) => ai.knowledge.getSource(ctx, params.aiAgentId, params.sourceId),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/ai-agents/{aiAgentId}/evaluations/{evaluationId}',
    tag,
    summary: 'Get an AI evaluation with its runs',
    access: manage,
    params: sub('evaluationId'),
    response: evaluationSchema,
    handler: ({ ctx, params }) => ai.evaluations.get(ctx, params.aiAgentId, params.evaluationId),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/ai-agents/{aiAgentId}/evaluations/{evaluationId}/run',
    tag,
    summary: 'Run an AI evaluation',
    access: manage,
    status: 202,
    params: sub('evaluationId'),
    description: 'Queues a run (a background job); poll the evaluation or the run for the score.',
    response: evaluationRunSchema,
    handler: ({ ctx, params }) => ai.evaluations.run(ctx, params.aiAgentId, params.evaluationId),
  }),
  defineRoute({
    method: 'get',
    path: '/api/v1/ai-agents/{aiAgentId}/evaluations/{evaluationId}/runs/{runId}',
    tag,
    summary: 'Get an AI evaluation run',
    access: manage,
    params: z.object({ aiAgentId: id, evaluationId: id, runId: id }),
    response: evaluationRunSchema,
    handler: ({ ctx, params }) => ai.evaluations.getRun(ctx, params.aiAgentId, params.evaluationId, params.runId),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/conversations/{conversationId}/ai/suggest-reply',
    tag,
    summary: 'Suggest a reply with AI',
    access: access.tenant('messages.send'),
    params: idParam('conversationId'),
    description:
      "A draft for the human agent's composer from the AI agent's knowledge (the one serving the conversation, the one given, else the one assigned to it). " +
      'Nothing is sent. 422 without an AI agent or a customer message; 502/503/504 as the playground.',
    body: z.object({ aiAgentId: id.optional() }).strict().optional(),
    response: z.object({ suggestion: z.string(), aiAgentId: z.string(), language: z.enum(['id', 'en']), passages: z.array(passageSchema) }),
    handler: ({ ctx, params, body }) => ai.conversations.suggest(ctx, params.conversationId, body ?? {}),
  }),
  defineRoute({
    method: 'post',
    path: '/api/v1/conversations/{conversationId}/ai/summary',
    tag,
    summary: 'Summarize a conversation with AI',
    access: access.tenant('conversations.view'),
    params: idParam('conversationId'),
    description:
      "A few sentences for the human agent: what the customer wants, what was answered, what is open (in the conversation's language).",
    response: z.object({ summary: z.string(), language: z.enum(['id', 'en']), messages: z.number().int() }),
    handler: ({ ctx, params }) => ai.conversations.summarize(ctx, params.conversationId),
  }),
];
