// Settings of the appliance (this computer): LAN access with a QR code for phones, the tunnel for
// Meta's webhooks (callback URL, verify token, reachability test) and backups.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { ApiError, callApi, type ApiBody, type ApiItem, type ApiResponse } from '../api';
import { FormError } from '../components/FormError';
import { SubmitButton } from '../components/SubmitButton';
import { errorMessage } from '../errors';
import { usePageTitle } from '../usePageTitle';
import { useApplianceOperator } from '../settings/operator';

type LanInfo = ApiResponse<'/api/v1/appliance/lan', 'get'>;
type TunnelView = ApiResponse<'/api/v1/appliance/tunnel', 'get'>;
type Provider = TunnelView['provider'];
type TunnelState = TunnelView['status']['state'];
type Reachability = ApiResponse<'/api/v1/appliance/tunnel/test', 'post'>;
type Backup = ApiItem<'/api/v1/appliance/backups', 'get'>;
type BackupSettings = ApiResponse<'/api/v1/appliance/backup-settings', 'get'>;

const applianceApi = {
  lan: () => callApi('get', '/api/v1/appliance/lan'),
  tunnel: () => callApi('get', '/api/v1/appliance/tunnel'),
  saveTunnel: (body: ApiBody<'/api/v1/appliance/tunnel', 'put'>) => callApi('put', '/api/v1/appliance/tunnel', { body }),
  testTunnel: () => callApi('post', '/api/v1/appliance/tunnel/test'),
  backups: () => callApi('get', '/api/v1/appliance/backups'),
  backupNow: () => callApi('post', '/api/v1/appliance/backups'),
  restore: (name: string, force: boolean) =>
    callApi('post', '/api/v1/appliance/backups/{name}/restore', { path: { name }, body: { force } }),
  cancelRestore: () => callApi('delete', '/api/v1/appliance/pending-restore'),
  backupSettings: () => callApi('get', '/api/v1/appliance/backup-settings'),
  saveBackupSettings: (body: ApiBody<'/api/v1/appliance/backup-settings', 'put'>) =>
    callApi('put', '/api/v1/appliance/backup-settings', { body }),
};

function formatTime(value: string | null | undefined, language: string | undefined): string {
  if (!value) return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}

function formatSize(bytes: number, language: string | undefined): string {
  const mb = bytes / 1024 / 1024;
  return `${new Intl.NumberFormat(language, { maximumFractionDigits: 1 }).format(mb < 0.1 ? bytes / 1024 : mb)} ${mb < 0.1 ? 'KB' : 'MB'}`;
}

function stateLabel(t: TFunction<'appliance'>, state: TunnelState): string {
  switch (state) {
    case 'off':
      return t('appliance.tunnel.states.off');
    case 'starting':
      return t('appliance.tunnel.states.starting');
    case 'up':
      return t('appliance.tunnel.states.up');
    case 'reconnecting':
      return t('appliance.tunnel.states.reconnecting');
    case 'down':
      return t('appliance.tunnel.states.down');
    case 'unavailable':
      return t('appliance.tunnel.states.unavailable');
  }
}

function checkLabel(t: TFunction<'appliance'>, id: Reachability['checks'][number]['id'], ok: boolean): string {
  switch (id) {
    case 'tunnel':
      return ok ? t('appliance.tunnel.checks.tunnelOk') : t('appliance.tunnel.checks.tunnelFail');
    case 'https':
      return ok ? t('appliance.tunnel.checks.httpsOk') : t('appliance.tunnel.checks.httpsFail');
    case 'appliance':
      return ok ? t('appliance.tunnel.checks.applianceOk') : t('appliance.tunnel.checks.applianceFail');
    case 'meta-verification':
      return ok ? t('appliance.tunnel.checks.metaOk') : t('appliance.tunnel.checks.metaFail');
  }
}

function reasonLabel(t: TFunction<'appliance'>, reason: string): string {
  switch (reason) {
    case 'manual':
      return t('appliance.backups.reasons.manual');
    case 'scheduled':
      return t('appliance.backups.reasons.scheduled');
    case 'catch-up':
      return t('appliance.backups.reasons.catchUp');
    case 'cli':
      return t('appliance.backups.reasons.cli');
    case 'pre-restore':
      return t('appliance.backups.reasons.preRestore');
    case 'pre-migration':
      return t('appliance.backups.reasons.preMigration');
    default:
      return reason;
  }
}

