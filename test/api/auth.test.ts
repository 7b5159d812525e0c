import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.js';
import { Api, assertProblem, registerTenant, uniqueEmail } from '../support/http.js';

describe('Auth', () => {
  let server: TestServer;
  let api: Api;
  before(async () => {
    server = await startServer();
    api = new Api(server.url);
  });
  after(() => server.stop());

  it('registers an organization whose first user is its owner, with a session cookie', async () => {
    const email = uniqueEmail();
    const res = await api.post('/api/v1/auth/register', {
      organizationName: 'Toko Maju Jaya',
      name: 'Budi',
      email: email.toUpperCase(),
      password: 'rahasia123',
    });
    assert.equal(res.status, 201);
    assert.equal(typeof res.body.token, 'string');
    assert.equal(res.body.user.email, email, 'email is normalised to lower case');
    assert.equal(res.body.user.role.name, 'owner');
    assert.equal(res.body.tenant.name, 'Toko Maju Jaya');
    assert.equal(res.body.tenant.timezone, 'Asia/Jakarta');
    assert.equal(res.body.user.passwordHash, undefined);
    const cookie = res.headers.get('set-cookie') ?? '';
    assert.match(cookie, /omnistream_token=/);
    assert.match(cookie, /HttpOnly/i);
  });

  it('registers an email that already has an account in another organization (emails are unique per organization)', async () => {
    const t = await registerTenant(api);
    const res = await api.post('/api/v1/auth/register', { organizationName: 'Other', name: 'X', email: t.email, password: 'password123' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.notEqual(res.body.tenant.id, t.tenant.id);
  });

  it('answers a bad body with 400 problem+json naming each bad field', async () => {
    const res = await api.post('/api/v1/auth/register', { organizationName: '', email: 'not-an-email', password: 'short' });
    assertProblem(res, 400, ['organizationName', 'name', 'email', 'password']);
    const missing = res.body.errors.find((e: any) => e.path === 'name');
    assert.equal(missing.message, 'Required');
  });

  it('answers malformed JSON with 400, not 500', async () => {
    const res = await api.request('POST', '/api/v1/auth/login', '{"email": ', { 'content-type': 'application/json' });
    assertProblem(res, 400, ['body']);
  });

  it('logs in with email and password, and the token, the cookie and a fresh token all authenticate', async () => {
    const t = await registerTenant(api);
    const res = await api.post('/api/v1/auth/login', { email: t.email, password: t.password });
    assert.equal(res.status, 200);
    assert.equal(res.body.user.id, t.user.id);
    const byBearer = await api.as({ token: res.body.token }).get('/api/v1/auth/me');
    assert.equal(byBearer.status, 200);
    assert.equal(byBearer.body.user.email, t.email);
    assert.equal(byBearer.body.tenant.id, t.tenant.id);
    assert.ok(byBearer.body.permissions.includes('agents.manage'));
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
    const byCookie = await api.as({ cookie }).get('/api/v1/auth/me');
    assert.equal(byCookie.status, 200);
    const fresh = await api.as({ cookie }).get('/api/v1/auth/token');
    assert.equal(fresh.status, 200);
    assert.equal((await api.as({ token: fresh.body.token }).get('/api/v1/auth/me')).status, 200);
  });

  it('gives the same 401 for a wrong password and an unknown email', async () => {
    const t = await registerTenant(api);
    const wrong = await api.post('/api/v1/auth/login', { email: t.email, password: 'wrong password' });
    const unknown = await api.post('/api/v1/auth/login', { email: uniqueEmail('nobody'), password: 'whatever1' });
    assertProblem(wrong, 401);
    assertProblem(unknown, 401);
    assert.equal(wrong.body.detail, unknown.body.detail);
    assert.doesNotMatch(wrong.body.detail, /password is|email is|not found/i);
  });

  it('logout clears the cookie', async () => {
    const t = await registerTenant(api);
    const res = await t.api.post('/api/v1/auth/logout');
    assert.equal(res.status, 204);
    assert.match(res.headers.get('set-cookie') ?? '', /omnistream_token=;/);
  });

  it('refuses anonymous and forged credentials', async () => {
    assertProblem(await api.get('/api/v1/auth/me'), 401);
    assertProblem(await api.as({ token: 'not.a.jwt' }).get('/api/v1/auth/me'), 401);
    assertProblem(await api.as({ cookie: 'omnistream_token=garbage' }).get('/api/v1/auth/me'), 401);
  });

  it('refuses a suspended user at login and with an existing token', async () => {
    const owner = await registerTenant(api);
    const roles = await owner.api.get('/api/v1/roles');
    const agentRole = roles.body.data.find((r: any) => r.name === 'agent');
    const email = uniqueEmail('agent');
    const created = await owner.api.post('/api/v1/agents', { name: 'Sari', email, password: 'password123', roleId: agentRole.id });
    const login = await api.post('/api/v1/auth/login', { email, password: 'password123' });
    assert.equal(login.status, 200);
    await owner.api.patch(`/api/v1/agents/${created.body.id}`, { status: 'suspended' });
    // The suspension ended the session: the token is refused as a whole.
    assertProblem(await api.as({ token: login.body.token }).get('/api/v1/auth/me'), 401);
    assertProblem(await api.post('/api/v1/auth/login', { email, password: 'password123' }), 403);
  });

  it('sends a request id on every response', async () => {
    const res = await api.get('/health');
    assert.ok(res.headers.get('x-request-id'));
    const echoed = await api.request('GET', '/health', undefined, { 'x-request-id': 'abc-123' });
    assert.equal(echoed.headers.get('x-request-id'), 'abc-123');
  });
});

describe('Auth rate limit', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ AUTH_RATE_LIMIT: '3' });
  });
  after(() => server.stop());

  it('answers 429 problem+json after too many login attempts from one address', async () => {
    const api = new Api(server.url);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await api.post('/api/v1/auth/login', { email: 'a@b.test', password: 'x' })).status);
    assert.deepEqual(statuses, [401, 401, 401, 429]);
    assertProblem(await api.post('/api/v1/auth/login', { email: 'a@b.test', password: 'x' }), 429);
  });
});
