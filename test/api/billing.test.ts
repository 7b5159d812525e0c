// An organization's billing through the API, against a fake Midtrans and an injected clock: billing
// off without plans; the default plan's limits; trials; the payment end to end (Snap, a signed
// notification, an active subscription and a paid invoice whose PDF reads back); renewals, past due
// (402), dunning and the operator's manual payment; cancellation; proration; add-ons; the monthly
// conversation allowance (inbound always stored); refunds; and other organizations' ids (404).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, testClock, type TestClock, type TestServer } from '../support/server.js';
import { Api, assertProblem, createAgent, registerTenant, roleId, superAdmin, type Tenant } from '../support/http.js';
import { startFakeMidtrans, type FakeMidtrans } from '../support/fake-midtrans.js';
import { graphAssets, startFakeGraph, type FakeGraph } from '../support/fake-graph.js';
import { connectWhatsApp, eventually, postWebhook, waPayload, wamid } from '../support/whatsapp.js';
import { runJob, settle } from '../support/settle.js';
import { readPdf } from '../support/pdf.js';

const SERVER_KEY = 'SB-Mid-server-TESTKEY1234567890';
const DAY = 86_400_000;

describe('Billing (organization)', () => {
  let midtrans: FakeMidtrans;
  let graph: FakeGraph;
  let clock: TestClock;
  let server: TestServer;
  let api: Api;
  let operator: Api;
  const plans: Record<string, any> = {};
  let coupon: any;
  let c: Tenant; // pays through Midtrans
  let b: Tenant; // another organization
  let paidInvoice: any;

  const notifyUrl = () => `${server.url}/api/v1/webhooks/midtrans`;
  const subscription = async (t: Tenant) => (await t.api.get('/api/v1/billing/subscription')).body;
  const cycle = () => runJob(server.appliance, 'billing.cycle');

  before(async () => {
    midtrans = await startFakeMidtrans(SERVER_KEY);
    graph = await startFakeGraph();
    clock = testClock('2026-03-10T03:00:00Z');
    server = await startServer(
      { MIDTRANS_SNAP_URL: midtrans.url, MIDTRANS_API_URL: midtrans.url, META_GRAPH_URL: graph.url },
      { now: clock.now },
    );
    api = new Api(server.url);
    operator = await superAdmin(api);
    b = await registerTenant(api, 'Toko Lain');
  });
  after(async () => {
    await server.stop();
    await midtrans.stop();
    await graph.stop();
  });

  it('with no plan defined, billing is off: nothing is limited and subscribing is refused', async () => {
    const z = await registerTenant(api, 'Toko Bebas');
    const state = await subscription(z);
    assert.equal(state.billingEnabled, false);
    assert.equal(state.subscription, null);
    assert.equal(state.source, 'none');
    assert.deepEqual(state.limits, { agents: null, channels: null, monthlyConversations: null, aiTokens: null });
    const usage = (await z.api.get('/api/v1/billing/usage')).body;
    assert.equal(usage.usage.agents, 1);
    assert.deepEqual(usage.warnings, []);
    assert.deepEqual((await z.api.get('/api/v1/billing/plans')).body.data, []);
    for (let i = 0; i < 3; i++) await createAgent(z.api);
    assertProblem(await z.api.post('/api/v1/billing/subscription', { planId: '00000000-0000-7000-8000-000000000000' }), 409);
  });

  it('the operator sets up Midtrans, bank transfer and the plans', async () => {
    const settings = await operator.put('/api/v1/billing-admin/settings', {
      midtrans: { enabled: true, environment: 'sandbox', serverKey: SERVER_KEY, clientKey: 'SB-Mid-client-abc' },
      bankTransfer: { enabled: true, bankName: 'BCA', accountNumber: '1234567890', accountName: 'PT OmniStream Indonesia' },
      seller: { name: 'PT OmniStream Indonesia', address: 'Jl. Sudirman 1, Jakarta', taxId: '01.234.567.8-901.000' },
    });
    assert.equal(settings.status, 200, JSON.stringify(settings.body));
    assert.equal(settings.body.midtrans.serverKey, '••••7890');
    assert.equal(settings.body.midtrans.ready, true);
    assert.ok(!JSON.stringify(settings.body).includes(SERVER_KEY), 'the key is never returned');
    const create = async (body: any) => {
      const res = await operator.post('/api/v1/billing-admin/plans', body);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      plans[res.body.code] = res.body;
    };
    await create({
      code: 'free',
      name: 'Gratis',
      prices: { IDR: 0 },
      limits: { agents: 1, channels: 1, monthlyConversations: 50 },
      isPublic: false,
      isDefault: true,
    });
    await create({
      code: 'starter',
      name: 'Starter',
      prices: { IDR: 150000 },
      limits: { agents: 2, channels: 1, monthlyConversations: 2 },
      features: ['WhatsApp', 'Email'],
      sortOrder: 1,
    });
    await create({
      code: 'growth',
      name: 'Growth',
      prices: { IDR: 450000, USD: 3000 },
      trialDays: 14,
      limits: { agents: 10, channels: 5, monthlyConversations: 1000, aiTokens: 100000 },
      sortOrder: 2,
    });
    coupon = (await operator.post('/api/v1/billing-admin/coupons', { code: 'hemat10', percentOff: 10, duration: 'once' })).body;
    assert.equal(coupon.code, 'HEMAT10');
    const offered = (await b.api.get('/api/v1/billing/plans')).body.data.map((p: any) => p.code);
    assert.deepEqual(offered, ['starter', 'growth'], 'the hidden default plan is not offered');
  });

  it('without a subscription the default plan applies: 403 names the limit and the plan', async () => {
    const a = await registerTenant(api, 'Toko Kecil');
    const usage = (await a.api.get('/api/v1/billing/usage')).body;
    assert.equal(usage.plan.code, 'free');
    assert.deepEqual(usage.warnings, [{ limit: 'agents', used: 1, allowed: 1, level: 'reached' }]);
    const refused = await a.api.post('/api/v1/agents', {
      name: 'Budi',
      email: `budi.${Date.now()}@example.test`,
      password: 'agent password 1',
      roleId: await roleId(a.api, 'agent'),
    });
    assertProblem(refused, 403);
    assert.equal(refused.body.type, 'https://omnistream.dev/problems/plan-limit');
    assert.equal(refused.body.limit, 'agents');
    assert.equal(refused.body.plan.code, 'free');
    assert.deepEqual([refused.body.used, refused.body.allowed], [1, 1]);
    assert.match(refused.body.detail, /Gratis/);
    await connectWhatsApp(a.api, '911000000000001');
    // The token really reads the number (ownership is proven before the plan's limit is checked).
    graphAssets.whatsapp('token-2', '911000000000099', ['911000000000002']);
    const second = await a.api.post('/api/v1/integration-accounts', {
      channel: 'whatsapp',
      name: 'Second',
      config: { phoneNumberId: '911000000000002', wabaId: '911000000000099', accessToken: 'token-2', appSecret: 'secret-2' },
    });
    assertProblem(second, 403);
    assert.equal(second.body.limit, 'channels');
  });

  it('a trial starts on a plan with trial days; a downgrade below what is used is refused; the trial ends with an invoice', async () => {
    const a = await registerTenant(api, 'Toko Coba');
    const res = await a.api.post('/api/v1/billing/subscription', { planId: plans.growth.id });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.subscription.status, 'trialing');
    assert.equal(res.body.subscription.trialEnd, new Date(clock.now().getTime() + 14 * DAY).toISOString());
    assert.equal(res.body.limits.agents, 10);
    assert.deepEqual(res.body.openInvoices, []);
    assertProblem(await a.api.post('/api/v1/billing/subscription', { planId: plans.starter.id }), 409, ['planId']);
    await createAgent(a.api);
    const third = await createAgent(a.api);
    const down = await a.api.post('/api/v1/billing/subscription/change-plan', { planId: plans.starter.id });
    assertProblem(down, 409, ['limits.agents']);
    assert.equal((await a.api.patch(`/api/v1/agents/${third.agent.id}`, { status: 'suspended' })).status, 200);
    const changed = await a.api.post('/api/v1/billing/subscription/change-plan', { planId: plans.starter.id });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.equal(changed.body.subscription.status, 'trialing', 'the trial goes on');
    assert.equal(changed.body.planInForce.code, 'starter');
    // Re-activating the suspended agent would exceed the plan.
    assertProblem(await a.api.patch(`/api/v1/agents/${third.agent.id}`, { status: 'active' }), 403);
    assertProblem(await a.api.post('/api/v1/billing/subscription/change-plan', { planId: plans.starter.id }), 409, ['planId']);
    assertProblem(await a.api.post('/api/v1/billing/subscription/change-plan', { planId: 'nope' }), 422, ['planId']);

    clock.advance(14 * DAY + 60_000);
    await cycle();
    const after = await subscription(a);
    assert.equal(after.subscription.status, 'active');
    assert.equal(after.openInvoices.length, 1);
    assert.equal(after.openInvoices[0].total, 150000);
    clock.advance(-(14 * DAY + 60_000));
  });

  it('payment end to end: an incomplete subscription, Snap, a signed settlement notification, an active subscription and a paid invoice PDF', async () => {
    c = await registerTenant(api, 'Toko Bayar');
    const res = await c.api.post('/api/v1/billing/subscription', { planId: plans.starter.id, couponCode: 'hemat10' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body.subscription.status, 'incomplete');
    assert.equal(res.body.source, 'default_plan', 'the plan applies once paid');
    const [open] = res.body.openInvoices;
    assert.equal(open.total, 135000, '150,000 less 10%');
    const invoice = (await c.api.get(`/api/v1/billing/invoices/${open.id}`)).body;
    assert.match(invoice.number, /^INV-2026-\d{6}$/);
    assert.deepEqual(
      invoice.lines.map((l: any) => [l.kind, l.amount]),
      [
        ['plan', 150000],
        ['discount', -15000],
      ],
    );

    const method = await c.api.post('/api/v1/billing/payment-methods', { type: 'midtrans', enabledPayments: ['bca_va', 'qris'] });
    assert.equal(method.status, 201, JSON.stringify(method.body));
    assert.equal(method.body.isDefault, true);

    const pay = await c.api.post(`/api/v1/billing/invoices/${open.id}/pay`, {});
    assert.equal(pay.status, 202, JSON.stringify(pay.body));
    assert.equal(pay.body.provider, 'midtrans');
    assert.equal(pay.body.status, 'creating');
    await settle(server.appliance);
    const pending = (await c.api.get(`/api/v1/billing/invoices/${open.id}`)).body.payments[0];
    assert.equal(pending.status, 'pending');
    assert.ok(pending.redirectUrl.startsWith(`${midtrans.url}/snap/v2/vtweb/`));
    const snap = midtrans.requests.find(
      (r) => r.path === '/snap/v1/transactions' && r.body.transaction_details.order_id === pending.orderId,
    );
    assert.ok(snap, 'Snap was asked');
    assert.equal(snap.headers.authorization, `Basic ${Buffer.from(`${SERVER_KEY}:`).toString('base64')}`);
    assert.equal(snap.body.transaction_details.gross_amount, 135000);
    assert.deepEqual(snap.body.enabled_payments, ['bca_va', 'qris']);
    assert.equal(snap.body.customer_details.email, c.email);
    assert.equal(
      (await c.api.post(`/api/v1/billing/invoices/${open.id}/pay`, {})).body.id,
      pending.id,
      'the payment under way is answered again',
    );

    // Unsigned, wrongly signed and malformed notifications are refused and change nothing.
    const forged = { ...midtrans.notification(pending.orderId, 'settlement'), signature_key: 'f'.repeat(128) };
    assertProblem(await api.post('/api/v1/webhooks/midtrans', forged), 401);
    assertProblem(await api.post('/api/v1/webhooks/midtrans', { order_id: pending.orderId }), 400, ['status_code']);
    assert.equal((await subscription(c)).subscription.status, 'incomplete');

    assert.equal((await midtrans.notify(pending.orderId, 'pending', { url: notifyUrl() })).status, 200);
    const settled = await midtrans.notify(pending.orderId, 'settlement', { url: notifyUrl() });
    assert.equal(settled.status, 200);
    assert.deepEqual(JSON.parse(settled.body), { received: true, duplicate: false });
    const again = await midtrans.notify(pending.orderId, 'settlement', { url: notifyUrl() });
    assert.deepEqual(JSON.parse(again.body), { received: true, duplicate: true }, 'stored once');
    await settle(server.appliance);

    const state = await subscription(c);
    assert.equal(state.subscription.status, 'active');
    assert.equal(state.source, 'subscription');
    assert.equal(state.planInForce.code, 'starter');
    assert.deepEqual(state.openInvoices, []);
    paidInvoice = (await c.api.get(`/api/v1/billing/invoices/${open.id}`)).body;
    assert.equal(paidInvoice.status, 'paid');
    assert.equal(paidInvoice.paidVia, 'midtrans');
    assert.equal(paidInvoice.amountPaid, 135000);
    assert.equal(paidInvoice.payments[0].status, 'paid');
    assert.equal(paidInvoice.payments[0].paymentType, 'bank_transfer');
    const log = (await c.api.get('/api/v1/activity-logs?action=billing.invoice_paid')).body.data;
    assert.equal(log.length, 1);

    // The same settlement again (a late retry with another id) changes nothing.
    await midtrans.notify(pending.orderId, 'settlement', { url: notifyUrl(), extra: { transaction_time: '2026-01-15 10:05:00' } });
    await settle(server.appliance);
    assert.equal((await c.api.get('/api/v1/billing/invoices?limit=50')).body.data.length, 1);

    for (const [lang, words] of [
      ['id', ['TAGIHAN', 'LUNAS', 'Rp 135.000', 'Kupon HEMAT10', 'Langganan Starter', 'Dibayar pada']],
      ['en', ['INVOICE', 'PAID', 'IDR 135,000', 'Coupon HEMAT10', 'Starter subscription', 'via Midtrans']],
    ] as const) {
      const res = await fetch(`${server.url}/api/v1/billing/invoices/${open.id}/pdf?lang=${lang}`, {
        headers: { authorization: `Bearer ${c.token}` },
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/pdf');
      assert.match(res.headers.get('content-disposition') ?? '', new RegExp(`${paidInvoice.number}\\.pdf`));
      const bytes = Buffer.from(await res.arrayBuffer());
      assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
      const pdf = await readPdf(bytes);
      assert.equal(pdf.pages, 1);
      assert.match(String(pdf.info.Title), new RegExp(paidInvoice.number));
      for (const w of [paidInvoice.number, 'PT OmniStream Indonesia', 'Toko Bayar', ...words])
        assert.ok(pdf.text.includes(w), `${lang} PDF says "${w}": ${pdf.text}`);
    }
  });

  it('Snap failing is retried; refused for good, the payment fails with the reason', async () => {
    const d = await registerTenant(api, 'Toko Gagal');
    const sub = (await d.api.post('/api/v1/billing/subscription', { planId: plans.starter.id })).body;
    const invoiceId = sub.openInvoices[0].id;
    midtrans.failNext(1, { status: 503, path: /snap/ });
    await d.api.post(`/api/v1/billing/invoices/${invoiceId}/pay`, { provider: 'midtrans' });
    // Retries back off on the server's clock: move it on until the retry has run.
    const pending = await eventually(
      async () => {
        clock.advance(1000);
        const p = (await d.api.get(`/api/v1/billing/invoices/${invoiceId}`)).body.payments[0];
        return p.status === 'pending' ? p : null;
      },
      8000,
      'the retried Snap call',
    );
    assert.equal(midtrans.requests.filter((r) => r.body?.transaction_details?.order_id === pending.orderId).length, 2, 'asked twice');
    assert.ok(pending.redirectUrl);

    // Cancelled now: the open invoice is void and takes no payment.
    const cancelled = await d.api.post('/api/v1/billing/subscription/cancel', { atPeriodEnd: false });
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.status, 'cancelled');
    assert.equal((await d.api.get(`/api/v1/billing/invoices/${invoiceId}`)).body.status, 'void');
    assertProblem(await d.api.post(`/api/v1/billing/invoices/${invoiceId}/pay`, {}), 409, ['invoiceId']);
  });

  it('renewal, past due (402), dunning reminders, and a bank transfer the operator marks paid', async () => {
    const sub = (await subscription(c)).subscription;
    clock.set(new Date(new Date(sub.currentPeriodEnd).getTime() + 60_000));
    await cycle();
    let state = await subscription(c);
    assert.equal(state.subscription.status, 'active');
    assert.equal(state.openInvoices.length, 1);
    assert.equal(state.openInvoices[0].total, 150000, 'the coupon was for the first invoice only');
    const renewal = state.openInvoices[0];

    clock.advance(7 * DAY);
    await cycle();
    state = await subscription(c);
    assert.equal(state.subscription.status, 'past_due');
    const refused = await c.api.post('/api/v1/agents', {
      name: 'Sari',
      email: `sari.${Date.now()}@example.test`,
      password: 'agent password 1',
      roleId: await roleId(c.api, 'agent'),
    });
    assertProblem(refused, 402);
    assert.equal(refused.body.type, 'https://omnistream.dev/problems/payment-required');
    assert.equal(refused.body.invoice.number, (await c.api.get(`/api/v1/billing/invoices/${renewal.id}`)).body.number);
    assertProblem(await c.api.post('/api/v1/billing/subscription/change-plan', { planId: plans.growth.id }), 402);

    clock.advance(1 * DAY + 60_000);
    await cycle();
    await cycle();
    const reminders = (await c.api.get('/api/v1/activity-logs?action=billing.payment_reminder')).body.data;
    assert.equal(reminders.length, 1, 'one reminder per step');

    const transfer = await c.api.post(`/api/v1/billing/invoices/${renewal.id}/pay`, { provider: 'bank_transfer' });
    assert.equal(transfer.status, 202);
    assert.equal(transfer.body.status, 'pending');
    assert.equal(transfer.body.bankTransfer.accountNumber, '1234567890');
    assert.match(transfer.body.bankTransfer.reference, /^INV-2026-\d{6}-\d+$/);
    const marked = await operator.post(`/api/v1/billing-admin/invoices/${renewal.id}/mark-paid`, { reference: 'BCA 0001' });
    assert.equal(marked.status, 200, JSON.stringify(marked.body));
    assert.equal(marked.body.status, 'paid');
    assert.equal(marked.body.paidVia, 'bank_transfer');
    assertProblem(await operator.post(`/api/v1/billing-admin/invoices/${renewal.id}/mark-paid`, {}), 409);
    assertProblem(await operator.post('/api/v1/billing-admin/invoices/00000000-0000-7000-8000-000000000000/mark-paid', {}), 404);
    assert.equal((await subscription(c)).subscription.status, 'active');
  });

  it('an unpaid first invoice expires the subscription; a past-due one is cancelled after the last reminder', async () => {
    const e = await registerTenant(api, 'Toko Lupa');
    const first = (await e.api.post('/api/v1/billing/subscription', { planId: plans.starter.id })).body.openInvoices[0];
    clock.advance(7 * DAY + 60_000);
    await cycle();
    assert.equal((await subscription(e)).subscription, null);
    assert.equal((await e.api.get(`/api/v1/billing/invoices/${first.id}`)).body.status, 'void');

    const f = await registerTenant(api, 'Toko Telat');
    const inv = (await f.api.post('/api/v1/billing/subscription', { planId: plans.starter.id })).body.openInvoices[0];
    await operator.post(`/api/v1/billing-admin/invoices/${inv.id}/mark-paid`, {});
    const period = (await subscription(f)).subscription;
    clock.set(new Date(new Date(period.currentPeriodEnd).getTime() + 60_000));
    await cycle();
    clock.advance(7 * DAY + 60_000);
    await cycle();
    assert.equal((await subscription(f)).subscription.status, 'past_due');
    clock.advance(14 * DAY);
    await cycle();
    const state = await subscription(f);
    assert.equal(state.subscription, null, 'cancelled');
    assert.equal(state.source, 'default_plan');
  });

  it('cancel at the period end keeps the plan until then; cancel now voids open invoices', async () => {
    const g = await registerTenant(api, 'Toko Pamit');
    const inv = (await g.api.post('/api/v1/billing/subscription', { planId: plans.starter.id })).body.openInvoices[0];
    await operator.post(`/api/v1/billing-admin/invoices/${inv.id}/mark-paid`, {});
    const cancelled = await g.api.post('/api/v1/billing/subscription/cancel', { reason: 'Tutup toko' });
    assert.equal(cancelled.status, 200, JSON.stringify(cancelled.body));
    assert.equal(cancelled.body.cancelAtPeriodEnd, true);
    assert.equal(cancelled.body.status, 'active');
    clock.set(new Date(new Date(cancelled.body.currentPeriodEnd).getTime() + 60_000));
    await cycle();
    assert.equal((await subscription(g)).subscription, null);
    assert.equal((await g.api.get('/api/v1/billing/invoices?status=open')).body.data.length, 0, 'no renewal invoice');
    assertProblem(await g.api.post('/api/v1/billing/subscription/cancel', {}), 409);
  });

  it('changing plan prorates: an upgrade invoices the difference for the rest of the period, a downgrade leaves credit', async () => {
    const h = await registerTenant(api, 'Toko Naik');
    const inv = (await h.api.post('/api/v1/billing/subscription', { planId: plans.starter.id })).body.openInvoices[0];
    await operator.post(`/api/v1/billing-admin/invoices/${inv.id}/mark-paid`, {});
    const sub = (await subscription(h)).subscription;
    const start = new Date(sub.currentPeriodStart).getTime();
    const end = new Date(sub.currentPeriodEnd).getTime();
    clock.set(new Date(start + (end - start) / 4));
    const fraction = (end - clock.now().getTime()) / (end - start);
    const up = await h.api.post('/api/v1/billing/subscription/change-plan', { planId: plans.growth.id });
    assert.equal(up.status, 200, JSON.stringify(up.body));
    assert.equal(up.body.planInForce.code, 'growth');
    assert.equal(up.body.limits.agents, 10, 'new limits at once');
    const upgrade = (await h.api.get(`/api/v1/billing/invoices/${up.body.openInvoices[0].id}`)).body;
    assert.equal(upgrade.reason, 'subscription_update');
    assert.deepEqual(
      upgrade.lines.map((l: any) => l.amount),
      [Math.round(450000 * fraction), -Math.round(150000 * fraction)],
    );
    assert.equal(upgrade.total, Math.round(450000 * fraction) - Math.round(150000 * fraction));
    await operator.post(`/api/v1/billing-admin/invoices/${upgrade.id}/mark-paid`, {});

    clock.set(new Date(start + (end - start) / 2));
    const half = (end - clock.now().getTime()) / (end - start);
    const down = await h.api.post('/api/v1/billing/subscription/change-plan', { planId: plans.starter.id });
    assert.equal(down.status, 200);
    assert.deepEqual(down.body.openInvoices, []);
    const credit = Math.round(450000 * half) - Math.round(150000 * half);
    assert.equal(down.body.subscription.creditBalance, credit);
    // The next invoice takes the credit off.
    clock.set(new Date(end + 60_000));
    await cycle();
    const next = (await h.api.get('/api/v1/billing/invoices')).body.data[0];
    assert.equal(next.reason, 'subscription_cycle');
    assert.equal(next.credit, Math.min(credit, 150000));
    assert.equal(next.total, 150000 - Math.min(credit, 150000));
  });

  it('add-ons: attach (its limits add up, the rest of the period invoiced), list, detach (credit), 4xx', async () => {
    const addon = (
      await operator.post('/api/v1/billing-admin/addons', {
        code: 'extra-agents',
        name: '5 extra agents',
        prices: { IDR: 50000 },
        limits: { agents: 5 },
      })
    ).body;
    const yearly = (
      await operator.post('/api/v1/billing-admin/addons', {
        code: 'yearly-pack',
        name: 'Yearly pack',
        prices: { IDR: 500000 },
        interval: 'year',
        limits: { channels: 1 },
      })
    ).body;
    const k = await registerTenant(api, 'Toko Tambah');
    assertProblem(await k.api.post('/api/v1/billing/subscription/addons', { addonId: addon.id }), 409, ['subscription']);
    const inv = (await k.api.post('/api/v1/billing/subscription', { planId: plans.starter.id })).body.openInvoices[0];
    await operator.post(`/api/v1/billing-admin/invoices/${inv.id}/mark-paid`, {});
    assert.deepEqual(
      (await k.api.get('/api/v1/billing/addons')).body.data.map((a: any) => a.code),
      ['extra-agents', 'yearly-pack'],
    );
    const attached = await k.api.post('/api/v1/billing/subscription/addons', { addonId: addon.id, quantity: 2 });
    assert.equal(attached.status, 201, JSON.stringify(attached.body));
    assert.equal(attached.body.quantity, 2);
    assert.equal((await subscription(k)).limits.agents, 12);
    assert.equal((await k.api.get('/api/v1/billing/subscription/addons')).body.data.length, 1);
    const charge = (await k.api.get('/api/v1/billing/invoices?status=open')).body.data[0];
    assert.equal(charge.reason, 'addon');
    assert.equal(charge.total, 100000, 'the whole period is still ahead');
    assertProblem(await k.api.post('/api/v1/billing/subscription/addons', { addonId: addon.id }), 409, ['addonId']);
    assertProblem(await k.api.post('/api/v1/billing/subscription/addons', { addonId: yearly.id }), 422, ['addonId']);
    assertProblem(await k.api.post('/api/v1/billing/subscription/addons', { addonId: addon.id, quantity: 0 }), 400, ['quantity']);
    assertProblem(await operator.delete(`/api/v1/billing-admin/addons/${addon.id}`), 409);
    clock.advance(DAY);
    assert.equal((await k.api.delete(`/api/v1/billing/subscription/addons/${addon.id}`)).status, 204);
    assert.ok((await subscription(k)).subscription.creditBalance > 0, 'unused time credited');
    assertProblem(await k.api.delete(`/api/v1/billing/subscription/addons/${addon.id}`), 404);
    assert.equal((await operator.delete(`/api/v1/billing-admin/addons/${addon.id}`)).status, 204);
  });

  it('the monthly conversation allowance: customers are always heard, replies beyond the allowance are refused', async () => {
    const m = await registerTenant(api, 'Toko Ramai');
    const inv = (await m.api.post('/api/v1/billing/subscription', { planId: plans.starter.id })).body.openInvoices[0];
    await operator.post(`/api/v1/billing-admin/invoices/${inv.id}/mark-paid`, {});
    const wa = await connectWhatsApp(m.api, '912000000000001');
    const customers = ['6281300000001', '6281300000002', '6281300000003'];
    for (const from of customers) {
      const ts = String(Math.floor(clock.now().getTime() / 1000));
      const res = await postWebhook(
        server.url,
        waPayload('wa-text.json', wa.phoneNumberId, { from, message: { id: wamid('BL'), timestamp: ts, text: { body: 'Halo kak' } } }),
        wa.appSecret,
      );
      assert.equal(res.status, 200);
      await settle(server.appliance);
      clock.advance(1000);
    }
    await settle(server.appliance);
    const conversations = (await m.api.get('/api/v1/conversations?limit=50')).body.data;
    assert.equal(conversations.length, 3, 'every inbound conversation is stored, over the allowance too');
    const byPhone = (p: string) => conversations.find((x: any) => x.contact.phone === `+${p}`);
    const usage = (await m.api.get('/api/v1/billing/usage')).body;
    assert.equal(usage.usage.monthlyConversations, 3);
    assert.deepEqual(
      usage.warnings.find((w: any) => w.limit === 'monthlyConversations'),
      { limit: 'monthlyConversations', used: 3, allowed: 2, level: 'over' },
    );
    assert.equal(
      (await m.api.post(`/api/v1/conversations/${byPhone(customers[0]).id}/messages`, { type: 'text', text: 'Siap' })).status,
      202,
    );
    assert.equal(
      (await m.api.post(`/api/v1/conversations/${byPhone(customers[1]).id}/messages`, { type: 'text', text: 'Siap' })).status,
      202,
    );
    const refused = await m.api.post(`/api/v1/conversations/${byPhone(customers[2]).id}/messages`, { type: 'text', text: 'Siap' });
    assertProblem(refused, 403);
    assert.equal(refused.body.limit, 'monthlyConversations');
    assert.equal(refused.body.plan.code, 'starter');
    // The customer's next message is stored all the same.
    await postWebhook(
      server.url,
      waPayload('wa-text.json', wa.phoneNumberId, {
        from: customers[2],
        message: { id: wamid('BL'), timestamp: String(Math.floor(clock.now().getTime() / 1000)), text: { body: 'Halo?' } },
      }),
      wa.appSecret,
    );
    await settle(server.appliance);
    const messages = (await m.api.get(`/api/v1/conversations/${byPhone(customers[2]).id}/messages`)).body.data;
    assert.equal(messages.length, 2);
  });

  it('refunds: through Midtrans (partial, then the rest), a refusal reported, and 4xx', async () => {
    const first = await operator.post(`/api/v1/billing-admin/invoices/${paidInvoice.id}/refund`, { amount: 50000, reason: 'Goodwill' });
    assert.equal(first.status, 202, JSON.stringify(first.body));
    assert.equal(first.body.status, 'pending');
    await settle(server.appliance);
    const call = midtrans.requests.find((r) => r.path === `/v2/${paidInvoice.payments[0].orderId}/refund`);
    assert.ok(call, 'Midtrans was asked');
    assert.equal(call.body.amount, 50000);
    assert.equal(call.body.reason, 'Goodwill');
    assert.match(call.body.refund_key, /^rf-/);
    let invoice = (await c.api.get(`/api/v1/billing/invoices/${paidInvoice.id}`)).body;
    assert.equal(invoice.status, 'partially_refunded');
    assert.equal(invoice.amountRefunded, 50000);
    assert.equal(invoice.refunds[0].status, 'succeeded');
    assertProblem(await operator.post(`/api/v1/billing-admin/invoices/${paidInvoice.id}/refund`, { amount: 100000, reason: 'x' }), 422, [
      'amount',
    ]);
    assertProblem(await operator.post(`/api/v1/billing-admin/invoices/${paidInvoice.id}/refund`, { amount: 1 }), 400, ['reason']);

    midtrans.failNext(1, {
      status: 200,
      path: /refund/,
      body: { status_code: '412', status_message: 'Merchant cannot modify the status of the transaction' },
    });
    await operator.post(`/api/v1/billing-admin/invoices/${paidInvoice.id}/refund`, { amount: 10000, reason: 'Try' });
    await eventually(
      async () => (await c.api.get(`/api/v1/billing/invoices/${paidInvoice.id}`)).body.refunds.find((r: any) => r.status === 'failed'),
      5000,
      'the refused refund',
    );
    invoice = (await c.api.get(`/api/v1/billing/invoices/${paidInvoice.id}`)).body;
    assert.match(invoice.refunds.find((r: any) => r.status === 'failed').failureReason, /412/);
    assert.equal(invoice.amountRefunded, 50000, 'a refused refund changes nothing');

    const rest = await operator.post(`/api/v1/billing-admin/invoices/${paidInvoice.id}/refund`, { reason: 'Closing' });
    assert.equal(rest.body.amount, 85000);
    await settle(server.appliance);
    invoice = (await c.api.get(`/api/v1/billing/invoices/${paidInvoice.id}`)).body;
    assert.equal(invoice.status, 'refunded');
    assertProblem(await operator.post(`/api/v1/billing-admin/invoices/${paidInvoice.id}/refund`, { reason: 'Again' }), 409);
    const open = (await c.api.get('/api/v1/billing/invoices?status=open')).body.data[0];
    if (open) assertProblem(await operator.post(`/api/v1/billing-admin/invoices/${open.id}/refund`, { reason: 'x' }), 409);
  });

  it("another organization's invoices, payment methods and add-ons answer 404 and change nothing", async () => {
    const invoiceId = paidInvoice.id;
    assertProblem(await b.api.get(`/api/v1/billing/invoices/${invoiceId}`), 404);
    assertProblem(await b.api.get(`/api/v1/billing/invoices/${invoiceId}/pdf`), 404);
    assertProblem(await b.api.post(`/api/v1/billing/invoices/${invoiceId}/pay`, {}), 404);
    assert.equal((await b.api.get('/api/v1/billing/invoices')).body.data.length, 0);
    const method = (await c.api.get('/api/v1/billing/payment-methods')).body.data[0];
    assertProblem(await b.api.delete(`/api/v1/billing/payment-methods/${method.id}`), 404);
    assert.equal((await c.api.get('/api/v1/billing/payment-methods')).body.data.length, 1);
    assert.deepEqual((await b.api.get('/api/v1/billing/payment-methods')).body.data, []);
    assert.equal((await b.api.get('/api/v1/billing/subscription')).body.subscription, null);
    assertProblem(await b.api.post('/api/v1/billing/subscription/cancel', {}), 409);
    assertProblem(await b.api.delete(`/api/v1/billing/subscription/addons/${method.id}`), 409);
  });

  it('payment methods: add (bank transfer keeps only the last 4 digits), default, delete, 4xx; only billing managers', async () => {
    const added = await c.api.post('/api/v1/billing/payment-methods', {
      type: 'bank_transfer',
      bankName: 'Mandiri',
      accountName: 'Toko Bayar',
      accountNumber: '1370012345678',
      isDefault: true,
    });
    assert.equal(added.status, 201, JSON.stringify(added.body));
    assert.equal(added.body.details.accountNumberLast4, '5678');
    assert.ok(!JSON.stringify(added.body).includes('1370012345678'));
    const list = (await c.api.get('/api/v1/billing/payment-methods')).body.data;
    assert.deepEqual(
      list.map((m: any) => [m.type, m.isDefault]),
      [
        ['midtrans', false],
        ['bank_transfer', true],
      ],
    );
    assertProblem(await c.api.post('/api/v1/billing/payment-methods', { type: 'bank_transfer', accountName: 'x' }), 400, ['bankName']);
    assertProblem(await c.api.post('/api/v1/billing/payment-methods', { type: 'paypal' }), 400);
    assert.equal((await c.api.delete(`/api/v1/billing/payment-methods/${added.body.id}`)).status, 204);
    assert.equal((await c.api.get('/api/v1/billing/payment-methods')).body.data[0].isDefault, true, 'the other one becomes the default');
    assertProblem(await c.api.delete(`/api/v1/billing/payment-methods/${added.body.id}`), 404);
    // Admins run the team but not the money: reading the plan and usage is for everyone, the rest needs billing.manage.
    assert.equal((await b.api.post('/api/v1/billing/subscription', { planId: plans.growth.id })).status, 201);
    const admin = await createAgent(b.api, 'admin');
    assert.equal((await admin.api.get('/api/v1/billing/subscription')).status, 200);
    assert.equal((await admin.api.get('/api/v1/billing/usage')).status, 200);
    assertProblem(await admin.api.get('/api/v1/billing/invoices'), 403);
    assertProblem(await admin.api.post('/api/v1/billing/subscription/cancel', {}), 403);
  });

  it('coupon validation names why a code does not apply', async () => {
    const ok = (await c.api.post('/api/v1/billing/coupons/validate', { code: 'hemat10', planId: plans.growth.id })).body;
    assert.equal(ok.valid, true);
    assert.equal(ok.coupon.percentOff, 10);
    const unknown = (await c.api.post('/api/v1/billing/coupons/validate', { code: 'NOPE' })).body;
    assert.deepEqual([unknown.valid, unknown.reason], [false, 'No such coupon']);
    await operator.post('/api/v1/billing-admin/coupons', { code: 'STARTONLY', amountOff: { IDR: 20000 }, planIds: [plans.starter.id] });
    assert.equal(
      (await c.api.post('/api/v1/billing/coupons/validate', { code: 'startonly', planId: plans.growth.id })).body.reason,
      'This coupon does not apply to this plan',
    );
    assert.equal(
      (await c.api.post('/api/v1/billing/coupons/validate', { code: 'startonly', currency: 'USD' })).body.reason,
      'This coupon has no discount in USD',
    );
    assertProblem(await c.api.post('/api/v1/billing/coupons/validate', {}), 400, ['code']);
    assertProblem(await c.api.post('/api/v1/billing/coupons/validate', { code: 'X', planId: 'nope' }), 422, ['planId']);
  });
});
