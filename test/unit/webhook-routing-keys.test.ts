// Acknowledging a webhook finds its accounts from the adapter's routingKeys, without parsing the
// messages; the job later uses parseWebhook. Every batch parseWebhook makes must belong to a key
// routingKeys gave, or an acknowledged webhook could be dropped as "for an unknown account".
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { createAdapters, getAdapter } from '../../server/channels/index.js';
import type { Channel } from '../../server/channels/types.js';
import { fixture } from '../support/whatsapp.js';
import { testOutbound } from '../support/outbound.js';

const adapters = createAdapters({ META_GRAPH_URL: 'http://127.0.0.1:9', META_GRAPH_VERSION: 'v21.0' } as never, testOutbound);
const META: Channel[] = ['whatsapp', 'messenger', 'instagram'];
const webhookFixtures = readdirSync(new URL('../fixtures/meta/', import.meta.url)).filter((f) =>
  /^(wa|messenger|instagram)-.*\.json$/.test(f),
);

describe('webhook routing keys', () => {
  for (const name of webhookFixtures) {
    it(`${name}: routingKeys covers every batch parseWebhook makes, for each Meta adapter`, () => {
      const body = fixture(name);
      let batches = 0;
      for (const channel of META) {
        const adapter = getAdapter(adapters, channel);
        const keys = adapter.routingKeys(body);
        for (const batch of adapter.parseWebhook(body)) {
          batches++;
          assert.ok(keys.includes(batch.accountKey), `${channel}: ${batch.accountKey} missing from ${JSON.stringify(keys)}`);
        }
      }
      assert.ok(batches > 0, 'the fixture parses into at least one batch');
    });
  }

  it("reads only the body's own product, and tolerates junk", () => {
    const wa = fixture('wa-text.json');
    assert.deepEqual(getAdapter(adapters, 'whatsapp').routingKeys(wa), [wa.entry[0].changes[0].value.metadata.phone_number_id]);
    assert.deepEqual(getAdapter(adapters, 'messenger').routingKeys(wa), []);
    assert.deepEqual(getAdapter(adapters, 'instagram').routingKeys(fixture('messenger-text.json')), []);
    for (const junk of [
      null,
      'x',
      42,
      [],
      { object: 'page', entry: 'nope' },
      { object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages', value: {} }] }] },
    ]) {
      for (const channel of META) assert.deepEqual(getAdapter(adapters, channel).routingKeys(junk), []);
    }
  });

  it('names the WABA for template status events, and each key once', () => {
    const body = fixture('wa-template-status-update.json');
    assert.deepEqual(getAdapter(adapters, 'whatsapp').routingKeys(body), [String(body.entry[0].id)]);
    const twice = fixture('wa-text.json');
    twice.entry.push(structuredClone(twice.entry[0]));
    assert.equal(getAdapter(adapters, 'whatsapp').routingKeys(twice).length, 1);
  });
});
