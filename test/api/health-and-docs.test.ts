import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, type TestServer } from '../support/server.js';
import { Api, assertProblem } from '../support/http.js';

const catalogue = readFileSync(new URL('../fixtures/endpoints.tsv', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => l.split('\t'))
  .map(([tag, method, path, accessKind, summary]) => ({ tag, method, path, accessKind, summary }));

describe('Health, OpenAPI and docs', () => {
  let server: TestServer;
  let api: Api;
  before(async () => {
    server = await startServer();
    api = new Api(server.url);
  });
  after(() => server.stop());

  it('/health is healthy with each service named', async () => {
    const res = await api.get('/health');
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'healthy');
    assert.deepEqual(res.body.services, { database: 'up', storage: 'up', jobs: 'up' });
  });

  it('/openapi.json is OpenAPI 3.1 and documents every implemented catalogue operation with its summary', async () => {
    const res = await api.get('/openapi.json');
    assert.equal(res.status, 200);
    assert.equal(res.body.openapi, '3.1.0');
    const tags = ['Auth', 'Roles', 'Agents', 'API Keys', 'Activity Logs', 'Health'];
    for (const row of catalogue.filter((r) => tags.includes(r.tag))) {
      const op = res.body.paths[row.path]?.[row.method.toLowerCase()];
      assert.ok(op, `${row.method} ${row.path} documented`);
      assert.equal(op.summary, row.summary);
      assert.deepEqual(op.tags, [row.tag]);
    }
    const register = res.body.paths['/api/v1/auth/register'].post;
    assert.deepEqual(register.requestBody.content['application/json'].schema.required.sort(), [
      'email',
      'name',
      'organizationName',
      'password',
    ]);
    assert.equal(res.body.paths['/api/v1/agents'].post['x-permission'], 'agents.manage');
  });

  it('/docs serves a readable API reference', async () => {
    const res = await fetch(`${server.url}/docs/`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /OmniStream API reference/);
  });

  it('unknown API paths answer 404 problem+json', async () => {
    assertProblem(await api.get('/api/v1/nope'), 404);
    assertProblem(await api.post('/api/v1/agents/x/y'), 404);
  });

  it('sends security headers', async () => {
    const res = await api.get('/health');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.ok(res.headers.get('content-security-policy'));
    assert.equal(res.headers.get('x-powered-by'), null);
  });
});

describe('Health when a service is down', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.stop());

  it('answers 503 "degraded" naming the service', async () => {
    await server.appliance.jobs.stop();
    const res = await new Api(server.url).get('/health');
    assert.equal(res.status, 503);
    assert.equal(res.body.status, 'degraded');
    assert.equal(res.body.services.jobs, 'down');
    assert.equal(res.body.services.database, 'up');
    assert.ok(res.body.errors.jobs);
  });
});
