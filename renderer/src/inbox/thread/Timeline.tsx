// The thread's timeline: "load older" (or the conversation's start), the items in time order, and
// a notice when the searched message is not in this conversation.
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../errors';
import { useWorkspace } from '../../workspace';
import type { Message } from '../api';
import { MessageBubble } from '../MessageBubble';
import { ActivityItem } from './ActivityItem';
import { NoteItem } from './NoteItem';
import { OutboxItem } from './OutboxItem';
import type { TimelineItem } from './timeline';
import type { ThreadData } from './useThread';
import './Timeline.css';

interface TimelineProps {
  data: ThreadData;
  items: TimelineItem[];
  focusMessageId: string | undefined;
  /** The message shown highlighted (searched, or jumped to). */
  highlight: string | undefined;
  canSend: boolean;
  onOpenMedia(message: Message): void;
  onReply(message: Message): void;
  onRetry(message: Message): void;
  onJump(messageId: string): void;
}

export function Timeline({ data, items, focusMessageId, highlight, canSend, onOpenMedia, onReply, onRetry, onJump }: TimelineProps) {
  const { t } = useTranslation(['inbox', 'search']);
  const { agentName } = useWorkspace();
  const byId = useMemo(() => new Map(data.messages.map((m) => [m.id, m])), [data.messages]);

  function renderItem(item: TimelineItem) {
    switch (item.kind) {
      case 'day':
        return (
          <span className="day-separator" data-testid="day-separator">
            <span>{item.label}</span>
          </span>
        );
      case 'message':
        return (
          <MessageBubble
            message={item.message}
            quoted={item.message.replyToId ? byId.get(item.message.replyToId) : undefined}
            reactions={item.reactions}
            highlighted={highlight === item.message.id}
            onOpenMedia={onOpenMedia}
            onReply={onReply}
            onRetry={onRetry}
            onJump={onJump}
            canSend={canSend}
          />
        );
      case 'note':
        return <NoteItem note={item.note} />;
      case 'activity':
        return <ActivityItem entry={item.entry} agentName={agentName} />;
      case 'outbox':
        return <OutboxItem entry={item.entry} />;
    }
  }

  const row = (item: TimelineItem) => (
    <li key={item.key} className={`timeline__item timeline__item--${item.kind}`}>
      {renderItem(item)}
    </li>
  );
  // Replies written while the history is loading, or could not load (the server down as the thread
  // opened), still show as waiting: the agent sees what will be sent when the connection returns.
  const waiting = items.filter((item) => item.kind === 'outbox');
  const waitingList = waiting.length > 0 ? <ol className="timeline">{waiting.map(row)}</ol> : null;

  return data.status === 'loading' ? (
    <>
      <div className="empty-state" role="status">
        <span className="spinner spinner--dark" aria-hidden="true" />
        <span>{t('common.loading')}</span>
      </div>
      {waitingList}
    </>
  ) : data.status === 'error' ? (
    <>
      <div className="empty-state" role="alert">
        <p>{errorMessage(t, data.error)}</p>
        <button type="button" className="button button--secondary" onClick={data.reload}>
          {t('common.retry')}
        </button>
      </div>
      {waitingList}
    </>
  ) : (
    <ol className="timeline" aria-live="polite" aria-relevant="additions">
      {data.hasOlder ? (
        <li className="timeline__older">
          {data.loadingOlder ? (
            <span className="spinner spinner--dark" aria-label={t('common.loading')} />
          ) : (
            <button type="button" className="link-button" onClick={data.loadOlder}>
              {t('inbox.loadOlder')}
            </button>
          )}
        </li>
      ) : (
        <li className="timeline__start">{t('inbox.conversationStart')}</li>
      )}
      {focusMessageId && data.focusFound === false ? <li className="timeline__notice">{t('search:search.notInThread')}</li> : null}
      {items.map(row)}
    </ol>
  );
}
