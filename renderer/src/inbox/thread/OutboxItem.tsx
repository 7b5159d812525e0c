// A reply still in the outbox, at the end of the timeline: waiting, sending, or not sent (with
// retry and discard).
import { useTranslation } from 'react-i18next';
import { Icon } from '../../components/Icon';
import { formatTime } from '../../format';
import { useWorkspace } from '../../workspace';
import { DeliveryTicks, RichText } from '../MessageBubble';
import type { OutboxEntry } from '../outbox';
import '../MessageBubble.css';

export function OutboxItem({ entry }: { entry: OutboxEntry }) {
  const { t, i18n } = useTranslation('inbox');
  const { outbox } = useWorkspace();
  const body = entry.body;
  const text = body.type === 'text' ? body.text : body.caption;
  const failed = entry.state === 'failed';
  return (
    <div
      className={failed ? 'msg msg--out msg--failed msg--outbox' : 'msg msg--out msg--outbox'}
      data-testid="outbox-message"
      data-state={entry.state}
      data-client-id={entry.clientMessageId}
    >
      <div className="msg__bubble">
        {body.type !== 'text' ? (
          <span className="msg__label">
            <Icon
              name={body.type === 'image' ? 'image' : body.type === 'video' ? 'video' : body.type === 'audio' ? 'mic' : 'file'}
              size={14}
            />
            {t(`messageType.${body.type}`)}
          </span>
        ) : null}
        {text ? (
          <p className="msg__text">
            <RichText text={text} />
          </p>
        ) : null}
        <span className="msg__meta">
          <span className="msg__sender">
            {failed ? t('outbox.notSent') : entry.state === 'sending' ? t('outbox.sending') : t('outbox.waiting')}
          </span>
          <time dateTime={entry.createdAt}>{formatTime(entry.createdAt, i18n.resolvedLanguage)}</time>
          <DeliveryTicks status={failed ? 'failed' : 'outbox'} />
        </span>
      </div>
      {failed ? (
        <div className="msg__failure" role="alert">
          <Icon name="alert" size={14} />
          <span>{entry.windowClosed ? t('composer.windowClosedTitle') : entry.error || t('delivery.failedUnknown')}</span>
          {!entry.windowClosed ? (
            <button type="button" className="link-button" onClick={() => outbox.retry(entry.clientMessageId)} data-testid="outbox-retry">
              {t('delivery.retry')}
            </button>
          ) : null}
          <button type="button" className="link-button" onClick={() => outbox.discard(entry.clientMessageId)} data-testid="outbox-discard">
            {t('outbox.discard')}
          </button>
        </div>
      ) : null}
    </div>
  );
}
