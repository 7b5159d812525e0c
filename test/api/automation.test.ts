// The automation engine through the API: rules with nested conditions and ordered actions, fired by
// real webhooks; runs with per-condition explanations; validation naming the bad path; toggle,
// snooze, rollout, schedule preview, alerts, the kill switch, loop protection; the event log with
// fingerprints, retry, reprocess, cleanup and CSV exports; dry-runs that change nothing; replay; and
// another tenant's ids answering 404.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.js';
import { Api, assertProblem, createAgent, registerTenant, type Tenant } from '../support/http.js';
import { connectWhatsApp, eventually, postWebhook, waPayload, wamid, type WaAccount } from '../support/whatsapp.js';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { settle } from '../support/settle.js';
import { AutomationEventEntity, AutomationRunEntity } from '../../server/modules/automation/automation.entity.js';

describe('Automation', () => {
  let server: TestServer;
  let graph: FakeGraph;
  let a: Tenant;
  let b: Tenant;
  let waA: WaAccount;
  let waB: WaAccount;
  let n = 0;

  before(async () => {
    graph = await startFakeGraph();
    server = await startServer({ META_GRAPH_URL: graph.url });
    const api = new Api(server.url);
    a = await registerTenant(api, 'Toko Otomatis A');
    b = await registerTenant(api, 'Toko Otomatis B');
    waA = await connectWhatsApp(a.api, '510000000000001');
    waB = await connectWhatsApp(b.api, '610000000000002');
  });
  after(async () => {
    await server.stop();
    await graph.stop();
  });

  /** A customer writes; resolves with the conversation once everything it caused has settled. */
  async function inbound(text: string, opts: { tenant?: Tenant; wa?: WaAccount; from?: string } = {}) {
    const tenant = opts.tenant ?? a;
    const wa = opts.wa ?? waA;
    const from = opts.from ?? `62815${String(++n).padStart(8, '0')}`;
    await postWebhook(
      server.url,
      waPayload('wa-text.json', wa.phoneNumberId, { from, message: { id: wamid('AU'), text: { body: text } } }),
      wa.appSecret,
    );
    const conv = await eventually(
      async () => (await tenant.api.get('/api/v1/conversations?limit=200')).body.data.find((c: any) => c.contact.phone === `+${from}`),
      5000,
      'conversation',
    );
    await settle(server.appliance);
    return { conversation: (await tenant.api.get(`/api/v1/conversations/${conv.id}`)).body, from };
  }

  const rule = (over: Record<string, unknown> = {}) => ({
    name: 'VIP keyword',
    triggers: ['message.received'],
    conditions: {
      match: 'all',
      conditions: [
        { field: 'message.text', operator: 'contains', value: 'vip' },
        {
          match: 'any',
          conditions: [
            { field: 'conversation.channel', operator: 'in', value: ['whatsapp'] },
            { field: 'contact.name', operator: 'exists' },
          ],
        },
      ],
    },
    actions: [
      { type: 'add_tag', tags: ['vip'] },
      { type: 'set_priority', priority: 'high' },
      { type: 'add_note', text: 'VIP customer' },
    ],
    ...over,
  });

  it('lists the five built-in rules, which cannot be deleted', async () => {
    const list = await a.api.get('/api/v1/automation/rules?builtIn=true');
    assert.equal(list.status, 200, JSON.stringify(list.body));
    assert.deepEqual(list.body.data.map((r: any) => r.builtIn).sort(), [
      'chat-expiration',
      'csat-on-resolve',
      'division-routing',
      'out-of-hours-reply',
      'sla-checks',
    ]);
    const sla = list.body.data.find((r: any) => r.builtIn === 'sla-checks');
    assert.equal(sla.schedule.cron, '* * * * *');
    assertProblem(await a.api.delete(`/api/v1/automation/rules/${sla.id}`), 409);
    const state = await a.api.get(`/api/v1/automation/rules/${sla.id}/state`);
    assert.equal(state.body.active, true);
  });

  it('validates rules with a 400 naming the bad path', async () => {
    assertProblem(await a.api.post('/api/v1/automation/rules', rule({ triggers: ['message.exploded'] })), 400, ['triggers.0']);
    assertProblem(
      await a.api.post(
        '/api/v1/automation/rules',
        rule({ conditions: { match: 'all', conditions: [{ field: 'message.text', operator: 'regex', value: '(?<=a)b' }] } }),
      ),
      400,
      ['conditions.conditions.0.value'],
    );
    assertProblem(
      await a.api.post(
        '/api/v1/automation/rules',
        rule({ conditions: { match: 'all', conditions: [{ field: 'nope.field', operator: 'equals', value: 1 }] } }),
      ),
      400,
      ['conditions.conditions.0.field'],
    );
    assertProblem(
      await a.api.post(
        '/api/v1/automation/rules',
        rule({ conditions: { match: 'all', conditions: [{ field: 'message.text', operator: 'in', value: 'x' }] } }),
      ),
      400,
      ['conditions.conditions.0.value'],
    );
    assertProblem(await a.api.post('/api/v1/automation/rules', rule({ actions: [{ type: 'set_priority', priority: 'extreme' }] })), 400, [
      'actions.0.priority',
    ]);
    assertProblem(await a.api.post('/api/v1/automation/rules', rule({ actions: [{ type: 'assign_agent', agentId: b.user.id }] })), 400, [
      'actions.0.agentId',
    ]);
    const template = await a.api.post('/api/v1/automation/rules', rule({ actions: [{ type: 'send_template', templateId: 'x' }] }));
    assertProblem(template, 400, ['actions.0.templateId']);
    for (const action of [
      { type: 'call_webhook', webhookId: 'x' },
      { type: 'hand_to_ai_agent', aiAgentId: 'x' },
    ])
      assertProblem(await a.api.post('/api/v1/automation/rules', rule({ actions: [action] })), 400, [
        `actions.0.${action.type === 'call_webhook' ? 'webhookId' : 'aiAgentId'}`,
      ]);
    assertProblem(await a.api.post('/api/v1/automation/rules', rule({ actions: [{ type: 'built_in', action: 'csat_survey' }] })), 400, [
      'actions.0.type',
    ]);
    assertProblem(
      await a.api.post('/api/v1/automation/rules', rule({ triggers: ['schedule.tick'], schedule: { cron: 'not a cron' } })),
      400,
      ['schedule.cron'],
    );
  });

  it('fires a rule on a webhook, recording each condition and action', async () => {
    const created = await a.api.post('/api/v1/automation/rules', rule());
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const { conversation } = await inbound('Halo, saya pelanggan VIP');
    assert.deepEqual(conversation.tags, ['vip']);
    assert.equal(conversation.priority, 'high');
    const notes = await a.api.get(`/api/v1/conversations/${conversation.id}/notes`);
    assert.equal(notes.body.data[0].body, 'VIP customer');

    const runs = await a.api.get(`/api/v1/automation/rules/${created.body.id}/runs`);
    assert.equal(runs.body.data.length, 1);
    const run = runs.body.data[0];
    assert.equal(run.status, 'succeeded');
    assert.equal(run.conditions.result, true);
    assert.equal(run.conditions.children[0].reason.includes('contain'), true);
    assert.deepEqual(
      run.actions.map((x: any) => [x.type, x.status]),
      [
        ['add_tag', 'succeeded'],
        ['set_priority', 'succeeded'],
        ['add_note', 'succeeded'],
      ],
    );

    // A message without the keyword: not matched, with the reason.
    const other = await inbound('Halo kak');
    const events = await a.api.get(`/api/v1/conversations/${other.conversation.id}/automation-events`);
    const received = events.body.data.find((e: any) => e.type === 'message.received');
    assert.ok(received, JSON.stringify(events.body));
    const eventRuns = await a.api.get(`/api/v1/automation/events/${received.id}/runs`);
    const mine = eventRuns.body.data.find((r: any) => r.ruleId === created.body.id);
    assert.equal(mine.status, 'not_matched');
    assert.match(mine.explanation, /^Condition 1 was false because message\.text was "Halo kak", which does not contain "vip"/);
    assert.deepEqual(other.conversation.tags, []);

    const single = await a.api.get(`/api/v1/automation/runs/${run.id}`);
    assert.equal(single.body.id, run.id);
    const event = await a.api.get(`/api/v1/automation/events/${run.eventId}`);
    assert.equal(event.body.status, 'processed');
    assert.equal(event.body.runs.length >= 1, true);
    const ruleEvents = await a.api.get(`/api/v1/automation/rules/${created.body.id}/events`);
    assert.equal(ruleEvents.body.data.length, 2);

    await a.api.patch(`/api/v1/automation/rules/${created.body.id}`, { enabled: false });
  });

  it("stores a run that did not match without its condition tree, and explains it from the event's values and the rule version it ran", async () => {
    const created = await a.api.post(
      '/api/v1/automation/rules',
      rule({
        name: 'Compact',
        conditions: {
          match: 'all',
          conditions: [
            { field: 'message.text', operator: 'regex', value: '^diskon\\s+\\d+' },
            {
              match: 'any',
              conditions: [
                { field: 'conversation.channel', operator: 'in', value: ['instagram'] },
                { field: 'contact.name', operator: 'exists' },
              ],
            },
          ],
        },
        actions: [{ type: 'add_tag', tags: ['promo'] }],
      }),
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const { conversation } = await inbound('Ada diskon kak?');
    await settle(server.appliance);
    const events = await a.api.get(`/api/v1/conversations/${conversation.id}/automation-events`);
    const received = events.body.data.find((e: any) => e.type === 'message.received');
    const runOf = async () =>
      (await a.api.get(`/api/v1/automation/events/${received.id}/runs`)).body.data.find((r: any) => r.ruleId === created.body.id);
    const run = await runOf();
    assert.equal(run.status, 'not_matched');
    assert.equal(run.conditions.result, false);
    const [text, group] = run.conditions.children;
    assert.deepEqual([text.field, text.actual, text.result], ['message.text', 'Ada diskon kak?', false]);
    assert.match(text.reason, /did not match \/\^diskon/);
    assert.deepEqual([group.kind, group.result, group.reason], ['group', true, '1 of 2 held']);
    assert.deepEqual(
      group.children.map((c: any) => [c.field, c.actual, c.result]),
      [
        ['conversation.channel', 'whatsapp', false],
        ['contact.name', conversation.contact.name, true],
      ],
    );
    assert.match(run.explanation, /^Condition 1 was false because message\.text was "Ada diskon kak\?", which did not match/);

    // Stored: no row of its own; the rule (and its version) on the event's list for attempt 1, and the
    // values the conditions read once, on the event.
    const db = server.appliance.db;
    assert.equal(await db.getRepository(AutomationRunEntity).existsBy({ id: run.id }), false);
    const stored = await db.getRepository(AutomationEventEntity).findOneByOrFail({ id: received.id });
    assert.ok(stored.unmatched?.['1']?.rules.some(([ruleId, version]) => ruleId === created.body.id && version === 1));

    assert.equal(stored.fields?.['1']?.['message.text'], 'Ada diskon kak?');
    assert.equal(stored.fields?.['1']?.['conversation.channel'], 'whatsapp');
    assert.equal((await a.api.get(`/api/v1/automation/events/${received.id}`)).body.fields, undefined, 'internal, not in the API');

    // The rule changes (version 2), then is deleted: the run still explains itself by version 1.
    const changed = await a.api.patch(`/api/v1/automation/rules/${created.body.id}`, {
      conditions: { match: 'all', conditions: [{ field: 'message.text', operator: 'contains', value: 'kak' }] },
    });
    assert.equal(changed.body.version, 2);
    assert.deepEqual(await runOf(), run);
    assert.equal((await a.api.delete(`/api/v1/automation/rules/${created.body.id}`)).status, 204);
    const single = await a.api.get(`/api/v1/automation/runs/${run.id}`);
    assert.deepEqual(single.body.conditions, run.conditions);
    assert.equal(single.body.explanation, run.explanation);
    const csv = await a.api.get(`/api/v1/automation/runs/export?eventId=${received.id}`);
    assert.ok(String(csv.body).includes('which did not match'), 'the export explains it too');
  });

  it('lists the runs kept on their events with the stored ones: cursors, filters, counts, by id, replay; not to another tenant', async () => {
    const never = await a.api.post(
      '/api/v1/automation/rules',
      rule({ name: 'Never', conditions: { match: 'all', conditions: [{ field: 'message.text', operator: 'contains', value: 'zzzz' }] } }),
    );
    const always = await a.api.post(
      '/api/v1/automation/rules',
      rule({
        name: 'Always',
        conditions: { match: 'all', conditions: [{ field: 'message.direction', operator: 'equals', value: 'inbound' }] },
        actions: [{ type: 'add_tag', tags: ['seen'] }],
      }),
    );
    for (const text of ['satu', 'dua', 'tiga']) await inbound(text);
    await settle(server.appliance);

    // Every run, newest first, and the same runs page by page (2 at a time) across both kinds.
    const all = (await a.api.get('/api/v1/automation/runs?limit=200')).body.data;
    const ids = all.map((r: any) => r.id);
    assert.deepEqual(ids, [...ids].sort().reverse(), 'newest first, by id');
    assert.ok(all.some((r: any) => r.status === 'not_matched') && all.some((r: any) => r.status === 'succeeded'));
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = (await a.api.get(`/api/v1/automation/runs?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).body;
      paged.push(...page.data.map((r: any) => r.id));
      cursor = page.nextCursor;
    } while (cursor && paged.length < 500);
    assert.deepEqual(paged.slice(0, ids.length), ids);

    // Filters: by rule (its three runs), by status, by event.
    const neverRuns = (await a.api.get(`/api/v1/automation/rules/${never.body.id}/runs`)).body.data;
    assert.equal(neverRuns.length, 3);
    assert.ok(neverRuns.every((r: any) => r.status === 'not_matched' && r.ruleName === 'Never' && r.conditions.result === false));
    const db = server.appliance.db;
    assert.equal(await db.getRepository(AutomationRunEntity).existsBy({ ruleId: never.body.id }), false, 'kept on the events');
    assert.equal((await a.api.get(`/api/v1/automation/rules/${always.body.id}/runs`)).body.data.length, 3);
    const notMatched = (await a.api.get('/api/v1/automation/runs?status=not_matched&limit=200')).body.data;
    assert.deepEqual(
      notMatched.map((r: any) => r.id),
      all.filter((r: any) => r.status === 'not_matched').map((r: any) => r.id),
    );
    assert.equal((await a.api.get(`/api/v1/automation/runs?status=succeeded&ruleId=${never.body.id}`)).body.data.length, 0);
    const kept = neverRuns[0];
    const ofEvent = (await a.api.get(`/api/v1/automation/events/${kept.eventId}/runs`)).body.data;
    assert.ok(ofEvent.some((r: any) => r.id === kept.id) && ofEvent.some((r: any) => r.ruleId === always.body.id));
    const detail = (await a.api.get(`/api/v1/automation/events/${kept.eventId}`)).body;
    assert.deepEqual(detail.runs.map((r: any) => r.id).sort(), ofEvent.map((r: any) => r.id).sort());

    // Counted in the rule's stats and time series.
    const stats = (await a.api.get(`/api/v1/automation/rules/${never.body.id}/stats`)).body;
    assert.equal(stats.runs.notMatched, 3);
    assert.equal(stats.runs.total, 3);
    const series = (await a.api.get(`/api/v1/automation/rules/${never.body.id}/stats/timeseries`)).body;
    assert.equal(
      series.data.reduce((n: number, b: any) => n + b.notMatched, 0),
      3,
    );
    assert.ok((await a.api.get('/api/v1/automation/stats')).body.runs.notMatched >= 3);

    // By id, and its replay.
    const single = await a.api.get(`/api/v1/automation/runs/${kept.id}`);
    assert.equal(single.status, 200);
    assert.deepEqual(single.body, kept);
    const replay = await a.api.get(`/api/v1/automation/runs/${kept.id}/replay`);
    assert.equal(replay.status, 200, JSON.stringify(replay.body));
    assert.equal(replay.body.run.id, kept.id);
    assert.equal(replay.body.reevaluation.sameOutcome, true);
    // An id of the same form that names no run, and another organization: 404.
    assertProblem(await a.api.get(`/api/v1/automation/runs/${kept.id.slice(0, 33)}fff`), 404);
    assertProblem(await b.api.get(`/api/v1/automation/runs/${kept.id}`), 404);
    assertProblem(await b.api.get(`/api/v1/automation/runs/${kept.id}/replay`), 404);
    assert.equal((await b.api.get(`/api/v1/automation/runs?ruleId=${never.body.id}`)).body.data.length, 0);
    for (const r of [never, always]) assert.equal((await a.api.delete(`/api/v1/automation/rules/${r.body.id}`)).status, 204);
  });

  it('dry-runs without side effects and replays a run', async () => {
    const created = await a.api.post(
      '/api/v1/automation/rules',
      rule({ name: 'Dry', actions: [{ type: 'resolve' }, { type: 'send_message', text: 'Bye' }], enabled: false }),
    );
    const { conversation } = await inbound('vip order please');
    await settle(server.appliance);
    const before = (await a.api.get(`/api/v1/conversations/${conversation.id}`)).body;
    const sentBefore = graph.sentMessages().length;
    const counts = async () => (await a.api.get('/api/v1/automation/events/stats')).body.byStatus.total;
    const eventsBefore = await counts();
    const runsBefore = (await a.api.get('/api/v1/automation/runs?limit=200')).body.data.length;

    const dry = await a.api.post('/api/v1/automation/rules/dry-run', { ruleId: created.body.id, limit: 20 });
    assert.equal(dry.status, 200, JSON.stringify(dry.body));
    const hit = dry.body.results.find((r: any) => r.conversationId === conversation.id);
    assert.equal(hit.wouldRun, true);
    assert.deepEqual(
      hit.actions.map((x: any) => x.type),
      ['resolve', 'send_message'],
    );
    const payload = await a.api.post('/api/v1/automation/rules/dry-run', {
      rule: rule({ name: 'Test' }),
      payload: { type: 'message.received', data: { message: { text: 'no keyword' }, conversation: { channel: 'whatsapp' } } },
    });
    assert.equal(payload.body.results[0].matched, false);
    assert.match(payload.body.results[0].explanation, /Condition 1 was false/);
    assertProblem(await a.api.post('/api/v1/automation/rules/dry-run', {}), 400, ['ruleId']);

    await settle(server.appliance);
    assert.deepEqual((await a.api.get(`/api/v1/conversations/${conversation.id}`)).body, before);
    assert.equal(graph.sentMessages().length, sentBefore);
    assert.equal(await counts(), eventsBefore);
    assert.equal((await a.api.get('/api/v1/automation/runs?limit=200')).body.data.length, runsBefore);

    // Replay: the run of the VIP rule, re-evaluated against the rule as it is now.
    const vip = (await a.api.get('/api/v1/automation/rules?search=VIP keyword')).body.data[0];
    const run = (await a.api.get(`/api/v1/automation/rules/${vip.id}/runs`)).body.data[0];
    const replay = await a.api.get(`/api/v1/automation/runs/${run.id}/replay`);
    assert.equal(replay.status, 200, JSON.stringify(replay.body));
    assert.equal(replay.body.ruleAtRun.version, run.ruleVersion);
    assert.equal(replay.body.event.id, run.eventId);
    assert.equal(typeof replay.body.reevaluation.matched, 'boolean');
  });

  it('toggles, snoozes (one and many), unsnoozes, rolls out and schedules rules', async () => {
    const created = (await a.api.post('/api/v1/automation/rules', rule({ name: 'Knobs' }))).body;
    const off = await a.api.post(`/api/v1/automation/rules/${created.id}/toggle`, {});
    assert.equal(off.body.enabled, false);
    const on = await a.api.post(`/api/v1/automation/rules/${created.id}/toggle`, { enabled: true });
    assert.equal(on.body.enabled, true);
    const snoozed = await a.api.post(`/api/v1/automation/rules/${created.id}/snooze`, { minutes: 30, reason: 'testing' });
    assert.ok(snoozed.body.snoozedUntil);
    assertProblem(await a.api.post(`/api/v1/automation/rules/${created.id}/snooze`, {}), 400, ['until']);
    const list = await a.api.get('/api/v1/automation/rules/snoozed');
    assert.ok(list.body.data.some((r: any) => r.id === created.id));
    const state = await a.api.get(`/api/v1/automation/rules/${created.id}/state`);
    assert.deepEqual(state.body.reasons, ['snoozed']);
    const un = await a.api.post(`/api/v1/automation/rules/${created.id}/unsnooze`);
    assert.equal(un.body.snoozedUntil, null);
    assertProblem(await a.api.post(`/api/v1/automation/rules/${created.id}/unsnooze`), 409);
    const many = await a.api.post('/api/v1/automation/rules/snooze', {
      ruleIds: [created.id, '01900000-0000-7000-8000-000000000000'],
      minutes: 5,
    });
    assert.equal(many.body.snoozed, 1);
    assert.equal(many.body.notFound.length, 1);
    await a.api.post(`/api/v1/automation/rules/${created.id}/unsnooze`);

    const rollout = await a.api.patch(`/api/v1/automation/rules/${created.id}/rollout`, { percent: 25 });
    assert.equal(rollout.body.rolloutPercent, 25);
    assertProblem(await a.api.patch(`/api/v1/automation/rules/${created.id}/rollout`, { percent: 101 }), 400, ['percent']);

    const scheduled = await a.api.patch(`/api/v1/automation/rules/${created.id}/schedule`, {
      cron: '0 9 * * 1-5',
      timezone: 'Asia/Jakarta',
    });
    assert.equal(scheduled.status, 200, JSON.stringify(scheduled.body));
    assert.ok(scheduled.body.triggers.includes('schedule.tick'));
    const preview = await a.api.get(`/api/v1/automation/rules/${created.id}/schedule/preview?count=3&from=2026-12-04T00:00:00Z`);
    assert.equal(preview.status, 200, JSON.stringify(preview.body));
    // 09:00 in Jakarta is 02:00 UTC; 2026-12-04 is a Friday, then Monday and Tuesday.
    assert.deepEqual(
      preview.body.runs.map((r: any) => r.at),
      ['2026-12-04T02:00:00.000Z', '2026-12-07T02:00:00.000Z', '2026-12-08T02:00:00.000Z'],
    );
    assertProblem(await a.api.get(`/api/v1/automation/rules/${created.id}/schedule/preview?cron=99 * * * *`), 400, ['query.cron']);
    assertProblem(await a.api.patch(`/api/v1/automation/rules/${created.id}/schedule`, { cron: '* * *', timezone: 'Mars/Base' }), 400, [
      'schedule.timezone',
    ]);
    const unscheduled = await a.api.patch(`/api/v1/automation/rules/${created.id}/schedule`, { cron: null });
    assert.equal(unscheduled.body.schedule, null);
    assert.ok(!unscheduled.body.triggers.includes('schedule.tick'));

    const alerts = await a.api.patch(`/api/v1/automation/rules/${created.id}/alerts`, { enabled: true, maxRunsPerHour: 1 });
    assert.deepEqual(alerts.body.alerts, { enabled: true, maxRunsPerHour: 1, maxFailuresPerHour: null });
    assertProblem(await a.api.patch(`/api/v1/automation/rules/${created.id}/alerts`, { maxRunsPerHour: null }), 400, ['maxRunsPerHour']);

    const updated = await a.api.patch(`/api/v1/automation/rules/${created.id}`, {
      name: 'Knobs 2',
      conditions: { match: 'any', conditions: [] },
    });
    assert.equal(updated.body.version, unscheduled.body.version + 1);
    assert.equal((await a.api.get(`/api/v1/automation/rules/${created.id}`)).body.name, 'Knobs 2');
    assert.equal((await a.api.delete(`/api/v1/automation/rules/${created.id}`)).status, 204);
    assertProblem(await a.api.get(`/api/v1/automation/rules/${created.id}`), 404);
  });

  it('the kill switch stops custom rules; loop protection stops chains', async () => {
    const created = (
      await a.api.post(
        '/api/v1/automation/rules',
        rule({
          name: 'Paused',
          conditions: { match: 'all', conditions: [{ field: 'message.text', operator: 'contains', value: 'pause' }] },
          actions: [{ type: 'add_tag', tags: ['paused'] }],
        }),
      )
    ).body;
    const control = await a.api.patch('/api/v1/automation/control', { enabled: false, reason: 'maintenance' });
    assert.equal(control.body.enabled, false);
    assert.equal((await a.api.get('/api/v1/automation/control')).body.reason, 'maintenance');
    const { conversation } = await inbound('pause test');
    assert.deepEqual(conversation.tags, []);
    const runs = await a.api.get(`/api/v1/automation/rules/${created.id}/runs`);
    assert.equal(runs.body.data[0].status, 'skipped');
    assert.match(runs.body.data[0].skipReason, /kill switch/);
    await a.api.patch('/api/v1/automation/control', { enabled: true });
    await a.api.patch(`/api/v1/automation/rules/${created.id}`, { enabled: false });
    assertProblem(await a.api.patch('/api/v1/automation/control', { maxDepth: 0 }), 400, ['maxDepth']);

    // A rule that answers every sent message with another: its own events re-trigger it only up to the depth limit.
    await a.api.patch('/api/v1/automation/control', { maxDepth: 3 });
    const loop = (
      await a.api.post('/api/v1/automation/rules', {
        name: 'Echo loop',
        triggers: ['message.sent'],
        conditions: { match: 'all', conditions: [{ field: 'message.text', operator: 'starts_with', value: 'loop' }] },
        actions: [{ type: 'send_message', text: 'loop again' }],
      })
    ).body;
    const target = await inbound('halo');
    const sent = await a.api.post(`/api/v1/conversations/${target.conversation.id}/messages`, { type: 'text', text: 'loop start' });
    assert.ok([201, 202].includes(sent.status), JSON.stringify(sent.body));
    await settle(server.appliance);
    const loopRuns = (await a.api.get(`/api/v1/automation/rules/${loop.id}/runs?limit=50`)).body.data;
    assert.equal(loopRuns.filter((r: any) => r.status === 'succeeded').length, 3);
    assert.equal(loopRuns.filter((r: any) => r.status === 'skipped' && /Loop protection/.test(r.skipReason)).length, 1);
    const alerts = await a.api.get('/api/v1/automation/stats/alerts');
    assert.ok(alerts.body.byKind.loop >= 1, JSON.stringify(alerts.body));
    await a.api.patch(`/api/v1/automation/rules/${loop.id}`, { enabled: false });
  });

  it('fails an action, retries and reprocesses the event, and cleans up', async () => {
    const { agent } = await createAgent(a.api);
    const created = (
      await a.api.post(
        '/api/v1/automation/rules',
        rule({
          name: 'Assign',
          conditions: { match: 'all', conditions: [{ field: 'message.text', operator: 'regex', value: '^order\\s+#?\\d+' }] },
          actions: [
            { type: 'add_tag', tags: ['order'] },
            { type: 'assign_agent', agentId: agent.id },
          ],
        }),
      )
    ).body;
    // The agent leaves after the rule was saved: the second action fails.
    await a.api.patch(`/api/v1/agents/${agent.id}`, { status: 'suspended' });
    const { conversation } = await inbound('Order #123 where is it');
    const run = (await a.api.get(`/api/v1/automation/rules/${created.id}/runs`)).body.data[0];
    assert.equal(run.status, 'failed', JSON.stringify(run));
    assert.deepEqual(
      run.actions.map((x: any) => x.status),
      ['succeeded', 'failed'],
    );
    const failedEvents = await a.api.get('/api/v1/automation/events?status=failed');
    assert.ok(failedEvents.body.data.some((e: any) => e.id === run.eventId));
    assertProblem(
      await a.api.post(
        `/api/v1/automation/events/${run.eventId}/retry`.replace(
          run.eventId,
          (await a.api.get('/api/v1/automation/events?status=processed&limit=1')).body.data[0].id,
        ),
      ),
      409,
    );

    // The agent is back: retry goes on from the failed action; the tag is not added twice.
    await a.api.patch(`/api/v1/agents/${agent.id}`, { status: 'active' });
    const retried = await a.api.post(`/api/v1/automation/events/${run.eventId}/retry`);
    assert.equal(retried.body.status, 'pending');
    await settle(server.appliance);
    const after = (await a.api.get(`/api/v1/automation/runs/${run.id}`)).body;
    assert.equal(after.status, 'succeeded', JSON.stringify(after));
    assert.deepEqual(
      after.actions.map((x: any) => x.status),
      ['succeeded', 'succeeded'],
    );
    assert.equal((await a.api.get(`/api/v1/conversations/${conversation.id}`)).body.assignee.id, agent.id);

    // Another failure, fixed by retry-failed.
    await a.api.patch(`/api/v1/agents/${agent.id}`, { status: 'suspended' });
    await inbound('order 77');
    await a.api.patch(`/api/v1/agents/${agent.id}`, { status: 'active' });
    const all = await a.api.post('/api/v1/automation/events/retry-failed');
    assert.equal(all.body.retried, 1);
    await settle(server.appliance);
    assert.equal((await a.api.get('/api/v1/automation/events?status=failed')).body.data.length, 0);

    // Reprocess: a new attempt with the current rules.
    const again = await a.api.post(`/api/v1/automation/events/${run.eventId}/reprocess`);
    assert.equal(again.body.attempt, 2);
    await settle(server.appliance);
    const attempts = (await a.api.get(`/api/v1/automation/events/${run.eventId}/runs`)).body.data.filter(
      (r: any) => r.ruleId === created.id,
    );
    assert.deepEqual(attempts.map((r: any) => r.attempt).sort(), [1, 2]);
    assertProblem(await a.api.post('/api/v1/automation/events/01900000-0000-7000-8000-000000000000/reprocess'), 404);

    // Cleanup of old failed events (none failed now; processed ones when asked).
    const cleaned = await a.api.post('/api/v1/automation/events/cleanup', { olderThanDays: 0, statuses: ['failed'] });
    assert.equal(cleaned.body.deleted, 0);
    assertProblem(await a.api.post('/api/v1/automation/events/cleanup', { olderThanDays: -1 }), 400, ['olderThanDays']);
    await a.api.patch(`/api/v1/automation/rules/${created.id}`, { enabled: false });
  });

  it('keeps a fingerprinted event log, stats, time series, metrics and CSV exports', async () => {
    const events = (await a.api.get('/api/v1/automation/events?type=message.received&limit=5')).body.data;
    assert.ok(events.length > 0);
    const e = events[0];
    assert.match(e.fingerprint, /^[0-9a-f]{32}$/);
    const same = await a.api.get(`/api/v1/automation/events/fingerprint/${e.fingerprint}`);
    assert.equal(same.body.data[0].id, e.id);
    assertProblem(await a.api.get('/api/v1/automation/events/fingerprint/xyz'), 400, ['params.fingerprint']);

    const stats = await a.api.get('/api/v1/automation/stats');
    assert.equal(stats.status, 200, JSON.stringify(stats.body));
    assert.ok(stats.body.runs.succeeded > 0);
    assert.equal(stats.body.rules.builtIn, 5);
    const series = await a.api.get('/api/v1/automation/stats/timeseries?interval=hour');
    assert.ok(series.body.data.reduce((s: number, x: any) => s + x.total, 0) > 0);
    assertProblem(await a.api.get('/api/v1/automation/stats/timeseries?from=2026-12-05T00:00:00Z&to=2026-12-01T00:00:00Z'), 400, [
      'query.from',
    ]);
    const vip = (await a.api.get('/api/v1/automation/rules?search=VIP keyword')).body.data[0];
    const ruleStats = await a.api.get(`/api/v1/automation/rules/${vip.id}/stats`);
    assert.equal(ruleStats.body.runs.succeeded, 1);
    const ruleSeries = await a.api.get(`/api/v1/automation/rules/${vip.id}/stats/timeseries`);
    assert.equal(
      ruleSeries.body.data.reduce((s: number, x: any) => s + x.succeeded, 0),
      1,
    );
    const queue = await a.api.get('/api/v1/automation/events/stats');
    assert.equal(queue.body.byStatus.pending, 0);
    const metrics = await a.api.get('/api/v1/automation/worker/metrics');
    assert.equal(metrics.body.pending, 0);
    assert.equal(metrics.body.lagMs, 0);
    assert.ok(metrics.body.latencyMs.sample > 0);

    const runsCsv = await a.api.get('/api/v1/automation/runs/export?status=succeeded');
    assert.equal(runsCsv.status, 200);
    assert.match(runsCsv.headers.get('content-type') ?? '', /text\/csv/);
    const text = runsCsv.body;
    assert.match(String(text), /id,createdAt,ruleId,ruleName/);
    assert.match(String(text), /VIP keyword/);
    const eventsCsv = await a.api.get('/api/v1/automation/events/export?type=message.received');
    assert.match(String(eventsCsv.body), /id,createdAt,type,status/);
    assertProblem(await a.api.get('/api/v1/automation/runs/export?status=bogus'), 400, ['query.status']);
  });

  it("answers 404 for another tenant's rules, runs and events, and changes nothing", async () => {
    const rules = (await a.api.get('/api/v1/automation/rules')).body.data;
    const mine = rules.find((r: any) => r.name === 'VIP keyword');
    const run = (await a.api.get(`/api/v1/automation/rules/${mine.id}/runs`)).body.data[0];
    const conv = run.conversationId;
    for (const [method, path, body] of [
      ['get', `/api/v1/automation/rules/${mine.id}`],
      ['patch', `/api/v1/automation/rules/${mine.id}`, { name: 'Stolen' }],
      ['delete', `/api/v1/automation/rules/${mine.id}`],
      ['post', `/api/v1/automation/rules/${mine.id}/toggle`, {}],
      ['post', `/api/v1/automation/rules/${mine.id}/snooze`, { minutes: 5 }],
      ['post', `/api/v1/automation/rules/${mine.id}/unsnooze`],
      ['get', `/api/v1/automation/rules/${mine.id}/stats`],
      ['get', `/api/v1/automation/rules/${mine.id}/stats/timeseries`],
      ['get', `/api/v1/automation/rules/${mine.id}/state`],
      ['patch', `/api/v1/automation/rules/${mine.id}/alerts`, { enabled: false }],
      ['patch', `/api/v1/automation/rules/${mine.id}/schedule`, { cron: '* * * * *' }],
      ['patch', `/api/v1/automation/rules/${mine.id}/rollout`, { percent: 0 }],
      ['get', `/api/v1/automation/rules/${mine.id}/schedule/preview?cron=* * * * *`],
      ['get', `/api/v1/automation/rules/${mine.id}/runs`],
      ['get', `/api/v1/automation/rules/${mine.id}/events`],
      ['get', `/api/v1/automation/runs/${run.id}`],
      ['get', `/api/v1/automation/runs/${run.id}/replay`],
      ['get', `/api/v1/automation/events/${run.eventId}`],
      ['get', `/api/v1/automation/events/${run.eventId}/runs`],
      ['post', `/api/v1/automation/events/${run.eventId}/retry`],
      ['post', `/api/v1/automation/events/${run.eventId}/reprocess`],
      ['get', `/api/v1/conversations/${conv}/automation-events`],
      ['post', '/api/v1/automation/rules/dry-run', { ruleId: mine.id }],
      ['post', '/api/v1/automation/rules/dry-run', { rule: rule(), eventIds: [run.eventId] }],
    ] as [string, string, unknown?][]) {
      const res = await (b.api as any)[method](path, body);
      assertProblem(res, 404);
    }
    const snooze = await b.api.post('/api/v1/automation/rules/snooze', { ruleIds: [mine.id], minutes: 5 });
    assert.equal(snooze.body.snoozed, 0);
    assert.equal(
      (
        await b.api.get(
          `/api/v1/automation/events/fingerprint/${(await a.api.get(`/api/v1/automation/events/${run.eventId}`)).body.fingerprint}`,
        )
      ).body.data.length,
      0,
    );
    assert.equal(
      (await b.api.get('/api/v1/automation/runs')).body.data.some((r: any) => r.id === run.id),
      false,
    );
    assert.equal(
      (await b.api.get('/api/v1/automation/events')).body.data.some((e: any) => e.id === run.eventId),
      false,
    );
    const after = (await a.api.get(`/api/v1/automation/rules/${mine.id}`)).body;
    assert.equal(after.name, 'VIP keyword');
    assert.equal(after.snoozedUntil, null);
    // B's own webhooks run B's rules only.
    await inbound('vip', { tenant: b, wa: waB });
    assert.equal((await a.api.get(`/api/v1/automation/rules/${mine.id}/runs`)).body.data.length, 2);
    // Cleanup by age: everything processed before now goes, with its runs.
    const before = (await a.api.get('/api/v1/automation/events/stats')).body.byStatus.processed;
    assert.ok(before > 0);
    const cleaned = await a.api.post('/api/v1/automation/events/cleanup', { olderThanDays: 0, statuses: ['processed', 'ignored'] });
    assert.equal(cleaned.status, 200, JSON.stringify(cleaned.body));
    assert.equal(cleaned.body.deleted >= before, true);
    assert.ok(cleaned.body.deletedRuns > 0);
    assert.equal((await a.api.get('/api/v1/automation/events/stats')).body.byStatus.processed, 0);
    assertProblem(await a.api.get(`/api/v1/automation/runs/${run.id}`), 404);
    // An agent without automation.manage is refused.
    const { api: agentApi } = await createAgent(a.api);
    assertProblem(await agentApi.get('/api/v1/automation/rules'), 403);
  });
});
