import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  cloudflareProvider,
  findExecutable,
  ngrokProvider,
  publicUrlProvider,
  QUICK_TUNNEL_URL,
  TunnelSupervisor,
  webhookCallbackUrl,
  type NgrokSdk,
  type TunnelStatus,
} from '../../server/platform/tunnel.js';

const fakeCloudflared = fileURLToPath(new URL('../support/fixtures/fake-cloudflared.mjs', import.meta.url));
const fakeBin = fileURLToPath(new URL('../support/fixtures/bin', import.meta.url));

const waitFor = async (what: string, check: () => boolean, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('tunnel providers', () => {
  it("recognises the quick tunnel URL in cloudflared's box", () => {
    const line = '2024-11-26T02:00:00Z INF |  https://seasonal-harbor-batik-kopi.trycloudflare.com                                  |';
    assert.equal(QUICK_TUNNEL_URL.exec(line)?.[0], 'https://seasonal-harbor-batik-kopi.trycloudflare.com');
    assert.equal(QUICK_TUNNEL_URL.exec('INF Requesting new quick Tunnel on trycloudflare.com...'), null);
  });

  it('finds cloudflared on the PATH, and says so clearly when it is missing', async () => {
    assert.equal(findExecutable('cloudflared', { PATH: [fakeBin, '/nonexistent'].join(delimiter) }), join(fakeBin, 'cloudflared'));
    assert.equal(findExecutable('cloudflared', { PATH: '/nonexistent' }), null);
    await assert.rejects(cloudflareProvider({ env: { PATH: '/nonexistent' } }).start(1234), /cloudflared is not installed/);
  });

  it('public URL: reports the configured address; refuses to start without one', async () => {
    const handle = await publicUrlProvider('https://crm.toko.example/').start(3000);
    assert.equal(handle.url, 'https://crm.toko.example');
    assert.equal(webhookCallbackUrl(handle.url), 'https://crm.toko.example/api/v1/webhooks/meta');
    await handle.stop();
    assert.equal(await handle.exited, 'stopped');
    await assert.rejects(publicUrlProvider(null).start(3000), /No public URL/);
  });

  it('ngrok: forwards the port with the auth token through the SDK and reports its URL and outages', async () => {
    const calls: unknown[] = [];
    let statusChange: ((s: string) => void) | undefined;
    let closed = false;
    const sdk: NgrokSdk = {
      async forward(config) {
        calls.push({ ...config, onStatusChange: typeof config.onStatusChange });
        statusChange = config.onStatusChange;
        return {
          url: () => 'https://abcd-1234.ngrok-free.app',
          close: async () => {
            closed = true;
          },
        };
      },
    };
    await assert.rejects(ngrokProvider({ authtoken: null, load: async () => sdk }).start(3000), /auth token/);
    const handle = await ngrokProvider({ authtoken: 'tok_123', domain: 'toko.ngrok.app', load: async () => sdk }).start(3000);
    assert.deepEqual(calls, [{ addr: 3000, proto: 'http', authtoken: 'tok_123', domain: 'toko.ngrok.app', onStatusChange: 'function' }]);
    assert.equal(handle.url, 'https://abcd-1234.ngrok-free.app');
    const seen: boolean[] = [];
    handle.onConnectionChange?.((connected) => seen.push(connected));
    statusChange?.('closed');
    statusChange?.('connected');
    assert.deepEqual(seen, [false, true]);
    await handle.stop();
    assert.equal(closed, true);
  });
});

describe('tunnel supervisor', () => {
  it('parses the URL a cloudflared stand-in prints, notices when it dies and restarts it with growing backoff', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'tunnel-')), 'runs.log');
    const supervisor = new TunnelSupervisor({ port: 4567, initialBackoffMs: 100, maxBackoffMs: 1000, stableMs: 60_000 });
    const statuses: TunnelStatus[] = [];
    const restarts: { delayMs: number; reason: string }[] = [];
    supervisor.on('status', (s: TunnelStatus) => statuses.push(s));
    supervisor.on('restart', (r) => restarts.push(r));
    await supervisor.use(
      cloudflareProvider({
        command: fakeCloudflared,
        env: { ...process.env, FAKE_CLOUDFLARED_LOG: log, FAKE_CLOUDFLARED_LIFETIME_MS: '300' },
      }),
    );

    await waitFor('three runs', () => restarts.length >= 3 && supervisor.status().state === 'up');
    const runs = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' '));
    assert.ok(runs.length >= 3);
    // It was started the way cloudflared runs a quick tunnel to this server.
    assert.equal(runs[0].slice(2).join(' '), 'tunnel --no-autoupdate --url http://127.0.0.1:4567');
    // Every URL a run printed was reported while that run was up, and each run had a new one.
    const upUrls = statuses.filter((s) => s.state === 'up').map((s) => s.publicUrl);
    for (const [, url] of runs.slice(0, 3)) assert.ok(upUrls.includes(url), `${url} reported`);
    assert.equal(new Set(runs.map((r) => r[1])).size, runs.length);
    // Each death was noticed (state down with cloudflared's last words), then a restart after a doubling delay.
    assert.ok(statuses.some((s) => s.state === 'down' && /cloudflared exited \(code 1\): Connection terminated/.test(s.error ?? '')));
    assert.deepEqual(
      restarts.slice(0, 3).map((r) => r.delayMs),
      [100, 200, 400],
    );
    assert.ok(supervisor.status().restarts >= 3);

    const { publicUrl } = supervisor.status();
    const current = runs.find((r) => r[1] === publicUrl);
    assert.ok(current, 'the running stand-in is the one whose URL is reported');
    const pid = Number(current[0]);
    await supervisor.stop();
    assert.equal(supervisor.status().state, 'off');
    await waitFor('the stand-in to be gone', () => !alive(pid), 3000);
    const count = readFileSync(log, 'utf8').trim().split('\n').length;
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(readFileSync(log, 'utf8').trim().split('\n').length, count, 'no restart after stop');
  });

  it('retries a tunnel that fails before giving a URL, and resets the backoff after a stable run', async () => {
    const supervisor = new TunnelSupervisor({ port: 4568, initialBackoffMs: 50, maxBackoffMs: 200 });
    const restarts: number[] = [];
    supervisor.on('restart', (r: { delayMs: number }) => restarts.push(r.delayMs));
    await supervisor.use(cloudflareProvider({ command: fakeCloudflared, env: { ...process.env, FAKE_CLOUDFLARED_MODE: 'fail' } }));
    await waitFor('four failed starts', () => restarts.length >= 4);
    await supervisor.stop();
    assert.deepEqual(restarts.slice(0, 4), [50, 100, 200, 200], 'doubling, capped at maxBackoffMs');
    assert.match(supervisor.status().state, /off/);

    // A run that stayed up longer than stableMs starts the backoff over.
    const stable = new TunnelSupervisor({ port: 4569, initialBackoffMs: 100, stableMs: 50 });
    const delays: number[] = [];
    stable.on('restart', (r: { delayMs: number }) => delays.push(r.delayMs));
    await stable.use(cloudflareProvider({ command: fakeCloudflared, env: { ...process.env, FAKE_CLOUDFLARED_LIFETIME_MS: '150' } }));
    await waitFor('three restarts', () => delays.length >= 3);
    await stable.stop();
    assert.deepEqual(delays.slice(0, 3), [100, 100, 100]);
  });

  it('reports an unavailable provider without retrying, and stops a tunnel that is still starting', async () => {
    const supervisor = new TunnelSupervisor({ port: 4570, initialBackoffMs: 50 });
    await supervisor.use(cloudflareProvider({ env: { PATH: '/nonexistent' } }));
    await waitFor('unavailable', () => supervisor.status().state === 'unavailable');
    assert.match(supervisor.status().error ?? '', /not installed/);
    await supervisor.use(publicUrlProvider('https://crm.toko.example'));
    await waitFor('up', () => supervisor.status().state === 'up');
    assert.equal(supervisor.status().provider, 'public-url');
    assert.equal(supervisor.status().publicUrl, 'https://crm.toko.example');

    const log = join(mkdtempSync(join(tmpdir(), 'tunnel-')), 'runs.log');
    await supervisor.use(cloudflareProvider({ command: fakeCloudflared, env: { ...process.env, FAKE_CLOUDFLARED_LOG: log } }));
    assert.equal(supervisor.status().state, 'starting');
    await supervisor.stop(); // before the stand-in printed its URL
    assert.equal(supervisor.status().state, 'off');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(existsSync(log), false, 'the starting stand-in was killed before it printed a URL');
  });
});