function CopyButton({ value }: { value: string }) {
  const { t } = useTranslation('appliance');
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="button button--secondary"
      onClick={() => {
        void navigator.clipboard?.writeText(value).then(() => {
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        });
      }}
    >
      {copied ? t('common.copied') : t('common.copy')}
    </button>
  );
}

function LanSection() {
  const { t } = useTranslation('appliance');
  const [lan, setLan] = useState<LanInfo>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    applianceApi.lan().then(setLan, (err: unknown) => setError(errorMessage(t, err)));
  }, [t]);
  return (
    <section className="card" aria-labelledby="lan-title">
      <h2 id="lan-title" className="card__title">
        {t('appliance.lan.title')}
      </h2>
      <p>{t('appliance.lan.intro')}</p>
      <FormError message={error} />
      {lan && !lan.reachable ? <p role="status">{t('appliance.lan.unreachable')}</p> : null}
      {lan?.qr ? (
        <figure style={{ margin: 0 }}>
          <img
            src={`data:image/svg+xml;utf8,${encodeURIComponent(lan.qr.svg)}`}
            width={200}
            height={200}
            alt={t('appliance.lan.qrAlt', { url: lan.qr.payload })}
            data-testid="lan-qr"
          />
          <figcaption>{t('appliance.lan.qrCaption')}</figcaption>
        </figure>
      ) : null}
      {lan ? (
        <dl className="details">
          {lan.mdnsUrl ? (
            <div className="details__row">
              <dt>{t('appliance.lan.name')}</dt>
              <dd>
                <a href={lan.mdnsUrl}>{lan.mdnsUrl}</a>
              </dd>
            </div>
          ) : null}
          {lan.addresses.map((a) => (
            <div className="details__row" key={a.url}>
              <dt>
                {a.interface}
                {a.virtual ? ` · ${t('appliance.lan.virtual')}` : ''}
              </dt>
              <dd data-testid="lan-url">
                <a href={a.url}>{a.url}</a>
              </dd>
            </div>
          ))}
        </dl>
      ) : null}
    </section>
  );
}

