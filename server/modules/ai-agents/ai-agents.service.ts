// The ai-agents module's public surface. Routes reach the logic through `aiAgentsService`; other
// modules (automation's "hand to an AI agent" action) call `handToAiAgent(services, {tenantId,
// conversationId, aiAgentId}, manager?)`.
import type { TenantCtx } from '../../core/context.js';
import { agents } from './agents.js';
import { knowledge } from './knowledge.js';
import { conversationAi, handToAiAgent } from './conversation-ai.js';
import { evaluations } from './evaluations.js';
import { usage } from './usage.js';
import { clientFor } from './model.js';
import { LlmError } from '../../ai/llm.js';

export { handToAiAgent };

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
