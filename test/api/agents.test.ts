import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.js';
import { Api, assertProblem, createAgent, registerTenant, roleId, uniqueEmail, type Tenant } from '../support/http.js';

describe('Agents', () => {
  let server: TestServer;
  let api: Api;
  let owner: Tenant;
  before(async () => {
    server = await startServer();
    api = new Api(server.url);
    owner = await registerTenant(api);
  });
  after(() => server.stop());

  it('creates an agent who can then log in', async () => {
    const email = uniqueEmail('agent');
    const created = await owner.api.post('/api/v1/agents', {
      name: 'Sari',
      email,
      password: 'password123',
      roleId: await roleId(owner.api, 'agent'),
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.role.name, 'agent');
    assert.equal(created.body.online, false);
    const login = await api.post('/api/v1/auth/login', { email, password: 'password123' });
    assert.equal(login.status, 200);
    assert.equal(login.body.user.id, created.body.id);
  });

  it('validates the body and the role', async () => {
    assertProblem(await owner.api.post('/api/v1/agents', { name: '', email: 'x', password: '1' }), 400, [
      'name',
      'email',
      'password',
      'roleId',
    ]);
    assertProblem(
      await owner.api.post('/api/v1/agents', { name: 'A', email: uniqueEmail(), password: 'password123', roleId: 'no-such-role' }),
      422,
      ['roleId'],
    );
    assertProblem(
      await owner.api.post('/api/v1/agents', {
        name: 'A',
        email: owner.email,
        password: 'password123',
        roleId: await roleId(owner.api, 'agent'),
      }),
      409,
      ['email'],
    );
  });

  it('lists, filters, gets and updates agents', async () => {
    const { agent } = await createAgent(owner.api, 'supervisor');
    const list = await owner.api.get('/api/v1/agents?limit=1');
    assert.equal(list.body.data.length, 1);
    assert.ok(list.body.nextCursor);
    const next = await owner.api.get(`/api/v1/agents?limit=1&cursor=${list.body.nextCursor}`);
    assert.notEqual(next.body.data[0].id, list.body.data[0].id);
    const found = await owner.api.get(`/api/v1/agents?search=${encodeURIComponent(agent.email)}`);
    assert.deepEqual(
      found.body.data.map((a: any) => a.id),
      [agent.id],
    );
    assertProblem(await owner.api.get('/api/v1/agents?limit=0'), 400, ['query.limit']);
    assertProblem(await owner.api.get('/api/v1/agents?cursor=zzz'), 400, ['query.cursor']);
    const updated = await owner.api.patch(`/api/v1/agents/${agent.id}`, { name: 'Renamed', roleId: await roleId(owner.api, 'agent') });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.name, 'Renamed');
    assert.equal(updated.body.role.name, 'agent');
    assert.equal((await owner.api.get(`/api/v1/agents/${agent.id}`)).body.name, 'Renamed');
    assertProblem(await owner.api.patch(`/api/v1/agents/${agent.id}`, { nickname: 'x' }), 400);
  });

  it('an agent without agents.manage gets 403 creating agents', async () => {
    const { api: agent } = await createAgent(owner.api, 'agent');
    assertProblem(
      await agent.post('/api/v1/agents', {
        name: 'X',
        email: uniqueEmail(),
        password: 'password123',
        roleId: await roleId(owner.api, 'agent'),
      }),
      403,
    );
  });

  it('agents toggle their own online status; others need agents.manage', async () => {
    const a = await createAgent(owner.api, 'agent');
    const b = await createAgent(owner.api, 'agent');
    const on = await a.api.patch(`/api/v1/agents/${a.agent.id}/status`, { online: true });
    assert.equal(on.status, 200);
    assert.equal(on.body.online, true);
    assertProblem(await b.api.patch(`/api/v1/agents/${a.agent.id}/status`, { online: false }), 403);
    const off = await owner.api.patch(`/api/v1/agents/${a.agent.id}/status`, { online: false });
    assert.equal(off.body.online, false);
    assertProblem(await a.api.patch(`/api/v1/agents/${a.agent.id}/status`, { online: 'yes' }), 400, ['online']);
  });

  it('deletes an agent, whose token then stops working; never yourself or the last owner', async () => {
    const a = await createAgent(owner.api, 'agent');
    assert.equal((await owner.api.delete(`/api/v1/agents/${a.agent.id}`)).status, 204);
    assertProblem(await owner.api.get(`/api/v1/agents/${a.agent.id}`), 404);
    assertProblem(await a.api.get('/api/v1/auth/me'), 401);
    assertProblem(await owner.api.delete(`/api/v1/agents/${owner.user.id}`), 409);
    const admin = await createAgent(owner.api, 'admin');
    // An admin may not manage the owner at all (test/api/security-owner-takeover.test.ts).
    assertProblem(await admin.api.patch(`/api/v1/agents/${owner.user.id}`, { status: 'suspended' }), 403);
    assertProblem(await owner.api.patch(`/api/v1/agents/${owner.user.id}`, { roleId: await roleId(owner.api, 'agent') }), 409, ['roleId']);
  });

  it('an admin cannot hand out the owner role (it carries permissions the admin lacks)', async () => {
    const admin = await createAgent(owner.api, 'admin');
    const res = await admin.api.post('/api/v1/agents', {
      name: 'X',
      email: uniqueEmail(),
      password: 'password123',
      roleId: await roleId(owner.api, 'owner'),
    });
    assertProblem(res, 403);
  });
});
