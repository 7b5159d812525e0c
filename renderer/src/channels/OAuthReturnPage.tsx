// Where Facebook Login and Instagram Login send the person back (META_OAUTH_REDIRECT_URI points
// here): the code is handed to the server; for Messenger the person then picks the Pages to connect.
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { FormError } from '../components/FormError';
import { SubmitButton } from '../components/SubmitButton';
import { usePageTitle } from '../usePageTitle';
import { problemText } from '../settings/ui';
import { channelsApi, type MessengerPage } from './api';
import './ChannelsPage.css';

export function OAuthReturnPage() {
  const { t } = useTranslation('channels');
  usePageTitle(t('oauth.title'));
  const [params] = useSearchParams();
  const code = params.get('code');
  const channel = params.get('state') === 'instagram' ? 'instagram' : 'messenger';
  const [error, setError] = useState<string>();
  const [pages, setPages] = useState<MessengerPage[] | null>(null);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const started = useRef(false);

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    if (!code) {
      setError(t('oauth.missingCode'));
      return;
    }
    const work =
      channel === 'instagram'
        ? channelsApi.instagramOAuth(code).then((account) => setDone(account.name))
        : channelsApi.messengerOAuth(code).then((result) => {
            setPages(result.pages);
            setChosen(new Set(result.pages.filter((p) => !p.connected).map((p) => p.id)));
          });
    work.catch((err: unknown) => setError(problemText(t, err)));
  }, [code, channel, t]);

  async function subscribe() {
    setBusy(true);
    setError(undefined);
    try {
      const result = await channelsApi.subscribePages([...chosen]);
      setDone(result.data.map((a) => a.name).join(', '));
    } catch (err) {
      setError(problemText(t, err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="settings-page oauth-return" data-testid="oauth-return">
      <h2 className="settings-page__title">{t(`channel.${channel}`)}</h2>
      <FormError message={error} />
      {done ? (
        <p className="save-status save-status--ok" role="status" data-testid="oauth-done">
          {t('oauth.done', { names: done })}
        </p>
      ) : pages ? (
        <fieldset className="oauth-pages">
          <legend className="field__label">{t('oauth.choosePages')}</legend>
          {pages.map((p) => (
            <label key={p.id} className="check-field">
              <input
                type="checkbox"
                data-testid="oauth-page"
                data-page={p.id}
                checked={chosen.has(p.id)}
                onChange={(e) =>
                  setChosen((cur) => {
                    const next = new Set(cur);
                    if (e.target.checked) next.add(p.id);
                    else next.delete(p.id);
                    return next;
                  })
                }
              />
              <span>
                {p.name} <span className="muted">· {p.id}</span>
                {p.connected ? <span className="muted"> · {t('oauth.already')}</span> : null}
              </span>
            </label>
          ))}
          <SubmitButton
            busy={busy}
            busyLabel={t('connect.saving')}
            disabled={chosen.size === 0}
            onClick={() => void subscribe()}
            type="button"
            data-testid="oauth-subscribe"
          >
            {t('oauth.connectPages')}
          </SubmitButton>
        </fieldset>
      ) : !error ? (
        <div className="skeleton skeleton--block" />
      ) : null}
      <p>
        <Link to="/settings/channels" data-testid="oauth-back">
          {t('oauth.back')}
        </Link>
      </p>
    </div>
  );
}
