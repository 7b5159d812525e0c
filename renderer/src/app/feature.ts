// A feature of the web UI is one folder with one manifest, `<feature>/feature.ts`, listed once in
// src/features.ts. The manifest says what the feature adds to the app:
//
//   routes    its screens, at their URLs, with the frame they render in (see RouteFrame)
//   nav       entries of the main navigation (the shell's sidebar; the bottom bar on phones)
//   settings  sections of the Settings area (/settings/<path>), each with its page
//   shellProvider  a component around the signed-in shell, for state its screens share
//   namespace + translations   its strings: <feature>/i18n/en.json and id.json (see ../i18n)
//
// Pages other than the inbox load on first visit: give them as lazyPage(() => import('./X').then((m) => m.X)).
// Labels are keys of the feature's own namespace, checked by tsc. Adding a feature:
//
//   // src/channels/feature.ts
//   import { defineFeature, lazyPage } from '../app/feature';
//   import en from './i18n/en.json';
//   import id from './i18n/id.json';
//
//   declare module '../i18n' {
//     interface FeatureCatalogues {
//       channels: typeof en;
//     }
//   }
//
//   export const channels = defineFeature({
//     namespace: 'channels',
//     translations: { en, id },
//     settings: [
//       {
//         key: 'channels', path: 'channels', icon: 'inbox', permissions: ['channels.manage'],
//         title: 'section.title', intro: 'section.intro',
//         page: lazyPage(() => import('./ChannelsPage').then((m) => m.ChannelsPage)),
//       },
//     ],
//   });
//
// and `channels` in the list in src/features.ts. Settings pages build on settings/SettingsListPage.
import { lazy, type ComponentType, type ReactNode } from 'react';
import type { ParseKeys } from 'i18next';
import type { IconName } from '../components/Icon';
import type { Catalogues, FeatureNamespace, NamespaceCatalogues } from '../i18n';

/**
 * Where a route's page renders: in the signed-in shell, filling the area beside the navigation
 * ('shell', e.g. the inbox's panes); in the shell as a padded, scrolling page ('page'); or outside
 * sign-in, under the logo and language switch ('public', e.g. the sign-in page); or alone, with no
 * frame and no tenant sign-in ('bare', e.g. the operator's console with its own sign-in).
 */
export type RouteFrame = 'shell' | 'page' | 'public' | 'bare';

export interface FeatureRoute {
  /** A react-router path, e.g. '/contacts/:contactId?'. */
  path: string;
  page: ComponentType;
  /** Default 'shell'. */
  frame?: RouteFrame;
}

/** A string a manifest names: a key of the feature's namespace. */
type Key<NS extends FeatureNamespace> = ParseKeys<NS>;

export interface FeatureNavItem<NS extends FeatureNamespace> {
  to: string;
  /** An icon, or 'avatar' for the signed-in person's initials. */
  icon: IconName | 'avatar';
  label: Key<NS>;
  testId: string;
  /** Shown to people with this permission (or any of these); to everyone when absent. */
  permission?: string | readonly string[];
  /** 'main' (default) lists it with the screens; 'account' puts it last, apart (the profile). */
  placement?: 'main' | 'account';
  /** A small live count beside the label (e.g. replies waiting to be sent). */
  badge?: ComponentType;
}

export interface FeatureSettingsSection<NS extends FeatureNamespace> {
  /** Unique among all features' sections. */
  key: string;
  /** The URL segment under /settings/. */
  path: string;
  icon: IconName;
  /** Who may open the section: anyone with one of these. */
  permissions: readonly string[];
  /** The appliance's own settings: shown to its operator (the desktop app, a super-admin), never for a permission. */
  operator?: true;
  title: Key<NS>;
  /** The line under the title. */
  intro: Key<NS>;
  page: ComponentType;
}

export interface FeatureManifest<NS extends FeatureNamespace> {
  /** The feature's i18n namespace; also its name. */
  namespace: NS;
  /** Its strings; `id` must have every key of `en`. */
  translations: { en: Catalogues[NS]; id: Catalogues[NS] };
  routes?: FeatureRoute[];
  nav?: FeatureNavItem<NS>[];
  settings?: FeatureSettingsSection<NS>[];
  /**
   * Wraps the signed-in shell (inside the session, realtime, workspace and toast providers): state
   * the feature's components share across screens, and listeners that run on every screen.
   */
  shellProvider?: ComponentType<{ children: ReactNode }>;
  /** Shown across the top of the signed-in shell when it has something to say (e.g. "acting as …"). */
  shellBanner?: ComponentType;
}

/** A string from a manifest, with the namespace it belongs to (translate it with useManifestText). */
export interface ManifestText {
  namespace: FeatureNamespace;
  key: string;
}

export interface NavItem extends Omit<FeatureNavItem<FeatureNamespace>, 'label'> {
  label: ManifestText;
}

export interface SettingsSection extends Omit<FeatureSettingsSection<FeatureNamespace>, 'title' | 'intro'> {
  title: ManifestText;
  intro: ManifestText;
}

/** A manifest as the app reads it (see app/registry.ts). */
export interface Feature {
  namespace: FeatureNamespace;
  translations: NamespaceCatalogues;
  routes: FeatureRoute[];
  nav: NavItem[];
  settings: SettingsSection[];
  shellProvider?: ComponentType<{ children: ReactNode }>;
  shellBanner?: ComponentType;
}

/** Checks a feature's manifest (its keys against its namespace) and gives it to the registry. */
export function defineFeature<NS extends FeatureNamespace>(manifest: FeatureManifest<NS>): Feature {
  const { namespace } = manifest;
  const text = (key: string | number | symbol): ManifestText => ({ namespace, key: String(key) });
  return {
    namespace,
    translations: { namespace, en: manifest.translations.en, id: manifest.translations.id },
    routes: manifest.routes ?? [],
    nav: (manifest.nav ?? []).map((item) => ({ ...item, label: text(item.label) })),
    settings: (manifest.settings ?? []).map((section) => ({ ...section, title: text(section.title), intro: text(section.intro) })),
    shellProvider: manifest.shellProvider,
    shellBanner: manifest.shellBanner,
  };
}

/** A page loaded on first visit (its own chunk), e.g. lazyPage(() => import('./SearchPage').then((m) => m.SearchPage)). */
export function lazyPage(load: () => Promise<ComponentType>): ComponentType {
  return lazy(() => load().then((page) => ({ default: page })));
}
