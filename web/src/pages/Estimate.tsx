/**
 * Estimate: what a first full import would cost, before Peter starts one on a large catalog
 * (GET /estimate, what `ferry estimate` prints): how long at best and likely, what bounds it, how
 * many requests of which kind, Ferry's memory, and advice, in plain words. While a run goes, its
 * live progress with the time left is one click away (the dashboard's active run).
 */
import { Alert, Anchor, Button, List, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import type { ImportEstimateBody } from '../../../src/server/api/contract.js';
import { useDashboard, useEstimate } from '../api/hooks';
import { PageHeader } from '../components/PageHeader';
import { QueryState } from '../components/QueryState';
import { formatCount, formatDuration } from '../format';

/** What bounds the import, said so that Peter knows what would make it faster. */
const BOTTLENECK: Record<ImportEstimateBody['estimate']['bottleneck'], { title: string; why: string }> = {
  'option-writes': { title: 'Attribute options', why: 'The PIM accepts only a few option writes a second; creating the options ahead (Bootstrap) takes them out of the import.' },
  'connection-concurrency': { title: 'Calls at once per connection', why: 'One Akeneo connection carries 4 calls at a time; a second connection (pim.connections) carries more.' },
  'instance-concurrency': { title: 'Calls at once for the whole PIM', why: 'The PIM takes 10 calls at a time from all its integrations (Ferry uses its share, pim.limits.instanceShare).' },
  'requests-per-second': { title: 'Requests per second', why: 'The PIM caps the requests per second; more connections do not help past it.' },
  'media-uploads': { title: 'Media uploads', why: 'Every image or file is one upload of its own.' },
};

function Figure({ label, value, help }: { label: string; value: string; help?: string }) {
  return (
    <Paper p="md" withBorder>
      <Text size="xs" tt="uppercase" c="dimmed" fw={700}>
        {label}
      </Text>
      <Text size="xl" fw={700} data-testid={`estimate-${label.toLowerCase().replace(/[^a-z]+/g, '-')}`}>
        {value}
      </Text>
      {help && (
        <Text size="sm" c="dimmed">
          {help}
        </Text>
      )}
    </Paper>
  );
}

const seconds = (s: number) => formatDuration(s * 1000);

function EstimateView({ data }: { data: ImportEstimateBody }) {
  const e = data.estimate;
  const b = BOTTLENECK[e.bottleneck];
  const counts = Object.entries(data.erp.counts)
    .map(([stream, n]) => `${stream} ${formatCount(n)}`)
    .join(', ');
  const rows: [string, number, string][] = [
    ['Products', e.requests.products, `${formatCount(e.entities.products)} products, up to 100 a request`],
    ['Product models', e.requests.productModels, `${formatCount(e.entities.productModels)} models (sub-models included), up to 100 a request`],
    ['Categories', e.requests.categories, `${formatCount(e.entities.categories)} categories, level by level`],
    ['Attribute options', e.requests.options, `${formatCount(e.entities.options)} options, up to 100 a request`],
    ['Media files', e.requests.media, `${formatCount(e.entities.media)} files, one upload each`],
    ['Reads first', e.requests.setup, 'the PIM’s structure, tokens and options, before any write'],
  ];
  return (
    <Stack gap="lg">
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
        <Figure label="Likely duration" value={seconds(e.durationSeconds.likely)} help={`${seconds(e.durationSeconds.best)} at best`} />
        <Figure label="Requests" value={`~${formatCount(e.requests.total)}`} help={`${e.slots} calls at a time`} />
        <Figure label="Bottleneck" value={b.title} />
        <Figure label="Memory" value={`~${formatCount(e.memoryMb)} MB`} help="Ferry’s peak, measured on large runs" />
      </SimpleGrid>

      <Paper p="md" withBorder component="section" aria-labelledby="what-bounds">
        <Title order={3} size="h4" id="what-bounds">
          What sets the pace
        </Title>
        <Text mt="xs">{b.why}</Text>
        <Text mt="xs" size="sm" c="dimmed">
          At best: options {seconds(e.phases.options)}, batches of products, models and categories {seconds(e.phases.batches)}, media {seconds(e.phases.media)}.
          “Likely” allows for a busy machine and a busy PIM, as measured on real runs.
        </Text>
      </Paper>

      <Paper p="md" withBorder component="section" aria-labelledby="advice-title">
        <Title order={3} size="h4" id="advice-title">
          Advice
        </Title>
        {e.advice.length === 0 ? (
          <Text mt="xs">Nothing to prepare: this import is small enough to start any time.</Text>
        ) : (
          <List mt="xs" spacing="xs" data-testid="estimate-advice">
            {e.advice.map((a) => (
              <List.Item key={a}>{a}</List.Item>
            ))}
          </List>
        )}
      </Paper>

      <Table.ScrollContainer minWidth={560}>
        <Table striped verticalSpacing="xs" aria-label="Requests by kind">
          <Table.Caption>How the requests add up (the same rules as the run itself).</Table.Caption>
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">What</Table.Th>
              <Table.Th scope="col" style={{ textAlign: 'right' }}>
                Requests
              </Table.Th>
              <Table.Th scope="col">Why</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map(([what, n, why]) => (
              <Table.Tr key={what}>
                <Table.Td>{what}</Table.Td>
                <Table.Td style={{ textAlign: 'right' }}>{formatCount(n)}</Table.Td>
                <Table.Td>{why}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>

      <Text size="sm" c="dimmed">
        From the ERP ({data.erp.system}): {counts}; the catalog’s shape from {formatCount(data.erp.sampled)} items. The PIM ({data.pim.url}) answered in{' '}
        {data.pim.roundTripMs === null ? '(not reached)' : `${data.pim.roundTripMs} ms`}, over {data.pim.connections} connection{data.pim.connections === 1 ? '' : 's'}.
      </Text>
      {data.notes.length > 0 && (
        <Alert color="warn" title="Less sure than it looks">
          <List size="sm">
            {data.notes.map((n) => (
              <List.Item key={n}>{n}</List.Item>
            ))}
          </List>
        </Alert>
      )}
    </Stack>
  );
}

export function EstimatePage() {
  const estimate = useEstimate();
  const dashboard = useDashboard();
  const active = dashboard.data?.connections[0]?.activeRun ?? null;
  return (
    <>
      <PageHeader
        title="Estimate"
        help="Before the first import of a large catalog: how long it will take, what limits it, and what to prepare. Nothing is written; the ERP is counted and sampled, the PIM timed."
        actions={
          <Button variant="default" loading={estimate.isFetching} onClick={() => void estimate.refetch()}>
            Estimate again
          </Button>
        }
      />
      {active && (
        <Alert color="blue" title={`Run #${active.id} is going`} mb="md" role="status">
          <Anchor component={Link} to={`/runs/${active.id}`}>
            Follow its progress and the time left
          </Anchor>
        </Alert>
      )}
      <QueryState query={estimate} what="the estimate (counting the ERP and timing the PIM)">
        {(data) => <EstimateView data={data} />}
      </QueryState>
    </>
  );
}
