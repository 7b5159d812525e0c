// The model-free parts of the AI layer (server/ai/): language detection (Indonesian first), a
// customer asking for a person, sentiment, chunking, evaluation scoring, vector search, the FTS5
// query and the handoff rules.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { asksForHuman, containsPhrase, detectLanguage, keywords, sentiment } from '../../server/ai/text.js';
import { chunkText, CHUNK_CHARS } from '../../server/ai/chunking.js';
import { scoreAnswer } from '../../server/ai/scoring.js';
import { buildIndex, decodeVector, encodeVector, nearest } from '../../server/ai/vectors.js';
import { matchExpression } from '../../server/ai/retrieval.js';
import { checkMessageRules, checkRetrievalRules, replyLanguage } from '../../server/ai/runtime.js';

describe('AI text helpers', () => {
  it('detects Indonesian and English, Indonesian when unsure', () => {
    assert.equal(detectLanguage('Halo kak, berapa harga kopi ini?'), 'id');
    assert.equal(detectLanguage('Hello, how much is this coffee?'), 'en');
    assert.equal(detectLanguage('ok'), 'id');
    assert.equal(detectLanguage('👍'), 'id');
    assert.equal(replyLanguage({ language: 'auto' }, [{ role: 'customer', text: 'What time do you open?' }]), 'en');
    assert.equal(replyLanguage({ language: 'id' }, [{ role: 'customer', text: 'What time do you open?' }]), 'id');
  });

  it('recognizes a customer asking for a person, in Indonesian and English', () => {
    for (const yes of [
      'mau bicara dengan orang',
      'Bisa sambungkan ke admin?',
      'saya mau ngobrol sama CS dong',
      'tolong hubungkan dengan customer service',
      'bukan bot ya, orang asli',
      'Can I talk to a human please?',
      'I want to speak with a real person',
    ])
      assert.ok(asksForHuman(yes), yes);
    for (const no of ['Berapa harga kopi?', 'Orang tua saya suka kopi ini', 'Is this available?']) assert.ok(!asksForHuman(no), no);
  });

  it('scores how upset the customer sounds', () => {
    assert.ok(sentiment('Saya sangat kecewa, barang rusak!!!') <= -0.5);
    assert.ok(sentiment('TERRIBLE SERVICE, I WANT A REFUND') <= -0.5);
    assert.ok(sentiment('Terima kasih, mantap!') > 0);
    assert.equal(sentiment('Jam berapa buka?'), 0);
  });

  it('finds keywords and phrases without stopwords or accents', () => {
    assert.deepEqual(keywords('Halo kak, berapa harga Kopi Gayó 250g?'), ['harga', 'kopi', 'gayo', '250g']);
    assert.ok(containsPhrase('Barang saya RUSAK parah', 'rusak'));
    assert.ok(containsPhrase('mau refund dong', 'mau refund'));
    assert.ok(!containsPhrase('barangnya rusaknya', 'rusak'));
  });

  it('builds an FTS5 query within one agent', () => {
    assert.equal(
      matchExpression('0193a2b4-0000-7000-8000-00000000abcd', 'Berapa harga kopi?'),
      'scope:"a0193a2b400007000800000000000abcd" AND ("harga"* OR "kopi"*)',
    );
    assert.equal(matchExpression('0193a2b4-0000-7000-8000-00000000abcd', 'halo kak?'), null);
  });
});

