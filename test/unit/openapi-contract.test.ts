// The committed API contract (openapi.json and the renderer's generated types) is what the server's
// route declarations produce now. When a route's zod schemas change, run `npm run openapi:write`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DOCUMENT_FILE, TYPES_FILE, generateDocument, generateTypes, readCommitted } from '../../scripts/openapi.js';

const HINT = 'run `npm run openapi:write` and commit the result';

/** The first line where two texts differ, to point at the change without printing megabytes. */
function firstDifference(expected: string, actual: string): string {
  const a = expected.split('\n');
  const b = actual.split('\n');
  const line = a.findIndex((text, i) => text !== b[i]);
  const at = line < 0 ? a.length : line;
  return `line ${at + 1}: committed ${JSON.stringify(b[at] ?? '<end of file>')}, generated ${JSON.stringify(a[at] ?? '<end of file>')}`;
}

function assertCommitted(file: string, generated: string): void {
  const committed = readCommitted(file);
  assert.ok(committed !== null, `${file} is missing: ${HINT}`);
  assert.ok(committed === generated, `${file} is out of date with the server's routes: ${HINT} (${firstDifference(generated, committed)})`);
}

test('openapi.json and renderer/src/api/schema.d.ts match the server route declarations', { timeout: 60_000 }, async () => {
  const document = generateDocument();
  assertCommitted(DOCUMENT_FILE, document);
  assertCommitted(TYPES_FILE, await generateTypes(document));
});
