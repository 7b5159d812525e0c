// Runs every test file under test/ (unit, api, e2e) with Node's test runner and tsx.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const only = process.argv.slice(2);
const roots = only.length ? only : ['test/unit', 'test/api', 'test/e2e'];
const files = [];
const walk = (p) => {
  if (statSync(p).isFile()) return p.endsWith('.test.ts') && files.push(p);
  for (const entry of readdirSync(p).sort()) walk(join(p, entry));
};
for (const root of roots) walk(root);

const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
