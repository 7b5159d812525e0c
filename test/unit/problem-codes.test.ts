// Problems carry codes the UI translates: a specific one when the thrower gave it, the status's
// otherwise, and zod's issue code with the values a message needs for each bad field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { HttpError, conflict, problem, zodFieldErrors } from '../../server/core/http/errors.js';

test('a problem without a specific code gets its status as the code', () => {
  assert.equal(problem(404, 'Conversation not found').code, 'not_found');
  assert.equal(problem(429, undefined).code, 'too_many_requests');
  assert.equal(problem(422, 'x', { errors: [{ path: 'a', message: 'b' }] }).code, 'validation_failed');
  assert.equal(problem(409, 'x', { code: 'email_taken' }).code, 'email_taken');
});

test('a thrown error keeps its specific code', () => {
  const err = conflict('This email is already registered', [{ path: 'email', message: 'Already registered' }], 'email_taken');
  assert.ok(err instanceof HttpError);
  assert.equal(err.extra.code, 'email_taken');
});

test('field errors carry the zod issue code and the values a translation needs, never the input', () => {
  const schema = z.object({ password: z.string().min(8), email: z.email(), kind: z.enum(['a', 'b']), name: z.string() });
  const parsed = schema.safeParse({ password: 'secret', email: 'nope', kind: 'c' });
  assert.ok(!parsed.success);
  const errors = zodFieldErrors(parsed.error, 'body');
  const by = Object.fromEntries(errors.map((e) => [e.path, e]));
  assert.equal(by['body.password'].code, 'too_small');
  assert.equal(by['body.password'].params?.minimum, 8);
  assert.equal(by['body.password'].params?.origin, 'string');
  assert.equal(by['body.email'].code, 'invalid_format');
  assert.equal(by['body.email'].params?.format, 'email');
  assert.equal(by['body.kind'].code, 'invalid_value');
  assert.deepEqual(by['body.kind'].params?.values, ['a', 'b']);
  assert.equal(by['body.name'].code, 'invalid_type');
  assert.equal(by['body.name'].params?.missing, true);
  assert.ok(!JSON.stringify(errors).includes('secret'), 'the rejected value is not echoed');
});
