/** Runs: every run, newest first, filtered by status and kind, one server page at a time. */
import { Anchor, Box, Group, Paper, Select, Table, Text } from '@mantine/core';
import { Link, useSearchParams } from 'react-router';
import { RUN_STATUSES, SYNC_MODES, type RunsQuery } from '../../../src/server/api/contract.js';
import { useRuns } from '../api/hooks';
import { PageHeader } from '../components/PageHeader';
import { Pager } from '../components/Pager';
import { QueryState } from '../components/QueryState';
import { StatusBadge } from '../components/StatusBadge';
import { formatCount, formatDateTime, formatDuration, modeLabel, startedByLabel, statusLabel } from '../format';

const PAGE_SIZE = 25;

export function RunsPage() {
  const [params, setParams] = useSearchParams();
  const status = params.get('status') as RunsQuery['status'] | null;
  const mode = params.get('mode') as RunsQuery['mode'] | null;
  const page = Math.max(1, Number(params.get('page') ?? 1) || 1);
  const runs = useRuns({ status: status ?? undefined, mode: mode ?? undefined, page, pageSize: PAGE_SIZE });
  const set = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    if (key !== 'page') next.delete('page');
    setParams(next);
  };
  return (
    <>
      <PageHeader title="Runs" help="Every import, newest first. Open one to see what happened to each product and why some were refused." />
      <Group mb="md" align="flex-end">
        <Select
          label="Status"
          placeholder="Any status"
          clearable
          data={RUN_STATUSES.map((s) => ({ value: s, label: statusLabel[s] ?? s }))}
          value={status}
          onChange={(v) => set('status', v)}
          w={220}
        />
        <Select
          label="Kind of run"
          placeholder="Any kind"
          clearable
          data={SYNC_MODES.map((m) => ({ value: m, label: modeLabel[m] ?? m }))}
          value={mode}
          onChange={(v) => set('mode', v)}
          w={220}
        />
      </Group>
      <QueryState query={runs} what="the runs">
        {(data) => (
          <Paper p={0}>
            {data.items.length === 0 ? (
              <Text p="md">No run matches these filters.</Text>
            ) : (
              <Table.ScrollContainer minWidth={800}>
                <Table striped highlightOnHover verticalSpacing="sm" horizontalSpacing="md">
                  <Table.Caption>Runs, newest first</Table.Caption>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">Run</Table.Th>
                      <Table.Th scope="col">Status</Table.Th>
                      <Table.Th scope="col">Kind</Table.Th>
                      <Table.Th scope="col">Started</Table.Th>
                      <Table.Th scope="col">Took</Table.Th>
                      <Table.Th scope="col" ta="right">Created</Table.Th>
                      <Table.Th scope="col" ta="right">Updated</Table.Th>
                      <Table.Th scope="col" ta="right">Refused</Table.Th>
                      <Table.Th scope="col">Started by</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.items.map((r) => (
                      <Table.Tr key={r.id}>
                        <Table.Td>
                          <Anchor component={Link} to={`/runs/${r.id}`}>
                            #{r.id}
                          </Anchor>
                        </Table.Td>
                        <Table.Td>
                          <StatusBadge status={r.status} />
                        </Table.Td>
                        <Table.Td>{modeLabel[r.mode] ?? r.mode}</Table.Td>
                        <Table.Td>{formatDateTime(r.startedAt)}</Table.Td>
                        <Table.Td>{r.status === 'running' ? 'going on' : formatDuration(r.durationMs)}</Table.Td>
                        <Table.Td ta="right">{formatCount(r.counts?.created)}</Table.Td>
                        <Table.Td ta="right">{formatCount(r.counts?.updated)}</Table.Td>
                        <Table.Td ta="right">{formatCount(r.counts?.rejected)}</Table.Td>
                        <Table.Td>{startedByLabel(r.startedBy)}</Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
            <Box px="md" pb="sm">
              <Pager page={data.page} pageSize={data.pageSize} total={data.total} onChange={(p) => set('page', String(p))} label="Pages of runs" />
            </Box>
          </Paper>
        )}
      </QueryState>
    </>
  );
}
