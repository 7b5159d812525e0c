import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.js';
import { Api, assertProblem, registerTenant } from '../support/http.js';

describe('Super-admin login', () => {
  let server: TestServer;
  let api: Api;
  before(async () => {
    server = await startServer({ SUPER_ADMIN_EMAIL: 'root@omnistream.test', SUPER_ADMIN_PASSWORD: 'super-secret-password' });
    api = new Api(server.url);
  });
  after(() => server.stop());

  it('logs in the super-admin created from SUPER_ADMIN_EMAIL/PASSWORD', async () => {
    const res = await api.post('/api/v1/super-admin/auth/login', { email: 'root@omnistream.test', password: 'super-secret-password' });
    assert.equal(res.status, 200);
    assert.equal(res.body.admin.email, 'root@omnistream.test');
    assert.equal(typeof res.body.token, 'string');
    // A super-admin token is a different audience: tenant routes refuse it.
    assertProblem(await api.as({ token: res.body.token }).get('/api/v1/auth/me'), 401);
  });

  it('refuses a wrong password and a tenant user', async () => {
    assertProblem(await api.post('/api/v1/super-admin/auth/login', { email: 'root@omnistream.test', password: 'nope-nope' }), 401);
    const t = await registerTenant(api);
    assertProblem(await api.post('/api/v1/super-admin/auth/login', { email: t.email, password: t.password }), 401);
  });
});

describe('Super-admin setup code', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ SUPER_ADMIN_EMAIL: '', SUPER_ADMIN_PASSWORD: '' });
  });
  after(() => server.stop());

  it('creates the first super-admin with the one-time code printed at first start, then refuses the code', async () => {
    const api = new Api(server.url);
    const code = server.appliance.superAdminSetupCode;
    assert.ok(code, 'a setup code was generated');
    assertProblem(
      await api.post('/api/v1/super-admin/auth/login', { email: 'boss@omnistream.test', password: 'long enough pw', setupCode: 'wrong' }),
      401,
    );
    const first = await api.post('/api/v1/super-admin/auth/login', {
      email: 'boss@omnistream.test',
      password: 'long enough pw',
      setupCode: code,
    });
    assert.equal(first.status, 200);
    const again = await api.post('/api/v1/super-admin/auth/login', {
      email: 'other@omnistream.test',
      password: 'long enough pw',
      setupCode: code,
    });
    assertProblem(again, 401);
    const normal = await api.post('/api/v1/super-admin/auth/login', { email: 'boss@omnistream.test', password: 'long enough pw' });
    assert.equal(normal.status, 200);
  });
});
