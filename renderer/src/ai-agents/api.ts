// The AI Agents API as the web UI uses it (see /docs, tag "AI Agents"). The types are the server's,
// from the OpenAPI schema (../api/types.ts).
import { ApiError, callApi, type ApiBody, type ApiItem, type ApiResponse } from '../api';

type Agent = '/api/v1/ai-agents/{aiAgentId}';

export type AiAgent = ApiItem<'/api/v1/ai-agents', 'get'>;
export type AgentLanguage = AiAgent['language'];
export type NewAgent = ApiBody<'/api/v1/ai-agents', 'post'>;
export type AgentInput = ApiBody<Agent, 'put'>;

export type Assignment = ApiItem<`${Agent}/assignments`, 'get'>;
export type NewAssignment = ApiBody<`${Agent}/assignments`, 'post'>;
export type AssignmentPatch = ApiBody<`${Agent}/assignments/{assignmentId}`, 'put'>;

export type HandoffRule = ApiItem<`${Agent}/handoff-rules`, 'get'>;
export type HandoffType = HandoffRule['type'];
export const HANDOFF_TYPES = [
  'human_request',
  'keyword',
  'sentiment',
  'low_confidence',
  'max_turns',
  'out_of_scope',
] as const satisfies readonly HandoffType[];
export type NewHandoffRule = ApiBody<`${Agent}/handoff-rules`, 'post'>;
export type HandoffRulePatch = ApiBody<`${Agent}/handoff-rules/{handoffRuleId}`, 'put'>;

export type KnowledgeSource = ApiItem<`${Agent}/knowledge-sources`, 'get'>;
export type SourceType = KnowledgeSource['type'];
export type NewSource = ApiBody<`${Agent}/knowledge-sources`, 'post'>;
export type QnaPair = ApiItem<`${Agent}/knowledge-sources/{sourceId}/qna`, 'get'>;

export type Product = ApiItem<`${Agent}/products`, 'get'>;
export type NewProduct = ApiBody<`${Agent}/products`, 'post'>;
export type ProductPatch = ApiBody<`${Agent}/products/{productId}`, 'put'>;

export type TestResult = ApiResponse<`${Agent}/test`, 'post'>;
export type Passage = TestResult['passages'][number];
export type TestHistory = ApiBody<`${Agent}/test`, 'post'>['history'];

export type Evaluation = ApiResponse<`${Agent}/evaluations/{evaluationId}`, 'get'>;
export type EvaluationSummary = ApiItem<`${Agent}/evaluations`, 'get'>;
export type NewEvaluation = ApiBody<`${Agent}/evaluations`, 'post'>;
export type EvaluationCase = NewEvaluation['cases'][number];
export type EvaluationRun = ApiResponse<`${Agent}/evaluations/{evaluationId}/run`, 'post'>;

export type AgentUsage = ApiResponse<`${Agent}/usage`, 'get'>;
export type OrgUsage = ApiResponse<'/api/v1/ai/usage', 'get'>;
export type UsageNumbers = OrgUsage['totals'];

export type ModelSettings = ApiResponse<'/api/v1/ai/settings', 'get'>;
export type ModelSettingsInput = ApiBody<'/api/v1/ai/settings', 'put'>;
export type ConnectionTest = ApiResponse<'/api/v1/ai/settings/test', 'post'>;

export type OrchestrationRule = ApiItem<'/api/v1/ai/orchestration-rules', 'get'>;
export type NewOrchestrationRule = ApiBody<'/api/v1/ai/orchestration-rules', 'post'>;
export type OrchestrationRulePatch = ApiBody<'/api/v1/ai/orchestration-rules/{orchestrationRuleId}', 'put'>;

