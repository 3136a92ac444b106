/**
 * PIM → ERP: the products Julia tagged for the ERP, by export status as the PIM has them
 * (waiting, exported, in the ERP, in error with the message and its fix); "Export now" sends
 * every product waiting, "Retry" tags one product again and sends it alone.
 */
import { Alert, Anchor, Badge, Button, Paper, SimpleGrid, Stack, Table, Tabs, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import type { ExportOverview, ExportProduct, ExportStatus } from '../../../src/server/api/contract.js';
import { useExportOverview, useRetryExport, useStartExport } from '../api/hooks';
import { useSession } from '../api/session';
import { PageHeader } from '../components/PageHeader';
import { QueryState } from '../components/QueryState';
import { formatDateTime } from '../format';
import { can } from '../roles';

const STATUS_TEXT: Record<ExportStatus, { label: string; color: string; help: string }> = {
  to_export: { label: 'Waiting', color: 'blue', help: 'Tagged "To export" in the PIM; the next export sends them.' },
  exported: { label: 'Exported', color: 'teal', help: 'Sent to the ERP; the ERP team completes them there.' },
  in_erp: { label: 'In the ERP', color: 'green', help: "Back from the ERP with its technical data (the import filled the ERP attributes)." },
  error: { label: 'In error', color: 'red', help: 'The ERP refused them: the message says why, the fix what to change in the PIM.' },
};

function ProductsTable({ status, items, more, onRetry, retrying }: { status: ExportStatus; items: ExportProduct[]; more: boolean; onRetry: ((p: ExportProduct) => void) | null; retrying: string | null }) {
  if (items.length === 0) return <Text p="md">No product has the status “{STATUS_TEXT[status].label}”.</Text>;
  const errors = status === 'error';
  return (
    <Table.ScrollContainer minWidth={700}>
      <Table striped verticalSpacing="sm" horizontalSpacing="md">
        <Table.Caption>
          {STATUS_TEXT[status].help}
          {more ? ' Only the first 50 are listed; the PIM’s product grid, filtered on the ERP status, shows them all.' : ''}
        </Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">SKU</Table.Th>
            {errors && <Table.Th scope="col">What went wrong</Table.Th>}
            {errors && <Table.Th scope="col">How to fix it</Table.Th>}
            {!errors && <Table.Th scope="col">ERP id</Table.Th>}
            <Table.Th scope="col">Changed in the PIM</Table.Th>
            {onRetry && <Table.Th scope="col">Action</Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((p) => {
            const key = p.uuid ?? p.identifier ?? '';
            return (
              <Table.Tr key={key}>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{p.identifier ?? <Text c="dimmed" size="sm">no SKU yet</Text>}</Table.Td>
                {errors && <Table.Td>{p.message ?? '—'}</Table.Td>}
                {errors && <Table.Td>{p.fix ?? 'Fix the product in the PIM, then retry.'}</Table.Td>}
                {!errors && <Table.Td>{p.erpId ?? '—'}</Table.Td>}
                <Table.Td>{p.updated ? formatDateTime(p.updated) : '—'}</Table.Td>
                {onRetry && (
                  <Table.Td>
                    <Button size="xs" variant="light" loading={retrying === key} onClick={() => onRetry(p)} aria-label={`Retry ${p.identifier ?? key}`}>
                      Retry
                    </Button>
                  </Table.Td>
                )}
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function EventsLine({ events }: { events: ExportOverview['events'] }) {
  if (!events) {
    return (
      <Text size="sm" c="dimmed">
        Akeneo events are off: exports run from a schedule or from this page. Add <code>events.secret</code> (Events API) or <code>events.platformSecret</code> (Event Platform) to ferry.yaml to export within seconds of Julia’s tag.
      </Text>
    );
  }
  return (
    <Text size="sm" c="dimmed">
      Akeneo events on: {events.accepted} received from people, {events.own} of Ferry’s own writes ignored, {events.duplicates} duplicates dropped, {events.exportsTriggered} exports started
      (each product waits {events.debounceSeconds} s for more changes).
    </Text>
  );
}

export function PimToErpPage() {
  const overview = useExportOverview();
  const start = useStartExport();
  const retry = useRetryExport();
  const session = useSession();
  const navigate = useNavigate();
  const mayRun = can(session.data?.user.role ?? 'viewer', 'run');
  const [tab, setTab] = useState<string | null>('to_export');
  const [retrying, setRetrying] = useState<string | null>(null);

  const exportNow = () =>
    start.mutate(
      {},
      {
        onSuccess: (s) => {
          notifications.show({ color: 'teal', title: 'Export started', message: s.runId ? `Run #${s.runId} sends every product waiting.` : 'The export is starting.' });
          if (s.runId) void navigate(`/runs/${s.runId}`);
        },
        onError: (e) => notifications.show({ color: 'red', title: 'Could not start the export', message: e.message }),
      },
    );
  const retryOne = (p: ExportProduct) => {
    const key = p.uuid ?? p.identifier ?? '';
    setRetrying(key);
    retry.mutate(key, {
      onSuccess: (s) => notifications.show({ color: 'teal', title: `Retrying ${p.identifier ?? 'the product'}`, message: s.runId ? `Run #${s.runId} sends it again.` : 'The export is starting.' }),
      onError: (e) => notifications.show({ color: 'red', title: 'Could not retry', message: e.message }),
      onSettled: () => setRetrying(null),
    });
  };

  return (
    <>
      <PageHeader
        title="PIM → ERP"
        help="Products created in the PIM and tagged for the ERP: Ferry sends them to the ERP, which adds the technical data; the import brings it back. The statuses are read from the PIM."
        actions={
          mayRun && (
            <Button onClick={exportNow} loading={start.isPending}>
              Export now
            </Button>
          )
        }
      />
      <QueryState query={overview} what="the export statuses">
        {(data) =>
          !data.configured ? (
            <Alert color="gray" title="Exports are not set up">
              {data.why}
            </Alert>
          ) : (
            <Stack gap="md">
              <SimpleGrid cols={{ base: 2, sm: 4 }}>
                {data.groups.map((g) => (
                  <Paper key={g.status} p="md" component="button" onClick={() => setTab(g.status)} style={{ textAlign: 'left', cursor: 'pointer', border: tab === g.status ? '1px solid #9452ba' : undefined }}>
                    <Text size="sm" c="dimmed">
                      {STATUS_TEXT[g.status].label}
                    </Text>
                    <Text size="xl" fw={600} c={g.status === 'error' && g.items.length > 0 ? 'red' : undefined}>
                      {g.items.length}
                      {g.more ? '+' : ''}
                    </Text>
                  </Paper>
                ))}
              </SimpleGrid>
              <EventsLine events={data.events} />
              <Paper p={0}>
                <Tabs value={tab} onChange={setTab}>
                  <Tabs.List>
                    {data.groups.map((g) => (
                      <Tabs.Tab key={g.status} value={g.status} rightSection={<Badge size="sm" color={STATUS_TEXT[g.status].color} variant="light">{g.items.length}{g.more ? '+' : ''}</Badge>}>
                        {STATUS_TEXT[g.status].label}
                      </Tabs.Tab>
                    ))}
                  </Tabs.List>
                  {data.groups.map((g) => (
                    <Tabs.Panel key={g.status} value={g.status}>
                      <ProductsTable status={g.status} items={g.items} more={g.more} onRetry={mayRun && g.status === 'error' ? retryOne : null} retrying={retrying} />
                    </Tabs.Panel>
                  ))}
                </Tabs>
              </Paper>
              <Text size="sm">
                Every export is in the <Anchor component={Link} to="/runs">runs history</Anchor>; a schedule can export too (<Anchor component={Link} to="/schedules">Schedules</Anchor>, “Export to the ERP”).
              </Text>
            </Stack>
          )
        }
      </QueryState>
    </>
  );
}
