// The SLA state of a conversation: on track, at risk or breached, with the time left until the next
// target (or how long it is overdue). The server re-evaluates every minute and pushes changes; the
// countdown ticks here, and a target that passes before the next push already shows as breached.
// (nextDueAt is the earliest running target that is not breached yet.)
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { Icon } from '../components/Icon';
import type { ConversationSla } from '../inbox/api';
import './SlaBadge.css';

export function formatDuration(ms: number, t: TFunction<'teamwork'>): string {
  const minutes = Math.max(1, Math.round(Math.abs(ms) / 60_000));
  if (minutes < 60) return t('sla.minutes', { count: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) {
    const rest = minutes % 60;
    return rest ? t('sla.hoursMinutes', { hours, minutes: rest }) : t('sla.hours', { count: hours });
  }
  return t('sla.days', { count: Math.round(hours / 24) });
}

export function effectiveSla(
  sla: ConversationSla | null | undefined,
  now: number,
): { status: ConversationSla['status']; leftMs: number | null } | null {
  if (!sla) return null;
  const leftMs = sla.nextDueAt ? Date.parse(sla.nextDueAt) - now : null;
  const status = (sla.status === 'on_track' || sla.status === 'at_risk') && leftMs !== null && leftMs <= 0 ? 'breached' : sla.status;
  return { status, leftMs };
}

export function SlaBadge({ sla, now, hideMet }: { sla: ConversationSla | null | undefined; now: number; hideMet?: boolean }) {
  const { t } = useTranslation('teamwork');
  const state = effectiveSla(sla, now);
  if (!state || (hideMet && state.status === 'met')) return null;
  const { status, leftMs } = state;
  // A breached target says so; the time shown is always for a target that is still running.
  const time =
    (status === 'on_track' || status === 'at_risk') && leftMs !== null && leftMs > 0
      ? t('sla.left', { time: formatDuration(leftMs, t) })
      : null;
  const label = t(`sla.status.${status}`);
  return (
    <span
      className={`sla-badge sla-badge--${status}`}
      data-testid="sla-badge"
      data-status={status}
      title={`${t('sla.title')}: ${label}${time ? ` · ${time}` : ''}`}
    >
      <Icon name="gauge" size={11} />
      <span className="sla-badge__label">{label}</span>
      {time ? <span className="sla-badge__time">{time}</span> : null}
    </span>
  );
}
