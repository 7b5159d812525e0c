// AI agents and what shapes them: persona and language, the toggle, assignments (channels,
// accounts, divisions, hours), handoff rules, orchestration rules (which agent answers), and the
// organization's model settings (the API key sealed with the vault, never returned).
import { In } from 'typeorm';
import type { TenantCtx } from '../../core/context.js';
import { scoped } from '../../core/tenancy.js';
import { badRequest, unprocessable } from '../../core/http/errors.js';
import { recordActivity } from '../../core/audit.js';
import { emitEvent } from '../../core/events/outbox.js';
import { maskSecret } from '../../core/vault.js';
import type { Channel } from '../../channels/types.js';
import { DEFAULT_CONFIDENCE, type HandoffTrigger } from '../../ai/runtime.js';
import { UserEntity } from '../agents/agent.entity.js';
import { DivisionEntity } from '../divisions/division.entity.js';
import { IntegrationAccountEntity } from '../integrations/integration.entity.js';
import { ConversationEntity } from '../conversations/conversation.entity.js';
import {
  AiAgentEntity,
  AiAssignmentEntity,
  AiSettingsEntity,
  HandoffRuleEntity,
  KnowledgeChunkEntity,
  KnowledgeSourceEntity,
  OrchestrationRuleEntity,
  ProductEntity,
  type AgentLanguage,
  type AiAgent,
  type AiAssignment,
  type AssignmentSchedule,
  type HandoffRule,
  type OrchestrationConditions,
  type OrchestrationRule,
} from './ai-agents.entity.js';
import { agentChild, getAgent } from './lookups.js';
import { DEFAULT_TIMEOUT_MS, endpointOf, retrieverFor, settingsRow } from './model.js';

export interface AgentInput {
  name: string;
  description?: string | null;
  instructions?: string;
  language?: AgentLanguage;
  active?: boolean;
  model?: string | null;
  temperature?: number;
  maxTokens?: number;
  handoffMessage?: string | null;
  handoffDivisionId?: string | null;
  handoffAgentId?: string | null;
  monthlyTokenLimit?: number | null;
}

async function agentViews(ctx: TenantCtx, agents: AiAgent[]) {
  if (agents.length === 0) return [];
  const ids = agents.map((a) => a.id);
  const count = async (
    entity: typeof KnowledgeSourceEntity | typeof ProductEntity | typeof AiAssignmentEntity | typeof HandoffRuleEntity,
  ) => {
    const rows: { id: string; n: number | string }[] = await ctx.db
      .getRepository(entity as typeof KnowledgeSourceEntity)
      .createQueryBuilder('x')
      .select('x.aiAgentId', 'id')
      .addSelect('COUNT(*)', 'n')
      .where('x.tenantId = :tenantId AND x.aiAgentId IN (:...ids)', { tenantId: ctx.tenantId, ids })
      .groupBy('x.aiAgentId')
      .getRawMany();
    return new Map(rows.map((r) => [r.id, Number(r.n)]));
  };
  const [sources, products, assignments, rules] = await Promise.all([
    count(KnowledgeSourceEntity),
    count(ProductEntity),
    count(AiAssignmentEntity),
    count(HandoffRuleEntity),
  ]);
  return agents.map((a) => ({
    id: a.id,
    name: a.name,
    description: a.description,
    instructions: a.instructions,
    language: a.language,
    active: a.active,
    model: a.model,
    temperature: a.temperature,
    maxTokens: a.maxTokens,
    handoffMessage: a.handoffMessage,
    handoffDivisionId: a.handoffDivisionId,
    handoffAgentId: a.handoffAgentId,
    monthlyTokenLimit: a.monthlyTokenLimit,
    counts: {
      sources: sources.get(a.id) ?? 0,
      products: products.get(a.id) ?? 0,
      assignments: assignments.get(a.id) ?? 0,
      handoffRules: rules.get(a.id) ?? 0,
    },
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  }));
}
const agentView = async (ctx: TenantCtx, a: AiAgent) => (await agentViews(ctx, [a]))[0];

/** A division and/or an active agent of this organization, or 422 naming the field. */
async function checkTargets(ctx: TenantCtx, division: { path: string; id?: string | null }, agent: { path: string; id?: string | null }) {
  if (division.id && !(await scoped(ctx, DivisionEntity).findOne({ id: division.id })))
    throw unprocessable('No such division', [{ path: division.path, message: 'Unknown division' }]);
  if (agent.id && !(await scoped(ctx, UserEntity).findOne({ id: agent.id, status: 'active' })))
    throw unprocessable('No such active agent in this organization', [{ path: agent.path, message: 'Unknown agent' }]);
}

