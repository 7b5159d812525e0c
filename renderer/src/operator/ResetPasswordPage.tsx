// The page a one-time reset link opens: choose a new password, then sign in.
import { useEffect, useState, type FormEvent } from 'react';
import { useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { callApi, type ApiResponse } from '../api';
import { errorMessage } from '../errors';
import './operator.css';

export function ResetPasswordPage() {
  const { t } = useTranslation('operator');
  const { token = '' } = useParams();
  const [who, setWho] = useState<ApiResponse<'/api/v1/password-resets/{token}', 'get'> | null>(null);
  const [password, setPassword] = useState('');
  const [done, setDone] = useState<'user' | 'super_admin' | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    callApi('get', '/api/v1/password-resets/{token}', { path: { token } }).then(setWho, (err) => setError(errorMessage(t, err)));
  }, [token, t]);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      const res = await callApi('post', '/api/v1/password-resets/{token}', { path: { token }, body: { password } });
      setDone(res.kind);
    } catch (err) {
      setError(errorMessage(t, err));
    }
  }
  return (
    <form className="card reset-page" onSubmit={submit} data-testid="reset-page">
      <h1 className="page-title">{t('operator.resetTitle')}</h1>
      {who ? <p>{who.email}</p> : null}
      {done ? (
        <p role="status">
          {t('operator.resetDone')} <a href={done === 'user' ? '/login' : '/operator'}>{t('operator.signIn')}</a>
        </p>
      ) : (
        <>
          <label className="field">
            <span className="field__label">{t('operator.newPassword')}</span>
            <input
              className="field__input"
              type="password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              autoComplete="new-password"
            />
          </label>
          <button type="submit" className="button button--primary" disabled={!who}>
            {t('operator.save')}
          </button>
        </>
      )}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </form>
  );
}
