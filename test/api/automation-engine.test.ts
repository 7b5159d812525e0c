// The engine's actions and timing with an injected clock: every conversation action applied once
// with its domain events, customer messages through the fake Graph, round-robin, transfer, quick
// replies, wait N minutes, snooze and its end, a conversation's events in order, rollout that always
// picks the same conversations, schedule ticks in the organization's time zone, working hours
// opening and closing, and duplicates recognised by fingerprint.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, testClock, type TestClock, type TestServer } from '../support/server.js';
import { Api, createAgent, registerTenant, type Tenant } from '../support/http.js';
import { connectWhatsApp, eventually, postWebhook, waPayload, wamid, type WaAccount } from '../support/whatsapp.js';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { runJob, settle } from '../support/settle.js';
import { enqueueJob } from '../../server/core/jobs/queue.js';

const MINUTE = 60_000;

describe('Automation engine', () => {
  let server: TestServer;
  let graph: FakeGraph;
  let clock: TestClock;
  let a: Tenant;
  let wa: WaAccount;
  let n = 0;

  before(async () => {
    graph = await startFakeGraph();
    clock = testClock('2026-12-02T03:00:00Z'); // Wednesday 10:00 in Jakarta
    server = await startServer({ META_GRAPH_URL: graph.url }, { now: clock.now });
    a = await registerTenant(new Api(server.url), 'Toko Mesin');
    wa = await connectWhatsApp(a.api, '520000000000001');
  });
  after(async () => {
    await server.stop();
    await graph.stop();
  });

  async function inbound(text: string, from = `62816${String(++n).padStart(8, '0')}`) {
    const timestamp = String(Math.floor(clock.now().getTime() / 1000));
    await postWebhook(
      server.url,
      waPayload('wa-text.json', wa.phoneNumberId, { from, message: { id: wamid('EN'), timestamp, text: { body: text } } }),
      wa.appSecret,
    );
    const conv = await eventually(
      async () => (await a.api.get('/api/v1/conversations?limit=200')).body.data.find((c: any) => c.contact.phone === `+${from}`),
      5000,
      'conversation',
    );
    await settle(server.appliance);
    return { conversation: (await a.api.get(`/api/v1/conversations/${conv.id}`)).body, from };
  }
  const get = async (id: string) => (await a.api.get(`/api/v1/conversations/${id}`)).body;
  const createRule = async (body: Record<string, unknown>) => {
    const res = await a.api.post('/api/v1/automation/rules', { triggers: ['message.received'], ...body });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  };
  const keyword = (word: string) => ({ match: 'all', conditions: [{ field: 'message.text', operator: 'contains', value: word }] });
  const lastRun = async (ruleId: string) => (await a.api.get(`/api/v1/automation/rules/${ruleId}/runs?limit=1`)).body.data[0];

  it('assigns, moves, tags, sets priority, sends, notes, transfers, resolves and reopens', async () => {
    const online = await createAgent(a.api);
    await online.api.patch(`/api/v1/agents/${online.agent.id}/status`, { online: true });
    const division = (await a.api.post('/api/v1/divisions', { name: 'Sales', autoAssign: false, agentIds: [online.agent.id] })).body;
    const support = (await a.api.post('/api/v1/divisions', { name: 'Support', autoAssign: true, agentIds: [online.agent.id] })).body;
    const qr = await a.api.post('/api/v1/quick-replies', {
      shortcut: 'thanks',
      body: 'Terima kasih {{contact.name | Kak}}!',
      scope: 'shared',
    });
    assert.equal(qr.status, 201, JSON.stringify(qr.body));
    const r1 = await createRule({
      name: 'Everything',
      conditions: keyword('semua'),
      actions: [
        { type: 'assign_division', divisionId: division.id },
        { type: 'assign_round_robin', divisionId: division.id },
        { type: 'add_tag', tags: ['a', 'b'] },
        { type: 'remove_tag', tags: ['a'] },
        { type: 'set_priority', priority: 'urgent' },
        { type: 'send_message', text: 'Halo dari otomatis' },
        { type: 'send_quick_reply', quickReplyId: qr.body.id },
        { type: 'add_note', text: 'catatan otomatis' },
        { type: 'transfer', toDivisionId: support.id, reason: 'Escalation' },
        { type: 'unassign' },
        { type: 'resolve' },
        { type: 'reopen' },
      ],
    });
    const { conversation, from } = await inbound('tolong semua');
    const run = await lastRun(r1.id);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.actions));
    // The transfer to Support found nobody else online (the only member had it), so "unassign" had nothing to do.
    assert.deepEqual(
      run.actions.map((x: any) => x.status),
      [...Array(9).fill('succeeded'), 'skipped', 'succeeded', 'succeeded'],
    );
    assert.equal(run.actions[9].detail, 'Already unassigned');
    const c = await get(conversation.id);
    assert.equal(c.divisionId, support.id);
    assert.equal(c.assignee, null);
    assert.deepEqual(c.tags, ['b']);
    assert.equal(c.priority, 'urgent');
    assert.equal(c.status, 'open');
    const texts = graph
      .sentMessages(wa.phoneNumberId)
      .filter((r) => r.body?.to === from)
      .map((r) => r.body?.text?.body);
    assert.deepEqual(texts, ['Halo dari otomatis', 'Terima kasih Siti Rahma!']);
    const notes = (await a.api.get(`/api/v1/conversations/${conversation.id}/notes`)).body.data;
    assert.equal(notes[0].body, 'catatan otomatis');
    const transfers = (await a.api.get(`/api/v1/conversations/${conversation.id}/transfers`)).body.data;
    assert.equal(transfers[0].reason, 'Escalation');
    // The resolve and reopen were logged as events caused by the rule (depth 1).
    const events = (await a.api.get(`/api/v1/conversations/${conversation.id}/automation-events?limit=100`)).body.data;
    const resolved = events.find((e: any) => e.type === 'conversation.resolved');
    assert.equal(resolved.causeRuleId, r1.id);
    assert.equal(resolved.depth, 1);
    assert.ok(events.some((e: any) => e.type === 'conversation.reopened'));
    // The rule says when it last ran (written at most once a second per rule).
    const ruleNow = (await a.api.get(`/api/v1/automation/rules/${r1.id}`)).body;
    assert.ok(ruleNow.lastRunAt && Date.parse(ruleNow.lastRunAt) >= Date.parse(run.startedAt) - 1000, JSON.stringify(ruleNow.lastRunAt));
    await a.api.patch(`/api/v1/automation/rules/${r1.id}`, { enabled: false });
  });

  it('waits N minutes, then goes on; snoozes and wakes the conversation', async () => {
    const r = await createRule({
      name: 'Later',
      conditions: keyword('nanti'),
      actions: [
        { type: 'add_tag', tags: ['first'] },
        { type: 'wait', minutes: 30 },
        { type: 'add_tag', tags: ['second'] },
        { type: 'snooze', minutes: 60 },
      ],
    });
    const { conversation } = await inbound('nanti saja');
    let run = await lastRun(r.id);
    assert.equal(run.status, 'waiting');
    assert.deepEqual((await get(conversation.id)).tags, ['first']);
    clock.advance(31 * MINUTE);
    await eventually(async () => (await lastRun(r.id)).status === 'succeeded', 10_000, 'the run after its wait');
    await settle(server.appliance);
    run = await lastRun(r.id);
    assert.deepEqual(
      run.actions.map((x: any) => x.status),
      ['succeeded', 'waiting', 'succeeded', 'succeeded'],
    );
    let c = await get(conversation.id);
    assert.deepEqual(c.tags, ['first', 'second']);
    assert.equal(c.status, 'pending');
    clock.advance(61 * MINUTE);
    await eventually(async () => (await get(conversation.id)).status === 'open', 10_000, 'the snooze to end');
    c = await get(conversation.id);
    assert.equal(c.status, 'open');
    await a.api.patch(`/api/v1/automation/rules/${r.id}`, { enabled: false });
  });

  it("runs a conversation's events in order, and rolls out to the same conversations every time", async () => {
    const order = await createRule({ name: 'Order', conditions: keyword('urut'), actions: [{ type: 'add_note', text: 'seen' }] });
    const from = `62817${String(++n).padStart(8, '0')}`;
    await inbound('urut 1', from);
    for (let i = 2; i <= 5; i++) {
      const timestamp = String(Math.floor(clock.now().getTime() / 1000));
      await postWebhook(
        server.url,
        waPayload('wa-text.json', wa.phoneNumberId, { from, message: { id: wamid('OR'), timestamp, text: { body: `urut ${i}` } } }),
        wa.appSecret,
      );
    }
    await settle(server.appliance);
    const runs = (await a.api.get(`/api/v1/automation/rules/${order.id}/runs?limit=10`)).body.data.reverse();
    const events = await Promise.all(runs.map(async (r: any) => (await a.api.get(`/api/v1/automation/events/${r.eventId}`)).body));
    assert.deepEqual(
      events.map((e: any) => e.payload.message.text),
      ['urut 1', 'urut 2', 'urut 3', 'urut 4', 'urut 5'],
    );
    // Each run finished before the next event's run started.
    for (let i = 1; i < runs.length; i++) assert.ok(new Date(runs[i].startedAt) >= new Date(runs[i - 1].finishedAt));
    await a.api.patch(`/api/v1/automation/rules/${order.id}`, { enabled: false });

    const half = await createRule({
      name: 'Half',
      conditions: keyword('separuh'),
      actions: [{ type: 'add_tag', tags: ['half'] }],
      rolloutPercent: 50,
    });
    const decided = new Map<string, string>();
    // Conversation ids are random: eight of them all land on one side of 50% once in 128 runs, so
    // more come until both sides are seen (40 all on one side: 2 in 10^12).
    for (let i = 0; i < 40 && !(i >= 8 && new Set(decided.values()).size === 2); i++) {
      const { conversation } = await inbound('separuh');
      const run = (await a.api.get(`/api/v1/automation/runs?ruleId=${half.id}&conversationId=${conversation.id}`)).body.data[0];
      decided.set(conversation.id, run.status);
    }
    assert.ok([...decided.values()].includes('succeeded'));
    assert.ok([...decided.values()].includes('skipped'));
    // Reprocessing their events decides the same for each conversation.
    for (const [conversationId, status] of decided) {
      const run = (await a.api.get(`/api/v1/automation/runs?ruleId=${half.id}&conversationId=${conversationId}`)).body.data[0];
      await a.api.post(`/api/v1/automation/events/${run.eventId}/reprocess`);
      await settle(server.appliance);
      const again = (await a.api.get(`/api/v1/automation/runs?ruleId=${half.id}&conversationId=${conversationId}`)).body.data[0];
      assert.equal(again.attempt, 2);
      assert.equal(again.status, status);
    }
    await a.api.patch(`/api/v1/automation/rules/${half.id}`, { enabled: false });
  });

  it('processes an event with the change that wrote it, or behind an older event of its conversation still queued', async () => {
    const rule = await createRule({ name: 'Inline', conditions: keyword('sekaligus'), actions: [{ type: 'add_tag', tags: ['inline'] }] });
    const db = server.appliance.db;
    const eventOf = async (text: string) =>
      (
        (await db.query(
          `SELECT e.id, e.status FROM automation_events e JOIN messages m ON m.id = e.messageId WHERE e.type = 'message.received' AND m.text = ?`,
          [text],
        )) as { id: string; status: string }[]
      )[0];
    const jobsOf = async (eventId: string) =>
      (await db.query(`SELECT status FROM jobs WHERE type = 'automation.process' AND payload LIKE ?`, [`%${eventId}%`])) as {
        status: string;
      }[];

    // Processed in the webhook job's transaction: the run is there, and the event never had a job.
    const { conversation, from } = await inbound('sekaligus satu');
    const first = await eventOf('sekaligus satu');
    assert.equal(first.status, 'processed');
    assert.deepEqual(await jobsOf(first.id), []);
    assert.equal((await lastRun(rule.id)).status, 'succeeded');
    assert.ok((await get(conversation.id)).tags.includes('inline'));

    // An older event of the same conversation waits in its queue (retrying later): the next one
    // goes to the queue behind it instead of overtaking it.
    await server.appliance.services.transaction((m) =>
      enqueueJob(m, 'automation.process', { eventId: 'an-older-event' }, clock.now(), {
        tenantId: a.tenant.id,
        queueKey: `automation:${conversation.id}`,
        runAt: new Date(clock.now().getTime() + 10 * MINUTE),
      }),
    );
    const timestamp = String(Math.floor(clock.now().getTime() / 1000));
    await postWebhook(
      server.url,
      waPayload('wa-text.json', wa.phoneNumberId, { from, message: { id: wamid('IN'), timestamp, text: { body: 'sekaligus dua' } } }),
      wa.appSecret,
    );
    const second = await eventually(() => eventOf('sekaligus dua'), 5000, 'the second event');
    assert.equal(second.status, 'pending');
    assert.deepEqual(await jobsOf(second.id), [{ status: 'pending' }]);
    // Once the older one has run, the waiting one follows.
    clock.advance(11 * MINUTE);
    await eventually(
      async () => (await eventOf('sekaligus dua')).status === 'processed' || undefined,
      10_000,
      'the second event processed',
    );
    assert.deepEqual(await jobsOf(second.id), [{ status: 'done' }]);
    await settle(server.appliance);
    await a.api.patch(`/api/v1/automation/rules/${rule.id}`, { enabled: false });
  });

  it("ticks schedules in the organization's time zone and notices working hours opening and closing", async () => {
    const ticker = await createRule({
      name: 'Morning',
      triggers: ['schedule.tick'],
      schedule: { cron: '0 9 * * *' },
      actions: [{ type: 'add_tag', tags: ['x'] }],
    });
    // 10:00 in Jakarta now; the next 09:00 is tomorrow 02:00 UTC.
    assert.equal(ticker.schedule.nextRunAt, '2026-12-03T02:00:00.000Z');
    await runJob(server.appliance, 'automation.clock');
    assert.equal((await a.api.get(`/api/v1/automation/rules/${ticker.id}/runs`)).body.data.length, 0);
    clock.set('2026-12-03T02:00:30Z');
    await runJob(server.appliance, 'automation.clock');
    const runs = (await a.api.get(`/api/v1/automation/rules/${ticker.id}/runs`)).body.data;
    assert.equal(runs.length, 1);
    assert.equal(runs[0].eventType, 'schedule.tick');
    assert.equal(runs[0].actions[0].status, 'skipped'); // a tick is not about a conversation
    assert.equal((await a.api.get(`/api/v1/automation/rules/${ticker.id}`)).body.schedule.nextRunAt, '2026-12-04T02:00:00.000Z');
    await runJob(server.appliance, 'automation.clock');
    assert.equal((await a.api.get(`/api/v1/automation/rules/${ticker.id}/runs`)).body.data.length, 1, 'one tick per scheduled time');

    const hours = await a.api.put('/api/v1/working-hours', { hours: [{ day: 'thursday', start: '08:00', end: '17:00' }] });
    assert.equal(hours.status, 200, JSON.stringify(hours.body));
    const opened = await createRule({
      name: 'Opened',
      triggers: ['working_hours.opened', 'working_hours.closed'],
      actions: [{ type: 'add_tag', tags: ['y'] }],
    });
    clock.set('2026-12-03T00:30:00Z'); // Thursday 07:30 local: closed (learned)
    await runJob(server.appliance, 'automation.clock');
    clock.set('2026-12-03T01:01:00Z'); // 08:01: opened
    await runJob(server.appliance, 'automation.clock');
    clock.set('2026-12-03T10:01:00Z'); // 17:01: closed
    await runJob(server.appliance, 'automation.clock');
    const seen = (await a.api.get(`/api/v1/automation/rules/${opened.id}/runs`)).body.data.map((r: any) => r.eventType).reverse();
    assert.deepEqual(seen, ['working_hours.opened', 'working_hours.closed']);
  });

  it('does not process an event whose change was rolled back before its transaction committed', async () => {
    const rule = await createRule({ name: 'Phantom', conditions: keyword('hantu'), actions: [{ type: 'add_tag', tags: ['phantom'] }] });
    const { conversation } = await inbound('halo biasa');
    const first = (await a.api.get(`/api/v1/conversations/${conversation.id}/automation-events?type=message.received`)).body.data[0];
    const { emitEvent } = await import('../../server/core/events/outbox.js');
    const { DomainEventEntity } = await import('../../server/core/events/event.entity.js');
    const original = await server.appliance.db.getRepository(DomainEventEntity).findOneByOrFail({ id: first.domainEventId });
    const message = original.payload.message as Record<string, unknown>;
    // As a failed job of a batch: its savepoint wrote a message event and was rolled back; the
    // batch's other work committed.
    await server.appliance.services.transaction(async (m) => {
      await m
        .transaction(async (sm) => {
          const payload = { ...original.payload, message: { ...message, id: 'rolled-back-message', text: 'hantu' } };
          await emitEvent(sm, { tenantId: original.tenantId, type: original.type, payload }, clock.now());
          throw new Error('the job failed after writing its message');
        })
        .catch(() => undefined);
    });
    await settle(server.appliance);
    assert.deepEqual(await server.appliance.db.query(`SELECT id FROM automation_events WHERE messageId = 'rolled-back-message'`), []);
    // Its only run is the real message's, which did not match.
    const runs = (await a.api.get(`/api/v1/automation/rules/${rule.id}/runs?limit=10`)).body.data;
    assert.deepEqual(
      runs.map((r: any) => r.status),
      ['not_matched'],
    );
    assert.equal((await get(conversation.id)).tags.includes('phantom'), false);
    await a.api.patch(`/api/v1/automation/rules/${rule.id}`, { enabled: false });
  });

  it('logs a repeated payload as a duplicate and processes it once', async () => {
    const { conversation } = await inbound('halo dup');
    const first = (await a.api.get(`/api/v1/conversations/${conversation.id}/automation-events?type=message.received`)).body.data[0];
    // The same domain event written again (as a redelivery bug would): same fingerprint, not processed.
    const { emitEvent } = await import('../../server/core/events/outbox.js');
    const { DomainEventEntity } = await import('../../server/core/events/event.entity.js');
    const original = await server.appliance.db.getRepository(DomainEventEntity).findOneByOrFail({ id: first.domainEventId });
    await server.appliance.services.transaction((m) =>
      emitEvent(m, { tenantId: original.tenantId, type: original.type, payload: original.payload }, clock.now()),
    );
    await settle(server.appliance);
    const same = (await a.api.get(`/api/v1/automation/events/fingerprint/${first.fingerprint}`)).body.data;
    assert.deepEqual(same.map((e: any) => e.status).sort(), ['duplicate', first.status]);

    // Twice in one transaction: the first is processed with it (and written only then), the second
    // is still seen as its duplicate.
    const message = original.payload.message as Record<string, unknown>;
    const payload = { ...original.payload, message: { ...message, id: 'twice-in-one-transaction' } };
    await server.appliance.services.transaction(async (m) => {
      await emitEvent(m, { tenantId: original.tenantId, type: original.type, payload }, clock.now());
      await emitEvent(m, { tenantId: original.tenantId, type: original.type, payload }, clock.now());
    });
    await settle(server.appliance);
    const twice = (await server.appliance.db.query(
      `SELECT status FROM automation_events WHERE messageId = 'twice-in-one-transaction' ORDER BY status`,
    )) as { status: string }[];
    assert.deepEqual(
      twice.map((e) => e.status),
      ['duplicate', 'processed'],
    );
  });
});
