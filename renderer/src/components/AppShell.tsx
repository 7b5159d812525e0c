// The signed-in shell: navigation, the connection indicator, the agent's online toggle, theme,
// sound, language, keyboard help, and new-message alerts. Feature screens render in its <Outlet>.
import { useEffect, useState, type ComponentType, type ReactNode } from 'react';
import { NavLink, Outlet, useLocation, useMatch, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import type { NavItem } from '../app/feature';
import { SHELL_BANNERS, SHELL_PROVIDERS, NAV_ITEMS } from '../app/registry';
import { useManifestText } from '../app/useManifestText';
import { UNAUTHORIZED_EVENT } from '../api';
import type { Conversation, Message } from '../inbox/api';
import { contactName, initials } from '../format';
import { SHORTCUTS, useHotkeys } from '../hotkeys';
import { playChime, showNotification } from '../notify';
import { setPreferences, usePreferences, type ThemeChoice } from '../preferences';
import { RealtimeProvider, useRealtime, useRealtimeEvent, type ConnectionState } from '../realtime';
import { WorkspaceProvider, useOutboxEntries, useWorkspace } from '../workspace';
import { useTeam } from '../teamwork/TeamContext';
import { SETTINGS_PERMISSIONS } from '../settings/sections';
import { Dialog } from './Dialog';
import { Icon, type IconName } from './Icon';
import { LanguageSwitch } from './LanguageSwitch';
import { ToastProvider } from './Toasts';
import { Logo } from './Layout';
import { useSession, type SessionContext } from './RequireAuth';
import './AppShell.css';

export function AppShell() {
  const { session, reload } = useSession();
  return (
    <RealtimeProvider>
      <WorkspaceProvider session={session} reloadSession={reload}>
        <ToastProvider>
          <FeatureProviders providers={SHELL_PROVIDERS}>
            <Shell context={{ session, reload }} />
          </FeatureProviders>
        </ToastProvider>
      </WorkspaceProvider>
    </RealtimeProvider>
  );
}

/** The features' providers (teamwork's team, …) around the shell, the first outermost. */
function FeatureProviders({ providers, children }: { providers: readonly ComponentType<{ children: ReactNode }>[]; children: ReactNode }) {
  if (!providers.length) return children;
  const [Outer, ...inner] = providers;
  return (
    <Outer>
      <FeatureProviders providers={inner}>{children}</FeatureProviders>
    </Outer>
  );
}

/** The main navigation: each feature's entries, then Settings when the person may open a section of it. */
function useNavItems() {
  const { can } = useWorkspace();
  const text = useManifestText();
  const { t } = useTranslation();
  const allowed = (permission: NavItem['permission']) =>
    !permission || (typeof permission === 'string' ? can(permission) : permission.some(can));
  const entries = NAV_ITEMS.filter((item) => allowed(item.permission)).map((item) => ({ ...item, text: text(item.label) }));
  const settings = {
    to: '/settings',
    icon: 'settings',
    testId: 'nav-settings',
    permission: SETTINGS_PERMISSIONS,
    text: t('nav.settings'),
  } as const;
  return {
    main: [...entries.filter((item) => item.placement !== 'account'), ...(allowed(settings.permission) ? [settings] : [])],
    account: entries.filter((item) => item.placement === 'account'),
  };
}

function Shell({ context }: { context: SessionContext }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { reloadSession, session } = useWorkspace();
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

  const nav = useNavItems();
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
          {nav.main.map((item) => (
            <li key={item.to}>
              <NavLink to={item.to} className="shell-nav__link" data-testid={item.testId}>
                <NavIcon icon={item.icon} name={session.user.name} />
                <span className="shell-nav__label">{item.text}</span>
                {'badge' in item && item.badge ? <item.badge /> : null}
              </NavLink>
            </li>
          ))}
          {nav.account.map((item) => (
            <li key={item.to} className="shell-nav__profile">
              <NavLink to={item.to} className="shell-nav__link" data-testid={item.testId}>
                <NavIcon icon={item.icon} name={session.user.name} />
                <span className="shell-nav__label">{item.text}</span>
                {item.badge ? <item.badge /> : null}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <div className="shell-body">
        {SHELL_BANNERS.map((Banner, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list from the features' manifests
          <Banner key={i} />
        ))}
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

/** A navigation entry's icon: an icon, or the person's initials. */
function NavIcon({ icon, name }: { icon: IconName | 'avatar'; name: string }) {
  if (icon !== 'avatar') return <Icon name={icon} size={20} />;
  return (
    <span className="avatar avatar--xs" aria-hidden="true">
      {initials(name)}
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
