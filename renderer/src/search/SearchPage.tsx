// Search across every message; a result opens its thread scrolled to the message.
import { useEffect, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { Icon } from '../components/Icon';
import { errorMessage } from '../errors';
import { formatDateTime, parseMarked } from '../format';
import { inboxApi, type SearchHit } from '../inbox/api';
import { usePageTitle } from '../usePageTitle';
import './SearchPage.css';

function Marked({ html }: { html: string }) {
  return <>{parseMarked(html).map((part, i) => (part.marked ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>))}</>;
}

export function SearchPage() {
  const { t, i18n } = useTranslation(['search', 'inbox']);
  usePageTitle(t('search.pageTitle'));
  const [params, setParams] = useSearchParams();
  const query = params.get('q') ?? '';
  const [draft, setDraft] = useState(query);
  const [hits, setHits] = useState<SearchHit[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [state, setState] = useState<'idle' | 'loading' | 'ready' | 'error'>('idle');
  const [error, setError] = useState<unknown>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);

  useEffect(() => inputRef.current?.focus(), []);

  // Debounced: the URL holds the query, so results survive going back from a thread.
  useEffect(() => {
    if (draft.trim() === query) return;
    const timer = setTimeout(() => setParams(draft.trim() ? { q: draft.trim() } : {}, { replace: true }), 300);
    return () => clearTimeout(timer);
  }, [draft, query, setParams]);

  useEffect(() => {
    if (!query || !/[\p{L}\p{N}]/u.test(query)) {
      setHits([]);
      setCursor(null);
      setState('idle');
      return;
    }
    let cancelled = false;
    setState('loading');
    inboxApi
      .search(query)
      .then((page) => {
        if (cancelled) return;
        setHits(page.data);
        setCursor(page.nextCursor);
        setState('ready');
      })
      .catch((err: unknown) => {
        if (cancelled) return;
        setError(err);
        setState('error');
      });
    return () => {
      cancelled = true;
    };
  }, [query]);

  function loadMore() {
    if (!cursor || loadingMore) return;
    setLoadingMore(true);
    inboxApi
      .search(query, cursor)
      .then((page) => {
        setHits((list) => [...list, ...page.data]);
        setCursor(page.nextCursor);
      })
      .catch(() => undefined)
      .finally(() => setLoadingMore(false));
  }

  return (
    <div className="page page--narrow" data-testid="search-page">
      <h1 className="pane-title pane-title--page">{t('search.title')}</h1>
      <form className="search-box" role="search" onSubmit={(e) => e.preventDefault()}>
        <Icon name="search" />
        <label htmlFor="search-input" className="visually-hidden">
          {t('search.label')}
        </label>
        <input
          id="search-input"
          ref={inputRef}
          type="search"
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          placeholder={t('search.placeholder')}
          autoComplete="off"
          data-testid="search-input"
        />
      </form>
      {state === 'idle' ? <p className="muted page__hint">{t('search.hint')}</p> : null}
      {state === 'loading' ? (
        <p className="muted page__hint" role="status">
          <span className="spinner spinner--dark" aria-hidden="true" /> {t('search.searching')}
        </p>
      ) : null}
      {state === 'error' ? (
        <p className="form-error" role="alert">
          {errorMessage(t, error)}
        </p>
      ) : null}
      {state === 'ready' && hits.length === 0 ? <p className="muted page__hint">{t('search.noResults', { query })}</p> : null}
      {hits.length ? (
        <>
          <p className="muted page__hint" role="status">
            {cursor ? t('search.manyResults', { count: hits.length }) : t('search.results', { count: hits.length })}
          </p>
          <ul className="results" data-testid="search-results">
            {hits.map((hit) => (
              <li key={hit.messageId}>
                <Link
                  className="result"
                  to={`/inbox/${encodeURIComponent(hit.conversationId)}?message=${encodeURIComponent(hit.messageId)}`}
                  data-testid="search-result"
                  data-message-id={hit.messageId}
                >
                  <span className="result__top">
                    <span className="result__who">{hit.contactName ? <Marked html={hit.contactName} /> : t('format.unknownContact')}</span>
                    <span className="result__dir">{hit.direction === 'inbound' ? t('inbox:inbox.customer') : t('inbox:inbox.team')}</span>
                    <time className="result__time" dateTime={hit.createdAt}>
                      {formatDateTime(hit.createdAt, i18n.resolvedLanguage)}
                    </time>
                  </span>
                  <span className="result__snippet" data-testid="search-snippet">
                    <Marked html={hit.snippet} />
                  </span>
                </Link>
              </li>
            ))}
          </ul>
          {cursor ? (
            <button type="button" className="button button--secondary results__more" onClick={loadMore} disabled={loadingMore}>
              {loadingMore ? <span className="spinner spinner--dark" aria-hidden="true" /> : null}
              {t('search.loadMore')}
            </button>
          ) : null}
        </>
      ) : null}
    </div>
  );
}
