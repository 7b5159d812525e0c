// A line of assignment history in the timeline: assigned, unassigned, taken over, status changed.
import { useTranslation } from 'react-i18next';
import { formatTime } from '../../format';
import type { ActivityEntry } from './useThread';
import './ActivityItem.css';

export function ActivityItem({ entry, agentName }: { entry: ActivityEntry; agentName(id: string | null | undefined): string | null }) {
  const { t, i18n } = useTranslation('inbox');
  const actor = entry.actorName ?? agentName(entry.actorId) ?? t('activity.someone');
  let text: string;
  if (entry.kind === 'assigned') {
    const to = agentName(entry.toId) ?? t('activity.anAgent');
    text = entry.toId && entry.toId === entry.actorId ? t('activity.selfAssigned', { actor }) : t('activity.assigned', { actor, to });
  } else if (entry.kind === 'unassigned') text = t('activity.unassigned', { actor });
  else if (entry.kind === 'takeover')
    text = entry.reason ? t('activity.takeoverReason', { actor, reason: entry.reason }) : t('activity.takeover', { actor });
  else
    text = t('activity.status', {
      actor,
      status: t(`conversationStatus.${entry.status as 'open'}`, { defaultValue: entry.status }).toLocaleLowerCase(),
    });
  return (
    <p className="activity" data-testid="thread-activity">
      <span>{text}</span>
      <time dateTime={entry.createdAt}>{formatTime(entry.createdAt, i18n.resolvedLanguage)}</time>
    </p>
  );
}
