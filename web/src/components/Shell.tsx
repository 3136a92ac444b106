/** The frame around every signed-in page: Akeneo-like left navigation, a header with the connection switcher (several connections), the user and Sign out. */
import { Alert, AppShell, Burger, Button, Group, NavLink, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconArrowsExchange, IconBell, IconBuildingFactory2, IconCalendarTime, IconGauge, IconHistory, IconLayoutDashboard, IconPlayerPlay, IconPlugConnected, IconTransferOut, IconUsers } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { Link, useLocation } from 'react-router';
import { useSignOut, type SessionUser } from '../api/session';
import { can } from '../roles';
import { ConnectionProblems, ConnectionSwitcher } from './ConnectionSwitcher';

const roleLabel: Record<string, string> = { admin: 'Administrator', operator: 'Operator', viewer: 'Viewer' };

export function Shell({ user, demo, children }: { user: SessionUser; demo: boolean; children: ReactNode }) {
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  const signOut = useSignOut();
  const links = [
    { to: '/', label: 'Dashboard', icon: IconLayoutDashboard, show: true },
    { to: '/runs', label: 'Runs', icon: IconHistory, show: true },
    { to: '/run-now', label: 'Run now', icon: IconPlayerPlay, show: can(user.role, 'run') },
    { to: '/schedules', label: 'Schedules', icon: IconCalendarTime, show: true },
    { to: '/estimate', label: 'Estimate', icon: IconGauge, show: true },
    { to: '/pim-to-erp', label: 'PIM → ERP', icon: IconTransferOut, show: true },
    { to: '/notifications', label: 'Notifications', icon: IconBell, show: true },
    { to: '/connections', label: 'Connections', icon: IconPlugConnected, show: user.role === 'admin' },
    { to: '/mapping', label: 'Mapping', icon: IconArrowsExchange, show: true },
    { to: '/bootstrap', label: 'Bootstrap', icon: IconBuildingFactory2, show: can(user.role, 'run') },
    { to: '/users', label: 'Users', icon: IconUsers, show: user.role === 'admin' },
  ];
  const isActive = (to: string) => (to === '/' ? location.pathname === '/' : location.pathname.startsWith(to));
  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header px="md" style={{ borderBottom: '1px solid #e8ebee' }}>
        <Group h="100%" justify="space-between">
          <Group gap="sm">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Show the menu" />
            <Title order={1} size="h3" c="akeneo.7" style={{ letterSpacing: '0.5px' }}>
              Ferry
            </Title>
            <Text c="dimmed" size="sm" visibleFrom="xs">
              ERP → Akeneo PIM
            </Text>
          </Group>
          <Group gap="sm">
            <ConnectionSwitcher />
            <Text size="sm" aria-label="Signed in as">
              {user.name} · {roleLabel[user.role] ?? user.role}
            </Text>
            <Button variant="default" size="xs" onClick={() => signOut.mutate()} loading={signOut.isPending}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label="Main menu">
        <Stack gap={4} component="nav">
          {links
            .filter((l) => l.show)
            .map((l) => (
              <NavLink
                key={l.to}
                component={Link}
                to={l.to}
                label={l.label}
                className="ferry-nav-link"
                leftSection={<l.icon size={18} stroke={1.6} aria-hidden />}
                active={isActive(l.to)}
                aria-current={isActive(l.to) ? 'page' : undefined}
                onClick={close}
                variant="light"
              />
            ))}
        </Stack>
      </AppShell.Navbar>
      <AppShell.Main>
        {demo && (
          <Alert color="akeneo" variant="light" mb="md" title="Demo">
            This Console runs the demo: a practice PIM and a made-up ERP. Nothing here touches your real catalog.
          </Alert>
        )}
        <ConnectionProblems />
        <div style={{ maxWidth: 1200 }}>{children}</div>
      </AppShell.Main>
    </AppShell>
  );
}
