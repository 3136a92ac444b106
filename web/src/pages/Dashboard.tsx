/** Dashboard: for each connection, how the last run went, what is on now, what comes next, and whether PIM and ERP answer. */
import { Anchor, Badge, Button, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { IconCircleCheck, IconCircleX, IconHelpCircle } from '@tabler/icons-react';
import { Link } from 'react-router';
import type { Dashboard } from '../../../src/server/api/contract.js';
import { useDashboard } from '../api/hooks';
import { useSession } from '../api/session';
import { PageHeader } from '../components/PageHeader';
import { QueryState } from '../components/QueryState';
import { RunsChart } from '../components/RunsChart';
import { StatusBadge } from '../components/StatusBadge';
import { formatCount, formatDateTime, formatDuration, formatRelative, modeLabel } from '../format';
import { can } from '../roles';

type Connection = Dashboard['connections'][number];
type Reach = Connection['pim'];

function Reachability({ what, reach }: { what: string; reach: Reach }) {
  const Icon = reach.reachable === null ? IconHelpCircle : reach.reachable ? IconCircleCheck : IconCircleX;
  const color = reach.reachable === null ? '#5e6b7e' : reach.reachable ? '#2b8a3e' : '#c92a2a';
  const words = reach.reachable === null ? 'not checked yet' : reach.reachable ? 'answers' : 'does not answer';
  return (
    <Group gap={6} wrap="nowrap" align="flex-start">
      <Icon size={20} color={color} aria-hidden style={{ flexShrink: 0 }} />
      <div>
        <Text size="sm">
          <strong>{what}</strong> {words}
          {reach.system ? ` (${reach.system})` : ''}
        </Text>
        {reach.message && reach.reachable === false && (
          <Text size="xs" c="bad.9">
            {reach.message}
          </Text>
        )}
        {reach.checkedAt && (
          <Text size="xs" c="dimmed">
            checked {formatRelative(reach.checkedAt)}
          </Text>
        )}
      </div>
    </Group>
  );
}

function ConnectionCard({ c, mayRun }: { c: Connection; mayRun: boolean }) {
  const last = c.lastRun;
  return (
    <Paper component="section" aria-labelledby={`conn-${c.name}`}>
      <Group justify="space-between" mb="md">
        <div>
          <Title order={3} size="h4" id={`conn-${c.name}`}>
            {c.name}
          </Title>
          <Text size="sm" c="dimmed">
            PIM: {c.pimUrl}
          </Text>
        </div>
        {mayRun && (
          <Button component={Link} to="/run-now">
            Run now
          </Button>
        )}
      </Group>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }} spacing="md" mb="md">
        <Stack gap={4}>
          <Text size="xs" tt="uppercase" c="dimmed" fw={700}>
            Last run
          </Text>
          {last ? (
            <>
              <Group gap="xs">
                <StatusBadge status={last.status} />
                <Anchor component={Link} to={`/runs/${last.id}`} size="sm">
                  Run #{last.id}
                </Anchor>
              </Group>
              <Text size="sm">
                {modeLabel[last.mode] ?? last.mode}, {formatRelative(last.startedAt)} ({formatDateTime(last.startedAt)})
              </Text>
              <Text size="sm">Took {formatDuration(last.durationMs)}</Text>
            </>
          ) : (
            <Text size="sm">No run yet.</Text>
          )}
        </Stack>
        <Stack gap={4}>
          <Text size="xs" tt="uppercase" c="dimmed" fw={700}>
            Records in the last run
          </Text>
          {last?.counts ? (
            <Group gap="xs">
              <Badge color="ok.9">{formatCount(last.counts.created)} created</Badge>
              <Badge color="akeneo.8">{formatCount(last.counts.updated)} updated</Badge>
              <Badge color="bad.9">{formatCount(last.counts.rejected)} refused</Badge>
              <Badge color="dark.7">{formatCount(last.counts.unchanged)} unchanged</Badge>
            </Group>
          ) : (
            <Text size="sm">–</Text>
          )}
        </Stack>
        <Stack gap={4}>
          <Text size="xs" tt="uppercase" c="dimmed" fw={700}>
            {c.activeRun ? 'Running now' : 'Next scheduled run'}
          </Text>
          {c.activeRun ? (
            <Text size="sm">
              <Anchor component={Link} to={`/runs/${c.activeRun.id}`}>
                Run #{c.activeRun.id}
              </Anchor>{' '}
              started {formatRelative(c.activeRun.startedAt)}: follow it live.
            </Text>
          ) : c.nextRun ? (
            <Text size="sm">
              {formatDateTime(c.nextRun.at)} ({formatRelative(c.nextRun.at)}), schedule “{c.nextRun.scheduleName}”
            </Text>
          ) : (
            <Text size="sm">
              Nothing planned. <Anchor component={Link} to="/schedules">Add a schedule</Anchor>
            </Text>
          )}
        </Stack>
        <Stack gap={6}>
          <Text size="xs" tt="uppercase" c="dimmed" fw={700}>
            Connections
          </Text>
          <Reachability what="PIM" reach={c.pim} />
          <Reachability what="ERP" reach={c.erp} />
        </Stack>
      </SimpleGrid>
      <RunsChart
        title={c.chart.length === 1 ? `The last run of ${c.name}` : `The last ${c.chart.length} runs of ${c.name}`}
        runs={c.chart.map((p) => ({ id: p.runId, startedAt: p.startedAt, created: p.created, updated: p.updated, rejected: p.rejected, durationMs: p.durationMs }))}
      />
    </Paper>
  );
}

export function DashboardPage() {
  const dashboard = useDashboard();
  const session = useSession();
  const mayRun = can(session.data?.user.role ?? 'viewer', 'run');
  return (
    <>
      <PageHeader title="Dashboard" help="How the imports from your ERP into Akeneo are going: the last run, the next one, and whether both systems answer." />
      <QueryState query={dashboard} what="the dashboard">
        {(d) => (
          <Stack gap="md">
            {d.connections.map((c) => (
              <ConnectionCard key={c.name} c={c} mayRun={mayRun} />
            ))}
          </Stack>
        )}
      </QueryState>
    </>
  );
}
