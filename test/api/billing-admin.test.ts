// The operator's billing through the API: plans, add-ons and coupons (each operation and its 4xx),
// provider settings (keys never returned), every organization's invoices and subscriptions, and
// revenue analytics (MRR, revenue by plan, by month, churn) checked against hand-computed values on
// a fixture spread over two months of an injected clock.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, testClock, type TestClock, type TestServer } from '../support/server.js';
import { Api, assertProblem, registerTenant, superAdmin, type Tenant } from '../support/http.js';
import { runJob } from '../support/settle.js';

const MISSING = '00000000-0000-7000-8000-000000000000';

describe('Billing (operator)', () => {
  let clock: TestClock;
  let server: TestServer;
  let api: Api;
  let operator: Api;
  const plans: Record<string, any> = {};

  before(async () => {
    clock = testClock('2026-02-01T03:00:00Z');
    server = await startServer({}, { now: clock.now });
    api = new Api(server.url);
    operator = await superAdmin(api);
  });
  after(() => server.stop());

  it('plans: create, list, get, update, delete, and their 4xx', async () => {
    const body = {
      code: 'Starter',
      name: 'Starter',
      description: 'Untuk toko kecil',
      prices: { IDR: 150000 },
      limits: { agents: 3, channels: 2, monthlyConversations: 500 },
      features: ['WhatsApp'],
    };
    const created = await operator.post('/api/v1/billing-admin/plans', body);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.code, 'starter');
    assert.equal(created.body.interval, 'month');
    assert.deepEqual(created.body.limits, { agents: 3, channels: 2, monthlyConversations: 500, aiTokens: null });
    assert.equal(created.body.subscribers, 0);
    plans.starter = created.body;
    assertProblem(await operator.post('/api/v1/billing-admin/plans', body), 409, ['code']);
    assertProblem(await operator.post('/api/v1/billing-admin/plans', { ...body, code: 'x', prices: {} }), 400, ['prices']);
    assertProblem(await operator.post('/api/v1/billing-admin/plans', { ...body, code: 'x', prices: { XYZ: 1 } }), 400);
    assertProblem(await operator.post('/api/v1/billing-admin/plans', { ...body, code: 'x', prices: { IDR: -1 } }), 400, ['prices.IDR']);
    assertProblem(await operator.post('/api/v1/billing-admin/plans', { ...body, code: 'x', limits: { seats: 3 } }), 400, ['limits']);
    assertProblem(await operator.post('/api/v1/billing-admin/plans', { ...body, code: 'bad code!' }), 400, ['code']);
    assertProblem(await operator.post('/api/v1/billing-admin/plans', { ...body, code: 'x', interval: 'week' }), 400, ['interval']);

    plans.yearly = (
      await operator.post('/api/v1/billing-admin/plans', {
        code: 'pro-yearly',
        name: 'Pro (yearly)',
        prices: { IDR: 4_800_000 },
        interval: 'year',
        limits: { agents: 20 },
      })
    ).body;
    plans.global = (
      await operator.post('/api/v1/billing-admin/plans', {
        code: 'global',
        name: 'Global',
        prices: { IDR: 450000, USD: 3000 },
        trialDays: 14,
      })
    ).body;
    const list = (await operator.get('/api/v1/billing-admin/plans')).body.data;
    assert.deepEqual(
      list.map((p: any) => p.code),
      ['starter', 'pro-yearly', 'global'],
    );
    assert.equal((await operator.get(`/api/v1/billing-admin/plans/${plans.starter.id}`)).body.name, 'Starter');
    assertProblem(await operator.get(`/api/v1/billing-admin/plans/${MISSING}`), 404);
    assertProblem(await operator.get('/api/v1/billing-admin/plans/not-an-id'), 404);

    const patched = await operator.patch(`/api/v1/billing-admin/plans/${plans.starter.id}`, {
      limits: { agents: 5 },
      features: ['WhatsApp', 'Email'],
    });
    assert.equal(patched.status, 200);
    assert.deepEqual(patched.body.limits, { agents: 5, channels: 2, monthlyConversations: 500, aiTokens: null }, 'other limits kept');
    assertProblem(await operator.patch(`/api/v1/billing-admin/plans/${plans.starter.id}`, { code: 'global' }), 409, ['code']);
    assertProblem(await operator.patch(`/api/v1/billing-admin/plans/${plans.starter.id}`, { price: 1 }), 400);
    assertProblem(await operator.patch(`/api/v1/billing-admin/plans/${MISSING}`, { name: 'x' }), 404);

    const temp = (
      await operator.post('/api/v1/billing-admin/plans', { code: 'temp', name: 'Temp', prices: { IDR: 1000 }, isDefault: true })
    ).body;
    assert.equal(temp.isDefault, true);
    assert.equal((await operator.delete(`/api/v1/billing-admin/plans/${temp.id}`)).status, 204);
    assertProblem(await operator.get(`/api/v1/billing-admin/plans/${temp.id}`), 404);
    assertProblem(await operator.delete(`/api/v1/billing-admin/plans/${temp.id}`), 404);
    // The code of a deleted plan is free again.
    const again = await operator.post('/api/v1/billing-admin/plans', {
      code: 'temp',
      name: 'Temp',
      prices: { IDR: 1000 },
      isPublic: false,
    });
    assert.equal(again.status, 201);
    await operator.delete(`/api/v1/billing-admin/plans/${again.body.id}`);
  });

  it('add-ons and coupons: each operation and its 4xx', async () => {
    const addon = await operator.post('/api/v1/billing-admin/addons', {
      code: 'more-channels',
      name: '2 more channels',
      prices: { IDR: 75000 },
      limits: { channels: 2 },
    });
    assert.equal(addon.status, 201, JSON.stringify(addon.body));
    assertProblem(
      await operator.post('/api/v1/billing-admin/addons', {
        code: 'more-channels',
        name: 'x',
        prices: { IDR: 1 },
        limits: { channels: 1 },
      }),
      409,
      ['code'],
    );
    assertProblem(
      await operator.post('/api/v1/billing-admin/addons', { code: 'nothing', name: 'x', prices: { IDR: 1 }, limits: {} }),
      400,
      ['limits'],
    );
    const patched = await operator.patch(`/api/v1/billing-admin/addons/${addon.body.id}`, { name: 'Two more channels', isPublic: false });
    assert.equal(patched.body.name, 'Two more channels');
    assertProblem(await operator.patch(`/api/v1/billing-admin/addons/${MISSING}`, { name: 'x' }), 404);
    assert.deepEqual(
      (await operator.get('/api/v1/billing-admin/addons')).body.data.map((a: any) => a.code),
      ['more-channels'],
    );
    assert.equal((await operator.delete(`/api/v1/billing-admin/addons/${addon.body.id}`)).status, 204);
    assertProblem(await operator.delete(`/api/v1/billing-admin/addons/${addon.body.id}`), 404);

    const coupon = await operator.post('/api/v1/billing-admin/coupons', {
      code: 'ramadan25',
      percentOff: 25,
      duration: 'repeating',
      durationCycles: 3,
      maxRedemptions: 100,
      expiresAt: '2026-04-30T17:00:00Z',
      planIds: [plans.starter.id],
    });
    assert.equal(coupon.status, 201, JSON.stringify(coupon.body));
    assert.equal(coupon.body.code, 'RAMADAN25');
    assertProblem(await operator.post('/api/v1/billing-admin/coupons', { code: 'RAMADAN25', percentOff: 5 }), 409, ['code']);
    assertProblem(await operator.post('/api/v1/billing-admin/coupons', { code: 'BOTH', percentOff: 5, amountOff: { IDR: 1000 } }), 400, [
      'percentOff',
    ]);
    assertProblem(await operator.post('/api/v1/billing-admin/coupons', { code: 'NONE' }), 400, ['percentOff']);
    assertProblem(await operator.post('/api/v1/billing-admin/coupons', { code: 'REP', percentOff: 5, duration: 'repeating' }), 400, [
      'durationCycles',
    ]);
    assertProblem(await operator.post('/api/v1/billing-admin/coupons', { code: 'PCT', percentOff: 150 }), 400, ['percentOff']);
    assertProblem(await operator.post('/api/v1/billing-admin/coupons', { code: 'PLAN', percentOff: 5, planIds: [MISSING] }), 422, [
      'planIds.0',
    ]);
    const patched2 = await operator.patch(`/api/v1/billing-admin/coupons/${coupon.body.id}`, { active: false, maxRedemptions: 10 });
    assert.deepEqual([patched2.body.active, patched2.body.maxRedemptions], [false, 10]);
    assertProblem(await operator.patch(`/api/v1/billing-admin/coupons/${coupon.body.id}`, { percentOff: 50 }), 400);
    assertProblem(await operator.patch(`/api/v1/billing-admin/coupons/${MISSING}`, { active: true }), 404);
    assert.equal((await operator.get('/api/v1/billing-admin/coupons')).body.data.length, 1);
    assert.equal((await operator.delete(`/api/v1/billing-admin/coupons/${coupon.body.id}`)).status, 204);
    assertProblem(await operator.delete(`/api/v1/billing-admin/coupons/${coupon.body.id}`), 404);
  });

  it('settings: provider keys sealed and shown by their last 4 characters; enabling needs what it needs', async () => {
    const initial = (await operator.get('/api/v1/billing-admin/settings')).body;
    assert.equal(initial.midtrans.enabled, false);
    assert.equal(initial.invoices.dueDays, 7);
    assertProblem(await operator.put('/api/v1/billing-admin/settings', { midtrans: { enabled: true } }), 422, ['midtrans.serverKey']);
    assertProblem(await operator.put('/api/v1/billing-admin/settings', { bankTransfer: { enabled: true, bankName: 'BNI' } }), 422, [
      'bankTransfer.accountNumber',
    ]);
    assertProblem(await operator.put('/api/v1/billing-admin/settings', { invoices: { dueDays: -1 } }), 400, ['invoices.dueDays']);
    assertProblem(await operator.put('/api/v1/billing-admin/settings', { paypal: {} }), 400);
    const saved = await operator.put('/api/v1/billing-admin/settings', {
      midtrans: { enabled: true, serverKey: 'Mid-server-PRODKEY-abcd9876', environment: 'production' },
      bankTransfer: { enabled: true, bankName: 'BNI', accountNumber: '0987654321', accountName: 'PT Operator' },
      invoices: { dueDays: 3, numberPrefix: 'OMNI' },
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    assert.equal(saved.body.midtrans.serverKey, '••••9876');
    assert.ok(!JSON.stringify(saved.body).includes('PRODKEY'));
    // Changing another field keeps the key.
    const kept = await operator.put('/api/v1/billing-admin/settings', { midtrans: { clientKey: 'Mid-client-x' } });
    assert.equal(kept.body.midtrans.serverKey, '••••9876');
    assert.equal(kept.body.midtrans.ready, true);
    const tenant = await registerTenant(api, 'Toko Intip');
    assertProblem(await tenant.api.get('/api/v1/billing-admin/settings'), 401);
    // Off again for the rest: manual payments only.
    await operator.put('/api/v1/billing-admin/settings', { midtrans: { enabled: false } });
  });

  // The revenue fixture: on 1 February, A subscribes to Starter (150,000/month) and B to Pro yearly
  // (4,800,000/year = 400,000/month), both paid by bank transfer; C (IDR) and D (USD 30.00) start
  // 14-day trials of Global. On 2 March A renews, C's and D's trials have ended with an invoice; all
  // pay; then A cancels at once.
  let a: Tenant;
  let b: Tenant;
  let cT: Tenant;
  let d: Tenant;
  const payOpen = async (t: Tenant) => {
    for (const inv of (await t.api.get('/api/v1/billing/invoices?status=open')).body.data)
      assert.equal((await operator.post(`/api/v1/billing-admin/invoices/${inv.id}/mark-paid`, {})).status, 200);
  };

  it('revenue analytics: MRR, revenue by plan, monthly revenue and churn, per currency', async () => {
    a = await registerTenant(api, 'Toko A');
    b = await registerTenant(api, 'Toko B');
    cT = await registerTenant(api, 'Toko C');
    d = await registerTenant(api, 'Toko D');
    assert.equal((await a.api.post('/api/v1/billing/subscription', { planId: plans.starter.id })).status, 201);
    assert.equal((await b.api.post('/api/v1/billing/subscription', { planId: plans.yearly.id })).status, 201);
    assert.equal((await cT.api.post('/api/v1/billing/subscription', { planId: plans.global.id })).body.subscription.status, 'trialing');
    assert.equal((await d.api.post('/api/v1/billing/subscription', { planId: plans.global.id, currency: 'USD' })).status, 201);
    await payOpen(a);
    await payOpen(b);

    let mrr = (await operator.get('/api/v1/billing-admin/analytics/mrr')).body;
    assert.deepEqual(mrr.data, [{ currency: 'IDR', mrr: 550000, arr: 6600000, payingSubscriptions: 2, arpa: 275000 }]);
    assert.equal(mrr.trialingSubscriptions, 2);

    clock.set('2026-03-02T03:00:00Z');
    await runJob(server.appliance, 'billing.cycle');
    await payOpen(a);
    await payOpen(cT);
    await payOpen(d);
    mrr = (await operator.get('/api/v1/billing-admin/analytics/mrr')).body;
    assert.deepEqual(mrr.data, [
      { currency: 'IDR', mrr: 1000000, arr: 12000000, payingSubscriptions: 3, arpa: 333333 },
      { currency: 'USD', mrr: 3000, arr: 36000, payingSubscriptions: 1, arpa: 3000 },
    ]);

    assert.equal((await a.api.post('/api/v1/billing/subscription/cancel', { atPeriodEnd: false })).status, 200);
    const churn = (await operator.get('/api/v1/billing-admin/analytics/churn')).body;
    assert.equal(churn.month, '2026-03');
    assert.equal(churn.subscriptionsAtStart, 4, 'every trial had ended before March');
    assert.equal(churn.cancelled, 1);
    assert.equal(churn.newSubscriptions, 0);
    assert.equal(churn.churnRate, 0.25);
    assert.deepEqual(churn.mrrChurned, [{ currency: 'IDR', amount: 150000, rate: 0.15 }]);

    const byPlan = (await operator.get('/api/v1/billing-admin/analytics/revenue-by-plan')).body.data;
    const row = (code: string, currency: string) => byPlan.find((r: any) => r.planId === plans[code].id && r.currency === currency);
    assert.deepEqual([row('starter', 'IDR').revenue, row('starter', 'IDR').invoices, row('starter', 'IDR').mrr], [300000, 2, 0]);
    assert.deepEqual([row('yearly', 'IDR').revenue, row('yearly', 'IDR').mrr, row('yearly', 'IDR').subscriptions], [4800000, 400000, 1]);
    assert.deepEqual([row('global', 'IDR').revenue, row('global', 'USD').revenue, row('global', 'USD').mrr], [450000, 3000, 3000]);

    const monthly = (await operator.get('/api/v1/billing-admin/analytics/revenue-monthly')).body.data;
    assert.equal(monthly.length, 24, '12 months × IDR and USD');
    const month = (m: string, c: string) => monthly.find((r: any) => r.month === m && r.currency === c);
    assert.deepEqual([month('2026-02', 'IDR').revenue, month('2026-02', 'IDR').invoices], [4950000, 2]);
    assert.deepEqual([month('2026-03', 'IDR').revenue, month('2026-03', 'USD').revenue], [600000, 3000]);
    assert.equal(month('2025-04', 'IDR').revenue, 0);

    const dashboard = (await operator.get('/api/v1/billing-admin/analytics?timezone=Asia/Makassar')).body;
    assert.deepEqual(Object.keys(dashboard).sort(), ['churn', 'mrr', 'revenueByPlan', 'revenueMonthly']);
    assert.equal(dashboard.revenueMonthly.timezone, 'Asia/Makassar');
    assertProblem(await operator.get('/api/v1/billing-admin/analytics?timezone=Mars/Olympus'), 400, ['query.timezone']);
  });

  it("every organization's invoices and subscriptions for the operator; a plan in use cannot be deleted", async () => {
    const invoices = (await operator.get('/api/v1/billing-admin/invoices?limit=100')).body.data;
    assert.ok(
      invoices.every((i: any) => /^OMNI-2026-\d{6}$/.test(i.number)),
      'the configured prefix',
    );
    assert.deepEqual(new Set(invoices.map((i: any) => i.tenantName)), new Set(['Toko A', 'Toko B', 'Toko C', 'Toko D']));
    const mine = (await operator.get(`/api/v1/billing-admin/invoices?tenantId=${b.tenant.id}`)).body.data;
    assert.equal(mine.length, 1);
    const detail = (await operator.get(`/api/v1/billing-admin/invoices/${mine[0].id}`)).body;
    assert.equal(detail.payments[0].provider, 'bank_transfer');
    assertProblem(await operator.get(`/api/v1/billing-admin/invoices/${MISSING}`), 404);
    const page = await operator.get('/api/v1/billing-admin/invoices?limit=2');
    assert.equal(page.body.data.length, 2);
    const next = await operator.get(`/api/v1/billing-admin/invoices?limit=2&cursor=${page.body.nextCursor}`);
    assert.ok(!next.body.data.some((i: any) => page.body.data.some((p: any) => p.id === i.id)));
    assertProblem(await operator.get('/api/v1/billing-admin/invoices?cursor=bad'), 400);

    const subs = (await operator.get('/api/v1/billing-admin/subscriptions')).body.data;
    assert.equal(subs.length, 4);
    assert.equal(subs.find((s: any) => s.tenantName === 'Toko B').mrr, 400000);
    assert.equal((await operator.get('/api/v1/billing-admin/subscriptions?status=cancelled')).body.data[0].tenantName, 'Toko A');
    const ofB = (await operator.get(`/api/v1/billing-admin/subscriptions?tenantId=${b.tenant.id}`)).body.data;
    assert.deepEqual(
      ofB.map((s: any) => [s.tenantName, s.plan.code, s.status]),
      [['Toko B', 'pro-yearly', 'active']],
    );

    assertProblem(await operator.delete(`/api/v1/billing-admin/plans/${plans.yearly.id}`), 409);
    assert.equal((await operator.get(`/api/v1/billing-admin/plans/${plans.yearly.id}`)).body.subscribers, 1);
  });
});
