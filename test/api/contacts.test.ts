// Contacts: create and edit with phones normalized to E.164 in the organization's region, tags and
// custom attributes, CSV import (preview, per-row errors, updates by phone/email) and export,
// duplicates to merge, and isolation between organizations.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseCsv } from 'csv-parse/sync';
import { startServer, type TestServer } from '../support/server.js';
import { Api, assertProblem, createAgent, registerTenant, type Tenant } from '../support/http.js';
import { downloadText, uploadFile } from '../support/upload.js';
import { connectWhatsApp, eventually, postWebhook, waPayload, wamid } from '../support/whatsapp.js';

describe('Contacts', () => {
  let server: TestServer;
  let a: Tenant;
  let b: Tenant;
  before(async () => {
    server = await startServer();
    a = await registerTenant(new Api(server.url), 'Toko Kontak A');
    b = await registerTenant(new Api(server.url), 'Toko Kontak B');
  });
  after(() => server.stop());

  it('creates a contact with its phone in E.164 (Indonesian numbers by default), tags and attributes', async () => {
    const created = await a.api.post('/api/v1/contacts', {
      name: 'Budi Santoso',
      phone: '0812-3456-7890',
      email: 'Budi@Example.test',
      tags: ['VIP', 'reseller', 'vip', ' Pelanggan Setia '],
      attributes: { kota: 'Bandung' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.phone, '+6281234567890');
    assert.equal(created.body.email, 'budi@example.test');
    assert.deepEqual(created.body.tags, ['vip', 'reseller', 'pelanggan-setia']);
    assert.deepEqual(created.body.attributes, { kota: 'Bandung' });
    for (const [input, expected] of [
      ['+62 812 3456 7891', '+6281234567891'],
      ['6281234567892', '+6281234567892'],
      ['(021) 555-1234', '+62215551234'],
    ]) {
      const res = await a.api.post('/api/v1/contacts', { phone: input });
      assert.equal(res.status, 201, `${input}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.phone, expected);
    }
    const fetched = await a.api.get(`/api/v1/contacts/${created.body.id}`);
    assert.equal(fetched.body.phone, '+6281234567890');
    assert.ok((await a.api.get('/api/v1/activity-logs?action=contact.created')).body.data.length >= 4);
  });

  it('refuses bad input and duplicates, naming the field', async () => {
    assertProblem(await a.api.post('/api/v1/contacts', {}), 400, ['name']);
    assertProblem(await a.api.post('/api/v1/contacts', { phone: 'call me' }), 400, ['phone']);
    assertProblem(await a.api.post('/api/v1/contacts', { phone: '0812' }), 400, ['phone']);
    assertProblem(await a.api.post('/api/v1/contacts', { email: 'not-an-email' }), 400, ['email']);
    assertProblem(await a.api.post('/api/v1/contacts', { name: 'x', tags: [''] }), 400, ['tags.0']);
    assertProblem(await a.api.post('/api/v1/contacts', { name: 'x', extra: 1 }), 400);
    await a.api.post('/api/v1/contacts', { name: 'Dup', phone: '081299990000' });
    assertProblem(await a.api.post('/api/v1/contacts', { name: 'Dup 2', phone: '+62 812 9999 0000' }), 409, ['phone']);
    const { api: agent } = await createAgent(a.api, 'agent');
    const me = await agent.post('/api/v1/contacts', { name: 'By an agent' });
    assert.equal(me.status, 201, 'agents have contacts.manage');
  });

  it('edits phone, tags and attributes; filters the list by tag', async () => {
    const c = (await a.api.post('/api/v1/contacts', { name: 'Rina' })).body;
    const updated = await a.api.patch(`/api/v1/contacts/${c.id}`, {
      phone: '0813 1111 2222',
      tags: ['Grosir'],
      attributes: { toko: 'Rina Jaya' },
    });
    assert.equal(updated.status, 200, JSON.stringify(updated.body));
    assert.equal(updated.body.phone, '+6281311112222');
    assert.deepEqual(updated.body.tags, ['grosir']);
    assertProblem(await a.api.patch(`/api/v1/contacts/${c.id}`, { phone: '12' }), 400, ['phone']);
    const tagged = await a.api.get('/api/v1/contacts?tag=grosir');
    assert.deepEqual(
      tagged.body.data.map((x: any) => x.id),
      [c.id],
    );
    assert.equal((await a.api.get('/api/v1/contacts?search=0813')).body.data[0]?.id, c.id, 'a local number finds the E.164 one');
  });

  it('imports a CSV: the preview saves nothing and reports each row; the import creates, updates and skips bad rows', async () => {
    await a.api.post('/api/v1/contacts', { name: 'Existing', phone: '081377778888', tags: ['lama'], attributes: { kota: 'Solo' } });
    const csv = [
      'name,phone,email,tags,kota',
      'Andi,0811 2222 3333,andi@example.test,vip;baru,Jakarta',
      'Existing Updated,+62 813 7777 8888,,promo,',
      'Bad Phone,12345,,,',
      'Bad Email,,not-an-email,,',
      ',,,,',
      'Andi again,081122223333,,,',
      '=cmd,0819 0000 1111,,,Depok',
    ].join('\r\n');
    const preview = await uploadFile(a.api, '/api/v1/contacts/import', 'kontak.csv', csv, { dryRun: 'true' });
    assert.equal(preview.status, 200, JSON.stringify(preview.body));
    assert.equal(preview.body.dryRun, true);
    assert.equal(preview.body.total, 7);
    assert.deepEqual(
      preview.body.rows.map((r: any) => [r.line, r.action]),
      [
        [2, 'create'],
        [3, 'update'],
        [4, 'error'],
        [5, 'error'],
        [6, 'error'],
        [7, 'error'],
        [8, 'create'],
      ],
    );
    assert.equal(preview.body.rows[0].phone, '+6281122223333');
    assert.deepEqual(preview.body.rows[0].tags, ['vip', 'baru']);
    assert.deepEqual(preview.body.rows[0].attributes, { kota: 'Jakarta' });
    assert.equal(preview.body.rows[2].errors[0].field, 'phone');
    assert.equal(preview.body.rows[3].errors[0].field, 'email');
    assert.match(preview.body.rows[5].errors[0].message, /line 2/);
    assert.equal((await a.api.get('/api/v1/contacts?search=Andi')).body.data.length, 0, 'the preview saved nothing');

    const done = await uploadFile(a.api, '/api/v1/contacts/import', 'kontak.csv', csv);
    assert.equal(done.status, 200);
    assert.equal(done.body.created, 2);
    assert.equal(done.body.updated, 1);
    assert.equal(done.body.failed, 4);
    const andi = (await a.api.get('/api/v1/contacts?search=Andi')).body.data;
    assert.equal(andi.length, 1);
    assert.equal(andi[0].email, 'andi@example.test');
    const existing = (await a.api.get('/api/v1/contacts?search=Existing')).body.data[0];
    assert.equal(existing.name, 'Existing Updated');
    assert.deepEqual(existing.tags, ['lama', 'promo']);
    assert.deepEqual(existing.attributes, { kota: 'Solo' });
    assert.ok((await a.api.get('/api/v1/activity-logs?action=contact.imported')).body.data.length === 1);

    assertProblem(await uploadFile(a.api, '/api/v1/contacts/import', 'x.csv', 'foo,bar\n1,2\n'), 422, ['file']);
    assertProblem(await uploadFile(a.api, '/api/v1/contacts/import', 'x.csv', 'name,phone\n"open,1\n'), 422, ['file']);
    assertProblem(await uploadFile(a.api, '/api/v1/contacts/import', 'x.csv', ''), 422, ['file']);
  });

  it('exports CSV with tags and attribute columns, formulas defused; the export imports back', async () => {
    const res = await downloadText(a.api, '/api/v1/contacts/export');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/csv/);
    assert.match(res.headers.get('content-disposition') ?? '', /contacts\.csv/);
    const rows: string[][] = parseCsv(res.text, { bom: true });
    assert.deepEqual(rows[0].slice(0, 4), ['name', 'phone', 'email', 'tags']);
    assert.ok(rows[0].includes('kota'));
    const budi = rows.find((r) => r[0] === 'Budi Santoso')!;
    assert.equal(budi[1], '+6281234567890');
    assert.equal(budi[3], 'vip; reseller; pelanggan-setia');
    assert.equal(budi[rows[0].indexOf('kota')], 'Bandung');
    assert.ok(
      rows.some((r) => r[0] === "'=cmd"),
      'a formula is written with an apostrophe',
    );
    const tagged = parseCsv((await downloadText(a.api, '/api/v1/contacts/export?tag=vip')).text, { bom: true });
    assert.equal(tagged.length, 3, 'header, Budi and Andi');
    // Importing the export changes nothing but updates every row in place.
    const again = await uploadFile(a.api, '/api/v1/contacts/import', 'contacts.csv', res.text, { dryRun: 'true' });
    assert.equal(again.body.created, rows.slice(1).filter((r) => !r[1] && !r[2]).length);
    assert.equal(again.body.failed, 0, JSON.stringify(again.body.rows.filter((r: any) => r.errors.length)));
  });

  it('lists a saved contact and the WhatsApp contact with the same number as duplicates; merging combines them', async () => {
    const saved = (
      await a.api.post('/api/v1/contacts', { name: 'Sari', phone: '0815 4444 5555', tags: ['satu'], attributes: { kota: 'Medan' } })
    ).body;
    const wa = await connectWhatsApp(a.api, '600000000000142');
    await postWebhook(
      server.url,
      waPayload('wa-text.json', wa.phoneNumberId, { from: '6281544445555', profileName: 'Sari WA', message: { id: wamid('DUP') } }),
      wa.appSecret,
    );
    const group = await eventually(
      async () => (await a.api.get('/api/v1/contacts/duplicates')).body.data.find((g: any) => g.value === '+6281544445555'),
      5000,
      'a duplicate group',
    );
    assert.equal(group.reason, 'phone');
    assert.equal(group.contacts.length, 2);
    const other = group.contacts.find((c: any) => c.id !== saved.id);
    await a.api.patch(`/api/v1/contacts/${other.id}`, { tags: ['dua'] });
    const merged = await a.api.post(`/api/v1/contacts/${saved.id}/merge`, { contactId: other.id });
    assert.equal(merged.status, 200);
    assert.deepEqual(merged.body.tags, ['satu', 'dua']);
    assert.equal(merged.body.identities[0].channel, 'whatsapp');
    assert.ok(!(await a.api.get('/api/v1/contacts/duplicates')).body.data.some((g: any) => g.value === '+6281544445555'));
  });

  it("another organization's contacts answer 404 and change nothing", async () => {
    const c = (await a.api.post('/api/v1/contacts', { name: 'Rahasia', phone: '081266667777', tags: ['rahasia'] })).body;
    assertProblem(await b.api.get(`/api/v1/contacts/${c.id}`), 404);
    assertProblem(await b.api.patch(`/api/v1/contacts/${c.id}`, { name: 'x', tags: ['y'] }), 404);
    const other = (await b.api.post('/api/v1/contacts', { name: 'Milik B', phone: '081266667777' })).body;
    assert.ok(other.id, 'the same phone is fine in another organization');
    assertProblem(await b.api.post(`/api/v1/contacts/${other.id}/merge`, { contactId: c.id }), 404);
    assert.equal((await b.api.get('/api/v1/contacts?tag=rahasia')).body.data.length, 0);
    const exported = await downloadText(b.api, '/api/v1/contacts/export');
    assert.ok(!exported.text.includes('Rahasia'));
    assert.ok(!(await b.api.get('/api/v1/contacts/duplicates')).body.data.some((g: any) => g.contacts.some((x: any) => x.id === c.id)));
    // B's import matching A's phone creates B's own contact, never touches A's.
    const imported = await uploadFile(b.api, '/api/v1/contacts/import', 'b.csv', 'name,phone\nB copy,+6281266667777\n');
    assert.equal(imported.body.updated, 1, "B's own contact with that phone");
    assert.equal((await a.api.get(`/api/v1/contacts/${c.id}`)).body.name, 'Rahasia');
    const { api: noManage } = await createAgent(b.api, 'agent');
    assert.equal((await noManage.get('/api/v1/contacts/export')).status, 200);
  });
});
