// Scheduled messages: the composer's "schedule" dialog (a date and time on the organization's clock,
// whatever the agent's computer says) and the conversation's waiting messages, each with Cancel.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api';
import { Dialog } from '../components/Dialog';
import { FormError } from '../components/FormError';
import { Icon } from '../components/Icon';
import { SubmitButton } from '../components/SubmitButton';
import { useToast } from '../components/Toasts';
import { errorMessage } from '../errors';
import { locale } from '../format';
import type { Message } from '../inbox/api';
import { useRealtime, useRealtimeEvent } from '../realtime';
import { useWorkspace } from '../workspace';
import { teamApi, type ScheduledMessage } from './api';
import './Scheduled.css';

const CHANGED = 'omnistream:scheduled-changed';

function announceChange(conversationId: string) {
  window.dispatchEvent(new CustomEvent(CHANGED, { detail: { conversationId } }));
}

/** "YYYY-MM-DDTHH:MM" plus minutes, rounded up to 5 minutes (wall-clock arithmetic, no timezone). */
export function addLocalMinutes(local: string, minutes: number): string {
  const t = Date.parse(`${local.slice(0, 16)}:00Z`) + minutes * 60_000;
  const rounded = Math.ceil(t / 300_000) * 300_000;
  return new Date(rounded).toISOString().slice(0, 16);
}

