/** The Console's pages and who may see them: everything but sign-in needs a session. */
import { Center, Loader } from '@mantine/core';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { useSession } from './api/session';
import { Shell } from './components/Shell';
import { DashboardPage } from './pages/Dashboard';
import { NotificationsPage } from './pages/Notifications';
import { RunDetailPage } from './pages/RunDetail';
import { RunNowPage } from './pages/RunNow';
import { RunsPage } from './pages/Runs';
import { SchedulesPage } from './pages/Schedules';
import { SignInPage } from './pages/SignIn';
import { UsersPage } from './pages/Users';

export function App() {
  const session = useSession();
  const location = useLocation();
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
        <Route path="*" element={<Navigate to={`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`} replace />} />
      </Routes>
    );
  }
  return (
    <Shell user={user} demo={demo}>
      <Routes>
        <Route path="/" element={<DashboardPage />} />
        <Route path="/runs" element={<RunsPage />} />
        <Route path="/runs/:id" element={<RunDetailPage />} />
        <Route path="/run-now" element={<RunNowPage />} />
        <Route path="/schedules" element={<SchedulesPage />} />
        <Route path="/notifications" element={<NotificationsPage />} />
        <Route path="/users" element={user.role === 'admin' ? <UsersPage /> : <Navigate to="/" replace />} />
        <Route path="/sign-in" element={<Navigate to="/" replace />} />
        <Route path="*" element={<Navigate to="/" replace />} />
      </Routes>
    </Shell>
  );
}
