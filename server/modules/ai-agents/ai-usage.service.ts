// The model tokens an organization's AI used: read by billing and the operator's usage without
// loading the AI agents' runtime (which depends on messaging).
import type { DataSource, EntityManager } from 'typeorm';
import { UsageRecordEntity } from './ai-agents.entity.js';

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
