// Security finding 8: the tunnel exposed everything. The public tunnel forwarded the whole UI and
// API to the internet. Now tunnels target a second, loopback-only listener that serves the webhook
// paths, /health and the pages customers open; the whole UI and API only when the operator turns
// on "expose everything" (off by default). The operator key never counts through it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type TestServer } from '../support/server.js';
import { Api, desktopWindow, registerTenant, superAdmin, TEST_OPERATOR_KEY, type Tenant } from '../support/http.js';
import { eventually } from '../support/whatsapp.js';
import { isPublicPath } from '../../server/platform/public-listener.js';

const fakeBin = fileURLToPath(new URL('../support/fixtures/bin', import.meta.url));

describe('what the public tunnel reaches', () => {
  let server: TestServer;
  let op: Api;
  let owner: Tenant;
  let tunnel: string;
  const savedPath = process.env.PATH;

  before(async () => {
    server = await startServer({ OMNISTREAM_OPERATOR_KEY: TEST_OPERATOR_KEY });
    op = await superAdmin(new Api(server.url));
    owner = await registerTenant(new Api(server.url), 'Toko Tunnel');
    const view = await op.get('/api/v1/appliance/tunnel');
    assert.equal(view.status, 200);
    assert.equal(view.body.exposeEverything, false, 'off by default');
    assert.ok(view.body.tunnelPort > 0 && String(view.body.tunnelPort) !== new URL(server.url).port);
    tunnel = `http://127.0.0.1:${view.body.tunnelPort}`;
  });
  after(async () => {
    process.env.PATH = savedPath;
    await server.stop();
  });

  /** A request as the tunnel delivers it: from loopback, with the forwarding header cloudflared adds. */
  const viaTunnel = (path: string, init: RequestInit = {}) =>
    fetch(tunnel + path, { ...init, headers: { 'x-forwarded-for': '203.0.113.9', ...(init.headers as Record<string, string>) } });

  it('starts cloudflared against the tunnel listener, not the main port', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'omnistream-cf-')), 'runs.log');
    process.env.PATH = `${fakeBin}${delimiter}${savedPath}`;
    process.env.FAKE_CLOUDFLARED_LOG = log;
    process.env.FAKE_CLOUDFLARED_LIFETIME_MS = '600000';
    assert.equal((await op.put('/api/v1/appliance/tunnel', { provider: 'cloudflare' })).status, 200);
    const run = await eventually(async () => {
      try {
        return readFileSync(log, 'utf8').trim();
      } catch {
        return null;
      }
    });
    assert.match(run, new RegExp(`--url ${tunnel.replace(/\./g, '\\.')}$`));
    await op.put('/api/v1/appliance/tunnel', { provider: 'none' });
    delete process.env.FAKE_CLOUDFLARED_LOG;
    delete process.env.FAKE_CLOUDFLARED_LIFETIME_MS;
    process.env.PATH = savedPath;
  });

  it("serves Meta's webhooks, /health and the customers' pages through it", async () => {
    assert.equal((await viaTunnel('/health')).status, 200);
    const verifyToken = (await op.get('/api/v1/appliance/tunnel')).body.verifyToken;
    const handshake = await viaTunnel(
      `/api/v1/webhooks/meta?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(verifyToken)}&hub.challenge=42`,
    );
    assert.equal(handshake.status, 200);
    assert.equal(await handshake.text(), '42');
    const unsigned = await viaTunnel('/api/v1/webhooks/messenger', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.notEqual(unsigned.status, 404, 'the webhook route itself answered');
    // The CSAT rating page and its API exist behind the tunnel (an unknown token is their own 404).
    const page = await viaTunnel('/csat/not-a-real-token');
    assert.notEqual((await page.text()).includes('Not available through the public tunnel'), true);
    const rating = await viaTunnel('/api/v1/csat/not-a-real-token');
    assert.doesNotMatch(await rating.text(), /public tunnel/);
    const status = await viaTunnel(`/api/v1/public/working-hours/${owner.tenant.slug}/status`);
    assert.equal(status.status, 200);
  });

  it('answers 404 for the web UI, the API and the docs by default', async () => {
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', '/settings/appliance'],
      ['GET', '/openapi.json'],
      ['GET', '/docs/'],
      ['POST', '/api/v1/auth/login'],
      ['POST', '/api/v1/auth/register'],
      ['GET', '/api/v1/conversations'],
      ['GET', '/api/v1/appliance/backups'],
      ['GET', '/api/v1/csat/settings'],
      ['GET', '/socket.io/?EIO=4&transport=polling'],
      // Other spellings of a forbidden path.
      ['GET', '/api/v1/webhooks/../auth/me'],
      ['GET', '/api/v1/webhooks/%2e%2e/auth/me'],
      ['GET', '/health/../api/v1/agents'],
      ['GET', '/api/v1/webhooks/meta/..%2f..%2fagents'],
      ['GET', '//api/v1/agents'],
    ]) {
      const res = await viaTunnel(path, {
        method,
        headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
        body: method === 'POST' ? JSON.stringify({ email: owner.email, password: owner.password }) : undefined,
      });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.match(((await res.json()) as { detail: string }).detail, /public tunnel/);
    }
  });

  it('serves everything once the operator exposes it, and never accepts the operator key through it', async () => {
    const on = await op.put('/api/v1/appliance/tunnel', { provider: 'none', exposeEverything: true });
    assert.equal(on.status, 200);
    assert.equal(on.body.exposeEverything, true);
    assert.equal((await viaTunnel('/api/v1/auth/me', { headers: { authorization: `Bearer ${owner.token}` } })).status, 200);
    // Without any forwarding header either: what arrives on the tunnel's listener is never "this computer".
    const key = await fetch(`${tunnel}/api/v1/appliance/backups`, { headers: { 'x-omnistream-operator-key': TEST_OPERATOR_KEY } });
    assert.equal(key.status, 401);
    assert.equal((await desktopWindow(new Api(server.url)).get('/api/v1/appliance/backups')).status, 200, 'on the main port it works');
    const off = await op.put('/api/v1/appliance/tunnel', { provider: 'none', exposeEverything: false });
    assert.equal(off.body.exposeEverything, false);
    assert.equal((await viaTunnel('/api/v1/auth/me', { headers: { authorization: `Bearer ${owner.token}` } })).status, 404);
  });

  it('a tenant cannot change the exposure', async () => {
    const res = await owner.api.put('/api/v1/appliance/tunnel', { provider: 'none', exposeEverything: true });
    assert.equal(res.status, 403);
    assert.equal((await op.get('/api/v1/appliance/tunnel')).body.exposeEverything, false);
  });
});

describe('isPublicPath', () => {
  it('lets through only the public paths, in normal form', () => {
    for (const ok of [
      '/health',
      '/api/v1/webhooks/meta',
      '/api/v1/webhooks/meta?hub.mode=subscribe',
      '/api/v1/webhooks/email',
      '/csat/rating.js',
      '/csat/abcDEF_123-x',
      '/api/v1/csat/abcDEF_123-x',
      '/api/v1/public/working-hours/toko/status',
      `/api/v1/appliance/tunnel/echo/${'a'.repeat(32)}`,
    ])
      assert.equal(isPublicPath(ok), true, ok);
    for (const no of [
      '/',
      '/health/',
      '/healthz',
      '/api/v1/csat/settings',
      '/api/v1/csat/analytics',
      '/api/v1/webhooks/meta/../../agents',
      '/api/v1/webhooks/%2e%2e/agents',
      '/api/v1/webhooks/meta%2f..',
      '/api/v1/webhooks\\..\\agents',
      '/csat/../api/v1/agents',
      'http://evil/api/v1/webhooks/meta',
      '*',
      undefined,
    ])
      assert.equal(isPublicPath(no as string), false, String(no));
  });
});
