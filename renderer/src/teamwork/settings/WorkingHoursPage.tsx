// Working hours: the organization's timezone, its weekly hours (several intervals a day for breaks),
// holidays and per-channel out-of-hours replies; divisions that keep their own hours; and the public
// "are you open?" address for websites and chat widgets.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { FormError } from '../../components/FormError';
import { Icon } from '../../components/Icon';
import { SubmitButton } from '../../components/SubmitButton';
import { errorMessage } from '../../errors';
import { formatDateTime, locale } from '../../format';
import { CHANNELS, type Channel } from '../../inbox/api';
import { useTeam } from '../TeamContext';
import {
  WEEKDAYS,
  teamApi,
  type AutoReply,
  type DivisionHours,
  type Holiday,
  type HoursEntry,
  type PublicStatus,
  type TimezoneInfo,
  type Weekday,
} from '../api';
import { useWorkspace } from '../../workspace';
import { SettingsPage } from '../../settings/SettingsLayout';
import { SaveStatus, Toggle, fieldErrorsOf, problemText, type SaveState } from '../../settings/ui';
import './WorkingHoursPage.css';

const DEFAULT_INTERVAL = { start: '09:00', end: '17:00' };

/** The editor keeps entries grouped by weekday (Monday first), so server errors "hours.N" point at the Nth row shown. */
function normalize(hours: HoursEntry[]): HoursEntry[] {
  return WEEKDAYS.flatMap((day) => hours.filter((h) => h.day === day).map((h) => ({ day, start: h.start, end: h.end })));
}

function WeekEditor({
  value,
  onChange,
  errors,
  idPrefix,
}: {
  value: HoursEntry[];
  onChange(next: HoursEntry[]): void;
  errors: Record<string, string>;
  idPrefix: string;
}) {
  const { t } = useTranslation('teamwork');
  const hours = normalize(value);
  const indexOf = (entry: HoursEntry) => hours.indexOf(entry);
  const setDay = (day: Weekday, intervals: { start: string; end: string }[]) =>
    onChange(normalize([...hours.filter((h) => h.day !== day), ...intervals.map((i) => ({ day, ...i }))]));

  return (
    <div className="week" role="group" aria-label={t('workingHours.weekly')}>
      {WEEKDAYS.map((day) => {
        const intervals = hours.filter((h) => h.day === day);
        const open = intervals.length > 0;
        return (
          <div key={day} className="week__row" data-testid={`${idPrefix}-day-${day}`}>
            <label className="week__day">
              <input
                type="checkbox"
                checked={open}
                onChange={(e) => setDay(day, e.target.checked ? [DEFAULT_INTERVAL] : [])}
                data-testid={`${idPrefix}-${day}-open`}
              />
              <span>{t(`workingHours.days.${day}`)}</span>
            </label>
            <div className="week__intervals">
              {!open ? <span className="muted">{t('workingHours.closed')}</span> : null}
              {intervals.map((entry, i) => {
                const n = indexOf(entry);
                const error = errors[`hours.${n}.start`] ?? errors[`hours.${n}.end`] ?? errors[`hours.${n}`];
                return (
                  <div key={i} className={error ? 'week__interval week__interval--invalid' : 'week__interval'}>
                    <input
                      type="time"
                      value={entry.start}
                      aria-label={t('workingHours.opens', { day: t(`workingHours.days.${day}`) })}
                      onChange={(e) =>
                        setDay(
                          day,
                          intervals.map((x, j) => (j === i ? { start: e.target.value, end: x.end } : { start: x.start, end: x.end })),
                        )
                      }
                      data-testid={`${idPrefix}-${day}-start-${i}`}
                    />
                    <span aria-hidden="true">–</span>
                    <input
                      type="time"
                      value={entry.end === '24:00' ? '23:59' : entry.end}
                      aria-label={t('workingHours.closes', { day: t(`workingHours.days.${day}`) })}
                      onChange={(e) =>
                        setDay(
                          day,
                          intervals.map((x, j) => (j === i ? { start: x.start, end: e.target.value } : { start: x.start, end: x.end })),
                        )
                      }
                      data-testid={`${idPrefix}-${day}-end-${i}`}
                    />
                    <button
                      type="button"
                      className="icon-button icon-button--sm"
                      onClick={() =>
                        setDay(
                          day,
                          intervals.filter((_, j) => j !== i).map((x) => ({ start: x.start, end: x.end })),
                        )
                      }
                      aria-label={t('workingHours.removeInterval')}
                      title={t('workingHours.removeInterval')}
                    >
                      <Icon name="x" size={14} />
                    </button>
                    {error ? <span className="field__error">{t('workingHours.invalidInterval')}</span> : null}
                  </div>
                );
              })}
              {open ? (
                <button
                  type="button"
                  className="link-button"
                  onClick={() => {
                    const last = intervals[intervals.length - 1];
                    const start = last && last.end < '23:00' ? last.end : '13:00';
                    const end = start < '22:00' ? `${String(Number(start.slice(0, 2)) + 1).padStart(2, '0')}${start.slice(2)}` : '23:59';
                    setDay(day, [...intervals.map((x) => ({ start: x.start, end: x.end })), { start, end }]);
                  }}
                >
                  {t('workingHours.addInterval')}
                </button>
              ) : null}
            </div>
          </div>
        );
      })}
      <button
        type="button"
        className="button button--secondary button--sm week__copy"
        onClick={() => {
          const monday = hours.filter((h) => h.day === 'monday');
          onChange(
            normalize([
              ...hours.filter((h) => !['tuesday', 'wednesday', 'thursday', 'friday'].includes(h.day)),
              ...(['tuesday', 'wednesday', 'thursday', 'friday'] as Weekday[]).flatMap((day) => monday.map((m) => ({ ...m, day }))),
            ]),
          );
        }}
      >
        {t('workingHours.copyMonday')}
      </button>
    </div>
  );
}

