// Analytics: every GET /api/v1/analytics/* endpoint for the last 30 days over the seeded 100,000
// conversations / 1,000,000 messages (about 8,000 conversations and 80,000 messages fall in the
// period), as the owner; the overview also filtered by agent. Before the appliance starts, the
// WhatsApp statuses' pricing is written for the period's outbound messages and 2% of them become
// template messages (ten names), so the WhatsApp endpoints have rows to count. Target: p99 < 200 ms.
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { HttpClient, closedLoop } from '../lib/load.js';
import { statsRow, type BenchContext } from '../lib/context.js';
import { prng, sqlTime, uuidv7At } from '../lib/ids.js';

const DAY = 24 * 3600_000;
const TEMPLATES = Array.from({ length: 10 }, (_, i) => `promo_${i + 1}`);

/** Pricing rows and template messages for the last 30 days (once per data dir). */
function prepare(dbPath: string): { pricing: number; templates: number } {
  const db = new Database(dbPath);
  try {
    const done = db.prepare('SELECT count(*) AS n FROM whatsapp_message_pricing').get() as { n: number };
    if (done.n > 0)
      return {
        pricing: done.n,
        templates: (db.prepare(`SELECT count(*) AS n FROM messages WHERE type = 'template'`).get() as { n: number }).n,
      };
    const since = sqlTime(Date.now() - 31 * DAY);
    const rows = db
      .prepare(`SELECT m.id, m.tenantId, m.conversationId, m.createdAt FROM messages m WHERE m.direction = 'outbound' AND m.createdAt >= ?`)
      .all(since) as { id: string; tenantId: string; conversationId: string; createdAt: string }[];
    const rand = prng(7);
    const insert =
      db.prepare(`INSERT INTO whatsapp_message_pricing (id, tenantId, messageId, conversationId, accountId, messageCreatedAt, pricingModel,
      category, pricingType, billable, waConversationId, waConversationOrigin, waConversationExpiresAt, createdAt, updatedAt)
      VALUES (?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)`);
    const toTemplate = db.prepare(`UPDATE messages SET type = 'template', content = ? WHERE id = ?`);
    let templates = 0;
    db.transaction(() => {
      for (const r of rows) {
        const at = Date.parse(`${r.createdAt.replace(' ', 'T')}Z`);
        const template = rand() < 0.02;
        const cbp = rand() < 0.3;
        const category = template ? (rand() < 0.5 ? 'marketing' : 'utility') : 'service';
        insert.run(
          uuidv7At(at, rand),
          r.tenantId,
          r.id,
          r.conversationId,
          r.createdAt,
          cbp ? 'CBP' : 'PMP',
          category,
          cbp ? null : category === 'service' ? 'free_customer_service' : 'regular',
          category === 'service' ? 0 : 1,
          cbp ? `CBP-${r.conversationId}` : null,
          cbp ? category : null,
          r.createdAt,
          r.createdAt,
        );
        if (template) {
          toTemplate.run(JSON.stringify({ template: { name: TEMPLATES[Math.floor(rand() * TEMPLATES.length)], language: 'id' } }), r.id);
          templates++;
        }
      }
    })();
    return { pricing: rows.length, templates };
  } finally {
    db.close();
  }
}

export async function analyticsScenario(ctx: BenchContext): Promise<void> {
  const { tenant, sizes } = ctx;
  const { total, concurrency, warmup } = sizes.analytics;
  const prepared = prepare(ctx.dbPath);
  ctx.log(
    `  ${prepared.pricing.toLocaleString('en-US')} pricing rows, ${prepared.templates.toLocaleString('en-US')} template messages in the period`,
  );
  const server = await ctx.startAppliance('analytics');
  const http = new HttpClient(server.url, concurrency);
  const owner = tenant.users[0];
  const auth = { authorization: `Bearer ${owner.token}` };
  const endpoints = [
    'overview',
    `overview?agentId=${owner.id}`,
    'trends',
    'trends?interval=week',
    'agents',
    'channels',
    'csat',
    'whatsapp/messages',
    'whatsapp/conversations',
    'whatsapp/templates',
  ];
  try {
    const first = await http.json('GET', '/api/v1/analytics/overview', undefined, auth);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.ok(first.body.conversations.new > (ctx.quick ? 10 : 5_000), `conversations in the period: ${first.body.conversations.new}`);
    ctx.log(
      `  last 30 days: ${first.body.conversations.new} new conversations, ${first.body.messages.inbound + first.body.messages.outbound} messages, ${first.body.firstResponse.count} first responses`,
    );
    const templates = await http.json('GET', '/api/v1/analytics/whatsapp/templates', undefined, auth);
    assert.equal(templates.body.templates.length, ctx.quick ? templates.body.templates.length : TEMPLATES.length);
    for (const endpoint of endpoints) {
      const path = `/api/v1/analytics/${endpoint}`;
      await closedLoop({ concurrency, total: warmup, op: async () => (await http.request('GET', path, undefined, auth)).status === 200 });
      const cpu0 = server.stats().cpuMs;
      const stats = await closedLoop({
        concurrency,
        total,
        op: async () => (await http.request('GET', path, undefined, auth)).status === 200,
      });
      const cpuPerReq = (server.stats().cpuMs - cpu0) / stats.count;
      ctx.record(
        statsRow('analytics', `GET /analytics/${endpoint.replace(owner.id, '{owner}')} (30 days)`, 'appliance', stats, {
          target: 'p99 < 200 ms',
          met: stats.p99 < 200,
          note: `concurrency ${concurrency}; ${cpuPerReq.toFixed(1)} ms server CPU per request`,
        }),
      );
    }
  } finally {
    http.close();
    await server.stop();
  }
}
