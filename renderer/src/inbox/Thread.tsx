// The middle pane: one conversation's messages, notes and assignment history in time order, with
// date separators, the outbox's waiting replies, typing indicators and the composer.
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type CSSProperties, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { ChannelIcon, Icon } from '../components/Icon';
import { errorMessage } from '../errors';
import { avatarHue, contactName, dayKey, formatDayLabel, formatTime, initials, useNow, windowInfo } from '../format';
import { useRealtimeEvent } from '../realtime';
import { useOutboxEntries, useWorkspace } from '../workspace';
import { inboxApi, type Conversation, type ConversationStatus, type Message, type Note } from './api';
import { Composer } from './Composer';
import { MediaViewer } from './MediaViewer';
import { DeliveryTicks, MessageBubble, RichText, type Reaction } from './MessageBubble';
import type { OutboxEntry } from './outbox';
import { CsatChip } from '../teamwork/Csat';
import { SlaBadge } from '../teamwork/SlaBadge';
import { useTeam } from '../teamwork/TeamContext';
import { TransferButton } from '../teamwork/Transfer';
import { useActivity, useMessages, useNotes, type ActivityEntry } from './useThread';

interface ThreadProps {
  conversation: Conversation;
  focusMessageId: string | undefined;
  panelOpen: boolean;
  onTogglePanel(): void;
  onBack(): void;
  onAssignToMe(): void;
  onStatus(status: ConversationStatus): void;
  onConversation(conversation: Conversation): void;
}

type Item =
  | { kind: 'day'; key: string; label: string }
  | { kind: 'message'; key: string; at: string; message: Message; reactions: Reaction[] }
  | { kind: 'note'; key: string; at: string; note: Note }
  | { kind: 'activity'; key: string; at: string; entry: ActivityEntry }
  | { kind: 'outbox'; key: string; at: string; entry: OutboxEntry };