function HolidaysEditor({
  value,
  onChange,
  errors,
  idPrefix,
}: {
  value: Holiday[];
  onChange(next: Holiday[]): void;
  errors: Record<string, string>;
  idPrefix: string;
}) {
  const { t } = useTranslation('teamwork');
  return (
    <div className="holidays">
      {value.length === 0 ? <p className="muted">{t('workingHours.noHolidays')}</p> : null}
      <ul className="holidays__list">
        {value.map((h, i) => {
          const error = errors[`holidays.${i}.date`] ?? errors[`holidays.${i}.name`];
          return (
            <li key={i} className="holidays__row">
              <input
                type="date"
                value={h.date}
                aria-label={t('workingHours.holidayDate')}
                onChange={(e) => onChange(value.map((x, j) => (j === i ? { ...x, date: e.target.value } : x)))}
                data-testid={`${idPrefix}-holiday-date-${i}`}
              />
              <input
                type="text"
                value={h.name ?? ''}
                maxLength={200}
                placeholder={t('workingHours.holidayName')}
                aria-label={t('workingHours.holidayName')}
                onChange={(e) => onChange(value.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)))}
                data-testid={`${idPrefix}-holiday-name-${i}`}
              />
              <button
                type="button"
                className="icon-button icon-button--sm"
                onClick={() => onChange(value.filter((_, j) => j !== i))}
                aria-label={t('workingHours.removeHoliday')}
              >
                <Icon name="trash" size={14} />
              </button>
              {error ? <span className="field__error">{t('workingHours.invalidHoliday')}</span> : null}
            </li>
          );
        })}
      </ul>
      <button
        type="button"
        className="button button--secondary button--sm"
        onClick={() => onChange([...value, { date: '', name: '' }])}
        data-testid={`${idPrefix}-add-holiday`}
      >
        <Icon name="plus" size={14} />
        {t('workingHours.addHoliday')}
      </button>
    </div>
  );
}

const cleanHolidays = (list: Holiday[]) => list.filter((h) => h.date).map((h) => ({ date: h.date, name: h.name?.trim() || null }));

