import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.js';
import { Api, assertProblem, createAgent, registerTenant, roleId, type Tenant } from '../support/http.js';
import { PERMISSIONS } from '../../server/core/permissions.js';

describe('Roles and permissions', () => {
  let server: TestServer;
  let owner: Tenant;
  before(async () => {
    server = await startServer();
    owner = await registerTenant(new Api(server.url));
  });
  after(() => server.stop());

  it('lists the built-in roles with their permissions', async () => {
    const res = await owner.api.get('/api/v1/roles');
    assert.equal(res.status, 200);
    const names = res.body.data.map((r: any) => r.name).sort();
    assert.deepEqual(names, ['admin', 'agent', 'owner', 'supervisor']);
    const ownerRole = res.body.data.find((r: any) => r.name === 'owner');
    assert.equal(ownerRole.builtIn, true);
    assert.equal(ownerRole.agentCount, 1);
    assert.deepEqual([...ownerRole.permissions].sort(), Object.keys(PERMISSIONS).sort());
  });

  it('lists every permission that routes check', async () => {
    const res = await owner.api.get('/api/v1/permissions');
    assert.equal(res.status, 200);
    const listed = new Set(res.body.data.map((p: any) => p.key));
    const checked = server.appliance.routes.flatMap((r) =>
      r.access.kind === 'tenant' && r.access.permission ? [r.access.permission] : [],
    );
    for (const p of checked) assert.ok(listed.has(p), `${p} is listed`);
    for (const p of res.body.data) assert.ok(p.description.length > 0);
  });

  it('creates, reads, updates and deletes a custom role', async () => {
    const created = await owner.api.post('/api/v1/roles', {
      name: 'Night shift',
      description: 'Replies only',
      permissions: ['conversations.view', 'messages.send'],
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.builtIn, false);
    const got = await owner.api.get(`/api/v1/roles/${created.body.id}`);
    assert.deepEqual(got.body.permissions, ['conversations.view', 'messages.send']);
    const updated = await owner.api.patch(`/api/v1/roles/${created.body.id}`, { permissions: ['conversations.view'], name: 'Night' });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.name, 'Night');
    assert.deepEqual(updated.body.permissions, ['conversations.view']);
    assert.equal((await owner.api.delete(`/api/v1/roles/${created.body.id}`)).status, 204);
    assertProblem(await owner.api.get(`/api/v1/roles/${created.body.id}`), 404);
  });

  it('refuses unknown permissions and duplicate names, naming the field', async () => {
    assertProblem(await owner.api.post('/api/v1/roles', { name: 'Bad', permissions: ['everything.please'] }), 400, ['permissions.0']);
    await owner.api.post('/api/v1/roles', { name: 'Twin', permissions: [] });
    assertProblem(await owner.api.post('/api/v1/roles', { name: 'Twin', permissions: [] }), 409, ['name']);
  });

  it('never deletes a built-in role, and renaming one is refused', async () => {
    const agentRole = await roleId(owner.api, 'agent');
    assertProblem(await owner.api.delete(`/api/v1/roles/${agentRole}`), 409);
    assertProblem(await owner.api.patch(`/api/v1/roles/${agentRole}`, { name: 'helper' }), 409, ['name']);
    const ownerRole = await roleId(owner.api, 'owner');
    assertProblem(await owner.api.patch(`/api/v1/roles/${ownerRole}`, { permissions: [] }), 409, ['permissions']);
  });

  it('refuses to delete a role in use (409)', async () => {
    const role = await owner.api.post('/api/v1/roles', { name: 'In use', permissions: ['conversations.view'] });
    await owner.api.post('/api/v1/agents', {
      name: 'Wati',
      email: `wati.${Date.now()}@example.test`,
      password: 'password123',
      roleId: role.body.id,
    });
    assertProblem(await owner.api.delete(`/api/v1/roles/${role.body.id}`), 409);
  });

  it('a custom role grants exactly its permissions, and changes apply at once', async () => {
    const role = await owner.api.post('/api/v1/roles', { name: 'Viewer', permissions: ['agents.view'] });
    const email = `viewer.${Date.now()}@example.test`;
    await owner.api.post('/api/v1/agents', { name: 'Viewer', email, password: 'password123', roleId: role.body.id });
    const login = await owner.api.as({}).post('/api/v1/auth/login', { email, password: 'password123' });
    const viewer = owner.api.as({ token: login.body.token });
    assert.equal((await viewer.get('/api/v1/agents')).status, 200);
    assertProblem(await viewer.get('/api/v1/roles'), 403);
    await owner.api.patch(`/api/v1/roles/${role.body.id}`, { permissions: ['agents.view', 'roles.view'] });
    assert.equal((await viewer.get('/api/v1/roles')).status, 200);
  });

  it('an agent without roles.manage cannot create roles, nor grant permissions they lack', async () => {
    const { api: agent } = await createAgent(owner.api, 'agent');
    assertProblem(await agent.post('/api/v1/roles', { name: 'Mine', permissions: [] }), 403);
    const { api: admin } = await createAgent(owner.api, 'admin');
    assertProblem(await admin.post('/api/v1/roles', { name: 'Billing', permissions: ['billing.manage'] }), 403);
  });
});
