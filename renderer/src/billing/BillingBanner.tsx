// Shown across the top of the app before a limit is reached (80% and more), at and over it, while
// the subscription is past due or waiting for its first payment, and in a trial's last days.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router-dom';
import { useSession } from '../components/RequireAuth';
import { billingApi, type SubscriptionState, type Usage } from './api';
import './billing.css';

const REFRESH_MS = 5 * 60_000;

export function BillingBanner() {
  const { t } = useTranslation('billing');
  const canManage = useSession().session.permissions.includes('billing.manage');
  const location = useLocation();
  const [usage, setUsage] = useState<Usage | null>(null);
  const [state, setState] = useState<SubscriptionState | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: refreshed on navigation (after adding an agent, paying…)
  useEffect(() => {
    let live = true;
    const load = () =>
      Promise.all([billingApi.usage(), billingApi.subscription()]).then(
        ([u, s]) => {
          if (live) {
            setUsage(u);
            setState(s);
          }
        },
        () => undefined,
      );
    load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [location.pathname]);
  if (!usage?.billingEnabled || !state) return null;
  const messages: { level: 'warn' | 'danger'; text: string }[] = [];
  const sub = state.subscription;
  if (sub?.status === 'past_due')
    messages.push({ level: 'danger', text: t('billing.banner.pastDue', { number: state.openInvoices[0]?.number ?? '' }) });
  if (sub?.status === 'incomplete') messages.push({ level: 'warn', text: t('billing.banner.incomplete') });
  if (sub?.status === 'trialing' && sub.trialEnd) {
    const days = Math.ceil((new Date(sub.trialEnd).getTime() - Date.now()) / 86_400_000);
    if (days <= 3) messages.push({ level: 'warn', text: t('billing.banner.trialEnding', { count: Math.max(0, days) }) });
  }
  for (const w of usage.warnings) {
    messages.push({
      level: w.level === 'near' ? 'warn' : 'danger',
      text: t(`billing.banner.${w.level}`, {
        limit: t(`billing.limit.${w.limit}`),
        used: w.used,
        allowed: w.allowed,
        plan: usage.plan?.name ?? '',
      }),
    });
  }
  if (messages.length === 0) return null;
  const worst = messages.some((m) => m.level === 'danger') ? 'danger' : 'warn';
  return (
    <div className={`billing-banner billing-banner--${worst}`} role="status" data-testid="billing-banner">
      <span>{messages.map((m) => m.text).join(' · ')}</span>
      {canManage && location.pathname !== '/billing' ? (
        <Link to="/billing" data-testid="billing-banner-link">
          {t('billing.banner.open')}
        </Link>
      ) : null}
    </div>
  );
}
