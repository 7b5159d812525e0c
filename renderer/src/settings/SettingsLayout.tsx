// The Settings area: its own navigation (a column on wide screens, a scrolling strip on phones) and
// the chosen page. Each page is shown to the people with its permission.
import type { ReactNode } from 'react';
import { Navigate, NavLink, Outlet, useOutletContext } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { Icon } from '../components/Icon';
import { usePageTitle } from '../usePageTitle';
import { useWorkspace } from '../workspace';
import { SETTINGS_SECTIONS, type SettingsSectionKey } from './sections';
import { useApplianceOperator } from './operator';
import './settings.css';

function useAllowedSections() {
  const { can } = useWorkspace();
  const operator = useApplianceOperator();
  return SETTINGS_SECTIONS.filter((s) => (s.operator ? operator === true : s.permissions.some(can)));
}

export function SettingsLayout() {
  const { t } = useTranslation();
  const sections = useAllowedSections();
  return (
    <div className="settings" data-testid="settings">
      <nav className="settings-nav" aria-label={t('settings.navLabel')}>
        <h1 className="settings-nav__title">{t('nav.settings')}</h1>
        <ul className="settings-nav__list">
          {sections.map((s) => (
            <li key={s.key}>
              <NavLink to={`/settings/${s.path}`} className="settings-nav__link" data-testid={`settings-nav-${s.path}`}>
                <Icon name={s.icon} size={16} />
                <span>{t(`settings.sections.${s.key}`)}</span>
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <div className="settings__content">
        <div className="settings__inner">
          <Outlet context={useOutletContext()} />
        </div>
      </div>
    </div>
  );
}

/** /settings: the first page this person may open. */
export function SettingsIndex() {
  const sections = useAllowedSections();
  return sections.length ? <Navigate to={`/settings/${sections[0].path}`} replace /> : <Navigate to="/inbox" replace />;
}

/** A settings page's heading, intro and permission check. */
export function SettingsPage({ section, children, actions }: { section: SettingsSectionKey; children: ReactNode; actions?: ReactNode }) {
  const { t } = useTranslation();
  const { can } = useWorkspace();
  const meta = SETTINGS_SECTIONS.find((s) => s.key === section)!;
  usePageTitle(t(`settings.sections.${section}`));
  const operator = useApplianceOperator();
  const allowed = meta.operator ? operator === true : meta.permissions.some(can);
  return (
    <div className="settings-page" data-testid={`settings-page-${meta.path}`}>
      <header className="settings-page__header">
        <div>
          <h2 className="settings-page__title">{t(`settings.sections.${section}`)}</h2>
          <p className="settings-page__intro">{t(`settings.intro.${section}`)}</p>
        </div>
        {allowed && actions ? <div className="settings-page__actions">{actions}</div> : null}
      </header>
      {allowed ? (
        children
      ) : (
        <p className="form-error" role="alert">
          {t('settings.forbidden')}
        </p>
      )}
    </div>
  );
}
