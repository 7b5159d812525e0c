import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.js';
import { Api, assertProblem, createAgent, registerTenant, type Tenant } from '../support/http.js';

describe('API keys', () => {
  let server: TestServer;
  let owner: Tenant;
  before(async () => {
    server = await startServer();
    owner = await registerTenant(new Api(server.url));
  });
  after(() => server.stop());

  it('shows the full key once; lists show the prefix only', async () => {
    const created = await owner.api.post('/api/v1/api-keys', { name: 'Zapier' });
    assert.equal(created.status, 201);
    assert.match(created.body.key, /^osk_[0-9a-f]{12}_/);
    assert.ok(created.body.key.startsWith(created.body.prefix));
    const list = await owner.api.get('/api/v1/api-keys');
    const row = list.body.data.find((k: any) => k.id === created.body.id);
    assert.equal(row.prefix, created.body.prefix);
    assert.equal(row.key, undefined);
    assert.ok(!JSON.stringify(list.body).includes(created.body.key));
  });

  it('authenticates as its creator, by X-API-Key or Bearer, and stops working once revoked', async () => {
    const { api: agentApi, agent } = await createAgent(owner.api, 'agent');
    const created = await agentApi.post('/api/v1/api-keys', { name: 'script' });
    const byHeader = owner.api.as({ apiKey: created.body.key });
    const byBearer = owner.api.as({ token: created.body.key });
    const me = await byHeader.get('/api/v1/auth/me');
    assert.equal(me.status, 200);
    assert.equal(me.body.user.id, agent.id);
    assert.equal((await byBearer.get('/api/v1/auth/me')).body.user.id, agent.id);
    // The creator's permissions, no more: an agent cannot manage agents.
    assertProblem(await byHeader.post('/api/v1/agents', { name: 'x', email: 'x@example.test', password: 'password123', roleId: 'r' }), 403);
    const listed = await byHeader.get('/api/v1/api-keys');
    assert.ok(listed.body.data[0].lastUsedAt, 'last use is recorded');
    assert.equal((await agentApi.delete(`/api/v1/api-keys/${created.body.id}`)).status, 204);
    assertProblem(await byHeader.get('/api/v1/auth/me'), 401);
    assertProblem(await byBearer.get('/api/v1/auth/me'), 401);
    const after = await agentApi.get('/api/v1/api-keys');
    assert.ok(after.body.data.find((k: any) => k.id === created.body.id).revokedAt);
  });

  it('refuses a tampered key and a key past its expiry date', async () => {
    const created = await owner.api.post('/api/v1/api-keys', { name: 'x' });
    const tampered = created.body.key.slice(0, -2) + (created.body.key.endsWith('AA') ? 'BB' : 'AA');
    assertProblem(await owner.api.as({ apiKey: tampered }).get('/api/v1/auth/me'), 401);
    assertProblem(await owner.api.as({ apiKey: 'osk_nonsense' }).get('/api/v1/auth/me'), 401);
    assertProblem(await owner.api.post('/api/v1/api-keys', { name: 'old', expiresAt: '2001-01-01T00:00:00Z' }), 422, ['expiresAt']);
    assertProblem(await owner.api.post('/api/v1/api-keys', { name: 'bad', expiresAt: 'tomorrow' }), 400, ['expiresAt']);
  });

  it("lists and revokes only the caller's own keys", async () => {
    const mine = await owner.api.post('/api/v1/api-keys', { name: 'owner key' });
    const { api: other } = await createAgent(owner.api, 'supervisor');
    const list = await other.get('/api/v1/api-keys');
    assert.ok(!list.body.data.some((k: any) => k.id === mine.body.id));
    assertProblem(await other.delete(`/api/v1/api-keys/${mine.body.id}`), 404);
    assert.equal((await owner.api.as({ apiKey: mine.body.key }).get('/api/v1/auth/me')).status, 200);
  });
});
