// Above the reply box: each attached file with its preview, upload progress or error, and buttons
// to retry or remove it.
import { useTranslation } from 'react-i18next';
import { Icon } from '../../components/Icon';
import { formatBytes } from '../../format';
import type { Upload } from './useAttachments';
import './AttachmentList.css';

export function AttachmentList({
  uploads,
  onRetry,
  onRemove,
}: {
  uploads: Upload[];
  onRetry(upload: Upload): void;
  onRemove(key: string): void;
}) {
  const { t, i18n } = useTranslation('inbox');
  return (
    <ul className="composer__uploads" aria-label={t('composer.attachments')}>
      {uploads.map((u) => (
        <li key={u.key} className={u.error ? 'upload upload--error' : 'upload'} data-testid="upload">
          {u.previewUrl ? <img src={u.previewUrl} alt="" className="upload__preview" /> : <Icon name="file" size={20} />}
          <span className="upload__info">
            <span className="upload__name">{u.file.name}</span>
            <span className="upload__sub">
              {u.error
                ? u.error
                : u.media
                  ? formatBytes(u.file.size, i18n.resolvedLanguage)
                  : t('composer.uploading', { percent: Math.round(u.progress * 100) })}
            </span>
            {!u.media && !u.error ? (
              <progress
                className="upload__progress"
                max={1}
                value={u.progress}
                aria-label={t('composer.uploadProgress')}
                data-testid="upload-progress"
              />
            ) : null}
          </span>
          {u.error ? (
            <button type="button" className="icon-button icon-button--sm" onClick={() => onRetry(u)} aria-label={t('common.retry')}>
              <Icon name="retry" size={14} />
            </button>
          ) : null}
          <button
            type="button"
            className="icon-button icon-button--sm"
            onClick={() => onRemove(u.key)}
            aria-label={t('composer.removeAttachment')}
          >
            <Icon name="x" size={14} />
          </button>
        </li>
      ))}
    </ul>
  );
}
