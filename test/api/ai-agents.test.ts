// The AI Agents API: every operation of the catalogue's "AI Agents" tag (and ours beyond it) with
// its success and its clear 4xx answers, knowledge of every kind (text, QnA, PDF, Word, text and CSV
// files, web pages, products), the organization's model settings (key sealed, sent to the model),
// orchestration, limits, the composer's helpers, permissions, and another organization's ids
// answering 404 and changing nothing.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import JSZip from 'jszip';
import { startServer, type TestServer } from '../support/server.js';
import { startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { startFakeLlm, FAKE_CHAT_MODEL, FAKE_EMBEDDING_MODEL, type FakeLlm } from '../support/fake-llm.js';
import { Api, assertProblem, createAgent, registerTenant, type Tenant } from '../support/http.js';
import { connectWhatsApp, eventually, postWebhook, waPayload, wamid, type WaAccount } from '../support/whatsapp.js';
import { settle } from '../support/settle.js';
import { aiTokensUsed } from '../../server/modules/ai-agents/ai-agents.service.js';
import { UsageRecordEntity } from '../../server/modules/ai-agents/ai-agents.entity.js';

const UNKNOWN = '00000000-0000-7000-8000-000000000001';

/** A one-page PDF whose text is `text` (Helvetica, no compression), with a correct xref table. */
function pdf(text: string): Buffer {
  const stream = `BT /F1 12 Tf 72 720 Td (${text.replace(/[()\\]/g, (c) => `\\${c}`)}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** A minimal Word document with these paragraphs. */
async function docx(paragraphs: string[]): Promise<Buffer> {
  const zip = new JSZip();
  zip.file(
    '[Content_Types].xml',
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
  );
  zip.file(
    '_rels/.rels',
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
  );
  zip.file(
    'word/document.xml',
    '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>' +
      paragraphs.map((p) => `<w:p><w:r><w:t>${p}</w:t></w:r></w:p>`).join('') +
      '</w:body></w:document>',
  );
  return zip.generateAsync({ type: 'nodebuffer' });
}

async function upload(server: TestServer, t: Tenant, name: string, data: Buffer | string, type: string): Promise<any> {
  const form = new FormData();
  form.append('file', new Blob([typeof data === 'string' ? data : new Uint8Array(data)], { type }), name);
  const res = await fetch(`${server.url}/api/v1/media`, { method: 'POST', headers: { authorization: `Bearer ${t.token}` }, body: form });
  const body = await res.json();
  assert.equal(res.status, 201, JSON.stringify(body));
  return body;
}

describe('AI Agents API', () => {
  let graph: FakeGraph;
  let llm: FakeLlm;
  let server: TestServer;
  let site: Server;
  let siteUrl: string;
  let held: ServerResponse[] = [];
  let hanging = true;
  let a: Tenant;
  let b: Tenant;
  let wa: WaAccount;
  let agent: any;
  let other: any;
  let division: any;

  before(async () => {
    graph = await startFakeGraph();
    llm = await startFakeLlm();
    // No appliance default model: each organization brings its own (tenant B has none).
    server = await startServer({ META_GRAPH_URL: graph.url });
    // A small web site for URL sources.
    site = createServer((req, res) => {
      if (req.url === '/hang' && hanging) return void held.push(res);
      if (req.url === '/missing') return void res.writeHead(404).end('not here');
      if (req.url === '/retur.html') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return void res.end(
          '<html><head><title>Kebijakan Retur</title><script>var x = "jangan dibaca";</script></head><body><nav>Beranda | Produk</nav>' +
            '<h1>Kebijakan Retur</h1><p>Barang dapat dikembalikan dalam <b>7 hari</b> setelah diterima, dengan nota pembelian.</p></body></html>',
        );
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', () => resolve()));
    siteUrl = `http://127.0.0.1:${(site.address() as { port: number }).port}`;
    const api = new Api(server.url);
    a = await registerTenant(api, 'Batik AI');
    b = await registerTenant(api, 'Kopi AI');
    wa = await connectWhatsApp(a.api, '620000000000018');
    division = (await a.api.post('/api/v1/divisions', { name: 'Sales' })).body;
  });
  after(async () => {
    for (const res of held) res.destroy();
    await new Promise<void>((resolve) => site.close(() => resolve()));
    await server.stop();
    await graph.stop();
    await llm.stop();
  });

  describe('model settings', () => {
    it('starts unconfigured, and the playground says so (503)', async () => {
      const settings = await a.api.get('/api/v1/ai/settings');
      assert.equal(settings.status, 200);
      assert.equal(settings.body.source, 'none');
      assert.equal(settings.body.effective, null);
      const created = await b.api.post('/api/v1/ai-agents', { name: 'Tanpa model' });
      assertProblem(await b.api.post(`/api/v1/ai-agents/${created.body.id}/test`, { message: 'halo ada produk apa' }), 503);
    });

    it('stores the endpoint with the key sealed, shows only its last 4 characters, and sends it to the model', async () => {
      assertProblem(await a.api.put('/api/v1/ai/settings', { baseUrl: llm.url }), 400, ['model']);
      assertProblem(await a.api.put('/api/v1/ai/settings', { baseUrl: 'ftp://example.com/v1', model: 'x' }), 400, ['baseUrl']);
      assertProblem(await a.api.put('/api/v1/ai/settings', { timeoutMs: 5 }), 400, ['timeoutMs']);
      const put = await a.api.put('/api/v1/ai/settings', {
        baseUrl: llm.url,
        apiKey: 'sk-local-secret-9876',
        model: FAKE_CHAT_MODEL,
        embeddingModel: FAKE_EMBEDDING_MODEL,
      });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      assert.equal(put.body.apiKey, '••••9876');
      assert.equal(put.body.source, 'organization');
      assert.deepEqual(put.body.effective, { baseUrl: llm.url, model: FAKE_CHAT_MODEL, embeddingModel: FAKE_EMBEDDING_MODEL });
      assert.ok(!JSON.stringify((await a.api.get('/api/v1/ai/settings')).body).includes('secret'));
      const row = await server.appliance.db.query('SELECT apiKey FROM ai_settings');
      assert.ok(!String(row[0].apiKey).includes('sk-local'), 'sealed at rest');
      const test = await a.api.post('/api/v1/ai/settings/test');
      assert.equal(test.status, 200);
      assert.equal(test.body.ok, true);
      assert.equal(test.body.modelAvailable, true);
      assert.equal(test.body.embeddingModelAvailable, true);
      assert.equal(llm.requests.at(-1)!.headers.authorization, 'Bearer sk-local-secret-9876');
    });

    it('refuses a model server on a private address the operator has not allowed (no request is made)', async () => {
      const settings = await b.api.put('/api/v1/ai/settings', { baseUrl: 'http://10.20.30.40:11434/v1', model: 'qwen2.5:7b' });
      assert.equal(settings.status, 200);
      const test = await b.api.post('/api/v1/ai/settings/test');
      assert.equal(test.body.ok, false);
      assert.equal(test.body.error.kind, 'refused');
      assert.match(test.body.error.message, /OUTBOUND_ALLOWED_HOSTS/);
      await b.api.put('/api/v1/ai/settings', { baseUrl: null, model: null });
    });

    it('needs ai_agents.manage', async () => {
      const { api } = await createAgent(a.api, 'agent');
      assertProblem(await api.get('/api/v1/ai/settings'), 403);
      assertProblem(await api.get('/api/v1/ai-agents'), 403);
      assertProblem(await api.post('/api/v1/ai-agents', { name: 'x' }), 403);
      assertProblem(await api.get('/api/v1/ai/usage'), 403);
    });
  });

  describe('agents', () => {
    it('creates an agent (inactive, with a human_request rule) and validates fields', async () => {
      assertProblem(await a.api.post('/api/v1/ai-agents', {}), 400, ['name']);
      assertProblem(await a.api.post('/api/v1/ai-agents', { name: 'x', language: 'fr' }), 400, ['language']);
      assertProblem(await a.api.post('/api/v1/ai-agents', { name: 'x', temperature: 5 }), 400, ['temperature']);
      assertProblem(await a.api.post('/api/v1/ai-agents', { name: 'x', colour: 'red' }), 400);
      assertProblem(await a.api.post('/api/v1/ai-agents', { name: 'x', handoffDivisionId: UNKNOWN }), 422, ['handoffDivisionId']);
      assertProblem(await a.api.post('/api/v1/ai-agents', { name: 'x', handoffAgentId: UNKNOWN }), 422, ['handoffAgentId']);
      const res = await a.api.post('/api/v1/ai-agents', {
        name: 'Rina',
        instructions: 'Asisten Batik AI. Jawab singkat.',
        handoffDivisionId: division.id,
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      agent = res.body;
      assert.equal(agent.active, false);
      assert.equal(agent.language, 'auto');
      assert.equal(agent.counts.handoffRules, 1);
      other = (await a.api.post('/api/v1/ai-agents', { name: 'Budi', active: true })).body;
      assert.equal(other.active, true);
    });

    it('lists, filters and pages agents; gets one', async () => {
      const all = await a.api.get('/api/v1/ai-agents');
      assert.deepEqual(all.body.data.map((x: any) => x.name).sort(), ['Budi', 'Rina']);
      const page = await a.api.get('/api/v1/ai-agents?limit=1');
      assert.equal(page.body.data.length, 1);
      const next = await a.api.get(`/api/v1/ai-agents?limit=1&cursor=${page.body.nextCursor}`);
      assert.notEqual(next.body.data[0].id, page.body.data[0].id);
      assert.deepEqual(
        (await a.api.get('/api/v1/ai-agents?active=true')).body.data.map((x: any) => x.name),
        ['Budi'],
      );
      assertProblem(await a.api.get('/api/v1/ai-agents?limit=0'), 400, ['query.limit']);
      assertProblem(await a.api.get('/api/v1/ai-agents?cursor=nope'), 400, ['query.cursor']);
      assert.equal((await a.api.get(`/api/v1/ai-agents/${agent.id}`)).body.name, 'Rina');
      assertProblem(await a.api.get(`/api/v1/ai-agents/${UNKNOWN}`), 404);
      assertProblem(await a.api.get('/api/v1/ai-agents/not-an-id'), 404);
    });

    it('updates fields given and leaves the rest', async () => {
      const res = await a.api.put(`/api/v1/ai-agents/${agent.id}`, { language: 'id', temperature: 0.1 });
      assert.equal(res.status, 200);
      assert.equal(res.body.language, 'id');
      assert.equal(res.body.name, 'Rina');
      assert.equal(res.body.instructions, 'Asisten Batik AI. Jawab singkat.');
      assertProblem(await a.api.put(`/api/v1/ai-agents/${agent.id}`, { maxTokens: 1 }), 400, ['maxTokens']);
      assertProblem(await a.api.put(`/api/v1/ai-agents/${agent.id}`, { name: '' }), 400, ['name']);
      assertProblem(await a.api.put(`/api/v1/ai-agents/${UNKNOWN}`, { name: 'x' }), 404);
      await a.api.put(`/api/v1/ai-agents/${agent.id}`, { language: 'auto' });
    });

    it('toggles: flips without a body, sets with one', async () => {
      assert.equal((await a.api.put(`/api/v1/ai-agents/${agent.id}/toggle`)).body.active, true);
      assert.equal((await a.api.put(`/api/v1/ai-agents/${agent.id}/toggle`)).body.active, false);
      assert.equal((await a.api.put(`/api/v1/ai-agents/${agent.id}/toggle`, { active: true })).body.active, true);
      assert.equal((await a.api.put(`/api/v1/ai-agents/${agent.id}/toggle`, { active: true })).body.active, true);
      assertProblem(await a.api.put(`/api/v1/ai-agents/${agent.id}/toggle`, { active: 'yes' }), 400, ['active']);
      assertProblem(await a.api.put(`/api/v1/ai-agents/${UNKNOWN}/toggle`), 404);
      const log = (await a.api.get('/api/v1/activity-logs?limit=20')).body.data;
      assert.ok(log.some((e: any) => e.action === 'ai_agent.activated' && e.targetId === agent.id));
    });
  });

  describe('assignments and handoff rules', () => {
    let assignment: any;
    let rule: any;

    it('creates, lists, updates and deletes assignments', async () => {
      assertProblem(await a.api.post(`/api/v1/ai-agents/${agent.id}/assignments`, { channel: 'sms' }), 400, ['channel']);
      assertProblem(await a.api.post(`/api/v1/ai-agents/${agent.id}/assignments`, { accountId: UNKNOWN }), 422, ['accountId']);
      assertProblem(await a.api.post(`/api/v1/ai-agents/${agent.id}/assignments`, { channel: 'email', accountId: wa.id }), 422, [
        'accountId',
      ]);
      assertProblem(await a.api.post(`/api/v1/ai-agents/${agent.id}/assignments`, { divisionId: UNKNOWN }), 422, ['divisionId']);
      assertProblem(await a.api.post(`/api/v1/ai-agents/${agent.id}/assignments`, { schedule: 'sometimes' }), 400, ['schedule']);
      assertProblem(await a.api.post(`/api/v1/ai-agents/${UNKNOWN}/assignments`, {}), 404);
      const res = await a.api.post(`/api/v1/ai-agents/${agent.id}/assignments`, { channel: 'whatsapp', accountId: wa.id });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assignment = res.body;
      assert.equal(assignment.schedule, 'always');
      const list = await a.api.get(`/api/v1/ai-agents/${agent.id}/assignments`);
      assert.deepEqual(
        list.body.data.map((x: any) => x.id),
        [assignment.id],
      );
      const updated = await a.api.put(`/api/v1/ai-agents/${agent.id}/assignments/${assignment.id}`, { schedule: 'outside_working_hours' });
      assert.equal(updated.body.schedule, 'outside_working_hours');
      assert.equal(updated.body.accountId, wa.id);
      assertProblem(await a.api.put(`/api/v1/ai-agents/${other.id}/assignments/${assignment.id}`, {}), 404);
      assertProblem(await a.api.put(`/api/v1/ai-agents/${agent.id}/assignments/${UNKNOWN}`, {}), 404);
      const temp = (await a.api.post(`/api/v1/ai-agents/${agent.id}/assignments`, { divisionId: division.id })).body;
      assert.equal((await a.api.delete(`/api/v1/ai-agents/${agent.id}/assignments/${temp.id}`)).status, 204);
      assertProblem(await a.api.delete(`/api/v1/ai-agents/${agent.id}/assignments/${temp.id}`), 404);
      await a.api.put(`/api/v1/ai-agents/${agent.id}/assignments/${assignment.id}`, { schedule: 'always' });
    });

    it('creates, lists, updates and deletes handoff rules', async () => {
      const initial = (await a.api.get(`/api/v1/ai-agents/${agent.id}/handoff-rules`)).body.data;
      assert.deepEqual(
        initial.map((r: any) => r.type),
        ['human_request'],
      );
      assertProblem(await a.api.post(`/api/v1/ai-agents/${agent.id}/handoff-rules`, { type: 'keyword' }), 400, ['config.keywords']);
      assertProblem(await a.api.post(`/api/v1/ai-agents/${agent.id}/handoff-rules`, { type: 'mood' }), 400, ['type']);
      assertProblem(
        await a.api.post(`/api/v1/ai-agents/${agent.id}/handoff-rules`, { type: 'low_confidence', config: { threshold: -0.2 } }),
        400,
        ['config.threshold'],
      );
      assertProblem(await a.api.post(`/api/v1/ai-agents/${agent.id}/handoff-rules`, { type: 'max_turns', config: { turns: 0 } }), 400, [
        'config.turns',
      ]);
      assertProblem(await a.api.post(`/api/v1/ai-agents/${agent.id}/handoff-rules`, { type: 'sentiment', targetAgentId: UNKNOWN }), 422, [
        'targetAgentId',
      ]);
      const res = await a.api.post(`/api/v1/ai-agents/${agent.id}/handoff-rules`, {
        type: 'keyword',
        config: { keywords: ['komplain', 'barang rusak'] },
        targetDivisionId: division.id,
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      rule = res.body;
      assert.equal(rule.position, 1);
      const lc = (await a.api.post(`/api/v1/ai-agents/${agent.id}/handoff-rules`, { type: 'low_confidence' })).body;
      assert.equal(lc.config.threshold, 0.3, 'the default threshold is stored');
      const updated = await a.api.put(`/api/v1/ai-agents/${agent.id}/handoff-rules/${rule.id}`, { config: { keywords: ['komplain'] } });
      assert.deepEqual(updated.body.config.keywords, ['komplain']);
      assertProblem(await a.api.put(`/api/v1/ai-agents/${agent.id}/handoff-rules/${rule.id}`, { config: { keywords: [] } }), 400, [
        'config.keywords',
      ]);
      assertProblem(await a.api.put(`/api/v1/ai-agents/${other.id}/handoff-rules/${rule.id}`, {}), 404);
      assert.equal((await a.api.delete(`/api/v1/ai-agents/${agent.id}/handoff-rules/${lc.id}`)).status, 204);
      assertProblem(await a.api.delete(`/api/v1/ai-agents/${agent.id}/handoff-rules/${lc.id}`), 404);
      assert.equal((await a.api.get(`/api/v1/ai-agents/${agent.id}/handoff-rules`)).body.data.length, 2);
    });
  });

  describe('knowledge', () => {
    const sources: Record<string, any> = {};
    const test = (message: string) => a.api.post(`/api/v1/ai-agents/${agent.id}/test`, { message });

    it('refuses bad sources', async () => {
      const path = `/api/v1/ai-agents/${agent.id}/knowledge-sources`;
      assertProblem(await a.api.post(path, { type: 'video' }), 400, ['type']);
      assertProblem(await a.api.post(path, { type: 'text' }), 400, ['content']);
      assertProblem(await a.api.post(path, { type: 'url' }), 400, ['url']);
      assertProblem(await a.api.post(path, { type: 'url', url: 'file:///etc/passwd' }), 400, ['url']);
      assertProblem(await a.api.post(path, { type: 'file' }), 400, ['mediaId']);
      assertProblem(await a.api.post(path, { type: 'file', mediaId: UNKNOWN }), 422, ['mediaId']);
      assertProblem(await a.api.post(path, { type: 'text', content: 'x', qna: [{ question: 'q', answer: 'a' }] }), 400, ['qna']);
      assertProblem(await a.api.post(path, { type: 'qna', qna: [{ question: 'q' }] }), 400, ['qna.0.answer']);
      const png = await upload(
        server,
        a,
        'logo.png',
        Buffer.from(
          '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
            '1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082',
          'hex',
        ),
        'image/png',
      );
      assertProblem(await a.api.post(path, { type: 'file', mediaId: png.id }), 422, ['mediaId']);
      assertProblem(await a.api.post(`/api/v1/ai-agents/${UNKNOWN}/knowledge-sources`, { type: 'text', content: 'x' }), 404);
    });

    it('processes text, QnA, PDF, Word, text and CSV files and web pages into ready sources', async () => {
      const path = `/api/v1/ai-agents/${agent.id}/knowledge-sources`;
      const add = async (key: string, body: unknown) => {
        const res = await a.api.post(path, body);
        assert.equal(res.status, 201, JSON.stringify(res.body));
        assert.equal(res.body.status, 'processing');
        sources[key] = res.body;
      };
      await add('text', { type: 'text', name: 'Tentang kami', content: 'Batik AI menjual batik tulis dari Pekalongan sejak 1998.' });
      await add('qna', { type: 'qna', qna: [{ question: 'Apakah ada toko offline?', answer: 'Ada, di Jalan Malioboro 12, Yogyakarta.' }] });
      const pdfFile = await upload(
        server,
        a,
        'garansi.pdf',
        pdf('Garansi jahitan berlaku 30 hari sejak barang diterima.'),
        'application/pdf',
      );
      await add('pdf', { type: 'file', mediaId: pdfFile.id });
      const word = await upload(
        server,
        a,
        'perawatan.docx',
        await docx(['Cara merawat batik', 'Cuci batik tulis dengan lerak, jangan diperas, jemur di tempat teduh.']),
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      );
      await add('docx', { type: 'file', mediaId: word.id });
      const txt = await upload(server, a, 'pembayaran.txt', 'Pembayaran bisa lewat transfer BCA, QRIS, atau GoPay.', 'text/plain');
      await add('txt', { type: 'file', mediaId: txt.id, name: 'Pembayaran' });
      const csv = await upload(
        server,
        a,
        'cabang.csv',
        'kota,alamat,telepon\nBandung,Jl. Braga 5,022-123\nSurabaya,Jl. Tunjungan 9,031-456\n',
        'text/csv',
      );
      await add('csv', { type: 'file', mediaId: csv.id });
      await add('url', { type: 'url', url: `${siteUrl}/retur.html` });
      await add('missing', { type: 'url', url: `${siteUrl}/missing` });
      await add('private', { type: 'url', url: 'http://10.9.8.7/internal.html' });
      await settle(server.appliance, 20_000);

      const list = (await a.api.get(`${path}?limit=200`)).body.data;
      const byId = (id: string) => list.find((s: any) => s.id === id);
      for (const key of ['text', 'qna', 'pdf', 'docx', 'txt', 'csv', 'url']) {
        const s = byId(sources[key].id);
        assert.equal(s.status, 'ready', `${key}: ${s.error}`);
        assert.ok(s.chunkCount >= 1, key);
      }
      assert.match(byId(sources.pdf.id).preview, /Garansi jahitan berlaku 30 hari/);
      assert.equal(byId(sources.pdf.id).name, 'garansi.pdf');
      assert.match(byId(sources.docx.id).preview, /jangan diperas/);
      assert.match(byId(sources.csv.id).preview, /kota: Bandung\nalamat: Jl\. Braga 5/);
      const page = byId(sources.url.id);
      assert.match(page.preview, /dikembalikan dalam 7 hari/);
      assert.doesNotMatch(page.preview, /jangan dibaca|Beranda/, 'no scripts or navigation');
      assert.equal(byId(sources.missing.id).status, 'failed');
      assert.match(byId(sources.missing.id).error, /answered 404/);
      assert.equal(byId(sources.private.id).status, 'failed');
      assert.match(byId(sources.private.id).error, /private, loopback or link-local/);
      assert.equal(byId(sources.qna.id).qnaCount, 1);
      // Filters.
      assert.equal((await a.api.get(`${path}?status=failed`)).body.data.length, 2);
      assert.equal((await a.api.get(`${path}?type=file`)).body.data.length, 4);
      assertProblem(await a.api.get(`${path}?status=weird`), 400, ['query.status']);
      // One source.
      const one = await a.api.get(`${path}/${sources.text.id}`);
      assert.equal(one.body.content, 'Batik AI menjual batik tulis dari Pekalongan sejak 1998.');
      assertProblem(await a.api.get(`${path}/${UNKNOWN}`), 404);
    });

    it('answers from each kind of knowledge in the playground, showing the passages and the prompt', async () => {
      const cases: [string, RegExp][] = [
        ['Sejak kapan batik dari Pekalongan dijual?', /1998/],
        ['Apakah ada toko offline?', /Malioboro 12/],
        ['Berapa lama garansi jahitan?', /30 hari/],
        ['Bagaimana cara mencuci batik tulis?', /lerak/],
        ['Pembayaran bisa lewat apa saja?', /QRIS/],
        ['Alamat cabang Surabaya dimana?', /Tunjungan/],
        ['Berapa hari barang bisa dikembalikan?', /7 hari/],
      ];
      for (const [question, expected] of cases) {
        const res = await test(question);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.match(res.body.answer ?? '', expected, `${question} → ${JSON.stringify(res.body)}`);
        assert.ok(res.body.passages.length >= 1);
        assert.equal(res.body.prompt[0].role, 'system');
        assert.match(res.body.prompt[0].content, /KNOWLEDGE:/);
        assert.equal(res.body.prompt.at(-1).content, question);
        assert.ok(res.body.usage.tokensIn > 0);
      }
      // A rule decides before the model: no answer, the handoff it would make.
      const handoff = await test('saya mau komplain');
      assert.equal(handoff.body.answer, null);
      assert.equal(handoff.body.handoff.reason, 'keyword');
      // Outside the knowledge: the model calls the handoff tool.
      const outside = await test('Bisa pesan tiket pesawat ke Bali?');
      assert.equal(outside.body.answer, null);
      assert.equal(outside.body.handoff.reason, 'out_of_scope');
      assertProblem(await a.api.post(`/api/v1/ai-agents/${agent.id}/test`, { message: '' }), 400, ['message']);
      assertProblem(
        await a.api.post(`/api/v1/ai-agents/${agent.id}/test`, { message: 'x', history: [{ role: 'robot', text: 'x' }] }),
        400,
        ['history.0.role'],
      );
      assertProblem(await a.api.post(`/api/v1/ai-agents/${UNKNOWN}/test`, { message: 'halo' }), 404);
    });

    it('applies the sentiment and low-confidence rules before the model answers', async () => {
      const sentiment = (await a.api.post(`/api/v1/ai-agents/${agent.id}/handoff-rules`, { type: 'sentiment' })).body;
      const upset = await test('Saya sangat kecewa, barang rusak dan pelayanan lambat!!!');
      assert.equal(upset.body.handoff.reason, 'sentiment');
      assert.match(upset.body.handoff.detail, /sounds upset/);
      await a.api.delete(`/api/v1/ai-agents/${agent.id}/handoff-rules/${sentiment.id}`);
      const weak = (await a.api.post(`/api/v1/ai-agents/${agent.id}/handoff-rules`, { type: 'low_confidence', config: { threshold: 0.9 } }))
        .body;
      const vague = await test('Pekalongan tiket konser musik');
      assert.equal(vague.body.answer, null);
      assert.equal(vague.body.handoff.reason, 'low_confidence');
      assert.ok(vague.body.passages.length >= 1, 'the weak passages are shown');
      assert.ok(vague.body.passages.every((p: any) => p.confidence < 0.9));
      const strong = await test('Apakah ada toko offline?');
      assert.match(strong.body.answer, /Malioboro/);
      await a.api.delete(`/api/v1/ai-agents/${agent.id}/handoff-rules/${weak.id}`);
    });

    it('the playground reports a failing or slow model as 502 or 504', async () => {
      llm.failNext(1, { status: 500, path: 'chat' });
      const failed = await test('Apakah ada toko offline?');
      assertProblem(failed, 502);
      assert.match(failed.body.detail, /answered 500/);
      await a.api.put('/api/v1/ai/settings', { timeoutMs: 1000 });
      llm.hang(true);
      try {
        assertProblem(await test('Apakah ada toko offline?'), 504);
      } finally {
        llm.release();
        await a.api.put('/api/v1/ai/settings', { timeoutMs: 30000 });
      }
    });

    it('lists, adds and deletes QnA pairs; reindexes the source', async () => {
      const path = `/api/v1/ai-agents/${agent.id}/knowledge-sources/${sources.qna.id}/qna`;
      const added = await a.api.post(path, {
        question: 'Apakah bisa kirim ke luar negeri?',
        answer: 'Bisa, lewat DHL ke Singapura dan Malaysia.',
      });
      assert.equal(added.status, 201, JSON.stringify(added.body));
      assertProblem(await a.api.post(path, { question: 'q' }), 400, ['answer']);
      assertProblem(
        await a.api.post(`/api/v1/ai-agents/${agent.id}/knowledge-sources/${sources.text.id}/qna`, { question: 'q', answer: 'a' }),
        422,
        ['sourceId'],
      );
      assertProblem(
        await a.api.post(`/api/v1/ai-agents/${other.id}/knowledge-sources/${sources.qna.id}/qna`, { question: 'q', answer: 'a' }),
        404,
      );
      await settle(server.appliance);
      const list = await a.api.get(`${path}?limit=1`);
      assert.equal(list.body.data.length, 1);
      assert.ok(list.body.nextCursor);
      assert.equal((await a.api.get(`${path}?limit=1&cursor=${list.body.nextCursor}`)).body.data.length, 1);
      assert.match((await test('Bisa kirim ke luar negeri?')).body.answer, /DHL/);
      assert.equal((await a.api.delete(`${path}/${added.body.id}`)).status, 204);
      assertProblem(await a.api.delete(`${path}/${added.body.id}`), 404);
      assertProblem(await a.api.get(`/api/v1/ai-agents/${agent.id}/knowledge-sources/${UNKNOWN}/qna`), 404);
      assert.equal((await test('Bisa kirim ke luar negeri?')).body.answer, null, 'gone from the knowledge');
    });

    it('reprocesses a source on demand (409 while it is processing) and deletes sources', async () => {
      const path = `/api/v1/ai-agents/${agent.id}/knowledge-sources`;
      const slow = (await a.api.post(path, { type: 'url', url: `${siteUrl}/hang` })).body;
      await eventually(async () => held.length > 0, 5000, 'the page request');
      const busy = await a.api.post(`${path}/${slow.id}/reprocess`);
      assertProblem(busy, 409);
      hanging = false;
      for (const res of held) res.destroy();
      held = [];
      await settle(server.appliance, 30_000);
      const res = await a.api.post(`${path}/${sources.missing.id}/reprocess`);
      assert.equal(res.status, 202);
      assert.equal(res.body.status, 'processing');
      assert.equal(res.body.error, null);
      await settle(server.appliance);
      assert.equal((await a.api.get(`${path}/${sources.missing.id}`)).body.status, 'failed');
      assertProblem(await a.api.post(`${path}/${UNKNOWN}/reprocess`), 404);
      assert.equal((await a.api.delete(`${path}/${sources.csv.id}`)).status, 204);
      assertProblem(await a.api.delete(`${path}/${sources.csv.id}`), 404);
      const chunks = await server.appliance.db.query('SELECT COUNT(*) AS n FROM ai_chunks WHERE sourceId = ?', [sources.csv.id]);
      assert.equal(chunks[0].n, 0);
      const fts = await server.appliance.db.query(`SELECT COUNT(*) AS n FROM ai_chunks_fts WHERE ai_chunks_fts MATCH 'Tunjungan'`);
      assert.equal(fts[0].n, 0, 'the full-text index follows');
      assert.equal((await test('Alamat cabang Surabaya dimana?')).body.passages.filter((p: any) => /Tunjungan/.test(p.text)).length, 0);
    });
  });

  describe('products', () => {
    let product: any;
    const path = () => `/api/v1/ai-agents/${agent.id}/products`;

    it('creates, lists, searches, updates and deletes products; the agent knows the current price', async () => {
      assertProblem(await a.api.post(path(), { name: 'x' }), 400, ['price']);
      assertProblem(await a.api.post(path(), { name: 'x', price: -5 }), 400, ['price']);
      assertProblem(await a.api.post(path(), { name: 'x', price: 1, currency: 'RUPIAH' }), 400, ['currency']);
      assertProblem(await a.api.post(path(), { name: 'x', price: 1, imageMediaId: UNKNOWN }), 422, ['imageMediaId']);
      const res = await a.api.post(path(), {
        name: 'Batik Tulis Mega Mendung',
        sku: 'MM-01',
        price: 1250000,
        stock: 3,
        description: 'Katun primisima, 2 x 1,15 m.',
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      product = res.body;
      assert.equal(product.currency, 'IDR');
      assertProblem(await a.api.post(path(), { name: 'Lain', sku: 'mm-01', price: 1 }), 409, ['sku']);
      const answer = await a.api.post(`/api/v1/ai-agents/${agent.id}/test`, { message: 'Berapa harga batik mega mendung?' });
      assert.match(answer.body.answer, /Rp 1\.250\.000/);
      assert.match(answer.body.answer, /3 tersedia/);
      const updated = await a.api.put(`${path()}/${product.id}`, { price: 1100000, stock: 0 });
      assert.equal(updated.status, 200);
      assert.equal(updated.body.price, 1100000);
      assert.equal(updated.body.name, 'Batik Tulis Mega Mendung');
      const again = await a.api.post(`/api/v1/ai-agents/${agent.id}/test`, { message: 'Berapa harga batik mega mendung?' });
      assert.match(again.body.answer, /Rp 1\.100\.000/);
      assert.match(again.body.answer, /habis/);
      assertProblem(await a.api.put(`${path()}/${product.id}`, { price: 'mahal' }), 400, ['price']);
      assertProblem(await a.api.put(`/api/v1/ai-agents/${other.id}/products/${product.id}`, { price: 1 }), 404);
      assert.equal((await a.api.get(`${path()}?search=mega`)).body.data.length, 1);
      assert.equal((await a.api.get(`${path()}?search=mm-01`)).body.data.length, 1);
      assert.equal((await a.api.get(`${path()}?search=parang`)).body.data.length, 0);
      const temp = (await a.api.post(path(), { name: 'Sementara', price: 1000 })).body;
      assert.equal((await a.api.delete(`${path()}/${temp.id}`)).status, 204);
      assertProblem(await a.api.delete(`${path()}/${temp.id}`), 404);
      assert.equal((await a.api.get(path())).body.data.length, 1);
    });

    it('bulk-imports JSON rows and CSV, updating by SKU and reporting bad rows', async () => {
      assertProblem(await a.api.post(`${path()}/bulk`, {}), 400, ['products', 'csv']);
      const json = await a.api.post(`${path()}/bulk`, {
        products: [
          { name: 'Batik Parang', sku: 'PR-01', price: 450000, stock: 10 },
          { name: 'Batik Kawung', price: 'murah' },
          { sku: 'MM-01', name: 'Batik Tulis Mega Mendung', price: 1150000, stock: 2 },
        ],
      });
      assert.equal(json.status, 200, JSON.stringify(json.body));
      assert.equal(json.body.created, 1);
      assert.equal(json.body.updated, 1);
      assert.deepEqual(
        json.body.errors.map((e: any) => e.row),
        [2],
      );
      const csv = await a.api.post(`${path()}/bulk`, {
        csv: 'name,sku,price,stock,description\nBatik Kawung,KW-01,"Rp 375.000",7,Motif kawung klasik\nTanpa Harga,TH-01,,1,\nBatik Parang,PR-01,425000,9,\n',
      });
      assert.equal(csv.status, 200, JSON.stringify(csv.body));
      assert.equal(csv.body.created, 1);
      assert.equal(csv.body.updated, 1);
      assert.deepEqual(
        csv.body.errors.map((e: any) => e.row),
        [3],
      );
      assert.match(csv.body.errors[0].message, /price/);
      const products = (await a.api.get(`${path()}?limit=200`)).body.data;
      assert.equal(products.length, 3);
      assert.equal(products.find((p: any) => p.sku === 'KW-01').price, 375000);
      assert.equal(products.find((p: any) => p.sku === 'PR-01').price, 425000);
      assertProblem(await a.api.post(`${path()}/bulk`, { csv: 'name,price\n"unterminated' }), 422, ['csv']);
      assertProblem(await a.api.post(`/api/v1/ai-agents/${UNKNOWN}/products/bulk`, { products: [] }), 404);
      const answer = await a.api.post(`/api/v1/ai-agents/${agent.id}/test`, { message: 'harga batik kawung berapa?' });
      assert.match(answer.body.answer, /Rp 375\.000/);
    });
  });

  describe('orchestration, limits and usage', () => {
    let rule: any;

    it('creates, lists, updates and deletes orchestration rules', async () => {
      assertProblem(await a.api.post('/api/v1/ai/orchestration-rules', { name: 'x' }), 400, ['aiAgentId']);
      assertProblem(await a.api.post('/api/v1/ai/orchestration-rules', { name: 'x', aiAgentId: UNKNOWN }), 422, ['aiAgentId']);
      assertProblem(
        await a.api.post('/api/v1/ai/orchestration-rules', { name: 'x', aiAgentId: other.id, conditions: { channels: ['fax'] } }),
        400,
        ['conditions.channels.0'],
      );
      assertProblem(
        await a.api.post('/api/v1/ai/orchestration-rules', { name: 'x', aiAgentId: other.id, conditions: { divisionIds: [UNKNOWN] } }),
        422,
        ['conditions.divisionIds'],
      );
      const res = await a.api.post('/api/v1/ai/orchestration-rules', {
        name: 'Grosir ke Budi',
        aiAgentId: other.id,
        priority: 1,
        conditions: { channels: ['whatsapp'], keywords: ['grosir'] },
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      rule = res.body;
      const second = (
        await a.api.post('/api/v1/ai/orchestration-rules', { name: 'Nanti', aiAgentId: agent.id, priority: 0, active: false })
      ).body;
      assert.deepEqual(
        (await a.api.get('/api/v1/ai/orchestration-rules')).body.data.map((r: any) => r.id),
        [second.id, rule.id],
      );
      const updated = await a.api.put(`/api/v1/ai/orchestration-rules/${second.id}`, { priority: 5 });
      assert.equal(updated.body.priority, 5);
      assertProblem(await a.api.put(`/api/v1/ai/orchestration-rules/${second.id}`, { aiAgentId: UNKNOWN }), 422, ['aiAgentId']);
      assertProblem(await a.api.put(`/api/v1/ai/orchestration-rules/${UNKNOWN}`, {}), 404);
      assert.equal((await a.api.delete(`/api/v1/ai/orchestration-rules/${second.id}`)).status, 204);
      assertProblem(await a.api.delete(`/api/v1/ai/orchestration-rules/${second.id}`), 404);
    });

    it('chooses the AI agent by orchestration rule, else by assignment', async () => {
      const say = async (from: string, text: string) => {
        await postWebhook(
          server.url,
          waPayload('wa-text.json', wa.phoneNumberId, { from, message: { id: wamid('OR'), text: { body: text } } }),
          wa.appSecret,
        );
        const c = await eventually(
          async () => (await a.api.get('/api/v1/conversations?limit=200')).body.data.find((x: any) => x.contact.phone === `+${from}`),
          5000,
          'conversation',
        );
        await settle(server.appliance, 20_000);
        return (await a.api.get(`/api/v1/conversations/${c.id}`)).body;
      };
      // Budi's knowledge: wholesale.
      await a.api.post(`/api/v1/ai-agents/${other.id}/knowledge-sources`, {
        type: 'qna',
        qna: [{ question: 'Berapa minimal order grosir?', answer: 'Minimal grosir 12 potong per motif.' }],
      });
      await settle(server.appliance);
      const wholesale = await say('6281300000001', 'Berapa minimal order grosir?');
      assert.equal(wholesale.aiAgentId, other.id, 'the rule chose Budi');
      const retail = await say('6281300000002', 'Apakah ada toko offline?');
      assert.equal(retail.aiAgentId, agent.id, "Rina's assignment");
      const sent = graph.sentMessages(wa.phoneNumberId).map((r) => r.body?.text?.body);
      assert.ok(sent.some((t) => /12 potong/.test(t)));
      assert.ok(sent.some((t) => /Malioboro/.test(t)));
    });

    it('a monthly token limit stops the model (429 in the playground)', async () => {
      await a.api.put(`/api/v1/ai-agents/${other.id}`, { monthlyTokenLimit: 1 });
      const res = await a.api.post(`/api/v1/ai-agents/${other.id}/test`, { message: 'Berapa minimal order grosir?' });
      assertProblem(res, 429);
      assert.match(res.body.detail, /monthly limit of 1 tokens/);
      await a.api.put(`/api/v1/ai-agents/${other.id}`, { monthlyTokenLimit: null });
    });

    it('reports usage per agent by day and per organization by month', async () => {
      const day = await a.api.get(`/api/v1/ai-agents/${agent.id}/usage`);
      assert.equal(day.status, 200);
      assert.equal(day.body.days.length, 30);
      assert.equal(day.body.timezone, 'Asia/Jakarta');
      const today = day.body.days.at(-1);
      assert.ok(today.requests > 5, JSON.stringify(today));
      assert.ok(today.failures >= 2, 'the 500 and the timeout');
      assert.ok(today.tokensIn > 0);
      assert.equal(day.body.totals.requests, today.requests);
      const one = await a.api.get(`/api/v1/ai-agents/${agent.id}/usage?from=${today.date}&to=${today.date}`);
      assert.equal(one.body.days.length, 1);
      assertProblem(await a.api.get(`/api/v1/ai-agents/${agent.id}/usage?from=2026-02-30`), 400, ['query.from']);
      assertProblem(await a.api.get(`/api/v1/ai-agents/${agent.id}/usage?from=2026-05-02&to=2026-05-01`), 400, ['query.from']);
      assertProblem(await a.api.get(`/api/v1/ai-agents/${agent.id}/usage?from=2020-01-01&to=2026-01-01`), 400, ['query.from']);
      assertProblem(await a.api.get(`/api/v1/ai-agents/${UNKNOWN}/usage`), 404);
      const org = await a.api.get('/api/v1/ai/usage');
      assert.equal(org.status, 200);
      assert.ok(org.body.agents.some((x: any) => x.aiAgentId === agent.id && x.name === 'Rina'));
      assert.ok(org.body.byKind.some((x: any) => x.kind === 'test'));
      assert.ok(org.body.byKind.some((x: any) => x.kind === 'embedding'));
      assert.equal(org.body.limit.monthlyTokenLimit, null);
      await a.api.put('/api/v1/ai/settings', { monthlyTokenLimit: 100_000_000 });
      const limited = (await a.api.get('/api/v1/ai/usage')).body.limit;
      assert.equal(limited.remaining, 100_000_000 - limited.used);
      assert.equal((await a.api.get('/api/v1/ai/usage?month=2020-01')).body.totals.requests, 0);
      assertProblem(await a.api.get('/api/v1/ai/usage?month=2020-13'), 400, ['query.month']);
    });

    it("counts an organization's tokens in a period for other modules (usage, billing)", async () => {
      const db = server.appliance.services.db;
      const org = (await a.api.get('/api/v1/ai/usage')).body.totals;
      const always = { from: new Date(0), to: new Date(8.64e15) };
      // Everything in this suite happened this month: the whole history is the month's usage.
      assert.deepEqual(await aiTokensUsed(db, a.tenant.id, always), {
        tokensIn: org.tokensIn,
        tokensOut: org.tokensOut,
        total: org.tokensIn + org.tokensOut,
        requests: org.requests,
      });
      assert.ok(org.tokensIn + org.tokensOut > 0);
      // [from, to): a period ending at the first request leaves it out; one starting there keeps it.
      const [first] = await db
        .getRepository(UsageRecordEntity)
        .find({ where: { tenantId: a.tenant.id }, order: { createdAt: 'ASC' }, take: 1 });
      assert.equal((await aiTokensUsed(db, a.tenant.id, { from: new Date(0), to: first.createdAt })).requests, 0);
      assert.equal((await aiTokensUsed(db, a.tenant.id, { from: first.createdAt, to: always.to })).requests, org.requests);
      assert.deepEqual(
        await aiTokensUsed(db, a.tenant.id, { from: new Date('2020-01-01T00:00:00Z'), to: new Date('2020-02-01T00:00:00Z') }),
        {
          tokensIn: 0,
          tokensOut: 0,
          total: 0,
          requests: 0,
        },
      );
      // Another organization's count is its own.
      const other = await aiTokensUsed(db, b.tenant.id, always);
      assert.equal(other.requests, (await b.api.get('/api/v1/ai/usage')).body.totals.requests);
    });
  });

  describe('evaluations', () => {
    let evaluation: any;
    const path = () => `/api/v1/ai-agents/${agent.id}/evaluations`;

    it('creates (and runs), lists, updates (re-running) and deletes evaluations', async () => {
      assertProblem(await a.api.post(path(), { name: 'x', cases: [] }), 400, ['cases']);
      assertProblem(await a.api.post(path(), { name: 'x', cases: [{ expectedFacts: ['a'] }] }), 400, ['cases.0.question']);
      assertProblem(await a.api.post(path(), { name: 'x', cases: [{ question: 'q' }], passThreshold: 2 }), 400, ['passThreshold']);
      assertProblem(await a.api.post(`/api/v1/ai-agents/${UNKNOWN}/evaluations`, { name: 'x', cases: [{ question: 'q' }] }), 404);
      const draft = await a.api.post(path(), { name: 'Draf', cases: [{ question: 'Apakah ada toko offline?' }], run: false });
      assert.equal(draft.body.lastRun, null);
      const res = await a.api.post(path(), {
        name: 'Toko',
        passThreshold: 0.5,
        cases: [
          {
            question: 'Apakah ada toko offline?',
            expectedAnswer: 'Ada, di Jalan Malioboro 12 Yogyakarta',
            expectedFacts: ['Malioboro 12'],
          },
        ],
      });
      assert.equal(res.status, 201);
      evaluation = res.body;
      await settle(server.appliance);
      const got = (await a.api.get(`${path()}/${evaluation.id}`)).body;
      assert.equal(got.lastRun.status, 'done');
      assert.equal(got.lastRun.score, 1);
      assert.equal(got.lastRun.results[0].answerRecall, 1);
      const list = (await a.api.get(path())).body.data;
      assert.equal(list.length, 2);
      const updated = await a.api.put(`${path()}/${evaluation.id}`, {
        cases: [{ question: 'Apakah ada toko offline?', expectedFacts: ['Malioboro 12', 'buka 24 jam'] }],
        run: true,
      });
      assert.equal(updated.status, 200);
      assert.equal(updated.body.lastRun.status, 'queued');
      await settle(server.appliance);
      const after = (await a.api.get(`${path()}/${evaluation.id}`)).body;
      assert.equal(after.runs.length, 2);
      assert.equal(after.lastRun.score, 0.5);
      assert.deepEqual(after.lastRun.results[0].missingFacts, ['buka 24 jam']);
      assert.equal(after.lastRun.passedCount, 1);
      const run = await a.api.get(`${path()}/${evaluation.id}/runs/${after.runs[1].id}`);
      assert.equal(run.body.score, 1);
      assertProblem(await a.api.get(`${path()}/${evaluation.id}/runs/${UNKNOWN}`), 404);
      assertProblem(await a.api.put(`${path()}/${evaluation.id}`, { cases: [] }), 400, ['cases']);
      assertProblem(await a.api.put(`${path()}/${UNKNOWN}`, { name: 'x' }), 404);
      assertProblem(await a.api.post(`${path()}/${UNKNOWN}/run`), 404);
      assert.equal((await a.api.delete(`${path()}/${draft.body.id}`)).status, 204);
      assertProblem(await a.api.delete(`${path()}/${draft.body.id}`), 404);
    });
  });

  describe('the composer: suggestions and summaries for people', () => {
    it('suggests a reply from the knowledge and summarizes the conversation', async () => {
      const from = '6281300000009';
      await postWebhook(
        server.url,
        waPayload('wa-text.json', wa.phoneNumberId, {
          from,
          message: { id: wamid('SG'), text: { body: 'saya mau komplain, apakah ada toko offline?' } },
        }),
        wa.appSecret,
      );
      const c = await eventually(
        async () => (await a.api.get('/api/v1/conversations?limit=200')).body.data.find((x: any) => x.contact.phone === `+${from}`),
        5000,
        'conversation',
      );
      await settle(server.appliance, 20_000);
      // The keyword rule handed it to people; the human agent asks the AI for help.
      const suggestion = await a.api.post(`/api/v1/conversations/${c.id}/ai/suggest-reply`, {});
      assert.equal(suggestion.status, 200, JSON.stringify(suggestion.body));
      assert.match(suggestion.body.suggestion, /Malioboro 12/);
      assert.ok(suggestion.body.passages.length > 0);
      assert.equal(llm.chatRequests().at(-1)!.body.tools, undefined, 'a draft for a person: no handoff tool');
      const withAgent = await a.api.post(`/api/v1/conversations/${c.id}/ai/suggest-reply`, { aiAgentId: other.id });
      assert.equal(withAgent.body.aiAgentId, other.id);
      assertProblem(await a.api.post(`/api/v1/conversations/${c.id}/ai/suggest-reply`, { aiAgentId: UNKNOWN }), 404);
      const summary = await a.api.post(`/api/v1/conversations/${c.id}/ai/summary`);
      assert.equal(summary.status, 200);
      assert.match(summary.body.summary, /saya mau komplain/);
      assertProblem(await a.api.post(`/api/v1/conversations/${UNKNOWN}/ai/summary`), 404);
      assertProblem(await a.api.post(`/api/v1/conversations/${UNKNOWN}/ai/suggest-reply`, {}), 404);
      // An agent (messages.send, no ai_agents.manage) may use them.
      const member = await createAgent(a.api, 'agent');
      // Out of the division the handoff moved it to, the conversation is not theirs to see.
      assertProblem(await member.api.post(`/api/v1/conversations/${c.id}/ai/summary`), 404);
      await a.api.post(`/api/v1/divisions/${division.id}/agents`, { agentIds: [member.agent.id] });
      assert.equal((await member.api.post(`/api/v1/conversations/${c.id}/ai/summary`)).status, 200);
      assert.equal((await member.api.post(`/api/v1/conversations/${c.id}/ai/suggest-reply`, {})).status, 200);
    });
  });

  describe('another organization', () => {
    it("answers 404 to every route with the first organization's ids and changes nothing", async () => {
      const source = (await a.api.get(`/api/v1/ai-agents/${agent.id}/knowledge-sources?type=qna`)).body.data[0];
      const qna = (await a.api.get(`/api/v1/ai-agents/${agent.id}/knowledge-sources/${source.id}/qna`)).body.data[0];
      const product = (await a.api.get(`/api/v1/ai-agents/${agent.id}/products`)).body.data[0];
      const assignment = (await a.api.get(`/api/v1/ai-agents/${agent.id}/assignments`)).body.data[0];
      const rule = (await a.api.get(`/api/v1/ai-agents/${agent.id}/handoff-rules`)).body.data[0];
      const evaluation = (await a.api.get(`/api/v1/ai-agents/${agent.id}/evaluations`)).body.data[0];
      const orchestration = (await a.api.get('/api/v1/ai/orchestration-rules')).body.data[0];
      const conversation = (await a.api.get('/api/v1/conversations?limit=1')).body.data[0];
      const ag = `/api/v1/ai-agents/${agent.id}`;
      const calls: [string, string, unknown?][] = [
        ['GET', ag],
        ['PUT', ag, { name: 'hacked' }],
        ['DELETE', ag],
        ['PUT', `${ag}/toggle`, { active: false }],
        ['GET', `${ag}/assignments`],
        ['POST', `${ag}/assignments`, {}],
        ['PUT', `${ag}/assignments/${assignment.id}`, { schedule: 'working_hours' }],
        ['DELETE', `${ag}/assignments/${assignment.id}`],
        ['GET', `${ag}/handoff-rules`],
        ['POST', `${ag}/handoff-rules`, { type: 'sentiment' }],
        ['PUT', `${ag}/handoff-rules/${rule.id}`, { active: false }],
        ['DELETE', `${ag}/handoff-rules/${rule.id}`],
        ['GET', `${ag}/usage`],
        ['GET', `${ag}/knowledge-sources`],
        ['POST', `${ag}/knowledge-sources`, { type: 'text', content: 'x' }],
        ['GET', `${ag}/knowledge-sources/${source.id}`],
        ['DELETE', `${ag}/knowledge-sources/${source.id}`],
        ['POST', `${ag}/knowledge-sources/${source.id}/reprocess`],
        ['GET', `${ag}/knowledge-sources/${source.id}/qna`],
        ['POST', `${ag}/knowledge-sources/${source.id}/qna`, { question: 'q', answer: 'a' }],
        ['DELETE', `${ag}/knowledge-sources/${source.id}/qna/${qna.id}`],
        ['GET', `${ag}/products`],
        ['POST', `${ag}/products`, { name: 'x', price: 1 }],
        ['POST', `${ag}/products/bulk`, { products: [] }],
        ['PUT', `${ag}/products/${product.id}`, { price: 1 }],
        ['DELETE', `${ag}/products/${product.id}`],
        ['PUT', `/api/v1/ai/orchestration-rules/${orchestration.id}`, { priority: 9 }],
        ['DELETE', `/api/v1/ai/orchestration-rules/${orchestration.id}`],
        ['GET', `${ag}/evaluations`],
        ['POST', `${ag}/evaluations`, { name: 'x', cases: [{ question: 'q' }] }],
        ['GET', `${ag}/evaluations/${evaluation.id}`],
        ['PUT', `${ag}/evaluations/${evaluation.id}`, { name: 'x' }],
        ['POST', `${ag}/evaluations/${evaluation.id}/run`],
        ['DELETE', `${ag}/evaluations/${evaluation.id}`],
        ['POST', `${ag}/test`, { message: 'halo' }],
        ['POST', `/api/v1/conversations/${conversation.id}/ai/suggest-reply`, {}],
        ['POST', `/api/v1/conversations/${conversation.id}/ai/summary`],
      ];
      for (const [method, path, body] of calls) {
        const res = await b.api.request(method, path, body);
        assert.equal(res.status, 404, `${method} ${path}: ${JSON.stringify(res.body)}`);
      }
      // B's lists do not show A's things.
      assert.equal((await b.api.get('/api/v1/ai/orchestration-rules')).body.data.length, 0);
      assert.ok((await b.api.get('/api/v1/ai-agents')).body.data.every((x: any) => x.id !== agent.id));
      assert.equal((await b.api.get('/api/v1/ai/usage')).body.agents.length, 0);
      // An orchestration rule of B's cannot name A's agent.
      assertProblem(await b.api.post('/api/v1/ai/orchestration-rules', { name: 'x', aiAgentId: agent.id }), 422, ['aiAgentId']);
      // Nothing changed.
      const after = (await a.api.get(ag)).body;
      assert.equal(after.name, 'Rina');
      assert.equal(after.active, true);
      assert.equal((await a.api.get(`${ag}/knowledge-sources/${source.id}`)).status, 200);
      assert.equal((await a.api.get(`${ag}/products`)).body.data.find((p: any) => p.id === product.id).price, product.price);
      assert.equal((await a.api.get(`${ag}/handoff-rules`)).body.data.find((r: any) => r.id === rule.id).active, true);
      assert.equal((await a.api.get('/api/v1/ai/orchestration-rules')).body.data[0].priority, orchestration.priority);
    });
  });

  describe('deleting an agent', () => {
    it('removes it with its knowledge; conversations it served go back to people', async () => {
      const served = (await a.api.get('/api/v1/conversations?limit=200')).body.data.filter((c: any) => c.aiAgentId === other.id);
      assert.ok(served.length > 0);
      assert.equal((await a.api.delete(`/api/v1/ai-agents/${other.id}`)).status, 204);
      assertProblem(await a.api.get(`/api/v1/ai-agents/${other.id}`), 404);
      assertProblem(await a.api.delete(`/api/v1/ai-agents/${other.id}`), 404);
      const c = (await a.api.get(`/api/v1/conversations/${served[0].id}`)).body;
      assert.equal(c.aiAgentId, null);
      const chunks = await server.appliance.db.query('SELECT COUNT(*) AS n FROM ai_chunks WHERE aiAgentId = ?', [other.id]);
      assert.equal(chunks[0].n, 0);
      assert.equal((await a.api.get('/api/v1/ai/orchestration-rules')).body.data.length, 0, 'its orchestration rules went with it');
    });
  });
});
