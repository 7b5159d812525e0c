// `npm run bench` — seeds a data dir, runs the real server as a child process, and prints (and
// writes to test/bench/results/) throughput and latency of each scenario beside a baseline
// measured in the same run on the same machine. See test/bench/README.md.
//
//   npm run bench                      the full run (100,000 conversations, 1,000,000 messages)
//   npm run bench -- --quick           every scenario at a small size (CI: checks the harness, asserts no timings)
//   npm run bench -- --only=search,inbox
//   npm run bench -- --profile         the appliance runs with --cpu-prof: one profile per scenario in results/profiles/
//   npm run bench -- --sql-profile     each SQL statement's count and SQLite time, per scenario, in results/profiles/
//   npm run bench -- --data-dir=DIR    reuse (or create and keep) a seeded data dir; for iterating on one scenario
//   npm run bench -- --keep            keep the temporary data dir
//   npm run bench -- --set=ingest.total=2000   override one size (for iterating; not for published numbers)
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { startFakeGraph } from '../support/fake-graph.js';
import { createCorpus } from './lib/corpus.js';
import { ROOT, buildAppliance, killChildren, startAppliance, startBaseline, type Child } from './lib/proc.js';
import { createTenant, type BenchTenant } from './lib/setup.js';
import { seed, type SeedResult } from './lib/seed.js';
import { compare, type BenchContext, type Row, type Sizes } from './lib/context.js';
import { consoleTable, machine, markdownTable, notes } from './lib/report.js';
import { percentile } from './lib/load.js';
import { inboxScenario } from './scenarios/inbox.js';
import { searchScenario } from './scenarios/search.js';
import { fanoutScenario } from './scenarios/fanout.js';
import { ingestScenario } from './scenarios/ingest.js';
import { outboundScenario } from './scenarios/outbound.js';
import { campaignScenario } from './scenarios/campaign.js';
import { analyticsScenario } from './scenarios/analytics.js';
import { automationScenario } from './scenarios/automation.js';
import { retrievalScenario } from './scenarios/retrieval.js';

const FULL: Sizes = {
  conversations: 100_000,
  messages: 1_000_000,
  agents: 9,
  ingest: { total: 20_000, concurrency: 50, warmup: 500 },
  inbox: { total: 3_000, concurrency: 4, warmup: 200 },
  search: { total: 1_000, concurrency: 4, warmup: 20, maxDurationMs: 15_000 },
  fanout: { clients: 200, messages: 200 },
  outbound: {
    total: 10_000,
    concurrency: 20,
    conversations: 500,
    outageMs: 30_000,
    outageReplies: 1_000,
    outageConversations: 100,
    drainTimeoutMs: 180_000,
    latencyReplies: 2_000,
    graphLatencyMs: 50,
  },
  // 80 messages/s: the Cloud API's standard throughput per number.
  campaign: { recipients: 10_000, ratePerSecond: 80, inboxConcurrency: 4 },
  analytics: { total: 200, concurrency: 2, warmup: 10 },
  retrieval: { chunks: 1_000, queries: 2_000, warmup: 100 },
  // The number is on Meta's highest throughput tier (1,000 messages/s), so the appliance, not the
  // limiter, is what the outbound scenario measures.
  serverEnv: { WHATSAPP_SEND_RATE: '1000' },
};

const QUICK: Sizes = {
  conversations: 2_000,
  messages: 20_000,
  agents: 3,
  ingest: { total: 300, concurrency: 50, warmup: 30 },
  inbox: { total: 60, concurrency: 4, warmup: 10 },
  search: { total: 20, concurrency: 4, warmup: 4, maxDurationMs: 5_000 },
  fanout: { clients: 20, messages: 10 },
  // 80 replies in 4 conversations: more than a page (50) of queued jobs wait behind the first of
  // their conversation, which is what once kept a backlog from draining.
  outbound: {
    total: 60,
    concurrency: 10,
    conversations: 20,
    outageMs: 1_500,
    outageReplies: 80,
    outageConversations: 4,
    drainTimeoutMs: 30_000,
    latencyReplies: 40,
    graphLatencyMs: 50,
  },
  campaign: { recipients: 300, ratePerSecond: 100, inboxConcurrency: 2 },
  analytics: { total: 10, concurrency: 2, warmup: 2 },
  retrieval: { chunks: 100, queries: 60, warmup: 10 },
  // Retries a few hundred milliseconds apart, so the outage drains within the quick run.
  serverEnv: { JOB_RETRY_BASE_MS: '100', WHATSAPP_SEND_RATE: '1000' },
};

const SCENARIOS = ['inbox', 'search', 'fanout', 'ingest', 'outbound', 'campaign', 'analytics', 'automation', 'retrieval'] as const;

