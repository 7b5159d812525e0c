// Profile card: change your own password with the current one. Every other session of yours ends;
// this browser gets a new session (the server sets the cookie).
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api';
import { Field } from '../components/Field';
import { FormError } from '../components/FormError';
import { SubmitButton } from '../components/SubmitButton';
import { errorMessage, PASSWORD_MIN_LENGTH } from '../errors';
import { passwordApi } from './api';

type Errors = { current?: string; next?: string; confirm?: string };

export function ChangePasswordCard() {
  const { t } = useTranslation('security');
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    setSaved(false);
    const found: Errors = {};
    if (!current) found.current = t('validation.required');
    if (next.length < PASSWORD_MIN_LENGTH) found.next = t('passwordTooShort', { min: PASSWORD_MIN_LENGTH });
    if (confirm !== next) found.confirm = t('mismatch');
    setErrors(found);
    if (Object.keys(found).length) return;
    setBusy(true);
    setFormError(undefined);
    try {
      await passwordApi.change(current, next);
      setCurrent('');
      setNext('');
      setConfirm('');
      setSaved(true);
    } catch (error) {
      if (error instanceof ApiError && error.fieldErrors.currentPassword) setErrors({ current: t('change.wrongCurrent') });
      else if (error instanceof ApiError && error.fieldErrors.newPassword) setErrors({ next: error.fieldErrors.newPassword });
      else setFormError(errorMessage(t, error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="password-title" data-testid="change-password">
      <h2 id="password-title" className="card__title">
        {t('change.title')}
      </h2>
      <p className="field__hint">{t('change.note')}</p>
      <form className="form" noValidate onSubmit={submit} aria-busy={busy || undefined}>
        <FormError message={formError} />
        {saved ? (
          <p role="status" data-testid="password-changed">
            {t('change.saved')}
          </p>
        ) : null}
        <Field
          id="password-current"
          label={t('change.current')}
          type="password"
          autoComplete="current-password"
          value={current}
          error={errors.current}
          onChange={(e) => setCurrent(e.target.value)}
        />
        <Field
          id="password-new"
          label={t('newPassword')}
          type="password"
          autoComplete="new-password"
          hint={t('passwordHint', { min: PASSWORD_MIN_LENGTH })}
          value={next}
          error={errors.next}
          onChange={(e) => setNext(e.target.value)}
        />
        <Field
          id="password-confirm"
          label={t('confirmPassword')}
          type="password"
          autoComplete="new-password"
          value={confirm}
          error={errors.confirm}
          onChange={(e) => setConfirm(e.target.value)}
        />
        <SubmitButton busy={busy} busyLabel={t('saving')} data-testid="password-submit">
          {t('change.submit')}
        </SubmitButton>
      </form>
    </section>
  );
}
