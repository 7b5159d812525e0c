// The operator's console (super-admins): organizations (provision, suspend, activate, delete,
// impersonate, users and their reset links), the appliance's health, and super-admin accounts.
// Appliance settings (backups, restore, tunnel) are linked from here.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api';
import { errorMessage } from '../errors';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { usePageTitle } from '../usePageTitle';
import { operatorApi, type Admin, type Health, type OrgRow, type OrgUser, type ResetLink } from './api';
import './operator.css';

const bytes = (n: number | null) => (n === null ? '–' : n > 1e9 ? `${(n / 1e9).toFixed(1)} GB` : `${(n / 1e6).toFixed(1)} MB`);

function LinkBox({ link, onClose }: { link: ResetLink; onClose(): void }) {
  const { t } = useTranslation('operator');
  return (
    <div className="operator__link" role="status" data-testid="reset-link">
      <p>{t('operator.linkHint', { expires: new Date(link.expiresAt).toLocaleString() })}</p>
      <input className="field__input" readOnly value={link.url} onFocus={(e) => e.target.select()} data-testid="reset-link-url" />
      <button type="button" className="button button--secondary button--sm" onClick={onClose}>
        {t('operator.close')}
      </button>
    </div>
  );
}

function Login({ onDone }: { onDone(): void }) {
  const { t } = useTranslation('operator');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      await operatorApi.login(email, password);
      onDone();
    } catch (err) {
      setError(errorMessage(t, err));
    }
  }
  return (
    <form className="card operator__login" onSubmit={submit} data-testid="operator-login">
      <h1 className="page-title">{t('operator.loginTitle')}</h1>
      <label className="field">
        <span className="field__label">{t('operator.email')}</span>
        <input className="field__input" type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="username" />
      </label>
      <label className="field">
        <span className="field__label">{t('operator.password')}</span>
        <input
          className="field__input"
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="current-password"
        />
      </label>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" className="button button--primary">
        {t('operator.signIn')}
      </button>
    </form>
  );
}

function CreateOrg({ onCreated }: { onCreated(link: ResetLink | null): void }) {
  const { t } = useTranslation('operator');
  const [name, setName] = useState('');
  const [ownerName, setOwnerName] = useState('');
  const [ownerEmail, setOwnerEmail] = useState('');
  const [timezone, setTimezone] = useState('Asia/Jakarta');
  const [error, setError] = useState<string | null>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      const res = await operatorApi.createTenant({ name, timezone, owner: { name: ownerName, email: ownerEmail } });
      setName('');
      setOwnerName('');
      setOwnerEmail('');
      onCreated(res.ownerSetupLink);
    } catch (err) {
      setError(errorMessage(t, err));
    }
  }
  return (
    <form className="card operator__create" onSubmit={submit} data-testid="org-create">
      <h2 className="card__title">{t('operator.newOrg')}</h2>
      <div className="operator__row">
        <label className="field">
          <span className="field__label">{t('operator.orgName')}</span>
          <input className="field__input" value={name} onChange={(e) => setName(e.target.value)} data-testid="org-name" required />
        </label>
        <label className="field">
          <span className="field__label">{t('operator.ownerName')}</span>
          <input
            className="field__input"
            value={ownerName}
            onChange={(e) => setOwnerName(e.target.value)}
            data-testid="org-owner-name"
            required
          />
        </label>
        <label className="field">
          <span className="field__label">{t('operator.ownerEmail')}</span>
          <input
            className="field__input"
            type="email"
            value={ownerEmail}
            onChange={(e) => setOwnerEmail(e.target.value)}
            data-testid="org-owner-email"
            required
          />
        </label>
        <label className="field">
          <span className="field__label">{t('operator.timezone')}</span>
          <input className="field__input" value={timezone} onChange={(e) => setTimezone(e.target.value)} />
        </label>
      </div>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <button type="submit" className="button button--primary" data-testid="org-create-submit">
        {t('operator.create')}
      </button>
    </form>
  );
}

