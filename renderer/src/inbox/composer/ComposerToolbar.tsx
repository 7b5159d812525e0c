// Under the reply box: emoji, attach, schedule, the keyboard hint and the send button.
import { useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon } from '../../components/Icon';
import { EmojiPicker } from '../EmojiPicker';
import type { ComposerMode } from './ModeTabs';
import './Composer.css';

/** What the attach button accepts (the types the channels can send). */
const ACCEPTED_FILES =
  'image/jpeg,image/png,image/webp,video/mp4,video/3gpp,audio/*,application/pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp,.txt,.csv,.zip';

interface ComposerToolbarProps {
  mode: ComposerMode;
  /** Replying is not possible (window closed, no permission). */
  blocked: boolean;
  /** Files are attached (a scheduled message is text only). */
  hasAttachments: boolean;
  sendDisabled: boolean;
  /** More reply tools after the built-in ones (e.g. the AI agents' Suggest reply and Summarize). */
  extraTools?: ReactNode;
  onEmoji(emoji: string): void;
  onFiles(files: FileList): void;
  onSchedule(): void;
  onSend(): void;
}

export function ComposerToolbar({
  mode,
  blocked,
  hasAttachments,
  sendDisabled,
  extraTools,
  onEmoji,
  onFiles,
  onSchedule,
  onSend,
}: ComposerToolbarProps) {
  const { t } = useTranslation(['inbox', 'teamwork']);
  const [emojiOpen, setEmojiOpen] = useState(false);
  const fileRef = useRef<HTMLInputElement>(null);
  return (
    <div className="composer__toolbar">
      <div className="composer__tools">
        <span className="composer__emoji-anchor">
          <button
            type="button"
            className="icon-button"
            onClick={() => setEmojiOpen((v) => !v)}
            aria-label={t('composer.emoji')}
            title={t('composer.emoji')}
            aria-expanded={emojiOpen}
            disabled={blocked}
            data-testid="emoji-button"
          >
            <Icon name="smile" />
          </button>
          {emojiOpen ? (
            <EmojiPicker
              onPick={(emoji) => {
                onEmoji(emoji);
                setEmojiOpen(false);
              }}
              onClose={() => setEmojiOpen(false)}
            />
          ) : null}
        </span>
        {mode === 'reply' ? (
          <>
            <button
              type="button"
              className="icon-button"
              onClick={() => fileRef.current?.click()}
              aria-label={t('composer.attach')}
              title={t('composer.attach')}
              disabled={blocked}
              data-testid="attach-button"
            >
              <Icon name="paperclip" />
            </button>
            <input
              ref={fileRef}
              type="file"
              multiple
              hidden
              data-testid="attach-input"
              accept={ACCEPTED_FILES}
              onChange={(e) => {
                if (e.target.files) onFiles(e.target.files);
                e.target.value = '';
              }}
            />
          </>
        ) : null}
        {mode === 'reply' ? (
          <button
            type="button"
            className="icon-button"
            onClick={onSchedule}
            aria-label={t('teamwork:schedule.action')}
            title={t('teamwork:schedule.action')}
            disabled={blocked || hasAttachments}
            data-testid="schedule-button"
          >
            <Icon name="calendar" />
          </button>
        ) : null}
        {mode === 'reply' ? extraTools : null}
        <span className="composer__hint-keys">{mode === 'reply' ? t('composer.keysHintQuick') : t('composer.keysHint')}</span>
      </div>
      <button
        type="button"
        className={mode === 'note' ? 'button button--note button--sm' : 'button button--primary button--sm'}
        onClick={onSend}
        disabled={sendDisabled}
        data-testid="send-button"
      >
        <Icon name={mode === 'note' ? 'note' : 'send'} size={16} />
        <span>{mode === 'note' ? t('composer.addNote') : t('composer.send')}</span>
      </button>
    </div>
  );
}
