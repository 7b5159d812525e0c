// What the app builds from the features' manifests (src/features.ts): the routes, the main
// navigation, the providers around the signed-in shell, and every feature's strings.
import { FEATURES } from '../features';
import type { FeatureRoute, NavItem } from './feature';

export const ROUTES: readonly FeatureRoute[] = FEATURES.flatMap((feature) => feature.routes);

/** The main navigation's entries, in feature order (the Settings entry comes from settings/sections.ts). */
export const NAV_ITEMS: readonly NavItem[] = FEATURES.flatMap((feature) => feature.nav);

/** Providers around the signed-in shell, outermost first. */
export const SHELL_PROVIDERS = FEATURES.flatMap((feature) => (feature.shellProvider ? [feature.shellProvider] : []));

/** Banners across the top of the signed-in shell. */
export const SHELL_BANNERS = FEATURES.flatMap((feature) => (feature.shellBanner ? [feature.shellBanner] : []));

export const TRANSLATIONS = FEATURES.map((feature) => feature.translations);
