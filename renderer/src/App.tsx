// The routes, built from the features' manifests (src/features.ts): public pages under the logo,
// signed-in screens in the shell, and the Settings area with every feature's sections.
import { lazy, Suspense, type ComponentType } from 'react';
import { BrowserRouter, Navigate, Outlet, Route, Routes, useOutletContext } from 'react-router-dom';
import type { FeatureRoute } from './app/feature';
import { NotFoundPage } from './app/NotFoundPage';
import { ROUTES } from './app/registry';
import { AppShell } from './components/AppShell';
import { Layout } from './components/Layout';
import { RequireAuth } from './components/RequireAuth';
import { SETTINGS_SECTIONS } from './settings/sections';

// The Settings area loads on first visit, like its pages.
const SettingsLayout = lazy(() => import('./settings/SettingsLayout').then((m) => ({ default: m.SettingsLayout })));
const SettingsIndex = lazy(() => import('./settings/SettingsLayout').then((m) => ({ default: m.SettingsIndex })));
const SettingsSectionRoute = lazy(() => import('./settings/SettingsLayout').then((m) => ({ default: m.SettingsSectionRoute })));

function Loading() {
  return (
    <div className="page-status" role="status">
      <span className="spinner spinner--dark" aria-hidden="true" />
    </div>
  );
}

/** A scrolling, padded page inside the signed-in shell (forms and settings, as opposed to the full-bleed inbox). */
function ShellPage() {
  return (
    <div className="shell-page">
      <div className="shell-page__inner">
        <Outlet context={useOutletContext()} />
      </div>
    </div>
  );
}

function Page({ page: Component }: { page: ComponentType }) {
  return (
    <Suspense fallback={<Loading />}>
      <Component />
    </Suspense>
  );
}

const routesIn = (frame: FeatureRoute['frame']) =>
  ROUTES.filter((route) => (route.frame ?? 'shell') === frame).map((route) => (
    <Route key={route.path} path={route.path} element={<Page page={route.page} />} />
  ));

export function App() {
  return (
    <BrowserRouter>
      <Routes>
        <Route element={<Layout />}>{routesIn('public')}</Route>
        {routesIn('bare')}
        <Route element={<RequireAuth />}>
          <Route element={<AppShell />}>
            <Route index element={<Navigate to="/inbox" replace />} />
            {routesIn('shell')}
            <Route element={<ShellPage />}>{routesIn('page')}</Route>
            {SETTINGS_SECTIONS.length ? (
              <Route
                path="/settings"
                element={
                  <Suspense fallback={<Loading />}>
                    <SettingsLayout />
                  </Suspense>
                }
              >
                <Route
                  index
                  element={
                    <Suspense fallback={<Loading />}>
                      <SettingsIndex />
                    </Suspense>
                  }
                />
                {SETTINGS_SECTIONS.map((section) => (
                  <Route
                    key={section.key}
                    path={section.path}
                    element={
                      <Suspense fallback={<Loading />}>
                        <SettingsSectionRoute section={section} />
                      </Suspense>
                    }
                  />
                ))}
              </Route>
            ) : null}
          </Route>
        </Route>
        <Route element={<Layout />}>
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </BrowserRouter>
  );
}
