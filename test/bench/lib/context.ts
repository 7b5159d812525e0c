// What every scenario gets from the runner, and the shape of a result row.
import type { FakeGraph } from '../../support/fake-graph.js';
import type { Corpus } from './corpus.js';
import type { BenchTenant } from './setup.js';
import type { Child } from './proc.js';
import type { Stats } from './load.js';

export interface Sizes {
  conversations: number;
  messages: number;
  agents: number;
  ingest: { total: number; concurrency: number; warmup: number };
  inbox: { total: number; concurrency: number; warmup: number };
  search: { total: number; concurrency: number; warmup: number; maxDurationMs: number };
  fanout: { clients: number; messages: number };
  outbound: {
    total: number;
    concurrency: number;
    conversations: number;
    outageMs: number;
    outageReplies: number;
    outageConversations: number;
    drainTimeoutMs: number;
    /** Replies queued while the Graph holds every request, then delivered with this latency per call. */
    latencyReplies: number;
    graphLatencyMs: number;
  };
  /** A campaign of `recipients` (a CSV) sent at `ratePerSecond`, with the inbox read at `inboxConcurrency` meanwhile. */
  campaign: { recipients: number; ratePerSecond: number; inboxConcurrency: number };
  analytics: { total: number; concurrency: number; warmup: number };
  /** AI knowledge retrieval (in process, on its own data dir): chunks indexed, questions asked. */
  retrieval: { chunks: number; queries: number; warmup: number };
  /** Extra env for the appliance in this mode. */
  serverEnv: Record<string, string>;
}

export interface Row {
  scenario: string;
  measurement: string;
  kind: 'appliance' | 'baseline';
  n?: number;
  /** Operations per second. */
  throughput?: number;
  p50?: number;
  p95?: number;
  p99?: number;
  /** For rows that are one number (a time in ms or a size in MB). */
  value?: number;
  unit?: string;
  /** Measurement name of the baseline row this one is compared with. */
  baseline?: string;
  /** appliance ÷ baseline. */
  throughputRatio?: number;
  p99Ratio?: number;
  valueRatio?: number;
  target?: string;
  met?: boolean;
  note?: string;
  /** Rows written per webhook to the outbox and the automation event log: by a floor, and by the appliance (ingest's complete floor). */
  rows?: { floor: Record<string, number>; appliance: Record<string, number> };
}

export interface BenchContext {
  quick: boolean;
  sizes: Sizes;
  dataDir: string;
  dbPath: string;
  /** A copy of the freshly migrated, empty database. */
  templateDbPath: string;
  resultsDir: string;
  tmpDir: string;
  tenant: BenchTenant;
  graph: FakeGraph;
  corpus: Corpus;
  log(line: string): void;
  /** Starts the appliance (with --cpu-prof under --profile); records its start time and idle RSS. */
  startAppliance(scenario: string, env?: Record<string, string>): Promise<Child>;
  /** Starts the baseline server, optionally over the seeded database (read-only). */
  startBaseline(withDb: boolean): Promise<Child>;
  record(row: Row): Row;
}

export function statsRow(scenario: string, measurement: string, kind: Row['kind'], s: Stats, extra: Partial<Row> = {}): Row {
  return { scenario, measurement, kind, n: s.count, throughput: s.throughput, p50: s.p50, p95: s.p95, p99: s.p99, ...extra };
}

/** Fills the ratios of `row` against `base`. */
export function compare(row: Row, base: Row): Row {
  row.baseline = base.measurement;
  if (row.throughput !== undefined && base.throughput) row.throughputRatio = row.throughput / base.throughput;
  if (row.p99 !== undefined && base.p99) row.p99Ratio = row.p99 / base.p99;
  if (row.value !== undefined && base.value) row.valueRatio = row.value / base.value;
  return row;
}
