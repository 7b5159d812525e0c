// Divisions: teams of agents. Conversations belong to one (or none); agents see their divisions'
// conversations; a division may auto-assign its new conversations (see routing.ts).
import { In, Like, Not, type EntityManager } from 'typeorm';
import type { TenantCtx } from '../../core/context.js';
import { scoped } from '../../core/tenancy.js';
import { badRequest, conflict, unprocessable, type FieldError } from '../../core/http/errors.js';
import { emitEvent } from '../../core/events/outbox.js';
import { recordActivity } from '../../core/audit.js';
import { isId } from '../../core/ids.js';
import { UserEntity, type User } from '../agents/agent.entity.js';
import { ConversationEntity } from '../conversations/conversation.entity.js';
import { SlaPolicyEntity } from '../sla/sla.entity.js';
import { DivisionAgentEntity, DivisionEntity, type Division } from './division.entity.js';
import { OPEN_STATUSES } from './routing.service.js';

export interface DivisionInput {
  name?: string;
  description?: string | null;
  autoAssign?: boolean;
  isDefault?: boolean;
  agentIds?: string[];
}

export function divisionView(d: Division, agentCount: number) {
  return {
    id: d.id,
    name: d.name,
    description: d.description,
    autoAssign: d.autoAssign,
    isDefault: d.isDefault,
    agentCount,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
  };
}

async function agentCounts(ctx: TenantCtx, divisionIds: string[]): Promise<Map<string, number>> {
  if (divisionIds.length === 0) return new Map();
  const rows: { divisionId: string; n: string | number }[] = await ctx.db
    .getRepository(DivisionAgentEntity)
    .createQueryBuilder('a')
    .select('a.divisionId', 'divisionId')
    .addSelect('COUNT(*)', 'n')
    .where('a.tenantId = :tenantId AND a.divisionId IN (:...ids)', { tenantId: ctx.tenantId, ids: divisionIds })
    .groupBy('a.divisionId')
    .getRawMany();
  return new Map(rows.map((r) => [r.divisionId, Number(r.n)]));
}

/** The division's agents, with how many open conversations each has (what round-robin looks at). */
async function memberViews(ctx: TenantCtx, divisionId: string) {
  const members = await scoped(ctx, DivisionAgentEntity).find({ divisionId }, { createdAt: 'ASC' });
  if (members.length === 0) return [];
  const users = await scoped(ctx, UserEntity).find({ id: In(members.map((x) => x.userId)) });
  const counts: { assigneeId: string; n: string | number }[] = await ctx.db
    .getRepository(ConversationEntity)
    .createQueryBuilder('c')
    .select('c.assigneeId', 'assigneeId')
    .addSelect('COUNT(*)', 'n')
    .where('c.tenantId = :tenantId AND c.assigneeId IN (:...ids) AND c.status IN (:...statuses)', {
      tenantId: ctx.tenantId,
      ids: users.map((u) => u.id),
      statuses: [...OPEN_STATUSES],
    })
    .groupBy('c.assigneeId')
    .getRawMany();
  const open = new Map(counts.map((r) => [r.assigneeId, Number(r.n)]));
  const byId = new Map(users.map((u) => [u.id, u]));
  return members.flatMap((x) => {
    const u = byId.get(x.userId);
    return u
      ? [
          {
            id: u.id,
            name: u.name,
            email: u.email,
            status: u.status,
            online: u.online,
            openConversations: open.get(u.id) ?? 0,
            lastAssignedAt: x.lastAssignedAt,
            joinedAt: x.createdAt,
          },
        ]
      : [];
  });
}

/** Every id must be an agent of this tenant; the error names each bad one (agentIds.N). */
async function knownAgents(ctx: TenantCtx, agentIds: string[]): Promise<User[]> {
  const ids = [...new Set(agentIds)];
  const users = ids.filter(isId).length ? await scoped(ctx, UserEntity).find({ id: In(ids.filter(isId)) }) : [];
  const errors: FieldError[] = agentIds.flatMap((id, i) =>
    users.some((u) => u.id === id) ? [] : [{ path: `agentIds.${i}`, message: 'No such agent in this organization' }],
  );
  if (errors.length) throw unprocessable('Some agents do not exist', errors);
  return users;
}

