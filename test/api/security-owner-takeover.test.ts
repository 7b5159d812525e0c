// Issue 12, finding 4: anyone holding agents.manage (an admin, or a custom role) could change the
// owner's email and password and log in as the owner. Now a person manages only those whose
// permissions are all their own (an owner only by an owner), gives only roles within their own
// permissions (roles too), and nobody sets another person's password: a one-time, expiring link is
// shown (and mailed when SMTP is configured) and the person chooses the password themselves.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, testClock, type TestServer } from '../support/server.js';
import { Api, assertProblem, createAgent, registerTenant, roleId, uniqueEmail, type Tenant } from '../support/http.js';
import { startFakeSmtp, type FakeSmtp } from '../support/smtp-server.js';
import { eventually } from '../support/whatsapp.js';
import { PasswordResetEntity } from '../../server/modules/agents/password-reset.entity.js';
import { PasswordResetLinkEntity } from '../../server/modules/super-admin/super-admin.entity.js';
import { newLinkToken } from '../../server/core/auth/one-time-links.js';

const tokenOf = (url: string) => new URL(url).hash.replace(/^#token=/, '');

describe('owner takeover', () => {
  const clock = testClock();
  let server: TestServer;
  let api: Api;
  let owner: Tenant;

  before(async () => {
    server = await startServer({}, { now: clock.now });
    api = new Api(server.url);
    owner = await registerTenant(api, 'Toko Pemilik');
  });
  after(() => server.stop());

  it("an admin can no longer change the owner's email or password, nor log in as the owner", async () => {
    const admin = await createAgent(owner.api, 'admin');
    const attacker = uniqueEmail('attacker');
    // The attack as found: PATCH the owner with a new email and password, then log in.
    const takeover = await admin.api.patch(`/api/v1/agents/${owner.user.id}`, { email: attacker, password: 'owned by the admin' });
    assertProblem(takeover, 400, ['password']);
    assertProblem(await admin.api.patch(`/api/v1/agents/${owner.user.id}`, { email: attacker }), 403);
    assertProblem(await admin.api.patch(`/api/v1/agents/${owner.user.id}`, { name: 'Not the owner' }), 403);
    assertProblem(await admin.api.patch(`/api/v1/agents/${owner.user.id}`, { status: 'suspended' }), 403);
    assertProblem(await admin.api.patch(`/api/v1/agents/${owner.user.id}`, { roleId: await roleId(owner.api, 'agent') }), 403);
    assertProblem(await admin.api.patch(`/api/v1/agents/${owner.user.id}/status`, { online: true }), 403);
    assertProblem(await admin.api.delete(`/api/v1/agents/${owner.user.id}`), 403);
    assertProblem(await admin.api.post(`/api/v1/agents/${owner.user.id}/password-reset`), 403);
    assertProblem(await api.post('/api/v1/auth/login', { email: attacker, password: 'owned by the admin' }), 401);
    const me = await owner.api.get('/api/v1/auth/me');
    assert.equal(me.status, 200, 'the owner is still signed in');
    assert.equal(me.body.user.email, owner.email);
    assert.equal((await api.post('/api/v1/auth/login', { email: owner.email, password: owner.password })).status, 200);
    // Nor can the admin make themselves or anyone else an owner.
    assertProblem(await admin.api.patch(`/api/v1/agents/${admin.agent.id}`, { roleId: await roleId(owner.api, 'owner') }), 409, ['roleId']);
    const helper = await createAgent(owner.api, 'agent');
    assertProblem(await admin.api.patch(`/api/v1/agents/${helper.agent.id}`, { roleId: await roleId(owner.api, 'owner') }), 403);
  });

  it('nobody sets a password through PATCH, not even their own', async () => {
    const agent = await createAgent(owner.api, 'agent');
    const admin = await createAgent(owner.api, 'admin');
    assertProblem(await owner.api.patch(`/api/v1/agents/${agent.agent.id}`, { password: 'chosen by the owner' }), 400, ['password']);
    assertProblem(await admin.api.patch(`/api/v1/agents/${admin.agent.id}`, { password: 'chosen by myself' }), 400, ['password']);
    assert.equal((await api.post('/api/v1/auth/login', { email: agent.email, password: agent.password })).status, 200);
    assert.equal((await api.post('/api/v1/auth/login', { email: admin.email, password: admin.password })).status, 200);
  });

  it('an admin manages people below them (agents, supervisors, other admins) but not the owner', async () => {
    const admin = await createAgent(owner.api, 'admin');
    const agent = await createAgent(owner.api, 'agent');
    const otherAdmin = await createAgent(owner.api, 'admin');
    assert.equal((await admin.api.patch(`/api/v1/agents/${agent.agent.id}`, { name: 'Renamed by admin' })).status, 200);
    assert.equal(
      (await admin.api.patch(`/api/v1/agents/${agent.agent.id}`, { roleId: await roleId(owner.api, 'supervisor') })).status,
      200,
    );
    assert.equal((await admin.api.patch(`/api/v1/agents/${otherAdmin.agent.id}`, { name: 'Peer' })).status, 200);
    const owner2 = await createAgent(owner.api, 'owner');
    assertProblem(await admin.api.patch(`/api/v1/agents/${owner2.agent.id}`, { name: 'x' }), 403);
    // The owner manages another owner.
    assert.equal((await owner.api.patch(`/api/v1/agents/${owner2.agent.id}`, { name: 'Co-owner' })).status, 200);
  });

  it('a custom role with agents.manage cannot escalate', async () => {
    const managerRole = await owner.api.post('/api/v1/roles', {
      name: 'Team lead',
      permissions: ['agents.view', 'agents.manage', 'roles.view', 'roles.manage'],
    });
    assert.equal(managerRole.status, 201);
    const viewerRole = await owner.api.post('/api/v1/roles', { name: 'Viewer', permissions: ['agents.view'] });
    assert.equal(viewerRole.status, 201);
    const leadEmail = uniqueEmail('lead');
    assert.equal(
      (await owner.api.post('/api/v1/agents', { name: 'Lead', email: leadEmail, password: 'lead password 1', roleId: managerRole.body.id }))
        .status,
      201,
    );
    const lead = api.as({ token: (await api.post('/api/v1/auth/login', { email: leadEmail, password: 'lead password 1' })).body.token });
    const agent = await createAgent(owner.api, 'agent');
    const admin = await createAgent(owner.api, 'admin');

    // People whose permissions the lead lacks are out of reach, owner and admins included.
    for (const target of [owner.user.id, admin.agent.id, agent.agent.id]) {
      assertProblem(await lead.patch(`/api/v1/agents/${target}`, { email: uniqueEmail('stolen') }), 403);
      assertProblem(await lead.post(`/api/v1/agents/${target}/password-reset`), 403);
      assertProblem(await lead.delete(`/api/v1/agents/${target}`), 403);
    }
    // Roles with permissions the lead lacks cannot be given, made, widened or removed.
    for (const role of ['admin', 'owner', 'agent']) {
      assertProblem(
        await lead.post('/api/v1/agents', {
          name: 'X',
          email: uniqueEmail(),
          password: 'password123',
          roleId: await roleId(owner.api, role),
        }),
        403,
      );
    }
    assertProblem(await lead.post('/api/v1/roles', { name: 'Sneaky', permissions: ['conversations.view'] }), 403);
    assertProblem(
      await lead.patch(`/api/v1/roles/${managerRole.body.id}`, {
        permissions: ['agents.view', 'agents.manage', 'roles.view', 'roles.manage', 'settings.manage'],
      }),
      403,
    );
    assertProblem(await lead.patch(`/api/v1/roles/${await roleId(owner.api, 'admin')}`, { permissions: ['agents.view'] }), 403);
    const broad = await owner.api.post('/api/v1/roles', { name: 'Broad', permissions: ['agents.view', 'conversations.view'] });
    assertProblem(await lead.delete(`/api/v1/roles/${broad.body.id}`), 403);
    assertProblem(await lead.patch(`/api/v1/roles/${broad.body.id}`, { description: 'mine now' }), 403);

    // Within their own permissions they can work: a viewer is theirs to manage.
    const created = await lead.post('/api/v1/agents', { name: 'Viewer', email: uniqueEmail('viewer'), roleId: viewerRole.body.id });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.passwordLink.purpose, 'invite');
    assert.equal((await lead.patch(`/api/v1/agents/${created.body.id}`, { name: 'Viewer Two' })).status, 200);
    assert.equal((await lead.post(`/api/v1/agents/${created.body.id}/password-reset`)).status, 201);
    assert.equal((await lead.post('/api/v1/roles', { name: 'Narrow', permissions: ['agents.view'] })).status, 201);
  });

  it('password reset: a one-time, expiring link the person uses to choose the password; their sessions end', async () => {
    const agent = await createAgent(owner.api, 'supervisor');
    const issued = await owner.api.post(`/api/v1/agents/${agent.agent.id}/password-reset`);
    assert.equal(issued.status, 201, JSON.stringify(issued.body));
    assert.equal(issued.body.purpose, 'reset');
    assert.equal(issued.body.mailQueued, false, 'no SMTP on this server');
    assert.match(issued.body.url, new RegExp(`^${server.url}/reset-password#token=[A-Za-z0-9_-]{40,}$`));
    const token = tokenOf(issued.body.url);
    // Stored hashed: the token itself is nowhere in the database.
    const rows = await server.appliance.db.getRepository(PasswordResetEntity).findBy({ userId: agent.agent.id });
    assert.equal(rows.length, 1);
    assert.ok(!JSON.stringify(rows).includes(token));
    // Asking for a link changes nothing yet.
    assert.equal((await agent.api.get('/api/v1/auth/me')).status, 200);

    const inspected = await api.post('/api/v1/auth/password-reset/inspect', { token });
    assert.equal(inspected.status, 200);
    assert.equal(inspected.body.email, agent.email);
    assert.equal(inspected.body.organization, 'Toko Pemilik');
    assertProblem(await api.post('/api/v1/auth/password-reset', { token, password: 'short' }), 400, ['password']);
    assert.equal((await api.post('/api/v1/auth/password-reset', { token, password: 'chosen by the person' })).status, 204);
    assertProblem(await agent.api.get('/api/v1/auth/me'), 401);
    assertProblem(await api.post('/api/v1/auth/login', { email: agent.email, password: agent.password }), 401);
    assert.equal((await api.post('/api/v1/auth/login', { email: agent.email, password: 'chosen by the person' })).status, 200);
    // Once only.
    assertProblem(await api.post('/api/v1/auth/password-reset', { token, password: 'a second go at it' }), 400, ['token']);
    assertProblem(await api.post('/api/v1/auth/password-reset/inspect', { token }), 400, ['token']);
    assertProblem(await api.post('/api/v1/auth/password-reset', { token: 'not-a-real-token-at-all-000', password: 'whatever123' }), 400, [
      'token',
    ]);
  });

  it('a link expires after an hour, and a newer link replaces an older one', async () => {
    const agent = await createAgent(owner.api, 'agent');
    const first = tokenOf((await owner.api.post(`/api/v1/agents/${agent.agent.id}/password-reset`)).body.url);
    const second = tokenOf((await owner.api.post(`/api/v1/agents/${agent.agent.id}/password-reset`)).body.url);
    assertProblem(await api.post('/api/v1/auth/password-reset', { token: first, password: 'from the old link' }), 400, ['token']);
    clock.advance(61 * 60_000);
    assertProblem(await api.post('/api/v1/auth/password-reset', { token: second, password: 'too late for this' }), 400, ['token']);
    assert.equal((await api.post('/api/v1/auth/login', { email: agent.email, password: agent.password })).status, 200);
    // Your own password is changed with the current one, not a link.
    assertProblem(await owner.api.post(`/api/v1/agents/${owner.user.id}/password-reset`), 409);
  });

  it('an invited person (no password given) has none that works until they choose one', async () => {
    const email = uniqueEmail('invited');
    const created = await owner.api.post('/api/v1/agents', { name: 'Invited', email, roleId: await roleId(owner.api, 'agent') });
    assert.equal(created.status, 201);
    assert.equal(created.body.passwordLink.purpose, 'invite');
    assert.ok(new Date(created.body.passwordLink.expiresAt).getTime() - clock.now().getTime() > 6 * 24 * 3600_000);
    const token = tokenOf(created.body.passwordLink.url);
    assert.equal((await api.post('/api/v1/auth/password-reset/inspect', { token })).body.purpose, 'invite');
    assert.equal((await api.post('/api/v1/auth/password-reset', { token, password: 'my first password' })).status, 204);
    assert.equal((await api.post('/api/v1/auth/login', { email, password: 'my first password' })).status, 200);
  });
  it("one flow for tenant users: an operator's older link for a user (password_reset_links) no longer sets a password", async () => {
    // Before the two flows became one, the operator's links for tenant users lived in the operator's
    // table and set the password without ending the person's sessions. Such a row, still unused and
    // unexpired, is refused now; tenant users' links are only the organization's.
    const agent = await createAgent(owner.api, 'agent');
    const { token, tokenHash } = newLinkToken();
    await server.appliance.db.getRepository(PasswordResetLinkEntity).insert({
      id: crypto.randomUUID(),
      principalType: 'user',
      principalId: agent.agent.id,
      tenantId: owner.tenant.id,
      tokenHash,
      expiresAt: new Date(clock.now().getTime() + 3600_000),
      usedAt: null,
      createdById: null,
      createdAt: clock.now(),
    });
    assertProblem(await api.get(`/api/v1/password-resets/${token}`), 404);
    assertProblem(await api.post(`/api/v1/password-resets/${token}`, { password: 'chosen by someone else' }), 404);
    assert.equal((await agent.api.get('/api/v1/auth/me')).status, 200, 'the session lives on');
    assert.equal((await api.post('/api/v1/auth/login', { email: agent.email, password: 'chosen by someone else' })).status, 401);
  });
});