export const aiApi = {
  agents: () => callApi('get', '/api/v1/ai-agents', { query: { limit: 200 } }),
  agent: (aiAgentId: string) => callApi('get', '/api/v1/ai-agents/{aiAgentId}', { path: { aiAgentId } }),
  createAgent: (body: NewAgent) => callApi('post', '/api/v1/ai-agents', { body }),
  updateAgent: (aiAgentId: string, body: AgentInput) => callApi('put', '/api/v1/ai-agents/{aiAgentId}', { path: { aiAgentId }, body }),
  deleteAgent: (aiAgentId: string) => callApi('delete', '/api/v1/ai-agents/{aiAgentId}', { path: { aiAgentId } }),
  toggle: (aiAgentId: string, active: boolean) =>
    callApi('put', '/api/v1/ai-agents/{aiAgentId}/toggle', { path: { aiAgentId }, body: { active } }),

  assignments: (aiAgentId: string) =>
    callApi('get', '/api/v1/ai-agents/{aiAgentId}/assignments', { path: { aiAgentId }, query: { limit: 200 } }),
  createAssignment: (aiAgentId: string, body: NewAssignment) =>
    callApi('post', '/api/v1/ai-agents/{aiAgentId}/assignments', { path: { aiAgentId }, body }),
  updateAssignment: (aiAgentId: string, assignmentId: string, body: AssignmentPatch) =>
    callApi('put', '/api/v1/ai-agents/{aiAgentId}/assignments/{assignmentId}', { path: { aiAgentId, assignmentId }, body }),
  deleteAssignment: (aiAgentId: string, assignmentId: string) =>
    callApi('delete', '/api/v1/ai-agents/{aiAgentId}/assignments/{assignmentId}', { path: { aiAgentId, assignmentId } }),

  rules: (aiAgentId: string) => callApi('get', '/api/v1/ai-agents/{aiAgentId}/handoff-rules', { path: { aiAgentId } }),
  createRule: (aiAgentId: string, body: NewHandoffRule) =>
    callApi('post', '/api/v1/ai-agents/{aiAgentId}/handoff-rules', { path: { aiAgentId }, body }),
  updateRule: (aiAgentId: string, handoffRuleId: string, body: HandoffRulePatch) =>
    callApi('put', '/api/v1/ai-agents/{aiAgentId}/handoff-rules/{handoffRuleId}', { path: { aiAgentId, handoffRuleId }, body }),
  deleteRule: (aiAgentId: string, handoffRuleId: string) =>
    callApi('delete', '/api/v1/ai-agents/{aiAgentId}/handoff-rules/{handoffRuleId}', { path: { aiAgentId, handoffRuleId } }),

  sources: (aiAgentId: string) =>
    callApi('get', '/api/v1/ai-agents/{aiAgentId}/knowledge-sources', { path: { aiAgentId }, query: { limit: 200 } }),
  addSource: (aiAgentId: string, body: NewSource) =>
    callApi('post', '/api/v1/ai-agents/{aiAgentId}/knowledge-sources', { path: { aiAgentId }, body }),
  deleteSource: (aiAgentId: string, sourceId: string) =>
    callApi('delete', '/api/v1/ai-agents/{aiAgentId}/knowledge-sources/{sourceId}', { path: { aiAgentId, sourceId } }),
  reprocess: (aiAgentId: string, sourceId: string) =>
    callApi('post', '/api/v1/ai-agents/{aiAgentId}/knowledge-sources/{sourceId}/reprocess', { path: { aiAgentId, sourceId } }),
  qna: (aiAgentId: string, sourceId: string) =>
    callApi('get', '/api/v1/ai-agents/{aiAgentId}/knowledge-sources/{sourceId}/qna', {
      path: { aiAgentId, sourceId },
      query: { limit: 200 },
    }),
  addQna: (aiAgentId: string, sourceId: string, body: ApiBody<`${Agent}/knowledge-sources/{sourceId}/qna`, 'post'>) =>
    callApi('post', '/api/v1/ai-agents/{aiAgentId}/knowledge-sources/{sourceId}/qna', { path: { aiAgentId, sourceId }, body }),
  deleteQna: (aiAgentId: string, sourceId: string, qnaId: string) =>
    callApi('delete', '/api/v1/ai-agents/{aiAgentId}/knowledge-sources/{sourceId}/qna/{qnaId}', {
      path: { aiAgentId, sourceId, qnaId },
    }),

  products: (aiAgentId: string, search = '') =>
    callApi('get', '/api/v1/ai-agents/{aiAgentId}/products', { path: { aiAgentId }, query: { limit: 200, search: search || undefined } }),
  createProduct: (aiAgentId: string, body: NewProduct) =>
    callApi('post', '/api/v1/ai-agents/{aiAgentId}/products', { path: { aiAgentId }, body }),
  updateProduct: (aiAgentId: string, productId: string, body: ProductPatch) =>
    callApi('put', '/api/v1/ai-agents/{aiAgentId}/products/{productId}', { path: { aiAgentId, productId }, body }),
  deleteProduct: (aiAgentId: string, productId: string) =>
    callApi('delete', '/api/v1/ai-agents/{aiAgentId}/products/{productId}', { path: { aiAgentId, productId } }),
  bulkProducts: (aiAgentId: string, csv: string) =>
    callApi('post', '/api/v1/ai-agents/{aiAgentId}/products/bulk', { path: { aiAgentId }, body: { csv } }),

  test: (aiAgentId: string, message: string, history: TestHistory) =>
    callApi('post', '/api/v1/ai-agents/{aiAgentId}/test', { path: { aiAgentId }, body: { message, history } }),

  evaluations: (aiAgentId: string) =>
    callApi('get', '/api/v1/ai-agents/{aiAgentId}/evaluations', { path: { aiAgentId }, query: { limit: 50 } }),
  evaluation: (aiAgentId: string, evaluationId: string) =>
    callApi('get', '/api/v1/ai-agents/{aiAgentId}/evaluations/{evaluationId}', { path: { aiAgentId, evaluationId } }),
  createEvaluation: (aiAgentId: string, body: NewEvaluation) =>
    callApi('post', '/api/v1/ai-agents/{aiAgentId}/evaluations', { path: { aiAgentId }, body }),
  runEvaluation: (aiAgentId: string, evaluationId: string) =>
    callApi('post', '/api/v1/ai-agents/{aiAgentId}/evaluations/{evaluationId}/run', { path: { aiAgentId, evaluationId } }),
  deleteEvaluation: (aiAgentId: string, evaluationId: string) =>
    callApi('delete', '/api/v1/ai-agents/{aiAgentId}/evaluations/{evaluationId}', { path: { aiAgentId, evaluationId } }),

  agentUsage: (aiAgentId: string) => callApi('get', '/api/v1/ai-agents/{aiAgentId}/usage', { path: { aiAgentId } }),
  usage: () => callApi('get', '/api/v1/ai/usage'),

  settings: () => callApi('get', '/api/v1/ai/settings'),
  updateSettings: (body: ModelSettingsInput) => callApi('put', '/api/v1/ai/settings', { body }),
  testConnection: () => callApi('post', '/api/v1/ai/settings/test'),

  orchestration: () => callApi('get', '/api/v1/ai/orchestration-rules'),
  createOrchestration: (body: NewOrchestrationRule) => callApi('post', '/api/v1/ai/orchestration-rules', { body }),
  updateOrchestration: (orchestrationRuleId: string, body: OrchestrationRulePatch) =>
    callApi('put', '/api/v1/ai/orchestration-rules/{orchestrationRuleId}', { path: { orchestrationRuleId }, body }),
  deleteOrchestration: (orchestrationRuleId: string) =>
    callApi('delete', '/api/v1/ai/orchestration-rules/{orchestrationRuleId}', { path: { orchestrationRuleId } }),

  suggest: (conversationId: string) =>
    callApi('post', '/api/v1/conversations/{conversationId}/ai/suggest-reply', { path: { conversationId }, body: {} }),
  summarize: (conversationId: string) => callApi('post', '/api/v1/conversations/{conversationId}/ai/summary', { path: { conversationId } }),

  /** Uploads a file (POST /api/v1/media, multipart, so by fetch) and answers its id. */
  async upload(file: File): Promise<ApiResponse<'/api/v1/media', 'post'>> {
    const form = new FormData();
    form.append('file', file, file.name);
    const res = await fetch('/api/v1/media', { method: 'POST', body: form, credentials: 'same-origin' });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new ApiError(res.status, body);
    return body;
  },
};
