// Quick replies through the API: personal and shared scopes, variables, attachments, favorites and
// usage ordering, CSV import (bad rows reported by line) and export, and cross-tenant isolation.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseCsv } from 'csv-parse/sync';
import { startServer, type TestServer } from '../support/server.js';
import { Api, assertProblem, createAgent, registerTenant, type Tenant } from '../support/http.js';
import { connectWhatsApp, eventually, postWebhook, waPayload, wamid, type WaAccount } from '../support/whatsapp.js';

describe('Quick Replies API', () => {
  let server: TestServer;
  let a: Tenant;
  let b: Tenant;
  let waA: WaAccount;
  let agent: { api: Api; agent: any };
  let n = 0;

  before(async () => {
    server = await startServer();
    const api = new Api(server.url);
    a = await registerTenant(api, 'Batik Sari');
    b = await registerTenant(api, 'Kopi Kita');
    waA = await connectWhatsApp(a.api, '510000000000001');
    agent = await createAgent(a.api, 'agent');
  });
  after(() => server.stop());

  async function conversation(profileName = 'Siti Rahma') {
    const from = `62814${String(++n).padStart(8, '0')}`;
    await postWebhook(
      server.url,
      waPayload('wa-text.json', waA.phoneNumberId, { from, profileName, message: { id: wamid('QR') } }),
      waA.appSecret,
    );
    return eventually(
      async () => (await a.api.get('/api/v1/conversations?limit=200')).body.data.find((c: any) => c.contact.phone === `+${from}`),
      5000,
      'conversation',
    );
  }

  async function upload(
    api: Api,
    path: string,
    name: string,
    content: string | Buffer,
    type = 'text/csv',
    fields: Record<string, string> = {},
  ) {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    form.set('file', new Blob([typeof content === 'string' ? content : new Uint8Array(content)], { type }), name);
    const res = await fetch(api.baseUrl + path, { method: 'POST', headers: { authorization: `Bearer ${api.options.token}` }, body: form });
    const text = await res.text();
    assert.notEqual(res.status, 500, text);
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  }

  async function exportCsv(api: Api, query = '') {
    const res = await fetch(`${api.baseUrl}/api/v1/quick-replies/export${query}`, {
      headers: { authorization: `Bearer ${api.options.token}` },
    });
    assert.equal(res.status, 200);
    return { res, text: await res.text() };
  }

  it('personal replies belong to one agent; shared ones need quick_replies.manage', async () => {
    const shared = await a.api.post('/api/v1/quick-replies', {
      shortcut: '/Thanks',
      title: 'Terima kasih',
      body: 'Terima kasih {{contact.name | Kak}}!',
      scope: 'shared',
    });
    assert.equal(shared.status, 201, JSON.stringify(shared.body));
    assert.equal(shared.body.shortcut, 'thanks');
    assert.equal(shared.body.scope, 'shared');
    assert.equal(shared.body.ownerId, null);
    assert.deepEqual(shared.body.variables, ['contact.name']);

    const mine = await agent.api.post('/api/v1/quick-replies', { shortcut: 'salam', body: 'Selamat pagi, {{contact.first_name}}' });
    assert.equal(mine.status, 201);
    assert.equal(mine.body.scope, 'personal');
    assert.equal(mine.body.ownerId, agent.agent.id);
    // The same shortcut may exist once among shared replies and once among each agent's own.
    assert.equal((await agent.api.post('/api/v1/quick-replies', { shortcut: 'thanks', body: 'Makasih ya' })).status, 201);
    assertProblem(await a.api.post('/api/v1/quick-replies', { shortcut: 'THANKS', body: 'dup', scope: 'shared' }), 409, ['shortcut']);
    assertProblem(await agent.api.post('/api/v1/quick-replies', { shortcut: 'promo', body: 'x', scope: 'shared' }), 403);

    const agentList = (await agent.api.get('/api/v1/quick-replies')).body.data.map((r: any) => `${r.scope}:${r.shortcut}`).sort();
    assert.deepEqual(agentList, ['personal:salam', 'personal:thanks', 'shared:thanks']);
    const ownerList = (await a.api.get('/api/v1/quick-replies')).body.data.map((r: any) => r.shortcut);
    assert.ok(!ownerList.includes('salam'), "another agent's personal reply is not listed");

    // Another agent's personal reply does not exist for the owner; a shared one cannot be changed by an agent.
    assertProblem(await a.api.patch(`/api/v1/quick-replies/${mine.body.id}`, { body: 'x' }), 404);
    assertProblem(await a.api.delete(`/api/v1/quick-replies/${mine.body.id}`), 404);
    assertProblem(await a.api.post(`/api/v1/quick-replies/${mine.body.id}/favorite`), 404);
    assertProblem(await agent.api.patch(`/api/v1/quick-replies/${shared.body.id}`, { body: 'x' }), 403);
    assertProblem(await agent.api.delete(`/api/v1/quick-replies/${shared.body.id}`), 403);
    assertProblem(await agent.api.patch(`/api/v1/quick-replies/${mine.body.id}`, { scope: 'shared' }), 403);

    const edited = await agent.api.patch(`/api/v1/quick-replies/${mine.body.id}`, { title: 'Salam pagi', shortcut: 'pagi' });
    assert.equal(edited.status, 200);
    assert.equal(edited.body.shortcut, 'pagi');
    assert.equal(edited.body.title, 'Salam pagi');
    assert.equal((await agent.api.delete(`/api/v1/quick-replies/${mine.body.id}`)).status, 204);
    assertProblem(await agent.api.delete(`/api/v1/quick-replies/${mine.body.id}`), 404);
  });

  it('refuses bad input naming the field', async () => {
    assertProblem(await a.api.post('/api/v1/quick-replies', {}), 400, ['shortcut', 'body']);
    assertProblem(await a.api.post('/api/v1/quick-replies', { shortcut: 'a b', body: 'x' }), 400, ['shortcut']);
    assertProblem(await a.api.post('/api/v1/quick-replies', { shortcut: 'ok', body: '   ' }), 400, ['body']);
    assertProblem(await a.api.post('/api/v1/quick-replies', { shortcut: 'ok', body: 'x', scope: 'team' }), 400, ['scope']);
    const unknown = await a.api.post('/api/v1/quick-replies', { shortcut: 'ok', body: 'Halo {{contact.nama}}' });
    assertProblem(unknown, 400, ['body']);
    assert.match(unknown.body.detail, /contact\.nama/);
    assertProblem(
      await a.api.post('/api/v1/quick-replies', { shortcut: 'ok', body: 'x', mediaId: '0190a0a0-0000-7000-8000-000000000000' }),
      422,
      ['mediaId'],
    );
    assertProblem(await a.api.get('/api/v1/quick-replies?cursor=nope'), 400, ['query.cursor']);
    assertProblem(await a.api.get('/api/v1/quick-replies?limit=0'), 400, ['query.limit']);
    assertProblem(await new Api(server.url).get('/api/v1/quick-replies'), 401);
  });

  it('fills variables from the contact, the agent and the organization', async () => {
    const conv = await conversation('Siti Rahma');
    const reply = await a.api.post('/api/v1/quick-replies', {
      shortcut: 'kenalan',
      scope: 'shared',
      body: 'Halo {{contact.name}} ({{contact.first_name}}, {{contact.phone}}), saya {{agent.name}} dari {{tenant.name}}. Email: {{contact.email | belum ada}}',
    });
    assert.equal(reply.status, 201);
    const list = await agent.api.get(`/api/v1/quick-replies?conversationId=${conv.id}&search=kenalan`);
    assert.equal(list.status, 200);
    assert.equal(list.body.data.length, 1);
    const expected = `Halo Siti Rahma (Siti, ${conv.contact.phone}), saya An agent dari Batik Sari. Email: belum ada`;
    assert.equal(list.body.data[0].rendered, expected);
    assert.equal((await agent.api.get('/api/v1/quick-replies?search=kenalan')).body.data[0].rendered, null);

    const used = await agent.api.post(`/api/v1/quick-replies/${reply.body.id}/usage`, { conversationId: conv.id });
    assert.equal(used.status, 200);
    assert.equal(used.body.rendered, expected);
    assert.equal(used.body.usageCount, 1);
    assert.ok(used.body.lastUsedAt);
    assertProblem(await agent.api.get('/api/v1/quick-replies?conversationId=0190a0a0-0000-7000-8000-000000000000'), 404);
  });

  it('carries an attachment', async () => {
    const media = await upload(a.api, '/api/v1/media', 'katalog.pdf', '%PDF-1.4\n%fake catalogue\n', 'application/pdf');
    assert.equal(media.status, 201, JSON.stringify(media.body));
    const reply = await a.api.post('/api/v1/quick-replies', {
      shortcut: 'katalog',
      body: 'Ini katalog kami',
      scope: 'shared',
      mediaId: media.body.id,
    });
    assert.equal(reply.status, 201);
    assert.equal(reply.body.media.id, media.body.id);
    assert.equal(reply.body.media.mimeType, 'application/pdf');
    assert.equal(reply.body.media.url, `/api/v1/media/${media.body.id}`);
    const cleared = await a.api.patch(`/api/v1/quick-replies/${reply.body.id}`, { mediaId: null });
    assert.equal(cleared.body.media, null);
  });

  it('favorites (per agent), then usage counts, then shortcuts order the picker', async () => {
    const make = async (shortcut: string) =>
      (await a.api.post('/api/v1/quick-replies', { shortcut, body: `Jawaban ${shortcut}`, scope: 'shared' })).body;
    const [x, y, z] = [await make('zz-order-a'), await make('zz-order-b'), await make('zz-order-c')];
    for (let i = 0; i < 2; i++) await a.api.post(`/api/v1/quick-replies/${z.id}/usage`);
    await a.api.post(`/api/v1/quick-replies/${y.id}/usage`, {});
    const order = async (api: Api) => (await api.get('/api/v1/quick-replies?search=zz-order')).body.data.map((r: any) => r.shortcut);
    assert.deepEqual(await order(agent.api), ['zz-order-c', 'zz-order-b', 'zz-order-a']);

    const fav = await agent.api.post(`/api/v1/quick-replies/${x.id}/favorite`);
    assert.equal(fav.status, 200);
    assert.equal(fav.body.favorite, true);
    assert.equal((await agent.api.post(`/api/v1/quick-replies/${x.id}/favorite`)).status, 200, 'twice is harmless');
    assert.deepEqual(await order(agent.api), ['zz-order-a', 'zz-order-c', 'zz-order-b']);
    assert.deepEqual(await order(a.api), ['zz-order-c', 'zz-order-b', 'zz-order-a'], "favorites are the agent's own");
    assert.deepEqual(
      (await agent.api.get('/api/v1/quick-replies?favorite=true')).body.data.map((r: any) => r.id),
      [x.id],
    );

    const page1 = await agent.api.get('/api/v1/quick-replies?search=zz-order&limit=2');
    assert.equal(page1.body.data.length, 2);
    assert.ok(page1.body.nextCursor);
    const page2 = await agent.api.get(`/api/v1/quick-replies?search=zz-order&limit=2&cursor=${page1.body.nextCursor}`);
    assert.deepEqual(
      page2.body.data.map((r: any) => r.shortcut),
      ['zz-order-b'],
    );
    assert.equal(page2.body.nextCursor, null);

    assert.equal((await agent.api.delete(`/api/v1/quick-replies/${x.id}/favorite`)).status, 204);
    assert.equal((await agent.api.delete(`/api/v1/quick-replies/${x.id}/favorite`)).status, 204);
    assert.deepEqual(await order(agent.api), ['zz-order-c', 'zz-order-b', 'zz-order-a']);
  });

  it('imports CSV keeping the good rows and reporting each bad one by its line', async () => {
    const csv = [
      'shortcut,title,body,scope', // 1
      'ongkir,Ongkos kirim,"Ongkir ke {{contact.name}} gratis",shared', // 2
      'kosong,Tanpa isi,,shared', // 3  body empty
      'alamat,Alamat,"Jl. Malioboro 1', // 4  multi-line body…
      'Yogyakarta",shared', // 5
      'rusak,Salah,"Halo {{kontak.nama}}",shared', // 6  unknown variable
      'ongkir,Dobel,"lagi",shared', // 7  duplicate in the file
      'koma,Koma,tanpa,kutip,shared', // 8  too many fields
      ',Tanpa shortcut,isi,shared', // 9  no shortcut
      'jenis,Jenis,isi,team', // 10 bad scope
      '', // 11 blank line: skipped
      'pribadi,,Catatan saya,', // 12 scope defaults to personal
    ].join('\r\n');
    const res = await upload(a.api, '/api/v1/quick-replies/import', 'replies.csv', csv);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.imported, 3);
    assert.equal(res.body.created, 3);
    assert.deepEqual(
      res.body.errors.map((e: any) => e.line),
      [3, 6, 7, 8, 9, 10],
    );
    assert.match(res.body.errors[0].message, /body is empty/);
    assert.match(res.body.errors[1].message, /kontak\.nama/);
    assert.match(res.body.errors[2].message, /already on line 2/);
    assert.match(res.body.errors[3].message, /more fields/);

    const list = (await a.api.get('/api/v1/quick-replies?limit=200')).body.data;
    const alamat = list.find((r: any) => r.shortcut === 'alamat');
    assert.equal(alamat.body, 'Jl. Malioboro 1\nYogyakarta');
    assert.equal(list.find((r: any) => r.shortcut === 'pribadi').scope, 'personal');
    assert.equal(list.find((r: any) => r.shortcut === 'ongkir').scope, 'shared');

    // Importing again updates in place; an agent cannot import shared rows; a row's scope defaults to the form's.
    const again = await upload(
      a.api,
      '/api/v1/quick-replies/import',
      'replies.csv',
      'shortcut,body\nongkir,Ongkir gratis se-Jawa\n',
      'text/csv',
      { scope: 'shared' },
    );
    assert.deepEqual([again.body.created, again.body.updated, again.body.errors], [0, 1, []]);
    assert.equal(
      (await a.api.get('/api/v1/quick-replies?search=ongkir')).body.data.find((r: any) => r.shortcut === 'ongkir').body,
      'Ongkir gratis se-Jawa',
    );
    const byAgent = await upload(
      agent.api,
      '/api/v1/quick-replies/import',
      'r.csv',
      'shortcut,body,scope\ntim,Isi,shared\nsaya,Isi,personal\n',
    );
    assert.equal(byAgent.body.imported, 1);
    assert.deepEqual(byAgent.body.errors, [{ line: 2, message: 'Shared quick replies need the "quick_replies.manage" permission' }]);

    const noHeader = await upload(a.api, '/api/v1/quick-replies/import', 'r.csv', 'halo,apa kabar\n');
    assertProblem(noHeader as any, 422, ['file']);
    const unclosed = await upload(
      a.api,
      '/api/v1/quick-replies/import',
      'r.csv',
      'shortcut,body\nbaik,"oke"\nburuk,"tidak ditutup\nlain,isi\n',
    );
    assert.equal(unclosed.body.imported, 1);
    assert.deepEqual(
      unclosed.body.errors.map((e: any) => e.line),
      [3],
    );
    const json = await a.api.post('/api/v1/quick-replies/import', { csv: 'shortcut,body' });
    assertProblem(json, 415, ['file']);
  });

  it('exports CSV that imports back unchanged, formulas defused', async () => {
    await a.api.post('/api/v1/quick-replies', { shortcut: 'rumus', body: '=HYPERLINK("http://evil.example")', scope: 'shared' });
    const { res, text } = await exportCsv(a.api, '?scope=shared');
    assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="quick-replies.csv"/);
    const rows = parseCsv(text, { bom: true, columns: true }) as Record<string, string>[];
    assert.deepEqual(Object.keys(rows[0]), ['shortcut', 'title', 'scope', 'body', 'mediaId']);
    assert.ok(rows.every((r) => r.scope === 'shared'));
    assert.equal(rows.find((r) => r.shortcut === 'rumus')!.body, `'=HYPERLINK("http://evil.example")`);
    const alamat = rows.find((r) => r.shortcut === 'alamat')!;
    assert.equal(alamat.body, 'Jl. Malioboro 1\nYogyakarta');

    const back = await upload(a.api, '/api/v1/quick-replies/import', 'export.csv', text);
    assert.deepEqual([back.body.created, back.body.updated, back.body.errors], [0, rows.length, []]);
    const rumus = (await a.api.get('/api/v1/quick-replies?search=rumus')).body.data[0];
    assert.equal(rumus.body, '=HYPERLINK("http://evil.example")');

    // Each agent exports the shared replies and their own, nobody else's.
    const agentRows = parseCsv((await exportCsv(agent.api)).text, { bom: true, columns: true }) as Record<string, string>[];
    assert.ok(agentRows.some((r) => r.shortcut === 'saya' && r.scope === 'personal'));
    assert.ok(!agentRows.some((r) => r.shortcut === 'pribadi'), "the owner's personal reply is not in the agent's export");
  });

  it('another tenant gets 404 for every quick reply id and sees none of them', async () => {
    const reply = await a.api.post('/api/v1/quick-replies', { shortcut: 'rahasia', body: 'Rahasia dagang', scope: 'shared' });
    const id = reply.body.id;
    const conv = await conversation('Budi');
    for (const res of [
      await b.api.patch(`/api/v1/quick-replies/${id}`, { body: 'x' }),
      await b.api.delete(`/api/v1/quick-replies/${id}`),
      await b.api.post(`/api/v1/quick-replies/${id}/usage`),
      await b.api.post(`/api/v1/quick-replies/${id}/favorite`),
      await b.api.delete(`/api/v1/quick-replies/${id}/favorite`),
      await b.api.get(`/api/v1/quick-replies?conversationId=${conv.id}`),
      await b.api.post(`/api/v1/quick-replies/${id}/usage`, { conversationId: conv.id }),
    ])
      assertProblem(res, 404);
    assert.equal((await b.api.get('/api/v1/quick-replies?limit=200')).body.data.length, 0);
    assert.equal(parseCsv((await exportCsv(b.api)).text, { bom: true, columns: true }).length, 0);
    // B's own usage of A's conversation through B's reply is refused too.
    const own = await b.api.post('/api/v1/quick-replies', { shortcut: 'rahasia', body: 'Punya B', scope: 'shared' });
    assert.equal(own.status, 201, 'shortcuts are per tenant');
    assertProblem(await b.api.post(`/api/v1/quick-replies/${own.body.id}/usage`, { conversationId: conv.id }), 404);
    const still = (await a.api.get('/api/v1/quick-replies?search=rahasia')).body.data[0];
    assert.equal(still.body, 'Rahasia dagang');
    assert.equal(still.usageCount, 0);
  });
});
