// Small pieces the settings pages share: a switch, a saved/error line, field-error lookup, and
// actions on a listed item (toggle, delete) that report failures in a toast.
import { useCallback, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useToast } from '../components/Toasts';
import type { AnyT } from '../i18n';
import { ApiError } from '../api';
import { errorMessage } from '../errors';
import './ui.css';

export function Toggle({
  checked,
  onChange,
  label,
  testId,
  disabled,
  hint,
}: {
  checked: boolean;
  onChange(value: boolean): void;
  label: ReactNode;
  testId?: string;
  disabled?: boolean;
  hint?: ReactNode;
}) {
  return (
    <label className={disabled ? 'toggle toggle--disabled' : 'toggle'}>
      <input
        type="checkbox"
        role="switch"
        checked={checked}
        disabled={disabled}
        onChange={(e) => onChange(e.target.checked)}
        data-testid={testId}
      />
      <span className="toggle__track" aria-hidden="true">
        <span className="toggle__thumb" />
      </span>
      <span className="toggle__text">
        <span className="toggle__label">{label}</span>
        {hint ? <span className="toggle__hint">{hint}</span> : null}
      </span>
    </label>
  );
}

export type SaveState = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved' } | { kind: 'error'; message: string };

export function SaveStatus({ state, testId }: { state: SaveState; testId?: string }) {
  const { t } = useTranslation();
  if (state.kind === 'saved') {
    return (
      <span className="save-status save-status--ok" role="status" data-testid={testId}>
        {t('settings.saved')}
      </span>
    );
  }
  if (state.kind === 'error') {
    return (
      <span className="save-status save-status--error" role="alert" data-testid={testId ? `${testId}-error` : undefined}>
        {state.message}
      </span>
    );
  }
  return <span className="save-status" role="status" data-testid={testId ? `${testId}-idle` : undefined} />;
}

/**
 * The message to show for a failed save: "fix the highlighted fields" when the server named fields
 * (shown next to them), the server's explanation for other refusals, a generic one otherwise.
 */
export function problemText(t: AnyT, error: unknown): string {
  if (error instanceof ApiError) {
    if (Object.keys(error.fieldErrors).length) return t('common.checkFields');
    if (error.status === 403) return t('settings.forbidden');
    if (error.status >= 400 && error.status < 500 && error.status !== 429 && error.detail) return error.detail;
  }
  return errorMessage(t, error);
}

/** Field errors from an ApiError, keyed by path ("hours.2.end"); a name or shortcut already taken (409) says so in the UI's language. */
export function fieldErrorsOf(error: unknown, t: AnyT): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  if (error.status === 409) return Object.fromEntries(Object.keys(error.fieldErrors).map((key) => [key, t('settings.alreadyUsed')]));
  return error.fieldErrors;
}

export interface SettingsActionOptions {
  /** Ask first (window.confirm); nothing happens unless the person agrees. */
  confirm?: string;
  /** A toast when it succeeded. */
  success?: string;
  /** Runs after the action succeeded (e.g. reload the list). */
  onSuccess?(): void;
  /** The failure's message, when the default (problemText) is not the best one. */
  errorText?(error: unknown): string | undefined;
}

/** Runs an action on a listed item; a failure shows in a toast. Resolves true when it succeeded. */
export function useSettingsAction(): (work: () => Promise<unknown>, options?: SettingsActionOptions) => Promise<boolean> {
  const { t } = useTranslation();
  const toast = useToast();
  return useCallback(
    async (work, options = {}) => {
      if (options.confirm && !window.confirm(options.confirm)) return false;
      try {
        await work();
      } catch (err) {
        toast(options.errorText?.(err) ?? problemText(t, err), 'error');
        return false;
      }
      if (options.success) toast(options.success, 'success');
      options.onSuccess?.();
      return true;
    },
    [t, toast],
  );
}
