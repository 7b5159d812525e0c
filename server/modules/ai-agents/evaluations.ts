// Evaluations: a set of questions with the answers or facts the business expects, run on demand
// against an AI agent (a durable job: every question goes through the same retrieval, rules and
// model as a customer's), each answer scored (server/ai/scoring.ts), and every run kept as history.
import type { Services, TenantCtx } from '../../core/context.js';
import { scoped } from '../../core/tenancy.js';
import { notFound } from '../../core/http/errors.js';
import { newId } from '../../core/ids.js';
import { enqueueJob, type JobHandler } from '../../core/jobs/queue.js';
import { recordActivity } from '../../core/audit.js';
import { LlmError } from '../../ai/llm.js';
import { checkMessageRules, checkRetrievalRules, generateAnswer, type RuleSpec } from '../../ai/runtime.js';
import { scoreAnswer } from '../../ai/scoring.js';
import { TenantEntity } from '../tenants/tenant.entity.js';
import {
  AiAgentEntity,
  EvaluationEntity,
  EvaluationRunEntity,
  HandoffRuleEntity,
  type Evaluation,
  type EvaluationCase,
  type EvaluationCaseResult,
  type EvaluationRun,
} from './ai-agents.entity.js';
import { agentChild, getAgent } from './lookups.js';
import { clientFor, limitReached, recordUsage, retrieve } from './model.js';

export const EVALUATE_JOB = 'ai-agents.evaluate';
const HISTORY = 20;

const runView = (r: EvaluationRun) => ({
  id: r.id,
  evaluationId: r.evaluationId,
  status: r.status,
  score: r.score,
  passedCount: r.passedCount,
  total: r.total,
  results: r.results,
  error: r.error,
  createdAt: r.createdAt,
  startedAt: r.startedAt,
  finishedAt: r.finishedAt,
});

async function views(ctx: TenantCtx, rows: Evaluation[]) {
  return Promise.all(
    rows.map(async (e) => {
      const runs = await ctx.db
        .getRepository(EvaluationRunEntity)
        .find({ where: { tenantId: ctx.tenantId, evaluationId: e.id }, order: { id: 'DESC' }, take: HISTORY });
      return {
        id: e.id,
        aiAgentId: e.aiAgentId,
        name: e.name,
        cases: e.cases,
        passThreshold: e.passThreshold,
        lastRun: runs[0] ? runView(runs[0]) : null,
        runs: runs.map((r) => {
          const { results: _results, ...rest } = runView(r);
          return rest;
        }),
        createdAt: e.createdAt,
        updatedAt: e.updatedAt,
      };
    }),
  );
}

export interface EvaluationInput {
  name: string;
  cases: EvaluationCase[];
  passThreshold?: number;
  run?: boolean;
}

async function queueRun(ctx: TenantCtx, evaluation: Evaluation, m = ctx.db.manager) {
  const now = ctx.now();
  const run: EvaluationRun = {
    id: newId(),
    tenantId: ctx.tenantId,
    aiAgentId: evaluation.aiAgentId,
    evaluationId: evaluation.id,
    status: 'queued',
    score: null,
    passedCount: 0,
    total: evaluation.cases.length,
    results: [],
    error: null,
    createdAt: now,
    startedAt: null,
    finishedAt: null,
  };
  await m.getRepository(EvaluationRunEntity).insert(run as never);
  await enqueueJob(m, EVALUATE_JOB, { runId: run.id }, now, {
    tenantId: ctx.tenantId,
    queueKey: `ai-eval:${evaluation.id}`,
    maxAttempts: 3,
  });
  return run;
}

export const evaluations = {
  async list(ctx: TenantCtx, aiAgentId: string, q: { limit: number; cursor?: string }) {
    await getAgent(ctx, aiAgentId);
    const page = await scoped(ctx, EvaluationEntity).page({ where: { aiAgentId }, limit: q.limit, cursor: q.cursor });
    return { data: await views(ctx, page.data), nextCursor: page.nextCursor };
  },

  async get(ctx: TenantCtx, aiAgentId: string, evaluationId: string) {
    await getAgent(ctx, aiAgentId);
    return (await views(ctx, [await agentChild(ctx, EvaluationEntity, aiAgentId, evaluationId, 'Evaluation')]))[0];
  },

  async getRun(ctx: TenantCtx, aiAgentId: string, evaluationId: string, runId: string) {
    await getAgent(ctx, aiAgentId);
    await agentChild(ctx, EvaluationEntity, aiAgentId, evaluationId, 'Evaluation');
    const run = await agentChild(ctx, EvaluationRunEntity, aiAgentId, runId, 'Evaluation run');
    if (run.evaluationId !== evaluationId) throw notFound('Evaluation run');
    return runView(run);
  },

  async create(ctx: TenantCtx, aiAgentId: string, input: EvaluationInput) {
    await getAgent(ctx, aiAgentId);
    const now = ctx.now();
    const evaluation = await ctx.transaction(async (m) => {
      const row = await scoped(ctx, EvaluationEntity, m).insert({
        aiAgentId,
        name: input.name,
        cases: input.cases,
        passThreshold: input.passThreshold ?? 0.7,
        createdAt: now,
        updatedAt: now,
      });
      if (input.run !== false) await queueRun(ctx, row, m);
      return row;
    });
    return (await views(ctx, [evaluation]))[0];
  },

  async update(ctx: TenantCtx, aiAgentId: string, evaluationId: string, input: Partial<EvaluationInput>) {
    await getAgent(ctx, aiAgentId);
    const current = await agentChild(ctx, EvaluationEntity, aiAgentId, evaluationId, 'Evaluation');
    const patch: Partial<Evaluation> = { updatedAt: ctx.now() };
    if (input.name !== undefined) patch.name = input.name;
    if (input.cases !== undefined) patch.cases = input.cases;
    if (input.passThreshold !== undefined) patch.passThreshold = input.passThreshold;
    const updated = { ...current, ...patch };
    await ctx.transaction(async (m) => {
      await scoped(ctx, EvaluationEntity, m).update(evaluationId, patch);
      if (input.run) await queueRun(ctx, updated, m);
    });
    return (await views(ctx, [updated]))[0];
  },

  async remove(ctx: TenantCtx, aiAgentId: string, evaluationId: string): Promise<void> {
    await getAgent(ctx, aiAgentId);
    await agentChild(ctx, EvaluationEntity, aiAgentId, evaluationId, 'Evaluation');
    await ctx.transaction(async (m) => {
      await m.getRepository(EvaluationRunEntity).delete({ tenantId: ctx.tenantId, evaluationId });
      await scoped(ctx, EvaluationEntity, m).remove(evaluationId);
    });
  },

  async run(ctx: TenantCtx, aiAgentId: string, evaluationId: string) {
    await getAgent(ctx, aiAgentId);
    const evaluation = await agentChild(ctx, EvaluationEntity, aiAgentId, evaluationId, 'Evaluation');
    const run = await ctx.transaction(async (m) => {
      const queued = await queueRun(ctx, evaluation, m);
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'ai_agent.evaluation_run',
        targetType: 'ai_agent',
        targetId: aiAgentId,
        details: { evaluationId, runId: queued.id, cases: evaluation.cases.length },
      });
      return queued;
    });
    return runView(run);
  },
};

