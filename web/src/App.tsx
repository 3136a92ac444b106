/** The Console's pages and who may see them: everything but sign-in needs a session. */
import { Center, Loader } from '@mantine/core';
import { lazy, Suspense } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { useSession } from './api/session';
import { Shell } from './components/Shell';
const DashboardPage = lazy(() => import('./pages/Dashboard').then((m) => ({ default: m.DashboardPage })));
const PimToErpPage = lazy(() => import('./pages/PimToErp').then((m) => ({ default: m.PimToErpPage })));
const NotificationsPage = lazy(() => import('./pages/Notifications').then((m) => ({ default: m.NotificationsPage })));
const RunDetailPage = lazy(() => import('./pages/RunDetail').then((m) => ({ default: m.RunDetailPage })));
const RunNowPage = lazy(() => import('./pages/RunNow').then((m) => ({ default: m.RunNowPage })));
const RunsPage = lazy(() => import('./pages/Runs').then((m) => ({ default: m.RunsPage })));
const SchedulesPage = lazy(() => import('./pages/Schedules').then((m) => ({ default: m.SchedulesPage })));
const ConfigHistoryPage = lazy(() => import('./pages/ConfigHistory').then((m) => ({ default: m.ConfigHistoryPage })));
const MappingPage = lazy(() => import('./pages/Mapping').then((m) => ({ default: m.MappingPage })));
const BootstrapPage = lazy(() => import('./pages/Bootstrap').then((m) => ({ default: m.BootstrapPage })));
const EstimatePage = lazy(() => import('./pages/Estimate').then((m) => ({ default: m.EstimatePage })));
const UsersPage = lazy(() => import('./pages/Users').then((m) => ({ default: m.UsersPage })));
import { SignInPage } from './pages/SignIn';
// Static: the setup pages are the first thing a new Console shows, and they share the Connections forms.
import { ConnectionsPage } from './pages/Connections';
import { SetupAdminPage, SetupWizardPage, useSetupStatus } from './pages/Setup';

export function App() {
  const session = useSession();
  const location = useLocation();
  const setup = useSetupStatus();
  if (session.isPending) {
    return (
      <Center h="100vh">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  const user = session.data?.user ?? null;
  const demo = session.data?.demo ?? false;
  if (!user) {
    return (
      <Routes>
        <Route path="/sign-in" element={<SignInPage />} />
        <Route path="/setup" element={<SetupAdminPage />} />
        <Route path="*" element={<Navigate to={`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`} replace />} />
      </Routes>
    );
  }
  return (
    <Shell user={user} demo={demo}>
      <Suspense fallback={<Loader aria-label="Loading the page" m="md" />}>
      <Routes>
        <Route path="/" element={user.role === 'admin' && setup.data?.step ? <Navigate to="/setup" replace /> : <DashboardPage />} />
        <Route path="/setup" element={user.role === 'admin' ? <SetupWizardPage /> : <Navigate to="/" replace />} />
        <Route path="/runs" element={<RunsPage />} />
        <Route path="/runs/:id" element={<RunDetailPage />} />
        <Route path="/run-now" element={<RunNowPage />} />
        <Route path="/schedules" element={<SchedulesPage />} />
        <Route path="/estimate" element={<EstimatePage />} />
        <Route path="/pim-to-erp" element={<PimToErpPage />} />
        <Route path="/notifications" element={<NotificationsPage />} />
        <Route path="/connections" element={user.role === 'admin' ? <ConnectionsPage /> : <Navigate to="/" replace />} />
        <Route path="/config-history" element={user.role === 'viewer' ? <Navigate to="/" replace /> : <ConfigHistoryPage />} />
        <Route path="/mapping" element={<MappingPage />} />
        <Route path="/bootstrap" element={user.role === 'viewer' ? <Navigate to="/" replace /> : <BootstrapPage />} />
        <Route path="/users" element={user.role === 'admin' ? <UsersPage /> : <Navigate to="/" replace />} />
        <Route path="/sign-in" element={<Navigate to="/" replace />} />
        <Route path="*" element={<Navigate to="/" replace />} />
      </Routes>
      </Suspense>
    </Shell>
  );
}
