// Tenancy in one place (DESIGN rule 2): services reach tenant-owned rows only through this
// helper, which adds the tenant condition to every read and write. Another tenant's id is
// simply not found.
import { LessThan, type EntityManager, type EntitySchema, type FindOptionsOrder, type FindOptionsWhere, type ObjectLiteral } from 'typeorm';
import type { TenantCtx } from './context.js';
import { notFound, badRequest } from './http/errors.js';
import { isId, newId } from './ids.js';

export interface TenantOwned extends ObjectLiteral {
  id: string;
  tenantId: string;
}
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export function scoped<T extends TenantOwned>(ctx: TenantCtx, entity: EntitySchema<T>, manager: EntityManager = ctx.db.manager) {
  const repo = manager.getRepository<T>(entity);
  const where = (w: FindOptionsWhere<T> = {}): FindOptionsWhere<T> => ({ ...w, tenantId: ctx.tenantId }) as FindOptionsWhere<T>;
  const label = entity.options.name;

  return {
    repo,
    where,
    find: (w?: FindOptionsWhere<T>, order?: FindOptionsOrder<T>) => repo.find({ where: where(w), order }),
    findOne: (w: FindOptionsWhere<T>) => repo.findOne({ where: where(w) }),
    count: (w?: FindOptionsWhere<T>) => repo.count({ where: where(w) }),

    /** The row with this id in the caller's tenant, or 404. */
    async get(id: string, what = label): Promise<T> {
      const row = isId(id) ? await repo.findOne({ where: where({ id } as FindOptionsWhere<T>) }) : null;
      if (!row) throw notFound(what);
      return row;
    },

    async insert(data: Omit<T, 'id' | 'tenantId'> & { id?: string }): Promise<T> {
      const row = { ...data, id: data.id ?? newId(), tenantId: ctx.tenantId } as unknown as T;
      await repo.insert(row as never);
      return row;
    },

    async update(id: string, patch: Partial<T>): Promise<void> {
      await repo.update(where({ id } as FindOptionsWhere<T>), patch as never);
    },

    async remove(id: string): Promise<void> {
      await repo.delete(where({ id } as FindOptionsWhere<T>));
    },

    /** Newest first, keyset-paginated on the time-ordered id. */
    async page(opts: { where?: FindOptionsWhere<T> | FindOptionsWhere<T>[]; limit: number; cursor?: string }): Promise<Page<T>> {
      if (opts.cursor !== undefined && !isId(opts.cursor))
        throw badRequest('The cursor is not valid', [{ path: 'query.cursor', message: 'Invalid cursor' }]);
      const conditions = Array.isArray(opts.where) ? opts.where : [opts.where ?? {}];
      const rows = await repo.find({
        where: conditions.map((c) => where(opts.cursor ? ({ ...c, id: LessThan(opts.cursor) } as FindOptionsWhere<T>) : c)),
        order: { id: 'DESC' } as FindOptionsOrder<T>,
        take: opts.limit + 1,
      });
      const more = rows.length > opts.limit;
      const data = more ? rows.slice(0, opts.limit) : rows;
      return { data, nextCursor: more ? data[data.length - 1].id : null };
    },
  };
}
