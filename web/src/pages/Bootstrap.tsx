/**
 * Bootstrap: what `ferry pim bootstrap` would create in the PIM for the saved mapping, grouped
 * (locales, attribute group, attributes, options, families, family variants, category root),
 * applied after confirmation with one result per item. Nothing existing is changed except
 * families gaining attributes and channels gaining locales.
 */
import { Alert, Badge, Button, Group, List, Modal, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { BootstrapApply, BootstrapItem } from '../../../src/server/api/contract.js';
import { useApplyBootstrap, useBootstrapPlan } from '../api/mapping';
import { useSession } from '../api/session';
import { PageHeader } from '../components/PageHeader';
import { QueryState } from '../components/QueryState';

const OUTCOME: Record<BootstrapApply['results'][number]['outcome'], { color: string; label: string }> = {
  done: { color: 'ok', label: 'done' },
  failed: { color: 'bad', label: 'failed' },
  not_attempted: { color: 'warn', label: 'not attempted' },
};

function ItemsTable({ items, results, caption }: { items: BootstrapItem[]; results: BootstrapApply['results'] | null; caption: string }) {
  const resultOf = (i: BootstrapItem) => results?.find((r) => r.kind === i.kind && r.code === i.code);
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table verticalSpacing="xs" horizontalSpacing="md" fz="sm">
        <Table.Caption>{caption}</Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col" w={90}>
              Change
            </Table.Th>
            <Table.Th scope="col">Code</Table.Th>
            <Table.Th scope="col">What</Table.Th>
            {results && <Table.Th scope="col">Result</Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((i) => {
            const r = resultOf(i);
            return (
              <Table.Tr key={`${i.kind}:${i.code}`} data-testid={`plan-${i.kind}-${i.code}`}>
                <Table.Td>
                  <Badge color={i.action === 'create' ? 'ok' : 'akeneo'}>{i.action === 'create' ? 'create' : 'add to'}</Badge>
                </Table.Td>
                <Table.Td>{i.code}</Table.Td>
                <Table.Td>{i.summary}</Table.Td>
                {results && (
                  <Table.Td>
                    {r && <Badge color={OUTCOME[r.outcome].color}>{OUTCOME[r.outcome].label}</Badge>}
                    {r?.message && <Text size="xs">{r.message}</Text>}
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

export function BootstrapPage() {
  const session = useSession();
  const isAdmin = session.data?.user?.role === 'admin';
  const plan = useBootstrapPlan();
  const apply = useApplyBootstrap();
  const [confirming, { open, close }] = useDisclosure(false);
  const count = plan.data?.groups.reduce((n, g) => n + g.items.length, 0) ?? 0;
  return (
    <>
      <PageHeader
        title="Bootstrap"
        help="What the mapping needs and the PIM lacks: the ERP's attribute group, its attributes and options, families, family variants and the category root. Look at the plan, then apply it; existing things are left as they are, except families gaining attributes."
        actions={
          <>
            <Button variant="default" onClick={() => { apply.reset(); void plan.refetch(); }} loading={plan.isFetching}>
              Plan again
            </Button>
            <Button onClick={open} disabled={!plan.data || plan.data.empty || !isAdmin || !!apply.data}>
              Apply to the PIM…
            </Button>
          </>
        }
      />
      {!isAdmin && <Text size="sm" c="dimmed" mb="sm">Applying needs the administrator role.</Text>}
      {apply.error && (
        <Alert color="bad" mb="md" title="Not applied">
          {apply.error.message}
        </Alert>
      )}
      {apply.data && (
        <Alert color={apply.data.failed ? 'bad' : 'ok'} mb="md" title={apply.data.failed ? `${apply.data.failed} item${apply.data.failed === 1 ? '' : 's'} not created` : 'The PIM has what the mapping needs'} data-testid="bootstrap-result">
          {apply.data.created} created, {apply.data.updated} updated in {Math.round(apply.data.durationMs / 100) / 10} s. Each item's result is in the tables below.
        </Alert>
      )}
      <QueryState query={plan} what="the bootstrap plan">
        {(data) => (
          <Stack gap="md">
            {data.empty && (
              <Alert color="ok" title="Nothing to create">
                The PIM has everything the mapping needs.
              </Alert>
            )}
            {data.warnings.map((w) => (
              <Alert key={w.message} color="warn" title="A group the sync would hold back">
                <Text size="sm">{w.message}</Text>
                <Text size="sm">
                  <strong>Fix:</strong> {w.fix}
                </Text>
              </Alert>
            ))}
            {data.groups.map((g) => (
              <Paper key={g.kind} p={0}>
                <Group px="md" pt="sm" justify="space-between">
                  <Title order={3} size="h4">
                    {g.title}
                  </Title>
                  <Text size="sm" c="dimmed">
                    {g.items.length}
                  </Text>
                </Group>
                <ItemsTable items={g.items} results={apply.data?.results ?? null} caption={g.title} />
              </Paper>
            ))}
            {data.notes.length > 0 && (
              <Paper>
                <Title order={3} size="h4" mb="xs">
                  Left out, and why
                </Title>
                <List size="sm">
                  {data.notes.map((n) => (
                    <List.Item key={n}>{n}</List.Item>
                  ))}
                </List>
              </Paper>
            )}
            <Modal opened={confirming} onClose={close} title="Apply the plan to the PIM?">
              <Text size="sm" mb="md">
                Ferry will create or extend {count} item{count === 1 ? '' : 's'} in the PIM, in this order: {data.groups.map((g) => g.title.toLowerCase()).join(', ')}. Attributes cannot change type later.
              </Text>
              <Group justify="flex-end">
                <Button variant="default" onClick={close}>
                  Cancel
                </Button>
                <Button
                  loading={apply.isPending}
                  onClick={() =>
                    apply.mutate(data.planId, {
                      onSettled: close,
                    })
                  }
                >
                  Apply {count} change{count === 1 ? '' : 's'}
                </Button>
              </Group>
            </Modal>
          </Stack>
        )}
      </QueryState>
    </>
  );
}
