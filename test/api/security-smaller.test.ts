// Security finding 9 (this part): the email webhook read a wrong secret's 30 MB body before refusing
// it; configuration errors echoed secret values; Socket.IO reflected any Origin with credentials;
// division visibility did not hold for media downloads, clientMessageId lookups and cancelling a
// scheduled message.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connectSocket } from 'socket.io-client';
import sharp from 'sharp';
import { startServer, type TestServer } from '../support/server.js';
import { Api, assertProblem, createAgent, registerTenant, type Tenant } from '../support/http.js';
import { connectEmail, postEmail } from '../support/meta-channels.js';
import { connectWhatsApp, eventually, postWebhook, waPayload, wamid, type WaAccount } from '../support/whatsapp.js';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { settle } from '../support/settle.js';
import { ConfigError, loadConfig } from '../../server/config.js';

describe('the email webhook refuses a wrong secret before reading the body', () => {
  let server: TestServer;
  let mailbox: Awaited<ReturnType<typeof connectEmail>>;

  before(async () => {
    server = await startServer();
    const owner = await registerTenant(new Api(server.url), 'Toko Surat');
    mailbox = await connectEmail(owner.api, 'cs@surat.example');
  });
  after(() => server.stop());

  /** Announces a 30 MB body, sends 1 KB of it, and waits for the answer while holding the rest back. */
  function postHuge(secret: string | undefined, contentType: string): Promise<{ status: number; body: string }> {
    const { port } = new URL(server.url);
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { 'content-type': contentType, 'content-length': 30 * 1024 * 1024 };
      if (secret !== undefined) headers['x-webhook-secret'] = secret;
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/api/v1/webhooks/email', headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => {
          body += c;
        });
        res.on('end', () => {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, body });
        });
      });
      req.on('error', (err) => {
        if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(err);
      });
      req.write(Buffer.alloc(1024, 'a'));
      // The remaining 30 MB are never sent: only an answer given before reading them arrives.
    });
  }

  it('answers 401 to a wrong or missing secret while the body is still arriving', async () => {
    for (const [secret, type] of [
      ['wrong-secret-0123456789', 'message/rfc822'],
      [undefined, 'message/rfc822'],
      ['wrong-secret-0123456789', 'application/json'],
    ] as const) {
      const res = await postHuge(secret, type);
      assert.equal(res.status, 401, `${secret} ${type}`);
      assert.match(JSON.parse(res.body).detail, /X-Webhook-Secret/);
    }
  });

  it('still takes an email with the right secret', async () => {
    const res = await postEmail(
      server.url,
      { from: 'A <a@example.com>', to: mailbox.address, subject: 'Hi', text: 'Halo' },
      mailbox.inboundSecret,
    );
    assert.equal(res.status, 200);
  });
});

describe('configuration errors never echo secret values', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'omnistream-config-'));
  const messageOf = (env: Record<string, string>) => {
    try {
      loadConfig({ OMNISTREAM_DATA_DIR: dir(), ...env });
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      return err.message;
    }
    assert.fail('expected a configuration error');
  };

  it('names the variable but hides the value', () => {
    const password = messageOf({ SUPER_ADMIN_PASSWORD: 'hunter2' });
    assert.match(password, /^Invalid configuration: SUPER_ADMIN_PASSWORD=\(hidden, 7 characters\)/);
    assert.ok(!password.includes('hunter2'));
    const key = messageOf({ OMNISTREAM_OPERATOR_KEY: 'too-short-key' });
    assert.match(key, /OMNISTREAM_OPERATOR_KEY=\(hidden/);
    assert.ok(!key.includes('too-short-key'));
    const smtp = messageOf({ SMTP_URL: 'http://user:p4ssw0rd@mail.example' });
    assert.match(smtp, /SMTP_URL/);
    assert.ok(!smtp.includes('p4ssw0rd'));
    const db = messageOf({ DATABASE_URL: 'postgres://app:s3cr3t-db-pw@db.example/omni' });
    assert.match(db, /DATABASE_URL="postgres:\/\/\*\*\*@db\.example\/omni"/);
    assert.ok(!db.includes('s3cr3t-db-pw'));
    const url = messageOf({ LLM_BASE_URL: 'not a url with sk-live-secret' });
    assert.match(url, /LLM_BASE_URL/);
  });

  it('does not quote a broken config.json, which may hold secrets', () => {
    const data = dir();
    writeFileSync(join(data, 'config.json'), '{"META_APP_SECRET": "app-secret-value-123", oops}');
    try {
      loadConfig({ OMNISTREAM_DATA_DIR: data });
      assert.fail('expected a configuration error');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /config\.json is not valid JSON/);
      assert.ok(!err.message.includes('app-secret-value-123'), err.message);
    }
  });

  it('never takes the operator key from config.json (the data dir is not the desktop shell)', () => {
    const data = dir();
    writeFileSync(join(data, 'config.json'), JSON.stringify({ OMNISTREAM_OPERATOR_KEY: 'k'.repeat(40) }));
    assert.equal(loadConfig({ OMNISTREAM_DATA_DIR: data }).OMNISTREAM_OPERATOR_KEY, undefined);
  });
});

