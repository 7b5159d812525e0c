// Settings → Activity: the organization's audit log (who did what, to what, when, from where),
// filtered by person, action and dates, and exported to CSV with the same filters.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { FormError } from '../components/FormError';
import { Icon } from '../components/Icon';
import { errorMessage } from '../errors';
import { SettingsPage } from '../settings/SettingsLayout';
import { membersApi, type ActivityEntry, type ActivityFacets, type ActivityFilter } from './api';
import './team.css';

/** A date input's day as an instant: its start (or end) in this browser's time zone. */
function dayBound(day: string, end: boolean): string | undefined {
  if (!day) return undefined;
  const date = new Date(`${day}T${end ? '23:59:59.999' : '00:00:00'}`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export function ActivityPage() {
  const { t, i18n } = useTranslation('team');
  const [facets, setFacets] = useState<ActivityFacets>({ actions: [], actors: [] });
  const [actorId, setActorId] = useState('');
  const [action, setAction] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [items, setItems] = useState<ActivityEntry[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string>();
  const filter: ActivityFilter = useMemo(
    () => ({ actorId: actorId || undefined, action: action || undefined, from: dayBound(from, false), to: dayBound(to, true) }),
    [actorId, action, from, to],
  );

  useEffect(() => {
    membersApi.activityFacets().then(setFacets, () => undefined);
  }, []);

  useEffect(() => {
    let cancelled = false;
    setItems(null);
    setError(undefined);
    membersApi.activity(filter).then(
      (page) => {
        if (cancelled) return;
        setItems(page.data);
        setCursor(page.nextCursor);
      },
      (err: unknown) => !cancelled && setError(errorMessage(t, err)),
    );
    return () => {
      cancelled = true;
    };
  }, [filter, t]);

  const more = useCallback(() => {
    if (!cursor) return;
    membersApi.activity(filter, cursor).then(
      (page) => {
        setItems((list) => [...(list ?? []), ...page.data]);
        setCursor(page.nextCursor);
      },
      (err: unknown) => setError(errorMessage(t, err)),
    );
  }, [cursor, filter, t]);

  const time = (iso: string) => new Date(iso).toLocaleString(i18n.resolvedLanguage, { dateStyle: 'medium', timeStyle: 'medium' });
  const actionLabel = (a: string) => t(`activity.actions.${a.replace('.', '_') as 'auth_login'}`, { defaultValue: a });
  const filtered = Boolean(actorId || action || from || to);

  return (
    <SettingsPage
      actions={
        <a className="button button--secondary" href={membersApi.activityExportUrl(filter)} download data-testid="activity-export">
          <Icon name="download" size={16} />
          {t('activity.export')}
        </a>
      }
    >
      <div className="activity-filters" role="search">
        <label className="field">
          <span className="field__label">{t('activity.actor')}</span>
          <select className="field__input" value={actorId} onChange={(e) => setActorId(e.target.value)} data-testid="activity-actor">
            <option value="">{t('activity.anyone')}</option>
            {facets.actors.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name ?? a.id}
                {a.type === 'api_key' ? ` (${t('activity.apiKey')})` : ''}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field__label">{t('activity.action')}</span>
          <select className="field__input" value={action} onChange={(e) => setAction(e.target.value)} data-testid="activity-action">
            <option value="">{t('activity.anyAction')}</option>
            {facets.actions.map((a) => (
              <option key={a} value={a}>
                {actionLabel(a)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="field__label">{t('activity.from')}</span>
          <input
            type="date"
            className="field__input"
            value={from}
            max={to || undefined}
            onChange={(e) => setFrom(e.target.value)}
            data-testid="activity-from"
          />
        </label>
        <label className="field">
          <span className="field__label">{t('activity.to')}</span>
          <input
            type="date"
            className="field__input"
            value={to}
            min={from || undefined}
            onChange={(e) => setTo(e.target.value)}
            data-testid="activity-to"
          />
        </label>
        {filtered ? (
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setActorId('');
              setAction('');
              setFrom('');
              setTo('');
            }}
            data-testid="activity-clear"
          >
            {t('activity.clear')}
          </button>
        ) : null}
      </div>
      <FormError message={error} />
      {items === null && !error ? <div className="skeleton skeleton--block" /> : null}
      {items?.length === 0 ? (
        <div className="empty-state">
          <Icon name="clock" size={32} />
          <p className="empty-state__title">{filtered ? t('activity.noMatches') : t('activity.empty')}</p>
        </div>
      ) : null}
      <ul className="activity-list" data-testid="activity-list">
        {items?.map((e) => (
          <li key={e.id} className="activity-entry" data-testid="activity-entry" data-action={e.action} data-actor={e.actorId ?? ''}>
            <time className="activity-entry__time" dateTime={e.createdAt}>
              {time(e.createdAt)}
            </time>
            <span>
              <strong>{e.actorName ?? t(`activity.actorType.${e.actorType}`)}</strong> · {actionLabel(e.action)}
              {e.targetType ? <span className="muted"> · {e.targetType}</span> : null}
              {e.impersonatorId ? <span className="chip chip--warn"> {t('activity.impersonated')}</span> : null}
            </span>
            {e.details || e.ip ? (
              <span className="activity-entry__details">
                {e.details ? JSON.stringify(e.details) : ''}
                {e.ip ? ` · IP ${e.ip}` : ''}
              </span>
            ) : null}
          </li>
        ))}
      </ul>
      {cursor ? (
        <button type="button" className="button button--secondary" onClick={more} data-testid="activity-more">
          {t('activity.more')}
        </button>
      ) : null}
    </SettingsPage>
  );
}
