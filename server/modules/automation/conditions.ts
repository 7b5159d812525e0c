// Evaluating a rule's condition tree against an event's context, recording each condition's outcome
// and why. Regular expressions run on RE2 (re2js: linear time, no backtracking) over at most
// REGEX_MAX_INPUT characters, and a match that still takes longer than REGEX_TIME_LIMIT_MS counts as
// false with the reason recorded.
import { RE2JS } from 're2js';
import type { ConditionOutcome } from './automation.entity.js';
import { isGroup, setRegexCheck, type ConditionDef, type ConditionGroup } from './automation.schemas.js';

export const REGEX_MAX_INPUT = 10_000;
export const REGEX_TIME_LIMIT_MS = 50;

const compiled = new Map<string, RE2JS>();
function compile(pattern: string): RE2JS {
  let re = compiled.get(pattern);
  if (!re) {
    re = RE2JS.compile(pattern, RE2JS.CASE_INSENSITIVE);
    if (compiled.size > 1000) compiled.clear();
    compiled.set(pattern, re);
  }
  return re;
}

setRegexCheck((pattern) => {
  try {
    compile(pattern);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
});

/** Reads a field's value for an event (some are loaded or computed on first use). */
export type FieldReader = (field: string) => Promise<unknown>;

const show = (v: unknown) => (v === undefined ? 'absent' : JSON.stringify(v));
const norm = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v);

async function evalCondition(c: ConditionDef, read: FieldReader, path: string): Promise<ConditionOutcome> {
  const actual = await read(c.field);
  const base = { path, kind: 'condition' as const, field: c.field, operator: c.operator, expected: c.value, actual };
  const out = (result: boolean, reason: string): ConditionOutcome => ({ ...base, result, reason });
  const present = actual !== undefined && actual !== null && actual !== '';
  const expected = c.value;
  switch (c.operator) {
    case 'exists':
      return out(present, `${c.field} was ${present ? `present (${show(actual)})` : 'absent'}`);
    case 'not_exists':
      return out(!present, `${c.field} was ${present ? `present (${show(actual)})` : 'absent'}`);
    case 'equals':
    case 'not_equals': {
      const equal = Array.isArray(actual)
        ? actual.some((a) => norm(a) === norm(expected))
        : norm(actual) === norm(expected) || (typeof expected === 'number' && Number(actual) === expected && present);
      const result = c.operator === 'equals' ? equal : !equal;
      return out(result, `${c.field} was ${show(actual)}, ${equal ? '' : 'not '}equal to ${show(expected)}`);
    }
    case 'contains':
    case 'not_contains':
    case 'starts_with': {
      const needle = String(expected ?? '').toLowerCase();
      const has = Array.isArray(actual)
        ? actual.some((a) => String(a).toLowerCase() === needle)
        : typeof actual === 'string' &&
          (c.operator === 'starts_with' ? actual.toLowerCase().startsWith(needle) : actual.toLowerCase().includes(needle));
      const verb = c.operator === 'starts_with' ? 'start with' : 'contain';
      const result = c.operator === 'not_contains' ? !has : has;
      return out(result, `${c.field} was ${show(actual)}, which does ${has ? '' : 'not '}${verb} ${show(expected)}`);
    }
    case 'in':
    case 'not_in': {
      const list = (Array.isArray(expected) ? expected : []).map(norm);
      const inList = Array.isArray(actual) ? actual.some((a) => list.includes(norm(a))) : list.includes(norm(actual));
      const result = c.operator === 'in' ? inList : !inList;
      return out(result, `${c.field} was ${show(actual)}, ${inList ? '' : 'not '}in ${show(expected)}`);
    }
    case 'greater_than':
    case 'less_than': {
      const n = typeof actual === 'number' ? actual : typeof actual === 'string' && actual.trim() !== '' ? Number(actual) : Number.NaN;
      if (Number.isNaN(n)) return out(false, `${c.field} was ${show(actual)}, not a number`);
      const result = c.operator === 'greater_than' ? n > Number(expected) : n < Number(expected);
      return out(
        result,
        `${c.field} was ${n}, ${result ? '' : 'not '}${c.operator === 'greater_than' ? 'greater' : 'less'} than ${expected}`,
      );
    }
    case 'regex': {
      if (typeof actual !== 'string') return out(false, `${c.field} was ${show(actual)}, not text`);
      const input = actual.length > REGEX_MAX_INPUT ? actual.slice(0, REGEX_MAX_INPUT) : actual;
      const started = performance.now();
      let matched: boolean;
      try {
        matched = compile(String(expected)).matcher(input).find();
      } catch (err) {
        return out(false, `the pattern could not run: ${err instanceof Error ? err.message : String(err)}`);
      }
      const took = performance.now() - started;
      if (took > REGEX_TIME_LIMIT_MS)
        return out(false, `the pattern took ${Math.round(took)} ms, over the ${REGEX_TIME_LIMIT_MS} ms limit`);
      return out(
        matched,
        `${c.field} was ${show(actual.length > 200 ? `${actual.slice(0, 200)}…` : actual)}, which ${matched ? 'matched' : 'did not match'} /${expected}/`,
      );
    }
  }
}

