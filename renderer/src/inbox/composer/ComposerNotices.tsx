// What shows above the reply box: the closed customer-service window, the offline hint, and the
// message being replied to.
import { useTranslation } from 'react-i18next';
import { Icon } from '../../components/Icon';
import type { Message } from '../api';
import { messageSummary } from '../MessageBubble';
import './Composer.css';

export function WindowClosedBanner({ id }: { id: string }) {
  const { t } = useTranslation('inbox');
  return (
    <div className="composer__banner" role="status" id={id} data-testid="window-closed-banner">
      <Icon name="clock" size={16} />
      <span>
        <strong>{t('composer.windowClosedTitle')}</strong> {t('composer.windowClosedBody')}
      </span>
    </div>
  );
}

export function OfflineHint() {
  const { t } = useTranslation('inbox');
  return (
    <div className="composer__hint" role="status" data-testid="composer-offline">
      <Icon name="wifiOff" size={14} />
      {t('composer.offlineHint')}
    </div>
  );
}

export function ReplyQuote({ message, onCancel }: { message: Message; onCancel(): void }) {
  const { t } = useTranslation('inbox');
  return (
    <div className="composer__quote" data-testid="composer-quote">
      <Icon name="reply" size={14} />
      <span className="composer__quote-text">
        <span className="composer__quote-who">{message.direction === 'inbound' ? t('inbox.customer') : t('inbox.team')}</span>
        {messageSummary(message, t)}
      </span>
      <button type="button" className="icon-button icon-button--sm" onClick={onCancel} aria-label={t('composer.cancelReply')}>
        <Icon name="x" size={14} />
      </button>
    </div>
  );
}
