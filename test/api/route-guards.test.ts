// Every declared route that is not public refuses anonymous callers and the wrong kind of token,
// before it reads any input: the registry enforces access in one place.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, type TestServer } from '../support/server.js';
import { Api, registerTenant } from '../support/http.js';

const SAMPLE_ID = '00000000-0000-7000-8000-000000000000';
const samplePath = (path: string) => path.replace(/\{(\w+)\}/g, (_m, name: string) => (name === 'channel' ? 'whatsapp' : SAMPLE_ID));

describe('Route guards', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.stop());

  it('every tenant and super-admin route answers 401 to an anonymous call', async () => {
    const guarded = server.appliance.routes.filter((r) => r.access.kind !== 'public');
    assert.ok(guarded.length > 100);
    for (const route of guarded) {
      const res = await fetch(server.url + samplePath(route.path), {
        method: route.method.toUpperCase(),
        headers: { 'content-type': 'application/json' },
        body: ['get', 'delete'].includes(route.method) ? undefined : '{}',
      });
      assert.equal(res.status, 401, `${route.method.toUpperCase()} ${route.path}`);
      assert.match(res.headers.get('content-type') ?? '', /problem\+json/);
    }
  });

  it("tenant routes refuse a super-admin's token and super-admin routes refuse a tenant's", async () => {
    const api = new Api(server.url);
    const admin = await api.post('/api/v1/super-admin/auth/login', { email: 'root@omnistream.test', password: 'super-secret-password' });
    const tenant = await registerTenant(api);
    for (const route of server.appliance.routes) {
      const token = route.access.kind === 'tenant' ? admin.body.token : route.access.kind === 'super-admin' ? tenant.token : null;
      if (!token) continue;
      const res = await fetch(server.url + samplePath(route.path), {
        method: route.method.toUpperCase(),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: ['get', 'delete'].includes(route.method) ? undefined : '{}',
      });
      assert.equal(res.status, 401, `${route.method.toUpperCase()} ${route.path}`);
    }
    // Appliance-wide (operator) routes refuse every organization's token: 403, before any input is read.
    const operatorRoutes = server.appliance.routes.filter((r) => r.access.kind === 'operator');
    assert.ok(operatorRoutes.length >= 10);
    for (const route of operatorRoutes) {
      const res = await fetch(server.url + samplePath(route.path), {
        method: route.method.toUpperCase(),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${tenant.token}` },
        body: ['get', 'delete'].includes(route.method) ? undefined : '{}',
      });
      assert.equal(res.status, 403, `${route.method.toUpperCase()} ${route.path}`);
    }
  });

  it('every catalogue operation that is served is documented with its catalogue summary', async () => {
    const doc = (await new Api(server.url).get('/openapi.json')).body;
    const rows = readFileSync(new URL('../fixtures/endpoints.tsv', import.meta.url), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split('\t'));
    for (const route of server.appliance.routes) {
      const row = rows.find(
        ([, method, path]) =>
          method.toLowerCase() === route.method && path.replace(/\{[^}]+\}/g, '{}') === route.path.replace(/\{[^}]+\}/g, '{}'),
      );
      if (!row) continue; // an operation of ours beyond the catalogue (appliance settings, contact merge…)
      assert.equal(route.summary, row[4], `${row[1]} ${row[2]}`);
      assert.equal(route.tag, row[0], `${row[1]} ${row[2]}`);
      assert.ok(doc.paths[route.path]?.[route.method], `${row[1]} ${row[2]} in /openapi.json`);
    }
  });
});
