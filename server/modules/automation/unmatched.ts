// Runs whose conditions did not hold are kept on their event, not as rows: with 50 rules on
// message.received, 45-odd per message, and as rows (with their six indexes) they were about 1 KB
// each on disk and most of the engine's work (test/bench/README.md, "Automation"). The event keeps,
// per attempt, the list of (rule, version) that did not match; with the values the conditions read
// (AutomationEvent.fields) each such run is rebuilt on read, explanation included (explanations.ts).
//
// Such a run still has an id of its own, a UUID derived from its event's: the event id with its last
// three hex digits replaced by the attempt (1 digit) and the rule's place in the list (2 digits). So
// the runs of the API (list, filters, cursors, a run by id, the CSV) are the same whether a run is a
// row or kept on its event, and they sort with the event among the rows (ids are time-ordered).
import { Between, IsNull, LessThanOrEqual, Like, Not, type EntityManager, type FindOptionsWhere } from 'typeorm';
import { AutomationEventEntity, type AutomationEvent, type AutomationRun, type UnmatchedLog } from './automation.entity.js';

/** The largest attempt and list a derived id can name; beyond them runs are stored as rows. */
export const MAX_UNMATCHED_ATTEMPT = 15;
export const MAX_UNMATCHED_RULES = 256;

export function unmatchedRunId(eventId: string, attempt: number, index: number): string {
  return `${eventId.slice(0, 33)}${((attempt << 8) | index).toString(16).padStart(3, '0')}`;
}

/** Whether an attempt's not-matched runs can be kept on the event (else they are rows). */
export function compactable(attempt: number): boolean {
  return attempt >= 1 && attempt <= MAX_UNMATCHED_ATTEMPT;
}

/** The event's log with this attempt's not-matched rules added (at most MAX_UNMATCHED_RULES). */
export function withUnmatched(log: UnmatchedLog | null, attempt: number, at: Date, rules: [string, number][]): UnmatchedLog {
  return { ...(log ?? {}), [String(attempt)]: { at: at.toISOString(), rules } };
}

/** The runs an event keeps (all attempts, or one), as the rows they stand for. */
export function unmatchedRuns(event: AutomationEvent, attempt?: number): AutomationRun[] {
  const out: AutomationRun[] = [];
  for (const [key, entry] of Object.entries(event.unmatched ?? {})) {
    const n = Number(key);
    if (attempt !== undefined && n !== attempt) continue;
    const at = new Date(entry.at);
    entry.rules.forEach(([ruleId, ruleVersion], index) =>
      out.push({
        id: unmatchedRunId(event.id, n, index),
        tenantId: event.tenantId,
        eventId: event.id,
        ruleId,
        ruleVersion,
        attempt: n,
        conversationId: event.conversationId,
        eventType: event.type,
        status: 'not_matched',
        skipReason: null,
        conditions: null,
        actions: [],
        nextAction: 0,
        error: null,
        startedAt: at,
        finishedAt: at,
        // Dated by its event: the id sorts with the event's, so filters by time and cursors agree.
        createdAt: event.createdAt,
      }),
    );
  }
  return out;
}

/** A run kept on its event, by its derived id (null: no such run). */
export async function findUnmatchedRun(m: EntityManager, tenantId: string, runId: string): Promise<AutomationRun | null> {
  const prefix = runId.slice(0, 33).toLowerCase();
  const events = await m
    .getRepository(AutomationEventEntity)
    .find({ where: { tenantId, id: Between(`${prefix}000`, `${prefix}fff`), unmatched: Not(IsNull()) } });
  for (const event of events) {
    const run = unmatchedRuns(event).find((r) => r.id === runId.toLowerCase());
    if (run) return run;
  }
  return null;
}

export interface UnmatchedFilter {
  status?: string;
  ruleId?: string;
  eventId?: string;
  conversationId?: string;
  from?: Date;
  to?: Date;
}

