// Email by IMAP against a real local IMAP server (hoodiecrow-imap): mail is read as it arrives (IDLE)
// or by polling, threaded like webhook mail, never lost or repeated across a restart or a change of
// the folder's UIDVALIDITY; the password is kept encrypted; the host goes through the outbound guard.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.js';
import { startFakeImap, type FakeImap } from '../support/imap-server.js';
import { Api, assertProblem, registerTenant, type Tenant } from '../support/http.js';
import { eventually } from '../support/whatsapp.js';
import { emlFixture } from '../support/meta-channels.js';
import { ImapCursorEntity } from '../../server/modules/email-imap/imap-cursor.entity.js';

const ENV = { IMAP_POLL_INTERVAL_MS: '300', IMAP_REFRESH_MS: '200' };

describe('email by IMAP', () => {
  let imap: FakeImap;
  let polled: FakeImap;
  let server: TestServer;
  let a: Tenant;
  let b: Tenant;
  let accountId: string;
  let n = 0;

  before(async () => {
    imap = await startFakeImap();
    polled = await startFakeImap({ idle: false, user: 'halo@kopi.example', password: 'kopi-password-1' });
    server = await startServer(ENV);
    const api = new Api(server.url);
    a = await registerTenant(api, 'Toko IMAP');
    b = await registerTenant(api, 'Kopi IMAP');
  });
  after(async () => {
    await server.stop();
    await imap.stop();
    await polled.stop();
  });

  const mail = (opts: { from?: string; subject?: string; inReplyTo?: string | null; references?: string | null } = {}) => {
    const messageId = `<imap-${Date.now()}-${++n}@customer.example>`;
    return {
      messageId,
      raw: emlFixture({
        to: 'cs@toko.example',
        from: opts.from ?? 'Budi <budi@customer.example>',
        messageId,
        inReplyTo: opts.inReplyTo ?? null,
        references: opts.references ?? null,
        subject: opts.subject ?? 'Pesanan #77',
      }),
    };
  };
  const messagesOf = async (tenant: Tenant, conversationId: string) =>
    (await tenant.api.get(`/api/v1/conversations/${conversationId}/messages?limit=100`)).body.data as any[];
  const emailConversations = async (tenant: Tenant) =>
    ((await tenant.api.get('/api/v1/conversations?limit=200')).body.data as any[]).filter((c) => c.channel === 'email');
  const allEmailMessages = async (tenant: Tenant) => {
    const out: any[] = [];
    for (const c of await emailConversations(tenant)) out.push(...(await messagesOf(tenant, c.id)));
    return out;
  };
  const waitForMessage = (tenant: Tenant, externalId: string, what = externalId) =>
    eventually(async () => (await allEmailMessages(tenant)).find((m) => m.externalId === externalId), 10_000, what);

  it('connects a mailbox by IMAP (password encrypted, no inbound secret needed) and checks the fields', async () => {
    assertProblem(
      await a.api.post('/api/v1/integration-accounts', {
        channel: 'email',
        name: 'x',
        config: { address: 'cs@toko.example', imapHost: 'not a host!', imapUser: 'u' },
      }),
      400,
      ['config.imapHost', 'config.imapPassword'],
    );
    assertProblem(
      await a.api.post('/api/v1/integration-accounts', { channel: 'email', name: 'x', config: { address: 'cs@toko.example' } }),
      400,
      ['config.inboundSecret'],
    );
    const res = await a.api.post('/api/v1/integration-accounts', {
      channel: 'email',
      name: 'CS by IMAP',
      config: {
        address: 'cs@toko.example',
        imapHost: imap.host,
        imapPort: String(imap.port),
        imapTls: 'false',
        imapUser: imap.user,
        imapPassword: imap.password,
      },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    accountId = res.body.id;
    assert.match(res.body.config.imapPassword, /^•+/);
    assert.ok(!JSON.stringify(res.body).includes(imap.password));
    assert.equal(res.body.config.imapHost, imap.host);
  });

  it('reads new mail as it arrives (IDLE) and threads a reply into the same conversation', async () => {
    const first = mail();
    imap.append(first.raw);
    const m1 = await waitForMessage(a, first.messageId, 'the first mail');
    const reply = mail({ subject: 'Re: Pesanan #77', inReplyTo: first.messageId, references: first.messageId });
    imap.append(reply.raw);
    const m2 = await waitForMessage(a, reply.messageId, 'the reply');
    assert.equal(m2.conversationId, m1.conversationId);
    assert.equal(m1.direction, 'inbound');
    assert.equal(m1.content.email.subject, 'Pesanan #77');
    const status = (await a.api.get(`/api/v1/integration-accounts/${accountId}/status`)).body;
    assert.equal(status.state, 'connected');
    assert.deepEqual(
      { mailbox: status.imap.mailbox, idle: status.imap.idle, lastError: status.imap.lastError },
      {
        mailbox: 'INBOX',
        idle: true,
        lastError: null,
      },
    );
    assert.ok(status.imap.lastPolledAt);
  });

  it('loses and repeats nothing across a restart: mail that arrived while stopped is read once', async () => {
    const before = (await allEmailMessages(a)).length;
    const whileDown = mail({ from: 'Sari <sari@customer.example>', subject: 'Stok kain?' });
    await server.restart(() => imap.append(whileDown.raw), { samePort: true });
    await waitForMessage(a, whileDown.messageId, 'mail from while the server was stopped');
    // Give the reader a few more rounds to (wrongly) read anything twice.
    const cursor = await eventually(async () => {
      const c = await server.appliance.db.getRepository(ImapCursorEntity).findOne({ where: { accountId } });
      return c && c.lastUid === imap.count() ? c : null;
    });
    assert.equal(cursor.uidValidity, '1000');
    await new Promise((r) => setTimeout(r, 1000));
    const after = await allEmailMessages(a);
    assert.equal(after.length, before + 1);
    assert.equal(new Set(after.map((m) => m.externalId)).size, after.length, 'no message twice');
  });

  it('a new UIDVALIDITY (the folder rebuilt) re-reads the folder without duplicating, then goes on', async () => {
    const before = (await allEmailMessages(a)).length;
    imap.renumber();
    await eventually(
      async () => (await server.appliance.db.getRepository(ImapCursorEntity).findOne({ where: { accountId } }))?.uidValidity === '1001',
      10_000,
      'the new UIDVALIDITY',
    );
    const next = mail({ from: 'Rina <rina@customer.example>', subject: 'Halo' });
    imap.append(next.raw);
    await waitForMessage(a, next.messageId, 'mail after the renumbering');
    const after = await allEmailMessages(a);
    assert.equal(after.length, before + 1);
    assert.equal(new Set(after.map((m) => m.externalId)).size, after.length, 'no message twice');
  });

  it('a server without IDLE is polled; a wrong password shows in the status; other tenants get 404', async () => {
    const res = await b.api.post('/api/v1/integration-accounts', {
      channel: 'email',
      name: 'Kopi',
      config: {
        address: 'halo@kopi.example',
        imapHost: polled.host,
        imapPort: polled.port,
        imapTls: false,
        imapUser: polled.user,
        imapPassword: polled.password,
      },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const polledMail = mail({ from: 'Andi <andi@customer.example>' });
    polled.append(polledMail.raw);
    await waitForMessage(b, polledMail.messageId, 'polled mail');
    const status = (await b.api.get(`/api/v1/integration-accounts/${res.body.id}/status`)).body;
    assert.equal(status.imap.idle, false);
    assert.equal((await allEmailMessages(a)).filter((m) => m.externalId === polledMail.messageId).length, 0);

    assert.equal(
      (await b.api.patch(`/api/v1/integration-accounts/${res.body.id}`, { config: { imapPassword: 'wrong-password' } })).status,
      200,
    );
    await eventually(
      async () =>
        /user name or password/.test((await b.api.get(`/api/v1/integration-accounts/${res.body.id}/status`)).body.imap.lastError ?? ''),
      10_000,
      'the login error',
    );

    assertProblem(await b.api.get(`/api/v1/integration-accounts/${accountId}/status`), 404);
    assertProblem(await b.api.post(`/api/v1/integration-accounts/${accountId}/test-message`, { to: 'x@y.example' }), 404);
  });

  it('the IMAP host goes through the outbound guard: a loopback host is refused unless allowed', async () => {
    const guarded = await startServer({ ...ENV, OUTBOUND_ALLOWED_HOSTS: 'mail.example.test' });
    try {
      const c = await registerTenant(new Api(guarded.url), 'Toko Guard');
      const res = await c.api.post('/api/v1/integration-accounts', {
        channel: 'email',
        name: 'Loopback',
        config: {
          address: 'cs@toko.example',
          imapHost: '127.0.0.1',
          imapPort: String(imap.port),
          imapTls: 'false',
          imapUser: imap.user,
          imapPassword: imap.password,
        },
      });
      assert.equal(res.status, 201);
      const status = await eventually(async () => {
        const s = (await c.api.get(`/api/v1/integration-accounts/${res.body.id}/status`)).body;
        return s.imap.lastError ? s : null;
      }, 10_000);
      assert.match(status.imap.lastError, /refused/);
      assert.equal((await emailConversations(c)).length, 0);
    } finally {
      await guarded.stop();
    }
  });
});
