// Two organizations on one appliance cannot see or touch each other's data: another tenant's id is 404.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.js';
import { Api, assertProblem, createAgent, registerTenant, roleId, type Tenant } from '../support/http.js';

describe('Cross-tenant isolation', () => {
  let server: TestServer;
  let a: Tenant;
  let b: Tenant;
  before(async () => {
    server = await startServer();
    const api = new Api(server.url);
    a = await registerTenant(api, 'Toko A');
    b = await registerTenant(api, 'Toko B');
  });
  after(() => server.stop());

  it("agents: B cannot list, read, change, toggle or delete A's agents", async () => {
    const { agent } = await createAgent(a.api, 'agent');
    const list = await b.api.get('/api/v1/agents?limit=200');
    assert.ok(!list.body.data.some((x: any) => x.id === agent.id || x.tenantId === a.tenant.id));
    assertProblem(await b.api.get(`/api/v1/agents/${agent.id}`), 404);
    assertProblem(await b.api.patch(`/api/v1/agents/${agent.id}`, { name: 'hacked' }), 404);
    assertProblem(await b.api.patch(`/api/v1/agents/${agent.id}/status`, { online: true }), 404);
    assertProblem(await b.api.delete(`/api/v1/agents/${agent.id}`), 404);
    assert.equal((await a.api.get(`/api/v1/agents/${agent.id}`)).body.name, agent.name);
  });

  it("agents: B cannot create an agent with A's role", async () => {
    const res = await b.api.post('/api/v1/agents', {
      name: 'x',
      email: `x.${Date.now()}@example.test`,
      password: 'password123',
      roleId: await roleId(a.api, 'agent'),
    });
    assertProblem(res, 422, ['roleId']);
  });

  it("roles: B cannot list, read, change or delete A's roles", async () => {
    const role = await a.api.post('/api/v1/roles', { name: 'A only', permissions: ['agents.view'] });
    const list = await b.api.get('/api/v1/roles?limit=200');
    assert.ok(!list.body.data.some((r: any) => r.id === role.body.id));
    assertProblem(await b.api.get(`/api/v1/roles/${role.body.id}`), 404);
    assertProblem(await b.api.patch(`/api/v1/roles/${role.body.id}`, { name: 'mine' }), 404);
    assertProblem(await b.api.delete(`/api/v1/roles/${role.body.id}`), 404);
    assert.equal((await a.api.get(`/api/v1/roles/${role.body.id}`)).body.name, 'A only');
  });

  it("API keys: B cannot see or revoke A's keys, and A's key only reaches A", async () => {
    const key = await a.api.post('/api/v1/api-keys', { name: 'A key' });
    assert.ok(!(await b.api.get('/api/v1/api-keys')).body.data.some((k: any) => k.id === key.body.id));
    assertProblem(await b.api.delete(`/api/v1/api-keys/${key.body.id}`), 404);
    const asA = a.api.as({ apiKey: key.body.key });
    assert.equal((await asA.get('/api/v1/auth/me')).body.tenant.id, a.tenant.id);
    const agentsSeen = await asA.get('/api/v1/agents?limit=200');
    assert.ok(agentsSeen.body.data.every((x: any) => x.tenantId === a.tenant.id));
  });

  it("activity: B never sees A's entries", async () => {
    const logsA = await a.api.get('/api/v1/activity-logs?limit=200');
    const logsB = await b.api.get('/api/v1/activity-logs?limit=200');
    const idsA = new Set(logsA.body.data.map((e: any) => e.id));
    assert.ok(logsA.body.data.length > 0 && logsB.body.data.length > 0);
    assert.ok(logsB.body.data.every((e: any) => !idsA.has(e.id)));
    assert.ok(!logsB.body.data.some((e: any) => e.actorId === a.user.id));
    const cursorFromA = logsA.body.data[0].id;
    const paged = await b.api.get(`/api/v1/activity-logs?cursor=${cursorFromA}`);
    assert.ok(paged.body.data.every((e: any) => !idsA.has(e.id)));
  });
});