export function Thread({
  conversation,
  focusMessageId,
  panelOpen,
  onTogglePanel,
  onBack,
  onAssignToMe,
  onStatus,
  onConversation,
}: ThreadProps) {
  const { t, i18n } = useTranslation(['inbox', 'search']);
  const { me, can, outbox, agentName } = useWorkspace();
  const { divisionName } = useTeam();
  const now = useNow(30_000);
  const data = useMessages(conversation.id, focusMessageId);
  const { notes, upsert: upsertNote } = useNotes(conversation.id);
  const activity = useActivity(conversation.id);
  const outboxEntries = useOutboxEntries();
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [viewing, setViewing] = useState<Message | null>(null);
  const [highlight, setHighlight] = useState<string | undefined>(focusMessageId);
  const typing = useTyping(conversation.id);

  const waiting = useMemo(() => outboxEntries.filter((e) => e.conversationId === conversation.id), [outboxEntries, conversation.id]);
  const hour = Math.floor(now / 3600_000);
  const items = useMemo(
    () => buildTimeline(data.messages, notes, activity, waiting, t, i18n.resolvedLanguage, hour * 3600_000),
    [data.messages, notes, activity, waiting, t, i18n.resolvedLanguage, hour],
  );
  const byId = useMemo(() => new Map(data.messages.map((m) => [m.id, m])), [data.messages]);

  // ---- Read state: opening a conversation (or a message arriving while it is open) marks it read.
  const unread = conversation.unreadCount;
  useEffect(() => {
    if (unread <= 0) return;
    const mark = () => {
      if (document.visibilityState !== 'visible') return;
      inboxApi
        .markRead(conversation.id)
        .then(onConversation)
        .catch(() => undefined);
    };
    const timer = setTimeout(mark, 300);
    document.addEventListener('visibilitychange', mark);
    return () => {
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', mark);
    };
  }, [conversation.id, unread, onConversation]);

  // ---- Scrolling: start at the bottom (or the searched message), stay there as messages arrive,
  // and keep the position when older messages load above.
  const scrollRef = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const firstKey = useRef<string | undefined>(undefined);
  const prevHeight = useRef(0);
  const positioned = useRef(false);
  const lastCount = useRef(0);

  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el || data.status !== 'ready') return;
    const first = items.find((i) => i.kind !== 'day')?.key;
    if (!positioned.current) {
      positioned.current = true;
      const target = focusMessageId ? document.getElementById(`message-${focusMessageId}`) : null;
      if (target) {
        target.scrollIntoView({ block: 'center' });
        atBottom.current = false;
      } else el.scrollTop = el.scrollHeight;
    } else if (firstKey.current && first !== firstKey.current && items.length > lastCount.current) {
      // Older items were added above: keep what the agent was looking at in place.
      el.scrollTop += el.scrollHeight - prevHeight.current;
    } else if (atBottom.current || items[items.length - 1]?.kind === 'outbox') {
      el.scrollTop = el.scrollHeight;
    }
    firstKey.current = first;
    prevHeight.current = el.scrollHeight;
    lastCount.current = items.length;
  }, [items, data.status, focusMessageId]);

  // Images and media growing after they load keep the thread pinned to the bottom if it was there.
  useEffect(() => {
    const el = scrollRef.current;
    const content = el?.firstElementChild;
    if (!el || !content || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      if (atBottom.current) el.scrollTop = el.scrollHeight;
      prevHeight.current = el.scrollHeight;
    });
    observer.observe(content);
    return () => observer.disconnect();
  }, [data.status]);

  useEffect(() => {
    if (!highlight) return;
    const timer = setTimeout(() => setHighlight(undefined), 4000);
    return () => clearTimeout(timer);
  }, [highlight]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
    prevHeight.current = el.scrollHeight;
    if (el.scrollTop < 240 && data.hasOlder && !data.loadingOlder) data.loadOlder();
  };

  const jumpTo = useCallback((messageId: string) => {
    document.getElementById(`message-${messageId}`)?.scrollIntoView({ block: 'center', behavior: 'smooth' });
    setHighlight(messageId);
  }, []);

  const retry = useCallback(
    (m: Message) => {
      // A failed message is retried as a new one (new clientMessageId) with the same content.
      if (m.mediaId && ['image', 'video', 'audio', 'document'].includes(m.type)) {
        outbox.enqueue(conversation.id, { type: m.type as 'image', mediaId: m.mediaId, caption: m.text ?? undefined });
      } else if (m.text) {
        outbox.enqueue(conversation.id, { type: 'text', text: m.text });
      }
      atBottom.current = true;
    },
    [outbox, conversation.id],
  );

  const name = contactName(conversation.contact, t);
  const win = windowInfo(conversation.windowExpiresAt, t, now);
  const canManage = can('conversations.manage');
  const canSend = can('messages.send');
  const resolved = conversation.status === 'resolved' || conversation.status === 'expired';
  const division = divisionName(conversation.divisionId);

  return (
    <section className="thread" aria-label={t('inbox.threadWith', { name })} data-testid="thread" data-conversation-id={conversation.id}>
      <header className="thread__header">
        <button
          type="button"
          className="icon-button thread__back"
          onClick={onBack}
          aria-label={t('inbox.backToList')}
          data-testid="thread-back"
        >
          <Icon name="back" />
        </button>
        <span className="avatar avatar--sm" style={{ '--hue': avatarHue(conversation.contact.id) } as CSSProperties} aria-hidden="true">
          {initials(conversation.contact.name ?? conversation.contact.phone)}
        </span>
        <div className="thread__who">
          <div className="thread__title-row">
            <h2 className="thread__name" data-testid="thread-contact-name">
              {name}
            </h2>
            <span className="thread__badges">
              {division ? (
                <span className="chip chip--division" data-testid="thread-division" title={t('inbox.divisionLabel')}>
                  {division}
                </span>
              ) : null}
              <SlaBadge sla={conversation.sla} now={now} />
              {resolved ? <CsatChip conversation={conversation} /> : null}
            </span>
          </div>
          <p className="thread__sub">
            <ChannelIcon channel={conversation.channel} size={12} title={t(`channel.${conversation.channel}`)} />
            <span>{conversation.contact.phone ?? conversation.contact.email ?? t(`channel.${conversation.channel}`)}</span>
            <span aria-hidden="true">·</span>
            <span className={`status-dot status-dot--${conversation.status}`}>{t(`conversationStatus.${conversation.status}`)}</span>
            {conversation.channel !== 'email' && !resolved ? (
              <>
                <span aria-hidden="true">·</span>
                <span
                  className={win.open ? (win.urgent ? 'text-warn' : '') : 'text-danger'}
                  data-testid="thread-window"
                  title={t('inbox.windowTitle')}
                >
                  {win.label}
                </span>
              </>
            ) : null}
            {conversation.assignee ? (
              <>
                <span aria-hidden="true">·</span>
                <span>
                  {t('inbox.assignedTo', { name: conversation.assignee.id === me.id ? t('inbox.you') : conversation.assignee.name })}
                </span>
              </>
            ) : null}
          </p>
        </div>
        <div className="thread__actions">
          {conversation.assignee?.id !== me.id && (canManage || canSend) ? (
            <button
              type="button"
              className="button button--secondary button--sm"
              onClick={onAssignToMe}
              data-testid="assign-to-me"
              title={`${t('inbox.assignToMe')} (a)`}
            >
              <Icon name="userPlus" size={16} />
              <span className="hide-narrow">{t('inbox.assignToMe')}</span>
            </button>
          ) : null}
          {!resolved ? <TransferButton conversation={conversation} onConversation={onConversation} /> : null}
          {canManage ? (
            resolved ? (
              <button type="button" className="button button--secondary button--sm" onClick={() => onStatus('open')} data-testid="reopen">
                <Icon name="retry" size={16} />
                <span className="hide-narrow">{t('inbox.reopen')}</span>
              </button>
            ) : (
              <button
                type="button"
                className="button button--secondary button--sm"
                onClick={() => onStatus('resolved')}
                data-testid="resolve"
                title={`${t('inbox.resolve')} (e)`}
              >
                <Icon name="resolve" size={16} />
                <span className="hide-narrow">{t('inbox.resolve')}</span>
              </button>
            )
          ) : null}
          <button
            type="button"
            className={panelOpen ? 'icon-button icon-button--active' : 'icon-button'}
            onClick={onTogglePanel}
            aria-pressed={panelOpen}
            aria-label={t('inbox.details')}
            title={t('inbox.details')}
            data-testid="toggle-details"
          >
            <Icon name="panel" />
          </button>
        </div>
      </header>

      <div className="thread__scroll" ref={scrollRef} onScroll={onScroll} data-testid="thread-scroll">
        {data.status === 'loading' ? (
          <div className="empty-state" role="status">
            <span className="spinner spinner--dark" aria-hidden="true" />
            <span>{t('common.loading')}</span>
          </div>
        ) : data.status === 'error' ? (
          <div className="empty-state" role="alert">
            <p>{errorMessage(t, data.error)}</p>
            <button type="button" className="button button--secondary" onClick={data.reload}>
              {t('common.retry')}
            </button>
          </div>
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
            {items.map((item) => (
              <li key={item.key} className={`timeline__item timeline__item--${item.kind}`}>
                {renderItem(item)}
              </li>
            ))}
          </ol>
        )}
        {typing.length ? (
          <p className="typing" data-testid="typing-indicator">
            <span className="typing__dots" aria-hidden="true">
              <span />
              <span />
              <span />
            </span>
            {t('inbox.typing', { names: typing.join(', '), count: typing.length })}
          </p>
        ) : null}
      </div>

      <Composer
        key={conversation.id}
        conversation={conversation}
        replyTo={replyTo}
        onCancelReply={() => setReplyTo(null)}
        onNote={upsertNote}
        onSent={() => {
          atBottom.current = true;
        }}
      />
      {viewing ? <MediaViewer message={viewing} onClose={() => setViewing(null)} /> : null}
    </section>
  );

  function renderItem(item: Item): ReactNode {
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
            onOpenMedia={setViewing}
            onReply={setReplyTo}
            onRetry={retry}
            onJump={jumpTo}
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
}

