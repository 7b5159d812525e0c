// The ai-agents module's public surface. Routes reach the logic through `aiAgentsService`. Other
// modules call:
//   - `handToAiAgent(services, {tenantId, conversationId, aiAgentId}, manager?)` (alias
//     `assignConversationToAiAgent`): automation's "hand the conversation to an AI agent" action,
//     inside its own transaction (pass the manager) or after a committed event (omit it);
//   - `aiTokensUsed(db, tenantId, {from, to})`: the LLM tokens an organization used in a period
//     (usage and billing, the operator's console).
import type { DataSource, EntityManager } from 'typeorm';
import type { TenantCtx } from '../../core/context.js';
import { agents } from './agents.js';
import { knowledge } from './knowledge.js';
import { conversationAi, handToAiAgent } from './conversation-ai.js';
import { evaluations } from './evaluations.js';
import { usage } from './usage.js';
import { clientFor } from './model.js';
import { LlmError } from '../../ai/llm.js';
import { UsageRecordEntity } from './ai-agents.entity.js';

export { handToAiAgent };

/** The same as `handToAiAgent` (the name automation's action may look for). */
export const assignConversationToAiAgent = handToAiAgent;

export interface AiTokenUsage {
  /** Prompt tokens (replies, summaries, suggestions, the playground, evaluations, embeddings). */
  tokensIn: number;
  /** Completion tokens. */
  tokensOut: number;
  /** tokensIn + tokensOut. */
  total: number;
  /** Model requests, failed ones included (a failed request counts the tokens the model reported, usually none). */
  requests: number;
}

/**
 * The LLM tokens an organization used in [from, to) (UTC instants; e.g. its calendar month from
 * `monthOf`, or a billing period). Every model request of every AI agent and of the composer's
 * helpers counts, whether the organization's own endpoint or the appliance's default served it.
 */
export async function aiTokensUsed(
  db: DataSource | EntityManager,
  tenantId: string,
  period: { from: Date; to: Date },
): Promise<AiTokenUsage> {
  const row = await db
    .getRepository(UsageRecordEntity)
    .createQueryBuilder('u')
    .select('COALESCE(SUM(u.tokensIn), 0)', 'tokensIn')
    .addSelect('COALESCE(SUM(u.tokensOut), 0)', 'tokensOut')
    .addSelect('COUNT(*)', 'requests')
    .where('u.tenantId = :tenantId', { tenantId })
    .andWhere('u.createdAt >= :from AND u.createdAt < :to', { from: period.from, to: period.to })
    .getRawOne<{ tokensIn: number | string; tokensOut: number | string; requests: number | string }>();
  const tokensIn = Number(row?.tokensIn ?? 0);
  const tokensOut = Number(row?.tokensOut ?? 0);
  return { tokensIn, tokensOut, total: tokensIn + tokensOut, requests: Number(row?.requests ?? 0) };
}

export const aiAgentsService = {
  agents,
  knowledge,
  evaluations,
  usage,
  conversations: conversationAi,

  /** Checks the organization's model endpoint: lists its models and says whether the chosen ones are there. */
  async testConnection(ctx: TenantCtx) {
    const started = performance.now();
    try {
      const client = await clientFor(ctx, ctx.tenantId);
      const models = await client.models();
      return {
        ok: true,
        latencyMs: Math.round(performance.now() - started),
        models: models.slice(0, 200),
        modelAvailable: models.includes(client.endpoint.model),
        embeddingModelAvailable: client.endpoint.embeddingModel ? models.includes(client.endpoint.embeddingModel) : null,
        error: null,
      };
    } catch (err) {
      if (!(err instanceof LlmError)) throw err;
      return {
        ok: false,
        latencyMs: Math.round(performance.now() - started),
        models: [],
        modelAvailable: false,
        embeddingModelAvailable: null,
        error: { kind: err.kind, message: err.message },
      };
    }
  },
};