const assignmentView = (a: AiAssignment) => ({
  id: a.id,
  aiAgentId: a.aiAgentId,
  channel: a.channel,
  accountId: a.accountId,
  divisionId: a.divisionId,
  schedule: a.schedule,
  active: a.active,
  createdAt: a.createdAt,
  updatedAt: a.updatedAt,
});

export const ruleView = (r: HandoffRule) => ({
  id: r.id,
  aiAgentId: r.aiAgentId,
  type: r.type,
  config: r.config,
  targetDivisionId: r.targetDivisionId,
  targetAgentId: r.targetAgentId,
  position: r.position,
  active: r.active,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

const orchestrationView = (r: OrchestrationRule) => ({
  id: r.id,
  name: r.name,
  aiAgentId: r.aiAgentId,
  priority: r.priority,
  conditions: r.conditions,
  active: r.active,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

export interface AssignmentInput {
  channel?: Channel | null;
  accountId?: string | null;
  divisionId?: string | null;
  schedule?: AssignmentSchedule;
  active?: boolean;
}

async function checkAssignment(ctx: TenantCtx, input: AssignmentInput, current?: AiAssignment) {
  const accountId = input.accountId !== undefined ? input.accountId : current?.accountId;
  const channel = input.channel !== undefined ? input.channel : current?.channel;
  if (input.accountId) {
    const account = await scoped(ctx, IntegrationAccountEntity).findOne({ id: input.accountId });
    if (!account) throw unprocessable('No such channel account', [{ path: 'accountId', message: 'Unknown account' }]);
    if (channel && account.channel !== channel)
      throw unprocessable(`The account is a ${account.channel} account, not ${channel}`, [
        { path: 'accountId', message: 'Channel mismatch' },
      ]);
  }
  if (input.divisionId && !(await scoped(ctx, DivisionEntity).findOne({ id: input.divisionId })))
    throw unprocessable('No such division', [{ path: 'divisionId', message: 'Unknown division' }]);
  return { accountId, channel };
}

export interface RuleInput {
  type: HandoffTrigger;
  config?: HandoffRule['config'];
  targetDivisionId?: string | null;
  targetAgentId?: string | null;
  position?: number;
  active?: boolean;
}

function checkRuleConfig(type: HandoffTrigger, config: HandoffRule['config']) {
  if (type === 'keyword' && !config.keywords?.length)
    throw badRequest('A keyword rule needs keywords', [{ path: 'config.keywords', message: 'Required for keyword rules' }]);
  if (type === 'low_confidence' && config.threshold !== undefined && (config.threshold < 0 || config.threshold > 1))
    throw badRequest('The confidence threshold is between 0 and 1', [{ path: 'config.threshold', message: 'Between 0 and 1' }]);
  if (type === 'sentiment' && config.threshold !== undefined && config.threshold > 0)
    throw badRequest('The sentiment threshold is between -1 and 0', [{ path: 'config.threshold', message: 'Between -1 and 0' }]);
}

export interface OrchestrationInput {
  name: string;
  aiAgentId: string;
  priority?: number;
  conditions?: OrchestrationConditions;
  active?: boolean;
}

export interface SettingsInput {
  baseUrl?: string | null;
  apiKey?: string | null;
  model?: string | null;
  embeddingModel?: string | null;
  timeoutMs?: number;
  monthlyTokenLimit?: number | null;
}

export const agents = {
  async list(ctx: TenantCtx, q: { limit: number; cursor?: string; active?: boolean }) {
    const page = await scoped(ctx, AiAgentEntity).page({
      where: q.active === undefined ? {} : { active: q.active },
      limit: q.limit,
      cursor: q.cursor,
    });
    return { data: await agentViews(ctx, page.data), nextCursor: page.nextCursor };
  },

  async get(ctx: TenantCtx, id: string) {
    return agentView(ctx, await getAgent(ctx, id));
  },

  async create(ctx: TenantCtx, input: AgentInput) {
    await checkTargets(
      ctx,
      { path: 'handoffDivisionId', id: input.handoffDivisionId },
      { path: 'handoffAgentId', id: input.handoffAgentId },
    );
    const now = ctx.now();
    const agent = await ctx.transaction(async (m) => {
      const row = await scoped(ctx, AiAgentEntity, m).insert({
        name: input.name,
        description: input.description ?? null,
        instructions: input.instructions ?? '',
        language: input.language ?? 'auto',
        active: input.active ?? false,
        model: input.model ?? null,
        temperature: input.temperature ?? 0.3,
        maxTokens: input.maxTokens ?? 400,
        handoffMessage: input.handoffMessage ?? null,
        handoffDivisionId: input.handoffDivisionId ?? null,
        handoffAgentId: input.handoffAgentId ?? null,
        monthlyTokenLimit: input.monthlyTokenLimit ?? null,
        createdAt: now,
        updatedAt: now,
      });
      // Every new agent hands over when the customer asks for a person (the rule can be removed).
      await scoped(ctx, HandoffRuleEntity, m).insert({
        aiAgentId: row.id,
        type: 'human_request',
        config: {},
        targetDivisionId: null,
        targetAgentId: null,
        position: 0,
        active: true,
        createdAt: now,
        updatedAt: now,
      });
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'ai_agent.created',
        targetType: 'ai_agent',
        targetId: row.id,
        details: { name: row.name },
      });
      await emitEvent(m, { tenantId: ctx.tenantId, type: 'ai_agent.created', payload: { aiAgentId: row.id, name: row.name } }, now);
      return row;
    });
    return agentView(ctx, agent);
  },

  async update(ctx: TenantCtx, id: string, input: Partial<AgentInput>) {
    const agent = await getAgent(ctx, id);
    await checkTargets(
      ctx,
      { path: 'handoffDivisionId', id: input.handoffDivisionId },
      { path: 'handoffAgentId', id: input.handoffAgentId },
    );
    const patch: Partial<AiAgent> = { updatedAt: ctx.now() };
    for (const [k, v] of Object.entries(input)) if (v !== undefined) (patch as Record<string, unknown>)[k] = v;
    const updated = { ...agent, ...patch };
    await ctx.transaction(async (m) => {
      await scoped(ctx, AiAgentEntity, m).update(id, patch);
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'ai_agent.updated',
        targetType: 'ai_agent',
        targetId: id,
        details: { fields: Object.keys(input).filter((k) => (input as Record<string, unknown>)[k] !== undefined) },
      });
    });
    return agentView(ctx, updated);
  },

  async remove(ctx: TenantCtx, id: string): Promise<void> {
    const agent = await getAgent(ctx, id);
    await ctx.transaction(async (m) => {
      // Conversations it was serving go back to people.
      await m.getRepository(ConversationEntity).update({ tenantId: ctx.tenantId, aiAgentId: id }, { aiAgentId: null });
      await m.getRepository(KnowledgeChunkEntity).delete({ tenantId: ctx.tenantId, aiAgentId: id });
      await scoped(ctx, AiAgentEntity, m).remove(id);
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'ai_agent.deleted',
        targetType: 'ai_agent',
        targetId: id,
        details: { name: agent.name },
      });
    });
    retrieverFor(ctx).invalidate(id);
  },

  async toggle(ctx: TenantCtx, id: string, active?: boolean) {
    const agent = await getAgent(ctx, id);
    const next = active ?? !agent.active;
    const now = ctx.now();
    await ctx.transaction(async (m) => {
      await scoped(ctx, AiAgentEntity, m).update(id, { active: next, updatedAt: now });
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: next ? 'ai_agent.activated' : 'ai_agent.deactivated',
        targetType: 'ai_agent',
        targetId: id,
        details: { name: agent.name },
      });
      await emitEvent(m, { tenantId: ctx.tenantId, type: 'ai_agent.toggled', payload: { aiAgentId: id, active: next } }, now);
    });
    return agentView(ctx, { ...agent, active: next, updatedAt: now });
  },

  // ---- assignments ----

  async listAssignments(ctx: TenantCtx, aiAgentId: string, q: { limit: number; cursor?: string }) {
    await getAgent(ctx, aiAgentId);
    const page = await scoped(ctx, AiAssignmentEntity).page({ where: { aiAgentId }, limit: q.limit, cursor: q.cursor });
    return { data: page.data.map(assignmentView), nextCursor: page.nextCursor };
  },

  async createAssignment(ctx: TenantCtx, aiAgentId: string, input: AssignmentInput) {
    await getAgent(ctx, aiAgentId);
    const { channel } = await checkAssignment(ctx, input);
    const now = ctx.now();
    const row = await scoped(ctx, AiAssignmentEntity).insert({
      aiAgentId,
      channel: channel ?? null,
      accountId: input.accountId ?? null,
      divisionId: input.divisionId ?? null,
      schedule: input.schedule ?? 'always',
      active: input.active ?? true,
      createdAt: now,
      updatedAt: now,
    });
    return assignmentView(row);
  },

  async updateAssignment(ctx: TenantCtx, aiAgentId: string, assignmentId: string, input: AssignmentInput) {
    await getAgent(ctx, aiAgentId);
    const current = await agentChild(ctx, AiAssignmentEntity, aiAgentId, assignmentId, 'Assignment');
    await checkAssignment(ctx, input, current);
    const patch: Partial<AiAssignment> = { updatedAt: ctx.now() };
    for (const [k, v] of Object.entries(input)) if (v !== undefined) (patch as Record<string, unknown>)[k] = v;
    await scoped(ctx, AiAssignmentEntity).update(assignmentId, patch);
    return assignmentView({ ...current, ...patch });
  },

  async removeAssignment(ctx: TenantCtx, aiAgentId: string, assignmentId: string): Promise<void> {
    await getAgent(ctx, aiAgentId);
    await agentChild(ctx, AiAssignmentEntity, aiAgentId, assignmentId, 'Assignment');
    await scoped(ctx, AiAssignmentEntity).remove(assignmentId);
  },

  // ---- handoff rules ----

  async listRules(ctx: TenantCtx, aiAgentId: string) {
    await getAgent(ctx, aiAgentId);
    const rows = await scoped(ctx, HandoffRuleEntity).find({ aiAgentId }, { position: 'ASC', id: 'ASC' });
    return { data: rows.map(ruleView), nextCursor: null };
  },

  async createRule(ctx: TenantCtx, aiAgentId: string, input: RuleInput) {
    await getAgent(ctx, aiAgentId);
    const config = input.config ?? {};
    checkRuleConfig(input.type, config);
    await checkTargets(ctx, { path: 'targetDivisionId', id: input.targetDivisionId }, { path: 'targetAgentId', id: input.targetAgentId });
    const now = ctx.now();
    const position = input.position ?? (await scoped(ctx, HandoffRuleEntity).count({ aiAgentId }));
    const row = await scoped(ctx, HandoffRuleEntity).insert({
      aiAgentId,
      type: input.type,
      config: input.type === 'low_confidence' && config.threshold === undefined ? { ...config, threshold: DEFAULT_CONFIDENCE } : config,
      targetDivisionId: input.targetDivisionId ?? null,
      targetAgentId: input.targetAgentId ?? null,
      position,
      active: input.active ?? true,
      createdAt: now,
      updatedAt: now,
    });
    return ruleView(row);
  },

  async updateRule(ctx: TenantCtx, aiAgentId: string, ruleId: string, input: Partial<RuleInput>) {
    await getAgent(ctx, aiAgentId);
    const current = await agentChild(ctx, HandoffRuleEntity, aiAgentId, ruleId, 'Handoff rule');
    const type = input.type ?? current.type;
    const config = input.config ?? current.config;
    checkRuleConfig(type, config);
    await checkTargets(ctx, { path: 'targetDivisionId', id: input.targetDivisionId }, { path: 'targetAgentId', id: input.targetAgentId });
    const patch: Partial<HandoffRule> = { type, config, updatedAt: ctx.now() };
    for (const k of ['targetDivisionId', 'targetAgentId', 'position', 'active'] as const)
      if (input[k] !== undefined) (patch as Record<string, unknown>)[k] = input[k];
    await scoped(ctx, HandoffRuleEntity).update(ruleId, patch);
    return ruleView({ ...current, ...patch });
  },

  async removeRule(ctx: TenantCtx, aiAgentId: string, ruleId: string): Promise<void> {
    await getAgent(ctx, aiAgentId);
    await agentChild(ctx, HandoffRuleEntity, aiAgentId, ruleId, 'Handoff rule');
    await scoped(ctx, HandoffRuleEntity).remove(ruleId);
  },

  // ---- orchestration ----

  async listOrchestration(ctx: TenantCtx) {
    const rows = await scoped(ctx, OrchestrationRuleEntity).find({}, { priority: 'ASC', id: 'ASC' });
    return { data: rows.map(orchestrationView), nextCursor: null };
  },

  async createOrchestration(ctx: TenantCtx, input: OrchestrationInput) {
    await checkOrchestration(ctx, input);
    const now = ctx.now();
    const row = await scoped(ctx, OrchestrationRuleEntity).insert({
      name: input.name,
      aiAgentId: input.aiAgentId,
      priority: input.priority ?? 0,
      conditions: input.conditions ?? {},
      active: input.active ?? true,
      createdAt: now,
      updatedAt: now,
    });
    return orchestrationView(row);
  },

  async updateOrchestration(ctx: TenantCtx, id: string, input: Partial<OrchestrationInput>) {
    const current = await scoped(ctx, OrchestrationRuleEntity).get(id, 'Orchestration rule');
    await checkOrchestration(ctx, input);
    const patch: Partial<OrchestrationRule> = { updatedAt: ctx.now() };
    for (const [k, v] of Object.entries(input)) if (v !== undefined) (patch as Record<string, unknown>)[k] = v;
    await scoped(ctx, OrchestrationRuleEntity).update(id, patch);
    return orchestrationView({ ...current, ...patch });
  },

  async removeOrchestration(ctx: TenantCtx, id: string): Promise<void> {
    await scoped(ctx, OrchestrationRuleEntity).get(id, 'Orchestration rule');
    await scoped(ctx, OrchestrationRuleEntity).remove(id);
  },

  // ---- settings ----

  async settings(ctx: TenantCtx) {
    return settingsView(ctx, await settingsRow(ctx.db, ctx.tenantId));
  },

  async updateSettings(ctx: TenantCtx, input: SettingsInput) {
    const current = await settingsRow(ctx.db, ctx.tenantId);
    const now = ctx.now();
    const next = {
      baseUrl: input.baseUrl !== undefined ? input.baseUrl : (current?.baseUrl ?? null),
      apiKey: input.apiKey !== undefined ? (input.apiKey ? ctx.vault.encrypt(input.apiKey) : null) : (current?.apiKey ?? null),
      model: input.model !== undefined ? input.model : (current?.model ?? null),
      embeddingModel: input.embeddingModel !== undefined ? input.embeddingModel : (current?.embeddingModel ?? null),
      timeoutMs: input.timeoutMs ?? current?.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      monthlyTokenLimit: input.monthlyTokenLimit !== undefined ? input.monthlyTokenLimit : (current?.monthlyTokenLimit ?? null),
      updatedAt: now,
    };
    if (next.baseUrl && !next.model)
      throw badRequest('With your own endpoint, name its chat model too', [{ path: 'model', message: 'Required with baseUrl' }]);
    await ctx.transaction(async (m) => {
      if (current) await scoped(ctx, AiSettingsEntity, m).update(current.id, next);
      else await scoped(ctx, AiSettingsEntity, m).insert({ ...next, createdAt: now });
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'ai_settings.updated',
        targetType: 'ai_settings',
        details: {
          baseUrl: next.baseUrl,
          model: next.model,
          embeddingModel: next.embeddingModel,
          apiKeyChanged: input.apiKey !== undefined,
        },
      });
    });
    return settingsView(ctx, await settingsRow(ctx.db, ctx.tenantId));
  },
};

