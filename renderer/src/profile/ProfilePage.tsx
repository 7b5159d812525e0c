import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { ApiError, authApi } from '../api';
import { useSession } from '../components/RequireAuth';
import { FormError } from '../components/FormError';
import { PreferencesCard } from './PreferencesCard';
import { SubmitButton } from '../components/SubmitButton';
import { errorMessage } from '../errors';
import { usePageTitle } from '../usePageTitle';
import { useApplianceOperator } from '../settings/operator';

function statusLabel(t: TFunction<'profile'>, status: string): string {
  switch (status) {
    case 'active':
      return t('status.active');
    case 'suspended':
      return t('status.suspended');
    default:
      return status;
  }
}

/** Built-in roles are translated; custom roles keep the name the organization gave them. */
function roleLabel(t: TFunction<'profile'>, role: string): string {
  switch (role) {
    case 'owner':
      return t('roles.owner');
    case 'admin':
      return t('roles.admin');
    case 'supervisor':
      return t('roles.supervisor');
    case 'agent':
      return t('roles.agent');
    default:
      return role;
  }
}

function formatDate(value: string, language: string | undefined): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return new Intl.DateTimeFormat(language, { dateStyle: 'long' }).format(date);
}

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? [parts[0][0], parts[parts.length - 1][0]] : [parts[0]?.[0]];
  return letters.filter(Boolean).join('').toUpperCase();
}

export function ProfilePage() {
  const { t, i18n } = useTranslation('profile');
  usePageTitle(t('home.pageTitle'));
  const navigate = useNavigate();
  const { session } = useSession();
  const operator = useApplianceOperator();
  const { user, tenant } = session;
  const language = i18n.resolvedLanguage;

  const [loggingOut, setLoggingOut] = useState(false);
  const [error, setError] = useState<string>();

  async function logout() {
    setLoggingOut(true);
    setError(undefined);
    try {
      await authApi.logout();
      navigate('/login', { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        navigate('/login', { replace: true }); // already signed out
        return;
      }
      setLoggingOut(false);
      setError(errorMessage(t, err));
    }
  }

  return (
    <div className="dashboard">
      <div className="dashboard__header">
        <div className="dashboard__intro">
          <span className="avatar" aria-hidden="true">
            {initials(user.name)}
          </span>
          <div>
            <h1 className="dashboard__title">{t('home.greeting', { name: user.name })}</h1>
            <p className="dashboard__subtitle">{t('home.subtitle')}</p>
          </div>
        </div>
        <SubmitButton
          type="button"
          variant="secondary"
          busy={loggingOut}
          busyLabel={t('home.loggingOut')}
          onClick={logout}
          data-testid="logout"
        >
          {t('home.logout')}
        </SubmitButton>
      </div>

      <FormError message={error} />

      {operator ? (
        <p>
          <Link to="/settings/appliance" data-testid="appliance-link">
            {t('home.applianceLink')}
          </Link>
        </p>
      ) : null}

      <div className="cards">
        <section className="card" aria-labelledby="profile-title">
          <h2 id="profile-title" className="card__title">
            {t('home.profileTitle')}
          </h2>
          <dl className="details">
            <div className="details__row">
              <dt>{t('home.name')}</dt>
              <dd data-testid="profile-name">{user.name}</dd>
            </div>
            <div className="details__row">
              <dt>{t('home.email')}</dt>
              <dd data-testid="profile-email">{user.email}</dd>
            </div>
            <div className="details__row">
              <dt>{t('home.role')}</dt>
              <dd>
                <span className="badge" data-testid="profile-role">
                  {roleLabel(t, user.role?.name ?? '')}
                </span>
              </dd>
            </div>
            <div className="details__row">
              <dt>{t('home.status')}</dt>
              <dd>
                <span className={user.online ? 'presence presence--online' : 'presence'} aria-hidden="true" />
                {statusLabel(t, user.status)} · {user.online ? t('home.online') : t('home.offline')}
              </dd>
            </div>
            <div className="details__row">
              <dt>{t('home.memberSince')}</dt>
              <dd>{formatDate(user.createdAt, language)}</dd>
            </div>
          </dl>
        </section>

        <section className="card" aria-labelledby="org-title">
          <h2 id="org-title" className="card__title">
            {t('home.organizationTitle')}
          </h2>
          <dl className="details">
            <div className="details__row">
              <dt>{t('home.organizationName')}</dt>
              <dd data-testid="profile-org">{tenant.name}</dd>
            </div>
            <div className="details__row">
              <dt>{t('home.timezone')}</dt>
              <dd data-testid="profile-timezone">{tenant.timezone}</dd>
            </div>
            <div className="details__row">
              <dt>{t('home.status')}</dt>
              <dd>{statusLabel(t, tenant.status)}</dd>
            </div>
            <div className="details__row">
              <dt>{t('home.createdAt')}</dt>
              <dd>{formatDate(tenant.createdAt, language)}</dd>
            </div>
          </dl>
        </section>

        <PreferencesCard />
      </div>
    </div>
  );
}
