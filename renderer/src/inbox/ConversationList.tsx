// The left pane: who is waiting, newest activity first, with filters and infinite scroll.
import { useEffect, useRef, useState, type CSSProperties } from 'react';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { ChannelIcon, Icon } from '../components/Icon';
import { errorMessage } from '../errors';
import { avatarHue, contactName, formatListTime, initials, useNow, windowInfo } from '../format';
import { useWorkspace } from '../workspace';
import { SlaBadge } from '../teamwork/SlaBadge';
import { useTeam } from '../teamwork/TeamContext';
import { CHANNELS, type Conversation } from './api';
import type { AssigneeFilter, ListFilters, SortOrder, StatusFilter } from './useConversations';
import './ConversationList.css';

interface Props {
  items: Conversation[];
  selectedId: string | undefined;
  filters: ListFilters;
  sort: SortOrder;
  onFilters(patch: Partial<ListFilters>): void;
  onSort(sort: SortOrder): void;
  knownTags: string[];
  loading: boolean;
  loadingMore: boolean;
  hasMore: boolean;
  error: unknown;
  onLoadMore(): void;
  onRetry(): void;
  onOpen(id: string): void;
}

const ASSIGNEE_TABS: AssigneeFilter[] = ['me', 'unassigned', 'all'];
const STATUS_OPTIONS: StatusFilter[] = ['active', 'open', 'pending', 'resolved', 'expired', 'all'];
const SORT_OPTIONS: SortOrder[] = ['newest', 'oldest', 'unread'];

/** The server previews media without text as "[image]"; show the type's name instead. */
export function previewText(preview: string | null, t: TFunction<'inbox'>): string {
  if (!preview) return '';
  const typed = /^\[(\w+)\]$/.exec(preview);
  if (typed) return t(`messageType.${typed[1]}` as 'messageType.text', { defaultValue: preview });
  return preview;
}

