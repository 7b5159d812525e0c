import { useCallback, useEffect, useState } from 'react';
import { Navigate, Outlet, useLocation, useOutletContext } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { ApiError, authApi, type Session } from '../api';
import { errorMessage } from '../errors';

type SessionState =
  | { kind: 'loading' }
  | { kind: 'ready'; session: Session }
  | { kind: 'unauthenticated' }
  | { kind: 'error'; error: unknown };

export interface SessionContext {
  session: Session;
  reload(): void;
}

export function useSession(): SessionContext {
  return useOutletContext<SessionContext>();
}

/** Loads the current session; sends anonymous visitors to /login. */
export function RequireAuth() {
  const { t } = useTranslation();
  const location = useLocation();
  const [state, setState] = useState<SessionState>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const reload = useCallback(() => setAttempt((n) => n + 1), []);

  useEffect(() => {
    let cancelled = false;
    setState((prev) => (prev.kind === 'ready' ? prev : { kind: 'loading' }));
    authApi
      .me()
      .then((session) => {
        if (!cancelled) setState({ kind: 'ready', session });
      })
      .catch((error: unknown) => {
        if (cancelled) return;
        // 401: not signed in; 403: account or organization suspended; either way, back to the sign-in page.
        if (error instanceof ApiError && (error.status === 401 || error.status === 403)) setState({ kind: 'unauthenticated' });
        else setState({ kind: 'error', error });
      });
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  switch (state.kind) {
    case 'loading':
      return (
        <div className="page-status" role="status" aria-live="polite">
          <span className="spinner spinner--dark" aria-hidden="true" />
          <span>{t('common.loading')}</span>
        </div>
      );
    case 'unauthenticated':
      return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
    case 'error':
      return (
        <div className="page-status" role="alert">
          <p>{errorMessage(t, state.error)}</p>
          <button type="button" className="button button--secondary" onClick={reload}>
            {t('common.retry')}
          </button>
        </div>
      );
    case 'ready':
      return <Outlet context={{ session: state.session, reload } satisfies SessionContext} />;
  }
}
