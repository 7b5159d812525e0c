// Campaigns: the list, a form for a new draft (approved template and its values), and a campaign's
// page: recipients from a CSV (rows not used listed by line), send now or schedule on the
// organization's clock, cancel, and statistics that fill in while it sends.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { useToast } from '../components/Toasts';
import { fieldErrorsOf, problemText } from '../settings/ui';
import { broadcastApi, type AddResult, type Campaign, type Recipient, type WaTemplate } from './api';

const STAT_KEYS = ['total', 'queued', 'sent', 'delivered', 'read', 'replied', 'failed'] as const;

function CampaignStatus({ status }: { status: Campaign['status'] }) {
  const { t } = useTranslation('campaigns');
  return (
    <span className={`bc-status bc-status--${status}`} data-testid="campaign-status" data-status={status}>
      {t(`broadcast.campaigns.status.${status}`)}
    </span>
  );
}

function NewCampaign({ templates, onCreated }: { templates: WaTemplate[]; onCreated(c: Campaign): void }) {
  const { t } = useTranslation('campaigns');
  const approved = templates.filter((x) => x.status === 'APPROVED' && !x.paused);
  const [name, setName] = useState('');
  const [templateId, setTemplateId] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [rate, setRate] = useState(20);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [fields, setFields] = useState<Record<string, string>>({});
  const template = approved.find((x) => x.id === templateId);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const created = await broadcastApi.createCampaign({
        name: name.trim(),
        templateId: templateId || undefined,
        variables: template ? Object.fromEntries(template.variables.map((v) => [v.key, values[v.key] ?? ''])) : undefined,
        ratePerSecond: rate,
      });
      onCreated(created);
    } catch (err) {
      setFields(fieldErrorsOf(err, t));
      setError(problemText(t, err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="settings-card stack-form" onSubmit={submit} noValidate data-testid="campaign-form">
      <h3 className="card__title">{t('broadcast.campaigns.new')}</h3>
      {error ? <p className="form-error">{error}</p> : null}
      <div className="form-grid">
        <div className={fields.name ? 'field field--invalid' : 'field'}>
          <label className="field__label" htmlFor="cmp-name">
            {t('broadcast.campaigns.name')}
          </label>
          <input
            id="cmp-name"
            className="field__input"
            value={name}
            maxLength={200}
            onChange={(e) => setName(e.target.value)}
            data-testid="campaign-name"
          />
          {fields.name ? <p className="field__error">{fields.name}</p> : null}
        </div>
        <div className="field">
          <label className="field__label" htmlFor="cmp-template">
            {t('broadcast.campaigns.template')}
          </label>
          <select
            id="cmp-template"
            className="field__input"
            value={templateId}
            onChange={(e) => setTemplateId(e.target.value)}
            data-testid="campaign-template"
          >
            <option value="">{t('broadcast.campaigns.chooseTemplate')}</option>
            {approved.map((x) => (
              <option key={x.id} value={x.id}>
                {x.name} ({x.language})
              </option>
            ))}
          </select>
          {approved.length === 0 ? <p className="field__hint">{t('broadcast.campaigns.noApproved')}</p> : null}
        </div>
        <div className="field">
          <label className="field__label" htmlFor="cmp-rate">
            {t('broadcast.campaigns.rate')}
          </label>
          <input
            id="cmp-rate"
            className="field__input"
            type="number"
            min={1}
            max={1000}
            value={rate}
            onChange={(e) => setRate(Number(e.target.value) || 1)}
          />
        </div>
      </div>
      {template ? <p className="bc-item__body">{template.body}</p> : null}
      {template?.variables.map((v) => (
        <div className={fields[`variables.${v.key}`] ? 'field field--invalid' : 'field'} key={v.key}>
          <label className="field__label" htmlFor={`cmp-var-${v.key}`}>
            {t('broadcast.campaigns.value', { key: v.key })}
          </label>
          <input
            id={`cmp-var-${v.key}`}
            className="field__input"
            value={values[v.key] ?? ''}
            placeholder={v.example ?? ''}
            onChange={(e) => setValues({ ...values, [v.key]: e.target.value })}
            data-testid={`campaign-var-${v.key}`}
          />
          <p className={fields[`variables.${v.key}`] ? 'field__error' : 'field__hint'}>
            {fields[`variables.${v.key}`] ??
              t('broadcast.campaigns.valueHint', { fields: '{{name}}, {{first_name}}, {{kota}}', fallback: '{{name | Kak}}' })}
          </p>
        </div>
      ))}
      <div className="form-actions">
        <button type="submit" className="button button--primary" disabled={busy} data-testid="campaign-create">
          {t('broadcast.campaigns.create')}
        </button>
      </div>
    </form>
  );
}

export function CampaignsTab() {
  const { t } = useTranslation('campaigns');
  const navigate = useNavigate();
  const [campaigns, setCampaigns] = useState<Campaign[] | null>(null);
  const [templates, setTemplates] = useState<WaTemplate[]>([]);
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    const load = async () => {
      try {
        const [c, tpl] = await Promise.all([
          broadcastApi.campaigns(),
          broadcastApi.templates().catch(() => ({ data: [] as WaTemplate[] })),
        ]);
        if (!live) return;
        setCampaigns(c.data);
        setTemplates(tpl.data);
      } catch (err) {
        if (live) setError(problemText(t, err));
      }
    };
    void load();
    const timer = setInterval(() => void load(), 4000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [t]);

  return (
    <section className="bc-section" data-testid="campaigns-tab">
      <p className="settings-page__intro">{t('broadcast.campaigns.intro')}</p>
      {error ? <p className="form-error">{error}</p> : null}
      {campaigns && campaigns.length === 0 ? <p className="muted">{t('broadcast.campaigns.empty')}</p> : null}
      <ul className="entity-list">
        {(campaigns ?? []).map((c) => (
          <li key={c.id} className="bc-item" data-testid="campaign-row">
            <div className="bc-item__main">
              <Link to={`/broadcast/campaigns/${c.id}`}>
                <strong>{c.name}</strong>
              </Link>{' '}
              <span className="muted">· {c.template?.name ?? '—'}</span>
              <p className="muted">
                {t('broadcast.campaigns.stats.total')}: {c.stats.total} · {t('broadcast.campaigns.stats.sent')}: {c.reached.sent} ·{' '}
                {t('broadcast.campaigns.stats.read')}: {c.reached.read} · {t('broadcast.campaigns.stats.replied')}: {c.reached.replied}
              </p>
            </div>
            <div className="bc-item__side">
              <CampaignStatus status={c.status} />
            </div>
          </li>
        ))}
      </ul>
      <NewCampaign templates={templates} onCreated={(c) => navigate(`/broadcast/campaigns/${c.id}`)} />
    </section>
  );
}

function readFile(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result ?? ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsText(file);
  });
}

