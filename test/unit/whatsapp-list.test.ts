// WhatsApp interactive list messages (used by CSAT surveys: rows 1–5), built as the Cloud API documents them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildWhatsAppSendBody } from '../../server/channels/whatsapp/whatsapp.send.js';
import { ChannelSendError, type OutboundMessage } from '../../server/channels/types.js';

const CUSTOMER = '6281200000001';
const rows = [5, 4, 3, 2, 1].map((n) => ({ id: `csat:tok:${n}`, title: `${'⭐'.repeat(n)} ${n}`, description: `Nilai ${n}` }));
const list = (
  over: Partial<NonNullable<OutboundMessage['content']['list']>> = {},
  text: string | null = 'Bagaimana layanan kami?',
): OutboundMessage => ({
  to: CUSTOMER,
  type: 'interactive',
  text,
  content: { list: { button: 'Beri nilai', sections: [{ rows }], ...over } },
});

function refused(message: OutboundMessage): ChannelSendError {
  try {
    buildWhatsAppSendBody(message);
  } catch (err) {
    assert.ok(err instanceof ChannelSendError);
    assert.equal(err.retryable, false);
    return err;
  }
  assert.fail('expected the message to be refused');
}

describe('WhatsApp interactive lists', () => {
  it('builds a list message with a button, sections and rows', () => {
    assert.deepEqual(buildWhatsAppSendBody(list()), {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: CUSTOMER,
      type: 'interactive',
      interactive: { type: 'list', body: { text: 'Bagaimana layanan kami?' }, action: { button: 'Beri nilai', sections: [{ rows }] } },
    });
    const titled = buildWhatsAppSendBody(
      list({
        sections: [
          { title: 'Puas', rows: rows.slice(0, 2) },
          { title: 'Kurang', rows: [{ id: 'x', title: 'X' }] },
        ],
      }),
    );
    assert.deepEqual((titled.interactive as any).action.sections[1], { title: 'Kurang', rows: [{ id: 'x', title: 'X' }] });
  });

  it('keeps reply buttons when there is no list', () => {
    const body = buildWhatsAppSendBody({
      to: CUSTOMER,
      type: 'interactive',
      text: 'Pilih',
      content: { buttons: [{ id: 'a', title: 'A' }] },
    });
    assert.equal((body.interactive as any).type, 'button');
  });

  it("refuses lists outside WhatsApp's limits before calling Meta", () => {
    assert.match(refused(list({}, '')).reason, /body text/);
    assert.match(refused(list({ button: '' })).reason, /button label/);
    assert.match(refused(list({ button: 'A label that is far too long' })).reason, /limit of 20/);
    assert.match(refused(list({ sections: [] })).reason, /1 to 10 sections/);
    const eleven = Array.from({ length: 11 }, (_, i) => ({ id: `r${i}`, title: `Row ${i}` }));
    assert.match(refused(list({ sections: [{ rows: eleven }] })).reason, /at most 10 rows/);
    assert.match(refused(list({ sections: [{ rows: [{ id: 'a', title: 'A title longer than 24 chars' }] }] })).reason, /limit of 24/);
    assert.match(refused(list({ sections: [{ rows: [{ id: 'a', title: 'A', description: 'd'.repeat(73) }] }] })).reason, /limit of 72/);
    assert.match(
      refused(
        list({
          sections: [
            {
              rows: [
                { id: 'a', title: 'A' },
                { id: 'a', title: 'B' },
              ],
            },
          ],
        }),
      ).reason,
      /same id/,
    );
    assert.match(
      refused(list({ sections: [{ rows: [{ id: 'a', title: 'A' }] }, { rows: [{ id: 'b', title: 'B' }] }] })).reason,
      /needs a title/,
    );
  });
});
