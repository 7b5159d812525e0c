// Automation's actions that reach other modules: send an approved WhatsApp template (through the
// templates module, delivered by the durable send job), call an outgoing webhook (signed, listed as a
// delivery), hand the conversation to an AI agent; ids of another organization refused when saving.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.js';
import { Api, assertProblem, registerTenant, type Tenant } from '../support/http.js';
import { connectWhatsApp, eventually, postWebhook, waPayload, wamid, type WaAccount } from '../support/whatsapp.js';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

describe('Automation actions through other modules', () => {
  let server: TestServer;
  let graph: FakeGraph;
  let receiver: WebhookReceiver;
  let a: Tenant;
  let b: Tenant;
  let waA: WaAccount;
  const waba = 'waba-710000000000001';

  before(async () => {
    graph = await startFakeGraph();
    receiver = await startWebhookReceiver();
    server = await startServer({ META_GRAPH_URL: graph.url });
    const api = new Api(server.url);
    a = await registerTenant(api, 'Toko Aksi A');
    b = await registerTenant(api, 'Toko Aksi B');
    waA = await connectWhatsApp(a.api, '710000000000001');
    await connectWhatsApp(b.api, '710000000000002');
    graph.setTemplates(waba, [
      {
        id: '1700000000000001',
        name: 'sapa_pelanggan',
        language: 'id',
        status: 'APPROVED',
        category: 'UTILITY',
        components: [{ type: 'BODY', text: 'Halo {{1}}, pesanan Anda kami proses.', example: { body_text: [['Budi']] } }],
      },
    ]);
    assert.equal((await a.api.post('/api/v1/wa-templates/sync', {})).status, 200);
  });
  after(async () => {
    await server.stop();
    await graph.stop();
    await receiver.stop();
  });

  it('a rule sends a template and calls a webhook when a customer writes; the run records both', async () => {
    const template = (await a.api.get('/api/v1/wa-templates?search=sapa_pelanggan')).body.data[0];
    assert.ok(template, 'template synced');
    const hook = await a.api.post('/api/v1/outgoing-webhooks', {
      name: 'CRM',
      url: `${receiver.url}/hooks/automation`,
      events: ['contact.created'],
    });
    assert.equal(hook.status, 201, JSON.stringify(hook.body));
    const rule = await a.api.post('/api/v1/automation/rules', {
      name: 'Greet by template',
      triggers: ['message.received'],
      conditions: { match: 'all', conditions: [{ field: 'message.text', operator: 'contains', value: 'pesan' }] },
      actions: [
        { type: 'send_template', templateId: template.id, values: { 'body.1': 'Kak' } },
        { type: 'call_webhook', webhookId: hook.body.id },
      ],
    });
    assert.equal(rule.status, 201, JSON.stringify(rule.body));

    const from = '6281577700001';
    await postWebhook(
      server.url,
      waPayload('wa-text.json', waA.phoneNumberId, { from, message: { id: wamid('AA'), text: { body: 'Mau pesan batik' } } }),
      waA.appSecret,
    );
    const run = await eventually(
      async () => {
        const runs = await a.api.get(`/api/v1/automation/rules/${rule.body.id}/runs`);
        const r = runs.body.data[0];
        return r && r.status !== 'running' && r;
      },
      10_000,
      'run finished',
    );
    assert.deepEqual(
      run.actions.map((x: any) => [x.type, x.status]),
      [
        ['send_template', 'succeeded'],
        ['call_webhook', 'succeeded'],
      ],
      JSON.stringify(run.actions),
    );
    // The template went to Meta with the value, by the send job.
    const sent = await eventually(
      async (): Promise<any> =>
        graph.requests.find((r) => r.method === 'POST' && r.path.endsWith('/messages') && r.body?.type === 'template'),
      10_000,
      'template sent to the Graph API',
    );
    assert.equal(sent.body.to, from);
    assert.equal(sent.body.template.name, 'sapa_pelanggan');
    assert.match(JSON.stringify(sent.body.template.components), /Kak/);
    // The webhook was called, signed, with the event that fired the rule. (The same URL also gets
    // the contact.created it subscribes to, in either order: both are delivered by their own jobs.)
    const delivered = await eventually(
      async (): Promise<any> =>
        receiver.received.find((r) => r.path === '/hooks/automation' && (r.body.type ?? r.body.event) !== 'contact.created'),
      10_000,
      'webhook delivered',
    );
    assert.equal(delivered.body.type ?? delivered.body.event, 'automation.action');
    assert.match(delivered.raw, /Mau pesan batik|message\.received/);
  });

  it('hand_to_ai_agent with an agent that is switched off is skipped with the reason', async () => {
    const agent = await a.api.post('/api/v1/ai-agents', { name: 'Asisten', active: false });
    assert.equal(agent.status, 201, JSON.stringify(agent.body));
    const rule = await a.api.post('/api/v1/automation/rules', {
      name: 'To AI',
      triggers: ['message.received'],
      conditions: { match: 'all', conditions: [{ field: 'message.text', operator: 'contains', value: 'robot' }] },
      actions: [{ type: 'hand_to_ai_agent', aiAgentId: agent.body.id }],
    });
    assert.equal(rule.status, 201, JSON.stringify(rule.body));
    await postWebhook(
      server.url,
      waPayload('wa-text.json', waA.phoneNumberId, { from: '6281577700002', message: { id: wamid('AB'), text: { body: 'halo robot' } } }),
      waA.appSecret,
    );
    const run = await eventually(
      async () => {
        const r = (await a.api.get(`/api/v1/automation/rules/${rule.body.id}/runs`)).body.data[0];
        return r && r.status !== 'running' && r;
      },
      10_000,
      'run finished',
    );
    assert.equal(run.actions[0].type, 'hand_to_ai_agent');
    assert.equal(run.actions[0].status, 'skipped', JSON.stringify(run.actions));
    const conversation = (await a.api.get('/api/v1/conversations?limit=50')).body.data.find(
      (c: any) => c.contact.phone === '+6281577700002',
    );
    assert.equal(conversation.aiAgentId ?? null, null, 'not handed to a switched-off agent');
  });

  it("another organization's template, webhook and AI agent are refused when saving a rule", async () => {
    const template = (await a.api.get('/api/v1/wa-templates?search=sapa_pelanggan')).body.data[0];
    const hook = (await a.api.get('/api/v1/outgoing-webhooks')).body.data[0];
    const base = { name: 'Cross', triggers: ['message.received'], conditions: { match: 'all', conditions: [] } };
    assertProblem(
      await b.api.post('/api/v1/automation/rules', { ...base, actions: [{ type: 'send_template', templateId: template.id }] }),
      400,
      ['actions.0.templateId'],
    );
    assertProblem(await b.api.post('/api/v1/automation/rules', { ...base, actions: [{ type: 'call_webhook', webhookId: hook.id }] }), 400, [
      'actions.0.webhookId',
    ]);
  });
});
