// The invitation link's page (/invite/:token, outside sign-in): who invited you to what, then your
// name and password; you are signed in and land in the inbox.
import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { ApiError, authApi } from '../api';
import { AuthCard } from '../auth/AuthCard';
import { Field } from '../components/Field';
import { FormError } from '../components/FormError';
import { SubmitButton } from '../components/SubmitButton';
import { errorMessage } from '../errors';
import { usePageTitle } from '../usePageTitle';
import { membersApi, type InvitationInfo } from './api';

export function InvitePage() {
  const { t } = useTranslation('team');
  usePageTitle(t('join.pageTitle'));
  const { token = '' } = useParams();
  const navigate = useNavigate();
  const [info, setInfo] = useState<InvitationInfo | null>(null);
  const [loadError, setLoadError] = useState<string>();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  useEffect(() => {
    membersApi.invitation(token).then(
      (found) => {
        setInfo(found);
        setName(found.name ?? '');
      },
      (err: unknown) =>
        setLoadError(
          err instanceof ApiError && err.status === 404
            ? t('join.unknown')
            : err instanceof ApiError && err.detail
              ? err.detail
              : errorMessage(t, err),
        ),
    );
  }, [token, t]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const errors: Record<string, string> = {};
    if (!name.trim()) errors.name = t('validation.required');
    if (password.length < 8) errors.password = t('validation.password');
    setFieldErrors(errors);
    if (Object.keys(errors).length || !info) return;
    setBusy(true);
    setError(undefined);
    try {
      await membersApi.acceptInvitation(token, { name: name.trim(), password });
      await authApi.login({ email: info.email, password });
      navigate('/', { replace: true });
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError) {
        setFieldErrors(err.fieldErrors);
        setError(err.detail ?? errorMessage(t, err));
      } else setError(errorMessage(t, err));
    }
  }

  return (
    <AuthCard
      title={t('join.title')}
      subtitle={info ? t('join.subtitle', { organization: info.organization }) : ''}
      footer={
        <>
          {t('join.haveAccount')} <Link to="/login">{t('join.signIn')}</Link>
        </>
      }
    >
      {loadError ? (
        <p className="panel-error" role="alert" data-testid="join-error">
          {loadError}
        </p>
      ) : !info ? (
        <div className="skeleton skeleton--block" />
      ) : (
        <form className="form" noValidate onSubmit={(e) => void submit(e)} aria-busy={busy || undefined} data-testid="join-form">
          <p data-testid="join-details">
            {t('join.details', { email: info.email, role: t(`roles.builtIn.${info.role as 'owner'}`, { defaultValue: info.role ?? '' }) })}
          </p>
          <FormError message={error} />
          <Field
            id="join-name"
            data-testid="join-name"
            label={t('agents.name')}
            value={name}
            autoComplete="name"
            error={fieldErrors.name}
            onChange={(e) => setName(e.target.value)}
          />
          <Field
            id="join-password"
            data-testid="join-password"
            label={t('agents.password')}
            type="password"
            autoComplete="new-password"
            hint={t('agents.passwordHint')}
            value={password}
            error={fieldErrors.password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <SubmitButton busy={busy} busyLabel={t('join.joining')} data-testid="join-submit">
            {t('join.submit')}
          </SubmitButton>
        </form>
      )}
    </AuthCard>
  );
}
