// The SLA of one conversation at one instant, from its policy targets and its working calendar.
// Pure: the evaluator (job) and the status endpoint both call it with the injected clock's `now`.
import { MINUTE, wholeMinutes, type WorkCalendar } from '../working-hours/calendar.service.js';

export const SLA_STATUSES = ['on_track', 'at_risk', 'breached', 'met'] as const;
export type SlaStatus = (typeof SLA_STATUSES)[number];
export const SLA_METRICS = ['first_response', 'resolution'] as const;
export type SlaMetric = (typeof SLA_METRICS)[number];

export interface SlaTargets {
  firstResponseMinutes: number | null;
  resolutionMinutes: number | null;
  /** Share of the target (in %) after which a running clock counts as at risk. */
  atRiskPercent: number;
}

export interface MetricState {
  metric: SlaMetric;
  targetMinutes: number;
  /** When the target is reached, counted in working time; null if the calendar never opens long enough. */
  dueAt: Date | null;
  /** When the clock stopped (first agent reply; resolution), or null while it runs. */
  completedAt: Date | null;
  status: SlaStatus;
  elapsedMinutes: number;
  /** Working minutes left (negative once breached); null once completed. */
  remainingMinutes: number | null;
}

export interface SlaState {
  status: SlaStatus;
  firstResponse: MetricState | null;
  resolution: MetricState | null;
  /** The earliest due time of a running clock. */
  nextDueAt: Date | null;
}

function metric(
  kind: SlaMetric,
  targetMinutes: number,
  atRiskPercent: number,
  cal: WorkCalendar,
  start: Date,
  completedAt: Date | null,
  now: Date,
): MetricState {
  const dueAt = cal.addWorkingMinutes(start, targetMinutes);
  const end = completedAt ?? now;
  const elapsedMs = cal.workingMsBetween(start, end);
  let status: SlaStatus;
  if (completedAt) status = dueAt && completedAt > dueAt ? 'breached' : 'met';
  else if (dueAt && now >= dueAt) status = 'breached';
  else if (elapsedMs >= (targetMinutes * MINUTE * atRiskPercent) / 100) status = 'at_risk';
  else status = 'on_track';
  return {
    metric: kind,
    targetMinutes,
    dueAt,
    completedAt,
    status,
    elapsedMinutes: wholeMinutes(elapsedMs),
    remainingMinutes: completedAt ? null : targetMinutes - Math.ceil(elapsedMs / MINUTE),
  };
}

const RANK: Record<SlaStatus, number> = { met: 0, on_track: 1, at_risk: 2, breached: 3 };

/**
 * `start` is when the customer's conversation began; the first-response clock stops at the first
 * agent (or AI) reply, or when the conversation is closed; the resolution clock stops when it is closed.
 */
export function computeSla(
  targets: SlaTargets,
  cal: WorkCalendar,
  input: { start: Date; firstResponseAt: Date | null; closedAt: Date | null; now: Date },
): SlaState {
  const { start, firstResponseAt, closedAt, now } = input;
  const firstResponse =
    targets.firstResponseMinutes !== null
      ? metric('first_response', targets.firstResponseMinutes, targets.atRiskPercent, cal, start, firstResponseAt ?? closedAt, now)
      : null;
  const resolution =
    targets.resolutionMinutes !== null
      ? metric('resolution', targets.resolutionMinutes, targets.atRiskPercent, cal, start, closedAt, now)
      : null;
  const metrics = [firstResponse, resolution].filter((x): x is MetricState => x !== null);
  const status = metrics.reduce<SlaStatus>((worst, m) => (RANK[m.status] > RANK[worst] ? m.status : worst), 'met');
  const running = metrics.filter((m) => !m.completedAt && m.dueAt && m.status !== 'breached').map((m) => m.dueAt!.getTime());
  return { status, firstResponse, resolution, nextDueAt: running.length ? new Date(Math.min(...running)) : null };
}