describe('Socket.IO only takes sessions from its own origin', () => {
  let server: TestServer;
  let owner: Tenant;

  before(async () => {
    server = await startServer({ ALLOWED_ORIGINS: 'https://crm.toko.example' });
    owner = await registerTenant(new Api(server.url), 'Toko Soket');
  });
  after(() => server.stop());

  /** Connects like a browser page at `origin` would, with the session cookie. */
  function connectFrom(origin: string, transport: 'websocket' | 'polling'): Promise<'connected' | string> {
    const socket = connectSocket(server.url, {
      transports: [transport],
      reconnection: false,
      extraHeaders: { origin, cookie: `omnistream_token=${owner.token}` },
    });
    return new Promise((resolve) => {
      socket.once('connect', () => {
        socket.close();
        resolve('connected');
      });
      socket.once('connect_error', (err) => {
        socket.close();
        resolve(err.message);
      });
    });
  }

  it('refuses a foreign Origin, over WebSocket and polling', async () => {
    for (const transport of ['websocket', 'polling'] as const) {
      assert.notEqual(await connectFrom('http://evil.example', transport), 'connected', transport);
      assert.notEqual(await connectFrom('null', transport), 'connected', transport);
    }
  });

  it('does not reflect a foreign Origin in CORS headers', async () => {
    const res = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, {
      headers: { origin: 'http://evil.example', cookie: `omnistream_token=${owner.token}` },
    });
    assert.notEqual(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
    assert.notEqual(res.headers.get('access-control-allow-credentials'), 'true');
  });

  it('takes its own origin (as the LAN, localhost or the tunnel host), and the allowed ones', async () => {
    assert.equal(await connectFrom(server.url, 'websocket'), 'connected');
    assert.equal(await connectFrom(server.url, 'polling'), 'connected');
    assert.equal(await connectFrom('https://crm.toko.example', 'websocket'), 'connected');
    const res = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: 'https://crm.toko.example' } });
    assert.equal(res.headers.get('access-control-allow-origin'), 'https://crm.toko.example');
  });
});