export function CampaignDetail() {
  const { t } = useTranslation('campaigns');
  const toast = useToast();
  const { campaignId = '' } = useParams();
  const [campaign, setCampaign] = useState<Campaign | null>(null);
  const [recipients, setRecipients] = useState<Recipient[]>([]);
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<AddResult | null>(null);
  const [scheduleAt, setScheduleAt] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      const [c, r] = await Promise.all([broadcastApi.campaign(campaignId), broadcastApi.recipients(campaignId)]);
      setCampaign(c);
      setRecipients(r.data);
    } catch (err) {
      setError(problemText(t, err));
    }
  }, [campaignId, t]);
  useEffect(() => {
    void load();
  }, [load]);
  // While it sends (or waits for its time), the statistics fill in.
  const active = campaign?.status === 'sending' || campaign?.status === 'scheduled';
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => void load(), 1000);
    return () => clearInterval(timer);
  }, [active, load]);

  async function act(work: () => Promise<unknown>) {
    setBusy(true);
    setError(undefined);
    try {
      await work();
      await load();
    } catch (err) {
      setError(problemText(t, err));
    } finally {
      setBusy(false);
    }
  }

  const upload = () =>
    act(async () => {
      if (!file) return;
      setResult(await broadcastApi.addRecipients(campaignId, { csv: await readFile(file) }));
    });
  const send = () =>
    act(async () => {
      await broadcastApi.send(campaignId, scheduleAt ? { scheduledLocal: scheduleAt } : {});
      if (!scheduleAt) toast(t('broadcast.campaigns.sentToast'), 'success');
    });
  const cancel = () => (window.confirm(t('broadcast.campaigns.confirmCancel')) ? act(() => broadcastApi.cancel(campaignId)) : undefined);

  if (!campaign) return error ? <p className="form-error">{error}</p> : null;
  const skipped = campaign.skipped.duplicates + campaign.skipped.optedOut + campaign.skipped.invalid;
  const stat = (key: (typeof STAT_KEYS)[number]) =>
    key === 'total' || key === 'queued' || key === 'failed'
      ? campaign.stats[key]
      : campaign.reached[key as 'sent' | 'delivered' | 'read' | 'replied'];
  return (
    <section className="bc-section" data-testid="campaign-detail">
      <Link to="/broadcast/campaigns" className="link-button">
        ← {t('broadcast.campaigns.back')}
      </Link>
      <header className="bc-section__header">
        <h2 className="settings-page__title">{campaign.name}</h2>
        <CampaignStatus status={campaign.status} />
      </header>
      <p className="muted">
        {campaign.template?.name} · {campaign.ratePerSecond}/s
        {campaign.status === 'scheduled' && campaign.scheduledLocal
          ? ` · ${t('broadcast.campaigns.scheduledFor', { time: campaign.scheduledLocal.replace('T', ' '), zone: campaign.timezone })}`
          : ''}
      </p>
      {campaign.failureReason ? <p className="form-error">{t('broadcast.campaigns.failure', { reason: campaign.failureReason })}</p> : null}
      {error ? (
        <p className="form-error" role="alert" data-testid="campaign-error">
          {error}
        </p>
      ) : null}
      <div className="bc-stats" data-testid="campaign-stats">
        {STAT_KEYS.map((key) => (
          <div key={key} className="bc-stat" data-testid={`stat-${key}`}>
            <span className="bc-stat__value" data-testid={`stat-${key}-value`}>
              {stat(key)}
            </span>
            <span className="bc-stat__label">{t(`broadcast.campaigns.stats.${key}`)}</span>
          </div>
        ))}
        <div className="bc-stat" title={t('broadcast.campaigns.skippedDetail', campaign.skipped)}>
          <span className="bc-stat__value" data-testid="stat-skipped-value">
            {skipped}
          </span>
          <span className="bc-stat__label">{t('broadcast.campaigns.stats.skipped')}</span>
        </div>
      </div>
      {campaign.status === 'draft' ? (
        <div className="settings-card stack-form">
          <h3 className="card__title">{t('broadcast.campaigns.recipients')}</h3>
          <div className="field">
            <label className="field__label" htmlFor="cmp-csv">
              {t('broadcast.campaigns.csv')}
            </label>
            <input
              id="cmp-csv"
              type="file"
              accept=".csv,text/csv"
              onChange={(e) => setFile(e.target.files?.[0] ?? null)}
              data-testid="campaign-csv"
            />
            <p className="field__hint">{t('broadcast.campaigns.csvHint')}</p>
          </div>
          <div className="form-actions">
            {campaign.stats.total > 0 ? (
              <button
                type="button"
                className="button button--secondary"
                disabled={busy}
                onClick={() => act(() => broadcastApi.clearRecipients(campaignId))}
              >
                {t('broadcast.campaigns.clear')}
              </button>
            ) : null}
            <button
              type="button"
              className="button button--primary"
              disabled={busy || !file}
              onClick={upload}
              data-testid="campaign-upload"
            >
              {t('broadcast.campaigns.add')}
            </button>
          </div>
          {result ? (
            <div data-testid="campaign-upload-result">
              <p>
                {t('broadcast.campaigns.added', {
                  added: result.added,
                  skipped: result.skipped.duplicates + result.skipped.optedOut + result.skipped.invalid,
                })}
              </p>
              {result.errors.length ? (
                <details>
                  <summary>{t('broadcast.campaigns.rowErrors')}</summary>
                  <ul className="mini-list">
                    {result.errors.map((e) => (
                      <li key={`${e.line}-${e.value}`}>
                        {t('broadcast.campaigns.line', { line: e.line })}: {e.value ?? ''} — {e.message}
                      </li>
                    ))}
                  </ul>
                </details>
              ) : null}
            </div>
          ) : null}
        </div>
      ) : null}
      {campaign.status === 'draft' || campaign.status === 'scheduled' ? (
        <div className="settings-card stack-form">
          <div className="form-grid">
            <div className="field">
              <label className="field__label" htmlFor="cmp-schedule">
                {t('broadcast.campaigns.scheduleAt')}
              </label>
              <input
                id="cmp-schedule"
                className="field__input"
                type="datetime-local"
                value={scheduleAt}
                onChange={(e) => setScheduleAt(e.target.value)}
              />
            </div>
          </div>
          <div className="form-actions">
            <button type="button" className="button button--primary" disabled={busy} onClick={send} data-testid="campaign-send">
              {scheduleAt ? t('broadcast.campaigns.schedule') : t('broadcast.campaigns.sendNow')}
            </button>
          </div>
        </div>
      ) : null}
      {['draft', 'scheduled', 'sending'].includes(campaign.status) ? (
        <button type="button" className="button button--secondary" disabled={busy} onClick={cancel} data-testid="campaign-cancel">
          {t('broadcast.campaigns.cancel')}
        </button>
      ) : null}
      <h3 className="card__title">{t('broadcast.campaigns.recipients')}</h3>
      {recipients.length === 0 ? <p className="muted">{t('broadcast.campaigns.noRecipients')}</p> : null}
      {recipients.length ? (
        <table className="bc-table" data-testid="recipient-table">
          <thead>
            <tr>
              <th>{t('broadcast.campaigns.phone')}</th>
              <th>{t('broadcast.campaigns.name')}</th>
              <th>{t('broadcast.campaigns.recipientStatus')}</th>
              <th>{t('broadcast.campaigns.error')}</th>
            </tr>
          </thead>
          <tbody>
            {recipients.map((r) => (
              <tr key={r.id} data-testid="recipient-row">
                <td>{r.phone}</td>
                <td>{r.name ?? ''}</td>
                <td>
                  {r.conversationId ? (
                    <Link to={`/inbox/${r.conversationId}`}>
                      {t(`broadcast.campaigns.stats.${r.status === 'sending' ? 'queued' : r.status}`)}
                    </Link>
                  ) : (
                    t(`broadcast.campaigns.stats.${r.status === 'sending' ? 'queued' : r.status}`)
                  )}
                </td>
                <td>{r.error ? `${r.error.code ?? ''} ${r.error.reason ?? ''}` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