function NoteItem({ note }: { note: Note }) {
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

function ActivityItem({ entry, agentName }: { entry: ActivityEntry; agentName(id: string | null | undefined): string | null }) {
  const { t, i18n } = useTranslation('inbox');
  const actor = entry.actorName ?? agentName(entry.actorId) ?? t('activity.someone');
  let text: string;
  if (entry.kind === 'assigned') {
    const to = agentName(entry.toId) ?? t('activity.anAgent');
    text = entry.toId && entry.toId === entry.actorId ? t('activity.selfAssigned', { actor }) : t('activity.assigned', { actor, to });
  } else if (entry.kind === 'unassigned') text = t('activity.unassigned', { actor });
  else if (entry.kind === 'takeover')
    text = entry.reason ? t('activity.takeoverReason', { actor, reason: entry.reason }) : t('activity.takeover', { actor });
  else
    text = t('activity.status', {
      actor,
      status: t(`conversationStatus.${entry.status as 'open'}`, { defaultValue: entry.status }).toLocaleLowerCase(),
    });
  return (
    <p className="activity" data-testid="thread-activity">
      <span>{text}</span>
      <time dateTime={entry.createdAt}>{formatTime(entry.createdAt, i18n.resolvedLanguage)}</time>
    </p>
  );
}

function OutboxItem({ entry }: { entry: OutboxEntry }) {
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

/** Other agents typing in this conversation (the server relays it; it is never stored). */
function useTyping(conversationId: string): string[] {
  const { me } = useWorkspace();
  const [typing, setTyping] = useState<Record<string, { name: string; until: number }>>({});
  useRealtimeEvent('typing', (p: { conversationId: string; typing: boolean; user: { id: string; name: string } }) => {
    if (p?.conversationId !== conversationId || !p.user || p.user.id === me.id) return;
    setTyping((cur) => {
      const next = { ...cur };
      if (p.typing) next[p.user.id] = { name: p.user.name, until: Date.now() + 6000 };
      else delete next[p.user.id];
      return next;
    });
  });
  const active = Object.values(typing);
  useEffect(() => {
    if (active.length === 0) return;
    const timer = setInterval(() => {
      setTyping((cur) => {
        const at = Date.now();
        const next = Object.fromEntries(Object.entries(cur).filter(([, v]) => v.until > at));
        return Object.keys(next).length === Object.keys(cur).length ? cur : next;
      });
    }, 1000);
    return () => clearInterval(timer);
  }, [active.length]);
  return active.map((v) => v.name);
}

function buildTimeline(
  messages: Message[],
  notes: Note[],
  activity: ActivityEntry[],
  outboxEntries: OutboxEntry[],
  t: TFunction<'inbox'>,
  language: string | undefined,
  now: number,
): Item[] {
  // Reactions attach to the message they react to (the latest per side wins; an empty emoji removes it).
  const reactionsByTarget = new Map<string, Map<string, string>>();
  const loose: Message[] = [];
  const ids = new Set(messages.map((m) => m.id));
  for (const m of messages) {
    if (m.type !== 'reaction') continue;
    if (m.replyToId && ids.has(m.replyToId)) {
      const side = m.direction === 'inbound' ? 'customer' : 'agent';
      const map = reactionsByTarget.get(m.replyToId) ?? new Map<string, string>();
      map.set(side, m.content.reaction?.emoji ?? '');
      reactionsByTarget.set(m.replyToId, map);
    } else loose.push(m);
  }
  const sent = new Set(messages.map((m) => m.clientMessageId).filter(Boolean));
  const entries: Exclude<Item, { kind: 'day' }>[] = [];
  for (const m of messages) {
    if (m.type === 'reaction' && !loose.includes(m)) continue;
    const reactions: Reaction[] = [...(reactionsByTarget.get(m.id) ?? new Map()).entries()]
      .filter(([, emoji]) => emoji)
      .map(([from, emoji]) => ({ emoji, from: from as Reaction['from'] }));
    entries.push({ kind: 'message', key: `m-${m.id}`, at: m.createdAt, message: m, reactions });
  }
  for (const note of notes) entries.push({ kind: 'note', key: `n-${note.id}`, at: note.createdAt, note });
  for (const entry of activity) entries.push({ kind: 'activity', key: `a-${entry.id}`, at: entry.createdAt, entry });
  entries.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || (a.key < b.key ? -1 : 1));
  // Waiting replies always come last, in the order they were written.
  for (const entry of outboxEntries) {
    if (sent.has(entry.clientMessageId)) continue;
    entries.push({ kind: 'outbox', key: `o-${entry.clientMessageId}`, at: entry.createdAt, entry });
  }

  const items: Item[] = [];
  let lastDay = '';
  for (const entry of entries) {
    const day = dayKey(entry.at);
    if (day !== lastDay) {
      items.push({ kind: 'day', key: `d-${day}-${items.length}`, label: formatDayLabel(entry.at, t, language, now) });
      lastDay = day;
    }
    items.push(entry);
  }
  return items;
}
