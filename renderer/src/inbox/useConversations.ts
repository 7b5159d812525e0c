// The conversation list for a set of filters: first page, infinite scroll, and live updates
// (a conversation moves to the top as messages arrive, and leaves when it stops matching).
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useRealtime, useRealtimeEvent } from '../realtime';
import { inboxApi, type Channel, type Conversation, type ConversationFilters } from './api';

export type AssigneeFilter = 'me' | 'unassigned' | 'all';
export type StatusFilter = 'active' | 'open' | 'pending' | 'resolved' | 'expired' | 'all';
export type SortOrder = 'newest' | 'oldest' | 'unread';

export interface ListFilters {
  assignee: AssigneeFilter;
  status: StatusFilter;
  channel: '' | Channel;
  /** '' for any division (the filter shows only where the server has divisions). */
  divisionId: string;
  tag: string;
  unread: boolean;
}

export const DEFAULT_FILTERS: ListFilters = { assignee: 'all', status: 'active', channel: '', divisionId: '', tag: '', unread: false };

export function toQuery(filters: ListFilters): ConversationFilters {
  return {
    assignee: filters.assignee === 'all' ? undefined : filters.assignee,
    status: filters.status === 'active' ? 'open,pending' : filters.status === 'all' ? undefined : filters.status,
    channel: filters.channel || undefined,
    divisionId: filters.divisionId || undefined,
    tag: filters.tag.trim() || undefined,
    unread: filters.unread || undefined,
  };
}

export function matchesFilters(filters: ListFilters, c: Conversation, meId: string): boolean {
  if (filters.assignee === 'me' && c.assignee?.id !== meId) return false;
  if (filters.assignee === 'unassigned' && c.assignee) return false;
  if (filters.status === 'active' && c.status !== 'open' && c.status !== 'pending') return false;
  if (filters.status !== 'active' && filters.status !== 'all' && c.status !== filters.status) return false;
  if (filters.channel && c.channel !== filters.channel) return false;
  if (filters.divisionId && c.divisionId !== filters.divisionId) return false;
  if (filters.tag.trim() && !c.tags.includes(filters.tag.trim())) return false;
  if (filters.unread && c.unreadCount <= 0) return false;
  return true;
}

const activity = (c: Conversation) => Date.parse(c.lastMessageAt ?? c.createdAt);

export function sortConversations(items: Conversation[], order: SortOrder): Conversation[] {
  const sorted = [...items];
  const newest = (a: Conversation, b: Conversation) => activity(b) - activity(a) || (b.id > a.id ? 1 : -1);
  if (order === 'oldest') sorted.sort((a, b) => -newest(a, b));
  else if (order === 'unread') sorted.sort((a, b) => Number(b.unreadCount > 0) - Number(a.unreadCount > 0) || newest(a, b));
  else sorted.sort(newest);
  return sorted;
}

interface ListState {
  items: Conversation[];
  nextCursor: string | null;
  loading: boolean;
  loadingMore: boolean;
  error: unknown;
  ready: boolean;
}

const PAGE = 30;

