// Security finding 1: any organization managed the whole appliance. A self-registered organization's
// owner listed and deleted everyone's backups, turned nightly backups off, read the Meta verify
// token, repointed the tunnel and staged a restore that would roll back every tenant. These are the
// operator's now: a super-admin, or the desktop window on this PC with the installation's key.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import { startServer, type TestServer } from '../support/server.js';
import {
  Api,
  assertProblem,
  createAgent,
  desktopWindow,
  registerTenant,
  superAdmin,
  TEST_OPERATOR_KEY,
  type Tenant,
} from '../support/http.js';

const VERIFY_TOKEN = 'appliance-verify-token-do-not-leak';

describe('appliance routes belong to the operator', () => {
  let server: TestServer;
  let anonymous: Api;
  let attacker: Tenant;
  let op: Api;
  let backupName: string;

  before(async () => {
    server = await startServer({ OMNISTREAM_OPERATOR_KEY: TEST_OPERATOR_KEY, META_VERIFY_TOKEN: VERIFY_TOKEN });
    anonymous = new Api(server.url);
    op = await superAdmin(anonymous);
    const created = await op.post('/api/v1/appliance/backups');
    assert.equal(created.status, 201, JSON.stringify(created.body));
    backupName = created.body.name;
    // Registration is public: the attacker is the owner of an organization of their own.
    attacker = await registerTenant(anonymous, 'Attacker Org');
  });
  after(() => server.stop());

  const backupFile = () => join(server.dataDir, 'backups', backupName);
  const applianceFile = () => JSON.parse(readFileSync(join(server.dataDir, 'appliance.json'), 'utf8'));

  it("refuses every appliance route to a self-registered organization's owner, and nothing changes", async () => {
    const before = applianceFile();
    const attempts: [string, string, unknown?][] = [
      ['GET', '/api/v1/appliance/operator'],
      ['GET', '/api/v1/appliance/lan'],
      ['GET', '/api/v1/appliance/backups'],
      ['POST', '/api/v1/appliance/backups'],
      ['DELETE', `/api/v1/appliance/backups/${backupName}`],
      ['PUT', '/api/v1/appliance/backup-settings', { enabled: false }],
      ['GET', '/api/v1/appliance/backup-settings'],
      ['GET', '/api/v1/appliance/tunnel'],
      ['PUT', '/api/v1/appliance/tunnel', { provider: 'public-url', publicUrl: 'https://attacker.example' }],
      ['POST', '/api/v1/appliance/tunnel/test'],
      ['POST', `/api/v1/appliance/backups/${backupName}/restore`, { force: true }],
      ['DELETE', '/api/v1/appliance/pending-restore'],
    ];
    // The owner's session token, the same as a cookie, and an API key of theirs.
    const key = await attacker.api.post('/api/v1/api-keys', { name: 'attack' });
    assert.equal(key.status, 201, JSON.stringify(key.body));
    const asCookie = anonymous.as({ cookie: `omnistream_token=${attacker.token}` });
    const asKey = anonymous.as({ apiKey: key.body.key });
    for (const [method, path, body] of attempts) {
      for (const client of [attacker.api, asCookie, asKey]) {
        const res = await client.request(method, path, body ?? (method === 'GET' || method === 'DELETE' ? undefined : {}));
        assertProblem(res, 403);
        assert.match(res.body.detail, /operator/);
        assert.ok(!JSON.stringify(res.body).includes(VERIFY_TOKEN), 'the verify token is never in the answer');
      }
      assertProblem(await anonymous.request(method, path, body ?? (method === 'GET' || method === 'DELETE' ? undefined : {})), 401);
    }
    assert.ok(existsSync(backupFile()), 'the backup is still there');
    const afterwards = applianceFile();
    assert.equal(afterwards.backups.enabled, true, 'nightly backups are still on');
    assert.deepEqual(afterwards.tunnel, before.tunnel, 'the tunnel was not repointed');
    assert.equal((await op.get('/api/v1/appliance/backup-settings')).body.pendingRestore, null, 'no restore was staged');
    assert.equal((await op.get('/api/v1/appliance/backups')).body.data.length, 1, 'no backup was added either');
  });

  it('lets a super-admin do all of it', async () => {
    assert.deepEqual((await op.get('/api/v1/appliance/operator')).body, { operator: 'super-admin' });
    assert.equal((await op.get('/api/v1/appliance/tunnel')).body.verifyToken, VERIFY_TOKEN);
    const off = await op.put('/api/v1/appliance/backup-settings', { enabled: false });
    assert.equal(off.status, 200);
    assert.equal(off.body.enabled, false);
    assert.equal((await op.put('/api/v1/appliance/backup-settings', { enabled: true })).body.enabled, true);
    const staged = await op.post(`/api/v1/appliance/backups/${backupName}/restore`, {});
    assert.equal(staged.status, 202, JSON.stringify(staged.body));
    assert.equal((await op.delete('/api/v1/appliance/pending-restore')).status, 204);
  });

  it('lets the desktop window on this computer do it with the operator key, even with a tenant session in the window', async () => {
    const window = desktopWindow(anonymous);
    assert.deepEqual((await window.get('/api/v1/appliance/operator')).body, { operator: 'desktop' });
    assert.equal((await window.get('/api/v1/appliance/backups')).status, 200);
    assert.equal((await window.get('/api/v1/appliance/tunnel')).body.verifyToken, VERIFY_TOKEN);
    // The owner signed in to the desktop window: the window is still the operator.
    const signedInWindow = desktopWindow(anonymous.as({ cookie: `omnistream_token=${attacker.token}` }));
    assert.equal((await signedInWindow.get('/api/v1/appliance/backup-settings')).status, 200);
    const extra = await window.post('/api/v1/appliance/backups');
    assert.equal(extra.status, 201);
    assert.equal((await window.delete(`/api/v1/appliance/backups/${extra.body.name}`)).status, 204);
  });

  it('refuses a wrong key, and the right key when it was forwarded (a proxy or tunnel) rather than sent from this computer', async () => {
    const wrong = await desktopWindow(anonymous, 'x'.repeat(48)).get('/api/v1/appliance/backups');
    assertProblem(wrong, 401);
    // Even a wrong key next to an owner's token does not fall back to the token.
    assertProblem(await desktopWindow(attacker.api, 'nope').get('/api/v1/appliance/backups'), 401);
    for (const forwarded of <Record<string, string>[]>[
      { 'x-forwarded-for': '203.0.113.7' },
      { forwarded: 'for=203.0.113.7' },
      { 'x-real-ip': '192.168.1.50' },
      { 'cf-connecting-ip': '203.0.113.7' },
    ]) {
      const res = await desktopWindow(anonymous).request('GET', '/api/v1/appliance/backups', undefined, forwarded);
      assertProblem(res, 401);
      assert.match(res.body.detail, /this computer/);
    }
    assert.ok(existsSync(backupFile()));
  });

  it('documents the operator routes and their access in /openapi.json', async () => {
    const doc = (await anonymous.get('/openapi.json')).body;
    for (const [path, method] of [
      ['/api/v1/appliance/backups', 'get'],
      ['/api/v1/appliance/backups/{name}', 'delete'],
      ['/api/v1/appliance/tunnel', 'put'],
      ['/api/v1/appliance/backup-settings', 'put'],
    ] as const) {
      const op = doc.paths[path][method];
      assert.equal(op['x-access'], 'operator', `${method} ${path}`);
      assert.deepEqual(op.security, [{ superAdminAuth: [] }, { operatorKey: [] }]);
      assert.ok(op.responses['401'] && op.responses['403']);
      assert.match(op.description, /Operator only/);
    }
    assert.equal(doc.components.securitySchemes.operatorKey.name, 'X-OmniStream-Operator-Key');
  });
});

