import { useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { ApiError, authApi, type RegisterInput } from '../api';
import { AuthCard } from './AuthCard';
import { Field } from '../components/Field';
import { FormError } from '../components/FormError';
import { SubmitButton } from '../components/SubmitButton';
import { PASSWORD_MIN_LENGTH, errorMessage, isValidEmail } from '../errors';
import { usePageTitle } from '../usePageTitle';

type RegisterField = keyof RegisterInput;
type FieldErrors = Partial<Record<RegisterField, string>>;

const FIELDS: RegisterField[] = ['organizationName', 'name', 'email', 'password'];
const FIELD_IDS: Record<RegisterField, string> = {
  organizationName: 'register-org',
  name: 'register-name',
  email: 'register-email',
  password: 'register-password',
};

const EMPTY_FORM: RegisterInput = { organizationName: '', name: '', email: '', password: '' };

export function RegisterPage() {
  const { t } = useTranslation('auth');
  usePageTitle(t('register.pageTitle'));
  const navigate = useNavigate();
  const formRef = useRef<HTMLFormElement>(null);

  const [values, setValues] = useState<RegisterInput>(EMPTY_FORM);
  const [busy, setBusy] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string>();

  function update(field: RegisterField, value: string) {
    setValues((prev) => ({ ...prev, [field]: value }));
    // Clear a field's error as soon as the user starts fixing it.
    if (fieldErrors[field]) setFieldErrors((prev) => ({ ...prev, [field]: undefined }));
  }

  function focusFirstInvalid(errors: FieldErrors) {
    const first = FIELDS.find((field) => errors[field]);
    if (first) formRef.current?.querySelector<HTMLInputElement>(`#${FIELD_IDS[first]}`)?.focus();
  }

  function validate(input: RegisterInput): FieldErrors {
    const errors: FieldErrors = {};
    if (!input.organizationName) errors.organizationName = t('validation.required');
    if (!input.name) errors.name = t('validation.required');
    if (!input.email) errors.email = t('validation.required');
    else if (!isValidEmail(input.email)) errors.email = t('validation.email');
    if (!input.password) errors.password = t('validation.required');
    else if (input.password.length < PASSWORD_MIN_LENGTH) errors.password = t('validation.passwordMin', { min: PASSWORD_MIN_LENGTH });
    return errors;
  }

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    setFormError(undefined);

    const input: RegisterInput = {
      organizationName: values.organizationName.trim(),
      name: values.name.trim(),
      email: values.email.trim(),
      password: values.password,
    };
    const errors = validate(input);
    setFieldErrors(errors);
    if (Object.keys(errors).length > 0) {
      focusFirstInvalid(errors);
      return;
    }

    setBusy(true);
    try {
      await authApi.register(input);
      navigate('/', { replace: true });
    } catch (error) {
      setBusy(false);
      if (error instanceof ApiError && error.status === 409) {
        const conflict = { email: t('register.emailTaken') };
        setFieldErrors(conflict);
        focusFirstInvalid(conflict);
        return;
      }
      if (error instanceof ApiError && error.status === 400) {
        const serverErrors: FieldErrors = {};
        const unmatched: string[] = [];
        for (const [path, message] of Object.entries(error.fieldErrors)) {
          if ((FIELDS as string[]).includes(path)) serverErrors[path as RegisterField] = message;
          else unmatched.push(message);
        }
        setFieldErrors(serverErrors);
        focusFirstInvalid(serverErrors);
        if (unmatched.length > 0) setFormError(unmatched.join(' '));
        else if (Object.keys(serverErrors).length === 0) setFormError(error.detail || t('common.unexpectedError'));
        return;
      }
      setFormError(errorMessage(t, error));
    }
  }

  return (
    <AuthCard
      title={t('register.title')}
      subtitle={t('register.subtitle')}
      footer={
        <>
          {t('register.haveAccount')}{' '}
          <Link to="/login" data-testid="login-link">
            {t('register.loginLink')}
          </Link>
        </>
      }
    >
      <form ref={formRef} className="form" noValidate onSubmit={handleSubmit} aria-busy={busy || undefined}>
        <FormError message={formError} />
        <Field
          id={FIELD_IDS.organizationName}
          data-testid="register-org"
          label={t('register.organizationName')}
          name="organizationName"
          autoComplete="organization"
          autoFocus
          required
          value={values.organizationName}
          error={fieldErrors.organizationName}
          onChange={(event) => update('organizationName', event.target.value)}
        />
        <Field
          id={FIELD_IDS.name}
          data-testid="register-name"
          label={t('register.name')}
          name="name"
          autoComplete="name"
          required
          value={values.name}
          error={fieldErrors.name}
          onChange={(event) => update('name', event.target.value)}
        />
        <Field
          id={FIELD_IDS.email}
          data-testid="register-email"
          label={t('register.email')}
          type="email"
          name="email"
          autoComplete="email"
          inputMode="email"
          required
          value={values.email}
          error={fieldErrors.email}
          onChange={(event) => update('email', event.target.value)}
        />
        <Field
          id={FIELD_IDS.password}
          data-testid="register-password"
          label={t('register.password')}
          type="password"
          name="password"
          autoComplete="new-password"
          required
          minLength={PASSWORD_MIN_LENGTH}
          hint={t('register.passwordHint', { min: PASSWORD_MIN_LENGTH })}
          value={values.password}
          error={fieldErrors.password}
          onChange={(event) => update('password', event.target.value)}
        />
        <SubmitButton busy={busy} busyLabel={t('register.submitting')} data-testid="register-submit">
          {t('register.submit')}
        </SubmitButton>
      </form>
    </AuthCard>
  );
}
