// "/" in the composer: the quick-reply picker. Typing after the slash filters (shortcut first, then
// title and text); arrow keys move, Enter or Tab inserts, Escape closes. Favorites come first. The
// inserted text has its variables filled for this conversation's contact and the agent (the server
// renders them), and each use is recorded so the most used replies rise.
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { Icon } from '../components/Icon';
import { teamApi, type QuickReply } from './api';
import './QuickReplyPicker.css';

/** The "/query" token that ends at the caret, if the caret is in one. */
export function slashToken(text: string, caret: number): { start: number; query: string } | null {
  let i = caret;
  while (i > 0 && !/\s/.test(text[i - 1])) i--;
  const token = text.slice(i, caret);
  if (!token.startsWith('/') || token.length > 65) return null;
  return { start: i, query: token.slice(1) };
}

/** Favorites first, then shortcuts that start with the query, then other matches; otherwise the server's order (most used first). */
export function filterQuickReplies(items: QuickReply[], query: string): QuickReply[] {
  const q = query.trim().toLowerCase();
  const scored = items
    .map((item, index) => {
      const prefix = item.shortcut.startsWith(q);
      const match =
        prefix || item.shortcut.includes(q) || (item.title ?? '').toLowerCase().includes(q) || item.body.toLowerCase().includes(q);
      return { item, index, prefix, match };
    })
    .filter((x) => !q || x.match);
  scored.sort((a, b) => Number(b.item.favorite) - Number(a.item.favorite) || Number(b.prefix) - Number(a.prefix) || a.index - b.index);
  return scored.map((x) => x.item);
}

export interface QuickReplyPicker {
  open: boolean;
  items: QuickReply[];
  active: number;
  loading: boolean;
  listId: string;
  optionId(index: number): string;
  /** Call on every change of text or caret. */
  update(text: string, caret: number): void;
  close(): void;
  /** Handles the picker's keys; true when it consumed the event. */
  onKeyDown(event: KeyboardEvent): boolean;
  choose(index: number): void;
}

export function useQuickReplyPicker(options: {
  conversationId: string;
  enabled: boolean;
  /** Replaces text[start, end) with the reply's filled text. */
  onInsert(reply: QuickReply, text: string, start: number, end: number): void;
}): QuickReplyPicker {
  const { conversationId, enabled } = options;
  const [token, setToken] = useState<{ start: number; query: string; caret: number } | null>(null);
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const [items, setItems] = useState<QuickReply[] | null>(null);
  const [loading, setLoading] = useState(false);
  const [active, setActive] = useState(0);
  const onInsert = useRef(options.onInsert);
  onInsert.current = options.onInsert;

  const open = enabled && token !== null && dismissedAt !== token.start;

  // Fetch afresh each time the picker opens (filled for this conversation); filter locally while typing.
  useEffect(() => {
    if (!open) return;
    let cancelled = false;
    setLoading(true);
    teamApi
      .quickReplies({ conversationId, limit: 200 })
      .then((page) => !cancelled && setItems(page.data))
      .catch(() => !cancelled && setItems((cur) => cur ?? []))
      .finally(() => !cancelled && setLoading(false));
    return () => {
      cancelled = true;
    };
  }, [open, conversationId]);

  const filtered = useMemo(() => (open && items ? filterQuickReplies(items, token!.query) : []), [open, items, token]);
  useEffect(() => setActive(0), [token?.query, items]);

  const update = useCallback((text: string, caret: number) => {
    const next = slashToken(text, caret);
    setToken(next ? { ...next, caret } : null);
    if (!next) setDismissedAt(null);
  }, []);
  const close = useCallback(() => {
    setDismissedAt((cur) => (token ? token.start : cur));
  }, [token]);

  const choose = useCallback(
    (index: number) => {
      const reply = filtered[index];
      if (!reply || !token) return;
      setToken(null);
      const end = token.caret;
      if (reply.rendered !== null) {
        onInsert.current(reply, reply.rendered, token.start, end);
        void teamApi.recordQuickReplyUse(reply.id, conversationId).catch(() => undefined);
      } else {
        // Not filled yet (e.g. the list came without a conversation): the usage call answers the filled text.
        teamApi
          .recordQuickReplyUse(reply.id, conversationId)
          .then((used) => onInsert.current(reply, used.rendered ?? reply.body, token.start, end))
          .catch(() => onInsert.current(reply, reply.body, token.start, end));
      }
    },
    [filtered, token, conversationId],
  );

  const onKeyDown = useCallback(
    (event: KeyboardEvent) => {
      if (!open || event.nativeEvent.isComposing) return false;
      if (event.key === 'Escape') {
        close();
        return true;
      }
      if (filtered.length === 0) return false;
      if (event.key === 'ArrowDown') {
        setActive((i) => (i + 1) % filtered.length);
        return true;
      }
      if (event.key === 'ArrowUp') {
        setActive((i) => (i - 1 + filtered.length) % filtered.length);
        return true;
      }
      if ((event.key === 'Enter' && !event.shiftKey) || event.key === 'Tab') {
        choose(Math.min(active, filtered.length - 1));
        return true;
      }
      return false;
    },
    [open, filtered, active, choose, close],
  );

  const listId = `quick-replies-${conversationId}`;
  return {
    open,
    items: filtered,
    active,
    loading: loading && items === null,
    listId,
    optionId: (index: number) => `${listId}-${index}`,
    update,
    close,
    onKeyDown,
    choose,
  };
}

