import type { AnyT } from './i18n';
import { ApiError } from './api';

/** Translated, user-facing message for an unexpected request failure. */
export function errorMessage(t: AnyT, error: unknown): string {
  if (error instanceof ApiError) {
    if (error.isNetworkError) return t('common.networkError');
    if (error.status === 429) return t('common.rateLimited');
  }
  return t('common.unexpectedError');
}

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function isValidEmail(value: string): boolean {
  return EMAIL_PATTERN.test(value);
}

export const PASSWORD_MIN_LENGTH = 8;
