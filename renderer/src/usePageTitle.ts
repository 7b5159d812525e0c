import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';

/** Keeps document.title in sync with the current page and language. */
export function usePageTitle(title: string) {
  const { t } = useTranslation();
  const appName = t('app.name');
  useEffect(() => {
    document.title = `${title} · ${appName}`;
  }, [title, appName]);
}
