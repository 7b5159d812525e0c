// `npm run bench -- --quick`: every benchmark scenario at a small size, so CI knows the harness
// works (seeding, the server child process, baselines, the load generator, the report). It asserts
// that each scenario ran and measured something; it asserts no timings.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('benchmarks (quick mode)', () => {
  it('runs every scenario and writes the results', { timeout: 900_000 }, async () => {
    const resultsDir = mkdtempSync(join(tmpdir(), 'omnistream-bench-results-'));
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/bench/run.ts', '--quick', `--results-dir=${resultsDir}`], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (c: Buffer) => {
        output += c.toString();
      });
      child.stderr.on('data', (c: Buffer) => {
        output += c.toString();
      });
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      assert.equal(code, 0, `the quick benchmark failed:\n${output.slice(-6000)}`);

      const result = JSON.parse(readFileSync(join(resultsDir, 'latest-quick.json'), 'utf8'));
      assert.equal(result.mode, 'quick');
      assert.deepEqual(result.errors, []);
      assert.ok(result.seed.messages > 0 && result.seed.ftsRows > 0, 'the database was seeded, full-text index included');
      const rows: { scenario: string; kind: string; n?: number; p99?: number; value?: number }[] = result.rows;
      for (const scenario of ['ingest', 'inbox', 'search', 'fanout', 'outbound', 'retrieval', 'footprint']) {
        const measured = rows.filter((r) => r.scenario === scenario && r.kind === 'appliance');
        assert.ok(measured.length > 0, `${scenario} measured the appliance`);
        assert.ok(
          rows.some((r) => r.scenario === scenario && r.kind === 'baseline'),
          `${scenario} has a baseline`,
        );
        for (const r of measured) assert.ok(Number.isFinite(r.p99 ?? r.value), `${scenario}: a number for ${JSON.stringify(r)}`);
      }
      // The complete floor under processing writes what the appliance wrote: as many outbox events,
      // automation events and runs per webhook (their mix of new and known senders differs a little).
      const complete = result.rows.find((r: { measurement: string }) => r.measurement.startsWith('floor: raw better-sqlite3, everything'));
      assert.ok(complete && Number.isFinite(complete.throughput), 'the complete floor measured');
      for (const [table, appliance] of Object.entries(complete.rows.appliance as Record<string, number>)) {
        assert.ok(appliance > 0, `the appliance wrote ${table}`);
        const ratio = complete.rows.floor[table] / appliance;
        assert.ok(ratio > 0.6 && ratio < 1.4, `the complete floor writes ${table} as the appliance does: ${JSON.stringify(complete.rows)}`);
      }
      // Analytics has no baseline: its target is absolute (p99 < 200 ms over 30 days).
      const analytics = rows.filter((r) => r.scenario === 'analytics' && r.kind === 'appliance');
      assert.ok(analytics.length >= 8, 'every analytics endpoint measured');
      for (const r of analytics) assert.ok(Number.isFinite(r.p99), `analytics: a number for ${JSON.stringify(r)}`);
      assert.match(readFileSync(join(resultsDir, 'latest-quick.md'), 'utf8'), /\| scenario \| measurement \|/);
    } finally {
      rmSync(resultsDir, { recursive: true, force: true });
    }
  });
});
