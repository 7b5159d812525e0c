// The operator's console over HTTP: organizations (provision, update, suspend and activate, soft
// delete and the purge after the grace period), impersonation, tenant users, usage, health,
// super-admin accounts and one-time password reset links; every operation's 4xx.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, testClock, type TestClock, type TestServer } from '../support/server.js';
import { Api, assertProblem, createAgent, registerTenant, uniqueEmail, type Tenant } from '../support/http.js';
import { runJob, settle } from '../support/settle.js';

const MISSING = '00000000-0000-7000-8000-000000000000';
// Tenant users' links carry the token in the fragment (#token=…); super-admins' in the path.
const tokenOf = (url: string) => (url.includes('#token=') ? url.split('#token=')[1] : url.split('/').pop()!);

describe('Super-admin console', () => {
  let server: TestServer;
  let clock: TestClock;
  let anon: Api;
  let op: Api;
  let a: Tenant;

  before(async () => {
    clock = testClock('2026-12-01T03:00:00.000Z');
    server = await startServer({ TENANT_PURGE_GRACE_DAYS: '30' }, { now: clock.now });
    anon = new Api(server.url);
    const login = await anon.post('/api/v1/super-admin/auth/login', { email: 'root@omnistream.test', password: 'super-secret-password' });
    op = anon.as({ token: login.body.token });
    a = await registerTenant(anon, 'Toko Operator');
  });
  after(() => server.stop());

  it('provisions an organization, with a setup link for an owner without a password', async () => {
    const email = uniqueEmail('newowner');
    const res = await op.post('/api/v1/super-admin/tenants', {
      name: 'Batik Baru',
      timezone: 'Asia/Makassar',
      owner: { name: 'Wati', email },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.tenant.name, 'Batik Baru');
    assert.equal(res.body.tenant.timezone, 'Asia/Makassar');
    assert.equal(res.body.owner.role, 'owner');
    // The same one-time links an organization's admins send (test/api/security-owner-takeover.test.ts).
    assert.match(res.body.ownerSetupLink.url, new RegExp(`^${server.url}/reset-password#token=[\\w-]{40,}$`));
    // The link tells who it is for, sets the password once, then is used up.
    const token = tokenOf(res.body.ownerSetupLink.url);
    const info = await anon.post('/api/v1/auth/password-reset/inspect', { token });
    assert.deepEqual([info.status, info.body.purpose, info.body.email], [200, 'invite', email]);
    assertProblem(await anon.post('/api/v1/auth/password-reset', { token, password: 'short' }), 400, ['password']);
    assert.equal((await anon.post('/api/v1/auth/password-reset', { token, password: 'batik baru 2026' })).status, 204);
    assertProblem(await anon.post('/api/v1/auth/password-reset', { token, password: 'batik baru 2027' }), 400, ['token']);
    assertProblem(await anon.post('/api/v1/auth/password-reset/inspect', { token: 'not-a-real-token-at-all-000000' }), 400, ['token']);
    const login = await anon.post('/api/v1/auth/login', { email, password: 'batik baru 2026' });
    assert.equal(login.status, 200);
    assert.equal(login.body.user.tenantId, res.body.tenant.id);

    const withPassword = await op.post('/api/v1/super-admin/tenants', {
      name: 'Kopi Baru',
      owner: { name: 'Budi', email: uniqueEmail('kopi'), password: 'kopi kopi kopi' },
    });
    assert.equal(withPassword.status, 201);
    assert.equal(withPassword.body.ownerSetupLink, null);
    assert.equal(withPassword.body.tenant.timezone, 'Asia/Jakarta');

    assertProblem(await op.post('/api/v1/super-admin/tenants', { owner: { name: 'x', email } }), 400, ['name']);
    assertProblem(await op.post('/api/v1/super-admin/tenants', { name: 'X', owner: { name: 'x', email: 'not-an-email' } }), 400, [
      'owner.email',
    ]);
    // Emails are unique within an organization: the same person may own another one.
    assert.equal((await op.post('/api/v1/super-admin/tenants', { name: 'X', owner: { name: 'x', email } })).status, 201);
    assertProblem(
      await op.post('/api/v1/super-admin/tenants', { name: 'X', timezone: 'Mars/Olympus', owner: { name: 'x', email: uniqueEmail() } }),
      400,
      ['timezone'],
    );
    assertProblem(await a.api.post('/api/v1/super-admin/tenants', { name: 'X', owner: { name: 'x', email: uniqueEmail() } }), 401);
  });

  it('lists, gets and updates organizations', async () => {
    const list = await op.get('/api/v1/super-admin/tenants?limit=200');
    assert.equal(list.status, 200);
    const row = list.body.data.find((t: any) => t.id === a.tenant.id);
    assert.deepEqual([row.name, row.status, row.users, row.deletedAt], ['Toko Operator', 'active', 1, null]);
    const page = await op.get('/api/v1/super-admin/tenants?limit=1');
    assert.equal(page.body.data.length, 1);
    assert.ok(page.body.nextCursor);
    const next = await op.get(`/api/v1/super-admin/tenants?limit=1&cursor=${page.body.nextCursor}`);
    assert.notEqual(next.body.data[0].id, page.body.data[0].id);
    const search = await op.get('/api/v1/super-admin/tenants?search=Operator');
    assert.deepEqual(
      search.body.data.map((t: any) => t.id),
      [a.tenant.id],
    );

    const one = await op.get(`/api/v1/super-admin/tenants/${a.tenant.id}`);
    assert.equal(one.status, 200);
    assert.equal(one.body.owner.email, a.email);
    assert.equal(one.body.usage.agents.total, 1);
    const patched = await op.patch(`/api/v1/super-admin/tenants/${a.tenant.id}`, { name: 'Toko Operator Jaya', timezone: 'Asia/Jayapura' });
    assert.equal(patched.status, 200);
    assert.deepEqual([patched.body.name, patched.body.timezone], ['Toko Operator Jaya', 'Asia/Jayapura']);

    assertProblem(await op.get('/api/v1/super-admin/tenants?status=gone'), 400, ['query.status']);
    assertProblem(await op.get('/api/v1/super-admin/tenants?cursor=nope'), 400, ['query.cursor']);
    assertProblem(await op.get(`/api/v1/super-admin/tenants/${MISSING}`), 404);
    assertProblem(await op.get('/api/v1/super-admin/tenants/not-an-id'), 404);
    assertProblem(await op.patch(`/api/v1/super-admin/tenants/${MISSING}`, { name: 'x' }), 404);
    assertProblem(await op.patch(`/api/v1/super-admin/tenants/${a.tenant.id}`, { status: 'deleted' }), 400, ['status']);
    assertProblem(await op.patch(`/api/v1/super-admin/tenants/${a.tenant.id}`, { timezone: 'Nowhere/Else' }), 400, ['timezone']);
    assertProblem(await op.patch(`/api/v1/super-admin/tenants/${a.tenant.id}`, { name: '' }), 400, ['name']);
  });

  it('suspends an organization (its sessions stop at once) and activates it again', async () => {
    const t = await registerTenant(anon, 'Toko Ditangguhkan');
    const agent = await createAgent(t.api);
    assert.equal((await t.api.get('/api/v1/auth/me')).status, 200);
    const suspended = await op.patch(`/api/v1/super-admin/tenants/${t.tenant.id}`, { status: 'suspended' });
    assert.equal(suspended.body.status, 'suspended');
    assertProblem(await t.api.get('/api/v1/auth/me'), 403);
    assertProblem(await agent.api.get('/api/v1/conversations'), 403);
    assertProblem(await anon.post('/api/v1/auth/login', { email: t.email, password: t.password }), 403);
    assertProblem(await op.post(`/api/v1/super-admin/tenants/${t.tenant.id}/impersonate`), 409);
    const active = await op.patch(`/api/v1/super-admin/tenants/${t.tenant.id}`, { status: 'active' });
    assert.equal(active.body.status, 'active');
    assert.equal((await t.api.get('/api/v1/auth/me')).status, 200);
    const log = (await t.api.get('/api/v1/activity-logs?limit=50')).body.data.map((e: any) => [e.action, e.actorType]);
    assert.ok(log.some(([action, actor]: string[]) => action === 'tenant.suspended' && actor === 'super_admin'));
    assert.ok(log.some(([action]: string[]) => action === 'tenant.activated'));
  });

  it('impersonates the owner or a user: short token, real actor recorded, and the UI told', async () => {
    const agent = await createAgent(a.api, 'agent');
    const res = await op.post(`/api/v1/super-admin/tenants/${a.tenant.id}/impersonate`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.user.email, a.email);
    assert.equal(new Date(res.body.expiresAt).getTime() - clock.now().getTime(), 3600_000);
    assert.match(res.headers.get('set-cookie') ?? '', /omnistream_token=/);
    const as = anon.as({ token: res.body.token });
    const me = await as.get('/api/v1/auth/me');
    assert.equal(me.body.user.id, a.user.id);
    assert.equal(me.body.impersonatedBy, (await op.get('/api/v1/super-admin/admins')).body.data[0].id);
    // What they do is recorded with the real actor.
    const division = await as.post('/api/v1/divisions', { name: 'Dibuat operator' });
    assert.equal(division.status, 201);
    const log = (await a.api.get('/api/v1/activity-logs?limit=50')).body.data;
    const start = log.find((e: any) => e.action === 'super_admin.impersonation_started');
    assert.equal(start.actorType, 'super_admin');
    assert.equal(start.targetId, a.user.id);
    const created = log.find((e: any) => e.action === 'division.created');
    assert.ok(created.impersonatorId, JSON.stringify(created));

    const asAgent = await op.post(`/api/v1/super-admin/tenants/${a.tenant.id}/users/${agent.agent.id}/impersonate`);
    assert.equal(asAgent.status, 200);
    assert.equal((await anon.as({ token: asAgent.body.token }).get('/api/v1/auth/me')).body.user.id, agent.agent.id);
    // The token itself expires after an hour (JWT exp, checked against the real clock).
    const claims = JSON.parse(Buffer.from(asAgent.body.token.split('.')[1], 'base64url').toString());
    assert.equal(claims.exp - claims.iat, 3600);
    assert.equal(claims.imp, me.body.impersonatedBy);

    assertProblem(await op.post(`/api/v1/super-admin/tenants/${MISSING}/impersonate`), 404);
    assertProblem(await op.post(`/api/v1/super-admin/tenants/${a.tenant.id}/users/${MISSING}/impersonate`), 404);
    const other = await registerTenant(anon, 'Toko Lain');
    assertProblem(await op.post(`/api/v1/super-admin/tenants/${other.tenant.id}/users/${agent.agent.id}/impersonate`), 404);
    assertProblem(await a.api.post(`/api/v1/super-admin/tenants/${a.tenant.id}/impersonate`), 401);
  });

  it("lists a tenant's users, suspends (cutting their session), activates and issues reset links", async () => {
    const agent = await createAgent(a.api, 'agent');
    const users = await op.get(`/api/v1/super-admin/tenants/${a.tenant.id}/users`);
    assert.equal(users.status, 200);
    const row = users.body.data.find((u: any) => u.id === agent.agent.id);
    assert.deepEqual([row.role, row.status], ['agent', 'active']);
    const suspended = await op.post(`/api/v1/super-admin/tenants/${a.tenant.id}/users/${agent.agent.id}/suspend`);
    assert.equal(suspended.body.status, 'suspended');
    // The suspension ended the person's sessions (test/api/security-sessions.test.ts).
    assertProblem(await agent.api.get('/api/v1/auth/me'), 401);
    assertProblem(await anon.post('/api/v1/auth/login', { email: agent.email, password: agent.password }), 403);
    assert.equal(
      (await op.get(`/api/v1/super-admin/tenants/${a.tenant.id}/users?status=suspended`)).body.data.some(
        (u: any) => u.id === agent.agent.id,
      ),
      true,
    );
    const active = await op.post(`/api/v1/super-admin/tenants/${a.tenant.id}/users/${agent.agent.id}/activate`);
    assert.equal(active.body.status, 'active');
    // Activating lets them sign in again; it does not revive the ended session.
    assertProblem(await agent.api.get('/api/v1/auth/me'), 401);
    assert.equal((await anon.post('/api/v1/auth/login', { email: agent.email, password: agent.password })).status, 200);

    const link = await op.post(`/api/v1/super-admin/tenants/${a.tenant.id}/users/${agent.agent.id}/reset-password`);
    assert.equal(link.status, 201);
    const second = await op.post(`/api/v1/super-admin/tenants/${a.tenant.id}/users/${agent.agent.id}/reset-password`);
    const use = (url: string, password: string) => anon.post('/api/v1/auth/password-reset', { token: tokenOf(url), password });
    assertProblem(await use(link.body.url, 'brand new pass'), 400, ['token']);
    assert.equal((await use(second.body.url, 'brand new pass')).status, 204);
    assert.equal((await anon.post('/api/v1/auth/login', { email: agent.email, password: 'brand new pass' })).status, 200);
    assertProblem(await anon.post('/api/v1/auth/login', { email: agent.email, password: agent.password }), 401);
    // Expired after 24 hours.
    const third = await op.post(`/api/v1/super-admin/tenants/${a.tenant.id}/users/${agent.agent.id}/reset-password`);
    clock.advance(24 * 3600_000 + 1000);
    assertProblem(await anon.post('/api/v1/auth/password-reset/inspect', { token: tokenOf(third.body.url) }), 400, ['token']);
    clock.advance(-(24 * 3600_000 + 1000));
    const actions = (await a.api.get('/api/v1/activity-logs?limit=100')).body.data.map((e: any) => e.action);
    assert.ok(actions.includes('agent.password_reset_link') && actions.includes('auth.password_reset'), JSON.stringify(actions));

    const other = await registerTenant(anon, 'Toko Tetangga');
    for (const action of ['suspend', 'activate', 'reset-password', 'impersonate'])
      assertProblem(await op.post(`/api/v1/super-admin/tenants/${other.tenant.id}/users/${agent.agent.id}/${action}`), 404);
    assertProblem(await op.get(`/api/v1/super-admin/tenants/${MISSING}/users`), 404);
    assertProblem(await op.get(`/api/v1/super-admin/tenants/${a.tenant.id}/users?status=gone`), 400, ['query.status']);
    assertProblem(await op.post(`/api/v1/super-admin/tenants/${a.tenant.id}/users/${MISSING}/suspend`), 404);
  });

  it('usage per organization', async () => {
    const res = await op.get('/api/v1/super-admin/usage?limit=200');
    assert.equal(res.status, 200);
    const row = res.body.data.find((r: any) => r.tenant.id === a.tenant.id);
    assert.ok(row.usage.agents.total >= 1);
    assert.deepEqual([row.usage.conversations.total, row.usage.messages.total, row.usage.storageBytes, row.usage.aiTokens], [0, 0, 0, 0]);
    assertProblem(await op.get('/api/v1/super-admin/usage?limit=0'), 400, ['query.limit']);
  });

  it('system health', async () => {
    const res = await op.get('/api/v1/super-admin/health');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.database.type, 'better-sqlite3');
    assert.ok(res.body.database.sizeBytes > 0);
    assert.ok(res.body.disk.freeBytes > 0);
    assert.equal(typeof res.body.jobs.lagSeconds, 'number');
    assert.deepEqual(res.body.channelAccountsInError, []);
    assert.ok(['ok', 'degraded'].includes(res.body.status));
    assert.ok('tunnel' in res.body && 'lastBackup' in res.body);
  });

  it('super-admin accounts: list, create, reset link, delete (not oneself, not the last)', async () => {
    const list = await op.get('/api/v1/super-admin/admins');
    assert.equal(list.body.data.length, 1);
    const me = list.body.data[0];
    const created = await op.post('/api/v1/super-admin/admins', {
      name: 'Operator Dua',
      email: 'dua@omnistream.test',
      password: 'operator dua pw',
    });
    assert.equal(created.status, 201);
    assertProblem(
      await op.post('/api/v1/super-admin/admins', { name: 'x', email: 'dua@omnistream.test', password: 'operator dua pw' }),
      409,
      ['email'],
    );
    assertProblem(await op.post('/api/v1/super-admin/admins', { name: 'x', email: 'bad', password: 'short' }), 400, ['email', 'password']);
    const link = await op.post(`/api/v1/super-admin/admins/${created.body.id}/reset-password`);
    assert.equal(link.status, 201);
    assert.equal((await anon.get(`/api/v1/password-resets/${tokenOf(link.body.url)}`)).body.kind, 'super_admin');
    assert.equal((await anon.post(`/api/v1/password-resets/${tokenOf(link.body.url)}`, { password: 'dua dua dua dua' })).status, 200);
    const login = await anon.post('/api/v1/super-admin/auth/login', { email: 'dua@omnistream.test', password: 'dua dua dua dua' });
    assert.equal(login.status, 200);
    const dua = anon.as({ token: login.body.token });
    assertProblem(await op.delete(`/api/v1/super-admin/admins/${me.id}`), 409);
    assert.equal((await dua.delete(`/api/v1/super-admin/admins/${me.id}`)).status, 204);
    assertProblem(await dua.delete(`/api/v1/super-admin/admins/${created.body.id}`), 409, []);
    assertProblem(await op.get('/api/v1/super-admin/admins'), 401);
    assertProblem(await dua.delete(`/api/v1/super-admin/admins/${MISSING}`), 404);
    assertProblem(await dua.post(`/api/v1/super-admin/admins/${MISSING}/reset-password`), 404);
    // Put the first operator back for the tests that follow.
    const back = await dua.post('/api/v1/super-admin/admins', {
      name: 'Root',
      email: 'root2@omnistream.test',
      password: 'super-secret-password',
    });
    op = anon.as({
      token: (await anon.post('/api/v1/super-admin/auth/login', { email: back.body.email, password: 'super-secret-password' })).body.token,
    });
  });

  it('deletes softly: suspended at once, restorable, then purged with its media after the grace period', async () => {
    const t = await registerTenant(anon, 'Toko Dihapus');
    const keep = await registerTenant(anon, 'Toko Tetap');
    assert.equal((await t.api.post('/api/v1/divisions', { name: 'Gudang' })).status, 201);
    const media = join(server.dataDir, 'media', t.tenant.id, '2026-12');
    mkdirSync(media, { recursive: true });
    writeFileSync(join(media, 'x.jpg'), 'bytes');

    const deleted = await op.delete(`/api/v1/super-admin/tenants/${t.tenant.id}`);
    assert.equal(deleted.status, 200);
    assert.equal(deleted.body.status, 'suspended');
    assert.equal(new Date(deleted.body.purgeAt).getTime() - clock.now().getTime(), 30 * 24 * 3600_000);
    assertProblem(await t.api.get('/api/v1/auth/me'), 403);
    assert.equal((await op.delete(`/api/v1/super-admin/tenants/${t.tenant.id}`)).body.purgeAt, deleted.body.purgeAt, 'again: unchanged');
    assert.ok(
      (await op.get('/api/v1/super-admin/tenants?status=deleted')).body.data.some((x: any) => x.id === t.tenant.id),
      'listed as deleted',
    );
    // Restored within the grace period: the scheduled purge does nothing.
    const restored = await op.patch(`/api/v1/super-admin/tenants/${t.tenant.id}`, { status: 'active' });
    assert.deepEqual([restored.body.status, restored.body.deletedAt], ['active', null]);
    await runJob(server.appliance, 'super-admin.purge-tenant', { tenantId: t.tenant.id });
    assert.equal((await t.api.get('/api/v1/divisions')).status, 200);

    // Deleted again; after the grace period the durable job purges it.
    await op.delete(`/api/v1/super-admin/tenants/${t.tenant.id}`);
    await runJob(server.appliance, 'super-admin.purge-tenant', { tenantId: t.tenant.id });
    assert.equal((await op.get(`/api/v1/super-admin/tenants/${t.tenant.id}`)).status, 200, 'too early: still there');
    clock.advance(30 * 24 * 3600_000 + 60_000);
    server.appliance.jobs.nudge();
    await settle(server.appliance);
    assertProblem(await op.get(`/api/v1/super-admin/tenants/${t.tenant.id}`), 404);
    assert.equal(existsSync(join(server.dataDir, 'media', t.tenant.id)), false, 'media removed');
    assertProblem(await anon.post('/api/v1/auth/login', { email: t.email, password: t.password }), 401);
    assert.equal((await keep.api.get('/api/v1/auth/me')).status, 200, 'other organizations untouched');
    assertProblem(await op.delete(`/api/v1/super-admin/tenants/${MISSING}`), 404);
  });
});