async function checkOrchestration(ctx: TenantCtx, input: Partial<OrchestrationInput>) {
  if (input.aiAgentId && !(await scoped(ctx, AiAgentEntity).findOne({ id: input.aiAgentId })))
    throw unprocessable('No such AI agent', [{ path: 'aiAgentId', message: 'Unknown AI agent' }]);
  const c = input.conditions;
  if (c?.accountIds?.length) {
    const found = await scoped(ctx, IntegrationAccountEntity).count({ id: In(c.accountIds) });
    if (found !== new Set(c.accountIds).size)
      throw unprocessable('No such channel account', [{ path: 'conditions.accountIds', message: 'Unknown account' }]);
  }
  if (c?.divisionIds?.length) {
    const found = await scoped(ctx, DivisionEntity).count({ id: In(c.divisionIds) });
    if (found !== new Set(c.divisionIds).size)
      throw unprocessable('No such division', [{ path: 'conditions.divisionIds', message: 'Unknown division' }]);
  }
}

function settingsView(ctx: TenantCtx, row: Awaited<ReturnType<typeof settingsRow>>) {
  const endpoint = endpointOf(ctx, row);
  return {
    baseUrl: row?.baseUrl ?? null,
    apiKey: row?.apiKey ? maskSecret(ctx.vault.decrypt<string>(row.apiKey)) : null,
    model: row?.model ?? null,
    embeddingModel: row?.embeddingModel ?? null,
    timeoutMs: row?.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    monthlyTokenLimit: row?.monthlyTokenLimit ?? null,
    source: row?.baseUrl ? ('organization' as const) : endpoint ? ('appliance' as const) : ('none' as const),
    effective: endpoint ? { baseUrl: endpoint.baseUrl, model: endpoint.model, embeddingModel: endpoint.embeddingModel } : null,
  };
}
