// The automation condition evaluator: every operator, nested all/any groups, explanations, the
// RE2-based regex (linear time: a pattern that backtracks exponentially elsewhere returns at once),
// language detection, and rollout buckets that depend only on the rule and the conversation.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detectLanguage, evaluateGroup, explain } from '../../server/modules/automation/conditions.js';
import { conditionSchema, conditionGroupSchema } from '../../server/modules/automation/automation.schemas.js';
import { rolloutBucket } from '../../server/modules/automation/engine.js';

const values: Record<string, unknown> = {
  'message.text': 'Halo kak, saya mau ORDER #123 batik',
  'conversation.channel': 'whatsapp',
  'conversation.tags': ['vip', 'batik'],
  'conversation.unreadCount': 3,
  'time.withinWorkingHours': false,
  'contact.name': null,
  'message.language': 'id',
};
const read = async (field: string) => values[field];
const one = async (field: string, operator: string, value?: unknown) =>
  (await evaluateGroup({ match: 'all', conditions: [{ field, operator, value } as never] }, read)).children![0];

describe('automation conditions', () => {
  it('evaluates every operator, with a reason', async () => {
    const cases: [string, string, unknown, boolean][] = [
      ['conversation.channel', 'equals', 'WhatsApp', true],
      ['conversation.channel', 'not_equals', 'email', true],
      ['conversation.tags', 'equals', 'vip', true],
      ['message.text', 'contains', 'order', true],
      ['message.text', 'not_contains', 'refund', true],
      ['conversation.tags', 'contains', 'batik', true],
      ['message.text', 'starts_with', 'halo', true],
      ['message.text', 'starts_with', 'kak', false],
      ['message.text', 'regex', 'order\\s+#?\\d+', true],
      ['message.text', 'regex', '^refund', false],
      ['conversation.channel', 'in', ['email', 'whatsapp'], true],
      ['conversation.channel', 'not_in', ['email', 'instagram'], true],
      ['conversation.tags', 'in', ['vip'], true],
      ['conversation.unreadCount', 'greater_than', 2, true],
      ['conversation.unreadCount', 'less_than', 2, false],
      ['message.text', 'greater_than', 2, false],
      ['contact.name', 'exists', undefined, false],
      ['contact.name', 'not_exists', undefined, true],
      ['time.withinWorkingHours', 'equals', false, true],
      ['message.language', 'equals', 'id', true],
    ];
    for (const [field, operator, value, expected] of cases) {
      const outcome = await one(field, operator, value);
      assert.equal(outcome.result, expected, `${field} ${operator} ${JSON.stringify(value)}: ${outcome.reason}`);
      assert.ok(outcome.reason.length > 0);
    }
  });

  it('combines nested all/any groups and explains the first false condition', async () => {
    const outcome = await evaluateGroup(
      {
        match: 'all',
        conditions: [
          { field: 'conversation.channel', operator: 'equals', value: 'whatsapp' },
          {
            match: 'any',
            conditions: [
              { field: 'message.text', operator: 'contains', value: 'refund' },
              { field: 'conversation.unreadCount', operator: 'greater_than', value: 10 },
            ],
          },
        ],
      },
      read,
    );
    assert.equal(outcome.result, false);
    assert.equal(outcome.children![1].result, false);
    assert.equal(outcome.children![1].path, 'conditions.conditions.1');
    assert.match(explain(outcome), /^Condition 2\.1 was false because message\.text was ".*", which does not contain "refund"\.$/);
    const any = await evaluateGroup(
      {
        match: 'any',
        conditions: [
          { field: 'conversation.channel', operator: 'equals', value: 'email' },
          { field: 'conversation.unreadCount', operator: 'less_than', value: 5 },
        ],
      },
      read,
    );
    assert.equal(any.result, true);
    assert.equal((await evaluateGroup({ match: 'all', conditions: [] }, read)).result, true);
  });

  it('runs regular expressions in linear time and refuses what RE2 cannot run', async () => {
    const evil = `${'a'.repeat(5000)}!`;
    const started = performance.now();
    const outcome = await evaluateGroup(
      { match: 'all', conditions: [{ field: 'x', operator: 'regex', value: '^(a+)+$' }] },
      async () => evil,
    );
    assert.equal(outcome.result, false);
    assert.ok(performance.now() - started < 5000);
    const bad = conditionSchema.safeParse({ field: 'message.text', operator: 'regex', value: '(a)\\1' });
    assert.equal(bad.success, false);
    assert.deepEqual(bad.error!.issues[0].path, ['value']);
    assert.equal(conditionSchema.safeParse({ field: 'message.text', operator: 'regex', value: 'ok+' }).success, true);
    assert.equal(conditionGroupSchema.safeParse({ match: 'some', conditions: [] }).success, false);
  });

  it('detects Indonesian and English', () => {
    assert.equal(detectLanguage('Halo kak, barang ini ada tidak?'), 'id');
    assert.equal(detectLanguage('Hi, how much is the shipping please?'), 'en');
    assert.equal(detectLanguage('👍'), 'unknown');
  });

  it('puts a conversation in the same rollout bucket every time, spread over 0-99', () => {
    const rule = '01900000-0000-7000-8000-00000000000a';
    assert.equal(rolloutBucket(rule, 'conv-1'), rolloutBucket(rule, 'conv-1'));
    const buckets = Array.from({ length: 1000 }, (_, i) => rolloutBucket(rule, `conv-${i}`));
    const under50 = buckets.filter((b) => b < 50).length;
    assert.ok(under50 > 400 && under50 < 600, String(under50));
    assert.ok(buckets.every((b) => b >= 0 && b < 100));
  });
});
