// The engine under a power cut: the real server, as a separate process, is killed with SIGKILL
// while its worker is in the middle of a backlog of events whose rule has many actions (an event's
// runs and actions commit together, so the kill lands inside one of them or between two). After a
// restart every event is still in the log and processed, every run finished, and no action was
// applied twice (each note exists once, each rule's message was queued once).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Api, registerTenant } from '../support/http.js';
import { connectWhatsApp, postWebhook, waPayload } from '../support/whatsapp.js';
import { startFakeGraph } from '../support/fake-graph.js';
import { freePort, killAll, startServer } from '../support/spawned-server.js';

const NOTES = 18;
const RULES = 3;
const CUSTOMERS = 40;

function query<T>(path: string, sql: string): T[] {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
}

describe('crash safety of the automation engine', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'omnistream-automation-crash-'));
  const dbPath = join(dataDir, 'omnistream.db');
  after(() => {
    killAll();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a SIGKILL mid-run loses no event and applies no action twice', async (t) => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const graph = await startFakeGraph();
    // A fake Graph while the account is connected (connecting proves ownership), stopped before the
    // webhooks: messages to customers go nowhere reachable and stay queued, which is all this test looks at.
    const start = () => startServer({ dataDir, port, env: { META_GRAPH_URL: graph.url } });
    const first = await start();
    await first.waitHealthy();
    const owner = await registerTenant(new Api(url), 'Toko Mati Lampu');
    const wa = await connectWhatsApp(owner.api, '530000000000003');
    await graph.stop();
    const ruleIds: string[] = [];
    for (let r = 1; r <= RULES; r++) {
      const rule = await owner.api.post('/api/v1/automation/rules', {
        name: `Many steps ${r}`,
        triggers: ['message.received'],
        actions: [
          { type: 'add_tag', tags: [`crash-${r}`] },
          ...Array.from({ length: NOTES }, (_, i) => ({ type: 'add_note', text: `rule ${r} step ${i + 1}` })),
          { type: 'send_message', text: `Terima kasih ${r}` },
        ],
      });
      assert.equal(rule.status, 201, JSON.stringify(rule.body));
      ruleIds.push(rule.body.id);
    }
    const mine = `ruleId IN (${ruleIds.map((id) => `'${id}'`).join(', ')})`;

    // All in one webhook (Meta sends up to a hundred messages in one): its job stores them in one
    // transaction and processes the first events with it, and the rest wait as events in their
    // queues. Posted one by one, each was processed as it came, and on a busy machine the wait below
    // could start with nothing left to kill.
    const body = waPayload('wa-text.json', wa.phoneNumberId);
    const value = body.entry[0].changes[0].value;
    const [message] = value.messages;
    const [contact] = value.contacts;
    const from = (i: number) => `62819000${String(i).padStart(5, '0')}`;
    value.messages = Array.from({ length: CUSTOMERS }, (_, i) => ({
      ...message,
      from: from(i),
      id: `wamid.AUTOCRASH${i}`,
      text: { body: `pesan ${i}` },
    }));
    value.contacts = Array.from({ length: CUSTOMERS }, (_, i) => ({ ...contact, wa_id: from(i) }));
    assert.equal((await postWebhook(url, body, wa.appSecret)).status, 200);
    // Kill once the worker has finished some events' runs while others still wait: as events (in
    // their queues), or still as webhooks (an event is mostly processed in the transaction of the
    // webhook's job that wrote it, so the kill then lands inside one of those).
    const deadline = Date.now() + 60_000;
    let state = { done: 0, open: 0 };
    while (Date.now() < deadline) {
      const done = query<{ n: number }>(dbPath, `SELECT count(*) AS n FROM automation_runs WHERE ${mine} AND status = 'succeeded'`)[0].n;
      const open = query<{ n: number }>(
        dbPath,
        "SELECT (SELECT count(*) FROM automation_events WHERE type = 'message.received' AND status = 'pending') + (SELECT count(*) FROM webhook_events WHERE status = 'received') AS n",
      )[0].n;
      state = { done, open };
      if (done >= 3 && open > 0) break;
      await new Promise((r) => setTimeout(r, 2));
    }
    await first.stop('SIGKILL');
    assert.equal(first.child.signalCode, 'SIGKILL');
    const atKill = query<{ n: number }>(
      dbPath,
      "SELECT count(*) AS n FROM automation_events WHERE type = 'message.received' AND status = 'pending'",
    )[0].n;
    const notesAtKill = query<{ n: number }>(dbPath, 'SELECT count(*) AS n FROM notes')[0].n;
    const webhooksAtKill = query<{ n: number }>(dbPath, "SELECT count(*) AS n FROM webhook_events WHERE status = 'received'")[0].n;
    t.diagnostic(
      `killed with ${state.done} runs finished, ${atKill} events and ${webhooksAtKill} webhooks waiting, ${notesAtKill} notes written`,
    );
    // The kill lands with work left for the engine: events waiting, or (on a busy machine, where the
    // worker may drain the events that exist) webhooks not yet turned into events.
    const runsAtKill = query<{ n: number }>(dbPath, `SELECT count(*) AS n FROM automation_runs WHERE ${mine} AND status = 'succeeded'`)[0]
      .n;
    assert.ok(atKill > 0 || runsAtKill < CUSTOMERS * RULES, 'the engine still had events to run when the server was killed');
    assert.ok(notesAtKill < CUSTOMERS * RULES * NOTES, 'work was left to do');

    const second = await start();
    await second.waitHealthy();
    const doneDeadline = Date.now() + 120_000;
    for (;;) {
      const messages = query<{ n: number }>(dbPath, "SELECT count(*) AS n FROM messages WHERE externalId LIKE 'wamid.AUTOCRASH%'")[0].n;
      const open = query<{ n: number }>(dbPath, "SELECT count(*) AS n FROM automation_events WHERE status = 'pending'")[0].n;
      const runs = query<{ n: number }>(dbPath, `SELECT count(*) AS n FROM automation_runs WHERE ${mine} AND status = 'succeeded'`)[0].n;
      if ((messages === CUSTOMERS && open === 0 && runs === CUSTOMERS * RULES) || Date.now() > doneDeadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }

    // No event lost: one message.received event per customer message, each processed.
    const events = query<{ messageId: string; status: string }>(
      dbPath,
      "SELECT messageId, status FROM automation_events WHERE type = 'message.received'",
    );
    const inbound = query<{ id: string }>(dbPath, "SELECT id FROM messages WHERE externalId LIKE 'wamid.AUTOCRASH%'");
    assert.equal(inbound.length, CUSTOMERS);
    assert.deepEqual(events.map((e) => e.messageId).sort(), inbound.map((m) => m.id).sort());
    assert.deepEqual([...new Set(events.map((e) => e.status))], ['processed']);
    // Every run finished, each action recorded once.
    const runs = query<{ status: string; actions: string; conversationId: string }>(
      dbPath,
      `SELECT status, actions, conversationId FROM automation_runs WHERE ${mine}`,
    );
    assert.equal(runs.length, CUSTOMERS * RULES);
    for (const r of runs) {
      assert.equal(r.status, 'succeeded');
      const indexes = (JSON.parse(r.actions) as { index: number }[]).map((a) => a.index);
      assert.deepEqual(
        indexes,
        Array.from({ length: NOTES + 2 }, (_, i) => i),
      );
    }
    // No action applied twice: each note once, one message queued per conversation.
    const twice = query<{ n: number }>(dbPath, 'SELECT count(*) AS n FROM notes GROUP BY conversationId, body HAVING count(*) > 1');
    assert.deepEqual(twice, []);
    assert.equal(query<{ n: number }>(dbPath, 'SELECT count(*) AS n FROM notes')[0].n, CUSTOMERS * RULES * NOTES);
    const sent = query<{ n: number }>(dbPath, "SELECT count(*) AS n FROM messages WHERE senderType = 'system' GROUP BY conversationId");
    assert.equal(sent.length, CUSTOMERS);
    assert.ok(sent.every((s) => s.n === RULES));

    await second.stop('SIGTERM');
    assert.equal(second.child.exitCode, 0, second.output());
  });
});
