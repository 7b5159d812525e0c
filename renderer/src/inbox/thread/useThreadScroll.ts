// Where the thread is scrolled: at the bottom (or the searched message) when it opens, kept at the
// bottom as messages arrive and media load, kept in place when older messages load above, and
// loading older ones when the agent scrolls near the top.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { ThreadData } from './useThread';
import type { TimelineItem } from './timeline';

export function useThreadScroll(items: TimelineItem[], data: ThreadData, focusMessageId: string | undefined) {
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

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
    prevHeight.current = el.scrollHeight;
    if (el.scrollTop < 240 && data.hasOlder && !data.loadingOlder) data.loadOlder();
  };

  /** Follow the bottom again (after the agent sent something). */
  const stickToBottom = useCallback(() => {
    atBottom.current = true;
  }, []);

  return { scrollRef, onScroll, stickToBottom };
}

/** The message to highlight: the searched one at first, then one jumped to (a quoted reply); it fades after 4 s. */
export function useHighlightedMessage(focusMessageId: string | undefined) {
  const [highlight, setHighlight] = useState<string | undefined>(focusMessageId);
  useEffect(() => {
    if (!highlight) return;
    const timer = setTimeout(() => setHighlight(undefined), 4000);
    return () => clearTimeout(timer);
  }, [highlight]);
  const jumpTo = useCallback((messageId: string) => {
    document.getElementById(`message-${messageId}`)?.scrollIntoView({ block: 'center', behavior: 'smooth' });
    setHighlight(messageId);
  }, []);
  return { highlight, jumpTo };
}
