// CSAT: whether a satisfaction survey goes out when a conversation is resolved (and its wording,
// language and lifetime), and the results: averages, the 1–5 distribution and the same by agent,
// division, channel or period. Bars are plain CSS, so no chart library ships with the app.
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { FormError } from '../../components/FormError';
import { SubmitButton } from '../../components/SubmitButton';
import { errorMessage } from '../../errors';
import { locale } from '../../format';
import { teamApi, type CsatAnalytics, type CsatBucket, type CsatGroupBy, type CsatSettings } from '../api';
import { useWorkspace } from '../../workspace';
import { SettingsField } from '../../settings/SettingsDialogForm';
import { SettingsPage } from '../../settings/SettingsLayout';
import { SaveStatus, Toggle, fieldErrorsOf, problemText, type SaveState } from '../../settings/ui';
import './CsatPage.css';

function SettingsCard() {
  const { t } = useTranslation('teamwork');
  const [settings, setSettings] = useState<CsatSettings | null>(null);
  const [state, setState] = useState<SaveState>({ kind: 'idle' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [loadError, setLoadError] = useState<string>();

  useEffect(() => {
    teamApi.csatSettings().then(setSettings, (err: unknown) => setLoadError(errorMessage(t, err)));
  }, [t]);

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!settings) return;
    setState({ kind: 'saving' });
    try {
      setSettings(await teamApi.saveCsatSettings({ ...settings, message: settings.message?.trim() || null }));
      setErrors({});
      setState({ kind: 'saved' });
    } catch (err) {
      setErrors(fieldErrorsOf(err, t));
      setState({ kind: 'error', message: problemText(t, err) });
    }
  }

  if (loadError) return <FormError message={loadError} />;
  if (!settings) return <div className="skeleton skeleton--block" />;
  const set = (patch: Partial<CsatSettings>) => setSettings({ ...settings, ...patch });
  return (
    <form className="card settings-card" onSubmit={save} noValidate data-testid="csat-settings">
      <h3 className="card__title">{t('csatSettings.title')}</h3>
      <Toggle
        checked={settings.enabled}
        onChange={(enabled) => set({ enabled })}
        label={t('csatSettings.enabled')}
        hint={t('csatSettings.enabledHint')}
        testId="csat-enabled"
      />
      <div className="form-grid">
        <SettingsField label={t('csatSettings.expiryHours')} htmlFor="csat-expiry" error={errors.expiryHours}>
          <input
            id="csat-expiry"
            className="field__input"
            type="number"
            min={1}
            max={720}
            value={settings.expiryHours}
            onChange={(e) => set({ expiryHours: Number(e.target.value) })}
            data-testid="csat-expiry"
          />
        </SettingsField>
        <SettingsField label={t('csatSettings.language')} htmlFor="csat-language">
          <select
            id="csat-language"
            className="field__input"
            value={settings.language}
            onChange={(e) => set({ language: e.target.value as 'id' | 'en' })}
            data-testid="csat-language"
          >
            <option value="id">{t('language.id')}</option>
            <option value="en">{t('language.en')}</option>
          </select>
        </SettingsField>
      </div>
      <SettingsField
        label={t('csatSettings.message')}
        htmlFor="csat-message"
        error={errors.message}
        hint={t('csatSettings.messageHint', { token: '{{url}}' })}
      >
        <textarea
          id="csat-message"
          className="field__input"
          rows={3}
          maxLength={900}
          value={settings.message ?? ''}
          placeholder={t('csatSettings.messagePlaceholder')}
          onChange={(e) => set({ message: e.target.value })}
        />
      </SettingsField>
      <div className="save-bar">
        <SaveStatus state={state} testId="csat-status" />
        <SubmitButton busy={state.kind === 'saving'} busyLabel={t('settings.saving')} data-testid="csat-save">
          {t('common.save')}
        </SubmitButton>
      </div>
    </form>
  );
}

function Distribution({ bucket }: { bucket: CsatBucket }) {
  const { t } = useTranslation('teamwork');
  const max = Math.max(1, ...Object.values(bucket.distribution));
  return (
    <ul className="dist" aria-label={t('csatAnalytics.distribution')}>
      {(['5', '4', '3', '2', '1'] as const).map((score) => {
        const n = bucket.distribution[score];
        return (
          <li key={score} className="dist__row">
            <span className="dist__label">{t('csatAnalytics.stars', { count: Number(score) })}</span>
            <span className="dist__track">
              <span className={`dist__bar dist__bar--${score}`} style={{ width: `${(n / max) * 100}%` }} />
            </span>
            <span className="dist__value">{n}</span>
          </li>
        );
      })}
    </ul>
  );
}

const PERIODS = [7, 30, 90] as const;
const GROUPS: CsatGroupBy[] = ['agent', 'division', 'channel', 'day', 'week', 'month'];

