import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.js';
import { Api, assertProblem, createAgent, registerTenant, roleId, type Tenant } from '../support/http.js';

describe('Activity logs', () => {
  let server: TestServer;
  let owner: Tenant;
  before(async () => {
    server = await startServer();
    owner = await registerTenant(new Api(server.url));
  });
  after(() => server.stop());

  it('records logins, agent and role changes and API keys with actor, target, time and IP', async () => {
    const { agent } = await createAgent(owner.api, 'agent');
    await owner.api.patch(`/api/v1/agents/${agent.id}`, { roleId: await roleId(owner.api, 'supervisor') });
    const role = await owner.api.post('/api/v1/roles', { name: 'Audited', permissions: ['agents.view'] });
    await owner.api.patch(`/api/v1/roles/${role.body.id}`, { permissions: ['agents.view', 'roles.view'] });
    const key = await owner.api.post('/api/v1/api-keys', { name: 'k' });
    await owner.api.delete(`/api/v1/api-keys/${key.body.id}`);

    const res = await owner.api.get('/api/v1/activity-logs?limit=100');
    assert.equal(res.status, 200);
    const actions = res.body.data.map((e: any) => e.action);
    for (const a of [
      'auth.register',
      'agent.created',
      'auth.login',
      'agent.role_changed',
      'role.created',
      'role.updated',
      'api_key.created',
      'api_key.revoked',
    ]) {
      assert.ok(actions.includes(a), `${a} recorded in ${actions.join(',')}`);
    }
    const change = res.body.data.find((e: any) => e.action === 'agent.role_changed');
    assert.equal(change.actorId, owner.user.id);
    assert.equal(change.actorName, owner.user.name);
    assert.equal(change.targetType, 'agent');
    assert.equal(change.targetId, agent.id);
    assert.equal(change.details.role, 'supervisor');
    assert.ok(change.ip);
    assert.ok(Date.parse(change.createdAt) > Date.now() - 60_000);
    const login = res.body.data.find((e: any) => e.action === 'auth.login' && e.actorId === agent.id);
    assert.ok(login, 'the agent login is attributed to the agent');
  });

  it('filters by action, actor and time, and paginates newest first', async () => {
    const onlyKeys = await owner.api.get('/api/v1/activity-logs?action=api_key.created');
    assert.ok(onlyKeys.body.data.length >= 1);
    assert.ok(onlyKeys.body.data.every((e: any) => e.action === 'api_key.created'));
    const byActor = await owner.api.get(`/api/v1/activity-logs?actorId=${owner.user.id}`);
    assert.ok(byActor.body.data.every((e: any) => e.actorId === owner.user.id));
    const future = await owner.api.get(`/api/v1/activity-logs?from=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`);
    assert.equal(future.body.data.length, 0);
    const first = await owner.api.get('/api/v1/activity-logs?limit=2');
    const second = await owner.api.get(`/api/v1/activity-logs?limit=2&cursor=${first.body.nextCursor}`);
    assert.equal(first.body.data.length, 2);
    assert.ok(first.body.data[1].id > second.body.data[0].id, 'newest first across pages');
    assertProblem(await owner.api.get('/api/v1/activity-logs?from=yesterday'), 400, ['query.from']);
  });

  it('needs activity_logs.view', async () => {
    const { api: agent } = await createAgent(owner.api, 'agent');
    assertProblem(await agent.get('/api/v1/activity-logs'), 403);
  });
});
