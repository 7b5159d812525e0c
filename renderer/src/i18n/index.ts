// The UI's strings, in English and Bahasa Indonesia. Shared ones (common buttons, errors, the shell)
// are in this folder's en.json/id.json: i18next's default namespace, "translation". Each feature
// keeps its own in <feature>/i18n/en.json and id.json, as a namespace named like the feature,
// registered through its manifest (app/feature.ts):
//
//   // inbox/feature.ts
//   import en from './i18n/en.json';
//   import id from './i18n/id.json';
//   declare module '../i18n' {
//     interface FeatureCatalogues { inbox: typeof en }   // the namespace's keys, for tsc
//   }
//   export const inbox = defineFeature({ namespace: 'inbox', translations: { en, id }, … });
//
// A feature's components then use `useTranslation('inbox')`: its own keys, and every shared key
// (the shared namespace is the fallback). Keys are checked by tsc, and every id.json must have
// each key of its en.json (here for the shared strings, in defineFeature for a feature's).
import i18n, { type Namespace, type TFunction } from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './en.json';
import id from './id.json';

export const LANGUAGE_STORAGE_KEY = 'omnistream.lang';
export const SUPPORTED_LANGUAGES = ['en', 'id'] as const;
export type Language = (typeof SUPPORTED_LANGUAGES)[number];

/** i18next's default namespace: the strings every part of the UI shares. */
export const SHARED_NAMESPACE = 'translation';

// Compile-time parity check: the Indonesian catalogue must provide every English key.
const sharedId: typeof en = id;

/**
 * Each feature's namespace and the type of its English catalogue; a feature adds its own by
 * declaration merging (see above), so no shared file lists them.
 */
// biome-ignore lint/suspicious/noEmptyInterface: features extend it by declaration merging
export interface FeatureCatalogues {}

export type Catalogues = { translation: typeof en } & FeatureCatalogues;
export type FeatureNamespace = keyof FeatureCatalogues;

/**
 * A t function of any namespace, for helpers shared by several features. Use only shared keys (or
 * "namespace:key") with it: the shared namespace is every namespace's fallback.
 */
export type AnyT = TFunction<Namespace>;

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    fallbackNS: 'translation';
    resources: Catalogues;
  }
}

/** One namespace's catalogues, as a feature registers them. */
export interface NamespaceCatalogues {
  namespace: string;
  en: object;
  id: object;
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

/** Starts i18next with the shared strings and every feature's namespace (see main.tsx). */
export function initI18n(namespaces: readonly NamespaceCatalogues[]): void {
  const resources: Record<Language, Record<string, object>> = {
    en: { [SHARED_NAMESPACE]: en },
    id: { [SHARED_NAMESPACE]: sharedId },
  };
  for (const { namespace, ...catalogues } of namespaces) {
    if (namespace in resources.en) throw new Error(`Two features use the i18n namespace "${namespace}"`);
    for (const language of SUPPORTED_LANGUAGES) resources[language][namespace] = catalogues[language];
  }
  i18n.on('languageChanged', (language) => {
    document.documentElement.lang = isLanguage(language) ? language : 'en';
  });
  void i18n.use(initReactI18next).init({
    resources,
    ns: Object.keys(resources.en),
    defaultNS: SHARED_NAMESPACE,
    fallbackNS: SHARED_NAMESPACE,
    lng: initialLanguage(),
    fallbackLng: 'en',
    supportedLngs: [...SUPPORTED_LANGUAGES],
    interpolation: { escapeValue: false }, // React already escapes
    returnNull: false,
  });
  document.documentElement.lang = currentLanguage();
}

export default i18n;