/** `canSee` drops live events about conversations the agent may not see (another division's). */
export function useConversations(
  filters: ListFilters,
  meId: string,
  keepId: string | undefined,
  canSee: (c: Conversation) => boolean = () => true,
) {
  const { resync } = useRealtime();
  const [state, setState] = useState<ListState>({
    items: [],
    nextCursor: null,
    loading: true,
    loadingMore: false,
    error: null,
    ready: false,
  });
  const generation = useRef(0);
  /** When each conversation was last changed by a live event (so a slower page load cannot undo it). */
  const liveAt = useRef(new Map<string, number>());
  const filterKey = JSON.stringify(toQuery(filters));
  const filtersRef = useRef(filters);
  filtersRef.current = filters;
  const keepRef = useRef(keepId);
  keepRef.current = keepId;
  const canSeeRef = useRef(canSee);
  canSeeRef.current = canSee;

  const load = useCallback(() => {
    const gen = ++generation.current;
    const startedAt = Date.now();
    setState((s) => ({ ...s, loading: true, error: null }));
    inboxApi
      .conversations(toQuery(filtersRef.current), null, PAGE)
      .then((page) => {
        if (gen !== generation.current) return;
        setState((s) => {
          const byId = new Map(page.data.map((c) => [c.id, c]));
          // Keep what live events told us after this request started.
          for (const c of s.items) {
            if ((liveAt.current.get(c.id) ?? 0) > startedAt) byId.set(c.id, c);
          }
          return { items: [...byId.values()], nextCursor: page.nextCursor, loading: false, loadingMore: false, error: null, ready: true };
        });
      })
      .catch((error: unknown) => {
        if (gen !== generation.current) return;
        setState((s) => ({ ...s, loading: false, error, ready: true }));
      });
  }, []);

  useEffect(() => {
    setState({ items: [], nextCursor: null, loading: true, loadingMore: false, error: null, ready: false });
    load();
  }, [filterKey, load]);

  // After a reconnect, fetch the first page again: events may have been missed meanwhile.
  useEffect(() => {
    if (resync > 0) load();
  }, [resync, load]);

  const stateRef = useRef(state);
  stateRef.current = state;
  const loadMore = useCallback(() => {
    const s = stateRef.current;
    if (!s.nextCursor || s.loadingMore || s.loading) return;
    const gen = generation.current;
    stateRef.current = { ...s, loadingMore: true };
    setState((cur) => ({ ...cur, loadingMore: true }));
    inboxApi
      .conversations(toQuery(filtersRef.current), s.nextCursor, PAGE)
      .then((page) => {
        if (gen !== generation.current) return;
        setState((cur) => {
          const known = new Set(cur.items.map((c) => c.id));
          return {
            ...cur,
            items: [...cur.items, ...page.data.filter((c) => !known.has(c.id))],
            nextCursor: page.nextCursor,
            loadingMore: false,
          };
        });
      })
      .catch((error: unknown) => {
        if (gen !== generation.current) return;
        setState((cur) => ({ ...cur, loadingMore: false, error }));
      });
  }, []);

  const upsert = useCallback(
    (conversation: Conversation) => {
      liveAt.current.set(conversation.id, Date.now());
      setState((s) => {
        const index = s.items.findIndex((c) => c.id === conversation.id);
        const existing = index >= 0 ? s.items[index] : undefined;
        if (existing && Date.parse(existing.updatedAt) > Date.parse(conversation.updatedAt)) return s; // an older event
        const keep =
          (matchesFilters(filtersRef.current, conversation, meId) && canSeeRef.current(conversation)) ||
          conversation.id === keepRef.current;
        if (!keep) return existing ? { ...s, items: s.items.filter((c) => c.id !== conversation.id) } : s;
        if (existing) {
          const items = [...s.items];
          items[index] = conversation;
          return { ...s, items };
        }
        // Not loaded yet: add it unless it belongs further down than what is loaded (a later page brings it).
        if (s.nextCursor && s.items.length) {
          const oldestLoaded = Math.min(...s.items.map(activity));
          if (activity(conversation) < oldestLoaded) return s;
        }
        return { ...s, items: [conversation, ...s.items] };
      });
    },
    [meId],
  );

  const onConversation = (payload: { conversation?: Conversation }) => {
    if (payload?.conversation) upsert(payload.conversation);
  };
  useRealtimeEvent('conversation.created', onConversation);
  useRealtimeEvent('conversation.updated', onConversation);
  useRealtimeEvent('conversation.assigned', onConversation);
  useRealtimeEvent('conversation.status_changed', onConversation);
  useRealtimeEvent('conversation.takeover', onConversation);
  useRealtimeEvent('conversation.transferred', onConversation);
  useRealtimeEvent('message.created', onConversation);

  // A contact edited (here or by a teammate): show the new name in the rows.
  useRealtimeEvent('contact.updated', (payload: { contactId?: string }) => {
    const id = payload?.contactId;
    if (!id || !stateRef.current.items.some((c) => c.contact.id === id)) return;
    inboxApi
      .contact(id)
      .then((contact) => {
        const ref = { id: contact.id, name: contact.name, phone: contact.phone, email: contact.email };
        setState((s) => ({ ...s, items: s.items.map((c) => (c.contact.id === id ? { ...c, contact: ref } : c)) }));
      })
      .catch(() => undefined);
  });

  const knownTags = useMemo(() => [...new Set(state.items.flatMap((c) => c.tags))].sort(), [state.items]);

  return { ...state, loadMore, upsert, reload: load, knownTags };
}
