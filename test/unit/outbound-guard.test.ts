// The SSRF guard (server/core/net/outbound.ts): schemes, private addresses, redirects re-checked,
// size and time caps, the operator's allowance, and the fetch-compatible variant.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OutboundError, OutboundGuard } from '../../server/core/net/outbound.js';

async function listen(handler: RequestListener): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function refused(promise: Promise<unknown>, reason: OutboundError['reason']): Promise<void> {
  await assert.rejects(promise, (err: unknown) => err instanceof OutboundError && err.reason === reason);
}

describe('outbound guard', () => {
  let local: { server: Server; url: string };
  const strict = new OutboundGuard({ allowedHosts: [], allowPrivate: false });
  const allowLoopback = new OutboundGuard({ allowedHosts: ['127.0.0.1'], allowPrivate: false });
  const allowRange = new OutboundGuard({ allowedHosts: ['127.0.0.0/8'], allowPrivate: false });

  before(async () => {
    local = await listen((req, res) => {
      if (req.url === '/big') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(Buffer.alloc(64 * 1024));
      } else if (req.url === '/stream-big') {
        res.writeHead(200);
        for (let i = 0; i < 64; i++) res.write(Buffer.alloc(1024));
        res.end();
      } else if (req.url === '/slow') {
        setTimeout(() => res.end('late'), 2000);
      } else if (req.url?.startsWith('/redirect-to-')) {
        res.writeHead(302, { location: decodeURIComponent(req.url.slice('/redirect-to-'.length)) });
        res.end();
      } else {
        res.end(JSON.stringify({ ok: true, path: req.url }));
      }
    });
  });
  after(async () => {
    local.server.close();
    await Promise.all([strict.close(), allowLoopback.close(), allowRange.close()]);
  });

  it('refuses schemes other than http and https', async () => {
    await refused(strict.fetch('file:///etc/passwd'), 'scheme');
    await refused(strict.fetch('ftp://example.com/x'), 'scheme');
    await refused(strict.fetch('not a url'), 'scheme');
  });

  it('refuses loopback, private, link-local and mapped addresses by default', async () => {
    for (const url of [
      local.url,
      'http://10.0.0.1/',
      'http://192.168.1.1/',
      'http://172.16.0.1/',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://0.0.0.0/',
      'http://localhost/',
    ]) {
      await refused(strict.fetch(url), 'address');
    }
  });

  it('reaches what the operator allowed, by address or range', async () => {
    const res = await allowLoopback.fetch(`${local.url}/hello`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { ok: true, path: '/hello' });
    assert.equal((await allowRange.fetch(`${local.url}/x`)).status, 200);
  });

  it('checks every redirect again', async () => {
    // Allowed first hop, redirect to a forbidden address.
    const guard = new OutboundGuard({ allowedHosts: ['127.0.0.1'], allowPrivate: false });
    await refused(guard.fetch(`${local.url}/redirect-to-${encodeURIComponent('http://10.1.2.3/')}`), 'address');
    const followed = await guard.fetch(`${local.url}/redirect-to-${encodeURIComponent('/final')}`);
    assert.deepEqual(followed.json(), { ok: true, path: '/final' });
    await refused(guard.fetch(`${local.url}/redirect-to-${encodeURIComponent('/redirect-to-%2Fx')}`, { maxRedirects: 1 }), 'redirect');
    await guard.close();
    // Closing again (an appliance stopped twice, as after a failed restart) is a no-op.
    await guard.close();
  });

  it('caps the body by declared length and by what arrives', async () => {
    await refused(allowLoopback.fetch(`${local.url}/big`, { maxBytes: 1024 }), 'too_large');
    await refused(allowLoopback.fetch(`${local.url}/stream-big`, { maxBytes: 4096 }), 'too_large');
  });

  it('caps the time', async () => {
    await refused(allowLoopback.fetch(`${local.url}/slow`, { timeoutMs: 200 }), 'timeout');
  });

  it('checks hosts for clients that connect themselves (SMTP, IMAP)', async () => {
    await refused(strict.check('smtp://127.0.0.1:25', ['smtp:', 'smtps:']), 'address');
    await refused(strict.check('http://example.com', ['smtp:']), 'scheme');
    assert.equal((await allowLoopback.check('smtp://127.0.0.1:25', ['smtp:'])).hostname, '127.0.0.1');
  });

  it('offers a fetch-compatible function under the same rules', async () => {
    const guardedFetch = allowLoopback.fetchFunction();
    const res = await guardedFetch(`${local.url}/api`, { method: 'POST', body: '{}' });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: true, path: '/api' });
    await refused(strict.fetchFunction()(`${local.url}/api`), 'address');
  });
});
