// Per-browser preferences: theme, notification sound and desktop notifications. Kept in
// localStorage; the theme is applied to <html data-theme> before React renders (no flash).
import { useSyncExternalStore } from 'react';

export type ThemeChoice = 'system' | 'light' | 'dark';

export interface Preferences {
  theme: ThemeChoice;
  /** Play a sound and show a browser notification for new messages in my conversations. */
  muted: boolean;
}

const STORAGE_KEY = 'omnistream.prefs';
const DEFAULTS: Preferences = { theme: 'system', muted: false };

function read(): Preferences {
  try {
    const parsed = JSON.parse(window.localStorage.getItem(STORAGE_KEY) ?? '{}') as Partial<Preferences>;
    return {
      theme: parsed.theme === 'light' || parsed.theme === 'dark' ? parsed.theme : 'system',
      muted: parsed.muted === true,
    };
  } catch {
    return DEFAULTS;
  }
}

let current = read();
const listeners = new Set<() => void>();
const darkQuery = typeof window.matchMedia === 'function' ? window.matchMedia('(prefers-color-scheme: dark)') : null;

export function resolvedTheme(choice: ThemeChoice = current.theme): 'light' | 'dark' {
  if (choice === 'system') return darkQuery?.matches ? 'dark' : 'light';
  return choice;
}

function applyTheme(): void {
  const theme = resolvedTheme();
  document.documentElement.dataset.theme = theme;
  document.querySelector('meta[name="theme-color"]')?.setAttribute('content', theme === 'dark' ? '#14161d' : '#4f46e5');
}

darkQuery?.addEventListener('change', () => {
  applyTheme();
  for (const listener of listeners) listener();
});
applyTheme();

export function setPreferences(patch: Partial<Preferences>): void {
  current = { ...current, ...patch };
  try {
    window.localStorage.setItem(STORAGE_KEY, JSON.stringify(current));
  } catch {
    // storage disabled: the choice holds for this page
  }
  applyTheme();
  for (const listener of listeners) listener();
}

export function getPreferences(): Preferences {
  return current;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function usePreferences(): Preferences {
  return useSyncExternalStore(subscribe, getPreferences);
}
