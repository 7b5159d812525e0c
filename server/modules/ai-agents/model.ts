// Which model an organization's AI agents use (its own settings, else the appliance's LLM_*
// environment), the client for it (every request through the SSRF guard), usage records with the
// monthly limits, and retrieval over an agent's knowledge (embedding the question when the chunks
// have embeddings).
import { Between, type EntityManager } from 'typeorm';
import type { DataSource } from 'typeorm';
import type { Services } from '../../core/context.js';
import { newId } from '../../core/ids.js';
import { zonedParts, wallClockToUtc } from '../../core/time.js';
import { LlmClient, LlmError, type LlmEndpoint, type Usage } from '../../ai/llm.js';
import { Retriever, type Passage } from '../../ai/retrieval.js';
import { normalizeVector } from '../../ai/vectors.js';
import {
  AiSettingsEntity,
  UsageRecordEntity,
  type AiAgent,
  type AiSettings,
  type UsageKind,
  type UsageRecord,
} from './ai-agents.entity.js';
import { tenantTimezone as timezoneOfTenant } from '../tenants/tenant-timezone.service.js';

export const DEFAULT_TIMEOUT_MS = 30_000;

/** The endpoint an organization's agents use, or null when neither it nor the appliance configured one. */
export function endpointOf(services: Services, settings: AiSettings | null): LlmEndpoint | null {
  const own = settings?.baseUrl ? settings : null;
  const baseUrl = own?.baseUrl ?? services.config.LLM_BASE_URL ?? null;
  const model = (own ? own.model : null) ?? services.config.LLM_MODEL ?? null;
  if (!baseUrl || !model) return null;
  return {
    baseUrl,
    apiKey: own ? (own.apiKey ? services.vault.decrypt<string>(own.apiKey) : null) : (services.config.LLM_API_KEY ?? null),
    model,
    embeddingModel: own ? own.embeddingModel : (services.config.LLM_EMBEDDING_MODEL ?? null),
    timeoutMs: settings?.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
}

export function settingsRow(db: DataSource | EntityManager, tenantId: string): Promise<AiSettings | null> {
  return db.getRepository(AiSettingsEntity).findOne({ where: { tenantId } });
}

export async function endpointFor(services: Services, tenantId: string): Promise<LlmEndpoint | null> {
  return endpointOf(services, await settingsRow(services.db, tenantId));
}

export function clientOf(services: Services, endpoint: LlmEndpoint): LlmClient {
  return new LlmClient(endpoint, services.outbound.fetchFunction({ timeoutMs: endpoint.timeoutMs }));
}

/** The organization's client; LlmError('not_configured') without a model. */
export async function clientFor(services: Services, tenantId: string): Promise<LlmClient> {
  const endpoint = await endpointFor(services, tenantId);
  if (!endpoint)
    throw new LlmError(
      'not_configured',
      'No model is configured: set the model endpoint under AI agents → Model settings, or LLM_BASE_URL and LLM_MODEL on the appliance',
    );
  return clientOf(services, endpoint);
}

export interface UsageInput {
  tenantId: string;
  aiAgentId: string | null;
  conversationId?: string | null;
  kind: UsageKind;
  usage?: Usage | null;
  model?: string | null;
  latencyMs?: number;
  error?: string | null;
}

export async function recordUsage(services: Services, input: UsageInput, m: EntityManager = services.db.manager): Promise<void> {
  await m.getRepository(UsageRecordEntity).insert({
    id: newId(),
    tenantId: input.tenantId,
    aiAgentId: input.aiAgentId,
    conversationId: input.conversationId ?? null,
    kind: input.kind,
    model: input.usage?.model ?? input.model ?? null,
    tokensIn: input.usage?.tokensIn ?? 0,
    tokensOut: input.usage?.tokensOut ?? 0,
    latencyMs: input.usage?.latencyMs ?? input.latencyMs ?? 0,
    ok: !input.error,
    error: input.error ? input.error.slice(0, 500) : null,
    createdAt: services.now(),
  } satisfies UsageRecord as never);
}

export async function tenantTimezone(db: DataSource | EntityManager, tenantId: string): Promise<string> {
  return (await timezoneOfTenant(db, tenantId)) ?? 'Asia/Jakarta';
}

/** The calendar month containing `now` in the tenant's time zone, as UTC instants [start, end). */
export function monthRange(now: Date, timezone: string): { start: Date; end: Date; month: string } {
  const p = zonedParts(now, timezone);
  const start = new Date(wallClockToUtc(timezone, p.year, p.month, 1, 0, 0));
  const next = p.month === 12 ? { y: p.year + 1, m: 1 } : { y: p.year, m: p.month + 1 };
  const end = new Date(wallClockToUtc(timezone, next.y, next.m, 1, 0, 0));
  return { start, end, month: `${p.year}-${String(p.month).padStart(2, '0')}` };
}

/** Tokens (in + out) used this month by the organization, or by one agent. */
export async function monthTokens(services: Services, tenantId: string, aiAgentId?: string): Promise<number> {
  const { start, end } = monthRange(services.now(), await tenantTimezone(services.db, tenantId));
  const qb = services.db
    .getRepository(UsageRecordEntity)
    .createQueryBuilder('u')
    .select('COALESCE(SUM(u.tokensIn + u.tokensOut), 0)', 'tokens')
    .where('u.tenantId = :tenantId', { tenantId })
    .andWhere({ createdAt: Between(start, new Date(end.getTime() - 1)) });
  if (aiAgentId) qb.andWhere('u.aiAgentId = :aiAgentId', { aiAgentId });
  const row = await qb.getRawOne<{ tokens: number | string }>();
  return Number(row?.tokens ?? 0);
}

/** Why the agent may not use the model now (a monthly limit reached), or null. */
export async function limitReached(services: Services, agent: AiAgent): Promise<string | null> {
  const settings = await settingsRow(services.db, agent.tenantId);
  if (settings?.monthlyTokenLimit != null && (await monthTokens(services, agent.tenantId)) >= settings.monthlyTokenLimit)
    return `The organization's monthly AI limit of ${settings.monthlyTokenLimit} tokens is reached`;
  if (agent.monthlyTokenLimit != null && (await monthTokens(services, agent.tenantId, agent.id)) >= agent.monthlyTokenLimit)
    return `${agent.name}'s monthly limit of ${agent.monthlyTokenLimit} tokens is reached`;
  return null;
}

const retrievers = new WeakMap<DataSource, Retriever>();
export function retrieverFor(services: Pick<Services, 'db'>): Retriever {
  let r = retrievers.get(services.db);
  if (!r) retrievers.set(services.db, (r = new Retriever(services.db)));
  return r;
}

/**
 * The passages for a question: full-text always; with vectors too when the endpoint has an
 * embedding model and the agent's chunks were embedded with it. An embedding failure is recorded
 * and retrieval goes on with full-text alone.
 */
export async function retrieve(
  services: Services,
  agent: AiAgent,
  query: string,
  opts: { client?: LlmClient | null; conversationId?: string | null; limit?: number } = {},
): Promise<Passage[]> {
  const retriever = retrieverFor(services);
  const client = opts.client;
  const model = client?.endpoint.embeddingModel ?? null;
  let queryVector: Float32Array | null = null;
  if (client && model && (await retriever.vectorCount(agent.tenantId, agent.id, model)) > 0) {
    try {
      const { vectors, usage } = await client.embed([query.slice(0, 2000)]);
      queryVector = normalizeVector(Float32Array.from(vectors[0]));
      await recordUsage(services, {
        tenantId: agent.tenantId,
        aiAgentId: agent.id,
        conversationId: opts.conversationId,
        kind: 'embedding',
        usage,
      });
    } catch (err) {
      await recordUsage(services, {
        tenantId: agent.tenantId,
        aiAgentId: agent.id,
        conversationId: opts.conversationId,
        kind: 'embedding',
        model,
        error: (err as Error).message,
      });
    }
  }
  return retriever.search({
    tenantId: agent.tenantId,
    agentId: agent.id,
    query,
    queryVector,
    embeddingModel: model,
    limit: opts.limit ?? 5,
  });
}
