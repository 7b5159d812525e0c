// The Settings area: its own navigation (a column on wide screens, a scrolling strip on phones) and
// the chosen page. The sections come from the features' manifests (settings/sections.ts); each is
// shown to the people with its permission.
import { createContext, useContext, type ReactNode } from 'react';
import { Navigate, NavLink, Outlet, useOutletContext } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import type { SettingsSection } from '../app/feature';
import { useManifestText } from '../app/useManifestText';
import { Icon } from '../components/Icon';
import { usePageTitle } from '../usePageTitle';
import { useWorkspace } from '../workspace';
import { SETTINGS_SECTIONS } from './sections';
import { useApplianceOperator } from './operator';
import './SettingsLayout.css';
import './settings.css';

/** Whether this person may open a section: by permission, or (the appliance's own) as its operator. */
function useMayOpen(): (section: SettingsSection) => boolean {
  const { can } = useWorkspace();
  const operator = useApplianceOperator();
  return (section) => (section.operator ? operator === true : section.permissions.some(can));
}

function useAllowedSections() {
  const mayOpen = useMayOpen();
  return SETTINGS_SECTIONS.filter(mayOpen);
}

export function SettingsLayout() {
  const { t } = useTranslation();
  const text = useManifestText();
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
                <span>{text(s.title)}</span>
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

const SectionContext = createContext<SettingsSection | null>(null);

/** /settings/<path>: the section's page, which learns which section it is from here. */
export function SettingsSectionRoute({ section }: { section: SettingsSection }) {
  const Page = section.page;
  return (
    <SectionContext.Provider value={section}>
      <Page />
    </SectionContext.Provider>
  );
}

/** The section the current settings page belongs to. */
export function useSettingsSection(): SettingsSection {
  const section = useContext(SectionContext);
  if (!section) throw new Error('useSettingsSection outside a settings section route');
  return section;
}

/** A settings page's heading (the section's title and intro), actions, and permission check. */
export function SettingsPage({ children, actions }: { children: ReactNode; actions?: ReactNode }) {
  const { t } = useTranslation();
  const text = useManifestText();
  const mayOpen = useMayOpen();
  const section = useSettingsSection();
  const title = text(section.title);
  usePageTitle(title);
  const allowed = mayOpen(section);
  return (
    <div className="settings-page" data-testid={`settings-page-${section.path}`}>
      <header className="settings-page__header">
        <div>
          <h2 className="settings-page__title">{title}</h2>
          <p className="settings-page__intro">{text(section.intro)}</p>
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
