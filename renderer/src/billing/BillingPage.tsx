// The organization's billing page: its plan and subscription, usage against the limits, the plans
// on offer (subscribe or change, with a coupon), add-ons, invoices (PDF in English or Indonesian,
// pay online through Midtrans's page or by bank transfer) and payment methods.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { ApiError } from '../api';
import { errorMessage } from '../errors';
import { usePageTitle } from '../usePageTitle';
import { useSession } from '../components/RequireAuth';
import {
  billingApi,
  LIMIT_NAMES,
  isCurrency,
  money,
  type Currency,
  type Addon,
  type Invoice,
  type Payment,
  type PaymentMethod,
  type Plan,
  type SubscriptionState,
  type Usage,
} from './api';
import './billing.css';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function useBillingError() {
  const { t } = useTranslation('billing');
  return (err: unknown) =>
    err instanceof ApiError && err.status >= 400 && err.status < 500 && err.status !== 429 && err.detail
      ? err.detail
      : errorMessage(t, err);
}

export function UsageBars({ usage }: { usage: Usage }) {
  const { t } = useTranslation('billing');
  return (
    <div className="billing-usage" data-testid="billing-usage">
      {LIMIT_NAMES.map((name) => {
        const allowed = usage.limits[name];
        const used = usage.usage[name];
        const pct = allowed ? Math.min(100, Math.round((used / allowed) * 100)) : 0;
        const level = usage.warnings.find((w) => w.limit === name)?.level;
        return (
          <div key={name} className="billing-usage__row" data-testid={`usage-${name}`}>
            <span className="billing-usage__label">{t(`billing.limit.${name}`)}</span>
            <span className="billing-usage__value">
              {allowed === null ? t('billing.usedUnlimited', { used }) : t('billing.usedOf', { used, allowed })}
            </span>
            {allowed !== null ? (
              <span className={`billing-usage__bar billing-usage__bar--${level ?? 'ok'}`}>
                <span style={{ width: `${pct}%` }} />
              </span>
            ) : null}
          </div>
        );
      })}
    </div>
  );
}

function PlanCard({
  plan,
  currency,
  state,
  busy,
  onChoose,
}: {
  plan: Plan;
  currency: string;
  state: SubscriptionState;
  busy: boolean;
  onChoose(plan: Plan): void;
}) {
  const { t, i18n } = useTranslation('billing');
  const current = state.subscription?.planId === plan.id;
  const price = plan.prices[currency];
  return (
    <div className={`card billing-plan${current ? ' billing-plan--current' : ''}`} data-testid={`plan-card-${plan.code}`}>
      <h3 className="billing-plan__name">{plan.name}</h3>
      <p className="billing-plan__price">
        {price === undefined ? t('billing.noPriceIn', { currency }) : money(price, currency, i18n.language)}
        <small> / {t(`billing.per.${plan.interval}`)}</small>
      </p>
      {plan.description ? <p className="billing-plan__desc">{plan.description}</p> : null}
      <ul className="billing-plan__limits">
        {LIMIT_NAMES.map((n) => (
          <li key={n}>
            {t(`billing.limit.${n}`)}:{' '}
            <strong>{plan.limits[n] === null ? t('billing.unlimited') : plan.limits[n]?.toLocaleString(i18n.language)}</strong>
          </li>
        ))}
        {plan.features.map((f) => (
          <li key={f}>✓ {f}</li>
        ))}
      </ul>
      {plan.trialDays > 0 && !state.subscription ? (
        <p className="billing-plan__trial">{t('billing.trialDays', { count: plan.trialDays })}</p>
      ) : null}
      <button
        type="button"
        className={current ? 'button button--secondary' : 'button button--primary'}
        disabled={current || busy || price === undefined}
        onClick={() => onChoose(plan)}
        data-testid={`plan-choose-${plan.code}`}
      >
        {current ? t('billing.currentPlan') : state.subscription ? t('billing.switchPlan') : t('billing.subscribe')}
      </button>
    </div>
  );
}

