/**
 * `ferry pim bootstrap` in the Console, shared by the Bootstrap page and the first-run wizard's
 * "Prepare the PIM" step so both show the same thing from the same API (GET /bootstrap/plan,
 * POST /bootstrap/apply): the plan grouped (locales, attribute group, attributes, options,
 * families, family variants, category root), applied after a confirmation, with one result per
 * item. The page puts the actions in its header, the wizard under the plan: hence two parts
 * over one state (useBootstrap).
 */
import { Alert, Badge, Button, Group, List, Modal, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useId } from 'react';
import type { BootstrapApply, BootstrapItem } from '../../../src/server/api/contract.js';
import { useApplyBootstrap, useBootstrapPlan } from '../api/mapping';
import { QueryState } from './QueryState';

const OUTCOME: Record<BootstrapApply['results'][number]['outcome'], { color: string; label: string }> = {
  done: { color: 'ok', label: 'done' },
  failed: { color: 'bad', label: 'failed' },
  not_attempted: { color: 'warn', label: 'not attempted' },
};

/** The plan, its application and the confirmation dialog: one state for the actions and the body. */
export function useBootstrap() {
  const plan = useBootstrapPlan();
  const apply = useApplyBootstrap();
  const [confirming, confirm] = useDisclosure(false);
  /** Ready to go on: nothing to create, or everything applied without a failure. */
  const settled = plan.data?.empty === true || (apply.data !== undefined && apply.data.failed === 0);
  return { plan, apply, confirming, confirm, settled };
}
type Bootstrap = ReturnType<typeof useBootstrap>;

/** Plan again, and Apply (admins only; once per plan shown). */
export function BootstrapActions({ state, canApply }: { state: Bootstrap; canApply: boolean }) {
  const { plan, apply, confirm } = state;
  return (
    <>
      <Button
        variant="default"
        onClick={() => {
          apply.reset();
          void plan.refetch();
        }}
        loading={plan.isFetching}
      >
        Plan again
      </Button>
      <Button onClick={confirm.open} disabled={!plan.data || plan.data.empty || !canApply || !!apply.data}>
        Apply to the PIM…
      </Button>
    </>
  );
}

/** `labelledBy`: the id of the group's heading, which names the table (no caption repeating it under the table). */
function ItemsTable({ items, results, labelledBy }: { items: BootstrapItem[]; results: BootstrapApply['results'] | null; labelledBy: string }) {
  const resultOf = (i: BootstrapItem) => results?.find((r) => r.kind === i.kind && r.code === i.code);
  return (
    <Table.ScrollContainer minWidth={640}>
      <Table verticalSpacing="xs" horizontalSpacing="md" fz="sm" aria-labelledby={labelledBy}>
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

/** The apply's outcome, the plan's groups with each item's result, what was left out, and the confirmation. */
export function BootstrapPlanBody({ state }: { state: Bootstrap }) {
  const { plan, apply, confirming, confirm } = state;
  const count = plan.data?.groups.reduce((n, g) => n + g.items.length, 0) ?? 0;
  const headingId = useId();
  return (
    <>
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
          <Stack gap="md" data-testid="bootstrap-plan">
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
                  <Title order={3} size="h4" id={`${headingId}-${g.kind}`}>
                    {g.title}
                  </Title>
                  <Text size="sm" c="dimmed">
                    {g.items.length}
                  </Text>
                </Group>
                <ItemsTable items={g.items} results={apply.data?.results ?? null} labelledBy={`${headingId}-${g.kind}`} />
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
            <Modal opened={confirming} onClose={confirm.close} title="Apply the plan to the PIM?">
              <Text size="sm" mb="md">
                Ferry will create or extend {count} item{count === 1 ? '' : 's'} in the PIM, in this order: {data.groups.map((g) => g.title.toLowerCase()).join(', ')}. Attributes cannot change type later.
              </Text>
              <Group justify="flex-end">
                <Button variant="default" onClick={confirm.close}>
                  Cancel
                </Button>
                <Button loading={apply.isPending} onClick={() => apply.mutate(data.planId, { onSettled: confirm.close })}>
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
