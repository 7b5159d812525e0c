// Summarizes a V8 .cpuprofile (from `npm run bench -- --profile`): where the appliance's CPU time
// went, by function (self time) and by package or server folder (self time of everything in it).
// The appliance runs as a bundle (dist-app/server.js); frames in it are
// mapped back to their source file and line through the bundle's source maps (the copies the run
// saved beside the profiles, else the ones beside the bundle).
//   npx tsx test/bench/profile-summary.ts test/bench/results/profiles/<run>/ingest.cpuprofile [--top=25] [--inclusive=fnA,fnB] [--last=3]
// `--last=N`: only the profile's last N seconds (a scenario's final phase, e.g. outbound's sends at 50 ms latency).
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** node_modules/<pkg> (or @scope/pkg), server/<area>/<file>, or a V8/Node bucket. */
export function bucketOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  const srv = /\/(server\/.+)$/.exec(url);
  if (srv) return srv[1].replace(/\?.*$/, '');
  if (url.startsWith('node:')) return url;
  const test = /\/(test\/.+)$/.exec(url);
  return test ? test[1] : url;
}

/**
 * Maps a frame of a bundled file back to its source (url and 0-based line) with the bundle's
 * source map: `<profile dir>/<bundle>.map` if the run saved one, else the map beside the bundle.
 * Frames of other files, or without a map, are returned as they are.
 */
export function sourceMapper(profilePath: string): (url: string, line: number, column: number) => { url: string; line: number } {
  const maps = new Map<string, SourceMap | null>();
  const mapFor = (url: string): SourceMap | null => {
    if (!maps.has(url)) {
      const file = fileURLToPath(url);
      const candidates = [join(dirname(profilePath), `${basename(file)}.map`), `${file}.map`];
      const found = candidates.find((c) => existsSync(c));
      maps.set(url, found ? new SourceMap(JSON.parse(readFileSync(found, 'utf8'))) : null);
    }
    return maps.get(url)!;
  };
  return (url, line, column) => {
    if (!url.startsWith('file://') || !/[\\/]dist-app[\\/][^\\/]+\.m?js$/.test(url)) return { url, line };
    const entry = mapFor(url)?.findEntry(line, column);
    if (!entry || !('originalSource' in entry)) return { url, line };
    // Sources are relative to the bundle's folder (e.g. ../server/app.ts, ../node_modules/typeorm/…).
    const source = /^[a-z]+:/i.test(entry.originalSource)
      ? entry.originalSource
      : pathToFileURL(resolve(dirname(fileURLToPath(url)), entry.originalSource)).href;
    return { url: source, line: entry.originalLine };
  };
}

/** For each sample, whether it falls in the profile's last `lastSeconds` (every sample without it). */
function samplesInWindow(p: Profile, lastSeconds?: number): boolean[] {
  const from = lastSeconds === undefined ? Number.NEGATIVE_INFINITY : p.endTime - lastSeconds * 1e6;
  let at = p.startTime;
  return (p.timeDeltas ?? []).map((delta) => (at += delta) >= from);
}

/** Share of busy time spent in samples whose stack contains one of these function names (inclusive time). */
export function inclusive(path: string, names: string[], lastSeconds?: number): string {
  const p = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const inWindow = samplesInWindow(p, lastSeconds);
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, number>(names.map((n) => [n, 0]));
  let busy = 0;
  const cache = new Map<number, Set<string>>();
  const namesOf = (id: number): Set<string> => {
    const hit = cache.get(id);
    if (hit) return hit;
    const set = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const fn = byId.get(cur)!.callFrame.functionName;
      if (totals.has(fn)) set.add(fn);
    }
    cache.set(id, set);
    return set;
  };
  for (let i = 0; i < (p.samples?.length ?? 0); i++) {
    const id = p.samples![i];
    const ms = (p.timeDeltas![i + 1] ?? 0) / 1000;
    if (!inWindow[i] || byId.get(id)!.callFrame.functionName === '(idle)') continue;
    busy += ms;
    for (const fn of namesOf(id)) totals.set(fn, totals.get(fn)! + ms);
  }
  return [
    `inclusive time (async functions count only the parts after each resumption):`,
    ...[...totals].map(([fn, ms]) => `${((ms / busy) * 100).toFixed(1).padStart(5)}% ${ms.toFixed(0).padStart(7)} ms  ${fn}`),
  ].join('\n');
}

export function summarize(path: string, top = 25, lastSeconds?: number): string {
  const p = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  // Self time per node from samples and time deltas (more exact than hitCount × interval).
  const self = new Map<number, number>();
  if (p.samples && p.timeDeltas) {
    const inWindow = samplesInWindow(p, lastSeconds);
    for (let i = 0; i < p.samples.length; i++) {
      if (inWindow[i]) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i + 1] ?? 0) / 1000);
    }
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const byFn = new Map<string, number>();
  const byBucket = new Map<string, number>();
  const original = sourceMapper(path);
  for (const [id, ms] of self) {
    const n = byId.get(id)!;
    const at = original(n.callFrame.url, n.callFrame.lineNumber, n.callFrame.columnNumber ?? 0);
    const bucket = bucketOf(at.url, n.callFrame.functionName);
    const fn = `${n.callFrame.functionName || '(anonymous)'}  ${bucket}:${at.line + 1}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + ms);
    byBucket.set(bucket, (byBucket.get(bucket) ?? 0) + ms);
  }
  const idle = byBucket.get('(idle)') ?? 0;
  const busy = total - idle;
  const pct = (ms: number) => `${((ms / busy) * 100).toFixed(1).padStart(5)}%`;
  const list = (m: Map<string, number>) =>
    [...m]
      .filter(([k]) => k !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, ms]) => `${pct(ms)} ${ms.toFixed(0).padStart(7)} ms  ${k}`)
      .join('\n');
  return [
    `${path}`,
    `profiled ${(total / 1000).toFixed(1)} s, busy ${(busy / 1000).toFixed(1)} s (idle ${(idle / 1000).toFixed(1)} s); shares are of busy time`,
    '',
    'by package / server file (self time):',
    list(byBucket),
    '',
    'by function (self time):',
    list(byFn),
  ].join('\n');
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' }, inclusive: { type: 'string' }, last: { type: 'string' } },
});
const last = values.last === undefined ? undefined : Number(values.last);
for (const file of positionals) {
  process.stdout.write(`${summarize(file, Number(values.top), last)}\n\n`);
  if (values.inclusive) process.stdout.write(`${inclusive(file, values.inclusive.split(','), last)}\n\n`);
}