/** The outcome of a group: every child is evaluated (so the explanation is complete), then combined. */
export async function evaluateGroup(group: ConditionGroup, read: FieldReader, path = 'conditions'): Promise<ConditionOutcome> {
  const children: ConditionOutcome[] = [];
  for (const [i, c] of group.conditions.entries()) {
    const childPath = `${path}.conditions.${i}`;
    children.push(isGroup(c) ? await evaluateGroup(c, read, childPath) : await evalCondition(c, read, childPath));
  }
  const result = children.length === 0 ? true : group.match === 'all' ? children.every((c) => c.result) : children.some((c) => c.result);
  const failing = children.filter((c) => !c.result).length;
  const reason =
    children.length === 0
      ? 'no conditions'
      : group.match === 'all'
        ? result
          ? `all ${children.length} held`
          : `${failing} of ${children.length} did not hold`
        : result
          ? `${children.length - failing} of ${children.length} held`
          : `none of ${children.length} held`;
  return { path, kind: 'group', match: group.match, result, reason, children };
}

/** The first failing leaf, in words, for a run's one-line explanation ("condition 2 was false because …"). */
export function explain(outcome: ConditionOutcome | null): string {
  if (!outcome) return '';
  if (outcome.result) return `The conditions held (${outcome.reason}).`;
  const leaves: { n: string; o: ConditionOutcome }[] = [];
  const walk = (o: ConditionOutcome, n: string) => {
    if (o.kind === 'condition') leaves.push({ n, o });
    else o.children?.forEach((c, i) => walk(c, n ? `${n}.${i + 1}` : String(i + 1)));
  };
  walk(outcome, '');
  const first = leaves.find((l) => !l.o.result);
  return first ? `Condition ${first.n} was false because ${first.o.reason}.` : `The conditions did not hold (${outcome.reason}).`;
}

/** Fields a condition tree reads (to load only what is needed). */
export function fieldsOf(group: ConditionGroup): Set<string> {
  const out = new Set<string>();
  const walk = (g: ConditionGroup) => {
    for (const c of g.conditions) {
      if (isGroup(c)) walk(c);
      else out.add(c.field);
    }
  };
  walk(group);
  return out;
}

// Language of a message: Indonesian or English by their most common words (short chat messages are
// too short for statistical detectors); 'unknown' when neither wins.
const ID_WORDS = new Set(
  'yang dan di ini itu ada tidak saya kami kita apa bisa sudah belum mau untuk dengan dari ke kak ya pak bu terima kasih tolong berapa harga kapan mohon selamat pagi siang sore malam gak nggak aja juga barang kirim pesan'.split(
    ' ',
  ),
);
const EN_WORDS = new Set(
  'the and is are to of in it this that i you we my your what can do does have has not no yes please thanks thank how much when where hello hi good morning order price ship'.split(
    ' ',
  ),
);
export function detectLanguage(text: string | null | undefined): 'id' | 'en' | 'unknown' {
  if (!text) return 'unknown';
  let id = 0;
  let en = 0;
  for (const word of text.toLowerCase().match(/[\p{L}']+/gu) ?? []) {
    if (ID_WORDS.has(word)) id++;
    if (EN_WORDS.has(word)) en++;
  }
  return id > en ? 'id' : en > id ? 'en' : 'unknown';
}
