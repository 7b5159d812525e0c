// AI agents in the inbox, end to end: signed WhatsApp webhooks in, the fake Graph API out, the fake
// OpenAI-compatible model in between. A question answered from a QnA source, a product question
// answered with the product's price, a handoff on "mau bicara dengan orang" with the summary note,
// the model down (refused and too slow) handing to people, a conversation a person took left alone,
// an evaluation run scored, and hybrid retrieval finding a passage by meaning.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../support/server.js';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { startFakeLlm, FAKE_CHAT_MODEL, FAKE_EMBEDDING_MODEL, type FakeLlm } from '../support/fake-llm.js';
import { Api, registerTenant, type Tenant } from '../support/http.js';
import { connectWhatsApp, eventually, postWebhook, waPayload, wamid, type WaAccount } from '../support/whatsapp.js';
import { settle } from '../support/settle.js';
import { localDay } from '../../server/core/time.js';
import { handToAiAgent } from '../../server/modules/ai-agents/ai-agents.service.js';

describe('AI agents in the inbox', () => {
  let graph: FakeGraph;
  let llm: FakeLlm;
  let server: TestServer;
  let a: Tenant;
  let wa: WaAccount;
  let agent: any;
  let csDivision: any;
  let n = 0;

  before(async () => {
    graph = await startFakeGraph();
    llm = await startFakeLlm();
    server = await startServer({
      META_GRAPH_URL: graph.url,
      LLM_BASE_URL: llm.url,
      LLM_MODEL: FAKE_CHAT_MODEL,
      LLM_EMBEDDING_MODEL: FAKE_EMBEDDING_MODEL,
    });
    a = await registerTenant(new Api(server.url), 'Toko Kopi AI');
    wa = await connectWhatsApp(a.api, '620000000000017');
    csDivision = (await a.api.post('/api/v1/divisions', { name: 'Customer Service' })).body;
    agent = (
      await a.api.post('/api/v1/ai-agents', {
        name: 'Sari',
        instructions: 'Kamu asisten Toko Kopi. Ramah dan singkat.',
        active: true,
        handoffDivisionId: csDivision.id,
      })
    ).body;
    assert.equal((await a.api.post(`/api/v1/ai-agents/${agent.id}/assignments`, { channel: 'whatsapp' })).status, 201);
    const faq = await a.api.post(`/api/v1/ai-agents/${agent.id}/knowledge-sources`, {
      type: 'qna',
      name: 'FAQ toko',
      qna: [
        { question: 'Jam berapa toko buka?', answer: 'Kami buka setiap hari pukul 09.00–21.00 WIB.' },
        { question: 'Apakah bisa COD?', answer: 'Bisa, COD tersedia untuk wilayah Jabodetabek.' },
      ],
    });
    assert.equal(faq.status, 201, JSON.stringify(faq.body));
    await a.api.post(`/api/v1/ai-agents/${agent.id}/knowledge-sources`, {
      type: 'text',
      name: 'Pengiriman',
      content: 'Pengiriman ke seluruh Indonesia memakai JNE dan SiCepat. Pesanan sebelum jam 14.00 dikirim di hari yang sama.',
    });
    await a.api.post(`/api/v1/ai-agents/${agent.id}/products`, { name: 'Kopi Gayo 250g', price: 85000, stock: 12, sku: 'GAYO-250' });
    await settle(server.appliance);
  });
  after(async () => {
    await server.stop();
    await graph.stop();
    await llm.stop();
  });

  const newFrom = () => `62812${String(++n).padStart(8, '0')}`;
  async function say(from: string, text: string) {
    const res = await postWebhook(
      server.url,
      waPayload('wa-text.json', wa.phoneNumberId, { from, message: { id: wamid('AI'), text: { body: text } } }),
      wa.appSecret,
    );
    assert.equal(res.status, 200);
    const conversation = await eventually(
      async () => (await a.api.get('/api/v1/conversations?limit=200')).body.data.find((c: any) => c.contact.phone === `+${from}`),
      5000,
      'conversation',
    );
    await settle(server.appliance, 20_000);
    return (await a.api.get(`/api/v1/conversations/${conversation.id}`)).body;
  }
  const sentTo = (to: string) =>
    graph
      .sentMessages(wa.phoneNumberId)
      .filter((r) => r.body?.to === to)
      .map((r) => r.body?.text?.body as string);
  const messages = async (conversationId: string) =>
    (await a.api.get(`/api/v1/conversations/${conversationId}/messages?limit=100`)).body.data.slice().reverse();

  it('indexes the knowledge: sources ready, with chunks embedded', async () => {
    const sources = (await a.api.get(`/api/v1/ai-agents/${agent.id}/knowledge-sources`)).body.data;
    assert.deepEqual(sources.map((s: any) => s.status).sort(), ['ready', 'ready']);
    const faq = sources.find((s: any) => s.type === 'qna');
    assert.equal(faq.chunkCount, 2);
    assert.equal(faq.qnaCount, 2);
    assert.ok(llm.embeddingRequests().length >= 1, 'chunks were embedded');
  });

  it('answers a WhatsApp question from the QnA source, as the AI agent', async () => {
    const from = newFrom();
    const conversation = await say(from, 'Halo kak, jam berapa toko buka?');
    const replies = sentTo(from);
    assert.equal(replies.length, 1, JSON.stringify(replies));
    assert.match(replies[0], /09\.00–21\.00 WIB/);
    assert.equal(conversation.aiAgentId, agent.id);
    assert.equal(conversation.assignee, null);
    const thread = await messages(conversation.id);
    const ai = thread.find((m: any) => m.senderType === 'ai');
    assert.ok(ai, 'an AI message is in the thread');
    assert.equal(ai.senderId, agent.id);
    assert.equal(ai.direction, 'outbound');
    assert.equal(ai.status, 'sent');
    // The model got the passage in its prompt, and the customer's words as the user message.
    const chat = llm.chatRequests().at(-1)!;
    assert.match(chat.body.messages[0].content, /KNOWLEDGE:[\s\S]*Jam berapa toko buka\?/);
    assert.equal(chat.body.messages.at(-1).content, 'Halo kak, jam berapa toko buka?');
    assert.ok(chat.body.tools.some((t: any) => t.function.name === 'handoff_to_human'));
    assert.match(chat.body.messages[0].content, /Reply in Indonesian/);
  });

  it("answers a product question with the product's price", async () => {
    const from = newFrom();
    await say(from, 'Berapa harga kopi gayo?');
    const [reply] = sentTo(from);
    assert.match(reply, /Kopi Gayo 250g/);
    assert.match(reply, /Rp 85\.000/);
    assert.match(reply, /12 tersedia/);
  });

  it('answers in English when the customer writes English', async () => {
    const from = newFrom();
    await say(from, 'Hello, what time does the shop open? What are your hours?');
    const [reply] = sentTo(from);
    assert.match(reply, /^According to our information/);
    assert.match(llm.chatRequests().at(-1)!.body.messages[0].content, /Reply in English/);
  });

  it('hands off on "mau bicara dengan orang" with a note that summarizes the conversation', async () => {
    const from = newFrom();
    const first = await say(from, 'Apakah bisa COD?');
    assert.match(sentTo(from)[0], /COD tersedia/);
    assert.equal(first.aiAgentId, agent.id);
    const chatsBefore = llm.chatRequests().length;
    const conversation = await say(from, 'mau bicara dengan orang');
    assert.equal(conversation.aiAgentId, null, 'the AI agent let go');
    assert.equal(conversation.divisionId, csDivision.id, "to the agent's handoff division");
    // The customer is told, in their language.
    const replies = sentTo(from);
    assert.equal(replies.length, 2);
    assert.match(replies[1], /sambungkan dengan tim kami/);
    // The note for the team: reason and a summary (written by the model from the conversation).
    const notes = (await a.api.get(`/api/v1/conversations/${conversation.id}/notes`)).body.data;
    assert.equal(notes.length, 1);
    assert.equal(notes[0].author, null);
    assert.match(notes[0].body, /Sari/);
    assert.match(notes[0].body, /pelanggan minta dilayani orang/);
    assert.match(notes[0].body, /Ringkasan \/ Summary:\nPelanggan menulis 2 pesan; terakhir: "mau bicara dengan orang"/);
    // The rule decided without asking the model to answer; the model only wrote the summary (JSON).
    const newChats = llm.chatRequests().slice(chatsBefore);
    assert.equal(newChats.length, 1);
    assert.deepEqual(newChats[0].body.response_format, { type: 'json_object' });
    const transfers = (await a.api.get(`/api/v1/conversations/${conversation.id}/transfers`)).body.data;
    assert.match(transfers[0].reason, /AI handoff \(Sari\): the customer asked for a person/);
    const log = (await a.api.get('/api/v1/activity-logs?limit=50')).body.data;
    const entry = log.find((e: any) => e.action === 'ai_agent.handoff' && e.targetId === conversation.id);
    assert.ok(entry, 'in the activity log');
    assert.equal(entry.details.reason, 'human_request');
    // The AI stays out afterwards: the next message waits for a person.
    await say(from, 'halo? ada orang?');
    assert.equal(sentTo(from).length, 2);
  });

  it('never answers a conversation a person has taken', async () => {
    const from = newFrom();
    const conversation = await say(from, 'Jam berapa toko buka?');
    assert.equal(sentTo(from).length, 1);
    assert.equal((await a.api.post(`/api/v1/conversations/${conversation.id}/takeover`, {})).status, 200);
    await say(from, 'Apakah bisa COD?');
    assert.equal(sentTo(from).length, 1, 'no AI reply after the takeover');
  });

  it('respects working hours: an agent assigned to working hours stays quiet while closed, one assigned outside them answers', async () => {
    const today = localDay(new Date(), 'Asia/Jakarta');
    const allWeek = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'].map((day) => ({
      day,
      start: '00:00',
      end: '24:00',
    }));
    // Open every day, but today is a holiday: closed now.
    assert.equal((await a.api.put('/api/v1/working-hours', { hours: allWeek, holidays: [{ date: today, name: 'Libur' }] })).status, 200);
    const [assignment] = (await a.api.get(`/api/v1/ai-agents/${agent.id}/assignments`)).body.data;
    try {
      await a.api.put(`/api/v1/ai-agents/${agent.id}/assignments/${assignment.id}`, { schedule: 'working_hours' });
      const quiet = newFrom();
      const closed = await say(quiet, 'Jam berapa toko buka?');
      assert.equal(sentTo(quiet).length, 0, 'no AI reply while the agent is off duty');
      assert.equal(closed.aiAgentId, null);
      await a.api.put(`/api/v1/ai-agents/${agent.id}/assignments/${assignment.id}`, { schedule: 'outside_working_hours' });
      const night = newFrom();
      await say(night, 'Jam berapa toko buka?');
      assert.match(sentTo(night)[0], /09\.00–21\.00/);
    } finally {
      await a.api.put(`/api/v1/ai-agents/${agent.id}/assignments/${assignment.id}`, { schedule: 'always' });
      await a.api.put('/api/v1/working-hours', { holidays: [] });
    }
  });

  it('hands off after too many turns without resolution (max_turns)', async () => {
    const rule = (await a.api.post(`/api/v1/ai-agents/${agent.id}/handoff-rules`, { type: 'max_turns', config: { turns: 1 } })).body;
    try {
      const from = newFrom();
      await say(from, 'Apakah bisa COD?');
      assert.match(sentTo(from)[0], /COD tersedia/);
      const conversation = await say(from, 'Jam berapa toko buka?');
      assert.equal(conversation.aiAgentId, null);
      const notes = (await a.api.get(`/api/v1/conversations/${conversation.id}/notes`)).body.data;
      assert.match(notes[0].body, /too many turns without resolution — 1 AI reply without resolution/);
      assert.match(sentTo(from)[1], /sambungkan dengan tim kami/);
    } finally {
      await a.api.delete(`/api/v1/ai-agents/${agent.id}/handoff-rules/${rule.id}`);
    }
  });

  it('hands a conversation to an AI agent from another module (the automation action), which answers the waiting message', async () => {
    const from = newFrom();
    const conversation = await say(from, 'Jam berapa toko buka?');
    await a.api.post(`/api/v1/conversations/${conversation.id}/takeover`, {});
    await say(from, 'Apakah bisa COD?');
    assert.equal(sentTo(from).length, 1, 'a person has it: the AI is quiet');
    const result = await handToAiAgent(server.appliance.services, {
      tenantId: a.tenant.id,
      conversationId: conversation.id,
      aiAgentId: agent.id,
    });
    assert.deepEqual(result, { handed: true });
    await settle(server.appliance, 20_000);
    const after = (await a.api.get(`/api/v1/conversations/${conversation.id}`)).body;
    assert.equal(after.aiAgentId, agent.id);
    assert.equal(after.assignee, null);
    assert.match(sentTo(from)[1], /COD tersedia/, 'the waiting question is answered');
    const other = await handToAiAgent(server.appliance.services, {
      tenantId: a.tenant.id,
      conversationId: conversation.id,
      aiAgentId: '00000000-0000-7000-8000-000000000009',
    });
    assert.deepEqual(other, { handed: false, reason: 'No such AI agent' });
  });

  it('hands off with a note when the model is unreachable, visible in usage and the activity log', async () => {
    await llm.refuseConnections();
    try {
      const from = newFrom();
      const conversation = await say(from, 'Jam berapa toko buka hari Minggu?');
      assert.equal(conversation.aiAgentId, null);
      assert.equal(conversation.divisionId, csDivision.id);
      const notes = (await a.api.get(`/api/v1/conversations/${conversation.id}/notes`)).body.data;
      assert.match(notes[0].body, /model AI tidak dapat dihubungi \/ the AI model is unavailable/);
      assert.match(notes[0].body, /Pesan terakhir pelanggan:\n• Jam berapa toko buka hari Minggu\?/);
      // The customer still hears from us.
      assert.match(sentTo(from)[0], /sambungkan dengan tim kami/);
      const usage = (await a.api.get('/api/v1/ai/usage')).body;
      assert.ok(usage.totals.failures >= 1);
      assert.ok(usage.recentFailures.some((f: any) => f.conversationId === conversation.id && f.kind === 'reply'));
      const log = (await a.api.get('/api/v1/activity-logs?limit=50')).body.data;
      assert.ok(log.some((e: any) => e.action === 'ai_agent.model_failed' && e.targetId === conversation.id));
      assert.ok(log.some((e: any) => e.action === 'ai_agent.handoff' && e.details.reason === 'model_unavailable'));
    } finally {
      await llm.acceptConnections();
    }
  });

  it('hands off when the model is too slow (timeout)', async () => {
    // The organization's own endpoint (the same fake) with a 1-second limit.
    const put = await a.api.put('/api/v1/ai/settings', {
      baseUrl: llm.url,
      model: FAKE_CHAT_MODEL,
      embeddingModel: FAKE_EMBEDDING_MODEL,
      timeoutMs: 1000,
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    llm.hang(true);
    try {
      const from = newFrom();
      const conversation = await say(from, 'Apakah bisa COD ke Bekasi?');
      assert.equal(conversation.aiAgentId, null);
      const notes = (await a.api.get(`/api/v1/conversations/${conversation.id}/notes`)).body.data;
      assert.match(notes[0].body, /the AI model is unavailable — The model did not answer within 1 s/);
      const failures = (await a.api.get('/api/v1/ai/usage')).body.recentFailures;
      assert.ok(failures.some((f: any) => f.conversationId === conversation.id && /within 1 s/.test(f.error)));
    } finally {
      llm.release();
      await a.api.put('/api/v1/ai/settings', { baseUrl: null });
    }
  });

  it('finds a passage by meaning when the words differ (hybrid retrieval with embeddings)', async () => {
    // "ongkir" (shipping cost) is not in the text, which says "pengiriman": only the vectors connect them.
    const res = await a.api.post(`/api/v1/ai-agents/${agent.id}/test`, { message: 'ongkir' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const top = res.body.passages[0];
    assert.ok(top, JSON.stringify(res.body));
    assert.match(top.text, /Pengiriman ke seluruh Indonesia/);
    assert.equal(top.lexical, 0);
    assert.ok(top.similarity > 0.3, `similarity ${top.similarity}`);
  });

  it('runs an evaluation and scores it', async () => {
    const created = await a.api.post(`/api/v1/ai-agents/${agent.id}/evaluations`, {
      name: 'FAQ dasar',
      cases: [
        { question: 'Jam berapa toko buka?', expectedFacts: ['09.00–21.00'] },
        { question: 'Berapa harga Kopi Gayo 250g?', expectedFacts: ['Rp 85.000'], expectedAnswer: 'Kopi Gayo 250g harganya Rp 85.000' },
        { question: 'Apakah menerima pembayaran bitcoin?', expectedFacts: ['bitcoin'] },
      ],
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.lastRun.status, 'queued');
    await settle(server.appliance, 20_000);
    const evaluation = (await a.api.get(`/api/v1/ai-agents/${agent.id}/evaluations/${created.body.id}`)).body;
    const run = evaluation.lastRun;
    assert.equal(run.status, 'done');
    assert.equal(run.total, 3);
    assert.equal(run.passedCount, 2);
    assert.equal(run.score, 0.667);
    assert.equal(run.results[0].score, 1);
    assert.match(run.results[0].answer, /09\.00–21\.00/);
    assert.deepEqual(run.results[1].matchedFacts, ['Rp 85.000']);
    assert.equal(run.results[2].passed, false);
    assert.match(run.results[2].handoff, /out_of_scope/);
    // Run again on demand: the history keeps both.
    const again = await a.api.post(`/api/v1/ai-agents/${agent.id}/evaluations/${created.body.id}/run`);
    assert.equal(again.status, 202);
    await settle(server.appliance, 20_000);
    const after = (await a.api.get(`/api/v1/ai-agents/${agent.id}/evaluations/${created.body.id}`)).body;
    assert.equal(after.runs.length, 2);
    assert.equal(after.runs[0].id, again.body.id);
    assert.equal(after.runs[0].score, 0.667);
    const usage = (await a.api.get(`/api/v1/ai-agents/${agent.id}/usage`)).body;
    assert.ok(usage.totals.requests > 5);
    assert.ok(usage.totals.tokensIn > 0 && usage.totals.tokensOut > 0);
  });
});
