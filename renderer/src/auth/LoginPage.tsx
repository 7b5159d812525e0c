import { useRef, useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { ApiError, authApi } from '../api';
import { AuthCard } from './AuthCard';
import { Field } from '../components/Field';
import { FormError } from '../components/FormError';
import { SubmitButton } from '../components/SubmitButton';
import { errorMessage, isValidEmail } from '../errors';
import { usePageTitle } from '../usePageTitle';

type LoginField = 'email' | 'password';
type FieldErrors = Partial<Record<LoginField, string>>;

const FIELD_IDS: Record<LoginField, string> = { email: 'login-email', password: 'login-password' };

function redirectTarget(state: unknown): string {
  const from = (state as { from?: unknown } | null)?.from;
  return typeof from === 'string' && from.startsWith('/') && !from.startsWith('//') ? from : '/';
}

export function LoginPage() {
  const { t } = useTranslation('auth');
  usePageTitle(t('login.pageTitle'));
  const navigate = useNavigate();
  const location = useLocation();
  const formRef = useRef<HTMLFormElement>(null);

  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string>();

  function focusFirstInvalid(errors: FieldErrors) {
    const first = (Object.keys(FIELD_IDS) as LoginField[]).find((field) => errors[field]);
    if (first) formRef.current?.querySelector<HTMLInputElement>(`#${FIELD_IDS[first]}`)?.focus();
  }

  function validate(): FieldErrors {
    const errors: FieldErrors = {};
    if (!email.trim()) errors.email = t('validation.required');
    else if (!isValidEmail(email.trim())) errors.email = t('validation.email');
    if (!password) errors.password = t('validation.required');
    return errors;
  }

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    setFormError(undefined);
    const errors = validate();
    setFieldErrors(errors);
    if (Object.keys(errors).length > 0) {
      focusFirstInvalid(errors);
      return;
    }

    setBusy(true);
    try {
      await authApi.login({ email: email.trim(), password });
      navigate(redirectTarget(location.state), { replace: true });
    } catch (error) {
      setBusy(false);
      if (error instanceof ApiError && error.status === 401) {
        setFormError(t('login.invalidCredentials'));
        return;
      }
      if (error instanceof ApiError && error.status === 403) {
        setFormError(t('login.suspended'));
        return;
      }
      if (error instanceof ApiError && error.status === 400) {
        const serverErrors: FieldErrors = {};
        for (const field of Object.keys(FIELD_IDS) as LoginField[]) {
          if (error.fieldErrors[field]) serverErrors[field] = error.fieldErrors[field];
        }
        if (Object.keys(serverErrors).length > 0) {
          setFieldErrors(serverErrors);
          focusFirstInvalid(serverErrors);
          return;
        }
      }
      setFormError(errorMessage(t, error));
    }
  }

  return (
    <AuthCard
      title={t('login.title')}
      subtitle={t('login.subtitle')}
      footer={
        <>
          {t('login.noAccount')}{' '}
          <Link to="/register" data-testid="register-link">
            {t('login.registerLink')}
          </Link>
        </>
      }
    >
      <form ref={formRef} className="form" noValidate onSubmit={handleSubmit} aria-busy={busy || undefined}>
        <FormError message={formError} />
        <Field
          id={FIELD_IDS.email}
          data-testid="login-email"
          label={t('login.email')}
          type="email"
          name="email"
          autoComplete="username"
          inputMode="email"
          autoFocus
          required
          value={email}
          error={fieldErrors.email}
          onChange={(event) => setEmail(event.target.value)}
        />
        <Field
          id={FIELD_IDS.password}
          data-testid="login-password"
          label={t('login.password')}
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          error={fieldErrors.password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <SubmitButton busy={busy} busyLabel={t('login.submitting')} data-testid="login-submit">
          {t('login.submit')}
        </SubmitButton>
      </form>
    </AuthCard>
  );
}