/**
 * The newest runs kept on events that pass the filter, below `cursor` (a run id), at least `limit`
 * of them when there are that many: each event read yields one at least. `floor`: a run id no older
 * than which they are wanted (the page of rows is full down to it), so a filter that few events
 * pass does not scan the whole log.
 */
export async function unmatchedPage(
  m: EntityManager,
  tenantId: string,
  filter: UnmatchedFilter,
  limit: number,
  cursor?: string,
  floor?: string,
): Promise<AutomationRun[]> {
  if (filter.status && filter.status !== 'not_matched') return [];
  const where: FindOptionsWhere<AutomationEvent> = {
    tenantId,
    unmatched: filter.ruleId ? Like(`%"${filter.ruleId.replace(/[%_"\\]/g, '')}"%`) : Not(IsNull()),
    ...(filter.conversationId ? { conversationId: filter.conversationId } : {}),
    ...(filter.from || filter.to ? { createdAt: Between(filter.from ?? new Date(0), filter.to ?? new Date(8.64e15)) } : {}),
  };
  const bound = cursor ? `${cursor.slice(0, 33).toLowerCase()}fff` : undefined;
  const low = floor ? `${floor.slice(0, 33).toLowerCase()}000` : undefined;
  if (filter.eventId) where.id = filter.eventId;
  else if (low) where.id = Between(low, bound ?? 'g');
  else if (bound) where.id = LessThanOrEqual(bound);
  const events = await m.getRepository(AutomationEventEntity).find({ where, order: { id: 'DESC' }, take: limit });
  return events
    .flatMap((e) => unmatchedRuns(e).reverse())
    .filter((r) => (!filter.ruleId || r.ruleId === filter.ruleId) && (!cursor || r.id < cursor.toLowerCase()));
}

/**
 * The events of a period that keep runs (of one rule, or any), with `n`, how many each keeps,
 * counted by the database: the occurrences of the rule's quoted id, or of `["` (each kept run's
 * entry starts so), in the log. No log is read into memory, however long the period.
 */
function countedEvents(m: EntityManager, tenantId: string, filter: { ruleId?: string; from: Date; to: Date }) {
  const needle = filter.ruleId ? `"${filter.ruleId.replace(/[%_"\\]/g, '')}"` : '["';
  return {
    query: m
      .getRepository(AutomationEventEntity)
      .createQueryBuilder('e')
      .where({ tenantId, createdAt: Between(filter.from, filter.to), unmatched: Like(`%${needle}%`) })
      .setParameter('needle', needle),
    // CAST: PostgreSQL cannot type a bare parameter given to LENGTH or REPLACE (SQLite does not mind).
    n: "(LENGTH(e.unmatched) - LENGTH(REPLACE(e.unmatched, CAST(:needle AS TEXT), ''))) / LENGTH(CAST(:needle AS TEXT))",
  };
}

/** How many runs the events of a period keep, per event (for time series). */
export async function unmatchedCounts(
  m: EntityManager,
  tenantId: string,
  filter: { ruleId?: string; from: Date; to: Date },
): Promise<{ createdAt: Date; n: number }[]> {
  const { query, n } = countedEvents(m, tenantId, filter);
  const { entities, raw } = await query.select(['e.id', 'e.createdAt']).addSelect(n, 'n').getRawAndEntities();
  return entities.map((e, i) => ({ createdAt: e.createdAt, n: Number((raw[i] as { n: number | string }).n) }));
}

/** How many runs the events of a period keep in all (for counts). */
export async function unmatchedTotal(
  m: EntityManager,
  tenantId: string,
  filter: { ruleId?: string; from: Date; to: Date },
): Promise<number> {
  const { query, n } = countedEvents(m, tenantId, filter);
  const row: { n: number | string | null } | undefined = await query.select(`SUM(${n})`, 'n').getRawOne();
  return Number(row?.n ?? 0);
}