describe('chunking', () => {
  it('keeps paragraphs whole when they fit and cuts long ones at sentence ends, with overlap', () => {
    const short = 'Paragraf satu.\n\nParagraf dua.';
    assert.deepEqual(chunkText(short), ['Paragraf satu.\n\nParagraf dua.']);
    const sentence = (i: number) => `Kalimat nomor ${i} menjelaskan kebijakan toko dengan cukup panjang supaya potongan terisi.`;
    const long = Array.from({ length: 60 }, (_, i) => sentence(i)).join(' ');
    const chunks = chunkText(long);
    assert.ok(chunks.length > 3);
    for (const c of chunks) assert.ok(c.length <= CHUNK_CHARS + 100, `${c.length}`);
    // The last sentence of a chunk starts the next one.
    const lastOfFirst = chunks[0].split(/(?<=\.)\s/).at(-1)!;
    assert.ok(chunks[1].startsWith(lastOfFirst));
    assert.deepEqual(chunkText('   \n\n  '), []);
  });
});

describe('evaluation scoring', () => {
  it('scores facts and the expected answer, loosely', () => {
    const full = scoreAnswer('Kopi Gayo 250g harganya Rp85.000, stok 12.', { expectedFacts: ['Rp 85.000', 'stok 12'] });
    assert.equal(full.score, 1);
    const half = scoreAnswer('Harganya Rp 85.000.', { expectedFacts: ['Rp 85.000', 'stok 12'] });
    assert.equal(half.score, 0.5);
    assert.deepEqual(half.missingFacts, ['stok 12']);
    const recall = scoreAnswer('Kami buka setiap hari.', { expectedAnswer: 'Toko buka setiap hari jam 9' });
    assert.ok(recall.answerRecall! > 0.3 && recall.answerRecall! < 1);
    assert.equal(scoreAnswer('apa saja', {}).score, 0);
  });
});

describe('vectors', () => {
  it('round-trips embeddings and finds the nearest', () => {
    const v = decodeVector(encodeVector([3, 4]));
    assert.ok(Math.abs(v[0] - 0.6) < 1e-6 && Math.abs(v[1] - 0.8) < 1e-6);
    const index = buildIndex([
      { id: 'a', embedding: encodeVector([1, 0, 0]) },
      { id: 'b', embedding: encodeVector([0, 1, 0]) },
      { id: 'c', embedding: encodeVector([1, 1, 0]) },
      { id: 'bad', embedding: encodeVector([1, 1]) },
    ]);
    assert.deepEqual(index.ids, ['a', 'b', 'c']);
    const hits = nearest(index, decodeVector(encodeVector([1, 0.1, 0])), 2);
    assert.deepEqual(
      hits.map((h) => h.id),
      ['a', 'c'],
    );
    assert.deepEqual(nearest(index, decodeVector(encodeVector([1, 0])), 2), [], 'another model: no match');
  });
});

describe('handoff rules', () => {
  const rule = (type: any, config: any = {}) => ({ id: type, type, config });
  it('checks the message rules in order, and the retrieval rule', () => {
    const rules = [rule('human_request'), rule('keyword', { keywords: ['komplain'] }), rule('sentiment'), rule('max_turns', { turns: 3 })];
    assert.equal(checkMessageRules(rules, 'mau bicara dengan orang, mau komplain', { turns: 0 })?.trigger, 'human_request');
    assert.equal(checkMessageRules(rules, 'saya mau komplain', { turns: 0 })?.trigger, 'keyword');
    assert.equal(checkMessageRules(rules, 'kecewa banget, barang rusak!!!', { turns: 0 })?.trigger, 'sentiment');
    assert.equal(checkMessageRules(rules, 'halo', { turns: 3 })?.trigger, 'max_turns');
    assert.equal(checkMessageRules(rules, 'halo', { turns: 2 }), null);
    const passage = (confidence: number) => ({ confidence }) as any;
    assert.equal(checkRetrievalRules([rule('low_confidence', { threshold: 0.5 })], [passage(0.4)])?.trigger, 'low_confidence');
    assert.equal(checkRetrievalRules([rule('low_confidence', { threshold: 0.5 })], [passage(0.4), passage(0.6)]), null);
    assert.match(checkRetrievalRules([rule('low_confidence')], [])!.detail, /Nothing in the knowledge matched/);
    assert.equal(checkRetrievalRules([], []), null);
  });
});