export function ConversationList(props: Props) {
  const { t, i18n } = useTranslation('inbox');
  const { filters, onFilters } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const sentinelRef = useRef<HTMLDivElement>(null);
  const now = useNow(30_000);
  const [tagDraft, setTagDraft] = useState(filters.tag);
  const [showFilters, setShowFilters] = useState(false);
  const { divisions } = useTeam();

  useEffect(() => setTagDraft(filters.tag), [filters.tag]);
  useEffect(() => {
    if (tagDraft.trim() === filters.tag.trim()) return;
    const timer = setTimeout(() => onFilters({ tag: tagDraft.trim() }), 400);
    return () => clearTimeout(timer);
  }, [tagDraft, filters.tag, onFilters]);

  const { hasMore, loadingMore, loading, onLoadMore } = props;
  useEffect(() => {
    const sentinel = sentinelRef.current;
    if (!sentinel || !hasMore) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting) && !loadingMore && !loading) onLoadMore();
      },
      { root: scrollRef.current, rootMargin: '200px' },
    );
    observer.observe(sentinel);
    return () => observer.disconnect();
  }, [hasMore, loadingMore, loading, onLoadMore, props.items.length]);

  const activeFilterCount = [
    filters.status !== 'active',
    Boolean(filters.channel),
    Boolean(filters.divisionId),
    Boolean(filters.tag),
    filters.unread,
  ].filter(Boolean).length;

  return (
    <section className="conv-list" aria-label={t('inbox.conversations')} data-testid="conversation-list">
      <header className="conv-list__header">
        <div className="conv-list__title-row">
          <h1 className="pane-title">{t('inbox.title')}</h1>
          <button
            type="button"
            className={showFilters || activeFilterCount ? 'icon-button icon-button--active' : 'icon-button'}
            aria-expanded={showFilters}
            aria-controls="conv-filters"
            onClick={() => setShowFilters((v) => !v)}
            title={t('inbox.filters')}
            data-testid="toggle-filters"
          >
            <Icon name="filter" />
            <span className="visually-hidden">{t('inbox.filters')}</span>
            {activeFilterCount ? <span className="icon-button__count">{activeFilterCount}</span> : null}
          </button>
        </div>
        <div className="segmented" role="group" aria-label={t('inbox.assigneeFilter')}>
          {ASSIGNEE_TABS.map((tab) => (
            <button
              key={tab}
              type="button"
              className="segmented__item"
              aria-pressed={filters.assignee === tab}
              onClick={() => onFilters({ assignee: tab })}
              data-testid={`filter-assignee-${tab}`}
            >
              {t(`inbox.assignee.${tab}`)}
            </button>
          ))}
        </div>
        <div id="conv-filters" className="conv-filters" hidden={!showFilters}>
          <label className="mini-field">
            <span>{t('inbox.statusLabel')}</span>
            <select
              value={filters.status}
              onChange={(e) => onFilters({ status: e.target.value as StatusFilter })}
              data-testid="filter-status"
            >
              {STATUS_OPTIONS.map((s) => (
                <option key={s} value={s}>
                  {t(`inbox.statusFilter.${s}`)}
                </option>
              ))}
            </select>
          </label>
          <label className="mini-field">
            <span>{t('inbox.channelLabel')}</span>
            <select
              value={filters.channel}
              onChange={(e) => onFilters({ channel: e.target.value as ListFilters['channel'] })}
              data-testid="filter-channel"
            >
              <option value="">{t('inbox.anyChannel')}</option>
              {CHANNELS.map((c) => (
                <option key={c} value={c}>
                  {t(`channel.${c}`)}
                </option>
              ))}
            </select>
          </label>
          {divisions.length ? (
            <label className="mini-field">
              <span>{t('inbox.divisionLabel')}</span>
              <select value={filters.divisionId} onChange={(e) => onFilters({ divisionId: e.target.value })} data-testid="filter-division">
                <option value="">{t('inbox.anyDivision')}</option>
                {divisions.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.name}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          <label className="mini-field">
            <span>{t('inbox.tagLabel')}</span>
            <input
              type="search"
              list="known-tags"
              value={tagDraft}
              placeholder={t('inbox.anyTag')}
              onChange={(e) => setTagDraft(e.target.value)}
              data-testid="filter-tag"
            />
            <datalist id="known-tags">
              {props.knownTags.map((tag) => (
                <option key={tag} value={tag} />
              ))}
            </datalist>
          </label>
          <label className="mini-field">
            <span>{t('inbox.sortLabel')}</span>
            <select value={props.sort} onChange={(e) => props.onSort(e.target.value as SortOrder)} data-testid="sort-order">
              {SORT_OPTIONS.map((s) => (
                <option key={s} value={s}>
                  {t(`inbox.sort.${s}`)}
                </option>
              ))}
            </select>
          </label>
          <label className="check-field">
            <input
              type="checkbox"
              checked={filters.unread}
              onChange={(e) => onFilters({ unread: e.target.checked })}
              data-testid="filter-unread"
            />
            <span>{t('inbox.unreadOnly')}</span>
          </label>
        </div>
      </header>
      <div className="conv-list__scroll" ref={scrollRef}>
        {props.error && props.items.length === 0 ? (
          <div className="empty-state" role="alert">
            <p>{errorMessage(t, props.error)}</p>
            <button type="button" className="button button--secondary" onClick={props.onRetry}>
              {t('common.retry')}
            </button>
          </div>
        ) : props.loading && props.items.length === 0 ? (
          <ul className="conv-rows" aria-busy="true">
            {[0, 1, 2, 3, 4].map((i) => (
              <li key={i} className="conv-row conv-row--skeleton" aria-hidden="true">
                <span className="avatar skeleton" />
                <span className="conv-row__main">
                  <span className="skeleton skeleton--line" />
                  <span className="skeleton skeleton--line skeleton--short" />
                </span>
              </li>
            ))}
          </ul>
        ) : props.items.length === 0 ? (
          <div className="empty-state" data-testid="conversation-list-empty">
            <Icon name="inbox" size={32} />
            <p className="empty-state__title">{t('inbox.emptyTitle')}</p>
            <p>{t(filters.assignee === 'me' ? 'inbox.emptyMine' : 'inbox.emptyHint')}</p>
          </div>
        ) : (
          <ul className="conv-rows">
            {props.items.map((c) => (
              <ConversationRow
                key={c.id}
                conversation={c}
                selected={c.id === props.selectedId}
                now={now}
                language={i18n.resolvedLanguage}
              />
            ))}
          </ul>
        )}
        <div ref={sentinelRef} className="conv-list__sentinel">
          {props.loadingMore ? <span className="spinner spinner--dark" aria-label={t('common.loading')} /> : null}
        </div>
      </div>
    </section>
  );
}

function ConversationRow({
  conversation: c,
  selected,
  now,
  language,
}: {
  conversation: Conversation;
  selected: boolean;
  now: number;
  language: string | undefined;
}) {
  const { t } = useTranslation('inbox');
  const { me } = useWorkspace();
  const { divisionName } = useTeam();
  const division = divisionName(c.divisionId);
  const name = contactName(c.contact, t);
  const win = windowInfo(c.windowExpiresAt, t, now);
  const active = c.status === 'open' || c.status === 'pending';
  const classes = ['conv-row', selected ? 'conv-row--selected' : '', c.unreadCount > 0 ? 'conv-row--unread' : ''].filter(Boolean).join(' ');
  return (
    <li>
      <Link
        to={`/inbox/${encodeURIComponent(c.id)}`}
        className={classes}
        aria-current={selected ? 'page' : undefined}
        data-testid="conversation-row"
        data-conversation-id={c.id}
        data-unread={c.unreadCount}
      >
        <span className="avatar avatar--sm" style={{ '--hue': avatarHue(c.contact.id) } as CSSProperties} aria-hidden="true">
          {initials(c.contact.name ?? c.contact.phone)}
          <span className="avatar__badge">
            <ChannelIcon channel={c.channel} size={14} />
          </span>
        </span>
        <span className="conv-row__main">
          <span className="conv-row__top">
            <span className="conv-row__name" data-testid="conversation-name">
              {name}
            </span>
            <time className="conv-row__time" dateTime={c.lastMessageAt ?? c.createdAt}>
              {formatListTime(c.lastMessageAt ?? c.createdAt, language, now)}
            </time>
          </span>
          <span className="conv-row__bottom">
            <span className="conv-row__preview" data-testid="conversation-preview">
              {previewText(c.lastMessagePreview, t)}
            </span>
            {active && c.channel !== 'email' ? (
              <span
                className={
                  win.open
                    ? win.urgent
                      ? 'conv-row__window conv-row__window--warn'
                      : 'conv-row__window'
                    : 'conv-row__window conv-row__window--closed'
                }
                data-testid="window-left"
                title={t('inbox.windowTitle')}
              >
                <Icon name="clock" size={11} />
                {win.label}
              </span>
            ) : null}
            {c.unreadCount > 0 ? (
              <span className="unread-badge" data-testid="unread-badge" aria-label={t('inbox.unreadCount', { count: c.unreadCount })}>
                {c.unreadCount > 99 ? '99+' : c.unreadCount}
              </span>
            ) : null}
          </span>
          <span className="visually-hidden">{t(`channel.${c.channel}`)}</span>
          <span className="conv-row__meta">
            {!active ? <span className="chip">{t(`conversationStatus.${c.status}`)}</span> : null}
            {active ? <SlaBadge sla={c.sla} now={now} hideMet /> : null}
            {division ? (
              <span className="chip chip--division" title={t('inbox.divisionLabel')} data-testid="conversation-division">
                {division}
              </span>
            ) : null}
            {c.assignee ? (
              <span className="chip chip--person" title={t('inbox.assignedTo', { name: c.assignee.name })}>
                {c.assignee.id === me.id ? t('inbox.you') : c.assignee.name}
              </span>
            ) : null}
            {c.tags.slice(0, 2).map((tag) => (
              <span key={tag} className="chip chip--tag">
                {tag}
              </span>
            ))}
          </span>
        </span>
      </Link>
    </li>
  );
}
