// The API contract from zod to the browser: the OpenAPI document the server generates from its route
// declarations (`npm run openapi`), committed as openapi.json, and the renderer's API types generated
// from it with openapi-typescript (renderer/src/api/schema.d.ts). `npm run openapi:write` refreshes
// both; test/unit/openapi-contract.test.ts fails when either differs from what the server says.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';

const root = fileURLToPath(new URL('..', import.meta.url));

export const DOCUMENT_FILE = 'openapi.json';
export const TYPES_FILE = 'renderer/src/api/schema.d.ts';

/** The OpenAPI document, as `npm run openapi` prints it (whatever that script runs). */
export function generateDocument(): string {
  const run = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', '--silent', 'openapi'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, LOG_LEVEL: 'silent' },
  });
  if (run.status !== 0) throw new Error(`npm run openapi failed (exit ${run.status}):\n${run.stderr}`);
  return run.stdout;
}

/** TypeScript declarations for the document's paths and operations (see renderer/src/api/types.ts). */
export async function generateTypes(document: string): Promise<string> {
  const ast = await openapiTS(JSON.parse(document), { silent: true });
  return `// Generated from openapi.json by \`npm run openapi:write\`; do not edit.\n${COMMENT_HEADER}${astToString(ast)}`;
}

export async function generateContract(): Promise<{ document: string; types: string }> {
  const document = generateDocument();
  return { document, types: await generateTypes(document) };
}

export function readCommitted(file: string): string | null {
  try {
    return readFileSync(join(root, file), 'utf8');
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const { document, types } = await generateContract();
  for (const [file, text] of [
    [DOCUMENT_FILE, document],
    [TYPES_FILE, types],
  ] as const) {
    const changed = readCommitted(file) !== text;
    if (changed) writeFileSync(join(root, file), text);
    console.log(`${changed ? 'wrote    ' : 'unchanged'} ${file}`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
