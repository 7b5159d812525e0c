// Replies go out to many conversations at once while the Graph is slow (each conversation's still in
// order): the job runner does not wait on a send in flight before starting the next conversation's.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.js';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { Api, registerTenant, type Tenant } from '../support/http.js';
import { connectWhatsApp, eventually, postWebhook, waPayload, wamid, type WaAccount } from '../support/whatsapp.js';

describe('outbound delivery across conversations', () => {
  let graph: FakeGraph;
  let server: TestServer;
  let a: Tenant;
  let wa: WaAccount;

  before(async () => {
    graph = await startFakeGraph();
    server = await startServer({ META_GRAPH_URL: graph.url });
    a = await registerTenant(new Api(server.url), 'Toko Lambat');
    wa = await connectWhatsApp(a.api, '100000000000077');
  });
  after(async () => {
    graph.release();
    await server.stop();
    await graph.stop();
  });

  async function conversationWith(from: string): Promise<string> {
    const res = await postWebhook(
      server.url,
      waPayload('wa-text.json', wa.phoneNumberId, { from, message: { id: wamid('IN'), text: { body: 'Halo' } } }),
      wa.appSecret,
    );
    assert.equal(res.status, 200);
    const conversation = await eventually(async () => {
      const list = await a.api.get('/api/v1/conversations');
      return list.body.data.find((c: { contact: { phone: string } }) => c.contact.phone === `+${from}`);
    });
    return conversation.id;
  }

  it('sends to six conversations at once while every Graph call hangs, and keeps one conversation in order', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await conversationWith(`62812770000${i}`));
    graph.hang(true);
    const reply = async (id: string, text: string) =>
      assert.equal((await a.api.post(`/api/v1/conversations/${id}/messages`, { type: 'text', text })).status, 202);
    // One reply each (posted one after another: each arrives while the earlier sends still hang),
    // then a second reply in the first conversation.
    for (const [i, id] of ids.entries()) await reply(id, `Balasan ${i}`);
    await reply(ids[0], 'Balasan 0 kedua');
    await eventually(async () => graph.sentMessages(wa.phoneNumberId).length >= 6, 5000, 'six sends in flight');
    await new Promise((r) => setTimeout(r, 300));
    const inFlight = graph.sentMessages(wa.phoneNumberId).map((r) => (r.body as { text: { body: string } }).text.body);
    assert.equal(inFlight.length, 6, `the second reply of conversation 0 waits for its first: ${inFlight.join(' | ')}`);
    assert.ok(!inFlight.includes('Balasan 0 kedua'));
    graph.release();
    await eventually(async () => graph.sentMessages(wa.phoneNumberId).length === 7, 5000, 'the seventh send');
    const all = graph.sentMessages(wa.phoneNumberId).map((r) => (r.body as { text: { body: string } }).text.body);
    assert.ok(all.indexOf('Balasan 0') < all.indexOf('Balasan 0 kedua'));
  });
});