describe('without a desktop shell (headless), the key opens nothing', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server.stop());

  it('answers 401 to any operator key, and the super-admin still works', async () => {
    const anonymous = new Api(server.url);
    assertProblem(await desktopWindow(anonymous).get('/api/v1/appliance/backups'), 401);
    assert.equal((await (await superAdmin(anonymous)).get('/api/v1/appliance/backups')).status, 200);
  });
});

describe("an organization's owner keeps a way to take their own data", () => {
  let server: TestServer;
  let a: Tenant;
  let b: Tenant;

  before(async () => {
    server = await startServer();
    const anonymous = new Api(server.url);
    a = await registerTenant(anonymous, 'Toko Alfa');
    b = await registerTenant(anonymous, 'Toko Beta');
    assert.equal((await a.api.post('/api/v1/quick-replies', { shortcut: 'halo', body: 'Halo dari Alfa' })).status, 201);
    assert.equal((await b.api.post('/api/v1/quick-replies', { shortcut: 'halo', body: 'Halo dari Beta' })).status, 201);
  });
  after(() => server.stop());

  it("exports the owner's organization only, without password hashes", async () => {
    const res = await fetch(`${server.url}/api/v1/organization/export`, { headers: { authorization: `Bearer ${a.token}` } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/gzip');
    assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="omnistream-toko-alfa-\d{4}-\d{2}-\d{2}\.tar\.gz"/);
    const dir = mkdtempSync(join(tmpdir(), 'omnistream-export-'));
    writeFileSync(join(dir, 'export.tar.gz'), Buffer.from(await res.arrayBuffer()));
    await tar.x({ file: join(dir, 'export.tar.gz'), cwd: dir });
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    assert.equal(manifest.organization.id, a.tenant.id);
    assert.ok(manifest.tables.users >= 1 && manifest.tables.quick_replies === 1);
    const lines = (table: string) =>
      readFileSync(join(dir, 'data', `${table}.jsonl`), 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines('tenants').map((t) => t.id),
      [a.tenant.id],
    );
    assert.deepEqual(
      lines('quick_replies').map((q) => q.body),
      ['Halo dari Alfa'],
    );
    const users = lines('users');
    assert.deepEqual(
      users.map((u) => u.email),
      [a.email],
    );
    assert.ok(!('passwordHash' in users[0]));
    const everything = readdirSync(join(dir, 'data'))
      .map((f) => readFileSync(join(dir, 'data', f), 'utf8'))
      .join('\n');
    assert.ok(!everything.includes(b.tenant.id), "no row of the other organization's");
    assert.ok(!everything.includes('Halo dari Beta'));
    assert.ok(!everything.includes('$argon2'), 'no password hash');
  });

  it('is for the owner only: an admin gets 403, nobody signed in 401', async () => {
    const admin = await createAgent(a.api, 'admin');
    assertProblem(await admin.api.get('/api/v1/organization/export'), 403);
    assertProblem(await new Api(server.url).get('/api/v1/organization/export'), 401);
  });
});
