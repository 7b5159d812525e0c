import type { AnyT } from './i18n';
import { ApiError } from './api';
import { problemCodeText } from './api/problem-text';

export { failureReasonText } from './api/problem-text';

/**
 * The message to show for a failed save: "fix the highlighted fields" when the server named fields
 * (shown next to them), the server's explanation for other refusals, a generic one otherwise.
 */
export function problemText(t: AnyT, error: unknown): string {
  if (error instanceof ApiError) {
    if (Object.keys(error.fieldErrors).length) return t('common.checkFields');
    if (error.status === 403 && (error.code ?? 'forbidden') === 'forbidden') return t('settings.forbidden');
    const translated = problemCodeText(error.code);
    if (translated) return translated;
    // A refusal whose code the UI has no text for yet: the server's (English) explanation.
    if (error.status >= 400 && error.status < 500 && error.status !== 429 && error.detail) return error.detail;
  }
  return errorMessage(t, error);
}

/** Translated, user-facing message for a failed request: the problem's code in the UI's language. */
export function errorMessage(t: AnyT, error: unknown): string {
  if (error instanceof ApiError) {
    if (error.isNetworkError) return t('common.networkError');
    const translated = problemCodeText(error.code);
    if (translated) return translated;
    if (error.status === 429) return t('common.rateLimited');
  }
  return t('common.unexpectedError');
}

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function isValidEmail(value: string): boolean {
  return EMAIL_PATTERN.test(value);
}

export const PASSWORD_MIN_LENGTH = 8;
