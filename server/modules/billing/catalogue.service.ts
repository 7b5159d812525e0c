// The operator's catalogue: plans (prices per currency, limits, features), add-ons (extra limits)
// and coupons. Plans and add-ons are soft-deleted (invoices and past subscriptions keep naming
// them); one still in use by a live subscription cannot be deleted.
import { In, IsNull, Not, type EntityManager } from 'typeorm';
import { readThrough } from '../../core/entity-cache.js';
import type { Ctx, Services } from '../../core/context.js';
import { conflict, notFound, unprocessable } from '../../core/http/errors.js';
import { isId, newId } from '../../core/ids.js';
import {
  AddonEntity,
  CouponEntity,
  PlanEntity,
  SubscriptionAddonEntity,
  SubscriptionEntity,
  type Addon,
  type Coupon,
  type CouponDuration,
  type Interval,
  type Limits,
  type Plan,
  type Prices,
} from './billing.entity.js';

export const LIMIT_NAMES = ['agents', 'channels', 'monthlyConversations', 'aiTokens'] as const;
export const LIVE_STATUSES = ['trialing', 'incomplete', 'active', 'past_due'] as const;

/** Every limit named, null for unlimited. */
export function fullLimits(limits: Limits): Record<(typeof LIMIT_NAMES)[number], number | null> {
  return {
    agents: limits.agents ?? null,
    channels: limits.channels ?? null,
    monthlyConversations: limits.monthlyConversations ?? null,
    aiTokens: limits.aiTokens ?? null,
  };
}

