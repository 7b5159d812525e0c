// The AI Agents API as the web UI uses it (see /docs, tag "AI Agents").
import { ApiError, api } from '../api';

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export type AgentLanguage = 'auto' | 'id' | 'en';

export interface AiAgent {
  id: string;
  name: string;
  description: string | null;
  instructions: string;
  language: AgentLanguage;
  active: boolean;
  model: string | null;
  temperature: number;
  maxTokens: number;
  handoffMessage: string | null;
  handoffDivisionId: string | null;
  handoffAgentId: string | null;
  monthlyTokenLimit: number | null;
  counts: { sources: number; products: number; assignments: number; handoffRules: number };
  createdAt: string;
  updatedAt: string;
}

export type AgentInput = Partial<Omit<AiAgent, 'id' | 'counts' | 'createdAt' | 'updatedAt'>>;

export interface Assignment {
  id: string;
  aiAgentId: string;
  channel: string | null;
  accountId: string | null;
  divisionId: string | null;
  schedule: 'always' | 'working_hours' | 'outside_working_hours';
  active: boolean;
}

export const HANDOFF_TYPES = ['human_request', 'keyword', 'sentiment', 'low_confidence', 'max_turns', 'out_of_scope'] as const;
export type HandoffType = (typeof HANDOFF_TYPES)[number];

export interface HandoffRule {
  id: string;
  aiAgentId: string;
  type: HandoffType;
  config: { keywords?: string[]; threshold?: number; turns?: number };
  targetDivisionId: string | null;
  targetAgentId: string | null;
  position: number;
  active: boolean;
}

export type SourceType = 'text' | 'qna' | 'file' | 'url';

export interface KnowledgeSource {
  id: string;
  type: SourceType;
  name: string;
  status: 'processing' | 'ready' | 'failed';
  error: string | null;
  url: string | null;
  mediaId: string | null;
  content: string | null;
  preview: string | null;
  chunkCount: number;
  charCount: number;
  qnaCount: number | null;
  processedAt: string | null;
  createdAt: string;
}

export interface QnaPair {
  id: string;
  sourceId: string;
  question: string;
  answer: string;
}

export interface Product {
  id: string;
  name: string;
  sku: string | null;
  description: string | null;
  price: number;
  currency: string;
  stock: number | null;
  imageUrl: string | null;
  image: string | null;
  active: boolean;
}

export interface Passage {
  chunkId: string;
  kind: 'text' | 'qna' | 'file' | 'url' | 'product';
  title: string | null;
  text: string;
  lexical: number;
  similarity: number | null;
  confidence: number;
}

export interface TestResult {
  answer: string | null;
  handoff: { reason: string; detail: string; ruleId: string | null } | null;
  language: 'id' | 'en';
  passages: Passage[];
  prompt: { role: string; content: string }[];
  usage: { tokensIn: number; tokensOut: number; latencyMs: number; model: string } | null;
}

export interface EvaluationCase {
  question: string;
  expectedAnswer?: string | null;
  expectedFacts?: string[];
}