function TimezoneCard() {
  const { t, i18n } = useTranslation('teamwork');
  const { reloadSession } = useWorkspace();
  const [info, setInfo] = useState<TimezoneInfo>();
  const [zone, setZone] = useState('');
  const [state, setState] = useState<SaveState>({ kind: 'idle' });
  const zones = useMemo(() => {
    try {
      return Intl.supportedValuesOf('timeZone');
    } catch {
      return ['UTC', 'Asia/Jakarta', 'Asia/Makassar', 'Asia/Jayapura'];
    }
  }, []);

  useEffect(() => {
    teamApi.timezone().then(
      (tz) => {
        setInfo(tz);
        setZone(tz.timezone);
      },
      (err: unknown) => setState({ kind: 'error', message: errorMessage(t, err) }),
    );
  }, [t]);

  async function save(event: FormEvent) {
    event.preventDefault();
    setState({ kind: 'saving' });
    try {
      const next = await teamApi.saveTimezone(zone);
      setInfo(next);
      setZone(next.timezone);
      setState({ kind: 'saved' });
      reloadSession();
    } catch (err) {
      setState({ kind: 'error', message: problemText(t, err) });
    }
  }

  const options = zone && !zones.includes(zone) ? [zone, ...zones] : zones;
  return (
    <section className="card settings-card" aria-labelledby="tz-title">
      <h3 id="tz-title" className="card__title">
        {t('workingHours.timezone')}
      </h3>
      <form className="inline-row" onSubmit={save}>
        <select value={zone} onChange={(e) => setZone(e.target.value)} aria-label={t('workingHours.timezone')} data-testid="wh-timezone">
          {options.map((z) => (
            <option key={z} value={z}>
              {z}
            </option>
          ))}
        </select>
        <SubmitButton
          busy={state.kind === 'saving'}
          busyLabel={t('settings.saving')}
          variant="secondary"
          disabled={!info || zone === info.timezone}
          data-testid="wh-timezone-save"
        >
          {t('common.save')}
        </SubmitButton>
        <SaveStatus state={state} />
      </form>
      {info ? (
        <p className="muted" data-testid="wh-local-time">
          {t('workingHours.localTime', {
            time: new Intl.DateTimeFormat(locale(i18n.resolvedLanguage), {
              dateStyle: 'medium',
              timeStyle: 'short',
              timeZone: 'UTC',
            }).format(new Date(`${info.localTime}:00Z`)),
            offset: `UTC${info.utcOffset}`,
          })}
        </p>
      ) : null}
      <p className="field__hint">{t('workingHours.timezoneHint')}</p>
    </section>
  );
}

