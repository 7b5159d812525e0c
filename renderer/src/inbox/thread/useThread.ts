// Data behind an open thread: messages (paged backwards), notes and the assignment history, all
// kept live from realtime events and refetched after a reconnect.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useRealtime, useRealtimeEvent } from '../../realtime';
import { useWorkspace } from '../../workspace';
import { inboxApi, type ActivityLog, type Conversation, type Message, type Note } from '../api';

const PAGE = 50;
/** How far back "jump to a search result" pages before giving up. */
const MAX_FOCUS_PAGES = 40;

function byTime(a: { createdAt: string; id: string }, b: { createdAt: string; id: string }): number {
  return Date.parse(a.createdAt) - Date.parse(b.createdAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function mergeMessages(current: Message[], incoming: Message[]): Message[] {
  if (incoming.length === 0) return current;
  const byId = new Map(current.map((m) => [m.id, m]));
  for (const m of incoming) {
    const existing = byId.get(m.id);
    if (!existing || Date.parse(m.updatedAt) >= Date.parse(existing.updatedAt)) byId.set(m.id, existing ? { ...existing, ...m } : m);
  }
  return [...byId.values()].sort(byTime);
}

export interface ThreadData {
  messages: Message[];
  status: 'loading' | 'ready' | 'error';
  error: unknown;
  hasOlder: boolean;
  loadingOlder: boolean;
  loadOlder(): void;
  addMessage(message: Message): void;
  reload(): void;
  focusFound: boolean | undefined;
}

export function useMessages(conversationId: string, focusMessageId: string | undefined): ThreadData {
  const { resync } = useRealtime();
  const { outbox } = useWorkspace();
  const [messages, setMessages] = useState<Message[]>([]);
  const [status, setStatus] = useState<ThreadData['status']>('loading');
  const [error, setError] = useState<unknown>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [focusFound, setFocusFound] = useState<boolean | undefined>(undefined);
  const cursorRef = useRef<string | null>(null);
  const loadingOlderRef = useRef(false);
  // The open thread: a new object each time a thread opens, so an answer for the thread before is dropped.
  const alive = useRef<object | null>({});

  const addMessage = useCallback(
    (message: Message) => {
      setMessages((list) => mergeMessages(list, [message]));
      outbox.acknowledge(message.clientMessageId);
    },
    [outbox],
  );

  const loadLatest = useCallback(
    async (initial: boolean) => {
      const opened = alive.current;
      const current = () => opened !== null && alive.current === opened;
      try {
        let page = await inboxApi.messages(conversationId, null, PAGE);
        if (!current()) return;
        let collected = page.data;
        // Page back until the message we were asked to show is loaded.
        if (initial && focusMessageId) {
          let pages = 1;
          while (!collected.some((m) => m.id === focusMessageId) && page.nextCursor && pages < MAX_FOCUS_PAGES) {
            page = await inboxApi.messages(conversationId, page.nextCursor, PAGE);
            if (!current()) return;
            collected = [...collected, ...page.data];
            pages++;
          }
          setFocusFound(collected.some((m) => m.id === focusMessageId));
        }
        // Merged, not replaced, even on the first load: the list was emptied when the thread opened, so
        // it holds only what realtime events brought while this page was in flight (a message.updated
        // newer than the page, say), and mergeMessages keeps the newer of each.
        setMessages((list) => mergeMessages(list, collected));
        for (const m of collected) outbox.acknowledge(m.clientMessageId);
        if (initial || !cursorRef.current) {
          cursorRef.current = page.nextCursor;
          setCursor(page.nextCursor);
        }
        setStatus('ready');
        setError(null);
      } catch (err) {
        if (!current()) return;
        setError(err);
        if (initial) setStatus('error');
      }
    },
    [conversationId, focusMessageId, outbox],
  );

  useEffect(() => {
    alive.current = {};
    setMessages([]);
    setStatus('loading');
    setCursor(null);
    cursorRef.current = null;
    void loadLatest(true);
    return () => {
      alive.current = null;
    };
  }, [loadLatest]);

  useEffect(() => {
    if (resync > 0) void loadLatest(false);
  }, [resync, loadLatest]);

  const loadOlder = useCallback(() => {
    const next = cursorRef.current;
    if (!next || loadingOlderRef.current) return;
    loadingOlderRef.current = true;
    setLoadingOlder(true);
    inboxApi
      .messages(conversationId, next, PAGE)
      .then((page) => {
        if (!alive.current) return;
        setMessages((list) => mergeMessages(list, page.data));
        cursorRef.current = page.nextCursor;
        setCursor(page.nextCursor);
      })
      .catch(() => undefined)
      .finally(() => {
        loadingOlderRef.current = false;
        if (alive.current) setLoadingOlder(false);
      });
  }, [conversationId]);

  useRealtimeEvent('message.created', (payload: { message: Message }) => {
    if (payload?.message?.conversationId === conversationId) addMessage(payload.message);
  });
  useRealtimeEvent('message.updated', (payload: { message: Message }) => {
    if (payload?.message?.conversationId === conversationId) addMessage(payload.message);
  });
  useEffect(
    () =>
      outbox.onSent((message) => {
        if (message.conversationId === conversationId) addMessage(message);
      }),
    [outbox, conversationId, addMessage],
  );

  return {
    messages,
    status,
    error,
    hasOlder: Boolean(cursor),
    loadingOlder,
    loadOlder,
    addMessage,
    reload: () => void loadLatest(true),
    focusFound,
  };
}

export function useNotes(conversationId: string) {
  const { resync } = useRealtime();
  const [notes, setNotes] = useState<Note[]>([]);
  const upsert = useCallback((note: Note) => {
    setNotes((list) => [...list.filter((n) => n.id !== note.id), note].sort(byTime));
  }, []);
  const remove = useCallback((noteId: string) => setNotes((list) => list.filter((n) => n.id !== noteId)), []);

  useEffect(() => {
    let cancelled = false;
    inboxApi
      .notes(conversationId)
      .then((page) => {
        if (!cancelled) setNotes([...page.data].sort(byTime));
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [conversationId, resync]);

  useRealtimeEvent('note.created', (payload: { note: Note }) => {
    if (payload?.note?.conversationId === conversationId) upsert(payload.note);
  });
  useRealtimeEvent('note.updated', (payload: { note: Note }) => {
    if (payload?.note?.conversationId === conversationId) upsert(payload.note);
  });
  useRealtimeEvent('note.deleted', (payload: { noteId: string; conversationId: string }) => {
    if (payload?.conversationId === conversationId) remove(payload.noteId);
  });
  return { notes, upsert, remove };
}

export interface ActivityEntry {
  id: string;
  createdAt: string;
  kind: 'assigned' | 'unassigned' | 'takeover' | 'status';
  actorId: string | null;
  actorName: string | null;
  toId?: string | null;
  status?: string;
  reason?: string | null;
}

/** Who assigned, took over or changed the status, from the activity log (when allowed) and live events. */
export function useActivity(conversationId: string) {
  const { resync } = useRealtime();
  const { can, agentName } = useWorkspace();
  const [logged, setLogged] = useState<ActivityEntry[]>([]);
  const [live, setLive] = useState<ActivityEntry[]>([]);
  const allowed = can('activity_logs.view');

  useEffect(() => {
    if (!allowed) return;
    let cancelled = false;
    inboxApi
      .activity(conversationId)
      .then((page) => {
        if (cancelled) return;
        const fetched = page.data.map(fromLog).filter((e): e is ActivityEntry => e !== null);
        setLogged(fetched);
        // Drop only the live entries the log now holds: an event that arrived while this fetch was
        // in flight (the fetch read the log before the change) must stay on screen.
        setLive((list) => list.filter((e) => !fetched.some((f) => sameChange(f, e))));
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [conversationId, allowed, resync]);

  const push = (entry: ActivityEntry) => setLive((list) => (list.some((e) => e.id === entry.id) ? list : [...list, entry]));

  useRealtimeEvent('conversation.assigned', (p: { conversation: Conversation; by?: string; to?: string | null }) => {
    if (p?.conversation?.id !== conversationId) return;
    push({
      id: `live-assign-${p.conversation.updatedAt}`,
      createdAt: p.conversation.updatedAt,
      kind: p.to ? 'assigned' : 'unassigned',
      actorId: p.by ?? null,
      actorName: agentName(p.by),
      toId: p.to ?? null,
    });
  });
  useRealtimeEvent('conversation.takeover', (p: { conversation: Conversation; by?: string; reason?: string | null }) => {
    if (p?.conversation?.id !== conversationId) return;
    push({
      id: `live-takeover-${p.conversation.updatedAt}`,
      createdAt: p.conversation.updatedAt,
      kind: 'takeover',
      actorId: p.by ?? null,
      actorName: agentName(p.by),
      reason: p.reason ?? null,
    });
  });
  useRealtimeEvent('conversation.status_changed', (p: { conversation: Conversation; by?: string; to?: string }) => {
    if (p?.conversation?.id !== conversationId || !p.to) return;
    push({
      id: `live-status-${p.conversation.updatedAt}`,
      createdAt: p.conversation.updatedAt,
      kind: 'status',
      actorId: p.by ?? null,
      actorName: agentName(p.by),
      status: p.to,
    });
  });

  return useMemo(() => [...logged, ...live], [logged, live]);
}

/** A logged entry and a live one describe the same change: same kind and people, within a few seconds. */
function sameChange(a: ActivityEntry, b: ActivityEntry): boolean {
  return (
    a.kind === b.kind &&
    (a.toId ?? null) === (b.toId ?? null) &&
    (a.actorId ?? null) === (b.actorId ?? null) &&
    Math.abs(Date.parse(a.createdAt) - Date.parse(b.createdAt)) < 5000
  );
}

function fromLog(log: ActivityLog): ActivityEntry | null {
  const details = log.details ?? {};
  const base = { id: log.id, createdAt: log.createdAt, actorId: log.actorId, actorName: log.actorName };
  if (log.action === 'conversation.assigned')
    return { ...base, kind: 'assigned', toId: typeof details.to === 'string' ? details.to : null };
  if (log.action === 'conversation.unassigned') return { ...base, kind: 'unassigned' };
  if (log.action === 'conversation.takeover')
    return { ...base, kind: 'takeover', reason: typeof details.reason === 'string' ? details.reason : null };
  return null;
}