export interface EvaluationRun {
  id: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  score: number | null;
  passedCount: number;
  total: number;
  results?: {
    question: string;
    answer: string | null;
    handoff: string | null;
    score: number;
    passed: boolean;
    matchedFacts: string[];
    missingFacts: string[];
    error: string | null;
  }[];
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface Evaluation {
  id: string;
  name: string;
  cases: EvaluationCase[];
  passThreshold: number;
  lastRun: EvaluationRun | null;
  runs: EvaluationRun[];
}

export interface UsageNumbers {
  requests: number;
  failures: number;
  tokensIn: number;
  tokensOut: number;
  avgLatencyMs: number;
  maxLatencyMs: number;
}

export interface AgentUsage {
  from: string;
  to: string;
  timezone: string;
  days: ({ date: string } & UsageNumbers)[];
  totals: UsageNumbers;
  monthlyTokenLimit: number | null;
}

export interface OrgUsage {
  month: string;
  timezone: string;
  totals: UsageNumbers;
  limit: { monthlyTokenLimit: number | null; used: number; remaining: number | null };
  agents: ({ aiAgentId: string | null; name: string | null } & UsageNumbers)[];
  byKind: ({ kind: string } & UsageNumbers)[];
  recentFailures: {
    at: string;
    aiAgentId: string | null;
    conversationId: string | null;
    kind: string;
    model: string | null;
    error: string | null;
  }[];
}

export interface ModelSettings {
  baseUrl: string | null;
  apiKey: string | null;
  model: string | null;
  embeddingModel: string | null;
  timeoutMs: number;
  monthlyTokenLimit: number | null;
  source: 'organization' | 'appliance' | 'none';
  effective: { baseUrl: string; model: string; embeddingModel: string | null } | null;
}

export interface ConnectionTest {
  ok: boolean;
  latencyMs: number;
  models: string[];
  modelAvailable: boolean;
  embeddingModelAvailable: boolean | null;
  error: { kind: string; message: string } | null;
}

export interface OrchestrationRule {
  id: string;
  name: string;
  aiAgentId: string;
  priority: number;
  conditions: { channels?: string[]; divisionIds?: string[]; keywords?: string[]; languages?: ('id' | 'en')[] };
  active: boolean;
}

const base = (id: string) => `/api/v1/ai-agents/${encodeURIComponent(id)}`;

export const aiApi = {
  agents: () => api.get<Page<AiAgent>>('/api/v1/ai-agents?limit=200'),
  agent: (id: string) => api.get<AiAgent>(base(id)),
  createAgent: (body: AgentInput) => api.post<AiAgent>('/api/v1/ai-agents', body),
  updateAgent: (id: string, body: AgentInput) => api.put<AiAgent>(base(id), body),
  deleteAgent: (id: string) => api.delete<void>(base(id)),
  toggle: (id: string, active: boolean) => api.put<AiAgent>(`${base(id)}/toggle`, { active }),

  assignments: (id: string) => api.get<Page<Assignment>>(`${base(id)}/assignments?limit=200`),
  createAssignment: (id: string, body: Partial<Assignment>) => api.post<Assignment>(`${base(id)}/assignments`, body),
  updateAssignment: (id: string, aid: string, body: Partial<Assignment>) => api.put<Assignment>(`${base(id)}/assignments/${aid}`, body),
  deleteAssignment: (id: string, aid: string) => api.delete<void>(`${base(id)}/assignments/${aid}`),

  rules: (id: string) => api.get<Page<HandoffRule>>(`${base(id)}/handoff-rules`),
  createRule: (id: string, body: Partial<HandoffRule>) => api.post<HandoffRule>(`${base(id)}/handoff-rules`, body),
  updateRule: (id: string, rid: string, body: Partial<HandoffRule>) => api.put<HandoffRule>(`${base(id)}/handoff-rules/${rid}`, body),
  deleteRule: (id: string, rid: string) => api.delete<void>(`${base(id)}/handoff-rules/${rid}`),

  sources: (id: string) => api.get<Page<KnowledgeSource>>(`${base(id)}/knowledge-sources?limit=200`),
  addSource: (id: string, body: Record<string, unknown>) => api.post<KnowledgeSource>(`${base(id)}/knowledge-sources`, body),
  deleteSource: (id: string, sid: string) => api.delete<void>(`${base(id)}/knowledge-sources/${sid}`),
  reprocess: (id: string, sid: string) => api.post<KnowledgeSource>(`${base(id)}/knowledge-sources/${sid}/reprocess`),
  qna: (id: string, sid: string) => api.get<Page<QnaPair>>(`${base(id)}/knowledge-sources/${sid}/qna?limit=200`),
  addQna: (id: string, sid: string, body: { question: string; answer: string }) =>
    api.post<QnaPair>(`${base(id)}/knowledge-sources/${sid}/qna`, body),
  deleteQna: (id: string, sid: string, qid: string) => api.delete<void>(`${base(id)}/knowledge-sources/${sid}/qna/${qid}`),

  products: (id: string, search = '') =>
    api.get<Page<Product>>(`${base(id)}/products?limit=200${search ? `&search=${encodeURIComponent(search)}` : ''}`),
  createProduct: (id: string, body: Partial<Product>) => api.post<Product>(`${base(id)}/products`, body),
  updateProduct: (id: string, pid: string, body: Partial<Product>) => api.put<Product>(`${base(id)}/products/${pid}`, body),
  deleteProduct: (id: string, pid: string) => api.delete<void>(`${base(id)}/products/${pid}`),
  bulkProducts: (id: string, csv: string) =>
    api.post<{ created: number; updated: number; errors: { row: number; message: string }[] }>(`${base(id)}/products/bulk`, { csv }),

  test: (id: string, message: string, history: { role: 'customer' | 'business'; text: string }[]) =>
    api.post<TestResult>(`${base(id)}/test`, { message, history }),

  evaluations: (id: string) => api.get<Page<Evaluation>>(`${base(id)}/evaluations?limit=50`),
  evaluation: (id: string, eid: string) => api.get<Evaluation>(`${base(id)}/evaluations/${eid}`),
  createEvaluation: (id: string, body: { name: string; cases: EvaluationCase[]; passThreshold?: number }) =>
    api.post<Evaluation>(`${base(id)}/evaluations`, body),
  runEvaluation: (id: string, eid: string) => api.post<EvaluationRun>(`${base(id)}/evaluations/${eid}/run`),
  deleteEvaluation: (id: string, eid: string) => api.delete<void>(`${base(id)}/evaluations/${eid}`),

  agentUsage: (id: string) => api.get<AgentUsage>(`${base(id)}/usage`),
  usage: () => api.get<OrgUsage>('/api/v1/ai/usage'),

  settings: () => api.get<ModelSettings>('/api/v1/ai/settings'),
  updateSettings: (body: Partial<Omit<ModelSettings, 'source' | 'effective'>>) => api.put<ModelSettings>('/api/v1/ai/settings', body),
  testConnection: () => api.post<ConnectionTest>('/api/v1/ai/settings/test'),

  orchestration: () => api.get<Page<OrchestrationRule>>('/api/v1/ai/orchestration-rules'),
  createOrchestration: (body: Partial<OrchestrationRule>) => api.post<OrchestrationRule>('/api/v1/ai/orchestration-rules', body),
  updateOrchestration: (rid: string, body: Partial<OrchestrationRule>) =>
    api.put<OrchestrationRule>(`/api/v1/ai/orchestration-rules/${rid}`, body),
  deleteOrchestration: (rid: string) => api.delete<void>(`/api/v1/ai/orchestration-rules/${rid}`),

  suggest: (conversationId: string) =>
    api.post<{ suggestion: string; aiAgentId: string; passages: Passage[] }>(
      `/api/v1/conversations/${conversationId}/ai/suggest-reply`,
      {},
    ),
  summarize: (conversationId: string) => api.post<{ summary: string }>(`/api/v1/conversations/${conversationId}/ai/summary`),

  /** Uploads a file (POST /api/v1/media) and answers its id. */
  async upload(file: File): Promise<{ id: string; filename: string | null }> {
    const form = new FormData();
    form.append('file', file, file.name);
    const res = await fetch('/api/v1/media', { method: 'POST', body: form, credentials: 'same-origin' });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new ApiError(res.status, body);
    return body;
  },
};
