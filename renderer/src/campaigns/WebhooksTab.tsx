// Outgoing webhooks: subscribe a URL to event types (the signing secret is shown once), send a test
// event, turn a webhook on or off, and see its deliveries with status code, latency and response.
// A webhook turned off after repeated failures shows why, and a notice pops up when it happens.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useToast } from '../components/Toasts';
import { useRealtimeEvent } from '../realtime';
import { fieldErrorsOf, problemText } from '../settings/ui';
import { broadcastApi, type Delivery, type OutgoingWebhook } from './api';

function Deliveries({ webhookId }: { webhookId: string }) {
  const { t } = useTranslation('campaigns');
  const [rows, setRows] = useState<Delivery[] | null>(null);
  useEffect(() => {
    let live = true;
    const load = () =>
      broadcastApi.deliveries(webhookId).then(
        (page) => live && setRows(page.data),
        () => undefined,
      );
    void load();
    const timer = setInterval(load, 2000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [webhookId]);
  if (!rows) return null;
  if (rows.length === 0) return <p className="muted">{t('broadcast.webhooks.noDeliveries')}</p>;
  return (
    <table className="bc-table" data-testid="delivery-table">
      <thead>
        <tr>
          <th>{t('broadcast.webhooks.event')}</th>
          <th>{t('broadcast.webhooks.status')}</th>
          <th>{t('broadcast.webhooks.code')}</th>
          <th>{t('broadcast.webhooks.latency')}</th>
          <th>{t('broadcast.webhooks.response')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((d) => (
          <tr key={d.id} data-testid="delivery-row" data-status={d.status}>
            <td>{d.eventType}</td>
            <td>{t(`broadcast.webhooks.deliveryStatus.${d.status}`)}</td>
            <td data-testid="delivery-code">{d.statusCode ?? '—'}</td>
            <td>{d.latencyMs === null ? '—' : `${d.latencyMs} ms`}</td>
            <td className="bc-table__excerpt">{d.responseExcerpt ?? d.error ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function WebhooksTab() {
  const { t } = useTranslation('campaigns');
  const toast = useToast();
  const [hooks, setHooks] = useState<OutgoingWebhook[] | null>(null);
  const [eventTypes, setEventTypes] = useState<{ type: string; description: string }[]>([]);
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>(['message.created']);
  const [secret, setSecret] = useState<string | null>(null);
  const [fields, setFields] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setHooks((await broadcastApi.webhooks()).data);
    } catch (err) {
      setError(problemText(t, err));
    }
  }, [t]);
  useEffect(() => {
    void load();
    broadcastApi.webhookEvents().then(
      (r) => setEventTypes(r.data),
      () => undefined,
    );
  }, [load]);
  // Its owner also gets a notice wherever they are in the app (BroadcastNotifications).
  useRealtimeEvent('outgoing_webhook.disabled', () => void load());

  async function create(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const created = await broadcastApi.createWebhook({ name: name.trim() || undefined, url: url.trim(), events });
      setSecret(created.secret ?? null);
      setName('');
      setUrl('');
      setFields({});
      await load();
    } catch (err) {
      setFields(fieldErrorsOf(err, t));
      setError(problemText(t, err));
    } finally {
      setBusy(false);
    }
  }

  async function act(work: () => Promise<unknown>, done?: string) {
    try {
      await work();
      if (done) toast(done, 'success');
      await load();
    } catch (err) {
      toast(problemText(t, err) ?? '', 'error');
    }
  }

  return (
    <section className="bc-section" data-testid="webhooks-tab">
      <p className="settings-page__intro">{t('broadcast.webhooks.intro')}</p>
      {hooks && hooks.length === 0 ? <p className="muted">{t('broadcast.webhooks.empty')}</p> : null}
      <ul className="entity-list">
        {(hooks ?? []).map((hook) => (
          <li key={hook.id} className="bc-item bc-item--stacked" data-testid="webhook-row">
            <div className="bc-item__row">
              <div className="bc-item__main">
                <strong>{hook.name}</strong> <span className="muted">{hook.url}</span>
                <p className="muted">
                  {hook.events.join(', ')} · {t('broadcast.webhooks.secret', { masked: hook.secretMasked ?? '' })}
                </p>
                {hook.disabledReason ? (
                  <p className="form-error" data-testid="webhook-disabled-notice">
                    {t('broadcast.webhooks.disabledNotice', { reason: hook.disabledReason })}
                  </p>
                ) : null}
              </div>
              <div className="bc-item__side">
                <span className={hook.enabled ? 'bc-status bc-status--approved' : 'bc-status bc-status--rejected'}>
                  {hook.enabled ? t('broadcast.webhooks.enabled') : t('broadcast.webhooks.disabled')}
                </span>
                <button
                  type="button"
                  className="button button--secondary button--sm"
                  onClick={() => act(() => broadcastApi.testWebhook(hook.id), t('broadcast.webhooks.testQueued'))}
                  data-testid="webhook-test"
                >
                  {t('broadcast.webhooks.test')}
                </button>
                <button
                  type="button"
                  className="link-button"
                  onClick={() => act(() => broadcastApi.updateWebhook(hook.id, { enabled: !hook.enabled }))}
                >
                  {hook.enabled ? t('broadcast.webhooks.disable') : t('broadcast.webhooks.enable')}
                </button>
                <button
                  type="button"
                  className="link-button link-button--danger"
                  onClick={() =>
                    window.confirm(t('broadcast.confirmDelete', { name: hook.name }))
                      ? act(() => broadcastApi.deleteWebhook(hook.id))
                      : undefined
                  }
                >
                  {t('broadcast.delete')}
                </button>
              </div>
            </div>
            <details open>
              <summary>{t('broadcast.webhooks.deliveries')}</summary>
              <Deliveries webhookId={hook.id} />
            </details>
          </li>
        ))}
      </ul>
      {secret ? (
        <div className="settings-card" role="status" data-testid="webhook-secret">
          <p>{t('broadcast.webhooks.secretOnce')}</p>
          <code className="bc-secret">{secret}</code>
        </div>
      ) : null}
      <form className="settings-card stack-form" onSubmit={create} noValidate data-testid="webhook-form">
        <h3 className="card__title">{t('broadcast.webhooks.new')}</h3>
        {error ? <p className="form-error">{error}</p> : null}
        <div className="form-grid">
          <div className="field">
            <label className="field__label" htmlFor="wh-name">
              {t('broadcast.webhooks.name')}
            </label>
            <input
              id="wh-name"
              className="field__input"
              value={name}
              onChange={(e) => setName(e.target.value)}
              data-testid="webhook-name"
            />
          </div>
          <div className={fields.url ? 'field field--invalid' : 'field'}>
            <label className="field__label" htmlFor="wh-url">
              {t('broadcast.webhooks.url')}
            </label>
            <input
              id="wh-url"
              className="field__input"
              type="url"
              value={url}
              onChange={(e) => setUrl(e.target.value)}
              data-testid="webhook-url"
            />
            {fields.url ? <p className="field__error">{fields.url}</p> : null}
          </div>
        </div>
        <fieldset className="bc-events">
          <legend className="field__label">{t('broadcast.webhooks.events')}</legend>
          {eventTypes.map((e) => (
            <label key={e.type} title={e.description}>
              <input
                type="checkbox"
                checked={events.includes(e.type)}
                onChange={(ev) => setEvents(ev.target.checked ? [...events, e.type] : events.filter((x) => x !== e.type))}
                data-testid={`webhook-event-${e.type}`}
              />{' '}
              {e.type}
            </label>
          ))}
          {fields.events ? <p className="field__error">{fields.events}</p> : null}
        </fieldset>
        <div className="form-actions">
          <button type="submit" className="button button--primary" disabled={busy} data-testid="webhook-create">
            {t('broadcast.webhooks.create')}
          </button>
        </div>
      </form>
    </section>
  );
}