describe('password links by mail', () => {
  let smtp: FakeSmtp;
  let server: TestServer;
  before(async () => {
    smtp = await startFakeSmtp();
    server = await startServer({ SMTP_URL: smtp.url, SMTP_FROM: 'OmniStream <crm@toko.example>' });
  });
  after(async () => {
    await server.stop();
    await smtp.stop();
  });

  it('mails the link to the person (English and Bahasa Indonesia) when SMTP is configured', async () => {
    const owner = await registerTenant(new Api(server.url), 'Toko Surat');
    const agent = await createAgent(owner.api, 'agent');
    const issued = await owner.api.post(`/api/v1/agents/${agent.agent.id}/password-reset`);
    assert.equal(issued.status, 201);
    assert.equal(issued.body.mailQueued, true);
    const mail = await eventually(async () => smtp.messages.find((m) => m.envelope.to.includes(agent.email)), 10_000, 'the reset mail');
    assert.equal(mail.envelope.from, 'crm@toko.example');
    assert.ok(mail.parsed.text?.includes(issued.body.url), 'the mail carries the link');
    assert.match(mail.parsed.text ?? '', /Reset|password/);
    assert.match(mail.parsed.text ?? '', /kata sandi/i);
    // The link in the job queue is encrypted, never stored in clear.
    const jobs = await server.appliance.db.query(`SELECT payload FROM jobs WHERE type = 'agents.password-link-mail'`);
    assert.ok(!JSON.stringify(jobs).includes(tokenOf(issued.body.url)));
  });
});
