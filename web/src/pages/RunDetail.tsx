/**
 * One run: live progress while it goes, then its report per entity type, every record's outcome
 * (server pages, filter by outcome, search by SKU), each refusal with its fix, the refusals as
 * CSV, and Retry refused.
 */
import { Alert, Anchor, Badge, Box, Button, Group, List, Paper, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { IconDownload, IconExternalLink, IconRefresh } from '@tabler/icons-react';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { RECORD_OUTCOMES, type Reject, type RunDetail, type RunRecordsQuery } from '../../../src/server/api/contract.js';
import { useRetryRejected, useRun, useRunRecords } from '../api/hooks';
import { useSession } from '../api/session';
import { LiveProgress } from '../components/LiveProgress';
import { PageHeader } from '../components/PageHeader';
import { Pager } from '../components/Pager';
import { QueryState } from '../components/QueryState';
import { StatusBadge } from '../components/StatusBadge';
import { entityLabel, entitySingular, formatCount, formatDateTime, formatDuration, modeLabel, outcomeLabel, startedByLabel } from '../format';
import { can } from '../roles';
import { rejectPlaces } from '../reject-places';

const PAGE_SIZE = 50;
const COUNT_COLUMNS = ['read', 'created', 'updated', 'unchanged', 'rejected', 'skipped', 'disabled', 'deleted'] as const;

function RejectText({ reject }: { reject: Reject }) {
  const where = rejectPlaces(reject);
  return (
    <div>
      <Text size="sm">
        {reject.message}
        {where ? <Text span c="dimmed" size="sm">{` (${where})`}</Text> : null}
      </Text>
      {reject.fix && (
        <Text size="sm" c="ok.9">
          <strong>How to fix:</strong> {reject.fix}
        </Text>
      )}
    </div>
  );
}

function ReportByType({ report }: { report: NonNullable<RunDetail['report']> }) {
  const types = Object.entries(report.byType).filter(([, c]) => c.read + c.disabled + c.deleted + c.skipped > 0);
  return (
    <Paper component="section" aria-labelledby="report-title">
      <Title order={3} size="h4" id="report-title" mb="sm">
        What happened, by kind of record
      </Title>
      <Table.ScrollContainer minWidth={600}>
        <Table verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Kind</Table.Th>
              {COUNT_COLUMNS.map((c) => (
                <Table.Th scope="col" key={c} ta="right">
                  {c === 'read' ? 'Read' : outcomeLabel[c]}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {types.map(([type, counts]) => (
              <Table.Tr key={type}>
                <Table.Th scope="row" fw={400}>
                  {entityLabel[type] ?? type}
                </Table.Th>
                {COUNT_COLUMNS.map((c) => (
                  <Table.Td key={c} ta="right">
                    {formatCount(counts[c])}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
            <Table.Tr>
              <Table.Th scope="row">All</Table.Th>
              {COUNT_COLUMNS.map((c) => (
                <Table.Td key={c} ta="right" fw={700}>
                  {formatCount(report.counts[c])}
                </Table.Td>
              ))}
            </Table.Tr>
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Text size="sm" c="dimmed" mt="sm">
        {formatCount(report.requests.total)} requests to the PIM ({formatCount(report.requests.writes)} writes, {formatCount(report.requests.retried)} retried,{' '}
        {formatCount(report.requests.throttled)} slow-downs asked by the PIM).
        {report.warningsTotal > 0 ? ` ${formatCount(report.warningsTotal)} warnings.` : ''}
      </Text>
    </Paper>
  );
}

function RecordsTable({ runId }: { runId: number }) {
  const [outcome, setOutcome] = useState<RunRecordsQuery['outcome'] | null>(null);
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search.trim(), 300);
  const [page, setPage] = useState(1);
  const records = useRunRecords(runId, { outcome: outcome ?? undefined, q: q || undefined, page, pageSize: PAGE_SIZE });
  return (
    <Paper component="section" aria-labelledby="records-title">
      <Title order={3} size="h4" id="records-title" mb="sm">
        Every record
      </Title>
      <Group mb="sm" align="flex-end">
        <Select
          label="Outcome"
          placeholder="Any outcome"
          clearable
          data={RECORD_OUTCOMES.filter((o) => o !== 'unchanged').map((o) => ({ value: o, label: outcomeLabel[o] ?? o }))}
          value={outcome}
          onChange={(v) => {
            setOutcome(v as RunRecordsQuery['outcome'] | null);
            setPage(1);
          }}
          w={200}
        />
        <TextInput
          label="Search by SKU or code"
          placeholder="e.g. BK-M68B-42"
          value={search}
          onChange={(e) => {
            setSearch(e.currentTarget.value);
            setPage(1);
          }}
          w={280}
        />
      </Group>
      <Text size="xs" c="dimmed" mb="xs">
        Unchanged records are counted in the report above but not listed one by one.
      </Text>
      <QueryState query={records} what="the records">
        {(data) => (
          <>
            {data.items.length === 0 ? (
              <Text>No record matches.</Text>
            ) : (
              <Table.ScrollContainer minWidth={700}>
                <Table striped verticalSpacing="xs" data-testid="records-table">
                  <Table.Caption>Records of run #{runId}</Table.Caption>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th scope="col">SKU or code</Table.Th>
                      <Table.Th scope="col">Kind</Table.Th>
                      <Table.Th scope="col">Outcome</Table.Th>
                      <Table.Th scope="col">Details</Table.Th>
                      <Table.Th scope="col">In the PIM</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.items.map((r) => (
                      <Table.Tr key={`${r.stream}:${r.key}:${r.entityType}`}>
                        <Table.Td style={{ whiteSpace: 'nowrap' }}>
                          <Text size="sm" ff="monospace">
                            {r.key}
                          </Text>
                        </Table.Td>
                        <Table.Td>{entitySingular[r.entityType] ?? r.entityType}</Table.Td>
                        <Table.Td style={{ whiteSpace: 'nowrap' }}>
                          <Badge color={r.outcome === 'rejected' ? 'bad.9' : r.outcome === 'created' ? 'ok.9' : r.outcome === 'updated' ? 'akeneo.8' : 'dark.7'}>
                            {outcomeLabel[r.outcome] ?? r.outcome}
                          </Badge>
                        </Table.Td>
                        <Table.Td>
                          {r.rejects.length > 0 ? (
                            <Stack gap={6}>
                              {r.rejects.map((j, i) => (
                                <RejectText key={i} reject={j} />
                              ))}
                            </Stack>
                          ) : (
                            <Text size="sm">{r.reason ?? ''}</Text>
                          )}
                        </Table.Td>
                        <Table.Td>
                          {r.pimLink ? (
                            <Anchor href={r.pimLink} target="_blank" rel="noreferrer" size="sm">
                              Open <IconExternalLink size={14} aria-hidden />
                              <span className="visually-hidden"> {r.key} in the PIM (new tab)</span>
                            </Anchor>
                          ) : r.pimLinkNote ? (
                            <Text size="sm" c="dimmed" title={r.pimLinkNote}>
                              Search by SKU<span className="visually-hidden">: {r.pimLinkNote}</span>
                            </Text>
                          ) : (
                            <Text size="sm" c="dimmed">
                              –
                            </Text>
                          )}
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            )}
            <Pager page={data.page} pageSize={data.pageSize} total={data.total} onChange={setPage} label="Pages of records" />
          </>
        )}
      </QueryState>
    </Paper>
  );
}

function RunView({ detail }: { detail: RunDetail }) {
  const { run, report } = detail;
  const session = useSession();
  const navigate = useNavigate();
  const role = session.data?.user.role ?? 'viewer';
  const retry = useRetryRejected(run.id);
  const rejected = report?.counts.rejected ?? run.counts?.rejected ?? 0;
  const going = run.status === 'running';
  const startRetry = () =>
    retry.mutate(false, {
      onSuccess: (started) => navigate(started.runId ? `/runs/${started.runId}` : `/run-now?job=${encodeURIComponent(started.jobId)}`),
      onError: (e) => notifications.show({ color: 'red', title: 'Could not start the retry', message: e.message }),
    });
  return (
    <Stack gap="md">
      <PageHeader
        title={`Run #${run.id}`}
        help={
          <>
            {modeLabel[run.mode] ?? run.mode}, started {formatDateTime(run.startedAt)} by {startedByLabel(run.startedBy)}
            {run.finishedAt ? `, took ${formatDuration(run.durationMs)}` : ''}.
          </>
        }
        actions={
          <>
            <StatusBadge status={run.status} />
            {rejected > 0 && (
              <Button component="a" href={`/api/v1/runs/${run.id}/rejects.csv`} download variant="default" leftSection={<IconDownload size={16} aria-hidden />}>
                Download refused records (CSV)
              </Button>
            )}
            {rejected > 0 && !going && can(role, 'run') && (
              <Button onClick={startRetry} loading={retry.isPending} leftSection={<IconRefresh size={16} aria-hidden />}>
                Retry refused records
              </Button>
            )}
          </>
        }
      />
      {going && <LiveProgress id={run.id} mayCancel={run.cancellable && can(role, 'run')} />}
      {report?.error && (
        <Alert color="red" title="The run failed" role="alert">
          {report.error}
        </Alert>
      )}
      {run.status === 'interrupted' && (
        <Alert color="gray" title="This run was stopped before the end">
          Records already sent stay in the PIM. The next run picks up the rest.
        </Alert>
      )}
      {report && <ReportByType report={report} />}
      {report && report.rejects.length > 0 && (
        <Paper component="section" aria-labelledby="rejects-title">
          <Title order={3} size="h4" id="rejects-title" mb="sm">
            Why records were refused
          </Title>
          <List spacing="sm" listStyleType="none">
            {report.rejects.slice(0, 20).map((r, i) => (
              <List.Item key={i}>
                <Text size="sm" fw={700}>
                  {r.label && r.label !== r.key ? (
                    <>
                      {r.label}{' '}
                      <Text span size="sm" c="dimmed" ff="monospace">
                        ({r.key})
                      </Text>
                    </>
                  ) : (
                    r.key
                  )}
                </Text>
                <RejectText reject={r} />
              </List.Item>
            ))}
          </List>
          {report.rejects.length > 20 && (
            <Text size="sm" c="dimmed" mt="sm">
              …and {formatCount(report.rejects.length - 20)} more: filter the table below on “Refused”, or download the CSV.
            </Text>
          )}
        </Paper>
      )}
      {!going && <RecordsTable runId={run.id} />}
      <Box>
        <Anchor component={Link} to="/runs">
          ← All runs
        </Anchor>
      </Box>
    </Stack>
  );
}

export function RunDetailPage() {
  const id = Number(useParams().id);
  const run = useRun(id);
  return (
    <QueryState query={run} what={`run #${id}`}>
      {(detail) => <RunView detail={detail} />}
    </QueryState>
  );
}
