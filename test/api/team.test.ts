// The team as the owner manages it from Settings: invitations (a one-time link, mailed when SMTP is
// set), API keys limited to scopes, and the activity log's filters and CSV export.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseCsv } from 'csv-parse/sync';
import { startServer, testClock, type TestServer } from '../support/server.js';
import { Api, assertProblem, createAgent, registerTenant, roleId, type Tenant } from '../support/http.js';
import { startFakeSmtp, type FakeSmtp } from '../support/smtp-server.js';
import { eventually } from '../support/whatsapp.js';
import { downloadText } from '../support/upload.js';

const tokenOf = (url: string) => url.split('/invite/')[1];

describe('Team: invitations, scoped API keys, activity export', () => {
  let server: TestServer;
  let smtp: FakeSmtp;
  let a: Tenant;
  let b: Tenant;
  const clock = testClock();
  before(async () => {
    smtp = await startFakeSmtp();
    server = await startServer({ SMTP_URL: smtp.url }, { now: clock.now });
    a = await registerTenant(new Api(server.url), 'Toko Tim A');
    b = await registerTenant(new Api(server.url), 'Toko Tim B');
  });
  after(async () => {
    await server?.stop();
    await smtp?.stop();
  });

  it('invites by a one-time link, mailed in English and Indonesian; the invited person joins with the role', async () => {
    const supervisor = await roleId(a.api, 'supervisor');
    const res = await a.api.post('/api/v1/agents/invitations', { email: 'Dina@Example.test', name: 'Dina', roleId: supervisor });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.email, 'dina@example.test');
    assert.equal(res.body.status, 'pending');
    assert.equal(res.body.mailed, true);
    assert.equal(res.body.role.name, 'supervisor');
    assert.ok(res.body.url.startsWith(`${server.url}/invite/`));
    const token = tokenOf(res.body.url);
    const mail = await eventually(
      async () => smtp.messages.find((m) => m.envelope.to.includes('dina@example.test')),
      5000,
      'the invitation mail',
    );
    assert.match(mail.parsed.text ?? '', /Toko Tim A/);
    assert.match(mail.parsed.text ?? '', /Anda diundang/);
    assert.ok((mail.parsed.text ?? '').includes(`/invite/${token}`));
    const listed = await a.api.get('/api/v1/agents/invitations');
    assert.deepEqual(
      listed.body.data.map((i: any) => i.email),
      ['dina@example.test'],
    );
    assert.ok(!JSON.stringify(listed.body).includes(token), 'the link is shown once');

    const anon = new Api(server.url);
    const info = await anon.get(`/api/v1/invitations/${token}`);
    assert.equal(info.status, 200);
    assert.deepEqual(
      { email: info.body.email, organization: info.body.organization, role: info.body.role },
      { email: 'dina@example.test', organization: 'Toko Tim A', role: 'supervisor' },
    );
    assertProblem(await anon.post(`/api/v1/invitations/${token}/accept`, { name: 'Dina', password: 'short' }), 400, ['password']);
    const accepted = await anon.post(`/api/v1/invitations/${token}/accept`, { name: 'Dina Lestari', password: 'dina password 1' });
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    const login = await anon.post('/api/v1/auth/login', { email: 'dina@example.test', password: 'dina password 1' });
    assert.equal(login.status, 200);
    assert.equal(login.body.user.role.name, 'supervisor');
    assert.equal(login.body.user.tenantId, a.tenant.id);
    assertProblem(await anon.post(`/api/v1/invitations/${token}/accept`, { name: 'Again', password: 'dina password 2' }), 409);
    assertProblem(await anon.get(`/api/v1/invitations/${token}`), 409);
    assertProblem(await anon.get('/api/v1/invitations/not-a-real-token-at-all-000'), 404);
    assert.equal((await a.api.get('/api/v1/agents/invitations')).body.data.length, 0);
    const actions = (await a.api.get('/api/v1/activity-logs?limit=200')).body.data.map((e: any) => e.action);
    assert.ok(actions.includes('agent.invited') && actions.includes('agent.invitation_accepted'));
  });

  it('refuses an address already registered, a role beyond the inviter, and a revoked or expired link', async () => {
    assertProblem(await a.api.post('/api/v1/agents/invitations', { email: a.email, roleId: await roleId(a.api, 'agent') }), 409, ['email']);
    assertProblem(await a.api.post('/api/v1/agents/invitations', { email: 'x@example.test', roleId: 'nope' }), 422, ['roleId']);
    assertProblem(await a.api.post('/api/v1/agents/invitations', { email: 'not-an-email', roleId: 'nope' }), 400, ['email']);
    const { api: supervisor } = await createAgent(a.api, 'supervisor');
    assertProblem(
      await supervisor.post('/api/v1/agents/invitations', { email: 'y@example.test', roleId: await roleId(a.api, 'agent') }),
      403,
    );
    const { api: admin } = await createAgent(a.api, 'admin');
    assertProblem(await admin.post('/api/v1/agents/invitations', { email: 'z@example.test', roleId: await roleId(a.api, 'owner') }), 403);

    const revoked = (await a.api.post('/api/v1/agents/invitations', { email: 'r@example.test', roleId: await roleId(a.api, 'agent') }))
      .body;
    assert.equal((await a.api.delete(`/api/v1/agents/invitations/${revoked.id}`)).status, 204);
    assertProblem(await new Api(server.url).get(`/api/v1/invitations/${tokenOf(revoked.url)}`), 409);

    const old = (await a.api.post('/api/v1/agents/invitations', { email: 'old@example.test', roleId: await roleId(a.api, 'agent') })).body;
    const replaced = (await a.api.post('/api/v1/agents/invitations', { email: 'old@example.test', roleId: await roleId(a.api, 'agent') }))
      .body;
    assertProblem(await new Api(server.url).get(`/api/v1/invitations/${tokenOf(old.url)}`), 409, []);
    clock.advance(8 * 86_400_000);
    const expired = await new Api(server.url).post(`/api/v1/invitations/${tokenOf(replaced.url)}/accept`, {
      name: 'Late',
      password: 'late password 1',
    });
    assertProblem(expired, 409);
    assert.match(expired.body.detail, /expired/);
  });

  it("another organization's invitations answer 404 and stay", async () => {
    const inv = (await a.api.post('/api/v1/agents/invitations', { email: 'kept@example.test', roleId: await roleId(a.api, 'agent') })).body;
    assertProblem(await b.api.delete(`/api/v1/agents/invitations/${inv.id}`), 404);
    assert.ok(!(await b.api.get('/api/v1/agents/invitations')).body.data.some((i: any) => i.id === inv.id));
    assert.equal((await new Api(server.url).get(`/api/v1/invitations/${tokenOf(inv.url)}`)).status, 200);
  });

  it('an API key limited to scopes can do only that, and never more than its creator', async () => {
    const key = await a.api.post('/api/v1/api-keys', {
      name: 'read contacts',
      scopes: ['contacts.view'],
      expiresAt: new Date(clock.now().getTime() + 86_400_000).toISOString(),
    });
    assert.equal(key.status, 201, JSON.stringify(key.body));
    assert.deepEqual(key.body.scopes, ['contacts.view']);
    const byKey = a.api.as({ apiKey: key.body.key });
    assert.equal((await byKey.get('/api/v1/contacts')).status, 200);
    assertProblem(await byKey.post('/api/v1/contacts', { name: 'x' }), 403);
    assertProblem(await byKey.get('/api/v1/agents'), 403);
    const all = await a.api.post('/api/v1/api-keys', { name: 'everything' });
    assert.equal(all.body.scopes, null);
    assert.equal((await a.api.as({ apiKey: all.body.key }).get('/api/v1/agents')).status, 200);
    const { api: agent } = await createAgent(a.api, 'agent');
    assertProblem(await agent.post('/api/v1/api-keys', { name: 'too wide', scopes: ['agents.manage'] }), 422, ['scopes']);
    assertProblem(await agent.post('/api/v1/api-keys', { name: 'unknown', scopes: ['root'] }), 400, ['scopes.0']);
    assertProblem(await agent.post('/api/v1/api-keys', { name: 'empty', scopes: [] }), 400, ['scopes']);
    assertProblem(await b.api.delete(`/api/v1/api-keys/${key.body.id}`), 404);
    assert.equal((await byKey.get('/api/v1/contacts')).status, 200, "B's attempt left the key working");
  });

  it('exports the activity log as CSV with the same filters, and lists the actions and actors to filter by', async () => {
    const facets = await a.api.get('/api/v1/activity-logs/facets');
    assert.equal(facets.status, 200);
    assert.ok(facets.body.actions.includes('agent.invited'));
    assert.ok(facets.body.actors.some((x: any) => x.id === a.user.id && x.name === a.user.name));
    const all = await downloadText(a.api, '/api/v1/activity-logs/export');
    assert.equal(all.status, 200);
    assert.match(all.headers.get('content-type') ?? '', /text\/csv/);
    const rows: string[][] = parseCsv(all.text, { bom: true });
    assert.deepEqual(rows[0], [
      'time',
      'actorType',
      'actorId',
      'actorName',
      'impersonatorId',
      'action',
      'targetType',
      'targetId',
      'details',
      'ip',
    ]);
    assert.ok(rows.some((r) => r[5] === 'auth.register'));
    const invited = parseCsv((await downloadText(a.api, `/api/v1/activity-logs/export?action=agent.invited&actorId=${a.user.id}`)).text, {
      bom: true,
    });
    assert.ok(invited.length > 1);
    assert.ok(invited.slice(1).every((r: string[]) => r[5] === 'agent.invited' && r[2] === a.user.id));
    assert.equal(JSON.parse(invited[1][8]).email.endsWith('@example.test'), true);
    const future = new Date(clock.now().getTime() + 86_400_000).toISOString();
    const none = parseCsv((await downloadText(a.api, `/api/v1/activity-logs/export?from=${encodeURIComponent(future)}`)).text, {
      bom: true,
    });
    assert.equal(none.length, 1, 'only the header');
    const past = new Date(clock.now().getTime() - 86_400_000).toISOString();
    assert.equal(
      (await downloadText(a.api, `/api/v1/activity-logs/export?from=${encodeURIComponent(future)}&to=${encodeURIComponent(past)}`)).status,
      422,
    );
    assert.equal((await downloadText(a.api, '/api/v1/activity-logs/export?from=yesterday')).status, 400);
    const { api: agent } = await createAgent(a.api, 'agent');
    assert.equal((await downloadText(agent, '/api/v1/activity-logs/export')).status, 403);
    // Another organization's export and facets hold none of A's entries.
    const other = await downloadText(b.api, '/api/v1/activity-logs/export');
    assert.ok(!other.text.includes(a.user.id));
    assert.ok(!other.text.includes('agent.invited'));
    assert.ok(!(await b.api.get('/api/v1/activity-logs/facets')).body.actors.some((x: any) => x.id === a.user.id));
  });
});
