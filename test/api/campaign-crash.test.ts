// A restart mid-campaign never sends anyone twice: the real server, as a child process, is killed
// with SIGKILL while a campaign is sending; after a restart every recipient has received exactly one
// message. The fake Graph posts Meta's status webhooks (with the recipient id the send carried), so a
// send whose answer was lost in the crash is matched instead of being sent again.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Api, registerTenant } from '../support/http.js';
import { startFakeGraph } from '../support/fake-graph.js';
import { connectWhatsApp } from '../support/whatsapp.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

function startChild(port: number, dataDir: string, graphUrl: string): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts', 'start'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      OMNISTREAM_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      AUTH_RATE_LIMIT: '10000',
      OMNISTREAM_MDNS: 'off',
      META_GRAPH_URL: graphUrl,
      JOB_RETRY_BASE_MS: '200',
      CAMPAIGN_UNCONFIRMED_GRACE_MS: '2000',
      OUTBOUND_ALLOWED_HOSTS: '127.0.0.1,localhost,::1',
      SUPER_ADMIN_EMAIL: 'root@omnistream.test',
      SUPER_ADMIN_PASSWORD: 'super-secret-password',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c) => {
    output += c;
  });
  child.stderr!.on('data', (c) => {
    output += c;
  });
  return { child, output: () => output.slice(-4000) };
}

async function waitHealthy(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) assert.fail(`the server exited (${child.exitCode}): ${output()}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`the server did not become healthy: ${output()}`);
}

describe('crash safety of campaign sends', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'omnistream-campaign-crash-'));
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('every recipient gets exactly one message although the server is SIGKILLed mid-campaign', async (t) => {
    const graph = await startFakeGraph();
    try {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const first = startChild(port, dataDir, graph.url);
      children.push(first.child);
      await waitHealthy(url, first.child, first.output);
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
      first.child.kill('SIGKILL');
      await new Promise((r) => first.child.once('exit', r));
      graph.release();
      const atKill = graph.sentMessages(wa.phoneNumberId).length;
      assert.ok(atKill >= held + 3, 'sends were under way at the kill');
      assert.ok(atKill >= 90 && atKill < total, `sent before the kill: ${atKill}`);

      const second = startChild(port, dataDir, graph.url);
      children.push(second.child);
      await waitHealthy(url, second.child, second.output);
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

      second.child.kill('SIGTERM');
      await new Promise((r) => second.child.once('exit', r));
    } finally {
      await graph.stop();
    }
  });
});