function OrgDetail({ org, onChanged }: { org: OrgRow; onChanged(): void }) {
  const { t } = useTranslation('operator');
  const [users, setUsers] = useState<OrgUser[]>([]);
  const [usage, setUsage] = useState<Awaited<ReturnType<typeof operatorApi.tenant>>['usage'] | null>(null);
  const [link, setLink] = useState<ResetLink | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    operatorApi.users(org.id).then(
      (r) => setUsers(r.data),
      (err) => setError(errorMessage(t, err)),
    );
    operatorApi.tenant(org.id).then(
      (r) => setUsage(r.usage),
      () => undefined,
    );
  }, [org.id, t]);
  useEffect(load, [load]);
  const act = async (work: () => Promise<unknown>) => {
    setError(null);
    try {
      await work();
      load();
      onChanged();
    } catch (err) {
      setError(errorMessage(t, err));
    }
  };
  const impersonate = (work: () => Promise<unknown>) =>
    act(async () => {
      await work();
      window.location.assign('/inbox');
    });
  return (
    <div className="operator__detail" data-testid="org-detail">
      {usage ? (
        <p className="operator__muted" data-testid="org-usage">
          {t('operator.usage', {
            conversations: usage.conversations.total,
            messages: usage.messages.total,
            month: usage.messages.thisMonth,
            storage: bytes(usage.storageBytes),
            agents: usage.agents.active,
          })}
        </p>
      ) : null}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {link ? <LinkBox link={link} onClose={() => setLink(null)} /> : null}
      <table className="data-table">
        <thead>
          <tr>
            <th>{t('operator.user')}</th>
            <th>{t('operator.role')}</th>
            <th>{t('operator.status')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id} data-testid={`user-${u.email}`}>
              <td>
                {u.name} <span className="operator__muted">{u.email}</span>
              </td>
              <td>{u.role}</td>
              <td>{t(`operator.state.${u.status}`)}</td>
              <td className="operator__actions">
                <button
                  type="button"
                  className="button button--secondary button--sm"
                  onClick={() => impersonate(() => operatorApi.impersonateUser(org.id, u.id))}
                >
                  {t('operator.impersonate')}
                </button>
                <button
                  type="button"
                  className="button button--secondary button--sm"
                  onClick={() => act(() => operatorApi.userAction(org.id, u.id, u.status === 'active' ? 'suspend' : 'activate'))}
                >
                  {u.status === 'active' ? t('operator.suspend') : t('operator.activate')}
                </button>
                <button
                  type="button"
                  className="button button--secondary button--sm"
                  onClick={() => act(async () => setLink(await operatorApi.resetUser(org.id, u.id)))}
                >
                  {t('operator.resetLink')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Organizations() {
  const { t } = useTranslation('operator');
  const [orgs, setOrgs] = useState<OrgRow[]>([]);
  const [open, setOpen] = useState<string | null>(null);
  const [link, setLink] = useState<ResetLink | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(
    () =>
      operatorApi.tenants().then(
        (r) => setOrgs(r.data),
        (err) => setError(errorMessage(t, err)),
      ),
    [t],
  );
  useEffect(() => {
    load();
  }, [load]);
  const act = async (work: () => Promise<unknown>) => {
    setError(null);
    try {
      await work();
      await load();
    } catch (err) {
      setError(errorMessage(t, err));
    }
  };
  return (
    <div className="operator__section">
      <CreateOrg
        onCreated={(l) => {
          setLink(l);
          load();
        }}
      />
      {link ? <LinkBox link={link} onClose={() => setLink(null)} /> : null}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="card">
        <h2 className="card__title">{t('operator.orgs')}</h2>
        <table className="data-table" data-testid="org-list">
          <thead>
            <tr>
              <th>{t('operator.orgName')}</th>
              <th>{t('operator.status')}</th>
              <th className="num">{t('operator.users')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {orgs.map((o) => {
              const state = o.deletedAt ? 'deleted' : o.status;
              return [
                <tr key={o.id} data-testid={`org-${o.slug}`}>
                  <td>
                    <button type="button" className="operator__linkish" onClick={() => setOpen(open === o.id ? null : o.id)}>
                      {o.name}
                    </button>
                  </td>
                  <td data-testid="org-status">
                    {t(`operator.state.${state}`)}
                    {o.purgeAt ? (
                      <span className="operator__muted"> · {t('operator.purgeAt', { at: new Date(o.purgeAt).toLocaleDateString() })}</span>
                    ) : null}
                  </td>
                  <td className="num">{o.users ?? ''}</td>
                  <td className="operator__actions">
                    <button
                      type="button"
                      className="button button--secondary button--sm"
                      disabled={state !== 'active'}
                      onClick={() =>
                        act(async () => {
                          await operatorApi.impersonate(o.id);
                          window.location.assign('/inbox');
                        })
                      }
                      data-testid="org-impersonate"
                    >
                      {t('operator.impersonate')}
                    </button>
                    <button
                      type="button"
                      className="button button--secondary button--sm"
                      onClick={() => act(() => operatorApi.updateTenant(o.id, { status: state === 'active' ? 'suspended' : 'active' }))}
                      data-testid="org-toggle"
                    >
                      {state === 'active' ? t('operator.suspend') : state === 'deleted' ? t('operator.restore') : t('operator.activate')}
                    </button>
                    {state !== 'deleted' ? (
                      <button
                        type="button"
                        className="button button--secondary button--sm"
                        onClick={() =>
                          window.confirm(t('operator.deleteConfirm', { name: o.name })) && act(() => operatorApi.deleteTenant(o.id))
                        }
                        data-testid="org-delete"
                      >
                        {t('operator.delete')}
                      </button>
                    ) : null}
                  </td>
                </tr>,
                open === o.id ? (
                  <tr key={`${o.id}-detail`}>
                    <td colSpan={4}>
                      <OrgDetail org={o} onChanged={load} />
                    </td>
                  </tr>
                ) : null,
              ];
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function HealthView() {
  const { t } = useTranslation('operator');
  const [health, setHealth] = useState<Health | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    operatorApi.health().then(setHealth, (err) => setError(errorMessage(t, err)));
  }, [t]);
  if (error)
    return (
      <p className="form-error" role="alert">
        {error}
      </p>
    );
  if (!health) return <span className="spinner spinner--dark" aria-hidden="true" />;
  return (
    <div className="card" data-testid="operator-health">
      <h2 className="card__title">
        {t('operator.health')}: <span data-testid="health-status">{t(`operator.healthState.${health.status}`)}</span>
      </h2>
      <dl className="operator__facts">
        <dt>{t('operator.database')}</dt>
        <dd>{bytes(health.database.sizeBytes)}</dd>
        <dt>{t('operator.disk')}</dt>
        <dd>{bytes(health.disk.freeBytes)}</dd>
        <dt>{t('operator.jobs')}</dt>
        <dd>{t('operator.jobsValue', { due: health.jobs.due, lag: health.jobs.lagSeconds, failed: health.jobs.failedLast24h })}</dd>
        <dt>{t('operator.tunnel')}</dt>
        <dd>{health.tunnel ? `${health.tunnel.provider}: ${health.tunnel.state}` : '–'}</dd>
        <dt>{t('operator.lastBackup')}</dt>
        <dd>
          {health.lastBackup
            ? `${new Date(health.lastBackup.at).toLocaleString()} ${health.lastBackup.ok ? '✓' : '✗'}`
            : t('operator.never')}
        </dd>
        <dt>{t('operator.channelsInError')}</dt>
        <dd>
          {health.channelAccountsInError.length
            ? health.channelAccountsInError.map((a) => `${a.tenantName ?? ''} ${a.channel} ${a.name}`).join(', ')
            : '–'}
        </dd>
      </dl>
      <p className="operator__muted">
        {t('operator.applianceHint')} <a href="/settings/appliance">{t('operator.applianceLink')}</a>
      </p>
    </div>
  );
}

function Admins() {
  const { t } = useTranslation('operator');
  const [admins, setAdmins] = useState<Admin[]>([]);
  const [link, setLink] = useState<ResetLink | null>(null);
  const [form, setForm] = useState({ name: '', email: '', password: '' });
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => operatorApi.admins().then((r) => setAdmins(r.data)), []);
  useEffect(() => {
    load();
  }, [load]);
  const act = async (work: () => Promise<unknown>) => {
    setError(null);
    try {
      await work();
      await load();
    } catch (err) {
      setError(errorMessage(t, err));
    }
  };
  return (
    <div className="card" data-testid="operator-admins">
      <h2 className="card__title">{t('operator.admins')}</h2>
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
      {link ? <LinkBox link={link} onClose={() => setLink(null)} /> : null}
      <table className="data-table">
        <tbody>
          {admins.map((a) => (
            <tr key={a.id}>
              <td>
                {a.name} <span className="operator__muted">{a.email}</span>
              </td>
              <td className="operator__actions">
                <button
                  type="button"
                  className="button button--secondary button--sm"
                  onClick={() => act(async () => setLink(await operatorApi.resetAdmin(a.id)))}
                >
                  {t('operator.resetLink')}
                </button>
                <button
                  type="button"
                  className="button button--secondary button--sm"
                  onClick={() => act(() => operatorApi.deleteAdmin(a.id))}
                >
                  {t('operator.delete')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form
        className="operator__row"
        onSubmit={(e) => {
          e.preventDefault();
          act(async () => {
            await operatorApi.createAdmin(form);
            setForm({ name: '', email: '', password: '' });
          });
        }}
      >
        <input
          className="field__input"
          placeholder={t('operator.ownerName')}
          value={form.name}
          onChange={(e) => setForm({ ...form, name: e.target.value })}
        />
        <input
          className="field__input"
          type="email"
          placeholder={t('operator.email')}
          value={form.email}
          onChange={(e) => setForm({ ...form, email: e.target.value })}
        />
        <input
          className="field__input"
          type="password"
          placeholder={t('operator.password')}
          value={form.password}
          onChange={(e) => setForm({ ...form, password: e.target.value })}
        />
        <button type="submit" className="button button--primary button--sm">
          {t('operator.addAdmin')}
        </button>
      </form>
    </div>
  );
}

type Tab = 'orgs' | 'health' | 'admins';

export function OperatorPage() {
  const { t } = useTranslation('operator');
  usePageTitle(t('operator.title'));
  const [state, setState] = useState<'loading' | 'login' | 'ready'>('loading');
  const [tab, setTab] = useState<Tab>('orgs');
  const check = useCallback(() => {
    operatorApi.admins().then(
      () => setState('ready'),
      (err) => setState(err instanceof ApiError && err.status === 401 ? 'login' : 'login'),
    );
  }, []);
  useEffect(check, [check]);
  return (
    <div className="operator" data-testid="operator-page">
      <header className="operator__header">
        <strong>{t('operator.title')}</strong>
        <LanguageSwitch />
      </header>
      <main className="operator__main">
        {state === 'loading' ? <span className="spinner spinner--dark" aria-hidden="true" /> : null}
        {state === 'login' ? <Login onDone={check} /> : null}
        {state === 'ready' ? (
          <>
            <nav className="operator__tabs" aria-label={t('operator.title')}>
              {(['orgs', 'health', 'admins'] as Tab[]).map((k) => (
                <button
                  key={k}
                  type="button"
                  className={tab === k ? 'button button--primary button--sm' : 'button button--secondary button--sm'}
                  onClick={() => setTab(k)}
                  data-testid={`tab-${k}`}
                >
                  {t(`operator.tab.${k}`)}
                </button>
              ))}
            </nav>
            {tab === 'orgs' ? <Organizations /> : tab === 'health' ? <HealthView /> : <Admins />}
          </>
        ) : null}
      </main>
    </div>
  );
}