interface Manifest {
  sizes: { conversations: number; messages: number; agents: number };
  tenant: BenchTenant;
  seed: SeedResult;
  coldStartMs: number;
}

export interface BenchResult {
  machine: ReturnType<typeof machine>;
  mode: 'quick' | 'full';
  sizes: Sizes;
  seed?: SeedResult;
  rows: Row[];
  errors: { scenario: string; error: string }[];
  durationMs: number;
  file: string;
}

export async function runBench(argv: string[]): Promise<BenchResult> {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      profile: { type: 'boolean', default: false },
      'sql-profile': { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      keep: { type: 'boolean', default: false },
      'results-dir': { type: 'string' },
      // For iterating: override one size, e.g. --set=ingest.total=2000 (repeatable).
      set: { type: 'string', multiple: true },
    },
  });
  const began = performance.now();
  const quick = values.quick!;
  const sizes: Sizes = structuredClone(quick ? QUICK : FULL);
  for (const assignment of values.set ?? []) {
    const [path, raw] = assignment.split('=');
    const keys = path.split('.');
    let target = sizes as unknown as Record<string, unknown>;
    for (const k of keys.slice(0, -1)) target = target[k] as Record<string, unknown>;
    if (!target || !(keys[keys.length - 1] in target)) throw new Error(`--set: unknown size ${path}`);
    target[keys[keys.length - 1]] = Number(raw);
  }
  const only = values.only ? values.only.split(',').map((s) => s.trim()) : [...SCENARIOS];
  for (const s of only)
    if (!(SCENARIOS as readonly string[]).includes(s)) throw new Error(`Unknown scenario "${s}"; use ${SCENARIOS.join(', ')}`);
  const resultsDir = values['results-dir'] ?? join(ROOT, 'test/bench/results');
  mkdirSync(resultsDir, { recursive: true });
  const runId = new Date().toISOString().replace(/[:.]/g, '-');
  const profileDir = values.profile ? join(resultsDir, 'profiles', runId) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  // --sql-profile: each appliance writes its statements' counts and SQLite time (server/db/sql-profile.ts).
  const sqlProfileDir = values['sql-profile'] ? join(resultsDir, 'profiles', runId) : undefined;
  if (sqlProfileDir) mkdirSync(sqlProfileDir, { recursive: true });
  const log = (line: string) => process.stdout.write(`[bench] ${line}\n`);
  const info = machine();
  log(
    `${quick ? 'quick' : 'full'} run on ${info.cpu}, ${info.cores} cores, ${info.ramGb} GB, Node ${info.node}; load average ${info.loadAverageAtStart.join(' ')}`,
  );
  if (info.loadAverageAtStart[0] > 1 && !quick) log('warning: the machine is busy; numbers will be noisy');

  if (!existsSync(join(ROOT, 'renderer/dist/index.html'))) {
    log('building the web UI first (the server would otherwise build it at start, inside the start-time measurement)');
    spawnSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', 'renderer', '--logLevel', 'warn'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
  }

  // The appliance runs as production runs it: the esbuild bundle, built once here for the whole run.
  const t0 = performance.now();
  const bundlePath = await buildAppliance();
  log(`bundled the server into ${bundlePath} (${(performance.now() - t0).toFixed(0)} ms)`);
  // The profiles' frames are in the bundle: its source maps go beside them (profile-summary.ts maps them back).
  if (profileDir) {
    const map = `${bundlePath}.map`;
    if (existsSync(map)) copyFileSync(map, join(profileDir, basename(map)));
  }

  const graph = await startFakeGraph();
  const given = values['data-dir'];
  const tmpDir = mkdtempSync(join(tmpdir(), 'omnistream-bench-'));
  const dataDir = given ?? join(tmpDir, 'data');
  mkdirSync(dataDir, { recursive: true });
  const dbPath = join(dataDir, 'omnistream.db');
  const templateDbPath = join(given ? dataDir : tmpDir, 'template.db');
  const manifestPath = join(dataDir, 'bench-manifest.json');
  const rows: Row[] = [];
  const errors: { scenario: string; error: string }[] = [];
  const startSamples: number[] = [];
  const idleRss: number[] = [];
  const baselineStarts: number[] = [];
  const startCpu: number[] = [];
  const baselineCpu: number[] = [];
  const baselineRss: number[] = [];
  let manifest: Manifest | undefined;
  const file = join(resultsDir, `bench-${quick ? 'quick' : 'full'}-${runId}.json`);

  try {
    const existing = existsSync(manifestPath) ? (JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest) : undefined;
    if (existing && existing.sizes.conversations === sizes.conversations && existing.sizes.messages === sizes.messages) {
      manifest = existing;
      log(`reusing the seeded data dir ${dataDir}`);
    } else {
      if (existing) throw new Error(`${dataDir} was seeded at another size; use another --data-dir`);
      log(`data dir ${dataDir}: first start (migrations), organization, ${sizes.agents} agents, WhatsApp account`);
      const first = await startAppliance({ name: 'setup', dataDir, graphUrl: graph.url, resultsDir });
      const tenant = await createTenant(first.url, sizes.agents);
      await first.stop();
      // An empty copy (schema + organization) for the raw-insert baseline.
      const db = new Database(dbPath);
      db.exec(`VACUUM INTO '${templateDbPath.replaceAll("'", "''")}'`);
      db.close();
      log(`seeding ${sizes.conversations.toLocaleString('en-US')} conversations and ${sizes.messages.toLocaleString('en-US')} messages`);
      const corpus = createCorpus();
      const seeded = seed(
        dbPath,
        { tenantId: tenant.tenantId, accountId: tenant.accountId, userIds: tenant.users.map((u) => u.id), now: Date.now() },
        sizes,
        corpus,
        log,
      );
      log(
        `seeded in ${(seeded.totalMs / 1000).toFixed(1)} s (${Math.round(sizes.messages / (seeded.totalMs / 1000)).toLocaleString('en-US')} messages/s); database ${seeded.dbSizeMb} MB`,
      );
      manifest = {
        sizes: { conversations: sizes.conversations, messages: sizes.messages, agents: sizes.agents },
        tenant,
        seed: seeded,
        coldStartMs: first.startMs,
      };
      writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
    }
    if (!existsSync(templateDbPath)) throw new Error(`${templateDbPath} is missing`);

    const ctx: BenchContext = {
      quick,
      sizes,
      dataDir,
      dbPath,
      templateDbPath,
      resultsDir,
      tmpDir,
      tenant: manifest.tenant,
      graph,
      corpus: createCorpus(),
      log,
      async startAppliance(scenario, env = {}) {
        const child = await startAppliance({
          name: scenario,
          dataDir,
          graphUrl: graph.url,
          resultsDir,
          cpuProfDir: profileDir,
          env: {
            ...sizes.serverEnv,
            ...(sqlProfileDir ? { SQL_PROFILE_FILE: join(sqlProfileDir, `${scenario}.sql.txt`) } : {}),
            ...env,
          },
        });
        startSamples.push(child.startMs);
        startCpu.push(child.startCpuMs);
        await new Promise((r) => setTimeout(r, quick ? 200 : 1000));
        idleRss.push(child.stats().rssMb);
        log(
          `  appliance for ${scenario}: healthy after ${child.startMs.toFixed(0)} ms (${child.startCpuMs.toFixed(0)} ms CPU), ${child.stats().rssMb.toFixed(0)} MB resident`,
        );
        return child;
      },
      async startBaseline(withDb) {
        const child: Child = await startBaseline({ resultsDir, databasePath: withDb ? dbPath : undefined });
        baselineStarts.push(child.startMs);
        baselineCpu.push(child.startCpuMs);
        await new Promise((r) => setTimeout(r, quick ? 200 : 500));
        baselineRss.push(child.stats().rssMb);
        return child;
      },
      record(row) {
        rows.push(row);
        const p = row.p99 !== undefined ? `p50 ${row.p50?.toFixed(2)} / p95 ${row.p95?.toFixed(2)} / p99 ${row.p99.toFixed(2)} ms` : '';
        const t = row.throughput !== undefined ? `${row.throughput.toFixed(0)}/s` : '';
        const v = row.value !== undefined ? `${row.value.toFixed(0)} ${row.unit ?? ''}` : '';
        log(`  ${row.measurement}: ${[t, p, v].filter(Boolean).join(', ')}`);
        return row;
      },
    };

    let ingestRss: { peakRssMb: number; idleAfterRssMb: number } | undefined;
    for (const name of SCENARIOS) {
      if (!only.includes(name)) continue;
      log(`scenario ${name}`);
      const t = performance.now();
      try {
        if (name === 'inbox') await inboxScenario(ctx);
        if (name === 'search') await searchScenario(ctx);
        if (name === 'fanout') await fanoutScenario(ctx);
        if (name === 'ingest') ingestRss = await ingestScenario(ctx);
        if (name === 'outbound') await outboundScenario(ctx);
        if (name === 'campaign') await campaignScenario(ctx);
        if (name === 'analytics') await analyticsScenario(ctx);
        if (name === 'automation') await automationScenario(ctx);
        if (name === 'retrieval') await retrievalScenario(ctx);
      } catch (err) {
        killChildren();
        errors.push({ scenario: name, error: (err as Error).stack ?? String(err) });
        log(`scenario ${name} FAILED: ${(err as Error).message}`);
      }
      log(`  (${((performance.now() - t) / 1000).toFixed(1)} s)`);
    }

    // Footprint, from every start of this run.
    const median = (xs: number[]) => percentile(Float64Array.from(xs).sort(), 0.5);
    const sorted = (xs: number[]) => Float64Array.from(xs).sort();
    const fp = (measurement: string, kind: Row['kind'], extra: Partial<Row>): Row => ({
      scenario: 'footprint',
      measurement,
      kind,
      ...extra,
    });
    const baseStart = rows.length
      ? fp('baseline: bare Express + Socket.IO + better-sqlite3, start → listening', 'baseline', {
          n: baselineStarts.length,
          p50: median(baselineStarts),
          p95: percentile(sorted(baselineStarts), 0.95),
          p99: percentile(sorted(baselineStarts), 0.99),
        })
      : undefined;
    if (baseStart && baselineStarts.length) rows.push(baseStart);
    rows.push(
      fp('start → first healthy /health, empty data dir (migrations)', 'appliance', {
        value: manifest.coldStartMs,
        unit: 'ms',
        note: 'the first start of the run, before seeding',
      }),
    );
    if (startSamples.length) {
      const s = sorted(startSamples);
      const row = fp(`start → first healthy /health, seeded database`, 'appliance', {
        n: s.length,
        p50: median(startSamples),
        p95: percentile(s, 0.95),
        p99: percentile(s, 0.99),
        target: 'start < 2 s',
        met: s[s.length - 1] < 2000,
        note: `every appliance start of this run (one per scenario); slowest ${s[s.length - 1].toFixed(0)} ms; CPU used by then: median ${median(startCpu).toFixed(0)} ms (baseline ${baselineCpu.length ? median(baselineCpu).toFixed(0) : '?'} ms)`,
      });
      rows.push(baseStart && baselineStarts.length ? compare(row, baseStart) : row);
    }
    const baseRss = baselineRss.length
      ? fp('baseline: bare Express + Socket.IO + better-sqlite3, resident memory idle', 'baseline', {
          value: median(baselineRss),
          unit: 'MB',
        })
      : undefined;
    if (baseRss) rows.push(baseRss);
    if (idleRss.length) {
      const row = fp('resident memory, idle 1 s after start (seeded)', 'appliance', {
        value: median(idleRss),
        unit: 'MB',
        target: 'idle < 200 MB',
        met: Math.max(...idleRss) < 200,
        note: `median of ${idleRss.length} starts; largest ${Math.max(...idleRss).toFixed(0)} MB`,
      });
      rows.push(baseRss ? compare(row, baseRss) : row);
    }
    if (ingestRss) {
      rows.push(
        fp('resident memory, peak under the ingest load', 'appliance', {
          value: ingestRss.peakRssMb,
          unit: 'MB',
          note: 'sampled every 100 ms while acknowledging and processing',
        }),
      );
      rows.push(fp('resident memory, idle 2 s after the ingest load', 'appliance', { value: ingestRss.idleAfterRssMb, unit: 'MB' }));
    }
  } finally {
    killChildren();
    await graph.stop();
    // The temporary dir holds the data dir (unless --data-dir) and the raw-insert baseline's copy.
    if (!values.keep) rmSync(tmpDir, { recursive: true, force: true });
    else log(`kept ${tmpDir}`);
  }

  const result: BenchResult = {
    machine: info,
    mode: quick ? 'quick' : 'full',
    sizes,
    seed: manifest?.seed,
    rows,
    errors,
    durationMs: Math.round(performance.now() - began),
    file,
  };
  writeFileSync(file, JSON.stringify(result, null, 2));
  writeFileSync(join(resultsDir, `latest-${result.mode}.json`), JSON.stringify(result, null, 2));
  writeFileSync(join(resultsDir, `latest-${result.mode}.md`), `${markdownTable(rows)}\n\n${notes(rows)}\n`);
  process.stdout.write(`\n${consoleTable(rows)}\n\n${notes(rows)}\n\n`);
  log(`results: ${file} (${(result.durationMs / 1000).toFixed(0)} s)`);
  if (profileDir) log(`CPU profiles: ${profileDir} (summarize with: npx tsx test/bench/profile-summary.ts FILE)`);
  if (sqlProfileDir) log(`SQL statement profiles: ${sqlProfileDir}/<scenario>.sql.txt`);
  for (const e of errors) process.stderr.write(`[bench] ${e.scenario} failed:\n${e.error}\n`);
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.on('SIGINT', () => {
    killChildren();
    process.exit(130);
  });
  runBench(process.argv.slice(2)).then(
    (r) => process.exit(r.errors.length ? 1 : 0),
    (err) => {
      killChildren();
      process.stderr.write(`${(err as Error).stack ?? err}\n`);
      process.exit(1);
    },
  );
}
