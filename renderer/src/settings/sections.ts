// The Settings area's pages and who may open each (any one of the permissions).
import type { IconName } from '../components/Icon';

export type SettingsSectionKey = 'divisions' | 'quickReplies' | 'workingHours' | 'sla' | 'chatExpiration' | 'csat' | 'appliance';

export interface SettingsSection {
  key: SettingsSectionKey;
  path: string;
  icon: IconName;
  permissions: string[];
  /** The appliance's own settings: shown to its operator (the desktop app, a super-admin), never for a permission. */
  operator?: true;
}

export const SETTINGS_SECTIONS: SettingsSection[] = [
  { key: 'divisions', path: 'divisions', icon: 'contacts', permissions: ['divisions.manage'] },
  { key: 'quickReplies', path: 'quick-replies', icon: 'zap', permissions: ['messages.send'] },
  { key: 'workingHours', path: 'working-hours', icon: 'clock', permissions: ['settings.manage'] },
  { key: 'sla', path: 'sla', icon: 'gauge', permissions: ['settings.manage'] },
  { key: 'chatExpiration', path: 'chat-expiration', icon: 'resolve', permissions: ['settings.manage'] },
  { key: 'csat', path: 'csat', icon: 'star', permissions: ['settings.manage', 'analytics.view'] },
  { key: 'appliance', path: 'appliance', icon: 'monitor', permissions: [], operator: true },
];

/** Anyone with one of these sees "Settings" in the main navigation. */
export const SETTINGS_PERMISSIONS = [...new Set(SETTINGS_SECTIONS.flatMap((s) => s.permissions))];
