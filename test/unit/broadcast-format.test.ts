// Pure pieces of templates and campaigns: phone numbers to E.164 (Indonesia first), the components
// of a template send (against Meta's request fixtures), template input validation, and the values a
// campaign fills in per recipient.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { regionForTimezone, toE164 } from '../../server/modules/campaigns/phone.js';
import { renderValues } from '../../server/modules/campaigns/campaign-sender.js';
import {
  componentsFromInput,
  checkValues,
  renderBody,
  sendComponents,
  variablesOf,
} from '../../server/modules/wa-templates/wa-template.format.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/meta/${name}`, import.meta.url), 'utf8'));

describe('phone numbers', () => {
  it('normalizes Indonesian numbers written every usual way to E.164', () => {
    for (const raw of ['081234567890', '0812-3456-7890', '0812 3456 7890', '+62 812 3456 7890', '6281234567890', '(0812) 34567890']) {
      assert.equal(toE164(raw, 'ID'), '+6281234567890', raw);
    }
  });
  it('keeps international numbers, refuses what is not a number', () => {
    assert.equal(toE164('+1 202 555 0142', 'ID'), '+12025550142');
    assert.equal(toE164('+65 8123 4567', 'ID'), '+6581234567');
    assert.equal(toE164('12345', 'ID'), null);
    assert.equal(toE164('', 'ID'), null);
    assert.equal(toE164('budi', 'ID'), null);
    assert.equal(toE164('81234567', 'SG'), '+6581234567', 'a national number in another region');
  });
  it('takes the region from the organization time zone, Indonesia when unknown', () => {
    assert.equal(regionForTimezone('Asia/Jakarta'), 'ID');
    assert.equal(regionForTimezone('Asia/Makassar'), 'ID');
    assert.equal(regionForTimezone('Asia/Singapore'), 'SG');
    assert.equal(regionForTimezone('Antarctica/Troll'), 'ID');
    assert.equal(regionForTimezone(null), 'ID');
  });
});

describe('template components', () => {
  const listed = fixture('graph-templates-list.json').data;
  const statusPesanan = listed[0];

  it('builds the create request Meta documents from the friendly input', () => {
    const { components, errors } = componentsFromInput({
      header: { format: 'TEXT', text: 'Pesanan {{1}}', example: '#1042' },
      body: { text: 'Halo {{1}}, pesanan {{2}} sudah dikirim lewat {{3}}.', examples: ['Budi', '#1042', 'JNE'] },
      footer: 'Toko Batik Contoh',
      buttons: [
        { type: 'QUICK_REPLY', text: 'Lacak pesanan' },
        { type: 'URL', text: 'Lihat detail', url: 'https://toko.example/pesanan/{{1}}', example: 'https://toko.example/pesanan/1042' },
      ],
    });
    assert.deepEqual(errors, []);
    assert.deepEqual(components, fixture('req-wa-template-create.json').components);
  });

  it('reports placeholders out of order and missing examples by field', () => {
    assert.deepEqual(
      componentsFromInput({ body: { text: 'Halo {{2}}', examples: ['a'] } }).errors.map((e) => e.path),
      ['body.text'],
    );
    assert.deepEqual(
      componentsFromInput({ body: { text: 'Halo {{nama}}' } }).errors.map((e) => e.path),
      ['body.examples'],
    );
    assert.deepEqual(
      componentsFromInput({ body: { text: 'x' }, buttons: [{ type: 'URL', text: 'Go', url: 'https://x.example/{{2}}' }] }).errors.map(
        (e) => e.path,
      ),
      ['buttons.0.url', 'buttons.0.example'],
    );
  });

  it('lists the values a send needs and builds the send components of the positional fixture', () => {
    assert.deepEqual(
      variablesOf(statusPesanan.components).map((v) => v.key),
      ['header.1', 'body.1', 'body.2', 'body.3', 'button.1'],
    );
    const values = { 'header.1': '#1042', 'body.1': 'Budi', 'body.2': '#1042', 'body.3': 'JNE', 'button.1': '1042' };
    const expected = fixture('req-wa-template.json').template.components.filter((c: any) => c.sub_type !== 'quick_reply');
    assert.deepEqual(sendComponents(statusPesanan.components, 'POSITIONAL', values, null), expected);
    assert.equal(renderBody(statusPesanan.components, values), 'Halo Budi, pesanan #1042 sudah dikirim lewat JNE.');
  });

  it('builds named parameters as in the named fixture', () => {
    const named = listed[1];
    assert.deepEqual(
      sendComponents(named.components, 'NAMED', { 'body.nama': 'Budi' }, null),
      fixture('req-wa-template-named.json').template.components,
    );
  });

  it('sends a media header by link', () => {
    const components = [
      { type: 'HEADER', format: 'IMAGE' },
      { type: 'BODY', text: 'Katalog' },
    ];
    assert.deepEqual(sendComponents(components, 'POSITIONAL', {}, 'https://cdn.example/k.jpg'), [
      { type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.example/k.jpg' } }] },
    ]);
  });

  it('checks values: missing, empty and unknown keys are named', () => {
    const errors = checkValues(statusPesanan.components, {
      'header.1': 'x',
      'body.1': ' ',
      'body.2': 'y',
      'body.3': 'z',
      'body.4': 'extra',
    });
    assert.deepEqual(errors.map((e) => e.path).sort(), ['variables.body.1', 'variables.body.4', 'variables.button.1']);
  });
});

describe('campaign values per recipient', () => {
  it('fills recipient fields, with fallbacks, and names the empty ones', () => {
    const { values, empty } = renderValues(
      { 'body.1': '{{name | Kak}}', 'body.2': 'Kota {{kota}}', 'body.3': '{{contact.first_name}}', 'body.4': '{{missing}}' },
      { name: '', kota: 'Bandung', first_name: 'Siti' },
    );
    assert.deepEqual(values, { 'body.1': 'Kak', 'body.2': 'Kota Bandung', 'body.3': 'Siti', 'body.4': '' });
    assert.deepEqual(empty, ['body.4']);
  });
});
