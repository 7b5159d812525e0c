// The operator's billing, a tab of the operator console: plans, add-ons, coupons, every
// organization's invoices (mark a bank transfer paid, refund), payment provider settings and
// revenue (MRR, monthly revenue chart, revenue by plan, churn).
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import {
  billingAdminApi,
  CURRENCIES,
  LIMIT_NAMES,
  money,
  toMajor,
  toMinor,
  type AdminAddon as Addon,
  type Coupon,
  type AdminInvoice as Invoice,
  type AdminPlan as Plan,
  type Revenue,
  type Settings,
} from './api';
import { useBillingError } from './BillingPage';
import './billing.css';

type Section = 'plans' | 'addons' | 'coupons' | 'invoices' | 'settings' | 'revenue';
const SECTIONS: Section[] = ['plans', 'addons', 'coupons', 'invoices', 'settings', 'revenue'];

const num = (v: string) => (v.trim() === '' ? null : Number(v));

function Plans({ onError }: { onError(m: string | null): void }) {
  const { t, i18n } = useTranslation('billing');
  const describe = useBillingError();
  const [plans, setPlans] = useState<Plan[]>([]);
  const [form, setForm] = useState({
    code: '',
    name: '',
    currency: 'IDR',
    price: '',
    interval: 'month' as Plan['interval'],
    trialDays: '0',
    agents: '',
    channels: '',
    monthlyConversations: '',
    aiTokens: '',
    features: '',
    isDefault: false,
    isPublic: true,
  });
  const load = useCallback(
    () =>
      billingAdminApi.plans().then(
        (r) => setPlans(r.data),
        (e) => onError(describe(e)),
      ),
    [onError, describe],
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: load once
  useEffect(() => {
    load();
  }, []);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  async function create(e: FormEvent) {
    e.preventDefault();
    onError(null);
    try {
      await billingAdminApi.createPlan({
        code: form.code,
        name: form.name,
        prices: { [form.currency]: toMinor(Number(form.price || 0), form.currency) },
        interval: form.interval,
        trialDays: Number(form.trialDays || 0),
        limits: Object.fromEntries(LIMIT_NAMES.map((n) => [n, num(form[n])])),
        features: form.features
          .split(',')
          .map((f) => f.trim())
          .filter(Boolean),
        isDefault: form.isDefault,
        isPublic: form.isPublic,
      });
      setForm({ ...form, code: '', name: '', price: '' });
      load();
    } catch (err) {
      onError(describe(err));
    }
  }
  return (
    <>
      <table className="data-table" data-testid="admin-plans">
        <thead>
          <tr>
            <th>{t('billing.admin.name')}</th>
            <th>{t('billing.admin.price')}</th>
            {LIMIT_NAMES.map((n) => (
              <th key={n}>{t(`billing.limit.${n}`)}</th>
            ))}
            <th>{t('billing.admin.subscribers')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {plans.map((p) => (
            <tr key={p.id} data-testid="admin-plan-row">
              <td>
                <strong>{p.name}</strong> <code>{p.code}</code>{' '}
                {p.isDefault ? <span className="billing-badge">{t('billing.admin.default')}</span> : null}{' '}
                {!p.isPublic ? <span className="billing-badge">{t('billing.admin.hidden')}</span> : null}
              </td>
              <td>
                {Object.entries(p.prices)
                  .map(([c, v]) => money(v, c, i18n.language))
                  .join(' · ')}{' '}
                / {t(`billing.per.${p.interval}`)}
              </td>
              {LIMIT_NAMES.map((n) => (
                <td key={n}>{p.limits[n] ?? '∞'}</td>
              ))}
              <td>{p.subscribers ?? 0}</td>
              <td className="billing-actions">
                <button
                  type="button"
                  className="button button--secondary button--sm"
                  onClick={() => billingAdminApi.updatePlan(p.id, { isPublic: !p.isPublic }).then(load, (e) => onError(describe(e)))}
                >
                  {p.isPublic ? t('billing.admin.hide') : t('billing.admin.show')}
                </button>
                <button
                  type="button"
                  className="button button--secondary button--sm"
                  onClick={() =>
                    window.confirm(t('billing.admin.deleteConfirm', { name: p.name })) &&
                    billingAdminApi.deletePlan(p.id).then(load, (e) => onError(describe(e)))
                  }
                >
                  {t('billing.remove')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="card billing-form" onSubmit={create} data-testid="plan-form">
        <h3 className="card__title">{t('billing.admin.newPlan')}</h3>
        <input
          className="field__input"
          placeholder={t('billing.admin.code')}
          value={form.code}
          onChange={set('code')}
          data-testid="plan-code"
          required
        />
        <input
          className="field__input"
          placeholder={t('billing.admin.name')}
          value={form.name}
          onChange={set('name')}
          data-testid="plan-name"
          required
        />
        <select className="field__input" value={form.currency} onChange={set('currency')} aria-label={t('billing.currency')}>
          {CURRENCIES.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
        <input
          className="field__input"
          type="number"
          min="0"
          step="any"
          placeholder={t('billing.admin.price')}
          value={form.price}
          onChange={set('price')}
          data-testid="plan-price"
          required
        />
        <select className="field__input" value={form.interval} onChange={set('interval')} aria-label={t('billing.admin.interval')}>
          <option value="month">{t('billing.per.month')}</option>
          <option value="year">{t('billing.per.year')}</option>
        </select>
        <label>
          {t('billing.admin.trialDays')}{' '}
          <input className="field__input" type="number" min="0" value={form.trialDays} onChange={set('trialDays')} />
        </label>
        {LIMIT_NAMES.map((n) => (
          <input
            key={n}
            className="field__input"
            type="number"
            min="0"
            placeholder={`${t(`billing.limit.${n}`)} (∞)`}
            value={form[n]}
            onChange={set(n)}
            data-testid={`plan-limit-${n}`}
          />
        ))}
        <input className="field__input" placeholder={t('billing.admin.features')} value={form.features} onChange={set('features')} />
        <label>
          <input type="checkbox" checked={form.isDefault} onChange={(e) => setForm({ ...form, isDefault: e.target.checked })} />{' '}
          {t('billing.admin.isDefault')}
        </label>
        <button type="submit" className="button button--primary" data-testid="plan-create">
          {t('billing.admin.create')}
        </button>
      </form>
    </>
  );
}

function Addons({ onError }: { onError(m: string | null): void }) {
  const { t, i18n } = useTranslation('billing');
  const describe = useBillingError();
  const [addons, setAddons] = useState<Addon[]>([]);
  const [form, setForm] = useState({ code: '', name: '', price: '', limit: 'agents', amount: '' });
  const load = useCallback(
    () =>
      billingAdminApi.addons().then(
        (r) => setAddons(r.data),
        (e) => onError(describe(e)),
      ),
    [onError, describe],
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: load once
  useEffect(() => {
    load();
  }, []);
  async function create(e: FormEvent) {
    e.preventDefault();
    try {
      await billingAdminApi.createAddon({
        code: form.code,
        name: form.name,
        prices: { IDR: toMinor(Number(form.price || 0), 'IDR') },
        limits: { [form.limit]: Number(form.amount || 0) },
      });
      setForm({ ...form, code: '', name: '', price: '', amount: '' });
      load();
    } catch (err) {
      onError(describe(err));
    }
  }
  return (
    <>
      <ul className="billing-list">
        {addons.map((a) => (
          <li key={a.id}>
            <strong>{a.name}</strong> <code>{a.code}</code> ·{' '}
            {Object.entries(a.prices)
              .map(([c, v]) => money(v, c, i18n.language))
              .join(' · ')}{' '}
            ·{' '}
            {LIMIT_NAMES.filter((n) => a.limits[n])
              .map((n) => `+${a.limits[n]} ${t(`billing.limit.${n}`)}`)
              .join(', ')}
            <button
              type="button"
              className="button button--secondary button--sm"
              onClick={() => billingAdminApi.deleteAddon(a.id).then(load, (e) => onError(describe(e)))}
            >
              {t('billing.remove')}
            </button>
          </li>
        ))}
      </ul>
      <form className="card billing-form" onSubmit={create}>
        <h3 className="card__title">{t('billing.admin.newAddon')}</h3>
        <input
          className="field__input"
          placeholder={t('billing.admin.code')}
          value={form.code}
          onChange={(e) => setForm({ ...form, code: e.target.value })}
          required
        />
        <input
          className="field__input"
          placeholder={t('billing.admin.name')}
          value={form.name}
          onChange={(e) => setForm({ ...form, name: e.target.value })}
          required
        />
        <input
          className="field__input"
          type="number"
          min="0"
          placeholder={`${t('billing.admin.price')} (IDR)`}
          value={form.price}
          onChange={(e) => setForm({ ...form, price: e.target.value })}
          required
        />
        <select
          className="field__input"
          value={form.limit}
          onChange={(e) => setForm({ ...form, limit: e.target.value })}
          aria-label={t('billing.admin.adds')}
        >
          {LIMIT_NAMES.map((n) => (
            <option key={n} value={n}>
              {t(`billing.limit.${n}`)}
            </option>
          ))}
        </select>
        <input
          className="field__input"
          type="number"
          min="1"
          placeholder={t('billing.admin.adds')}
          value={form.amount}
          onChange={(e) => setForm({ ...form, amount: e.target.value })}
          required
        />
        <button type="submit" className="button button--primary">
          {t('billing.admin.create')}
        </button>
      </form>
    </>
  );
}

function Coupons({ onError }: { onError(m: string | null): void }) {
  const { t } = useTranslation('billing');
  const describe = useBillingError();
  const [coupons, setCoupons] = useState<Coupon[]>([]);
  const [form, setForm] = useState({ code: '', percentOff: '', duration: 'once' as Coupon['duration'], durationCycles: '' });
  const load = useCallback(
    () =>
      billingAdminApi.coupons().then(
        (r) => setCoupons(r.data),
        (e) => onError(describe(e)),
      ),
    [onError, describe],
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: load once
  useEffect(() => {
    load();
  }, []);
  async function create(e: FormEvent) {
    e.preventDefault();
    try {
      await billingAdminApi.createCoupon({
        code: form.code,
        percentOff: Number(form.percentOff),
        duration: form.duration,
        ...(form.duration === 'repeating' ? { durationCycles: Number(form.durationCycles) } : {}),
      });
      setForm({ ...form, code: '', percentOff: '' });
      load();
    } catch (err) {
      onError(describe(err));
    }
  }
  return (
    <>
      <ul className="billing-list">
        {coupons.map((c) => (
          <li key={c.id}>
            <code>{c.code}</code> · {c.percentOff ? `${c.percentOff}%` : JSON.stringify(c.amountOff)} ·{' '}
            {t(`billing.admin.duration.${c.duration}`)} · {t('billing.admin.redeemed', { count: c.redemptions })}{' '}
            {!c.active ? <span className="billing-badge">{t('billing.admin.inactive')}</span> : null}
            <button
              type="button"
              className="button button--secondary button--sm"
              onClick={() => billingAdminApi.updateCoupon(c.id, { active: !c.active }).then(load, (e) => onError(describe(e)))}
            >
              {c.active ? t('billing.admin.deactivate') : t('billing.admin.activate')}
            </button>
            <button
              type="button"
              className="button button--secondary button--sm"
              onClick={() => billingAdminApi.deleteCoupon(c.id).then(load, (e) => onError(describe(e)))}
            >
              {t('billing.remove')}
            </button>
          </li>
        ))}
      </ul>
      <form className="card billing-form" onSubmit={create}>
        <h3 className="card__title">{t('billing.admin.newCoupon')}</h3>
        <input
          className="field__input"
          placeholder={t('billing.admin.code')}
          value={form.code}
          onChange={(e) => setForm({ ...form, code: e.target.value })}
          required
        />
        <input
          className="field__input"
          type="number"
          min="1"
          max="100"
          placeholder="%"
          value={form.percentOff}
          onChange={(e) => setForm({ ...form, percentOff: e.target.value })}
          required
        />
        <select
          className="field__input"
          value={form.duration}
          onChange={(e) => setForm({ ...form, duration: e.target.value as Coupon['duration'] })}
          aria-label={t('billing.admin.durationLabel')}
        >
          {(['once', 'repeating', 'forever'] as const).map((d) => (
            <option key={d} value={d}>
              {t(`billing.admin.duration.${d}`)}
            </option>
          ))}
        </select>
        {form.duration === 'repeating' ? (
          <input
            className="field__input"
            type="number"
            min="1"
            placeholder={t('billing.admin.cycles')}
            value={form.durationCycles}
            onChange={(e) => setForm({ ...form, durationCycles: e.target.value })}
            required
          />
        ) : null}
        <button type="submit" className="button button--primary">
          {t('billing.admin.create')}
        </button>
      </form>
    </>
  );
}

function Invoices({ onError }: { onError(m: string | null): void }) {
  const { t, i18n } = useTranslation('billing');
  const describe = useBillingError();
  const lang = i18n.language.startsWith('id') ? 'id' : 'en';
  const [invoices, setInvoices] = useState<Invoice[]>([]);
  const [status, setStatus] = useState<Invoice['status'] | ''>('');
  const load = useCallback(
    () =>
      billingAdminApi.invoices(lang, status || undefined).then(
        (r) => setInvoices(r.data),
        (e) => onError(describe(e)),
      ),
    [lang, status, onError, describe],
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload when the filter or language changes
  useEffect(() => {
    load();
  }, [lang, status]);
  async function refund(inv: Invoice) {
    const reason = window.prompt(t('billing.admin.refundReason'));
    if (!reason) return;
    try {
      await billingAdminApi.refund(inv.id, { reason });
      load();
    } catch (err) {
      onError(describe(err));
    }
  }
  return (
    <>
      <select
        className="field__input"
        value={status}
        onChange={(e) => setStatus(e.target.value as Invoice['status'] | '')}
        aria-label={t('billing.statusLabel')}
      >
        <option value="">{t('billing.admin.all')}</option>
        {(['open', 'paid', 'void', 'refunded', 'partially_refunded'] as const).map((s) => (
          <option key={s} value={s}>
            {t(`billing.invoiceStatus.${s}`)}
          </option>
        ))}
      </select>
      <table className="data-table" data-testid="admin-invoices">
        <thead>
          <tr>
            <th>{t('billing.number')}</th>
            <th>{t('billing.admin.organization')}</th>
            <th>{t('billing.total')}</th>
            <th>{t('billing.statusLabel')}</th>
            <th>{t('billing.due')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {invoices.map((inv) => (
            <tr key={inv.id} data-testid="admin-invoice-row">
              <td>{inv.number}</td>
              <td>{inv.tenantName}</td>
              <td>{money(inv.total, inv.currency, i18n.language)}</td>
              <td>
                <span className={`billing-badge billing-badge--${inv.status}`}>{t(`billing.invoiceStatus.${inv.status}`)}</span>
              </td>
              <td>{new Date(inv.dueAt).toLocaleDateString(i18n.language)}</td>
              <td className="billing-actions">
                {inv.status === 'open' ? (
                  <button
                    type="button"
                    className="button button--primary button--sm"
                    onClick={() => billingAdminApi.markPaid(inv.id).then(load, (e) => onError(describe(e)))}
                    data-testid="admin-mark-paid"
                  >
                    {t('billing.admin.markPaid')}
                  </button>
                ) : null}
                {inv.status === 'paid' || inv.status === 'partially_refunded' ? (
                  <button type="button" className="button button--secondary button--sm" onClick={() => refund(inv)}>
                    {t('billing.admin.refund')}
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function SettingsForm({ onError }: { onError(m: string | null): void }) {
  const { t } = useTranslation('billing');
  const describe = useBillingError();
  const [settings, setSettings] = useState<Settings | null>(null);
  const [serverKey, setServerKey] = useState('');
  const [saved, setSaved] = useState(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: load once
  useEffect(() => {
    billingAdminApi.settings().then(setSettings, (e) => onError(describe(e)));
  }, []);
  if (!settings) return null;
  const s = settings;
  async function save(e: FormEvent) {
    e.preventDefault();
    onError(null);
    setSaved(false);
    try {
      const next = await billingAdminApi.saveSettings({
        midtrans: {
          enabled: s.midtrans.enabled,
          environment: s.midtrans.environment,
          clientKey: s.midtrans.clientKey || null,
          ...(serverKey ? { serverKey } : {}),
        },
        bankTransfer: {
          enabled: s.bankTransfer.enabled,
          bankName: s.bankTransfer.bankName || null,
          accountNumber: s.bankTransfer.accountNumber || null,
          accountName: s.bankTransfer.accountName || null,
          instructions: s.bankTransfer.instructions || null,
        },
        seller: { name: s.seller.name, address: s.seller.address || null, taxId: s.seller.taxId || null },
        invoices: { dueDays: s.invoices.dueDays },
      });
      setSettings(next);
      setServerKey('');
      setSaved(true);
    } catch (err) {
      onError(describe(err));
    }
  }
  const mid = (patch: Partial<Settings['midtrans']>) => setSettings({ ...s, midtrans: { ...s.midtrans, ...patch } });
  const bank = (patch: Partial<Settings['bankTransfer']>) => setSettings({ ...s, bankTransfer: { ...s.bankTransfer, ...patch } });
  return (
    <form className="card billing-settings" onSubmit={save} data-testid="billing-settings">
      <h3 className="card__title">Midtrans</h3>
      <label>
        <input type="checkbox" checked={s.midtrans.enabled} onChange={(e) => mid({ enabled: e.target.checked })} />{' '}
        {t('billing.admin.enabled')}
      </label>
      <select
        className="field__input"
        value={s.midtrans.environment}
        onChange={(e) => mid({ environment: e.target.value as 'sandbox' })}
        aria-label={t('billing.admin.environment')}
      >
        <option value="sandbox">Sandbox</option>
        <option value="production">Production</option>
      </select>
      <input
        className="field__input"
        type="password"
        placeholder={s.midtrans.serverKey ? `${t('billing.admin.serverKey')} ${s.midtrans.serverKey}` : t('billing.admin.serverKey')}
        value={serverKey}
        onChange={(e) => setServerKey(e.target.value)}
        autoComplete="off"
      />
      <input
        className="field__input"
        placeholder={t('billing.admin.clientKey')}
        value={s.midtrans.clientKey ?? ''}
        onChange={(e) => mid({ clientKey: e.target.value })}
      />
      <p className="muted">
        {s.midtrans.notificationUrl
          ? t('billing.admin.notificationUrl', { url: s.midtrans.notificationUrl })
          : t('billing.admin.noPublicUrl')}
      </p>
      <h3 className="card__title">{t('billing.method.bank_transfer')}</h3>
      <label>
        <input type="checkbox" checked={s.bankTransfer.enabled} onChange={(e) => bank({ enabled: e.target.checked })} />{' '}
        {t('billing.admin.enabled')}
      </label>
      <input
        className="field__input"
        placeholder={t('billing.bankName')}
        value={s.bankTransfer.bankName ?? ''}
        onChange={(e) => bank({ bankName: e.target.value })}
      />
      <input
        className="field__input"
        placeholder={t('billing.admin.accountNumber')}
        value={s.bankTransfer.accountNumber ?? ''}
        onChange={(e) => bank({ accountNumber: e.target.value })}
      />
      <input
        className="field__input"
        placeholder={t('billing.accountName')}
        value={s.bankTransfer.accountName ?? ''}
        onChange={(e) => bank({ accountName: e.target.value })}
      />
      <h3 className="card__title">{t('billing.admin.seller')}</h3>
      <input
        className="field__input"
        placeholder={t('billing.admin.name')}
        value={s.seller.name}
        onChange={(e) => setSettings({ ...s, seller: { ...s.seller, name: e.target.value } })}
      />
      <input
        className="field__input"
        placeholder={t('billing.admin.address')}
        value={s.seller.address ?? ''}
        onChange={(e) => setSettings({ ...s, seller: { ...s.seller, address: e.target.value } })}
      />
      <input
        className="field__input"
        placeholder={t('billing.admin.taxId')}
        value={s.seller.taxId ?? ''}
        onChange={(e) => setSettings({ ...s, seller: { ...s.seller, taxId: e.target.value } })}
      />
      <label>
        {t('billing.admin.dueDays')}{' '}
        <input
          className="field__input"
          type="number"
          min="0"
          max="90"
          value={s.invoices.dueDays}
          onChange={(e) => setSettings({ ...s, invoices: { ...s.invoices, dueDays: Number(e.target.value) } })}
        />
      </label>
      <button type="submit" className="button button--primary">
        {t('billing.admin.save')}
      </button>
      {saved ? <span role="status">{t('billing.admin.saved')}</span> : null}
    </form>
  );
}

function RevenueView({ onError }: { onError(m: string | null): void }) {
  const { t, i18n } = useTranslation('billing');
  const describe = useBillingError();
  const [revenue, setRevenue] = useState<Revenue | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: load once
  useEffect(() => {
    billingAdminApi.revenue().then(setRevenue, (e) => onError(describe(e)));
  }, []);
  if (!revenue) return null;
  const idr = revenue.revenueMonthly.data
    .filter((r) => r.currency === 'IDR')
    .map((r) => ({ month: r.month, revenue: toMajor(r.net, 'IDR') }));
  return (
    <div className="billing-admin" data-testid="billing-revenue">
      <div className="billing-kpis">
        {revenue.mrr.data.map((m) => (
          <div className="card" key={m.currency}>
            {t('billing.admin.mrr')} ({m.currency})
            <strong data-testid={`mrr-${m.currency}`}>{money(m.mrr, m.currency, i18n.language)}</strong>
            <span className="muted">{t('billing.admin.paying', { count: m.payingSubscriptions })}</span>
          </div>
        ))}
        <div className="card">
          {t('billing.admin.churn')} ({revenue.churn.month})<strong>{(revenue.churn.churnRate * 100).toFixed(1)}%</strong>
          <span className="muted">
            {t('billing.admin.cancelledOf', { cancelled: revenue.churn.cancelled, total: revenue.churn.subscriptionsAtStart })}
          </span>
        </div>
        <div className="card">
          {t('billing.admin.trialing')}
          <strong>{revenue.mrr.trialingSubscriptions}</strong>
        </div>
      </div>
      <section className="card">
        <h3 className="card__title">{t('billing.admin.monthly')} (IDR)</h3>
        <ResponsiveContainer width="100%" height={240}>
          <BarChart data={idr}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="month" fontSize={12} />
            <YAxis fontSize={12} />
            <Tooltip formatter={(v) => money(toMinor(Number(v), 'IDR'), 'IDR', i18n.language)} />
            <Legend />
            <Bar dataKey="revenue" name={t('billing.admin.netRevenue')} fill="#2563eb" />
          </BarChart>
        </ResponsiveContainer>
      </section>
      <table className="data-table">
        <thead>
          <tr>
            <th>{t('billing.admin.plan')}</th>
            <th>{t('billing.admin.revenue12')}</th>
            <th>{t('billing.admin.mrr')}</th>
            <th>{t('billing.admin.subscribers')}</th>
          </tr>
        </thead>
        <tbody>
          {revenue.revenueByPlan.data.map((r) => (
            <tr key={`${r.planId}-${r.currency}`}>
              <td>{r.planName}</td>
              <td>{money(r.revenue, r.currency, i18n.language)}</td>
              <td>{money(r.mrr, r.currency, i18n.language)}</td>
              <td>{r.subscriptions}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function BillingAdmin() {
  const { t } = useTranslation('billing');
  const [section, setSection] = useState<Section>('plans');
  const [error, setError] = useState<string | null>(null);
  return (
    <div className="billing-admin" data-testid="billing-admin">
      <nav className="billing-admin__tabs" aria-label={t('billing.admin.title')}>
        {SECTIONS.map((s) => (
          <button
            key={s}
            type="button"
            className={s === section ? 'button button--primary button--sm' : 'button button--secondary button--sm'}
            onClick={() => {
              setError(null);
              setSection(s);
            }}
            data-testid={`billing-tab-${s}`}
          >
            {t(`billing.admin.tab.${s}`)}
          </button>
        ))}
      </nav>
      {error ? (
        <p className="form-error" role="alert" data-testid="billing-admin-error">
          {error}
        </p>
      ) : null}
      {section === 'plans' ? <Plans onError={setError} /> : null}
      {section === 'addons' ? <Addons onError={setError} /> : null}
      {section === 'coupons' ? <Coupons onError={setError} /> : null}
      {section === 'invoices' ? <Invoices onError={setError} /> : null}
      {section === 'settings' ? <SettingsForm onError={setError} /> : null}
      {section === 'revenue' ? <RevenueView onError={setError} /> : null}
    </div>
  );
}
