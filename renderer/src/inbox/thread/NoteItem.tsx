// An internal note in the timeline: only the team sees it.
import { useTranslation } from 'react-i18next';
import { Icon } from '../../components/Icon';
import { formatTime } from '../../format';
import type { Note } from '../api';
import { RichText } from '../MessageBubble';
import './NoteItem.css';

export function NoteItem({ note }: { note: Note }) {
  const { t, i18n } = useTranslation('inbox');
  return (
    <div className="note-bubble" data-testid="thread-note">
      <span className="note-bubble__head">
        <span className="note-bubble__label">
          <Icon name="lock" size={12} />
          {t('notes.internal')}
        </span>
        <span className="note-bubble__meta">
          {note.author?.name ?? t('notes.unknownAuthor')} · {formatTime(note.createdAt, i18n.resolvedLanguage)}
        </span>
      </span>
      <p className="note-bubble__body">
        <RichText text={note.body} />
      </p>
    </div>
  );
}
