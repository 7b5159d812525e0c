import { useTranslation } from 'react-i18next';
import { useOutboxEntries } from '../workspace';

/** Beside "Inbox" in the navigation: how many replies wait to be sent. */
export function OutboxBadge() {
  const { t } = useTranslation('inbox');
  const waiting = useOutboxEntries().filter((e) => e.state !== 'failed').length;
  if (!waiting) return null;
  return (
    <span className="nav-badge nav-badge--warn" title={t('outbox.waitingCount', { count: waiting })} data-testid="outbox-count">
      {waiting}
    </span>
  );
}
