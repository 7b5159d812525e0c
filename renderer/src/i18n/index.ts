import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './en.json';
import id from './id.json';

export const LANGUAGE_STORAGE_KEY = 'omnistream.lang';
export const SUPPORTED_LANGUAGES = ['en', 'id'] as const;
export type Language = (typeof SUPPORTED_LANGUAGES)[number];

// Compile-time parity check: the Indonesian catalogue must provide every English key.
const idCatalogue: typeof en = id;

export const resources = {
  en: { translation: en },
  id: { translation: idCatalogue },
} as const;

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof en };
  }
}

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (SUPPORTED_LANGUAGES as readonly string[]).includes(value);
}

function readStoredLanguage(): Language | undefined {
  try {
    const stored = window.localStorage.getItem(LANGUAGE_STORAGE_KEY);
    return isLanguage(stored) ? stored : undefined;
  } catch {
    return undefined; // storage disabled (privacy mode etc.)
  }
}

function detectBrowserLanguage(): Language {
  const preferred = navigator.language || navigator.languages?.[0] || '';
  return preferred.toLowerCase().startsWith('id') ? 'id' : 'en';
}

export function initialLanguage(): Language {
  return readStoredLanguage() ?? detectBrowserLanguage();
}

/** Switch the UI language and remember the user's explicit choice. */
export async function setLanguage(language: Language): Promise<void> {
  try {
    window.localStorage.setItem(LANGUAGE_STORAGE_KEY, language);
  } catch {
    // ignore: the choice still applies for this session
  }
  await i18n.changeLanguage(language);
}

export function currentLanguage(): Language {
  return isLanguage(i18n.resolvedLanguage) ? i18n.resolvedLanguage : 'en';
}

i18n.on('languageChanged', (language) => {
  document.documentElement.lang = isLanguage(language) ? language : 'en';
});

void i18n.use(initReactI18next).init({
  resources,
  lng: initialLanguage(),
  fallbackLng: 'en',
  supportedLngs: [...SUPPORTED_LANGUAGES],
  interpolation: { escapeValue: false }, // React already escapes
  returnNull: false,
});

document.documentElement.lang = currentLanguage();

export default i18n;
