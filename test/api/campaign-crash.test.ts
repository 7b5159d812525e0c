// A restart mid-campaign never sends anyone twice: the real server, as a child process, is killed
// with SIGKILL while a campaign is sending; after a restart every recipient has received exactly one
// message. The fake Graph posts Meta's status webhooks (with the recipient id the send carried), so a
// send whose answer was lost in the crash is matched instead of being sent again.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Api, registerTenant } from '../support/http.js';
import { startFakeGraph } from '../support/fake-graph.js';
import { connectWhatsApp } from '../support/whatsapp.js';
import { freePort, killAll, startServer } from '../support/spawned-server.js';

describe('crash safety of campaign sends', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'omnistream-campaign-crash-'));
  after(() => {
    killAll();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('every recipient gets exactly one message although the server is SIGKILLed mid-campaign', async (t) => {
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
            CAMPAIGN_UNCONFIRMED_GRACE_MS: '2000',
            OUTBOUND_ALLOWED_HOSTS: '127.0.0.1,localhost,::1',
          },
        });
      const first = await start();
      await first.waitHealthy();
      const owner = await registerTenant(new Api(url), 'Toko Crash Siaran');
      const wa = await connectWhatsApp(owner.api, '800000000000008');
      // Like Meta, the fake Graph confirms each accepted message with a signed status webhook.
      graph.sendStatusWebhooks({ url, appSecret: wa.appSecret });
      graph.setTemplates(`waba-${wa.phoneNumberId}`, [
        {
          id: '1800000000000001',
          name: 'promo_crash',
          language: 'id',
          status: 'APPROVED',
          category: 'MARKETING',
          components: [{ type: 'BODY', text: 'Halo {{1}}!', example: { body_text: [['Budi']] } }],
        },
      ]);
      assert.equal((await owner.api.post('/api/v1/wa-templates/sync')).status, 200);
      const template = (await owner.api.get('/api/v1/wa-templates')).body.data[0];
      const total = 300;
      const numbers = Array.from({ length: total }, (_, i) => `62813${String(40000000 + i)}`);
      const campaign = (
        await owner.api.post('/api/v1/campaigns', {
          name: 'Crash',
          templateId: template.id,
          variables: { 'body.1': '{{name | Kak}}' },
          ratePerSecond: 40,
        })
      ).body;
      const added = await owner.api.post(`/api/v1/campaigns/${campaign.id}/recipients`, {
        csv: `name,phone\n${numbers.map((n, i) => `Pelanggan ${i},0${n.slice(2)}`).join('\n')}\n`,
      });
      assert.equal(added.body.added, total);
      assert.equal((await owner.api.post(`/api/v1/campaigns/${campaign.id}/send`)).status, 200);

      // Kill it once a good part has gone out, while sends are under way.
      const deadline = Date.now() + 60_000;
      while (graph.sentMessages(wa.phoneNumberId).length < 90 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      // Meta receives the next sends but its answers never arrive: the server dies first.
      graph.hang(true);
      const held = graph.sentMessages(wa.phoneNumberId).length;
      while (graph.sentMessages(wa.phoneNumberId).length < held + 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      await first.stop('SIGKILL');
      graph.release();
      const atKill = graph.sentMessages(wa.phoneNumberId).length;
      assert.ok(atKill >= held + 3, 'sends were under way at the kill');
      assert.ok(atKill >= 90 && atKill < total, `sent before the kill: ${atKill}`);

      const second = await start();
      await second.waitHealthy();
      const login = await new Api(url).post('/api/v1/auth/login', { email: owner.email, password: owner.password });
      const api = new Api(url, { token: login.body.token });
      const finishDeadline = Date.now() + 90_000;
      let view: any;
      for (;;) {
        view = (await api.get(`/api/v1/campaigns/${campaign.id}`)).body;
        if (view.status === 'completed' || Date.now() > finishDeadline) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.equal(view.status, 'completed', JSON.stringify(view.stats));
      assert.equal(view.reached.sent, total, JSON.stringify(view.stats));

      const perNumber = new Map<string, number>();
      for (const r of graph.sentMessages(wa.phoneNumberId)) perNumber.set(r.body.to, (perNumber.get(r.body.to) ?? 0) + 1);
      const twice = [...perNumber].filter(([, n]) => n > 1);
      const never = numbers.filter((n) => !perNumber.has(n));
      t.diagnostic(
        `sent before the kill ${atKill} (${atKill - held} of them unanswered), after the restart ${graph.sentMessages(wa.phoneNumberId).length - atKill}`,
      );
      assert.deepEqual(twice, [], 'nobody got two messages');
      assert.deepEqual(never, [], 'nobody was left out');
      assert.equal(perNumber.size, total);

      await second.stop('SIGTERM');
    } finally {
      await graph.stop();
    }
  });
});