async function nameTaken(ctx: TenantCtx, name: string, exceptId?: string): Promise<boolean> {
  const rows = await scoped(ctx, DivisionEntity).find(exceptId ? { id: Not(exceptId) } : {});
  return rows.some((r) => r.name.toLowerCase() === name.toLowerCase());
}

async function addMembers(ctx: TenantCtx, m: EntityManager, divisionId: string, users: User[]): Promise<string[]> {
  const existing = await scoped(ctx, DivisionAgentEntity, m).find({ divisionId });
  const added = users.filter((u) => !existing.some((x) => x.userId === u.id));
  for (const u of added)
    await scoped(ctx, DivisionAgentEntity, m).insert({ divisionId, userId: u.id, lastAssignedAt: null, createdAt: ctx.now() });
  return added.map((u) => u.id);
}

// Only one default division: setting one clears the others.
async function clearOtherDefaults(ctx: TenantCtx, m: EntityManager, keepId: string) {
  await m
    .getRepository(DivisionEntity)
    .update({ tenantId: ctx.tenantId, isDefault: true, id: Not(keepId) }, { isDefault: false, updatedAt: ctx.now() });
}

export const divisionsService = {
  async list(ctx: TenantCtx, q: { limit: number; cursor?: string; search?: string }) {
    const page = await scoped(ctx, DivisionEntity).page({
      where: q.search ? { name: Like(`%${q.search}%`) } : {},
      limit: q.limit,
      cursor: q.cursor,
    });
    const counts = await agentCounts(
      ctx,
      page.data.map((d) => d.id),
    );
    return { data: page.data.map((d) => divisionView(d, counts.get(d.id) ?? 0)), nextCursor: page.nextCursor };
  },

  async get(ctx: TenantCtx, id: string) {
    const division = await scoped(ctx, DivisionEntity).get(id, 'Division');
    const agents = await memberViews(ctx, id);
    return { ...divisionView(division, agents.length), agents };
  },

  async create(ctx: TenantCtx, body: DivisionInput & { name: string }) {
    if (await nameTaken(ctx, body.name))
      throw conflict('A division with this name already exists', [{ path: 'name', message: 'Already used' }]);
    const users = body.agentIds ? await knownAgents(ctx, body.agentIds) : [];
    const now = ctx.now();
    const division = await ctx.transaction(async (m) => {
      const created = await scoped(ctx, DivisionEntity, m).insert({
        name: body.name,
        description: body.description ?? null,
        autoAssign: body.autoAssign ?? false,
        isDefault: body.isDefault ?? false,
        createdAt: now,
        updatedAt: now,
      });
      if (created.isDefault) await clearOtherDefaults(ctx, m, created.id);
      await addMembers(ctx, m, created.id, users);
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'division.created',
        targetType: 'division',
        targetId: created.id,
        details: { name: created.name },
      });
      await emitEvent(m, { tenantId: ctx.tenantId, type: 'division.created', payload: { divisionId: created.id } }, now);
      return created;
    });
    return this.get(ctx, division.id);
  },

  async update(ctx: TenantCtx, id: string, body: DivisionInput) {
    const division = await scoped(ctx, DivisionEntity).get(id, 'Division');
    if (body.name !== undefined && (await nameTaken(ctx, body.name, id)))
      throw conflict('A division with this name already exists', [{ path: 'name', message: 'Already used' }]);
    const now = ctx.now();
    const patch: Partial<Division> = { updatedAt: now };
    if (body.name !== undefined) patch.name = body.name;
    if (body.description !== undefined) patch.description = body.description;
    if (body.autoAssign !== undefined) patch.autoAssign = body.autoAssign;
    if (body.isDefault !== undefined) patch.isDefault = body.isDefault;
    await ctx.transaction(async (m) => {
      await scoped(ctx, DivisionEntity, m).update(id, patch);
      if (patch.isDefault) await clearOtherDefaults(ctx, m, id);
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'division.updated',
        targetType: 'division',
        targetId: id,
        details: { fields: Object.keys(body), name: patch.name ?? division.name },
      });
      await emitEvent(m, { tenantId: ctx.tenantId, type: 'division.updated', payload: { divisionId: id } }, now);
    });
    return this.get(ctx, id);
  },

  /** Its conversations leave the division (and stay where they are otherwise); SLA policies must be moved first. */
  async remove(ctx: TenantCtx, id: string) {
    const division = await scoped(ctx, DivisionEntity).get(id, 'Division');
    const policies = await scoped(ctx, SlaPolicyEntity).find({ divisionId: id });
    if (policies.length) {
      throw conflict(`SLA policies use this division (${policies.map((p) => p.name).join(', ')}); change or delete them first`, [
        { path: 'divisionId', message: 'Used by SLA policies' },
      ]);
    }
    const now = ctx.now();
    await ctx.transaction(async (m) => {
      await m.getRepository(ConversationEntity).update({ tenantId: ctx.tenantId, divisionId: id }, { divisionId: null, updatedAt: now });
      await scoped(ctx, DivisionEntity, m).remove(id);
      await recordActivity(ctx, m, {
        tenantId: ctx.tenantId,
        action: 'division.deleted',
        targetType: 'division',
        targetId: id,
        details: { name: division.name },
      });
      await emitEvent(m, { tenantId: ctx.tenantId, type: 'division.deleted', payload: { divisionId: id } }, now);
    });
  },

  async agents(ctx: TenantCtx, id: string) {
    await scoped(ctx, DivisionEntity).get(id, 'Division');
    return { data: await memberViews(ctx, id), nextCursor: null };
  },

  async addAgents(ctx: TenantCtx, id: string, agentIds: string[]) {
    const division = await scoped(ctx, DivisionEntity).get(id, 'Division');
    const users = await knownAgents(ctx, agentIds);
    await ctx.transaction(async (m) => {
      const added = await addMembers(ctx, m, id, users);
      if (added.length) {
        await recordActivity(ctx, m, {
          tenantId: ctx.tenantId,
          action: 'division.agents_added',
          targetType: 'division',
          targetId: id,
          details: { name: division.name, agentIds: added },
        });
        await emitEvent(m, { tenantId: ctx.tenantId, type: 'division.updated', payload: { divisionId: id, added } }, ctx.now());
      }
    });
    return this.agents(ctx, id);
  },

  async removeAgents(ctx: TenantCtx, id: string, agentIds: string[] | undefined) {
    const division = await scoped(ctx, DivisionEntity).get(id, 'Division');
    if (!agentIds?.length) throw badRequest('Name the agents to remove', [{ path: 'agentIds', message: 'Required' }]);
    const ids = [...new Set(agentIds)].filter(isId);
    const members = ids.length ? await scoped(ctx, DivisionAgentEntity).find({ divisionId: id, userId: In(ids) }) : [];
    if (members.length) {
      await ctx.transaction(async (m) => {
        await m.getRepository(DivisionAgentEntity).delete({ tenantId: ctx.tenantId, id: In(members.map((x) => x.id)) });
        await recordActivity(ctx, m, {
          tenantId: ctx.tenantId,
          action: 'division.agents_removed',
          targetType: 'division',
          targetId: id,
          details: { name: division.name, agentIds: members.map((x) => x.userId) },
        });
        await emitEvent(
          m,
          { tenantId: ctx.tenantId, type: 'division.updated', payload: { divisionId: id, removed: members.map((x) => x.userId) } },
          ctx.now(),
        );
      });
    }
    return this.agents(ctx, id);
  },
};
