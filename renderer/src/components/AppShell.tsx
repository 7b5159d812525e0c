// The signed-in shell: navigation, the connection indicator, the agent's online toggle, theme,
// sound, language, keyboard help, and new-message alerts. Feature screens render in its <Outlet>.
import { useEffect, useState } from 'react';
import { NavLink, Outlet, useLocation, useMatch, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { UNAUTHORIZED_EVENT } from '../api';
import type { Conversation, Message } from '../inbox/api';
import { contactName, initials } from '../format';
import { SHORTCUTS, useHotkeys } from '../hotkeys';
import { playChime, showNotification } from '../notify';
import { setPreferences, usePreferences, type ThemeChoice } from '../preferences';
import { RealtimeProvider, useRealtime, useRealtimeEvent, type ConnectionState } from '../realtime';
import { WorkspaceProvider, useOutboxEntries, useWorkspace } from '../workspace';
import { TeamProvider, useTeam } from '../team/TeamContext';
import { TeamNotifications } from '../team/TeamNotifications';
import { SETTINGS_PERMISSIONS } from '../settings/sections';
import { Dialog } from './Dialog';
import { Icon, type IconName } from './Icon';
import { LanguageSwitch } from './LanguageSwitch';
import { ToastProvider } from './Toasts';
import { Logo } from './Layout';
import { useSession, type SessionContext } from './RequireAuth';
import { ImpersonationBanner } from '../operator/ImpersonationBanner';
import '../shell.css';

export interface NavItem {
  to: string;
  icon: IconName;
  /** i18n key of the label. */
  label: 'nav.inbox' | 'nav.contacts' | 'nav.search' | 'nav.profile' | 'nav.settings' | 'analytics.nav' | 'automation.nav' | 'aiAgents.nav';
  testId: string;
  /** Shown to people with this permission (or any of these). */
  permission?: string | string[];
}

/** The main navigation. Later feature issues add their screens here (and a <Route> in App.tsx). */
export const NAV_ITEMS: NavItem[] = [
  { to: '/inbox', icon: 'inbox', label: 'nav.inbox', testId: 'nav-inbox', permission: 'conversations.view' },
  { to: '/contacts', icon: 'contacts', label: 'nav.contacts', testId: 'nav-contacts', permission: 'contacts.view' },
  { to: '/search', icon: 'search', label: 'nav.search', testId: 'nav-search', permission: 'conversations.view' },
  { to: '/analytics', icon: 'chart', label: 'analytics.nav', testId: 'nav-analytics', permission: 'analytics.view' },
  { to: '/automation', icon: 'zap', label: 'automation.nav', testId: 'nav-automation', permission: 'automation.manage' },
  { to: '/ai-agents', icon: 'star', label: 'aiAgents.nav', testId: 'nav-ai-agents', permission: 'ai_agents.manage' },
  { to: '/settings', icon: 'settings', label: 'nav.settings', testId: 'nav-settings', permission: SETTINGS_PERMISSIONS },
];

export function AppShell() {
  const { session, reload } = useSession();
  return (
    <RealtimeProvider>
      <WorkspaceProvider session={session} reloadSession={reload}>
        <ToastProvider>
          <TeamProvider>
            <TeamNotifications />
            <Shell context={{ session, reload }} />
          </TeamProvider>
        </ToastProvider>
      </WorkspaceProvider>
    </RealtimeProvider>
  );
}

function Shell({ context }: { context: SessionContext }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { can, reloadSession, session } = useWorkspace();
  const [helpOpen, setHelpOpen] = useState(false);
  const inThread = useMatch('/inbox/:conversationId');
  const inContact = useMatch('/contacts/:contactId');

  useEffect(() => {
    const onUnauthorized = () => reloadSession();
    window.addEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
    return () => window.removeEventListener(UNAUTHORIZED_EVENT, onUnauthorized);
  }, [reloadSession]);

  useHotkeys({
    '?': () => setHelpOpen(true),
    '/': () => navigate('/search'),
    'mod+k': () => navigate('/search'),
  });
  useMessageAlerts();

  const items = NAV_ITEMS.filter(
    (item) => !item.permission || (Array.isArray(item.permission) ? item.permission.some(can) : can(item.permission)),
  );
  const focused = Boolean(inThread || inContact);

  return (
    <div className={focused ? 'shell shell--focused' : 'shell'} data-testid="app-shell">
      <a href="#main" className="skip-link">
        {t('app.skipToContent')}
      </a>
      <nav className="shell-nav" aria-label={t('nav.label')}>
        <NavLink to="/inbox" className="shell-nav__brand" aria-label={t('app.name')}>
          <Logo />
        </NavLink>
        <ul className="shell-nav__items">
          {items.map((item) => (
            <li key={item.to}>
              <NavLink to={item.to} className="shell-nav__link" data-testid={item.testId}>
                <Icon name={item.icon} size={20} />
                <span className="shell-nav__label">{t(item.label)}</span>
                {item.to === '/inbox' ? <OutboxBadge /> : null}
              </NavLink>
            </li>
          ))}
          <li className="shell-nav__profile">
            <NavLink to="/profile" className="shell-nav__link" data-testid="nav-profile">
              <span className="avatar avatar--xs" aria-hidden="true">
                {initials(session.user.name)}
              </span>
              <span className="shell-nav__label">{t('nav.profile')}</span>
            </NavLink>
          </li>
        </ul>
      </nav>
      <div className="shell-body">
        <ImpersonationBanner session={session} />
        <header className="topbar">
          <div className="topbar__start">
            <span className="topbar__org" title={session.tenant.name}>
              {session.tenant.name}
            </span>
            <ConnectionIndicator />
          </div>
          <div className="topbar__end">
            <PresenceToggle />
            <SoundToggle />
            <ThemeToggle />
            <LanguageSwitch />
            <button
              type="button"
              className="icon-button"
              onClick={() => setHelpOpen(true)}
              aria-label={t('shortcuts.open')}
              title={t('shortcuts.open')}
              data-testid="help-button"
            >
              <Icon name="keyboard" />
            </button>
          </div>
        </header>
        <main id="main" className="shell-main" tabIndex={-1}>
          <Outlet context={context} />
        </main>
      </div>
      {helpOpen ? <HelpDialog onClose={() => setHelpOpen(false)} /> : null}
    </div>
  );
}

function OutboxBadge() {
  const { t } = useTranslation();
  const waiting = useOutboxEntries().filter((e) => e.state !== 'failed').length;
  if (!waiting) return null;
  return (
    <span className="nav-badge nav-badge--warn" title={t('outbox.waitingCount', { count: waiting })} data-testid="outbox-count">
      {waiting}
    </span>
  );
}

export function ConnectionIndicator() {
  const { t } = useTranslation();
  const { state } = useRealtime();
  const waiting = useOutboxEntries().filter((e) => e.state !== 'failed').length;
  const shown: ConnectionState = state;
  const label = t(`connection.${shown}`);
  return (
    <span
      className={`connection connection--${shown}`}
      role="status"
      aria-live="polite"
      data-testid="connection-status"
      data-state={shown}
      title={state === 'offline' ? t('connection.offlineHint') : label}
    >
      <span className="connection__dot" aria-hidden="true" />
      <span className="connection__label">{label}</span>
      {waiting > 0 && state !== 'live' ? <span className="connection__waiting">{t('outbox.waitingCount', { count: waiting })}</span> : null}
    </span>
  );
}

function PresenceToggle() {
  const { t } = useTranslation();
  const { online, setOnline } = useWorkspace();
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      role="switch"
      aria-checked={online}
      className={online ? 'presence-toggle presence-toggle--on' : 'presence-toggle'}
      disabled={busy}
      data-testid="presence-toggle"
      title={online ? t('presence.goOffline') : t('presence.goOnline')}
      onClick={() => {
        setBusy(true);
        setOnline(!online)
          .catch(() => undefined)
          .finally(() => setBusy(false));
      }}
    >
      <span className="presence-toggle__track" aria-hidden="true">
        <span className="presence-toggle__thumb" />
      </span>
      <span className="presence-toggle__label">{online ? t('presence.online') : t('presence.offline')}</span>
    </button>
  );
}