function TenantHoursCard() {
  const { t } = useTranslation('teamwork');
  const [loaded, setLoaded] = useState(false);
  const [hours, setHours] = useState<HoursEntry[]>([]);
  const [holidays, setHolidays] = useState<Holiday[]>([]);
  const [replies, setReplies] = useState<Record<Channel, AutoReply>>(
    () => Object.fromEntries(CHANNELS.map((c) => [c, { channel: c, enabled: false, message: '' }])) as Record<Channel, AutoReply>,
  );
  const [openNow, setOpenNow] = useState<boolean | null>(null);
  const [configured, setConfigured] = useState(false);
  const [state, setState] = useState<SaveState>({ kind: 'idle' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [loadError, setLoadError] = useState<string>();

  function apply(view: Awaited<ReturnType<typeof teamApi.workingHours>>) {
    setHours(normalize(view.hours));
    setHolidays(view.holidays);
    setReplies((cur) => {
      const next = { ...cur };
      for (const c of CHANNELS) next[c] = view.autoReplies.find((r) => r.channel === c) ?? { channel: c, enabled: false, message: '' };
      return next;
    });
    setOpenNow(view.openNow);
    setConfigured(view.configured);
    setLoaded(true);
  }

  useEffect(() => {
    teamApi.workingHours().then(apply, (err: unknown) => setLoadError(errorMessage(t, err)));
  }, [t]);

  async function save(event: FormEvent) {
    event.preventDefault();
    const local: Record<string, string> = {};
    CHANNELS.forEach((c) => {
      if (replies[c].enabled && !replies[c].message.trim()) local[`autoReplies.${c}`] = t('workingHours.replyRequired');
    });
    setErrors(local);
    if (Object.keys(local).length) {
      setState({ kind: 'error', message: t('common.checkFields') });
      return;
    }
    setState({ kind: 'saving' });
    try {
      const autoReplies = CHANNELS.map((c) => replies[c])
        .filter((r) => r.message.trim())
        .map((r) => ({ channel: r.channel, enabled: r.enabled, message: r.message.trim() }));
      apply(await teamApi.saveWorkingHours({ hours: normalize(hours), holidays: cleanHolidays(holidays), autoReplies }));
      setState({ kind: 'saved' });
    } catch (err) {
      setErrors(fieldErrorsOf(err, t));
      setState({ kind: 'error', message: problemText(t, err) });
    }
  }

  if (loadError) return <FormError message={loadError} />;
  if (!loaded) return <div className="skeleton skeleton--block" />;

  return (
    <form onSubmit={save} noValidate data-testid="wh-form">
      <section className="card settings-card" aria-labelledby="wh-week-title">
        <div className="settings-card__head">
          <h3 id="wh-week-title" className="card__title">
            {t('workingHours.weekly')}
          </h3>
          {configured && openNow !== null ? (
            <span className={openNow ? 'pill pill--ok' : 'pill pill--muted'} data-testid="wh-open-now">
              {openNow ? t('workingHours.openNow') : t('workingHours.closedNow')}
            </span>
          ) : (
            <span className="pill pill--muted">{t('workingHours.notConfigured')}</span>
          )}
        </div>
        <WeekEditor value={hours} onChange={setHours} errors={errors} idPrefix="wh" />
      </section>
      <section className="card settings-card" aria-labelledby="wh-holidays-title">
        <h3 id="wh-holidays-title" className="card__title">
          {t('workingHours.holidays')}
        </h3>
        <HolidaysEditor value={holidays} onChange={setHolidays} errors={errors} idPrefix="wh" />
      </section>
      <section className="card settings-card" aria-labelledby="wh-replies-title">
        <h3 id="wh-replies-title" className="card__title">
          {t('workingHours.autoReplies')}
        </h3>
        <p className="field__hint">{t('workingHours.autoRepliesHint')}</p>
        <div className="channel-rows">
          {CHANNELS.map((c) => {
            const error = errors[`autoReplies.${c}`];
            return (
              <div key={c} className="channel-row">
                <Toggle
                  checked={replies[c].enabled}
                  onChange={(enabled) => setReplies((cur) => ({ ...cur, [c]: { ...cur[c], enabled } }))}
                  label={t(`channel.${c}`)}
                  testId={`wh-reply-${c}-enabled`}
                />
                <textarea
                  className={error ? 'field__input field__input--invalid' : 'field__input'}
                  rows={2}
                  maxLength={4096}
                  value={replies[c].message}
                  placeholder={t('workingHours.replyPlaceholder')}
                  aria-label={t('workingHours.replyFor', { channel: t(`channel.${c}`) })}
                  onChange={(e) => setReplies((cur) => ({ ...cur, [c]: { ...cur[c], message: e.target.value } }))}
                  data-testid={`wh-reply-${c}-message`}
                />
                {error ? <p className="field__error">{error}</p> : null}
              </div>
            );
          })}
        </div>
      </section>
      <div className="save-bar">
        <SaveStatus state={state} testId="wh-status" />
        <SubmitButton busy={state.kind === 'saving'} busyLabel={t('settings.saving')} data-testid="wh-save">
          {t('workingHours.save')}
        </SubmitButton>
      </div>
    </form>
  );
}

function DivisionHoursCard() {
  const { t } = useTranslation(['teamwork', 'inbox']);
  const { divisions } = useTeam();
  const [divisionId, setDivisionId] = useState('');
  const [view, setView] = useState<DivisionHours | null>(null);
  const [editing, setEditing] = useState(false);
  const [hours, setHours] = useState<HoursEntry[]>([]);
  const [holidays, setHolidays] = useState<Holiday[]>([]);
  const [state, setState] = useState<SaveState>({ kind: 'idle' });
  const [errors, setErrors] = useState<Record<string, string>>({});

  useEffect(() => {
    if (!divisionId && divisions.length) setDivisionId(divisions[0].id);
  }, [divisions, divisionId]);

  useEffect(() => {
    setView(null);
    setState({ kind: 'idle' });
    setErrors({});
    if (!divisionId) return;
    let cancelled = false;
    teamApi.divisionHours(divisionId).then(
      (v) => {
        if (cancelled) return;
        setView(v);
        setEditing(v.override);
        setHours(normalize(v.hours));
        setHolidays(v.holidays);
      },
      (err: unknown) => !cancelled && setState({ kind: 'error', message: errorMessage(t, err) }),
    );
    return () => {
      cancelled = true;
    };
  }, [divisionId, t]);

  if (divisions.length === 0) {
    return (
      <section className="card settings-card">
        <h3 className="card__title">{t('workingHours.divisionOverrides')}</h3>
        <p className="muted">{t('workingHours.noDivisions')}</p>
      </section>
    );
  }

  async function save() {
    setState({ kind: 'saving' });
    setErrors({});
    try {
      const v = await teamApi.saveDivisionHours(divisionId, { hours: normalize(hours), holidays: cleanHolidays(holidays) });
      setView(v);
      setHours(normalize(v.hours));
      setHolidays(v.holidays);
      setState({ kind: 'saved' });
    } catch (err) {
      setErrors(fieldErrorsOf(err, t));
      setState({ kind: 'error', message: problemText(t, err) });
    }
  }

  async function removeOverride() {
    setState({ kind: 'saving' });
    try {
      await teamApi.deleteDivisionHours(divisionId);
      const v = await teamApi.divisionHours(divisionId);
      setView(v);
      setEditing(false);
      setHours(normalize(v.hours));
      setHolidays(v.holidays);
      setState({ kind: 'saved' });
    } catch (err) {
      setState({ kind: 'error', message: problemText(t, err) });
    }
  }

  return (
    <section className="card settings-card" aria-labelledby="wh-div-title">
      <h3 id="wh-div-title" className="card__title">
        {t('workingHours.divisionOverrides')}
      </h3>
      <div className="inline-row">
        <select
          value={divisionId}
          onChange={(e) => setDivisionId(e.target.value)}
          aria-label={t('inbox:inbox.divisionLabel')}
          data-testid="wh-division"
        >
          {divisions.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name}
            </option>
          ))}
        </select>
        {view ? (
          <span className="pill pill--muted">{view.override ? t('workingHours.ownHours') : t('workingHours.followsOrg')}</span>
        ) : null}
      </div>
      {view && !editing ? (
        <button
          type="button"
          className="button button--secondary button--sm"
          onClick={() => setEditing(true)}
          data-testid="wh-division-override"
        >
          {t('workingHours.setOwnHours')}
        </button>
      ) : null}
      {view && editing ? (
        <>
          <WeekEditor value={hours} onChange={setHours} errors={errors} idPrefix="whd" />
          <h4 className="settings-subtitle">{t('workingHours.holidays')}</h4>
          <HolidaysEditor value={holidays} onChange={setHolidays} errors={errors} idPrefix="whd" />
          <div className="save-bar">
            <SaveStatus state={state} />
            {view.override ? (
              <button
                type="button"
                className="button button--secondary"
                onClick={() => void removeOverride()}
                data-testid="wh-division-remove"
              >
                {t('workingHours.removeOverride')}
              </button>
            ) : (
              <button type="button" className="button button--secondary" onClick={() => setEditing(false)}>
                {t('common.cancel')}
              </button>
            )}
            <SubmitButton
              type="button"
              busy={state.kind === 'saving'}
              busyLabel={t('settings.saving')}
              onClick={() => void save()}
              data-testid="wh-division-save"
            >
              {t('workingHours.saveDivision')}
            </SubmitButton>
          </div>
        </>
      ) : (
        <SaveStatus state={state} />
      )}
    </section>
  );
}

