// Security finding 10 (outbound): a reply was sent twice after a crash between the Graph call and the
// status write. The job found the message still `queued` after the restart and sent it again, so the
// customer got it twice. Now the attempt is committed before the call and the send carries
// `m:<messageId>` as callback data: the real server, as a child process, is SIGKILLed while Meta
// holds its answer; after the restart Meta's status webhook (naming the message by that callback
// data) makes it `sent` with Meta's id, and a send that no webhook ever confirms ends failed
// `send_uncertain`. Neither is sent a second time, and the conversation's later replies still go out.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Api, registerTenant } from '../support/http.js';
import { startFakeGraph } from '../support/fake-graph.js';
import { connectWhatsApp, eventually, postWebhook, waPayload, wamid } from '../support/whatsapp.js';
import { freePort, killAll, startServer } from '../support/spawned-server.js';

describe('a reply is never sent twice after a crash between the Graph call and the status write', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'omnistream-outbound-once-'));
  after(() => {
    killAll();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('Meta got it but the server died first: reconciled by the status webhook, or failed send_uncertain; sent once', async () => {
    const graph = await startFakeGraph();
    try {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const start = () =>
        startServer({
          dataDir,
          port,
          env: {
            META_GRAPH_URL: graph.url,
            JOB_RETRY_BASE_MS: '200',
            // Meta's status webhook is awaited this long before an unconfirmed send is given up.
            MESSAGE_UNCONFIRMED_WINDOW_MS: '4000',
            OUTBOUND_ALLOWED_HOSTS: '127.0.0.1,localhost,::1',
          },
        });
      const first = await start();
      await first.waitHealthy();
      const owner = await registerTenant(new Api(url), 'Toko Sekali Kirim');
      const wa = await connectWhatsApp(owner.api, '800000000000102');
      const conversationOf = async (api: Api, from: string, text: string) => {
        const res = await postWebhook(
          url,
          waPayload('wa-text.json', wa.phoneNumberId, { from, message: { id: wamid('IN'), text: { body: text } } }),
          wa.appSecret,
        );
        assert.equal(res.status, 200);
        return eventually(
          async () => (await api.get('/api/v1/conversations')).body.data.find((c: any) => c.contact.phone === `+${from}`),
          10_000,
          'conversation',
        );
      };
      const confirmed = await conversationOf(owner.api, '6281200000101', 'Halo, pesanan saya?');
      const silent = await conversationOf(owner.api, '6281200000102', 'Halo juga');

      const sends = (text: string) => graph.sentMessages(wa.phoneNumberId).filter((r: any) => r.body.text?.body === text);
      let server = first;
      let api = owner.api;
      /** Meta receives the reply, but its answer never arrives: the server is killed first, then started again. */
      const replyAndCrash = async (conversationId: string, text: string) => {
        graph.hang(true);
        const res = await api.post(`/api/v1/conversations/${conversationId}/messages`, { type: 'text', text });
        assert.equal(res.status, 202);
        await eventually(async () => sends(text).length === 1, 10_000, `${text} held by Meta`);
        await server.stop('SIGKILL');
        graph.release();
        server = await start();
        await server.waitHealthy();
        const login = await new Api(url).post('/api/v1/auth/login', { email: owner.email, password: owner.password });
        api = new Api(url, { token: login.body.token });
        return res.body;
      };
      const messageOf = async (conversationId: string, id: string) =>
        (await api.get(`/api/v1/conversations/${conversationId}/messages?limit=50`)).body.data.find((m: any) => m.id === id);

      // A: Meta's status webhook arrives after the restart (Meta retries until answered), with the callback data.
      const a = await replyAndCrash(confirmed.id, 'Balasan A');
      assert.equal(sends('Balasan A')[0].body.biz_opaque_callback_data, `m:${a.id}`, 'the send names the message');
      const externalId = wamid('HELD');
      const status = await postWebhook(
        url,
        waPayload('wa-status-sent.json', wa.phoneNumberId, {
          status: { id: externalId, recipient_id: '6281200000101', biz_opaque_callback_data: `m:${a.id}` },
        }),
        wa.appSecret,
      );
      assert.equal(status.status, 200);
      const sentA = await eventually(
        async () => {
          const m = await messageOf(confirmed.id, a.id);
          return m?.status === 'sent' && m;
        },
        15_000,
        'A matched by its callback data',
      );
      assert.equal(sentA.externalId, externalId);
      assert.equal(sentA.error, null);

      // B: no webhook ever comes; after the window it is failed, not sent again.
      const b = await replyAndCrash(silent.id, 'Balasan B');
      const failedB = await eventually(
        async () => {
          const m = await messageOf(silent.id, b.id);
          return m?.status === 'failed' && m;
        },
        20_000,
        'B given up',
      );
      assert.equal(failedB.error.reason, 'send_uncertain');
      assert.equal(failedB.externalId, null);

      // The conversations still work: a new reply goes out at once.
      const c = await api.post(`/api/v1/conversations/${silent.id}/messages`, { type: 'text', text: 'Balasan C' });
      assert.equal(c.status, 202);
      await eventually(async () => (await messageOf(silent.id, c.body.id))?.status === 'sent', 10_000, 'C sent');
      assert.equal(sends('Balasan A').length, 1, 'A reached Meta exactly once');
      assert.equal(sends('Balasan B').length, 1, 'B reached Meta exactly once');
      assert.equal((await messageOf(confirmed.id, a.id)).status, 'sent', 'A stays sent');

      await server.stop('SIGTERM');
    } finally {
      await graph.stop();
    }
  });
});