function InvoiceRow({ invoice, onPaid, onError }: { invoice: Invoice; onPaid(): void; onError(message: string): void }) {
  const { t, i18n } = useTranslation('billing');
  const describe = useBillingError();
  const [busy, setBusy] = useState(false);
  const [transfer, setTransfer] = useState<Payment | null>(null);
  const lang = i18n.language.startsWith('id') ? 'id' : 'en';
  async function payOnline() {
    setBusy(true);
    try {
      let payment = await billingApi.pay(invoice.id, 'midtrans');
      // The hosted page is asked for by a background job: wait for its address.
      for (let i = 0; i < 40 && !payment.redirectUrl && payment.status === 'creating'; i++) {
        await sleep(750);
        payment = (await billingApi.invoice(invoice.id, lang)).payments?.find((p) => p.id === payment.id) ?? payment;
      }
      if (payment.redirectUrl) window.location.assign(payment.redirectUrl);
      else onError(payment.failureReason ?? t('billing.payLater'));
    } catch (err) {
      onError(describe(err));
    } finally {
      setBusy(false);
    }
  }
  async function payByTransfer() {
    setBusy(true);
    try {
      setTransfer(await billingApi.pay(invoice.id, 'bank_transfer'));
      onPaid();
    } catch (err) {
      onError(describe(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <tr data-testid="invoice-row">
        <td>{invoice.number}</td>
        <td>{new Date(invoice.issuedAt).toLocaleDateString(i18n.language)}</td>
        <td>{new Date(invoice.dueAt).toLocaleDateString(i18n.language)}</td>
        <td>{money(invoice.total, invoice.currency, i18n.language)}</td>
        <td>
          <span className={`billing-badge billing-badge--${invoice.status}`} data-testid="invoice-status">
            {t(`billing.invoiceStatus.${invoice.status}`)}
          </span>
        </td>
        <td className="billing-actions">
          <a className="button button--secondary button--sm" href={`${invoice.pdfUrl}?lang=${lang}`} download data-testid="invoice-pdf">
            PDF
          </a>
          {invoice.status === 'open' ? (
            <>
              <button
                type="button"
                className="button button--primary button--sm"
                disabled={busy}
                onClick={payOnline}
                data-testid="invoice-pay"
              >
                {t('billing.payOnline')}
              </button>
              <button
                type="button"
                className="button button--secondary button--sm"
                disabled={busy}
                onClick={payByTransfer}
                data-testid="invoice-transfer"
              >
                {t('billing.payTransfer')}
              </button>
            </>
          ) : null}
        </td>
      </tr>
      {transfer?.bankTransfer ? (
        <tr>
          <td colSpan={6} className="billing-transfer" data-testid="transfer-instructions">
            {t('billing.transferTo', {
              bank: transfer.bankTransfer.bankName,
              account: transfer.bankTransfer.accountNumber,
              name: transfer.bankTransfer.accountName,
              amount: money(transfer.amount, transfer.currency, i18n.language),
              reference: transfer.bankTransfer.reference,
            })}
          </td>
        </tr>
      ) : null}
    </>
  );
}

function PaymentMethods({ onError }: { onError(message: string): void }) {
  const { t } = useTranslation('billing');
  const describe = useBillingError();
  const [methods, setMethods] = useState<PaymentMethod[]>([]);
  const [type, setType] = useState<'midtrans' | 'bank_transfer'>('midtrans');
  const [bankName, setBankName] = useState('');
  const [accountName, setAccountName] = useState('');
  const load = useCallback(
    () =>
      billingApi.methods().then(
        (r) => setMethods(r.data),
        () => undefined,
      ),
    [],
  );
  useEffect(() => {
    load();
  }, [load]);
  async function add() {
    try {
      await billingApi.addMethod(type === 'midtrans' ? { type } : { type, bankName, accountName });
      setBankName('');
      setAccountName('');
      load();
    } catch (err) {
      onError(describe(err));
    }
  }
  return (
    <section className="card" data-testid="payment-methods">
      <h2 className="card__title">{t('billing.methods')}</h2>
      <ul className="billing-list">
        {methods.map((m) => (
          <li key={m.id}>
            {m.label} {m.isDefault ? <span className="billing-badge">{t('billing.default')}</span> : null}
            <button
              type="button"
              className="button button--secondary button--sm"
              onClick={() => billingApi.deleteMethod(m.id).then(load, (e) => onError(describe(e)))}
            >
              {t('billing.remove')}
            </button>
          </li>
        ))}
        {methods.length === 0 ? <li className="muted">{t('billing.noMethods')}</li> : null}
      </ul>
      <div className="billing-form">
        <select
          className="field__input"
          value={type}
          onChange={(e) => setType(e.target.value as 'midtrans')}
          aria-label={t('billing.methodType')}
        >
          <option value="midtrans">{t('billing.method.midtrans')}</option>
          <option value="bank_transfer">{t('billing.method.bank_transfer')}</option>
        </select>
        {type === 'bank_transfer' ? (
          <>
            <input
              className="field__input"
              placeholder={t('billing.bankName')}
              value={bankName}
              onChange={(e) => setBankName(e.target.value)}
            />
            <input
              className="field__input"
              placeholder={t('billing.accountName')}
              value={accountName}
              onChange={(e) => setAccountName(e.target.value)}
            />
          </>
        ) : null}
        <button type="button" className="button button--secondary" onClick={add} data-testid="method-add">
          {t('billing.addMethod')}
        </button>
      </div>
    </section>
  );
}

export function BillingPage() {
  const { t, i18n } = useTranslation('billing');
  usePageTitle(t('billing.title'));
  const { session } = useSession();
  const canManage = session.permissions.includes('billing.manage');
  const describe = useBillingError();
  const [params] = useSearchParams();
  const [state, setState] = useState<SubscriptionState | null>(null);
  const [usage, setUsage] = useState<Usage | null>(null);
  const [plans, setPlans] = useState<Plan[]>([]);
  const [addons, setAddons] = useState<Addon[]>([]);
  const [invoices, setInvoices] = useState<Invoice[]>([]);
  const [currency, setCurrency] = useState<Currency>('IDR');
  const [coupon, setCoupon] = useState('');
  const [couponNote, setCouponNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const lang = i18n.language.startsWith('id') ? 'id' : 'en';

  const load = useCallback(async () => {
    try {
      const [s, u, p, a] = await Promise.all([billingApi.subscription(), billingApi.usage(), billingApi.plans(), billingApi.addons()]);
      setState(s);
      setUsage(u);
      setPlans(p.data);
      setAddons(a.data);
      if (s.subscription && isCurrency(s.subscription.currency)) setCurrency(s.subscription.currency);
      if (canManage) setInvoices((await billingApi.invoices(lang)).data);
    } catch (err) {
      setError(describe(err));
    }
  }, [canManage, lang, describe]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: load once per language and permission
  useEffect(() => {
    load();
  }, [canManage, lang]);
  useEffect(() => {
    if (params.get('invoice')) setNotice(t('billing.returned'));
  }, [params, t]);

  const currencies = [...new Set(plans.flatMap((p) => Object.keys(p.prices)))].filter(isCurrency);

  async function act(work: () => Promise<unknown>, done?: string) {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await work();
      if (done) setNotice(done);
      await load();
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  }

  async function checkCoupon() {
    if (!coupon.trim()) return setCouponNote(null);
    try {
      const res = await billingApi.validateCoupon(coupon.trim(), undefined, currency);
      setCouponNote(
        res.valid && res.coupon
          ? t('billing.couponValid', {
              off: res.coupon.percentOff
                ? `${res.coupon.percentOff}%`
                : money(res.coupon.amountOff?.[currency] ?? 0, currency, i18n.language),
            })
          : t('billing.couponInvalid', { reason: res.reason }),
      );
    } catch (err) {
      setCouponNote(describe(err));
    }
  }

  function choose(plan: Plan) {
    if (state?.subscription) act(() => billingApi.changePlan(plan.id), t('billing.changed', { plan: plan.name }));
    else
      act(
        () => billingApi.subscribe({ planId: plan.id, currency, couponCode: coupon.trim() || undefined }),
        t('billing.subscribed', { plan: plan.name }),
      );
  }

  if (!state || !usage)
    return (
      <div className="page-status" role="status">
        {error ? <p className="form-error">{error}</p> : <span className="spinner spinner--dark" aria-hidden="true" />}
      </div>
    );
  const sub = state.subscription;
  const attached = new Set(state.addons.map((a) => a.addon.id));
  return (
    <div className="billing-page" data-testid="billing-page">
      <h1 className="page-title">{t('billing.title')}</h1>
      {error ? (
        <p className="form-error" role="alert" data-testid="billing-error">
          {error}
        </p>
      ) : null}
      {notice ? (
        <p className="billing-notice" role="status" data-testid="billing-notice">
          {notice}
        </p>
      ) : null}
      {!state.billingEnabled ? (
        <section className="card" data-testid="billing-off">
          <p>{t('billing.off')}</p>
        </section>
      ) : (
        <>
          <section className="card billing-status" data-testid="billing-status">
            <h2 className="card__title">{t('billing.yourPlan')}</h2>
            {sub ? (
              <>
                <p>
                  <strong data-testid="billing-plan-name">{sub.plan?.name}</strong>{' '}
                  <span className={`billing-badge billing-badge--${sub.status}`} data-testid="subscription-status">
                    {t(`billing.status.${sub.status}`)}
                  </span>
                </p>
                <p className="muted">
                  {sub.status === 'trialing' && sub.trialEnd
                    ? t('billing.trialEnds', { date: new Date(sub.trialEnd).toLocaleDateString(i18n.language) })
                    : sub.cancelAtPeriodEnd
                      ? t('billing.endsOn', { date: new Date(sub.currentPeriodEnd).toLocaleDateString(i18n.language) })
                      : t('billing.renewsOn', { date: new Date(sub.currentPeriodEnd).toLocaleDateString(i18n.language) })}
                  {sub.creditBalance > 0
                    ? ` · ${t('billing.credit', { amount: money(sub.creditBalance, sub.currency, i18n.language) })}`
                    : ''}
                </p>
                {canManage && !sub.cancelAtPeriodEnd ? (
                  <button
                    type="button"
                    className="button button--secondary button--sm"
                    disabled={busy}
                    onClick={() => window.confirm(t('billing.cancelConfirm')) && act(() => billingApi.cancel(true), t('billing.cancelled'))}
                    data-testid="subscription-cancel"
                  >
                    {sub.status === 'incomplete' ? t('billing.cancelNow') : t('billing.cancelAtEnd')}
                  </button>
                ) : null}
              </>
            ) : (
              <p data-testid="billing-no-subscription">
                {state.planInForce ? t('billing.onDefault', { plan: state.planInForce.name }) : t('billing.noSubscription')}
              </p>
            )}
            <UsageBars usage={usage} />
          </section>

          {canManage ? (
            <section className="card" data-testid="billing-plans">
              <h2 className="card__title">{sub ? t('billing.changePlan') : t('billing.choosePlan')}</h2>
              <div className="billing-form">
                {currencies.length > 1 && !sub ? (
                  <select
                    className="field__input"
                    value={currency}
                    onChange={(e) => setCurrency(e.target.value as Currency)}
                    aria-label={t('billing.currency')}
                  >
                    {currencies.map((c) => (
                      <option key={c}>{c}</option>
                    ))}
                  </select>
                ) : null}
                {!sub ? (
                  <>
                    <input
                      className="field__input"
                      placeholder={t('billing.coupon')}
                      value={coupon}
                      onChange={(e) => setCoupon(e.target.value)}
                      onBlur={checkCoupon}
                      data-testid="coupon-input"
                    />
                    {couponNote ? (
                      <span className="muted" data-testid="coupon-note">
                        {couponNote}
                      </span>
                    ) : null}
                  </>
                ) : null}
              </div>
              <div className="billing-plans">
                {plans.map((p) => (
                  <PlanCard key={p.id} plan={p} currency={currency} state={state} busy={busy} onChoose={choose} />
                ))}
              </div>
            </section>
          ) : null}

          {canManage && sub && addons.length > 0 ? (
            <section className="card" data-testid="billing-addons">
              <h2 className="card__title">{t('billing.addons')}</h2>
              <ul className="billing-list">
                {addons.map((a) => (
                  <li key={a.id}>
                    <strong>{a.name}</strong> ·{' '}
                    {a.prices[sub.currency] !== undefined ? money(a.prices[sub.currency], sub.currency, i18n.language) : '–'} /{' '}
                    {t(`billing.per.${a.interval}`)}
                    {attached.has(a.id) ? (
                      <button
                        type="button"
                        className="button button--secondary button--sm"
                        disabled={busy}
                        onClick={() => act(() => billingApi.detach(a.id))}
                      >
                        {t('billing.detach')}
                      </button>
                    ) : (
                      <button
                        type="button"
                        className="button button--primary button--sm"
                        disabled={busy}
                        onClick={() => act(() => billingApi.attach(a.id, 1))}
                      >
                        {t('billing.attach')}
                      </button>
                    )}
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
        </>
      )}

      {canManage && invoices.length > 0 ? (
        <section className="card" data-testid="billing-invoices">
          <h2 className="card__title">{t('billing.invoices')}</h2>
          <table className="data-table">
            <thead>
              <tr>
                <th>{t('billing.number')}</th>
                <th>{t('billing.issued')}</th>
                <th>{t('billing.due')}</th>
                <th>{t('billing.total')}</th>
                <th>{t('billing.statusLabel')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {invoices.map((inv) => (
                <InvoiceRow key={inv.id} invoice={inv} onPaid={() => undefined} onError={setError} />
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      {canManage && state.billingEnabled ? <PaymentMethods onError={setError} /> : null}
    </div>
  );
}
