// The inbox: conversation list, thread and details side by side (one at a time on a phone).
import { useCallback, useEffect, useState } from 'react';
import { useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api';
import { useToast } from '../components/Toasts';
import { errorMessage } from '../errors';
import { useHotkeys } from '../hotkeys';
import { useRealtimeEvent } from '../realtime';
import { usePageTitle } from '../usePageTitle';
import { useWorkspace } from '../workspace';
import { inboxApi, type Conversation, type ConversationStatus } from './api';
import { ConversationList } from './ConversationList';
import { DetailsPanel } from './DetailsPanel';
import { Thread } from './thread/Thread';
import { DEFAULT_FILTERS, sortConversations, useConversations, type ListFilters, type SortOrder } from './useConversations';
import { Icon } from '../components/Icon';
import { useTeam } from '../teamwork/TeamContext';
import './InboxPage.css';

const FILTERS_KEY = 'omnistream.inbox.view';

function readView(): { filters: ListFilters; sort: SortOrder } {
  try {
    const saved = JSON.parse(window.localStorage.getItem(FILTERS_KEY) ?? '{}') as { filters?: Partial<ListFilters>; sort?: SortOrder };
    return { filters: { ...DEFAULT_FILTERS, ...saved.filters }, sort: saved.sort ?? 'newest' };
  } catch {
    return { filters: DEFAULT_FILTERS, sort: 'newest' };
  }
}

const wideScreen = () => typeof window.matchMedia === 'function' && window.matchMedia('(min-width: 1200px)').matches;

export function InboxPage() {
  const { t } = useTranslation('inbox');
  usePageTitle(t('inbox.pageTitle'));
  const { conversationId } = useParams();
  const [searchParams] = useSearchParams();
  const focusMessageId = searchParams.get('message') ?? undefined;
  const navigate = useNavigate();
  const toast = useToast();
  const { me, can } = useWorkspace();

  const [view, setView] = useState(readView);
  useEffect(() => {
    try {
      window.localStorage.setItem(FILTERS_KEY, JSON.stringify(view));
    } catch {
      // ignore
    }
  }, [view]);
  const setFilters = useCallback((patch: Partial<ListFilters>) => setView((v) => ({ ...v, filters: { ...v.filters, ...patch } })), []);
  const setSort = useCallback((sort: SortOrder) => setView((v) => ({ ...v, sort })), []);

  const { canSee } = useTeam();
  const list = useConversations(view.filters, me.id, conversationId, canSee);
  const items = sortConversations(list.items, view.sort);

  // The open conversation: from the list when it is there, fetched otherwise (deep links, search).
  const [selected, setSelected] = useState<Conversation | null>(null);
  const [selectedError, setSelectedError] = useState<unknown>(null);
  const fromList = conversationId ? list.items.find((c) => c.id === conversationId) : undefined;
  useEffect(() => {
    setSelectedError(null);
    if (!conversationId) {
      setSelected(null);
      return;
    }
    setSelected((cur) => (cur?.id === conversationId ? cur : null));
    let cancelled = false;
    inboxApi
      .conversation(conversationId)
      .then((c) => {
        if (!cancelled) setSelected((cur) => (cur && cur.id === c.id && Date.parse(cur.updatedAt) > Date.parse(c.updatedAt) ? cur : c));
      })
      .catch((error: unknown) => {
        if (!cancelled) setSelectedError(error);
      });
    return () => {
      cancelled = true;
    };
  }, [conversationId]);
  const current = newest(fromList, selected && selected.id === conversationId ? selected : undefined);

  const onConversation = (payload: { conversation?: Conversation }) => {
    const c = payload?.conversation;
    if (c && c.id === conversationId) setSelected((cur) => (cur && cur.id === c.id ? (newest(cur, c) ?? c) : c));
  };
  useRealtimeEvent('conversation.updated', onConversation);
  useRealtimeEvent('conversation.assigned', onConversation);
  useRealtimeEvent('conversation.status_changed', onConversation);
  useRealtimeEvent('conversation.takeover', onConversation);
  useRealtimeEvent('conversation.transferred', onConversation);
  useRealtimeEvent('message.created', onConversation);
  useRealtimeEvent('contact.updated', (payload: { contactId?: string }) => {
    if (!conversationId || !payload?.contactId || current?.contact.id !== payload.contactId) return;
    inboxApi
      .conversation(conversationId)
      .then((c) => setSelected(c))
      .catch(() => undefined);
  });

  const applyUpdate = useCallback(
    (c: Conversation) => {
      list.upsert(c);
      if (c.id === conversationId) setSelected(c);
    },
    [list, conversationId],
  );

  const [panelOpen, setPanelOpen] = useState(wideScreen);
  // Where the details cover the thread (phones, small laptops), opening another conversation closes them.
  useEffect(() => {
    if (!wideScreen()) setPanelOpen(false);
  }, [conversationId]);

  const open = useCallback(
    (id: string) => {
      navigate(`/inbox/${encodeURIComponent(id)}`);
    },
    [navigate],
  );

  const act = useCallback(
    async (work: () => Promise<Conversation>, done?: string) => {
      try {
        applyUpdate(await work());
        if (done) toast(done, 'success');
      } catch (error) {
        toast(error instanceof ApiError && error.status === 403 ? t('inbox.notAllowed') : errorMessage(t, error), 'error');
      }
    },
    [applyUpdate, toast, t],
  );

  const assignToMe = useCallback(() => {
    if (!current) return;
    if (current.assignee?.id === me.id) return;
    // Agents without conversations.manage take the conversation over instead (recorded as a takeover).
    void act(
      () => (can('conversations.manage') ? inboxApi.assign(current.id, me.id) : inboxApi.takeover(current.id)),
      t('inbox.assignedToYou'),
    );
  }, [current, me.id, can, act, t]);

  const setStatus = useCallback(
    (status: ConversationStatus) => {
      if (!current) return;
      void act(() => inboxApi.setStatus(current.id, status), t(`inbox.statusChanged.${status}`));
    },
    [current, act, t],
  );

  const step = useCallback(
    (delta: number) => {
      if (items.length === 0) return;
      const index = items.findIndex((c) => c.id === conversationId);
      const next = index < 0 ? 0 : Math.min(items.length - 1, Math.max(0, index + delta));
      if (items[next] && items[next].id !== conversationId) open(items[next].id);
    },
    [items, conversationId, open],
  );

  useHotkeys({
    j: () => step(1),
    k: () => step(-1),
    'alt+ArrowDown': () => step(1),
    'alt+ArrowUp': () => step(-1),
    e: () => current && can('conversations.manage') && current.status !== 'resolved' && setStatus('resolved'),
    a: () => assignToMe(),
    r: () => document.getElementById('composer-input')?.focus(),
  });

  const layout = ['inbox', conversationId ? 'inbox--has-thread' : 'inbox--no-thread', panelOpen && current ? 'inbox--panel-open' : ''].join(
    ' ',
  );

  return (
    <div className={layout} data-testid="inbox">
      <ConversationList
        items={items}
        selectedId={conversationId}
        filters={view.filters}
        sort={view.sort}
        onFilters={setFilters}
        onSort={setSort}
        knownTags={list.knownTags}
        loading={list.loading}
        loadingMore={list.loadingMore}
        hasMore={Boolean(list.nextCursor)}
        error={list.error}
        onLoadMore={list.loadMore}
        onRetry={list.reload}
        onOpen={open}
      />
      {current ? (
        <Thread
          key={`${current.id}:${focusMessageId ?? ''}`}
          conversation={current}
          focusMessageId={focusMessageId}
          panelOpen={panelOpen}
          onTogglePanel={() => setPanelOpen((v) => !v)}
          onBack={() => navigate('/inbox')}
          onAssignToMe={assignToMe}
          onStatus={setStatus}
          onConversation={applyUpdate}
        />
      ) : (
        <section className="thread thread--empty" aria-label={t('inbox.thread')}>
          {conversationId && selectedError ? (
            <div className="empty-state" role="alert">
              <p>
                {selectedError instanceof ApiError && selectedError.status === 404
                  ? t('inbox.conversationNotFound')
                  : errorMessage(t, selectedError)}
              </p>
              <button type="button" className="button button--secondary" onClick={() => navigate('/inbox')}>
                {t('inbox.backToList')}
              </button>
            </div>
          ) : conversationId ? (
            <div className="empty-state" role="status">
              <span className="spinner spinner--dark" aria-hidden="true" />
            </div>
          ) : (
            <div className="empty-state">
              <Icon name="inbox" size={40} />
              <p className="empty-state__title">{t('inbox.selectConversation')}</p>
              <p>{t('inbox.selectHint')}</p>
            </div>
          )}
        </section>
      )}
      {current && panelOpen ? (
        <DetailsPanel
          key={`panel-${current.id}`}
          conversation={current}
          onClose={() => setPanelOpen(false)}
          onConversation={applyUpdate}
          onAssignToMe={assignToMe}
          onStatus={setStatus}
        />
      ) : null}
    </div>
  );
}

function newest(a: Conversation | undefined, b: Conversation | undefined): Conversation | undefined {
  if (!a) return b;
  if (!b) return a;
  return Date.parse(b.updatedAt) >= Date.parse(a.updatedAt) ? b : a;
}