export function QuickReplyList({ picker, canManage }: { picker: QuickReplyPicker; canManage: boolean }) {
  const { t } = useTranslation('teamwork');
  const listRef = useRef<HTMLUListElement>(null);
  useEffect(() => {
    listRef.current?.querySelector<HTMLElement>('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [picker.active]);
  if (!picker.open) return null;
  return (
    <div className="qr-picker" data-testid="quick-reply-picker">
      <div className="qr-picker__head">
        <Icon name="zap" size={13} />
        <span>{t('quickReplies.pickerTitle')}</span>
        <span className="qr-picker__keys">{t('quickReplies.pickerKeys')}</span>
      </div>
      {picker.loading ? (
        <p className="qr-picker__empty">
          <span className="spinner spinner--dark" aria-hidden="true" /> {t('common.loading')}
        </p>
      ) : picker.items.length === 0 ? (
        <p className="qr-picker__empty" data-testid="quick-reply-empty">
          {t('quickReplies.noMatches')} {canManage ? <Link to="/settings/quick-replies">{t('quickReplies.manage')}</Link> : null}
        </p>
      ) : (
        <ul className="qr-picker__list" id={picker.listId} aria-label={t('quickReplies.pickerTitle')} ref={listRef}>
          {picker.items.map((item, index) => (
            <li
              key={item.id}
              id={picker.optionId(index)}
              aria-selected={index === picker.active}
              className="qr-picker__item"
              data-testid="quick-reply-option"
              data-shortcut={item.shortcut}
              onMouseDown={(e) => {
                e.preventDefault(); // keep the focus in the composer
                picker.choose(index);
              }}
            >
              <span className="qr-picker__top">
                <span className="qr-picker__shortcut">/{item.shortcut}</span>
                {item.title ? <span className="qr-picker__title">{item.title}</span> : null}
                {item.favorite ? (
                  <Icon name="star" size={12} className="qr-picker__star" fill="currentColor" aria-label={t('quickReplies.favorite')} />
                ) : null}
                <span className={`qr-scope qr-scope--${item.scope}`}>{t(`quickReplies.scope.${item.scope}`)}</span>
              </span>
              <span className="qr-picker__body">{item.rendered ?? item.body}</span>
              {item.media ? (
                <span className="qr-picker__media">
                  <Icon name="paperclip" size={11} /> {item.media.filename ?? t('quickReplies.attachment')}
                </span>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
