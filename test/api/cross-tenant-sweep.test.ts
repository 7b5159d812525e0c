// The generated cross-tenant sweep (issue 12): from the live /openapi.json, every operation with path
// parameters is called by a second tenant's owner against the first tenant's ids (one of each
// resource the first tenant can have), with bodies generated from the request schemas. It asserts:
// never a 5xx; never a 2xx that returns or changes the first tenant's data; a tenant route (x-access
// "tenant") answers exactly 404 to a foreign id; and the first tenant's rows are exactly as they were
// afterwards. A second test enumerates the registry's tenant routes with path ids and fails when one
// takes a kind of id the sweep has no real value for (so no tenant route escapes the 404 test). Parameters it does not
// know (a module added later) get a random UUID and must not 5xx either, so the sweep keeps
// covering new modules without changes. Modelled on the anonymous-caller sweep in route-guards.test.ts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startServer, testClock, type TestServer } from '../support/server.js';
import { Api, createAgent, registerTenant, superAdmin, type Tenant } from '../support/http.js';
import { connectWhatsApp, eventually, postWebhook, waPayload, wamid } from '../support/whatsapp.js';
import { connectMessenger } from '../support/meta-channels.js';
import { settle } from '../support/settle.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { startFakeLlm, FAKE_CHAT_MODEL, FAKE_EMBEDDING_MODEL, type FakeLlm } from '../support/fake-llm.js';

type Schema = Record<string, any>;
type Operation = { method: string; path: string; op: Schema };

/** Text only the first tenant's data contains: found in any answer to the second tenant, it leaked. */
const MARKER = 'SWEEPSECRET';

