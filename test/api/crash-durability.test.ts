// Power-cut safety: the real server, as a separate process, is killed with SIGKILL while signed
// WhatsApp webhooks pour in. Every webhook it acknowledged (HTTP 200) must be in the database
// after a restart, and become exactly one message each.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Api, registerTenant } from '../support/http.js';
import { connectWhatsApp, postWebhook, waPayload } from '../support/whatsapp.js';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { freePort, killAll, startServer } from '../support/spawned-server.js';

// Connecting the WhatsApp account proves ownership through the Graph API: a fake one, in this process.
let graph: FakeGraph | undefined;

describe('crash safety of webhook ingestion', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'omnistream-crash-'));
  after(async () => {
    await graph?.stop();
    killAll();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('every acknowledged webhook survives a SIGKILL mid-stream and is processed once after restart', async (t) => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    graph = await startFakeGraph();
    const start = () => startServer({ dataDir, port, env: { META_GRAPH_URL: graph!.url } });
    const first = await start();
    await first.waitHealthy();
    const owner = await registerTenant(new Api(url), 'Toko Crash');
    const wa = await connectWhatsApp(owner.api, '300000000000003');

    // Eight senders post signed webhooks, each with a unique message id, as fast as they are answered.
    const acked = new Set<string>();
    const failed = new Set<string>();
    let inFlightAtKill = 0;
    let inFlight = 0;
    let killed = false;
    let seq = 0;
    const sender = async (lane: number) => {
      while (!killed || inFlight > 0) {
        if (killed) return;
        const id = `wamid.CRASH${lane}x${++seq}`;
        const body = waPayload('wa-text.json', wa.phoneNumberId, {
          from: `62812000${String(lane).padStart(5, '0')}`,
          message: { id, text: { body: `pesan ${id}` } },
        });
        inFlight++;
        try {
          const res = await postWebhook(url, body, wa.appSecret);
          await res.text();
          if (res.status === 200) acked.add(id);
          else failed.add(id);
        } catch {
          failed.add(id); // connection cut by the kill: not acknowledged, so Meta would retry it
        } finally {
          inFlight--;
        }
      }
    };
    const lanes = Array.from({ length: 8 }, (_, i) => sender(i));
    // Kill once a good number have been acknowledged, while requests are still in flight.
    const deadline = Date.now() + 60_000;
    while (acked.size < 150 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    inFlightAtKill = inFlight;
    const stopped = first.stop('SIGKILL');
    killed = true;
    await stopped;
    await Promise.all(lanes);
    assert.ok(acked.size >= 150, `acknowledged ${acked.size}`);
    assert.ok(inFlightAtKill > 0, 'requests were in flight when the server was killed');
    assert.equal(first.child.signalCode, 'SIGKILL');

    // Straight after the crash, before any restart: every acknowledged webhook is in the database file.
    const stored = (path: string) => {
      const db = new Database(path, { readonly: true, fileMustExist: true });
      try {
        const payloads = (db.prepare('SELECT payload FROM webhook_events').all() as { payload: string }[]).map((r) => r.payload).join('\n');
        const messages = db
          .prepare("SELECT externalId, count(*) AS n FROM messages WHERE externalId LIKE 'wamid.CRASH%' GROUP BY externalId")
          .all() as { externalId: string; n: number }[];
        return { payloads, messages };
      } finally {
        db.close();
      }
    };
    const afterCrash = stored(join(dataDir, 'omnistream.db'));
    t.diagnostic(
      `acknowledged ${acked.size}, cut off ${failed.size}, in flight at the kill ${inFlightAtKill}, already messages before the restart ${afterCrash.messages.length}`,
    );
    const missing = [...acked].filter((id) => !afterCrash.payloads.includes(`"${id}"`));
    assert.deepEqual(missing, [], 'acknowledged but not stored');

    // Restart: the queue picks up what was left and every acknowledged message becomes exactly one row.
    const second = await start();
    await second.waitHealthy();
    let rows: { externalId: string; n: number }[] = [];
    const processDeadline = Date.now() + 60_000;
    for (;;) {
      rows = stored(join(dataDir, 'omnistream.db')).messages;
      const have = new Set(rows.map((r) => r.externalId));
      if ([...acked].every((id) => have.has(id)) || Date.now() > processDeadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const have = new Set(rows.map((r) => r.externalId));
    assert.deepEqual(
      [...acked].filter((id) => !have.has(id)),
      [],
      'acknowledged but never became a message',
    );
    assert.deepEqual(
      rows.filter((r) => r.n !== 1),
      [],
      'no message stored twice',
    );
    // Unacknowledged ones may or may not have been stored; none is duplicated either way (checked above).

    // And the API agrees: the messages are in the inbox after the restart.
    const login = await new Api(url).post('/api/v1/auth/login', { email: owner.email, password: owner.password });
    const api = new Api(url, { token: login.body.token });
    const conversations = await api.get('/api/v1/conversations?limit=200');
    assert.equal(conversations.status, 200);
    let seen = 0;
    for (const c of conversations.body.data) {
      let cursor: string | null = null;
      do {
        const page: any = await api.get(`/api/v1/conversations/${c.id}/messages?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(page.status, 200);
        seen += page.body.data.filter((m: any) => acked.has(m.externalId ?? m.external_id ?? '')).length;
        cursor = page.body.nextCursor;
      } while (cursor);
    }
    assert.equal(seen, acked.size, 'every acknowledged message is in the inbox');

    await second.stop('SIGTERM');
    assert.equal(second.child.exitCode, 0, second.output());
  });
});
