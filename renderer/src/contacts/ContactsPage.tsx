// Contacts: search, view, edit and merge contacts, and open their conversations.
import { useCallback, useEffect, useRef, useState, type CSSProperties } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { Icon } from '../components/Icon';
import { errorMessage } from '../errors';
import { avatarHue, contactName, initials } from '../format';
import { inboxApi, type Contact, type Conversation } from '../inbox/api';
import { ContactCard } from './ContactCard';
import { ConversationLink } from '../inbox/DetailsPanel';
import { MergeContact } from './MergeContact';
import { useRealtime } from '../realtime';
import { usePageTitle } from '../usePageTitle';
import './ContactsPage.css';

export function ContactsPage() {
  const { t } = useTranslation('contacts');
  usePageTitle(t('contacts.pageTitle'));
  const { contactId } = useParams();
  const navigate = useNavigate();
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [items, setItems] = useState<Contact[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [status, setStatus] = useState<'loading' | 'ready' | 'error'>('loading');
  const [error, setError] = useState<unknown>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [mergeCount, setMergeCount] = useState(0);
  const sentinel = useRef<HTMLDivElement>(null);
  const scroller = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const timer = setTimeout(() => setQuery(search.trim()), 250);
    return () => clearTimeout(timer);
  }, [search]);

  useEffect(() => {
    let cancelled = false;
    setStatus('loading');
    inboxApi
      .contacts(query)
      .then((page) => {
        if (cancelled) return;
        setItems(page.data);
        setCursor(page.nextCursor);
        setStatus('ready');
      })
      .catch((err: unknown) => {
        if (cancelled) return;
        setError(err);
        setStatus('error');
      });
    return () => {
      cancelled = true;
    };
  }, [query]);

  const loadMore = useCallback(() => {
    if (!cursor || loadingMore) return;
    setLoadingMore(true);
    inboxApi
      .contacts(query, cursor)
      .then((page) => {
        setItems((list) => [...list, ...page.data.filter((c) => !list.some((x) => x.id === c.id))]);
        setCursor(page.nextCursor);
      })
      .catch(() => undefined)
      .finally(() => setLoadingMore(false));
  }, [cursor, loadingMore, query]);

  useEffect(() => {
    const node = sentinel.current;
    if (!node || !cursor) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && loadMore(), {
      root: scroller.current,
      rootMargin: '200px',
    });
    observer.observe(node);
    return () => observer.disconnect();
  }, [cursor, loadMore]);

  return (
    <div className={contactId ? 'contacts contacts--has-detail' : 'contacts'} data-testid="contacts-page">
      <section className="contacts__list" aria-label={t('contacts.title')}>
        <header className="conv-list__header">
          <h1 className="pane-title">{t('contacts.title')}</h1>
          <div className="search-box search-box--compact">
            <Icon name="search" size={16} />
            <input
              type="search"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              placeholder={t('contacts.searchPlaceholder')}
              aria-label={t('contacts.searchLabel')}
              data-testid="contacts-search"
            />
          </div>
        </header>
        <div className="conv-list__scroll" ref={scroller}>
          {status === 'error' ? (
            <p className="panel-error" role="alert">
              {errorMessage(t, error)}
            </p>
          ) : status === 'loading' && items.length === 0 ? (
            <div className="empty-state" role="status">
              <span className="spinner spinner--dark" aria-hidden="true" />
            </div>
          ) : items.length === 0 ? (
            <div className="empty-state">
              <Icon name="contacts" size={32} />
              <p>{query ? t('contacts.noMatches') : t('contacts.empty')}</p>
            </div>
          ) : (
            <ul className="conv-rows">
              {items.map((c) => (
                <li key={c.id}>
                  <Link
                    to={`/contacts/${encodeURIComponent(c.id)}`}
                    className={c.id === contactId ? 'conv-row conv-row--selected' : 'conv-row'}
                    aria-current={c.id === contactId ? 'page' : undefined}
                    data-testid="contact-row"
                  >
                    <span className="avatar avatar--sm" style={{ '--hue': avatarHue(c.id) } as CSSProperties} aria-hidden="true">
                      {initials(c.name ?? c.phone)}
                    </span>
                    <span className="conv-row__main">
                      <span className="conv-row__top">
                        <span className="conv-row__name">{contactName(c, t)}</span>
                      </span>
                      <span className="conv-row__bottom">
                        <span className="conv-row__preview">{[c.phone, c.email].filter(Boolean).join(' · ') || '—'}</span>
                      </span>
                    </span>
                  </Link>
                </li>
              ))}
            </ul>
          )}
          <div ref={sentinel} className="conv-list__sentinel">
            {loadingMore ? <span className="spinner spinner--dark" aria-hidden="true" /> : null}
          </div>
        </div>
      </section>
      <section className="contacts__detail" aria-label={t('contacts.detail')}>
        {contactId ? (
          <>
            <header className="thread__header thread__header--plain">
              <button
                type="button"
                className="icon-button thread__back"
                onClick={() => navigate('/contacts')}
                aria-label={t('contacts.backToList')}
              >
                <Icon name="back" />
              </button>
              <h2 className="pane-title">{t('contacts.detail')}</h2>
            </header>
            <div className="contacts__detail-scroll">
              <div className="panel-section">
                <ContactCard
                  key={`${contactId}:${mergeCount}`}
                  contactId={contactId}
                  large
                  onSaved={(saved) => setItems((list) => list.map((c) => (c.id === saved.id ? saved : c)))}
                />
              </div>
              <ContactConversations key={`${contactId}:${mergeCount}`} contactId={contactId} />
              <MergeContact
                contact={{ id: contactId }}
                onMerged={(merged, removedId) => {
                  setItems((list) => list.filter((c) => c.id !== removedId).map((c) => (c.id === merged.id ? merged : c)));
                  setMergeCount((n) => n + 1);
                }}
              />
            </div>
          </>
        ) : (
          <div className="empty-state">
            <Icon name="contacts" size={40} />
            <p className="empty-state__title">{t('contacts.selectTitle')}</p>
            <p>{t('contacts.selectHint')}</p>
          </div>
        )}
      </section>
    </div>
  );
}

function ContactConversations({ contactId }: { contactId: string }) {
  const { t, i18n } = useTranslation('contacts');
  const { resync } = useRealtime();
  const [list, setList] = useState<Conversation[] | null>(null);
  useEffect(() => {
    let cancelled = false;
    setList(null);
    inboxApi
      .contactConversations(contactId)
      .then((page) => !cancelled && setList(page.data))
      .catch(() => !cancelled && setList([]));
    return () => {
      cancelled = true;
    };
  }, [contactId, resync]);
  return (
    <section className="panel-section" aria-labelledby="contact-conversations">
      <h3 id="contact-conversations" className="panel-section__title">
        {t('contacts.conversations')}
      </h3>
      {list === null ? <div className="skeleton skeleton--line" /> : null}
      {list?.length === 0 ? <p className="muted">{t('contacts.noConversations')}</p> : null}
      <ul className="mini-list" data-testid="contact-conversations">
        {list?.map((c) => (
          <ConversationLink key={c.id} conversation={c} language={i18n.resolvedLanguage} />
        ))}
      </ul>
    </section>
  );
}