describe('cross-tenant sweep: every operation with path parameters, as another tenant, against the first tenant’s ids', () => {
  let server: TestServer;
  let receiver: WebhookReceiver;
  let llm: FakeLlm;
  let a: Tenant;
  let b: Tenant;
  /** Path (and body) parameter names → the first tenant's ids. */
  const ids: Record<string, string> = {};
  /** Path parameters that are search values, not ids (a lookup by them lists what the caller owns). */
  const searchKeys: Record<string, string> = {};
  let doc: Schema;

  before(async () => {
    receiver = await startWebhookReceiver();
    llm = await startFakeLlm();
    // A clock that stands still: the first tenant's own scheduled work (the built-in rules' minute
    // ticks) must not change its rows while the sweep compares them.
    server = await startServer({ PUBLIC_URL: 'https://crm.example.test' }, { now: testClock().now });
    const api = new Api(server.url);
    a = await registerTenant(api, `Toko ${MARKER}`);
    b = await registerTenant(api, 'Toko Tamu');
    ids.tenantId = a.tenant.id;
    ids.tenantSlug = a.tenant.slug;

    // One of each resource the first tenant can have.
    const wa = await connectWhatsApp(a.api, '628800000001');
    ids.accountId = wa.id;
    const page = await connectMessenger(a.api, '880000000001');
    ids.pageId = page.key;
    const from = '6281377700001';
    const text = `Halo ${MARKER} pesanan saya`;
    assert.equal(
      (
        await postWebhook(
          server.url,
          waPayload('wa-text.json', wa.phoneNumberId, { from, message: { id: wamid('sweep'), text: { body: text } } }),
          wa.appSecret,
        )
      ).status,
      200,
    );
    const conversation = await eventually(
      async () => (await a.api.get('/api/v1/conversations?limit=50')).body.data[0],
      10_000,
      'the first tenant’s conversation',
    );
    ids.conversationId = conversation.id;
    ids.contactId = conversation.contact.id;
    const agent = await createAgent(a.api, 'agent');
    ids.agentId = agent.agent.id;
    ids.userId = agent.agent.id;
    const form = new FormData();
    form.set('file', new Blob([Buffer.from(`%PDF-1.4 ${MARKER}`)], { type: 'application/pdf' }), `${MARKER}.pdf`);
    const media = await fetch(`${server.url}/api/v1/media`, {
      method: 'POST',
      headers: { authorization: `Bearer ${a.token}` },
      body: form,
    });
    assert.equal(media.status, 201, await media.clone().text());
    ids.mediaId = ((await media.json()) as { id: string }).id;
    const reply = await a.api.post(`/api/v1/conversations/${ids.conversationId}/messages`, { type: 'text', text: `Siap ${MARKER}` });
    assert.equal(reply.status, 202, JSON.stringify(reply.body));
    ids.messageId = reply.body.id;
    const note = await a.api.post(`/api/v1/conversations/${ids.conversationId}/notes`, { body: `Catatan ${MARKER}` });
    assert.equal(note.status, 201);
    ids.noteId = note.body.id;
    const division = await a.api.post('/api/v1/divisions', { name: `Divisi ${MARKER}`, agentIds: [ids.agentId] });
    assert.equal(division.status, 201, JSON.stringify(division.body));
    ids.divisionId = division.body.id;
    const hours = await a.api.put(`/api/v1/divisions/${ids.divisionId}/working-hours`, {
      hours: [{ day: 'monday', start: '09:00', end: '17:00' }],
    });
    assert.equal(hours.status, 200, JSON.stringify(hours.body));
    const policy = await a.api.post('/api/v1/sla/policies', { name: `SLA ${MARKER}`, firstResponseMinutes: 600, resolutionMinutes: 6000 });
    assert.equal(policy.status, 201, JSON.stringify(policy.body));
    ids.policyId = policy.body.id;
    const quick = await a.api.post('/api/v1/quick-replies', { shortcut: 'sweep', body: `Terima kasih ${MARKER}`, scope: 'shared' });
    assert.equal(quick.status, 201, JSON.stringify(quick.body));
    ids.quickReplyId = quick.body.id;
    const scheduled = await a.api.post(`/api/v1/conversations/${ids.conversationId}/scheduled-messages`, {
      type: 'text',
      text: `Nanti ${MARKER}`,
      sendAt: new Date(Date.now() + 20 * 3600_000).toISOString(),
    });
    assert.equal(scheduled.status, 201, JSON.stringify(scheduled.body));
    ids.scheduledMessageId = scheduled.body.id;
    const survey = await a.api.post(`/api/v1/conversations/${ids.conversationId}/csat`, { delivery: 'none' });
    assert.equal(survey.status, 201, JSON.stringify(survey.body));
    ids.surveyId = survey.body.id;
    ids.surveyToken = String(survey.body.url).split('/').pop()!;
    const key = await a.api.post('/api/v1/api-keys', { name: `Key ${MARKER}` });
    assert.equal(key.status, 201);
    ids.apiKeyId = key.body.id;
    const role = await a.api.post('/api/v1/roles', { name: `Role ${MARKER}`, permissions: ['agents.view'] });
    assert.equal(role.status, 201);
    ids.roleId = role.body.id;
    const transfer = await a.api.post(`/api/v1/conversations/${ids.conversationId}/transfer`, {
      toDivisionId: ids.divisionId,
      reason: `Pindah ${MARKER}`,
    });
    assert.equal(transfer.status, 200, JSON.stringify(transfer.body));
    ids.transferId = transfer.body.transfer.id;
    // Automation: a rule of its own, the event the message above was logged as, and a run.
    const ruleCreated = await a.api.post('/api/v1/automation/rules', {
      name: `Rule ${MARKER}`,
      triggers: ['message.received'],
      conditions: { match: 'all', conditions: [{ field: 'message.text', operator: 'contains', value: 'pesanan' }] },
      actions: [{ type: 'add_note', text: `Aturan ${MARKER}` }],
    });
    assert.equal(ruleCreated.status, 201, JSON.stringify(ruleCreated.body));
    ids.ruleId = ruleCreated.body.id;
    const second = await postWebhook(
      server.url,
      waPayload('wa-text.json', wa.phoneNumberId, { from, message: { id: wamid('sweep2'), text: { body: `${text} lagi` } } }),
      wa.appSecret,
    );
    assert.equal(second.status, 200);
    const run = await eventually(
      async () => (await a.api.get(`/api/v1/automation/rules/${ids.ruleId}/runs`)).body.data?.[0],
      10_000,
      'the first tenant’s automation run',
    );
    ids.runId = run.id;
    ids.eventId = run.eventId;
    const event = await a.api.get(`/api/v1/automation/events/${ids.eventId}`);
    assert.equal(event.status, 200, JSON.stringify(event.body));
    assert.ok(event.body.fingerprint, JSON.stringify(event.body));
    searchKeys.fingerprint = event.body.fingerprint;
    // An invitation still pending (mailed nowhere: no SMTP).
    const invitation = await a.api.post('/api/v1/agents/invitations', {
      email: 'sweep.invite@example.test',
      name: MARKER,
      roleId: ids.roleId,
    });
    assert.equal(invitation.status, 201, JSON.stringify(invitation.body));
    ids.invitationId = invitation.body.id;
    // An outgoing webhook on an event the sweep never causes, so no delivery moves during it.
    const hook = await a.api.post('/api/v1/outgoing-webhooks', {
      name: `Hook ${MARKER}`,
      url: `${receiver.url}/hooks/sweep`,
      events: ['campaign.finished'],
    });
    assert.equal(hook.status, 201, JSON.stringify(hook.body));
    ids.webhookId = hook.body.id;
    // A WhatsApp template (synced from the fake Graph) and a draft campaign that uses it.
    server.graph!.setTemplates(`waba-${wa.phoneNumberId}`, [
      {
        id: '1700000000000001',
        name: 'sweep_promo',
        language: 'id',
        status: 'APPROVED',
        category: 'MARKETING',
        components: [{ type: 'BODY', text: `Halo {{1}} ${MARKER}`, example: { body_text: [['Budi']] } }],
      },
    ]);
    assert.equal((await a.api.post('/api/v1/wa-templates/sync', {})).status, 200);
    ids.templateId = (await a.api.get('/api/v1/wa-templates?search=sweep_promo')).body.data[0].id;
    const campaign = await a.api.post('/api/v1/campaigns', {
      name: `Kampanye ${MARKER}`,
      templateId: ids.templateId,
      variables: { 'body.1': 'Kak' },
    });
    assert.equal(campaign.status, 201, JSON.stringify(campaign.body));
    ids.campaignId = campaign.body.id;
    // Billing: the operator offers bank transfer, a plan (no limits, so nothing else is refused) and
    // an add-on; the first tenant subscribes (paid by the operator), attaches the add-on (an open
    // invoice) and adds a payment method.
    const operator = await superAdmin(api);
    const billing = await operator.put('/api/v1/billing-admin/settings', {
      bankTransfer: { enabled: true, bankName: 'BCA', accountNumber: '1234567890', accountName: 'PT OmniStream Indonesia' },
    });
    assert.equal(billing.status, 200, JSON.stringify(billing.body));
    const plan = await operator.post('/api/v1/billing-admin/plans', { code: 'sweep', name: 'Sweep', prices: { IDR: 150000 } });
    assert.equal(plan.status, 201, JSON.stringify(plan.body));
    const addon = await operator.post('/api/v1/billing-admin/addons', {
      code: 'sweep-addon',
      name: 'Sweep add-on',
      prices: { IDR: 50000 },
      limits: { agents: 1 },
    });
    assert.equal(addon.status, 201, JSON.stringify(addon.body));
    ids.addonId = addon.body.id;
    // The second tenant subscribes too: the add-on id is the operator's (not the first tenant's), so
    // without a subscription of its own detaching it is refused (409) before it is looked up.
    for (const t of [a, b]) {
      const subscribed = await t.api.post('/api/v1/billing/subscription', { planId: plan.body.id });
      assert.equal(subscribed.status, 201, JSON.stringify(subscribed.body));
      const paid = await operator.post(`/api/v1/billing-admin/invoices/${subscribed.body.openInvoices[0].id}/mark-paid`, {});
      assert.equal(paid.status, 200, JSON.stringify(paid.body));
    }
    const attached = await a.api.post('/api/v1/billing/subscription/addons', { addonId: ids.addonId });
    assert.equal(attached.status, 201, JSON.stringify(attached.body));
    ids.invoiceId = (await a.api.get('/api/v1/billing/invoices?status=open')).body.data[0].id;
    const method = await a.api.post('/api/v1/billing/payment-methods', {
      type: 'bank_transfer',
      bankName: 'BCA',
      accountName: `Toko ${MARKER}`,
    });
    assert.equal(method.status, 201, JSON.stringify(method.body));
    ids.paymentMethodId = method.body.id;
    // AI: the first tenant's own model (the fake), and an inactive agent (it never answers the
    // conversation) with one of everything an agent has.
    const aiSettings = await a.api.put('/api/v1/ai/settings', {
      baseUrl: llm.url,
      model: FAKE_CHAT_MODEL,
      embeddingModel: FAKE_EMBEDDING_MODEL,
    });
    assert.equal(aiSettings.status, 200, JSON.stringify(aiSettings.body));
    const aiAgent = await a.api.post('/api/v1/ai-agents', { name: `AI ${MARKER}`, instructions: `Asisten ${MARKER}` });
    assert.equal(aiAgent.status, 201, JSON.stringify(aiAgent.body));
    ids.aiAgentId = aiAgent.body.id;
    const aiPath = `/api/v1/ai-agents/${ids.aiAgentId}`;
    const assignment = await a.api.post(`${aiPath}/assignments`, { channel: 'whatsapp', accountId: ids.accountId });
    assert.equal(assignment.status, 201, JSON.stringify(assignment.body));
    ids.assignmentId = assignment.body.id;
    const handoff = await a.api.post(`${aiPath}/handoff-rules`, { type: 'keyword', config: { keywords: ['komplain'] } });
    assert.equal(handoff.status, 201, JSON.stringify(handoff.body));
    ids.handoffRuleId = handoff.body.id;
    const source = await a.api.post(`${aiPath}/knowledge-sources`, {
      type: 'qna',
      qna: [{ question: 'Buka jam berapa?', answer: `Jam 9 ${MARKER}` }],
    });
    assert.equal(source.status, 201, JSON.stringify(source.body));
    ids.sourceId = source.body.id;
    const qna = await a.api.post(`${aiPath}/knowledge-sources/${ids.sourceId}/qna`, {
      question: 'Ada toko offline?',
      answer: `Ada ${MARKER}`,
    });
    assert.equal(qna.status, 201, JSON.stringify(qna.body));
    ids.qnaId = qna.body.id;
    const product = await a.api.post(`${aiPath}/products`, { name: `Batik ${MARKER}`, sku: 'SWEEP-01', price: 125000 });
    assert.equal(product.status, 201, JSON.stringify(product.body));
    ids.productId = product.body.id;
    const orchestration = await a.api.post('/api/v1/ai/orchestration-rules', {
      name: `Orkestrasi ${MARKER}`,
      aiAgentId: ids.aiAgentId,
      active: false,
    });
    assert.equal(orchestration.status, 201, JSON.stringify(orchestration.body));
    ids.orchestrationRuleId = orchestration.body.id;
    // Not run: an evaluation run would call the model while the sweep compares rows.
    const evaluation = await a.api.post(`${aiPath}/evaluations`, {
      name: `Evaluasi ${MARKER}`,
      cases: [{ question: 'Buka jam berapa?' }],
      run: false,
    });
    assert.equal(evaluation.status, 201, JSON.stringify(evaluation.body));
    ids.evaluationId = evaluation.body.id;
    ids.channel = 'whatsapp';
    doc = (await api.get('/openapi.json')).body;
    await settle(server.appliance);
  });
  after(async () => {
    await server.stop();
    await receiver.stop();
    await llm.stop();
  });

  /** Every row of every tenant-owned table that belongs to the first tenant, and its tenant row. */
  async function snapshot(): Promise<Record<string, unknown[]>> {
    const db = server.appliance.db;
    const tables = (await db.query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)) as {
      name: string;
    }[];
    const out: Record<string, unknown[]> = {};
    for (const { name } of tables) {
      const columns = ((await db.query(`PRAGMA table_info("${name}")`)) as { name: string }[]).map((c) => c.name);
      if (!columns.includes('tenantId')) continue;
      const rows = (await db.query(`SELECT * FROM "${name}" WHERE "tenantId" = ? ORDER BY rowid`, [a.tenant.id])) as Record<
        string,
        unknown
      >[];
      // Background work of the first tenant's own (jobs running, events dispatched) may move on;
      // what the other tenant must not do is add or remove any of them.
      out[name] = name === 'jobs' || name === 'events' ? rows.map((r) => r.id) : rows;
    }
    out.tenants = await db.query(`SELECT * FROM tenants WHERE id = ?`, [a.tenant.id]);
    return out;
  }

  const resolve = (schema: Schema | undefined): Schema | undefined => {
    if (!schema?.$ref) return schema;
    const name = String(schema.$ref).split('/').pop()!;
    return resolve(doc.components?.schemas?.[name]);
  };

  /** Body fields named like a path parameter of the operation get a value of their own (not the same id twice). */
  let pathNames = new Set<string>();
  const idFor = (key: string) => (pathNames.has(key) ? undefined : ids[key]);

  /** Optional fields of an object body added to the sample (one at a time, for bodies that need "one of these"). */
  let extraField: string | undefined;

  /** A value that satisfies the schema as simply as possible; id-like fields get the first tenant's ids. */
  function sample(raw: Schema | undefined, key = ''): unknown {
    const schema = resolve(raw);
    if (!schema) return 'x';
    if (schema.const !== undefined) return schema.const;
    if (schema.enum) return schema.enum[0];
    if (schema.oneOf || schema.anyOf) {
      const options = (schema.oneOf ?? schema.anyOf) as Schema[];
      return sample(options.find((o) => resolve(o)?.type !== 'null') ?? options[0], key);
    }
    if (schema.allOf) return Object.assign({}, ...schema.allOf.map((s: Schema) => sample(s, key)));
    const type = Array.isArray(schema.type) ? schema.type.find((t: string) => t !== 'null') : schema.type;
    if (key && idFor(key) && (type === 'string' || type === undefined)) return idFor(key);
    if (/Ids$/.test(key) && type === 'array') {
      const one = idFor(key.replace(/s$/, ''));
      if (one) return [one];
    }
    switch (type) {
      case 'object': {
        const props = (schema.properties ?? {}) as Record<string, Schema>;
        const required = new Set<string>(schema.required ?? []);
        const out: Record<string, unknown> = {};
        // Required fields, and every field that names one of the first tenant's ids.
        for (const [name, prop] of Object.entries(props))
          if (required.has(name) || idFor(name) || (key === '' && name === extraField)) out[name] = sample(prop, name);
        return out;
      }
      case 'array':
        return Array.from({ length: Math.max(1, schema.minItems ?? 0) }, () => sample(schema.items, key));
      case 'integer':
      case 'number':
        return schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 1);
      case 'boolean':
        return true;
      case 'string': {
        if (schema.format === 'date-time') return new Date(Date.now() + 3600_000).toISOString();
        if (key === 'sendAtLocal') return new Date(Date.now() + 3 * 3600_000).toISOString().slice(0, 16);
        if (schema.format === 'email') return 'sweep@example.test';
        if (schema.format === 'uri') return 'https://example.test/sweep';
        if (schema.format === 'uuid' || /Id$/.test(key)) return randomUUID();
        return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
      }
      default:
        return 'x';
    }
  }

  function operations(): Operation[] {
    const list: Operation[] = [];
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, Schema>>)) {
      if (!path.includes('{')) continue;
      for (const [method, op] of Object.entries(ops)) {
        if (['get', 'post', 'put', 'patch', 'delete'].includes(method)) list.push({ method, path, op });
      }
    }
    return list;
  }

  it('has one of the first tenant’s ids for every path parameter of every tenant route', () => {
    // The registry's tenant routes (x-access "tenant" in the document it generates): each parameter
    // must be one the sweep fills with a real id of the first tenant, so every such route is put to
    // the 404 test below. A module adding a route with a new kind of id adds one here.
    const tenantOps = operations().filter(({ op }) => op['x-access'] === 'tenant');
    assert.ok(tenantOps.length > 50, `only ${tenantOps.length} tenant routes with path parameters`);
    const missing = tenantOps.flatMap(({ method, path }) =>
      [...path.matchAll(/\{(\w+)\}/g)]
        .map((m) => m[1])
        .filter((name) => name !== 'channel' && !ids[name] && !searchKeys[name])
        .map((name) => `${method.toUpperCase()} ${path}: {${name}}`),
    );
    assert.deepEqual(missing, [], `tenant routes whose ids the sweep does not have:\n${missing.join('\n')}`);
  });

  it('never answers 5xx, never gives or changes the first tenant’s data, and finds every foreign id 404', async () => {
    const ops = operations();
    assert.ok(ops.length > 50, `only ${ops.length} operations with path parameters`);
    // The scheduler's first minute tick gives the built-in rules' schedules their next run (null →
    // the standing clock's next minute), whenever a real minute begins: done now, it cannot land
    // between the two snapshots and count as a change.
    const { tickSchedules } = await import('../../server/modules/automation/automation.jobs.js');
    await tickSchedules(server.appliance.services);
    await settle(server.appliance);
    const before = await snapshot();
    const foreignIds = Object.entries(ids)
      .filter(([k]) => k !== 'channel')
      .map(([, v]) => v);
    const problems: string[] = [];
    let mapped = 0;

    for (const { method, path, op } of ops) {
      const isPublic = Array.isArray(op.security) && op.security.length === 0;
      let usesForeignId = false;
      let usesSearchKey = false;
      const url = path.replace(/\{(\w+)\}/g, (_m, name: string) => {
        if (name === 'channel') return 'whatsapp';
        if (!isPublic && searchKeys[name]) {
          usesSearchKey = true;
          return encodeURIComponent(searchKeys[name]);
        }
        // Public operations are addressed by capability (a survey link, a slug anyone may know):
        // a second tenant's token adds nothing there, so they get unknown values, and must not 5xx.
        if (!isPublic && ids[name]) {
          usesForeignId = true;
          return encodeURIComponent(ids[name]);
        }
        return randomUUID();
      });
      if (usesForeignId) mapped++;
      pathNames = new Set([...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]));
      const content = op.requestBody?.content ?? {};
      const call = (extra?: string) => {
        extraField = extra;
        const headers: Record<string, string> = { authorization: `Bearer ${b.token}` };
        let body: string | FormData | undefined;
        if (content['application/json']) {
          headers['content-type'] = 'application/json';
          body = JSON.stringify(sample(content['application/json'].schema));
        } else if (content['multipart/form-data']) {
          const form = new FormData();
          const schema = resolve(content['multipart/form-data'].schema) ?? {};
          for (const [name, prop] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
            if (prop.format === 'binary') form.set(name, new Blob([Buffer.from('sweep')], { type: 'text/plain' }), 'sweep.txt');
            else form.set(name, String(sample(prop, name)));
          }
          body = form;
        } else if (method !== 'get' && method !== 'delete') {
          headers['content-type'] = 'application/json';
          body = '{}';
        }
        return fetch(server.url + url, { method: method.toUpperCase(), headers, body, redirect: 'manual' });
      };
      let res = await call();
      // A body refused as a whole (400) never reached the lookup of the foreign id: try again with
      // each optional field in turn, so the id itself is put to the test where a body can be valid.
      if (usesForeignId && res.status === 400 && content['application/json']) {
        const top = resolve(content['application/json'].schema) ?? {};
        const variants = (top.oneOf ?? top.anyOf ?? [top]) as Schema[];
        const optional = new Set(variants.flatMap((v) => Object.keys(resolve(v)?.properties ?? {})));
        for (const field of optional) {
          const retry = await call(field);
          if (retry.status !== 400) {
            res = retry;
            break;
          }
        }
      }
      const text = await res.text();
      const label = `${method.toUpperCase()} ${path} → ${res.status}`;
      if (res.status >= 500) {
        problems.push(`${label}: ${text.slice(0, 300)}`);
        continue;
      }
      // The answer, without the echo of the request's own URL (problem+json `instance`).
      let answer = text;
      try {
        const parsed = JSON.parse(text);
        if (parsed && typeof parsed === 'object') delete parsed.instance;
        answer = JSON.stringify(parsed);
      } catch {
        // not JSON: checked as it is
      }
      if (answer.includes(MARKER)) problems.push(`${label} answered with the first tenant's data: ${answer.slice(0, 300)}`);
      if (usesSearchKey && !usesForeignId && res.status < 400 && foreignIds.some((id) => answer.includes(id)))
        problems.push(`${label}: a search by the first tenant's value found its rows: ${answer.slice(0, 300)}`);
      // A tenant route given the first tenant's ids answers 404: not 403 (which would say it exists), not 400.
      if (usesForeignId && op['x-access'] === 'tenant' && res.status !== 404)
        problems.push(`${label}: a tenant route should answer 404 to another tenant's id: ${answer.slice(0, 300)}`);
      if (usesForeignId) {
        if (res.status < 400) problems.push(`${label}: a foreign id was accepted: ${answer.slice(0, 300)}`);
        else if (![400, 401, 403, 404].includes(res.status))
          problems.push(`${label}: a foreign id should be 404 (or refused before it is looked up): ${answer.slice(0, 300)}`);
        const leakedId = foreignIds.find((id) => answer.includes(id));
        if (leakedId && res.status < 400) problems.push(`${label} returned the first tenant's id ${leakedId}`);
      }
    }
    assert.ok(mapped > 40, `only ${mapped} operations were aimed at the first tenant's ids`);
    assert.deepEqual(problems, [], problems.join('\n'));

    // As if a real minute began during the sweep: the scheduler's tick changes nothing now.
    await tickSchedules(server.appliance.services);
    await settle(server.appliance);
    assert.deepEqual(await snapshot(), before, "the first tenant's data changed");
    // And the first tenant still works with all of it.
    assert.equal((await a.api.get(`/api/v1/conversations/${ids.conversationId}`)).status, 200);
    assert.equal((await a.api.get(`/api/v1/agents/${ids.agentId}`)).status, 200);
  });
});
