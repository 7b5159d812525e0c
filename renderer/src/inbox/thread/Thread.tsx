// The middle pane: one conversation's messages, notes and assignment history in time order, with
// date separators, the outbox's waiting replies, typing indicators and the composer.
import { useCallback, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { contactName, useNow } from '../../format';
import { useOutboxEntries, useWorkspace } from '../../workspace';
import type { Message } from '../api';
import { Composer } from '../composer/Composer';
import { MediaViewer } from '../MediaViewer';
import { ThreadHeader, type ThreadHeaderProps } from './ThreadHeader';
import { buildTimeline } from './timeline';
import { Timeline } from './Timeline';
import { TypingIndicator } from './TypingIndicator';
import { useMarkRead } from './useMarkRead';
import { useActivity, useMessages, useNotes } from './useThread';
import { useHighlightedMessage, useThreadScroll } from './useThreadScroll';
import './Thread.css';

interface ThreadProps extends Omit<ThreadHeaderProps, 'now'> {
  focusMessageId: string | undefined;
}

export function Thread({ conversation, focusMessageId, onConversation, ...header }: ThreadProps) {
  const { t, i18n } = useTranslation('inbox');
  const { can, outbox } = useWorkspace();
  const now = useNow(30_000);
  const data = useMessages(conversation.id, focusMessageId);
  const { notes, upsert: upsertNote } = useNotes(conversation.id);
  const activity = useActivity(conversation.id);
  const outboxEntries = useOutboxEntries();
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [viewing, setViewing] = useState<Message | null>(null);

  const waiting = useMemo(() => outboxEntries.filter((e) => e.conversationId === conversation.id), [outboxEntries, conversation.id]);
  const hour = Math.floor(now / 3600_000);
  const items = useMemo(
    () => buildTimeline(data.messages, notes, activity, waiting, t, i18n.resolvedLanguage, hour * 3600_000),
    [data.messages, notes, activity, waiting, t, i18n.resolvedLanguage, hour],
  );

  useMarkRead(conversation, onConversation);
  const scroll = useThreadScroll(items, data, focusMessageId);
  const { highlight, jumpTo } = useHighlightedMessage(focusMessageId);

  const retry = useCallback(
    (m: Message) => {
      // A failed message is retried as a new one (new clientMessageId) with the same content.
      if (m.mediaId && ['image', 'video', 'audio', 'document'].includes(m.type)) {
        outbox.enqueue(conversation.id, { type: m.type as 'image', mediaId: m.mediaId, caption: m.text ?? undefined });
      } else if (m.text) {
        outbox.enqueue(conversation.id, { type: 'text', text: m.text });
      }
      scroll.stickToBottom();
    },
    [outbox, conversation.id, scroll.stickToBottom],
  );

  return (
    <section
      className="thread"
      aria-label={t('inbox.threadWith', { name: contactName(conversation.contact, t) })}
      data-testid="thread"
      data-conversation-id={conversation.id}
    >
      <ThreadHeader conversation={conversation} now={now} onConversation={onConversation} {...header} />
      <div className="thread__scroll" ref={scroll.scrollRef} onScroll={scroll.onScroll} data-testid="thread-scroll">
        <Timeline
          data={data}
          items={items}
          focusMessageId={focusMessageId}
          highlight={highlight}
          canSend={can('messages.send')}
          onOpenMedia={setViewing}
          onReply={setReplyTo}
          onRetry={retry}
          onJump={jumpTo}
        />
        <TypingIndicator conversationId={conversation.id} />
      </div>
      <Composer
        key={conversation.id}
        conversation={conversation}
        replyTo={replyTo}
        onCancelReply={() => setReplyTo(null)}
        onNote={upsertNote}
        onSent={scroll.stickToBottom}
      />
      {viewing ? <MediaViewer message={viewing} onClose={() => setViewing(null)} /> : null}
    </section>
  );
}