function PublicStatusCard() {
  const { t, i18n } = useTranslation('teamwork');
  const { session } = useWorkspace();
  const [status, setStatus] = useState<PublicStatus | null>(null);
  const [copied, setCopied] = useState(false);
  const url = `${window.location.origin}${teamApi.publicStatusPath(session.tenant.slug)}`;

  useEffect(() => {
    teamApi.publicStatus(session.tenant.slug).then(setStatus, () => setStatus(null));
  }, [session.tenant.slug]);

  return (
    <section className="card settings-card" aria-labelledby="wh-public-title">
      <h3 id="wh-public-title" className="card__title">
        {t('workingHours.publicTitle')}
      </h3>
      <p className="field__hint">{t('workingHours.publicHint')}</p>
      <div className="copy-row">
        <code data-testid="wh-public-url">{url}</code>
        <button
          type="button"
          className="button button--secondary button--sm"
          onClick={() => {
            void navigator.clipboard?.writeText(url).then(() => {
              setCopied(true);
              setTimeout(() => setCopied(false), 1500);
            });
          }}
        >
          {copied ? t('common.copied') : t('common.copy')}
        </button>
        <a className="button button--secondary button--sm" href={url} target="_blank" rel="noreferrer">
          <Icon name="external" size={14} />
          {t('workingHours.openLink')}
        </a>
      </div>
      {status ? (
        <p className="muted">
          {status.open
            ? status.closesAt
              ? t('workingHours.publicOpenUntil', { when: formatDateTime(status.closesAt, i18n.resolvedLanguage) })
              : t('workingHours.openNow')
            : status.nextOpenAt
              ? t('workingHours.publicClosedUntil', { when: formatDateTime(status.nextOpenAt, i18n.resolvedLanguage) })
              : t('workingHours.closedNow')}
        </p>
      ) : null}
      <p className="field__hint">{t('workingHours.publicDivisionHint')}</p>
    </section>
  );
}

export function WorkingHoursPage() {
  return (
    <SettingsPage>
      <TimezoneCard />
      <TenantHoursCard />
      <DivisionHoursCard />
      <PublicStatusCard />
    </SettingsPage>
  );
}
