// The ai-agents module's tables: the organization's model settings, AI agents with their
// assignments and handoff rules, knowledge (sources, QnA pairs, products, and the chunks retrieval
// searches), orchestration rules, evaluations and their runs, usage, and per-conversation state.
import { EntitySchema } from 'typeorm';
import { col } from '../../db/columns.js';
import type { Channel } from '../../channels/types.js';
import type { ChunkKind } from '../../ai/retrieval.js';
import type { HandoffTrigger } from '../../ai/runtime.js';

const float = (nullable = false) => ({ type: 'float' as const, nullable });

/** The organization's model endpoint; without one, the appliance's LLM_* settings apply. */
export interface AiSettings {
  id: string;
  tenantId: string;
  baseUrl: string | null;
  /** Sealed with the vault; never returned. */
  apiKey: string | null;
  model: string | null;
  embeddingModel: string | null;
  timeoutMs: number;
  /** Tokens (in + out) the organization may use per calendar month; null: no limit. */
  monthlyTokenLimit: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export const AiSettingsEntity = new EntitySchema<AiSettings>({
  name: 'AiSettings',
  tableName: 'ai_settings',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    baseUrl: col.string(500, true),
    apiKey: col.text(true),
    model: col.string(200, true),
    embeddingModel: col.string(200, true),
    timeoutMs: col.int(30000),
    monthlyTokenLimit: { type: 'integer', nullable: true },
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});

export type AgentLanguage = 'auto' | 'id' | 'en';

export interface AiAgent {
  id: string;
  tenantId: string;
  name: string;
  description: string | null;
  /** Persona and instructions, given to the model with every request. */
  instructions: string;
  language: AgentLanguage;
  active: boolean;
  /** Overrides the organization's chat model. */
  model: string | null;
  temperature: number;
  maxTokens: number;
  /** Said to the customer when the conversation goes to a person; null: the built-in sentence in their language. */
  handoffMessage: string | null;
  /** Where handoffs go when the rule names no target. */
  handoffDivisionId: string | null;
  handoffAgentId: string | null;
  monthlyTokenLimit: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export const AiAgentEntity = new EntitySchema<AiAgent>({
  name: 'AiAgent',
  tableName: 'ai_agents',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    name: col.string(200),
    description: col.text(true),
    instructions: col.text(),
    language: col.string(10),
    active: col.bool(false),
    model: col.string(200, true),
    temperature: float(),
    maxTokens: col.int(400),
    handoffMessage: col.text(true),
    handoffDivisionId: col.ref(true),
    handoffAgentId: col.ref(true),
    monthlyTokenLimit: { type: 'integer', nullable: true },
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});

export type AssignmentSchedule = 'always' | 'working_hours' | 'outside_working_hours';

/** Which conversations an AI agent answers: a channel, an account, a division (null: any), at which hours. */
export interface AiAssignment {
  id: string;
  tenantId: string;
  aiAgentId: string;
  channel: Channel | null;
  accountId: string | null;
  divisionId: string | null;
  schedule: AssignmentSchedule;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export const AiAssignmentEntity = new EntitySchema<AiAssignment>({
  name: 'AiAssignment',
  tableName: 'ai_agent_assignments',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    aiAgentId: col.ref(),
    channel: col.string(20, true),
    accountId: col.ref(true),
    divisionId: col.ref(true),
    schedule: col.string(30),
    active: col.bool(true),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});

export interface HandoffRule {
  id: string;
  tenantId: string;
  aiAgentId: string;
  type: HandoffTrigger;
  config: { keywords?: string[]; threshold?: number; turns?: number };
  targetDivisionId: string | null;
  targetAgentId: string | null;
  /** Checked in this order (lowest first). */
  position: number;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export const HandoffRuleEntity = new EntitySchema<HandoffRule>({
  name: 'AiHandoffRule',
  tableName: 'ai_handoff_rules',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    aiAgentId: col.ref(),
    type: col.string(30),
    config: col.json(),
    targetDivisionId: col.ref(true),
    targetAgentId: col.ref(true),
    position: col.int(0),
    active: col.bool(true),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});

export type SourceType = 'text' | 'qna' | 'file' | 'url';
export type SourceStatus = 'processing' | 'ready' | 'failed';

export interface KnowledgeSource {
  id: string;
  tenantId: string;
  aiAgentId: string;
  type: SourceType;
  name: string;
  /** Text sources: the text; files and web pages: the text extracted at the last processing. */
  content: string | null;
  url: string | null;
  mediaId: string | null;
  status: SourceStatus;
  /** Why processing failed (status failed), or a warning (embeddings unavailable). */
  error: string | null;
  chunkCount: number;
  charCount: number;
  processedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const KnowledgeSourceEntity = new EntitySchema<KnowledgeSource>({
  name: 'AiKnowledgeSource',
  tableName: 'ai_knowledge_sources',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    aiAgentId: col.ref(),
    type: col.string(10),
    name: col.string(300),
    content: col.text(true),
    url: col.string(2000, true),
    mediaId: col.ref(true),
    status: col.string(20),
    error: col.string(1000, true),
    chunkCount: col.int(0),
    charCount: col.int(0),
    processedAt: col.time(true),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});

export interface QnaPair {
  id: string;
  tenantId: string;
  aiAgentId: string;
  sourceId: string;
  question: string;
  answer: string;
  createdAt: Date;
  updatedAt: Date;
}

export const QnaPairEntity = new EntitySchema<QnaPair>({
  name: 'AiQnaPair',
  tableName: 'ai_qna_pairs',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    aiAgentId: col.ref(),
    sourceId: col.ref(),
    question: col.text(),
    answer: col.text(),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});

export interface Product {
  id: string;
  tenantId: string;
  aiAgentId: string;
  name: string;
  sku: string | null;
  description: string | null;
  price: number;
  currency: string;
  /** Null: not tracked. */
  stock: number | null;
  imageUrl: string | null;
  imageMediaId: string | null;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export const ProductEntity = new EntitySchema<Product>({
  name: 'AiProduct',
  tableName: 'ai_products',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    aiAgentId: col.ref(),
    name: col.string(300),
    sku: col.string(100, true),
    description: col.text(true),
    price: { type: 'decimal', precision: 14, scale: 2, transformer: { to: (v: number) => v, from: (v: unknown) => Number(v) } },
    currency: col.string(3),
    stock: { type: 'integer', nullable: true },
    imageUrl: col.string(2000, true),
    imageMediaId: col.ref(true),
    active: col.bool(true),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});

/** A passage retrieval returns: part of a source, one QnA pair, or one product. */
export interface KnowledgeChunk {
  id: string;
  tenantId: string;
  aiAgentId: string;
  kind: ChunkKind;
  sourceId: string | null;
  productId: string | null;
  qnaId: string | null;
  position: number;
  title: string | null;
  text: string;
  /** Normalized float32 vector, base64; null until embedded (or with no embedding model). */
  embedding: string | null;
  embeddingModel: string | null;
  createdAt: Date;
}

export const KnowledgeChunkEntity = new EntitySchema<KnowledgeChunk>({
  name: 'AiKnowledgeChunk',
  tableName: 'ai_chunks',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    aiAgentId: col.ref(),
    kind: col.string(10),
    sourceId: col.ref(true),
    productId: col.ref(true),
    qnaId: col.ref(true),
    position: col.int(0),
    title: col.string(300, true),
    text: col.text(),
    embedding: col.text(true),
    embeddingModel: col.string(200, true),
    createdAt: col.time(),
  },
});

/** Conditions an orchestration rule matches on; every given condition must hold. */
export interface OrchestrationConditions {
  channels?: Channel[];
  accountIds?: string[];
  divisionIds?: string[];
  /** Any of these words or phrases in the customer's message. */
  keywords?: string[];
  languages?: ('id' | 'en')[];
}

export interface OrchestrationRule {
  id: string;
  tenantId: string;
  name: string;
  aiAgentId: string;
  priority: number;
  conditions: OrchestrationConditions;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export const OrchestrationRuleEntity = new EntitySchema<OrchestrationRule>({
  name: 'AiOrchestrationRule',
  tableName: 'ai_orchestration_rules',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    name: col.string(200),
    aiAgentId: col.ref(),
    priority: col.int(0),
    conditions: col.json(),
    active: col.bool(true),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});

export interface EvaluationCase {
  question: string;
  expectedAnswer?: string | null;
  expectedFacts?: string[];
}

export interface Evaluation {
  id: string;
  tenantId: string;
  aiAgentId: string;
  name: string;
  cases: EvaluationCase[];
  /** A case passes at this score or above (0–1). */
  passThreshold: number;
  createdAt: Date;
  updatedAt: Date;
}

export const EvaluationEntity = new EntitySchema<Evaluation>({
  name: 'AiEvaluation',
  tableName: 'ai_evaluations',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    aiAgentId: col.ref(),
    name: col.string(200),
    cases: col.json(),
    passThreshold: float(),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});

export interface EvaluationCaseResult {
  question: string;
  answer: string | null;
  handoff: string | null;
  score: number;
  passed: boolean;
  matchedFacts: string[];
  missingFacts: string[];
  answerRecall: number | null;
  passages: { chunkId: string; title: string | null; confidence: number }[];
  latencyMs: number;
  error: string | null;
}

export type EvaluationRunStatus = 'queued' | 'running' | 'done' | 'failed';

export interface EvaluationRun {
  id: string;
  tenantId: string;
  aiAgentId: string;
  evaluationId: string;
  status: EvaluationRunStatus;
  score: number | null;
  passedCount: number;
  total: number;
  results: EvaluationCaseResult[];
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export const EvaluationRunEntity = new EntitySchema<EvaluationRun>({
  name: 'AiEvaluationRun',
  tableName: 'ai_evaluation_runs',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    aiAgentId: col.ref(),
    evaluationId: col.ref(),
    status: col.string(20),
    score: float(true),
    passedCount: col.int(0),
    total: col.int(0),
    results: col.json(),
    error: col.string(1000, true),
    createdAt: col.time(),
    startedAt: col.time(true),
    finishedAt: col.time(true),
  },
});

export type UsageKind = 'reply' | 'handoff_summary' | 'test' | 'suggest' | 'summary' | 'evaluation' | 'embedding';

/** One model request: what it was for, its tokens and latency, and whether it worked. */
export interface UsageRecord {
  id: string;
  tenantId: string;
  aiAgentId: string | null;
  conversationId: string | null;
  kind: UsageKind;
  model: string | null;
  tokensIn: number;
  tokensOut: number;
  latencyMs: number;
  ok: boolean;
  error: string | null;
  createdAt: Date;
}

export const UsageRecordEntity = new EntitySchema<UsageRecord>({
  name: 'AiUsageRecord',
  tableName: 'ai_usage',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    aiAgentId: col.ref(true),
    conversationId: col.ref(true),
    kind: col.string(20),
    model: col.string(200, true),
    tokensIn: col.int(0),
    tokensOut: col.int(0),
    latencyMs: col.int(0),
    ok: col.bool(true),
    error: col.string(500, true),
    createdAt: col.time(),
  },
});

/** What the AI knows of a conversation it serves: turns since a person last had it, the last message handled, a handoff. */
export interface AiConversationState {
  id: string;
  tenantId: string;
  conversationId: string;
  aiAgentId: string | null;
  turns: number;
  lastHandledMessageId: string | null;
  handedOffAt: Date | null;
  handoffReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export const AiConversationStateEntity = new EntitySchema<AiConversationState>({
  name: 'AiConversationState',
  tableName: 'ai_conversation_states',
  columns: {
    id: col.id,
    tenantId: col.ref(),
    conversationId: col.ref(),
    aiAgentId: col.ref(true),
    turns: col.int(0),
    lastHandledMessageId: col.ref(true),
    handedOffAt: col.time(true),
    handoffReason: col.string(50, true),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
});

export const aiEntities = [
  AiSettingsEntity,
  AiAgentEntity,
  AiAssignmentEntity,
  HandoffRuleEntity,
  KnowledgeSourceEntity,
  QnaPairEntity,
  ProductEntity,
  KnowledgeChunkEntity,
  OrchestrationRuleEntity,
  EvaluationEntity,
  EvaluationRunEntity,
  UsageRecordEntity,
  AiConversationStateEntity,
];
