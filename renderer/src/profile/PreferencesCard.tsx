// Per-browser preferences on the profile page: theme, new-message sound, desktop notifications.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { notificationSupport, requestNotifications, type NotificationSupport } from '../notify';
import { setPreferences, usePreferences, type ThemeChoice } from '../preferences';
import './PreferencesCard.css';

const THEMES: ThemeChoice[] = ['system', 'light', 'dark'];

export function PreferencesCard() {
  const { t } = useTranslation('profile');
  const { theme, muted } = usePreferences();
  const [permission, setPermission] = useState<NotificationSupport>(notificationSupport);

  return (
    <section className="card" aria-labelledby="prefs-title" data-testid="preferences">
      <h2 id="prefs-title" className="card__title">
        {t('prefs.title')}
      </h2>
      <div className="prefs-row">
        <label htmlFor="prefs-theme" className="prefs-row__label">
          {t('prefs.theme')}
        </label>
        <select
          id="prefs-theme"
          value={theme}
          onChange={(e) => setPreferences({ theme: e.target.value as ThemeChoice })}
          data-testid="prefs-theme"
        >
          {THEMES.map((choice) => (
            <option key={choice} value={choice}>
              {t(`theme.${choice}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="prefs-row">
        <label htmlFor="prefs-sound" className="prefs-row__label">
          {t('prefs.sound')}
        </label>
        <select
          id="prefs-sound"
          value={muted ? 'off' : 'on'}
          onChange={(e) => setPreferences({ muted: e.target.value === 'off' })}
          data-testid="prefs-sound"
        >
          <option value="on">{t('prefs.soundOn')}</option>
          <option value="off">{t('prefs.soundOff')}</option>
        </select>
      </div>
      <div className="prefs-row">
        <div>
          <div className="prefs-row__label">{t('prefs.notifications')}</div>
          {permission === 'unsupported' ? <p className="prefs-row__hint">{t('prefs.notificationsUnsupported')}</p> : null}
          {permission === 'denied' ? <p className="prefs-row__hint">{t('prefs.notificationsBlocked')}</p> : null}
        </div>
        {permission === 'default' ? (
          <button
            type="button"
            className="button button--secondary button--sm"
            onClick={() => void requestNotifications().then(setPermission)}
          >
            {t('prefs.enableNotifications')}
          </button>
        ) : permission === 'granted' ? (
          <span className="badge">{t('prefs.notificationsOn')}</span>
        ) : null}
      </div>
    </section>
  );
}