function SoundToggle() {
  const { t } = useTranslation();
  const { muted } = usePreferences();
  const label = muted ? t('alerts.unmute') : t('alerts.mute');
  return (
    <button
      type="button"
      className="icon-button"
      aria-pressed={muted}
      aria-label={label}
      title={label}
      data-testid="mute-toggle"
      onClick={() => setPreferences({ muted: !muted })}
    >
      <Icon name={muted ? 'bellOff' : 'bell'} />
    </button>
  );
}

const THEME_ORDER: ThemeChoice[] = ['system', 'light', 'dark'];
const THEME_ICON: Record<ThemeChoice, IconName> = { system: 'monitor', light: 'sun', dark: 'moon' };

function ThemeToggle() {
  const { t } = useTranslation();
  const { theme } = usePreferences();
  const next = THEME_ORDER[(THEME_ORDER.indexOf(theme) + 1) % THEME_ORDER.length];
  const label = t('theme.switchTo', { theme: t(`theme.${next}`) });
  return (
    <button
      type="button"
      className="icon-button"
      aria-label={label}
      title={`${t('theme.label')}: ${t(`theme.${theme}`)}`}
      data-testid="theme-toggle"
      data-theme-choice={theme}
      onClick={() => setPreferences({ theme: next })}
    >
      <Icon name={THEME_ICON[theme]} />
    </button>
  );
}

