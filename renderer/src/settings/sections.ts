// The Settings area's sections, contributed by the features' manifests (see app/feature.ts), and
// who may open each (anyone with one of its permissions).
import type { SettingsSection } from '../app/feature';
import { FEATURES } from '../features';

export const SETTINGS_SECTIONS: readonly SettingsSection[] = FEATURES.flatMap((feature) => feature.settings);

for (const [index, section] of SETTINGS_SECTIONS.entries()) {
  if (SETTINGS_SECTIONS.findIndex((s) => s.key === section.key || s.path === section.path) !== index)
    throw new Error(`Two settings sections use the key "${section.key}" or the path "${section.path}"`);
}

/** Anyone with one of these sees "Settings" in the main navigation. */
export const SETTINGS_PERMISSIONS = [...new Set(SETTINGS_SECTIONS.flatMap((s) => s.permissions))];