function AnalyticsCard() {
  const { t, i18n } = useTranslation('teamwork');
  const [days, setDays] = useState<(typeof PERIODS)[number]>(30);
  const [groupBy, setGroupBy] = useState<CsatGroupBy>('agent');
  const [data, setData] = useState<CsatAnalytics | null>(null);
  const [error, setError] = useState<string>();

  useEffect(() => {
    let cancelled = false;
    setError(undefined);
    const to = new Date();
    const from = new Date(to.getTime() - days * 24 * 3600_000);
    teamApi.csatAnalytics({ from: from.toISOString(), to: to.toISOString(), groupBy }).then(
      (d) => !cancelled && setData(d),
      (err: unknown) => !cancelled && setError(errorMessage(t, err)),
    );
    return () => {
      cancelled = true;
    };
  }, [days, groupBy, t]);

  const number = (n: number | null, digits = 1) =>
    n === null ? '—' : new Intl.NumberFormat(locale(i18n.resolvedLanguage), { maximumFractionDigits: digits }).format(n);
  // csat comes in percent; responseRate as a fraction.
  const percent = (n: number | null) => (n === null ? '—' : `${number(n, 0)}%`);
  const rate = (b: CsatBucket) => (b.responseRate === null ? '—' : `${number(b.responseRate * 100, 0)}%`);
  const groupLabel = (g: CsatAnalytics['groups'][number]) => {
    if (g.key === null) return t('csatAnalytics.none');
    if (groupBy === 'channel') return t(`channel.${g.key as 'whatsapp'}`, { defaultValue: g.key });
    return g.label ?? g.key;
  };

  return (
    <section className="card settings-card" aria-labelledby="csat-analytics-title" data-testid="csat-analytics">
      <div className="settings-card__head">
        <h3 id="csat-analytics-title" className="card__title">
          {t('csatAnalytics.title')}
        </h3>
        <div className="inline-row">
          <select value={days} onChange={(e) => setDays(Number(e.target.value) as 7 | 30 | 90)} aria-label={t('csatAnalytics.period')}>
            {PERIODS.map((d) => (
              <option key={d} value={d}>
                {t('csatAnalytics.lastDays', { count: d })}
              </option>
            ))}
          </select>
          <select
            value={groupBy}
            onChange={(e) => setGroupBy(e.target.value as CsatGroupBy)}
            aria-label={t('csatAnalytics.groupBy')}
            data-testid="csat-group-by"
          >
            {GROUPS.map((g) => (
              <option key={g} value={g}>
                {t(`csatAnalytics.by.${g}`)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <FormError message={error} />
      {!data && !error ? <div className="skeleton skeleton--block" /> : null}
      {data ? (
        <>
          <div className="stat-tiles">
            <div className="stat-tile">
              <span className="stat-tile__value" data-testid="csat-average">
                {number(data.summary.average)}
              </span>
              <span className="stat-tile__label">{t('csatAnalytics.average')}</span>
            </div>
            <div className="stat-tile">
              <span className="stat-tile__value">{percent(data.summary.csat)}</span>
              <span className="stat-tile__label">{t('csatAnalytics.csat')}</span>
            </div>
            <div className="stat-tile">
              <span className="stat-tile__value">{rate(data.summary)}</span>
              <span className="stat-tile__label">{t('csatAnalytics.responseRate')}</span>
            </div>
            <div className="stat-tile">
              <span className="stat-tile__value">
                {data.summary.answered}/{data.summary.sent}
              </span>
              <span className="stat-tile__label">{t('csatAnalytics.answeredOfSent')}</span>
            </div>
          </div>
          <h4 className="settings-subtitle">{t('csatAnalytics.distribution')}</h4>
          <Distribution bucket={data.summary} />
          <h4 className="settings-subtitle">{t(`csatAnalytics.by.${groupBy}`)}</h4>
          {data.groups.length === 0 ? (
            <p className="muted">{t('csatAnalytics.empty')}</p>
          ) : (
            <div className="table-wrap">
              <table className="data-table">
                <thead>
                  <tr>
                    <th>{t(`csatAnalytics.column.${groupBy}`)}</th>
                    <th>{t('csatAnalytics.average')}</th>
                    <th className="num">{t('csatAnalytics.csat')}</th>
                    <th className="num">{t('csatAnalytics.answered')}</th>
                    <th className="num">{t('csatAnalytics.responseRate')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.groups.map((g) => (
                    <tr key={g.key ?? 'none'}>
                      <td>{groupLabel(g)}</td>
                      <td>
                        <span className="avg-bar">
                          <span className="avg-bar__track">
                            <span className="avg-bar__fill" style={{ width: `${((g.average ?? 0) / 5) * 100}%` }} />
                          </span>
                          <span>{number(g.average)}</span>
                        </span>
                      </td>
                      <td className="num">{percent(g.csat)}</td>
                      <td className="num">
                        {g.answered}/{g.sent}
                      </td>
                      <td className="num">{rate(g)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <p className="field__hint">{t('csatAnalytics.timezone', { timezone: data.timezone })}</p>
        </>
      ) : null}
    </section>
  );
}

export function CsatPage() {
  const { can } = useWorkspace();
  return (
    <SettingsPage>
      {can('settings.manage') ? <SettingsCard /> : null}
      {can('analytics.view') ? <AnalyticsCard /> : null}
    </SettingsPage>
  );
}