export function HelpDialog({ onClose }: { onClose(): void }) {
  const { t } = useTranslation();
  return (
    <Dialog title={t('shortcuts.title')} onClose={onClose} testId="shortcuts-dialog" className="dialog--narrow">
      <dl className="shortcuts">
        {SHORTCUTS.map((shortcut) => (
          <div key={shortcut.action} className="shortcuts__row">
            <dt>{t(`shortcuts.${shortcut.action}` as 'shortcuts.help')}</dt>
            <dd>
              {shortcut.keys.map((key, index) => (
                <span key={key}>
                  {index > 0 ? <span className="shortcuts__or">{t('shortcuts.or')}</span> : null}
                  <kbd>{key}</kbd>
                </span>
              ))}
            </dd>
          </div>
        ))}
      </dl>
    </Dialog>
  );
}

/** A chime and a browser notification for new customer messages in my conversations (and new unassigned ones). */
function useMessageAlerts() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const { me } = useWorkspace();
  const { canSee } = useTeam();
  const { muted } = usePreferences();
  const openId = location.pathname.startsWith('/inbox/') ? decodeURIComponent(location.pathname.slice('/inbox/'.length)) : null;

  useRealtimeEvent('message.created', (payload: { message: Message; conversation: Conversation }) => {
    const { message, conversation } = payload;
    if (muted || message.direction !== 'inbound' || message.type === 'reaction') return;
    if (!canSee(conversation)) return; // another division's conversation
    const mine = conversation.assignee?.id === me.id;
    const unassigned = !conversation.assignee;
    if (!mine && !unassigned) return;
    const looking = document.visibilityState === 'visible' && openId === conversation.id;
    if (looking) return;
    playChime();
    if (document.visibilityState !== 'visible') {
      showNotification(
        contactName(conversation.contact, t),
        message.text || t(`messageType.${message.type}` as 'messageType.text', { defaultValue: t('messageType.unsupported') }),
        conversation.id,
        () => navigate(`/inbox/${encodeURIComponent(conversation.id)}`),
      );
    }
  });
}
