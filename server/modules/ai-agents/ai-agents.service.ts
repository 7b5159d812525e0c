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

export { aiTokensUsed, type AiTokenUsage } from './ai-usage.service.js';

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
