// The page a one-time password link opens (/reset-password#token=…): says whose password is being
// set, then sets it; the person then signs in with it.
import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api';
import { AuthCard } from '../auth/AuthCard';
import { Field } from '../components/Field';
import { FormError } from '../components/FormError';
import { SubmitButton } from '../components/SubmitButton';
import { errorMessage, PASSWORD_MIN_LENGTH } from '../errors';
import { usePageTitle } from '../usePageTitle';
import { passwordApi, tokenFromHash, type PasswordLinkInfo } from './api';

export function PasswordLinkPage() {
  const { t } = useTranslation('security');
  usePageTitle(t('reset.pageTitle'));
  const [token] = useState(() => tokenFromHash(window.location.hash));
  const [info, setInfo] = useState<PasswordLinkInfo | null>(null);
  const [invalid, setInvalid] = useState(false);
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<{ password?: string; confirm?: string }>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  useEffect(() => {
    if (!token) {
      setInvalid(true);
      return;
    }
    passwordApi.inspect(token).then(setInfo, (error) => {
      if (error instanceof ApiError && error.status === 400) setInvalid(true);
      else setFormError(errorMessage(t, error));
    });
  }, [token, t]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    const next: typeof errors = {};
    if (password.length < PASSWORD_MIN_LENGTH) next.password = t('passwordTooShort', { min: PASSWORD_MIN_LENGTH });
    if (confirm !== password) next.confirm = t('mismatch');
    setErrors(next);
    if (Object.keys(next).length) return;
    setBusy(true);
    setFormError(undefined);
    try {
      await passwordApi.use(token, password);
      setDone(true);
    } catch (error) {
      setBusy(false);
      if (error instanceof ApiError && error.fieldErrors.token) setInvalid(true);
      else if (error instanceof ApiError && error.fieldErrors.password) setErrors({ password: error.fieldErrors.password });
      else setFormError(errorMessage(t, error));
    }
  }

  const footer = <Link to="/login">{t('reset.toLogin')}</Link>;
  if (done || invalid) {
    return (
      <AuthCard
        title={done ? t('reset.doneTitle') : t('reset.invalidTitle')}
        subtitle={done ? t('reset.done') : t('reset.invalid')}
        footer={footer}
      >
        <p data-testid={done ? 'reset-done' : 'reset-invalid'} />
      </AuthCard>
    );
  }
  return (
    <AuthCard
      title={info?.purpose === 'invite' ? t('reset.inviteTitle') : t('reset.title')}
      subtitle={info ? t('reset.for', { name: info.name, email: info.email, organization: info.organization }) : ''}
      footer={footer}
    >
      <form className="form" noValidate onSubmit={submit} aria-busy={busy || undefined}>
        <FormError message={formError} />
        <Field
          id="reset-password"
          data-testid="reset-password"
          label={t('newPassword')}
          type="password"
          autoComplete="new-password"
          hint={t('passwordHint', { min: PASSWORD_MIN_LENGTH })}
          value={password}
          error={errors.password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <Field
          id="reset-confirm"
          data-testid="reset-confirm"
          label={t('confirmPassword')}
          type="password"
          autoComplete="new-password"
          value={confirm}
          error={errors.confirm}
          onChange={(e) => setConfirm(e.target.value)}
        />
        <SubmitButton busy={busy} busyLabel={t('saving')} data-testid="reset-submit" disabled={!info}>
          {t('reset.submit')}
        </SubmitButton>
      </form>
    </AuthCard>
  );
}
