// The appliance settings API: LAN access, tunnel, backups; and LAN-origin sessions.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { networkInterfaces } from 'node:os';
import { readFileSync, truncateSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type TestServer } from '../support/server.js';
import { Api, assertProblem, createAgent, registerTenant, superAdmin, type Tenant } from '../support/http.js';

const fakeBin = fileURLToPath(new URL('../support/fixtures/bin', import.meta.url));

async function eventually<T>(what: string, check: () => Promise<T | null | undefined | false>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('appliance API', () => {
  let server: TestServer;
  let owner: Tenant;
  let agent: Api;
  let anonymous: Api;
  /** The appliance's operator (a super-admin): these are appliance-wide settings. */
  let op: Api;
  const savedEnv = {
    PATH: process.env.PATH,
    OMNISTREAM_MDNS: process.env.OMNISTREAM_MDNS,
    FAKE_CLOUDFLARED_LIFETIME_MS: process.env.FAKE_CLOUDFLARED_LIFETIME_MS,
  };

  before(async () => {
    // Listen on all interfaces like the appliance does, but announce nothing on the real network.
    process.env.OMNISTREAM_MDNS = 'off';
    server = await startServer({ HOST: '0.0.0.0', META_VERIFY_TOKEN: 'verify-token-from-env' });
    anonymous = new Api(server.url);
    owner = await registerTenant(anonymous, 'Toko Appliance');
    agent = (await createAgent(owner.api, 'agent')).api;
    op = await superAdmin(anonymous);
  });

  after(async () => {
    await server?.stop();
    Object.assign(process.env, savedEnv);
    for (const [k, v] of Object.entries(savedEnv)) if (v === undefined) delete process.env[k];
  });

  const put = (api: Api, path: string, body: unknown) => api.request('PUT', path, body);

  it("every appliance route is the operator's: anonymous 401, an organization's owner and agent 403", async () => {
    const routes: [string, string][] = [
      ['GET', '/api/v1/appliance/lan'],
      ['GET', '/api/v1/appliance/tunnel'],
      ['PUT', '/api/v1/appliance/tunnel'],
      ['POST', '/api/v1/appliance/tunnel/test'],
      ['GET', '/api/v1/appliance/backups'],
      ['POST', '/api/v1/appliance/backups'],
      ['POST', '/api/v1/appliance/backups/omnistream-backup-20241126T020000000Z-manual-abcd.tar.gz/restore'],
      ['DELETE', '/api/v1/appliance/backups/omnistream-backup-20241126T020000000Z-manual-abcd.tar.gz'],
      ['DELETE', '/api/v1/appliance/pending-restore'],
      ['GET', '/api/v1/appliance/backup-settings'],
      ['PUT', '/api/v1/appliance/backup-settings'],
    ];
    for (const [method, path] of routes) {
      assertProblem(await anonymous.request(method, path, method === 'GET' || method === 'DELETE' ? undefined : {}), 401);
      for (const tenantUser of [agent, owner.api]) {
        const denied = await tenantUser.request(method, path, method === 'GET' || method === 'DELETE' ? undefined : {});
        assertProblem(denied, 403);
        assert.match(denied.body.detail, /operator/);
      }
    }
  });

  it('lists the LAN addresses with URLs and a QR code of the preferred one', async () => {
    const res = await op.get('/api/v1/appliance/lan');
    assert.equal(res.status, 200);
    const port = Number(new URL(server.url).port);
    assert.equal(res.body.port, port);
    const external = Object.values(networkInterfaces())
      .flat()
      .filter((i) => i && !i.internal && i.family === 'IPv4' && !i.address.startsWith('169.254.'));
    for (const i of external)
      assert.ok(
        res.body.addresses.some((a: any) => a.address === i!.address && a.url === `http://${i!.address}:${port}/`),
        `${i!.address} listed`,
      );
    assert.ok(!res.body.addresses.some((a: any) => a.address.startsWith('127.')));
    if (external.length) {
      assert.equal(res.body.reachable, true);
      assert.equal(res.body.qr.payload, res.body.preferredUrl);
      assert.match(res.body.qr.svg, /<svg/);
    }
    assert.equal(res.body.mdnsUrl, null, 'mDNS is off in this test');
  });

  it('a browser on the LAN gets a session cookie over plain http and uses it from its LAN origin', async () => {
    const port = new URL(server.url).port;
    const lanOrigin = `http://192.168.1.23:${port}`; // what a phone's browser sends; the request itself stays on loopback
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', host: `192.168.1.23:${port}`, origin: lanOrigin },
      body: JSON.stringify({ email: owner.email, password: owner.password }),
    });
    assert.equal(login.status, 200);
    const cookie = login.headers.get('set-cookie') ?? '';
    assert.match(cookie, /omnistream_token=/);
    assert.match(cookie, /HttpOnly/i);
    assert.match(cookie, /SameSite=Lax/i);
    assert.doesNotMatch(cookie, /;\s*Secure/i, 'no Secure flag over http, or a LAN browser would drop the cookie');
    const me = await fetch(`${server.url}/api/v1/auth/me`, {
      headers: { cookie: cookie.split(';')[0], host: `192.168.1.23:${port}`, origin: lanOrigin },
    });
    assert.equal(me.status, 200);
  });

  it('shows the tunnel, its callback URL and verify token; keeps secrets masked', async () => {
    const initial = await op.get('/api/v1/appliance/tunnel');
    assert.equal(initial.status, 200);
    assert.equal(initial.body.provider, 'none');
    assert.equal(initial.body.status.state, 'off');
    assert.equal(initial.body.callbackUrl, null);
    assert.equal(initial.body.verifyToken, 'verify-token-from-env');
    assert.equal(initial.body.verifyTokenSource, 'env');

    const saved = await put(op, '/api/v1/appliance/tunnel', {
      provider: 'public-url',
      publicUrl: 'https://crm.toko.example/',
      ngrokAuthtoken: '2abcDEFghiJKLmnoPQRstu_secret9876',
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.equal(saved.body.publicUrl, 'https://crm.toko.example');
    assert.equal(saved.body.ngrokAuthtoken, '••••9876');
    const up = await eventually('public-url up', async () => {
      const r = await op.get('/api/v1/appliance/tunnel');
      return r.body.status.state === 'up' && r.body;
    });
    assert.equal(up.callbackUrl, 'https://crm.toko.example/api/v1/webhooks/meta');
    assert.ok(!JSON.stringify(up).includes('secret9876'), 'the token never leaves in full');
    const file = JSON.parse(readFileSync(join(server.dataDir, 'appliance.json'), 'utf8'));
    assert.equal(file.tunnel.ngrokAuthtoken, '2abcDEFghiJKLmnoPQRstu_secret9876', 'kept in the data dir file');
  });

  it('validates tunnel settings, naming the field', async () => {
    assertProblem(await put(op, '/api/v1/appliance/tunnel', { provider: 'carrier-pigeon' }), 400, ['provider']);
    assertProblem(await put(op, '/api/v1/appliance/tunnel', { provider: 'public-url', publicUrl: 'ftp://files.example' }), 400, [
      'publicUrl',
    ]);
    assertProblem(await put(op, '/api/v1/appliance/tunnel', { provider: 'public-url', publicUrl: null }), 422, ['publicUrl']);
    assertProblem(await put(op, '/api/v1/appliance/tunnel', { provider: 'ngrok', ngrokAuthtoken: null }), 422, ['ngrokAuthtoken']);
    assertProblem(await put(op, '/api/v1/appliance/tunnel', 'not json'), 400);
  });

  it('runs a Cloudflare quick tunnel when cloudflared is on the PATH, and reports its URL', async () => {
    process.env.PATH = `${fakeBin}${delimiter}${savedEnv.PATH}`;
    process.env.FAKE_CLOUDFLARED_LIFETIME_MS = '600000';
    const res = await put(op, '/api/v1/appliance/tunnel', { provider: 'cloudflare' });
    assert.equal(res.status, 200);
    assert.equal(res.body.cloudflaredPath, join(fakeBin, 'cloudflared'));
    const up = await eventually('quick tunnel up', async () => {
      const r = await op.get('/api/v1/appliance/tunnel');
      return r.body.status.state === 'up' && r.body;
    });
    assert.match(up.status.publicUrl, /^https:\/\/[a-z0-9-]+\.trycloudflare\.com$/);
    assert.equal(up.callbackUrl, `${up.status.publicUrl}/api/v1/webhooks/meta`);

    process.env.PATH = '/nonexistent';
    const missing = await put(op, '/api/v1/appliance/tunnel', { provider: 'cloudflare' });
    assert.equal(missing.body.cloudflaredPath, null);
    const unavailable = await eventually('unavailable', async () => {
      const r = await op.get('/api/v1/appliance/tunnel');
      return r.body.status.state === 'unavailable' && r.body;
    });
    assert.match(unavailable.status.error, /cloudflared is not installed/);
    process.env.PATH = savedEnv.PATH;
  });

  it("tests reachability through the public URL: this appliance, and Meta's verification request", async () => {
    // The "public URL" here is the server's own loopback address, standing in for a reverse proxy.
    await put(op, '/api/v1/appliance/tunnel', { provider: 'public-url', publicUrl: server.url });
    await eventually('up', async () => (await op.get('/api/v1/appliance/tunnel')).body.status.state === 'up');
    const res = await op.post('/api/v1/appliance/tunnel/test');
    assert.equal(res.status, 200);
    const check = (id: string) => res.body.checks.find((c: any) => c.id === id);
    assert.equal(check('tunnel').ok, true);
    assert.equal(check('https').ok, false, 'Meta needs https: flagged');
    assert.equal(check('appliance').ok, true, check('appliance').detail);
    assert.equal(check('meta-verification').ok, true, check('meta-verification').detail);
    assert.equal(res.body.ok, false, 'not ok overall while the URL is plain http');

    // A URL that reaches some other web server is told apart from this appliance.
    const other: Server = createServer((_req, r) => {
      r.setHeader('content-type', 'application/json');
      r.end('{"ok":true}');
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', () => r()));
    const otherUrl = `http://127.0.0.1:${(other.address() as { port: number }).port}`;
    await put(op, '/api/v1/appliance/tunnel', { provider: 'public-url', publicUrl: otherUrl });
    await eventually('up', async () => (await op.get('/api/v1/appliance/tunnel')).body.status.publicUrl === otherUrl);
    const wrong = await op.post('/api/v1/appliance/tunnel/test');
    const appliance = wrong.body.checks.find((c: any) => c.id === 'appliance');
    assert.equal(appliance.ok, false);
    assert.match(appliance.detail, /not from this OmniStream/);
    other.close();

    await put(op, '/api/v1/appliance/tunnel', { provider: 'none' });
    const none = await op.post('/api/v1/appliance/tunnel/test');
    assert.deepEqual(
      none.body.checks.map((c: any) => [c.id, c.ok]),
      [['tunnel', false]],
    );
    // The probe only answers nonces it issued.
    assertProblem(await anonymous.get(`/api/v1/appliance/tunnel/echo/${'0'.repeat(32)}`), 404);
    assertProblem(await anonymous.get('/api/v1/appliance/tunnel/echo/not-a-nonce'), 400);
  });

  it('backs up now, lists backups, changes the schedule, stages and cancels a restore', async () => {
    const created = await op.post('/api/v1/appliance/backups');
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.verified, true);
    assert.equal(created.body.reason, 'manual');
    const list = await op.get('/api/v1/appliance/backups');
    assert.deepEqual(
      list.body.data.map((b: any) => b.name),
      [created.body.name],
    );
    assert.equal(list.body.data[0].foreign, false);

    const settings = await op.get('/api/v1/appliance/backup-settings');
    assert.equal(settings.body.time, '02:00');
    assert.equal(settings.body.keep, 7);
    assert.equal(settings.body.lastResult.ok, true);
    assert.equal(settings.body.pendingRestore, null);
    assertProblem(await put(op, '/api/v1/appliance/backup-settings', { time: '25:00' }), 400, ['time']);
    assertProblem(await put(op, '/api/v1/appliance/backup-settings', { keep: 0 }), 400, ['keep']);
    const changed = await put(op, '/api/v1/appliance/backup-settings', { time: '03:30', keep: 3 });
    assert.equal(changed.status, 200);
    const next = new Date(changed.body.nextRunAt);
    assert.deepEqual([next.getHours(), next.getMinutes()], [3, 30], 'scheduled at 03:30 local time');
    assert.ok(next.getTime() - Date.now() <= 24 * 3600 * 1000);

    const staged = await op.post(`/api/v1/appliance/backups/${created.body.name}/restore`, {});
    assert.equal(staged.status, 202, JSON.stringify(staged.body));
    assert.equal(staged.body.pendingRestore.name, created.body.name);
    assert.equal(staged.body.restartRequested, false, 'no desktop shell supervises this server');
    assert.equal((await op.get('/api/v1/appliance/backup-settings')).body.pendingRestore.name, created.body.name);
    assert.equal((await op.delete('/api/v1/appliance/pending-restore')).status, 204);
    assertProblem(await op.delete('/api/v1/appliance/pending-restore'), 404);

    assertProblem(await op.post('/api/v1/appliance/backups/..%2F..%2Fsecrets.json/restore', {}), 400, ['params.name']);
    assertProblem(await op.post('/api/v1/appliance/backups/omnistream-backup-20200101T000000000Z-manual-abcd.tar.gz/restore', {}), 404);
  });

  it('refuses to stage a damaged backup, with the reason', async () => {
    const created = await op.post('/api/v1/appliance/backups');
    truncateSync(join(server.dataDir, 'backups', created.body.name), 1000);
    const res = await op.post(`/api/v1/appliance/backups/${created.body.name}/restore`, {});
    assertProblem(res, 422);
    assert.equal(res.body.reason, 'corrupt');
    assert.match(res.body.detail, /damaged or truncated/);
    const listed = (await op.get('/api/v1/appliance/backups')).body.data.find((b: any) => b.name === created.body.name);
    assert.equal(listed.verified, false, 'the list shows it changed since it was verified');
    assert.equal((await op.delete(`/api/v1/appliance/backups/${created.body.name}`)).status, 204);
    assertProblem(await op.delete(`/api/v1/appliance/backups/${created.body.name}`), 404);
  });

  it('is documented in the OpenAPI document under the Appliance tag', async () => {
    const doc = (await anonymous.get('/openapi.json')).body;
    assert.equal(doc.paths['/api/v1/appliance/tunnel'].put.tags[0], 'Appliance');
    assert.ok(doc.paths['/api/v1/appliance/backups/{name}/restore'].post);
  });
});
