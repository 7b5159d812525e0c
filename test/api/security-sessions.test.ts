// Issue 12, finding 6: sessions were never revoked. Tokens worked after logout and after a password
// change, and a token minted from an API key survived the key's revocation. Now every token names a
// session checked on every request and Socket.IO event; logout, a password change, a suspension, a
// role change and an API key's revocation end it, and the open sockets behind it are disconnected.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'socket.io-client';
import { startServer, type TestServer } from '../support/server.js';
import { Api, assertProblem, createAgent, registerTenant, roleId, type Tenant } from '../support/http.js';
import { listen, type Listener } from '../support/realtime.js';
import { eventually } from '../support/whatsapp.js';
import { io as connectSocket } from 'socket.io-client';

/** Resolves when the server disconnects the socket (the test fails if it never does). */
function disconnected(socket: Socket): Promise<string> {
  if (!socket.connected) return Promise.resolve('already');
  return new Promise((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
}

async function login(api: Api, email: string, password: string): Promise<string> {
  const res = await api.post('/api/v1/auth/login', { email, password });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.token;
}

describe('sessions are revoked', () => {
  let server: TestServer;
  let api: Api;
  let owner: Tenant;
  const open: Listener[] = [];
  const socketOf = async (token: string) => {
    const l = await listen(server.url, token);
    open.push(l);
    return l;
  };

  before(async () => {
    server = await startServer();
    api = new Api(server.url);
    owner = await registerTenant(api, 'Toko Sesi');
  });
  after(async () => {
    for (const l of open) l.socket.close();
    await server.stop();
  });

  it('logout ends that session (token, cookie and socket) and only that one', async () => {
    const agent = await createAgent(owner.api, 'agent');
    const laptop = await login(api, agent.email, agent.password);
    const phone = await login(api, agent.email, agent.password);
    const laptopSocket = await socketOf(laptop);
    const phoneSocket = await socketOf(phone);
    const res = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: agent.email, password: agent.password }),
    });
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
    assert.equal((await api.as({ cookie }).get('/api/v1/auth/me')).status, 200);

    // The attack as found: the token kept working after logout.
    const bye = disconnected(laptopSocket.socket);
    assert.equal((await api.as({ token: laptop }).post('/api/v1/auth/logout')).status, 204);
    assertProblem(await api.as({ token: laptop }).get('/api/v1/auth/me'), 401);
    await bye;
    assert.ok(
      laptopSocket.events.some((e) => e.type === 'session_ended'),
      'the socket is told why',
    );

    // The other sessions of the same person are untouched.
    assert.equal((await api.as({ token: phone }).get('/api/v1/auth/me')).status, 200);
    assert.equal(phoneSocket.socket.connected, true);
    // A cookie session ends the same way.
    assert.equal((await api.as({ cookie }).post('/api/v1/auth/logout')).status, 204);
    assertProblem(await api.as({ cookie }).get('/api/v1/auth/me'), 401);
    // A fresh token of an ended session is no way back in.
    assertProblem(await api.as({ token: laptop }).get('/api/v1/auth/token'), 401);
  });

  it('a password change ends every session of the person, open sockets included, and keeps the caller signed in', async () => {
    const agent = await createAgent(owner.api, 'agent');
    const other = await login(api, agent.email, agent.password);
    const otherSocket = await socketOf(other);
    const mine = await login(api, agent.email, agent.password);
    const bye = disconnected(otherSocket.socket);
    const changed = await api.as({ token: mine }).post('/api/v1/auth/password', {
      currentPassword: agent.password,
      newPassword: 'a brand new password',
    });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.match(changed.headers.get('set-cookie') ?? '', /omnistream_token=/);
    assertProblem(await api.as({ token: other }).get('/api/v1/auth/me'), 401);
    assertProblem(await api.as({ token: mine }).get('/api/v1/auth/me'), 401);
    assert.equal((await api.as({ token: changed.body.token }).get('/api/v1/auth/me')).status, 200);
    await bye;
    assertProblem(await api.post('/api/v1/auth/login', { email: agent.email, password: agent.password }), 401);
    assert.equal((await api.post('/api/v1/auth/login', { email: agent.email, password: 'a brand new password' })).status, 200);
  });

  it('changing your password needs the current one', async () => {
    const agent = await createAgent(owner.api, 'agent');
    assertProblem(await agent.api.post('/api/v1/auth/password', { currentPassword: 'not it at all', newPassword: 'whatever123' }), 400, [
      'currentPassword',
    ]);
    assertProblem(await agent.api.post('/api/v1/auth/password', { currentPassword: agent.password, newPassword: 'short' }), 400, [
      'newPassword',
    ]);
    assert.equal((await agent.api.get('/api/v1/auth/me')).status, 200, 'a refused change ends nothing');
  });

  it('a suspension ends the sessions and disconnects the sockets; reactivating does not revive old tokens', async () => {
    const agent = await createAgent(owner.api, 'agent');
    const token = await login(api, agent.email, agent.password);
    const socket = await socketOf(token);
    const bye = disconnected(socket.socket);
    assert.equal((await owner.api.patch(`/api/v1/agents/${agent.agent.id}`, { status: 'suspended' })).status, 200);
    assertProblem(await api.as({ token }).get('/api/v1/conversations'), 401);
    await bye;
    await assert.rejects(listen(server.url, token), 'a new socket with the old token is refused');
    assert.equal((await owner.api.patch(`/api/v1/agents/${agent.agent.id}`, { status: 'active' })).status, 200);
    assertProblem(await api.as({ token }).get('/api/v1/auth/me'), 401);
    assert.equal((await api.post('/api/v1/auth/login', { email: agent.email, password: agent.password })).status, 200);
  });

  it('a role change ends the sessions and disconnects the sockets', async () => {
    const supervisor = await createAgent(owner.api, 'supervisor');
    const socket = await socketOf(supervisor.api.options.token!);
    const bye = disconnected(socket.socket);
    const demoted = await owner.api.patch(`/api/v1/agents/${supervisor.agent.id}`, { roleId: await roleId(owner.api, 'agent') });
    assert.equal(demoted.status, 200);
    assertProblem(await supervisor.api.get('/api/v1/auth/me'), 401);
    await bye;
    // Logged in again, they have the new role's permissions only.
    const again = api.as({ token: await login(api, supervisor.email, supervisor.password) });
    assertProblem(await again.get('/api/v1/activity-logs'), 403);
  });

  it("a token minted with an API key, and a socket opened with the key, end with the key's revocation", async () => {
    const agent = await createAgent(owner.api, 'agent');
    const created = await agent.api.post('/api/v1/api-keys', { name: 'integration' });
    assert.equal(created.status, 201);
    const key = created.body.key as string;
    const minted = await api.as({ apiKey: key }).get('/api/v1/auth/token');
    assert.equal(minted.status, 200);
    assert.equal(minted.headers.get('set-cookie'), null, 'an API-key caller gets no cookie');
    const token = minted.body.token as string;
    assert.equal((await api.as({ token }).get('/api/v1/auth/me')).status, 200);
    // A fresh token from the minted one stays bound to the key.
    const refreshed = (await api.as({ token }).get('/api/v1/auth/token')).body.token as string;
    assert.ok(refreshed);
    const tokenSocket = await socketOf(token);
    const keySocket = connectSocket(server.url, { auth: { apiKey: key }, transports: ['websocket'], reconnection: false });
    await new Promise((resolve, reject) => {
      keySocket.once('connect', () => resolve(undefined));
      keySocket.once('connect_error', reject);
    });
    const byes = [disconnected(tokenSocket.socket), disconnected(keySocket)];

    // The agent's own interactive session is not bound to the key.
    assert.equal((await agent.api.delete(`/api/v1/api-keys/${created.body.id}`)).status, 204);
    assertProblem(await api.as({ apiKey: key }).get('/api/v1/auth/me'), 401);
    assertProblem(await api.as({ token }).get('/api/v1/auth/me'), 401);
    assertProblem(await api.as({ token: refreshed }).get('/api/v1/auth/me'), 401);
    await Promise.all(byes);
    keySocket.close();
    assert.equal((await agent.api.get('/api/v1/auth/me')).status, 200);
  });

  it('every Socket.IO event is authenticated again: a socket whose session ended is cut at its next event', async () => {
    const sender = await createAgent(owner.api, 'agent');
    const senderSocket = await socketOf(sender.api.options.token!);
    // A session revoked without its event reaching the realtime layer (as in the moment before it
    // is dispatched): the next event the socket sends is checked and refused.
    const { SessionEntity } = await import('../../server/modules/sessions/session.entity.js');
    await server.appliance.db.getRepository(SessionEntity).update({ userId: sender.agent.id }, { revokedAt: new Date() });
    const bye = disconnected(senderSocket.socket);
    senderSocket.socket.emit('typing', { conversationId: '00000000-0000-7000-8000-000000000000', typing: true });
    assert.equal(await bye, 'io server disconnect');
    assert.ok(senderSocket.events.some((e) => e.type === 'session_ended'));
  });

  it('tokens without a session (as issued before sessions existed) are refused', async () => {
    const { TENANT_AUDIENCE } = await import('../../server/core/auth/tokens.js');
    const { TokenService } = await import('../../server/core/auth/tokens.js');
    const { loadSecrets } = await import('../../server/core/secrets.js');
    const tokens = new TokenService(loadSecrets(server.dataDir).jwtSecret, 3600);
    const legacy = await tokens.sign(TENANT_AUDIENCE, { sub: owner.user.id, tid: owner.tenant.id });
    assertProblem(await api.as({ token: legacy }).get('/api/v1/auth/me'), 401);
    const forged = await tokens.sign(TENANT_AUDIENCE, { sub: owner.user.id, tid: owner.tenant.id, sid: 'no-such-session' });
    assertProblem(await api.as({ token: forged }).get('/api/v1/auth/me'), 401);
    await eventually(async () => (await api.as({ token: owner.token }).get('/api/v1/auth/me')).status === 200, 1000, 'owner still in');
  });
});