export function planView(p: Plan) {
  return {
    id: p.id,
    code: p.code,
    name: p.name,
    description: p.description,
    prices: p.prices,
    interval: p.interval,
    trialDays: p.trialDays,
    limits: fullLimits(p.limits),
    features: p.features,
    isPublic: p.isPublic,
    isDefault: p.isDefault,
    sortOrder: p.sortOrder,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

export function addonView(a: Addon) {
  return {
    id: a.id,
    code: a.code,
    name: a.name,
    description: a.description,
    prices: a.prices,
    interval: a.interval,
    limits: fullLimits(a.limits),
    isPublic: a.isPublic,
    createdAt: a.createdAt,
    updatedAt: a.updatedAt,
  };
}

export function couponView(c: Coupon) {
  return {
    id: c.id,
    code: c.code,
    description: c.description,
    percentOff: c.percentOff,
    amountOff: c.amountOff,
    duration: c.duration,
    durationCycles: c.durationCycles,
    maxRedemptions: c.maxRedemptions,
    redemptions: c.redemptions,
    expiresAt: c.expiresAt,
    planIds: c.planIds,
    active: c.active,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

const plansDefined = readThrough<boolean>(['BillingPlan']);

/**
 * Whether any plan is defined: without one, billing is off and the appliance is unlimited. Asked
 * for by every limit check (each reply sent): cached until a plan is written.
 */
export function billingEnabled(db: Services['db'] | EntityManager): Promise<boolean> {
  return plansDefined(db, 'plans', async () => (await db.getRepository(PlanEntity).count({ where: { deletedAt: IsNull() } })) > 0);
}

export async function findPlan(manager: EntityManager, id: string): Promise<Plan | null> {
  return isId(id) ? manager.getRepository(PlanEntity).findOne({ where: { id, deletedAt: IsNull() } }) : null;
}

export async function findAddon(manager: EntityManager, id: string): Promise<Addon | null> {
  return isId(id) ? manager.getRepository(AddonEntity).findOne({ where: { id, deletedAt: IsNull() } }) : null;
}

export async function defaultPlan(manager: EntityManager): Promise<Plan | null> {
  return manager.getRepository(PlanEntity).findOne({ where: { isDefault: true, deletedAt: IsNull() } });
}

export interface PlanInput {
  code: string;
  name: string;
  description?: string | null;
  prices: Prices;
  interval: Interval;
  trialDays: number;
  limits: Limits;
  features: string[];
  isPublic: boolean;
  isDefault: boolean;
  sortOrder: number;
}

export interface AddonInput {
  code: string;
  name: string;
  description?: string | null;
  prices: Prices;
  interval: Interval;
  limits: Limits;
  isPublic: boolean;
}

export interface CouponInput {
  code: string;
  description?: string | null;
  percentOff?: number | null;
  amountOff?: Prices | null;
  duration: CouponDuration;
  durationCycles?: number | null;
  maxRedemptions?: number | null;
  expiresAt?: string | null;
  planIds: string[];
  active: boolean;
}

async function codeFree(manager: EntityManager, entity: typeof PlanEntity | typeof AddonEntity, code: string, exceptId?: string) {
  const taken = await manager.getRepository(entity as typeof PlanEntity).findOne({ where: { code, deletedAt: IsNull() } });
  if (taken && taken.id !== exceptId) throw conflict(`The code "${code}" is already used`, [{ path: 'code', message: 'Already used' }]);
}

async function checkPlanIds(manager: EntityManager, planIds: string[]) {
  for (const [i, id] of planIds.entries()) {
    if (!(await findPlan(manager, id))) throw unprocessable('No such plan', [{ path: `planIds.${i}`, message: 'No such plan' }]);
  }
}

async function liveSubscriptionsOn(manager: EntityManager, planId: string): Promise<number> {
  return manager.getRepository(SubscriptionEntity).count({ where: { planId, status: In([...LIVE_STATUSES]) } });
}

export const catalogueService = {
  // Plans
  async listPlans(ctx: Ctx, q: { includeHidden?: boolean } = {}) {
    const plans = await ctx.db.getRepository(PlanEntity).find({
      where: q.includeHidden === false ? { deletedAt: IsNull(), isPublic: true } : { deletedAt: IsNull() },
      order: { sortOrder: 'ASC', createdAt: 'ASC' },
    });
    return plans;
  },

  async getPlan(ctx: Ctx, id: string) {
    const plan = await findPlan(ctx.db.manager, id);
    if (!plan) throw notFound('Plan');
    return plan;
  },

  async subscribers(ctx: Ctx, planIds: string[]): Promise<Map<string, number>> {
    if (planIds.length === 0) return new Map();
    const rows: { planId: string; n: string | number }[] = await ctx.db
      .getRepository(SubscriptionEntity)
      .createQueryBuilder('s')
      .select('s.planId', 'planId')
      .addSelect('COUNT(*)', 'n')
      .where('s.planId IN (:...planIds)', { planIds })
      .andWhere('s.status IN (:...live)', { live: [...LIVE_STATUSES] })
      .groupBy('s.planId')
      .getRawMany();
    return new Map(rows.map((r) => [r.planId, Number(r.n)]));
  },

  async createPlan(ctx: Ctx, input: PlanInput) {
    const now = ctx.now();
    const plan: Plan = {
      id: newId(),
      code: input.code,
      name: input.name,
      description: input.description ?? null,
      prices: input.prices,
      interval: input.interval,
      trialDays: input.trialDays,
      limits: input.limits,
      features: input.features,
      isPublic: input.isPublic,
      isDefault: input.isDefault,
      sortOrder: input.sortOrder,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
    };
    await ctx.transaction(async (m) => {
      await codeFree(m, PlanEntity, input.code);
      if (input.isDefault) await m.getRepository(PlanEntity).update({ isDefault: true }, { isDefault: false });
      await m.getRepository(PlanEntity).insert(plan);
    });
    ctx.log.info({ planId: plan.id, code: plan.code }, 'billing plan created');
    return plan;
  },

  async updatePlan(ctx: Ctx, id: string, input: Partial<PlanInput>) {
    const plan = await this.getPlan(ctx, id);
    const patch: Partial<Plan> = { updatedAt: ctx.now() };
    for (const key of Object.keys(input) as (keyof PlanInput)[]) {
      if (input[key] !== undefined) (patch as Record<string, unknown>)[key] = input[key];
    }
    if (input.limits) patch.limits = { ...plan.limits, ...input.limits };
    await ctx.transaction(async (m) => {
      if (input.code && input.code !== plan.code) await codeFree(m, PlanEntity, input.code, plan.id);
      if (input.isDefault) await m.getRepository(PlanEntity).update({ isDefault: true, id: Not(plan.id) }, { isDefault: false });
      await m.getRepository(PlanEntity).update({ id }, patch as never);
    });
    return this.getPlan(ctx, id);
  },

  async deletePlan(ctx: Ctx, id: string) {
    const plan = await this.getPlan(ctx, id);
    const live = await liveSubscriptionsOn(ctx.db.manager, plan.id);
    if (live > 0)
      throw conflict(`${live} organization(s) are subscribed to this plan; move them to another plan first`, [
        { path: 'planId', message: 'In use' },
      ]);
    await ctx.db
      .getRepository(PlanEntity)
      .update({ id }, { deletedAt: ctx.now(), isDefault: false, isPublic: false, code: `${plan.code}~${plan.id.slice(-8)}` });
  },

  // Add-ons
  async listAddons(ctx: Ctx, q: { includeHidden?: boolean } = {}) {
    return ctx.db.getRepository(AddonEntity).find({
      where: q.includeHidden === false ? { deletedAt: IsNull(), isPublic: true } : { deletedAt: IsNull() },
      order: { createdAt: 'ASC' },
    });
  },

  async getAddon(ctx: Ctx, id: string) {
    const addon = await findAddon(ctx.db.manager, id);
    if (!addon) throw notFound('Add-on');
    return addon;
  },

  async createAddon(ctx: Ctx, input: AddonInput) {
    const now = ctx.now();
    const addon: Addon = { id: newId(), ...input, description: input.description ?? null, createdAt: now, updatedAt: now, deletedAt: null };
    await ctx.transaction(async (m) => {
      await codeFree(m, AddonEntity, input.code);
      await m.getRepository(AddonEntity).insert(addon);
    });
    return addon;
  },

  async updateAddon(ctx: Ctx, id: string, input: Partial<AddonInput>) {
    const addon = await this.getAddon(ctx, id);
    const patch: Partial<Addon> = { updatedAt: ctx.now() };
    for (const key of Object.keys(input) as (keyof AddonInput)[]) {
      if (input[key] !== undefined) (patch as Record<string, unknown>)[key] = input[key];
    }
    if (input.limits) patch.limits = { ...addon.limits, ...input.limits };
    await ctx.transaction(async (m) => {
      if (input.code && input.code !== addon.code) await codeFree(m, AddonEntity, input.code, addon.id);
      await m.getRepository(AddonEntity).update({ id }, patch as never);
    });
    return this.getAddon(ctx, id);
  },

  async deleteAddon(ctx: Ctx, id: string) {
    const addon = await this.getAddon(ctx, id);
    const attached = await ctx.db
      .getRepository(SubscriptionAddonEntity)
      .createQueryBuilder('sa')
      .innerJoin('BillingSubscription', 's', 's.id = sa.subscriptionId')
      .where('sa.addonId = :id', { id })
      .andWhere('s.status IN (:...live)', { live: [...LIVE_STATUSES] })
      .getCount();
    if (attached > 0)
      throw conflict(`${attached} subscription(s) use this add-on; detach it first`, [{ path: 'addonId', message: 'In use' }]);
    await ctx.db
      .getRepository(AddonEntity)
      .update({ id }, { deletedAt: ctx.now(), isPublic: false, code: `${addon.code}~${addon.id.slice(-8)}` });
  },

  // Coupons
  async listCoupons(ctx: Ctx) {
    return ctx.db.getRepository(CouponEntity).find({ order: { createdAt: 'DESC' } });
  },

  async getCoupon(ctx: Ctx, id: string) {
    const coupon = isId(id) ? await ctx.db.getRepository(CouponEntity).findOne({ where: { id } }) : null;
    if (!coupon) throw notFound('Coupon');
    return coupon;
  },

  async createCoupon(ctx: Ctx, input: CouponInput) {
    const now = ctx.now();
    const coupon: Coupon = {
      id: newId(),
      code: input.code,
      description: input.description ?? null,
      percentOff: input.percentOff ?? null,
      amountOff: input.amountOff ?? null,
      duration: input.duration,
      durationCycles: input.duration === 'repeating' ? (input.durationCycles ?? null) : null,
      maxRedemptions: input.maxRedemptions ?? null,
      redemptions: 0,
      expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
      planIds: input.planIds,
      active: input.active,
      createdAt: now,
      updatedAt: now,
    };
    await ctx.transaction(async (m) => {
      if (await m.getRepository(CouponEntity).exists({ where: { code: input.code } }))
        throw conflict(`The coupon code "${input.code}" is already used`, [{ path: 'code', message: 'Already used' }]);
      await checkPlanIds(m, input.planIds);
      await m.getRepository(CouponEntity).insert(coupon);
    });
    return coupon;
  },

  async updateCoupon(
    ctx: Ctx,
    id: string,
    input: { description?: string | null; maxRedemptions?: number | null; expiresAt?: string | null; planIds?: string[]; active?: boolean },
  ) {
    const coupon = await this.getCoupon(ctx, id);
    const patch: Partial<Coupon> = { updatedAt: ctx.now() };
    if (input.description !== undefined) patch.description = input.description;
    if (input.maxRedemptions !== undefined) {
      if (input.maxRedemptions !== null && input.maxRedemptions < coupon.redemptions)
        throw unprocessable(`It has already been redeemed ${coupon.redemptions} times`, [
          { path: 'maxRedemptions', message: `At least ${coupon.redemptions}` },
        ]);
      patch.maxRedemptions = input.maxRedemptions;
    }
    if (input.expiresAt !== undefined) patch.expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
    if (input.active !== undefined) patch.active = input.active;
    if (input.planIds !== undefined) {
      await checkPlanIds(ctx.db.manager, input.planIds);
      patch.planIds = input.planIds;
    }
    await ctx.db.getRepository(CouponEntity).update({ id }, patch as never);
    return this.getCoupon(ctx, id);
  },

  /** Removes the coupon; subscriptions that had it lose the discount from their next invoice. */
  async deleteCoupon(ctx: Ctx, id: string) {
    await this.getCoupon(ctx, id);
    await ctx.transaction(async (m) => {
      await m.getRepository(SubscriptionEntity).update({ couponId: id }, { couponId: null, couponCyclesLeft: null });
      await m.getRepository(CouponEntity).delete({ id });
    });
  },
};

/** Why a coupon cannot be used for this plan and currency now, or null when it can. */
export function couponProblem(coupon: Coupon | null, planId: string | null, currency: string | null, now: Date): string | null {
  if (!coupon?.active) return 'No such coupon';
  if (coupon.expiresAt && coupon.expiresAt.getTime() <= now.getTime()) return 'This coupon has expired';
  if (coupon.maxRedemptions !== null && coupon.redemptions >= coupon.maxRedemptions) return 'This coupon has been used up';
  if (planId && coupon.planIds.length > 0 && !coupon.planIds.includes(planId)) return 'This coupon does not apply to this plan';
  if (currency && coupon.amountOff && coupon.amountOff[currency] === undefined) return `This coupon has no discount in ${currency}`;
  return null;
}

export async function findCouponByCode(manager: EntityManager, code: string): Promise<Coupon | null> {
  return manager.getRepository(CouponEntity).findOne({ where: { code: code.trim().toUpperCase() } });
}