/** When a scheduled message goes, on its timezone's clock, e.g. "3 Dec 2026, 09:00". */
export function formatInZone(iso: string, timeZone: string, language: string | undefined): string {
  try {
    return new Intl.DateTimeFormat(locale(language), { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(iso));
  } catch {
    return new Intl.DateTimeFormat(locale(language), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
  }
}

export function ScheduleDialog({
  conversationId,
  initialText,
  onClose,
  onScheduled,
}: {
  conversationId: string;
  initialText: string;
  onClose(): void;
  onScheduled(): void;
}) {
  const { t, i18n } = useTranslation('teamwork');
  const toast = useToast();
  const { session } = useWorkspace();
  const [text, setText] = useState(initialText);
  const [when, setWhen] = useState('');
  const [zone, setZone] = useState<{ timezone: string; utcOffset: string; localTime: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  useEffect(() => {
    let cancelled = false;
    teamApi
      .timezone()
      .then((tz) => {
        if (cancelled) return;
        setZone(tz);
        setWhen((cur) => cur || addLocalMinutes(tz.localTime, 60));
      })
      .catch(() => {
        if (!cancelled) setZone({ timezone: session.tenant.timezone, utcOffset: '', localTime: '' });
      });
    return () => {
      cancelled = true;
    };
  }, [session.tenant.timezone]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const errors: Record<string, string> = {};
    if (!text.trim()) errors.text = t('validation.required');
    if (!when) errors.sendAtLocal = t('validation.required');
    else if (zone?.localTime && when <= zone.localTime) errors.sendAtLocal = t('schedule.inPast');
    setFieldErrors(errors);
    if (Object.keys(errors).length) return;
    setBusy(true);
    setError(undefined);
    try {
      const scheduled = await teamApi.schedule(conversationId, { type: 'text', text: text.trim(), sendAtLocal: when });
      announceChange(conversationId);
      toast(t('schedule.done', { when: formatInZone(scheduled.sendAt, scheduled.timezone, i18n.resolvedLanguage) }), 'success');
      onScheduled();
      onClose();
    } catch (err) {
      if (err instanceof ApiError && Object.keys(err.fieldErrors).length) {
        const when = err.fieldErrors.sendAtLocal ?? err.fieldErrors.sendAt;
        setFieldErrors({
          text: err.fieldErrors.text ? t('validation.required') : '',
          sendAtLocal: !when
            ? ''
            : /future/i.test(when)
              ? t('schedule.inPast')
              : /ahead/i.test(when)
                ? t('schedule.tooFar')
                : t('schedule.invalidTime'),
        });
      } else setError(err instanceof ApiError && err.detail && err.status < 500 ? err.detail : errorMessage(t, err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title={t('schedule.title')} onClose={onClose} testId="schedule-dialog" className="dialog--form">
      <form className="stack-form" onSubmit={submit} noValidate>
        <FormError message={error} />
        <div className={fieldErrors.text ? 'field field--invalid' : 'field'}>
          <label className="field__label" htmlFor="schedule-text">
            {t('schedule.message')}
          </label>
          <textarea
            id="schedule-text"
            className="field__input"
            rows={4}
            maxLength={4096}
            value={text}
            onChange={(e) => setText(e.target.value)}
            data-testid="schedule-text"
          />
          {fieldErrors.text ? <p className="field__error">{fieldErrors.text}</p> : null}
        </div>
        <div className={fieldErrors.sendAtLocal ? 'field field--invalid' : 'field'}>
          <label className="field__label" htmlFor="schedule-when">
            {t('schedule.when')}
          </label>
          <input
            id="schedule-when"
            className="field__input"
            type="datetime-local"
            value={when}
            min={zone?.localTime || undefined}
            onChange={(e) => setWhen(e.target.value)}
            data-testid="schedule-when"
          />
          {fieldErrors.sendAtLocal ? (
            <p className="field__error">{fieldErrors.sendAtLocal}</p>
          ) : (
            <p className="field__hint" data-testid="schedule-timezone">
              {zone
                ? t('schedule.timezoneHint', { timezone: zone.timezone, offset: zone.utcOffset ? `UTC${zone.utcOffset}` : '' })
                : t('common.loading')}
            </p>
          )}
        </div>
        <p className="field__hint">{t('schedule.windowHint')}</p>
        <div className="form-actions">
          <button type="button" className="button button--secondary" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <SubmitButton busy={busy} busyLabel={t('schedule.submitting')} data-testid="schedule-submit">
            {t('schedule.submit')}
          </SubmitButton>
        </div>
      </form>
    </Dialog>
  );
}

/** The conversation's scheduled (and recently failed) messages, above the composer. */
export function ScheduledMessages({ conversationId }: { conversationId: string }) {
  const { t, i18n } = useTranslation('teamwork');
  const toast = useToast();
  const { can } = useWorkspace();
  const { resync } = useRealtime();
  const [items, setItems] = useState<ScheduledMessage[]>([]);
  const [expanded, setExpanded] = useState(false);
  const [busyId, setBusyId] = useState<string | null>(null);

  const load = useCallback(() => {
    teamApi
      .scheduled(conversationId)
      .then((page) => {
        const dayAgo = Date.now() - 24 * 3600_000;
        setItems(page.data.filter((s) => s.status !== 'failed' || Date.parse(s.sendAt) > dayAgo));
      })
      .catch(() => undefined);
  }, [conversationId]);

  useEffect(() => {
    load();
  }, [load, resync]);

  useEffect(() => {
    const onChange = (event: Event) => {
      if ((event as CustomEvent<{ conversationId: string }>).detail?.conversationId === conversationId) load();
    };
    window.addEventListener(CHANGED, onChange);
    return () => window.removeEventListener(CHANGED, onChange);
  }, [conversationId, load]);

  // A scheduled message going out shows up as a new message; refresh then, and once a minute while some wait.
  useRealtimeEvent('message.created', (p: { message?: Message }) => {
    if (p?.message?.conversationId === conversationId && p.message.direction === 'outbound' && items.length) load();
  });
  useEffect(() => {
    if (!items.some((s) => s.status === 'scheduled' || s.status === 'sending')) return;
    const timer = setInterval(load, 60_000);
    return () => clearInterval(timer);
  }, [items, load]);

  if (items.length === 0) return null;
  const shown = expanded || items.length === 1 ? items : items.slice(0, 1);

  async function cancel(item: ScheduledMessage) {
    if (!window.confirm(t('schedule.confirmCancel'))) return;
    setBusyId(item.id);
    try {
      await teamApi.cancelScheduled(item.id);
      setItems((list) => list.filter((s) => s.id !== item.id));
      toast(t('schedule.cancelled'), 'success');
    } catch (err) {
      toast(err instanceof ApiError && err.status === 409 ? t('schedule.tooLate') : errorMessage(t, err), 'error');
      load();
    } finally {
      setBusyId(null);
    }
  }

  return (
    <section className="scheduled" aria-label={t('schedule.listTitle')} data-testid="scheduled-messages">
      <header className="scheduled__head">
        <Icon name="calendar" size={14} />
        <span>{t('schedule.count', { count: items.length })}</span>
        {items.length > 1 ? (
          <button type="button" className="link-button" onClick={() => setExpanded((v) => !v)} aria-expanded={expanded}>
            {expanded ? t('schedule.showLess') : t('schedule.showAll')}
          </button>
        ) : null}
      </header>
      <ul className="scheduled__list">
        {shown.map((s) => (
          <li key={s.id} className={`scheduled__item scheduled__item--${s.status}`} data-testid="scheduled-message" data-status={s.status}>
            <span className="scheduled__when">
              {formatInZone(s.sendAt, s.timezone, i18n.resolvedLanguage)}
              <span className="scheduled__zone"> · {s.timezone}</span>
            </span>
            <span className="scheduled__text">
              {s.text ?? s.caption ?? t(`messageType.${s.type === 'template' ? 'template' : s.type}`)}
            </span>
            {s.status === 'failed' ? (
              <span className="scheduled__failed">{t('schedule.failed', { reason: s.failureReason ?? '' })}</span>
            ) : null}
            {s.status === 'scheduled' && can('messages.send') ? (
              <button
                type="button"
                className="link-button link-button--danger"
                onClick={() => void cancel(s)}
                disabled={busyId === s.id}
                data-testid="scheduled-cancel"
              >
                {t('schedule.cancel')}
              </button>
            ) : s.status === 'sending' ? (
              <span className="muted">{t('schedule.sending')}</span>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
