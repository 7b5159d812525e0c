import { Link, Outlet } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { LanguageSwitch } from './LanguageSwitch';
import './Layout.css';

export function Logo() {
  return (
    <svg aria-hidden="true" viewBox="0 0 32 32" width="28" height="28" className="brand__logo">
      <rect width="32" height="32" rx="8" fill="currentColor" />
      <path d="M9 11h14v8h-7l-5 4v-4H9z" fill="#fff" />
    </svg>
  );
}

export function Layout() {
  const { t } = useTranslation();
  return (
    <div className="app">
      <a href="#main" className="skip-link">
        {t('app.skipToContent')}
      </a>
      <header className="app-header">
        <Link to="/" className="brand">
          <Logo />
          <span className="brand__name">{t('app.name')}</span>
        </Link>
        <LanguageSwitch />
      </header>
      <main id="main" className="app-main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
