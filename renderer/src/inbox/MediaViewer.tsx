// Full-size image viewer over the thread (Escape or the backdrop closes it).
import { useTranslation } from 'react-i18next';
import { Dialog } from '../components/Dialog';
import { Icon } from '../components/Icon';
import type { Message } from './api';
import './MediaViewer.css';

export function MediaViewer({ message, onClose }: { message: Message; onClose(): void }) {
  const { t } = useTranslation('inbox');
  if (!message.mediaUrl) return null;
  return (
    <Dialog title={message.text || t('messageType.image')} onClose={onClose} className="viewer" testId="media-viewer" hideTitle>
      <figure className="viewer__figure">
        <img src={message.mediaUrl} alt={message.text || t('messageType.image')} data-testid="media-viewer-image" />
        {message.text ? <figcaption>{message.text}</figcaption> : null}
      </figure>
      <div className="viewer__actions">
        <a className="button button--secondary" href={`${message.mediaUrl}?download=true`} download>
          <Icon name="download" size={16} />
          {t('inbox.download')}
        </a>
        <a className="button button--secondary" href={message.mediaUrl} target="_blank" rel="noopener noreferrer">
          <Icon name="external" size={16} />
          {t('inbox.openOriginal')}
        </a>
      </div>
    </Dialog>
  );
}