export function evaluationJobs(services: Services): Record<string, JobHandler> {
  return {
    [EVALUATE_JOB]: async (job) => {
      const runs = services.db.getRepository(EvaluationRunEntity);
      const run = await runs.findOne({ where: { id: String(job.payload.runId) } });
      if (!run || run.status === 'done' || run.status === 'failed') return;
      const evaluation = await services.db.getRepository(EvaluationEntity).findOne({ where: { id: run.evaluationId } });
      const agent = await services.db.getRepository(AiAgentEntity).findOne({ where: { id: run.aiAgentId } });
      const finish = (patch: Partial<EvaluationRun>) => runs.update({ id: run.id }, { finishedAt: services.now(), ...patch });
      if (!evaluation || !agent) return void (await finish({ status: 'failed', error: 'The evaluation or its agent was deleted' }));
      await runs.update({ id: run.id }, { status: 'running', startedAt: services.now() });
      const limit = await limitReached(services, agent);
      if (limit) return void (await finish({ status: 'failed', error: limit }));
      let client;
      try {
        client = await clientFor(services, agent.tenantId);
      } catch (err) {
        return void (await finish({ status: 'failed', error: (err as Error).message }));
      }
      const rules: RuleSpec[] = (
        await services.db
          .getRepository(HandoffRuleEntity)
          .find({ where: { aiAgentId: agent.id, active: true }, order: { position: 'ASC' } })
      ).map((r) => ({ id: r.id, type: r.type, config: r.config }));
      const tenant = await services.db.getRepository(TenantEntity).findOne({ where: { id: agent.tenantId } });
      const profile = {
        name: agent.name,
        businessName: tenant?.name ?? 'the business',
        instructions: agent.instructions,
        language: agent.language,
        temperature: agent.temperature,
        maxTokens: agent.maxTokens,
        model: agent.model,
      };
      const results: EvaluationCaseResult[] = [];
      for (const c of evaluation.cases) {
        const started = performance.now();
        const result: EvaluationCaseResult = {
          question: c.question,
          answer: null,
          handoff: null,
          score: 0,
          passed: false,
          matchedFacts: [],
          missingFacts: c.expectedFacts ?? [],
          answerRecall: null,
          passages: [],
          latencyMs: 0,
          error: null,
        };
        const early = checkMessageRules(rules, c.question, { turns: 0 });
        if (early) result.handoff = `${early.trigger}: ${early.detail}`;
        else {
          const passages = await retrieve(services, agent, c.question, { client });
          result.passages = passages.map((p) => ({ chunkId: p.chunkId, title: p.title, confidence: p.confidence }));
          const weak = checkRetrievalRules(rules, passages);
          if (weak) result.handoff = `${weak.trigger}: ${weak.detail}`;
          else {
            try {
              const decision = await generateAnswer(client, { profile, history: [{ role: 'customer', text: c.question }], passages });
              await recordUsage(services, { tenantId: agent.tenantId, aiAgentId: agent.id, kind: 'evaluation', usage: decision.usage });
              if (decision.kind === 'reply') {
                result.answer = decision.text;
                Object.assign(result, scoreAnswer(decision.text, c));
              } else result.handoff = `${decision.trigger}: ${decision.detail}`;
            } catch (err) {
              if (!(err instanceof LlmError)) throw err;
              result.error = err.message;
              await recordUsage(services, {
                tenantId: agent.tenantId,
                aiAgentId: agent.id,
                kind: 'evaluation',
                model: client.endpoint.model,
                error: err.message,
              });
            }
          }
        }
        result.passed = result.answer !== null && result.score >= evaluation.passThreshold;
        result.latencyMs = Math.round(performance.now() - started);
        results.push(result);
      }
      const failedAll = results.length > 0 && results.every((r) => r.error);
      const score = results.length ? Math.round((results.reduce((n, r) => n + r.score, 0) / results.length) * 1000) / 1000 : 0;
      await finish({
        status: failedAll ? 'failed' : 'done',
        score: failedAll ? null : score,
        passedCount: results.filter((r) => r.passed).length,
        total: results.length,
        results,
        error: failedAll ? results[0].error : null,
      });
    },
  };
}
