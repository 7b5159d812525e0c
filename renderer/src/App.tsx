import { lazy, Suspense } from 'react';
import { BrowserRouter, Navigate, Outlet, Route, Routes, useOutletContext } from 'react-router-dom';
import { AppShell } from './components/AppShell';
import { Layout } from './components/Layout';
import { RequireAuth } from './components/RequireAuth';
import { InboxPage } from './inbox/InboxPage';
import { HomePage } from './pages/HomePage';
import { LoginPage } from './pages/LoginPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { RegisterPage } from './pages/RegisterPage';

// Screens used less often than the inbox load on first visit, keeping the first download small.
const AppliancePage = lazy(() => import('./pages/AppliancePage').then((m) => ({ default: m.AppliancePage })));
const ContactsPage = lazy(() => import('./pages/ContactsPage').then((m) => ({ default: m.ContactsPage })));
const SearchPage = lazy(() => import('./pages/SearchPage').then((m) => ({ default: m.SearchPage })));
const SettingsLayout = lazy(() => import('./settings/SettingsLayout').then((m) => ({ default: m.SettingsLayout })));
const SettingsIndex = lazy(() => import('./settings/SettingsLayout').then((m) => ({ default: m.SettingsIndex })));
const DivisionsPage = lazy(() => import('./settings/DivisionsPage').then((m) => ({ default: m.DivisionsPage })));
const QuickRepliesPage = lazy(() => import('./settings/QuickRepliesPage').then((m) => ({ default: m.QuickRepliesPage })));
const WorkingHoursPage = lazy(() => import('./settings/WorkingHoursPage').then((m) => ({ default: m.WorkingHoursPage })));
const SlaPage = lazy(() => import('./settings/SlaPage').then((m) => ({ default: m.SlaPage })));
const ChatExpirationPage = lazy(() => import('./settings/ChatExpirationPage').then((m) => ({ default: m.ChatExpirationPage })));
const CsatPage = lazy(() => import('./settings/CsatPage').then((m) => ({ default: m.CsatPage })));
const AnalyticsPage = lazy(() => import('./analytics/AnalyticsPage').then((m) => ({ default: m.AnalyticsPage })));
const OperatorPage = lazy(() => import('./operator/OperatorPage').then((m) => ({ default: m.OperatorPage })));
const ResetPasswordPage = lazy(() => import('./operator/ResetPasswordPage').then((m) => ({ default: m.ResetPasswordPage })));
const AutomationPage = lazy(() => import('./automation/AutomationPage').then((m) => ({ default: m.AutomationPage })));
const AiAgentsRoutes = lazy(() => import('./ai-agents/AiAgentsRoutes').then((m) => ({ default: m.AiAgentsRoutes })));

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

export function App() {
  return (
    <BrowserRouter>
      <Routes>
        <Route element={<Layout />}>
          <Route path="/login" element={<LoginPage />} />
          <Route path="/register" element={<RegisterPage />} />
          <Route
            path="/reset-password/:token"
            element={
              <Suspense fallback={<Loading />}>
                <ResetPasswordPage />
              </Suspense>
            }
          />
        </Route>
        <Route
          path="/operator"
          element={
            <Suspense fallback={<Loading />}>
              <OperatorPage />
            </Suspense>
          }
        />
        <Route element={<RequireAuth />}>
          <Route element={<AppShell />}>
            <Route index element={<Navigate to="/inbox" replace />} />
            <Route path="/inbox/:conversationId?" element={<InboxPage />} />
            <Route
              path="/search"
              element={
                <Suspense fallback={<Loading />}>
                  <SearchPage />
                </Suspense>
              }
            />
            <Route
              path="/contacts/:contactId?"
              element={
                <Suspense fallback={<Loading />}>
                  <ContactsPage />
                </Suspense>
              }
            />
            <Route
              path="/automation"
              element={
                <Suspense fallback={<Loading />}>
                  <ShellPage />
                </Suspense>
              }
            >
              <Route index element={<AutomationPage />} />
            </Route>
            <Route
              path="/ai-agents/*"
              element={
                <Suspense fallback={<Loading />}>
                  <AiAgentsRoutes />
                </Suspense>
              }
            />
            <Route element={<ShellPage />}>
              <Route path="/profile" element={<HomePage />} />
              <Route
                path="/analytics"
                element={
                  <Suspense fallback={<Loading />}>
                    <AnalyticsPage />
                  </Suspense>
                }
              />
            </Route>
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
              <Route
                path="divisions"
                element={
                  <Suspense fallback={<Loading />}>
                    <DivisionsPage />
                  </Suspense>
                }
              />
              <Route
                path="quick-replies"
                element={
                  <Suspense fallback={<Loading />}>
                    <QuickRepliesPage />
                  </Suspense>
                }
              />
              <Route
                path="working-hours"
                element={
                  <Suspense fallback={<Loading />}>
                    <WorkingHoursPage />
                  </Suspense>
                }
              />
              <Route
                path="sla"
                element={
                  <Suspense fallback={<Loading />}>
                    <SlaPage />
                  </Suspense>
                }
              />
              <Route
                path="chat-expiration"
                element={
                  <Suspense fallback={<Loading />}>
                    <ChatExpirationPage />
                  </Suspense>
                }
              />
              <Route
                path="csat"
                element={
                  <Suspense fallback={<Loading />}>
                    <CsatPage />
                  </Suspense>
                }
              />
              <Route
                path="appliance"
                element={
                  <Suspense fallback={<Loading />}>
                    <AppliancePage />
                  </Suspense>
                }
              />
            </Route>
          </Route>
        </Route>
        <Route element={<Layout />}>
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </BrowserRouter>
  );
}