describe('division visibility holds for media, clientMessageId and scheduled messages', () => {
  let server: TestServer;
  let graph: FakeGraph;
  let owner: Tenant;
  let wa: WaAccount;
  let agent: Api;
  let n = 0;
  let hidden: any;
  let mine: any;

  async function newConversation() {
    const from = `62815${String(++n).padStart(8, '0')}`;
    await postWebhook(
      server.url,
      waPayload('wa-text.json', wa.phoneNumberId, { from, message: { id: wamid('V'), text: { body: 'Halo' } } }),
      wa.appSecret,
    );
    const conv = await eventually(
      async () => (await owner.api.get('/api/v1/conversations?limit=200')).body.data.find((c: any) => c.contact.phone === `+${from}`),
      5000,
    );
    await settle(server.appliance);
    return { ...conv, from };
  }

  before(async () => {
    graph = await startFakeGraph();
    server = await startServer({ META_GRAPH_URL: graph.url });
    owner = await registerTenant(new Api(server.url), 'Toko Divisi');
    wa = await connectWhatsApp(owner.api, '800000000000008');
    const created = await createAgent(owner.api, 'agent');
    agent = created.api;
    const sales = (await owner.api.post('/api/v1/divisions', { name: 'Sales', agentIds: [created.agent.id] })).body;
    const finance = (await owner.api.post('/api/v1/divisions', { name: 'Finance' })).body;
    mine = await newConversation();
    hidden = await newConversation();
    assert.equal(
      (await owner.api.post(`/api/v1/conversations/${mine.id}/transfer`, { toDivisionId: sales.id, reason: 'sales' })).status,
      200,
    );
    assert.equal(
      (await owner.api.post(`/api/v1/conversations/${hidden.id}/transfer`, { toDivisionId: finance.id, reason: 'finance' })).status,
      200,
    );
    assertProblem(await agent.get(`/api/v1/conversations/${hidden.id}`), 404);
  });
  after(async () => {
    await server.stop();
    await graph.stop();
  });

  it('answers 404 for a file in a conversation the agent may not see (inbound and sent), and serves their own', async () => {
    graph.addMedia(
      '7700000000000001',
      await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
        .png()
        .toBuffer(),
      'image/png',
    );
    const body = waPayload('wa-image.json', wa.phoneNumberId, { from: hidden.from, message: { id: wamid('IMG') } });
    body.entry[0].changes[0].value.messages[0].image.id = '7700000000000001';
    assert.equal((await postWebhook(server.url, body, wa.appSecret)).status, 200);
    const inbound = await eventually(async () =>
      ((await owner.api.get(`/api/v1/conversations/${hidden.id}/messages`)).body.data as any[]).find(
        (m) => m.type === 'image' && m.mediaId,
      ),
    );
    assert.equal((await owner.api.get(`/api/v1/media/${inbound.mediaId}`)).status, 200, 'the owner sees every conversation');
    assertProblem(await agent.get(`/api/v1/media/${inbound.mediaId}`), 404);
    assertProblem(await agent.get(`/api/v1/media/${inbound.mediaId}?thumbnail=true`), 404);

    // A file the owner uploaded and sent into the hidden conversation.
    const form = new FormData();
    form.append(
      'file',
      new Blob(
        [
          new Uint8Array(
            await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } })
              .png()
              .toBuffer(),
          ),
        ],
        { type: 'image/png' },
      ),
      'x.png',
    );
    const upload = await fetch(`${server.url}/api/v1/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${owner.token}` },
      body: form,
    });
    const mediaId = ((await upload.json()) as { id: string }).id;
    assert.equal((await agent.get(`/api/v1/media/${mediaId}`)).status, 200, 'an upload not yet sent is the team’s');
    assert.equal((await owner.api.post(`/api/v1/conversations/${hidden.id}/messages`, { type: 'image', mediaId })).status, 202);
    assertProblem(await agent.get(`/api/v1/media/${mediaId}`), 404);

    // Their own conversation's file is served.
    graph.addMedia(
      '7700000000000002',
      await sharp({ create: { width: 8, height: 8, channels: 3, background: '#0f0' } })
        .png()
        .toBuffer(),
      'image/png',
    );
    const own = waPayload('wa-image.json', wa.phoneNumberId, { from: mine.from, message: { id: wamid('IMG2') } });
    own.entry[0].changes[0].value.messages[0].image.id = '7700000000000002';
    await postWebhook(server.url, own, wa.appSecret);
    const visible = await eventually(async () =>
      ((await agent.get(`/api/v1/conversations/${mine.id}/messages`)).body.data as any[]).find((m) => m.type === 'image' && m.mediaId),
    );
    assert.equal((await agent.get(`/api/v1/media/${visible.mediaId}`)).status, 200);
  });

  it("does not answer another conversation's message for its clientMessageId", async () => {
    const clientMessageId = `owner-${Date.now()}-hidden`;
    const sent = await owner.api.post(`/api/v1/conversations/${hidden.id}/messages`, {
      type: 'text',
      text: 'Rahasia keuangan',
      clientMessageId,
    });
    assert.equal(sent.status, 202);
    const probe = await agent.post(`/api/v1/conversations/${mine.id}/messages`, { type: 'text', text: 'x', clientMessageId });
    assertProblem(probe, 409, ['clientMessageId']);
    assert.ok(!JSON.stringify(probe.body).includes('Rahasia'));
    assert.ok(!JSON.stringify(probe.body).includes(sent.body.id));
    // A retry in the same conversation still answers the same message.
    const retry = await owner.api.post(`/api/v1/conversations/${hidden.id}/messages`, {
      type: 'text',
      text: 'Rahasia keuangan',
      clientMessageId,
    });
    assert.equal(retry.body.id, sent.body.id);
  });

  it('answers 404 to cancelling a scheduled message in a conversation the agent may not see, and it stays scheduled', async () => {
    const created = await owner.api.post(`/api/v1/conversations/${hidden.id}/scheduled-messages`, {
      type: 'text',
      text: 'Tagihan bulan ini',
      sendAt: new Date(Date.now() + 3 * 3600_000).toISOString(),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assertProblem(await agent.delete(`/api/v1/scheduled-messages/${created.body.id}`), 404);
    const list = (await owner.api.get(`/api/v1/conversations/${hidden.id}/scheduled-messages?limit=50`)).body.data as any[];
    assert.equal(list.find((s) => s.id === created.body.id).status, 'scheduled');
    assert.equal((await owner.api.delete(`/api/v1/scheduled-messages/${created.body.id}`)).status, 200);
  });
});