function TunnelSection() {
  const { t } = useTranslation('appliance');
  const [view, setView] = useState<TunnelView>();
  const [provider, setProvider] = useState<Provider>('none');
  const [publicUrl, setPublicUrl] = useState('');
  const [token, setToken] = useState('');
  const [domain, setDomain] = useState('');
  const [exposeEverything, setExposeEverything] = useState(false);
  const [saving, setSaving] = useState(false);
  const [testing, setTesting] = useState(false);
  const [result, setResult] = useState<Reachability>();
  const [error, setError] = useState<string>();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  const load = useCallback(
    () =>
      applianceApi.tunnel().then((v) => {
        setView(v);
        return v;
      }),
    [],
  );

  useEffect(() => {
    load().then(
      (v) => {
        setProvider(v.provider);
        setPublicUrl(v.publicUrl ?? '');
        setDomain(v.ngrokDomain ?? '');
        setExposeEverything(v.exposeEverything);
      },
      (err: unknown) => setError(errorMessage(t, err)),
    );
    const timer = setInterval(() => void load().catch(() => undefined), 3000);
    return () => clearInterval(timer);
  }, [load, t]);

  async function save(event: FormEvent) {
    event.preventDefault();
    setSaving(true);
    setError(undefined);
    setFieldErrors({});
    setResult(undefined);
    try {
      setView(
        await applianceApi.saveTunnel({
          provider,
          exposeEverything,
          ...(provider === 'public-url' ? { publicUrl: publicUrl.trim() || null } : {}),
          ...(provider === 'ngrok'
            ? { ngrokDomain: domain.trim() || null, ...(token.trim() ? { ngrokAuthtoken: token.trim() } : {}) }
            : {}),
        }),
      );
      setToken('');
    } catch (err) {
      if (err instanceof ApiError && Object.keys(err.fieldErrors).length) {
        setFieldErrors(err.fieldErrors);
        setError(t('common.checkFields'));
      } else setError(errorMessage(t, err));
    } finally {
      setSaving(false);
    }
  }

  async function test() {
    setTesting(true);
    setError(undefined);
    try {
      setResult(await applianceApi.testTunnel());
    } catch (err) {
      setError(errorMessage(t, err));
    } finally {
      setTesting(false);
    }
  }

  const providers: { value: Provider; label: string; hint: string }[] = [
    { value: 'none', label: t('appliance.tunnel.providers.none'), hint: t('appliance.tunnel.hints.none') },
    { value: 'public-url', label: t('appliance.tunnel.providers.publicUrl'), hint: t('appliance.tunnel.hints.publicUrl') },
    {
      value: 'cloudflare',
      label: t('appliance.tunnel.providers.cloudflare'),
      hint: view?.cloudflaredPath
        ? t('appliance.tunnel.hints.cloudflareFound', { path: view.cloudflaredPath })
        : t('appliance.tunnel.hints.cloudflareMissing'),
    },
    { value: 'ngrok', label: t('appliance.tunnel.providers.ngrok'), hint: t('appliance.tunnel.hints.ngrok') },
  ];

  return (
    <section className="card" aria-labelledby="tunnel-title">
      <h2 id="tunnel-title" className="card__title">
        {t('appliance.tunnel.title')}
      </h2>
      <p>{t('appliance.tunnel.intro')}</p>
      <FormError message={error} />
      <form className="form" onSubmit={save} noValidate>
        <fieldset className="field" style={{ border: 0, padding: 0 }}>
          <legend className="field__label">{t('appliance.tunnel.provider')}</legend>
          {providers.map((p) => (
            <label key={p.value} style={{ display: 'block', marginBottom: 6 }}>
              <input type="radio" name="provider" value={p.value} checked={provider === p.value} onChange={() => setProvider(p.value)} />{' '}
              {p.label}
              <span className="field__hint" style={{ display: 'block' }}>
                {p.hint}
              </span>
            </label>
          ))}
        </fieldset>
        {provider === 'public-url' ? (
          <div className={fieldErrors.publicUrl ? 'field field--invalid' : 'field'}>
            <label htmlFor="tunnel-public-url" className="field__label">
              {t('appliance.tunnel.publicUrl')}
            </label>
            <input
              id="tunnel-public-url"
              className="field__input"
              type="url"
              inputMode="url"
              value={publicUrl}
              onChange={(e) => setPublicUrl(e.target.value)}
              placeholder="https://"
            />
            {fieldErrors.publicUrl ? <p className="field__error">{fieldErrors.publicUrl}</p> : null}
          </div>
        ) : null}
        {provider === 'ngrok' ? (
          <>
            <div className={fieldErrors.ngrokAuthtoken ? 'field field--invalid' : 'field'}>
              <label htmlFor="tunnel-ngrok-token" className="field__label">
                {t('appliance.tunnel.ngrokToken')}
              </label>
              <input
                id="tunnel-ngrok-token"
                className="field__input"
                type="password"
                autoComplete="off"
                value={token}
                onChange={(e) => setToken(e.target.value)}
                placeholder={view?.ngrokAuthtoken ?? ''}
              />
              <p className="field__hint">
                {view?.ngrokAuthtoken
                  ? t('appliance.tunnel.ngrokTokenSaved', { masked: view.ngrokAuthtoken })
                  : t('appliance.tunnel.ngrokTokenHint')}
              </p>
            </div>
            <div className="field">
              <label htmlFor="tunnel-ngrok-domain" className="field__label">
                {t('appliance.tunnel.ngrokDomain')}
              </label>
              <input id="tunnel-ngrok-domain" className="field__input" value={domain} onChange={(e) => setDomain(e.target.value)} />
            </div>
          </>
        ) : null}
        <div className="field">
          <label className="field__label" htmlFor="tunnel-expose-everything">
            <input
              id="tunnel-expose-everything"
              type="checkbox"
              checked={exposeEverything}
              onChange={(e) => setExposeEverything(e.target.checked)}
              data-testid="tunnel-expose-everything"
            />{' '}
            {t('appliance.tunnel.exposeEverything')}
          </label>
          <p className="field__hint">{t('appliance.tunnel.exposeEverythingHint')}</p>
        </div>
        <SubmitButton busy={saving} busyLabel={t('appliance.saving')}>
          {t('appliance.save')}
        </SubmitButton>
      </form>

      {view ? (
        <dl className="details" data-testid="tunnel-status">
          <div className="details__row">
            <dt>{t('appliance.tunnel.status')}</dt>
            <dd>
              <span className="badge">{stateLabel(t, view.status.state)}</span>
              {view.source === 'env' ? ` · ${t('appliance.tunnel.fromEnv')}` : ''}
              {view.status.restarts > 0 ? ` · ${t('appliance.tunnel.restarts', { count: view.status.restarts })}` : ''}
            </dd>
          </div>
          {view.status.error ? (
            <div className="details__row">
              <dt>{t('appliance.tunnel.lastError')}</dt>
              <dd>
                <code>{view.status.error}</code>
              </dd>
            </div>
          ) : null}
          <div className="details__row">
            <dt>{t('appliance.tunnel.callbackUrl')}</dt>
            <dd>
              {view.callbackUrl ? (
                <>
                  <code data-testid="callback-url">{view.callbackUrl}</code> <CopyButton value={view.callbackUrl} />
                </>
              ) : (
                t('appliance.tunnel.noCallbackUrl')
              )}
            </dd>
          </div>
          <div className="details__row">
            <dt>{t('appliance.tunnel.verifyToken')}</dt>
            <dd>
              <code data-testid="verify-token">{view.verifyToken}</code> <CopyButton value={view.verifyToken} />
            </dd>
          </div>
        </dl>
      ) : null}
      <p className="field__hint">{t('appliance.tunnel.metaSteps')}</p>
      <SubmitButton type="button" variant="secondary" busy={testing} busyLabel={t('appliance.tunnel.testing')} onClick={test}>
        {t('appliance.tunnel.test')}
      </SubmitButton>
      {result ? (
        <ul aria-live="polite" data-testid="reachability">
          {result.checks.map((c) => (
            <li key={c.id}>
              {c.ok ? '✓' : '✗'} {checkLabel(t, c.id, c.ok)}
              {!c.ok ? (
                <span className="field__hint" style={{ display: 'block' }}>
                  {c.detail}
                </span>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function BackupsSection() {
  const { t, i18n } = useTranslation('appliance');
  const language = i18n.resolvedLanguage;
  const [backups, setBackups] = useState<Backup[]>([]);
  const [settings, setSettings] = useState<BackupSettings>();
  const [time, setTime] = useState('02:00');
  const [keep, setKeep] = useState(7);
  const [enabled, setEnabled] = useState(true);
  const [busy, setBusy] = useState<'backup' | 'save' | string | null>(null);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();

  const load = useCallback(async () => {
    const [list, s] = await Promise.all([applianceApi.backups(), applianceApi.backupSettings()]);
    setBackups(list.data);
    setSettings(s);
    return s;
  }, []);

  useEffect(() => {
    load().then(
      (s) => {
        setTime(s.time);
        setKeep(s.keep);
        setEnabled(s.enabled);
      },
      (err: unknown) => setError(errorMessage(t, err)),
    );
  }, [load, t]);

  async function run(kind: string, work: () => Promise<unknown>, done?: string) {
    setBusy(kind);
    setError(undefined);
    setNotice(undefined);
    try {
      await work();
      if (done) setNotice(done);
      await load();
    } catch (err) {
      setError(err instanceof ApiError && err.status !== 0 && err.detail ? err.detail : errorMessage(t, err));
    } finally {
      setBusy(null);
    }
  }

  function restore(backup: Backup) {
    const question = backup.foreign
      ? t('appliance.backups.confirmForeign', { when: formatTime(backup.createdAt, language) })
      : t('appliance.backups.confirmRestore', { when: formatTime(backup.createdAt, language) });
    if (!window.confirm(question)) return;
    void run(backup.name, async () => {
      const res = await applianceApi.restore(backup.name, backup.foreign);
      setNotice(res.restartRequested ? t('appliance.backups.restoringNow') : t('appliance.backups.restoreStaged'));
    });
  }

  return (
    <section className="card" aria-labelledby="backups-title">
      <h2 id="backups-title" className="card__title">
        {t('appliance.backups.title')}
      </h2>
      <p>{t('appliance.backups.intro')}</p>
      <FormError message={error} />
      {notice ? (
        <p role="status" data-testid="backup-notice">
          {notice}
        </p>
      ) : null}
      {settings?.pendingRestore ? (
        <p role="status">
          {t('appliance.backups.pending', { when: formatTime(settings.pendingRestore.createdAt, language) })}{' '}
          <button type="button" className="button button--secondary" onClick={() => void run('cancel', () => applianceApi.cancelRestore())}>
            {t('appliance.backups.cancelRestore')}
          </button>
        </p>
      ) : null}
      <SubmitButton
        type="button"
        style={{ marginBottom: 12 }}
        busy={busy === 'backup' || Boolean(settings?.running)}
        busyLabel={t('appliance.backups.backingUp')}
        onClick={() => void run('backup', () => applianceApi.backupNow(), t('appliance.backups.done'))}
        data-testid="backup-now"
      >
        {t('appliance.backups.backupNow')}
      </SubmitButton>
      {settings?.lastResult && !settings.lastResult.ok ? (
        <p role="alert">{t('appliance.backups.lastFailed', { error: settings.lastResult.error ?? '' })}</p>
      ) : null}

      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void run('save', () => applianceApi.saveBackupSettings({ time, keep, enabled }), t('appliance.saved'));
        }}
      >
        <label style={{ display: 'block' }}>
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> {t('appliance.backups.nightly')}
        </label>
        <div className="field">
          <label htmlFor="backup-time" className="field__label">
            {t('appliance.backups.time')}
          </label>
          <input id="backup-time" className="field__input" type="time" value={time} onChange={(e) => setTime(e.target.value)} required />
          {settings?.nextRunAt ? (
            <p className="field__hint">{t('appliance.backups.next', { when: formatTime(settings.nextRunAt, language) })}</p>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor="backup-keep" className="field__label">
            {t('appliance.backups.keep')}
          </label>
          <input
            id="backup-keep"
            className="field__input"
            type="number"
            min={1}
            max={365}
            value={keep}
            onChange={(e) => setKeep(Number(e.target.value))}
          />
        </div>
        <SubmitButton busy={busy === 'save'} busyLabel={t('appliance.saving')}>
          {t('appliance.save')}
        </SubmitButton>
      </form>

      {backups.length === 0 ? (
        <p>{t('appliance.backups.none')}</p>
      ) : (
        <ul
          className="details"
          style={{ listStyle: 'none', padding: 0 }}
          data-testid="backup-list"
          aria-label={t('appliance.backups.title')}
        >
          {backups.map((b) => (
            <li
              key={b.name}
              className="details__row"
              title={b.name}
              style={{ display: 'flex', gap: 8, alignItems: 'center', justifyContent: 'space-between', flexWrap: 'wrap' }}
            >
              <span>
                <strong>{formatTime(b.createdAt, language)}</strong>
                {b.foreign ? ` · ${t('appliance.backups.foreign')}` : ''}
                <br />
                <span className="field__hint">
                  {reasonLabel(t, b.reason)} · {formatSize(b.size, language)} ·{' '}
                  {b.verified === true
                    ? t('appliance.backups.verified')
                    : b.verified === false
                      ? t('appliance.backups.changed')
                      : t('appliance.backups.unknown')}
                </span>
              </span>
              <button type="button" className="button button--secondary" disabled={busy !== null} onClick={() => restore(b)}>
                {busy === b.name ? t('appliance.backups.checking') : t('appliance.backups.restore')}
              </button>
            </li>
          ))}
        </ul>
      )}
      {settings ? <p className="field__hint">{t('appliance.backups.folder', { path: settings.backupsDir })}</p> : null}
    </section>
  );
}

export function AppliancePage() {
  const { t } = useTranslation('appliance');
  usePageTitle(t('appliance.pageTitle'));
  // The appliance's settings are its operator's (the desktop app on this PC, a super-admin), not an organization's.
  const allowed = useApplianceOperator();
  if (allowed === null) return null;
  return (
    <div className="dashboard">
      <div className="dashboard__header">
        <div>
          <h1 className="dashboard__title">{t('appliance.title')}</h1>
          <p className="dashboard__subtitle">{t('appliance.subtitle')}</p>
        </div>
        <Link to="/" className="button button--secondary">
          {t('appliance.back')}
        </Link>
      </div>
      {allowed ? (
        <div className="cards">
          <LanSection />
          <TunnelSection />
          <BackupsSection />
        </div>
      ) : (
        <p role="alert">{t('appliance.forbidden')}</p>
      )}
    </div>
  );
}
