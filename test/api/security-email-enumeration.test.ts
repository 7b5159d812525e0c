// Issue 12, finding 9 (part): emails were unique across the appliance, so registering or adding an
// agent with an address that belonged to another organization answered 409 — telling an attacker
// with a self-registered organization which addresses are customers elsewhere. Now an email is
// unique within an organization; login with an email that has accounts in several organizations
// asks which one, and only after the password matched.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.js';
import { Api, assertProblem, registerTenant, roleId, uniqueEmail, type Tenant } from '../support/http.js';

describe('no email enumeration across organizations', () => {
  let server: TestServer;
  let api: Api;
  let victim: Tenant;
  let attacker: Tenant;

  before(async () => {
    server = await startServer();
    api = new Api(server.url);
    victim = await registerTenant(api, 'Toko Korban');
    attacker = await registerTenant(api, 'Toko Penyerang');
  });
  after(() => server.stop());

  it("registration with another organization's email answers exactly as for a new one", async () => {
    // The attack as found: 409 "already registered" for the victim's address.
    const taken = await api.post('/api/v1/auth/register', {
      organizationName: 'Probe',
      name: 'Probe',
      email: victim.email,
      password: 'some password 1',
    });
    const fresh = await api.post('/api/v1/auth/register', {
      organizationName: 'Probe',
      name: 'Probe',
      email: uniqueEmail('fresh'),
      password: 'some password 1',
    });
    assert.equal(taken.status, 201, JSON.stringify(taken.body));
    assert.equal(fresh.status, 201);
    assert.deepEqual(Object.keys(taken.body).sort(), Object.keys(fresh.body).sort());
    assert.notEqual(taken.body.tenant.id, victim.tenant.id);
    // The victim's account is untouched and logs in as before (a different password: no choice asked).
    const login = await api.post('/api/v1/auth/login', { email: victim.email, password: victim.password });
    assert.equal(login.status, 200);
    assert.equal(login.body.user.tenantId, victim.tenant.id);
  });

  it("agent creation and email changes with another organization's email succeed; within one organization they conflict", async () => {
    const agentRole = await roleId(attacker.api, 'agent');
    const probe = await attacker.api.post('/api/v1/agents', {
      name: 'Probe',
      email: victim.email,
      password: 'password123',
      roleId: agentRole,
    });
    assert.equal(probe.status, 201, JSON.stringify(probe.body));
    const other = await attacker.api.post('/api/v1/agents', {
      name: 'Other',
      email: uniqueEmail('other'),
      password: 'password123',
      roleId: agentRole,
    });
    // (The probe above now has that address in the attacker's own organization.)
    assert.equal((await attacker.api.patch(`/api/v1/agents/${other.body.id}`, { email: victim.email.toUpperCase() })).status, 409);
    const victimAgentEmail = uniqueEmail('victim-agent');
    const victimAgent = await victim.api.post('/api/v1/agents', {
      name: 'Victim agent',
      email: victimAgentEmail,
      password: 'password123',
      roleId: await roleId(victim.api, 'agent'),
    });
    assert.equal(victimAgent.status, 201);
    const renamed = await attacker.api.patch(`/api/v1/agents/${other.body.id}`, { email: victimAgentEmail });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    // Inside one organization the address is taken (that is the organization's own data).
    assertProblem(
      await victim.api.post('/api/v1/agents', {
        name: 'Dup',
        email: victim.email,
        password: 'password123',
        roleId: await roleId(victim.api, 'agent'),
      }),
      409,
      ['email'],
    );
    // The victim's owner still logs in to the victim's organization with their own password.
    const login = await api.post('/api/v1/auth/login', { email: victim.email, password: victim.password });
    assert.equal(login.body.user.tenantId, victim.tenant.id);
  });

  it('login asks which organization only when the password matches accounts in several', async () => {
    const email = uniqueEmail('twice');
    const a = await api.post('/api/v1/auth/register', { organizationName: 'Satu', name: 'Dewi', email, password: 'shared password 1' });
    const b = await api.post('/api/v1/auth/register', { organizationName: 'Dua', name: 'Dewi', email, password: 'shared password 1' });
    const c = await api.post('/api/v1/auth/register', { organizationName: 'Tiga', name: 'Dewi', email, password: 'another password 3' });
    for (const r of [a, b, c]) assert.equal(r.status, 201);

    const wrong = await api.post('/api/v1/auth/login', { email, password: 'not the password' });
    assertProblem(wrong, 401);
    assert.equal(wrong.body.organizations, undefined, 'a wrong password reveals no organization');
    assert.doesNotMatch(JSON.stringify(wrong.body), /Satu|Dua|Tiga/);

    const choose = await api.post('/api/v1/auth/login', { email, password: 'shared password 1' });
    assertProblem(choose, 409, ['organizationId']);
    assert.deepEqual(
      choose.body.organizations.map((o: any) => o.name).sort(),
      ['Dua', 'Satu'],
      'only the organizations the password opens',
    );

    const chosen = await api.post('/api/v1/auth/login', { email, password: 'shared password 1', organizationId: b.body.tenant.id });
    assert.equal(chosen.status, 200);
    assert.equal(chosen.body.user.tenantId, b.body.tenant.id);
    // An organization the password does not open is the same 401 as a wrong password.
    assertProblem(await api.post('/api/v1/auth/login', { email, password: 'shared password 1', organizationId: c.body.tenant.id }), 401);
    // A password that opens one account logs straight in.
    const single = await api.post('/api/v1/auth/login', { email, password: 'another password 3' });
    assert.equal(single.status, 200);
    assert.equal(single.body.user.tenantId, c.body.tenant.id);
  });
});
