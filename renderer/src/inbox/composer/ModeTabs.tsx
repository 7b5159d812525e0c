import { useTranslation } from 'react-i18next';
import { Icon } from '../../components/Icon';
import './Composer.css';

/** A reply to the customer, or an internal note only the team sees. */
export type ComposerMode = 'reply' | 'note';

export function ModeTabs({ mode, onChange }: { mode: ComposerMode; onChange(mode: ComposerMode): void }) {
  const { t } = useTranslation('inbox');
  return (
    <div className="composer__tabs" role="tablist" aria-label={t('composer.mode')}>
      <button
        type="button"
        role="tab"
        aria-selected={mode === 'reply'}
        className="composer__tab"
        onClick={() => onChange('reply')}
        data-testid="composer-mode-reply"
      >
        {t('composer.reply')}
      </button>
      <button
        type="button"
        role="tab"
        aria-selected={mode === 'note'}
        className="composer__tab composer__tab--note"
        onClick={() => onChange('note')}
        data-testid="composer-mode-note"
      >
        <Icon name="lock" size={12} />
        {t('composer.note')}
      </button>
    </div>
  );
}
