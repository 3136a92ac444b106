/** Every save of ferry.yaml made from the Console: who, when, what changed; any one can be restored (a new save, validated like the others). */
import { Alert, Button, Code, Group, Modal, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { isConflict, problemsOf, useConfigFile, useConfigHistory, useConfigHistoryEntry, useRestoreConfig } from '../api/config';
import { useSession } from '../api/session';
import { PageHeader } from '../components/PageHeader';
import { Pager } from '../components/Pager';
import { QueryState } from '../components/QueryState';
import { formatDateTime } from '../format';

export function ConfigHistoryPage() {
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<number | null>(null);
  const history = useConfigHistory(page);
  const entry = useConfigHistoryEntry(open);
  const file = useConfigFile();
  const restore = useRestoreConfig();
  const session = useSession();
  const isAdmin = session.data?.user.role === 'admin';
  const doRestore = (id: number) => {
    if (!file.data) return;
    restore.mutate(
      { id, baseVersion: file.data.version },
      {
        onSuccess: (r) => {
          setOpen(null);
          notifications.show({ color: 'green', title: 'Restored', message: r.saved ? `ferry.yaml is back to version #${id}.` : 'The file already had that content.' });
        },
        onError: (e) => {
          const problems = problemsOf(e);
          notifications.show({
            color: 'red',
            title: 'Not restored',
            message: problems ? problems.map((p) => `${p.path}: ${p.message}`).join('\n') : isConflict(e) ? 'ferry.yaml changed meanwhile; reload the page and try again.' : (e as Error).message,
          });
        },
      },
    );
  };
  return (
    <>
      <PageHeader title="Configuration history" help="Each save of ferry.yaml made in the Console, with who made it and what changed. Restoring writes that version back as a new save." />
      <QueryState query={history} what="the history">
        {(data) =>
          data.items.length === 0 ? (
            <Alert color="gray">No change has been saved from the Console yet.</Alert>
          ) : (
            <>
              <Table striped highlightOnHover data-testid="config-history">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>#</Table.Th>
                    <Table.Th>When</Table.Th>
                    <Table.Th>Who</Table.Th>
                    <Table.Th>What</Table.Th>
                    <Table.Th>Lines</Table.Th>
                    <Table.Th />
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.items.map((h) => (
                    <Table.Tr key={h.id}>
                      <Table.Td>{h.id}</Table.Td>
                      <Table.Td>{formatDateTime(h.at)}</Table.Td>
                      <Table.Td>{h.actor.replace(/^user:/, '')}</Table.Td>
                      <Table.Td>{h.note ?? ''}</Table.Td>
                      <Table.Td>
                        <Text span c="green">
                          +{h.added}
                        </Text>{' '}
                        <Text span c="red">
                          −{h.removed}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Button size="xs" variant="default" onClick={() => setOpen(h.id)}>
                          Show
                        </Button>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              <Pager page={page} pageSize={data.pageSize} total={data.total} onChange={setPage} label="saves" />
            </>
          )
        }
      </QueryState>
      <Modal opened={open !== null} onClose={() => setOpen(null)} title={`Change #${open ?? ''}`} size="xl">
        {entry.data && (
          <>
            <Code block style={{ whiteSpace: 'pre', maxHeight: 420, overflow: 'auto' }}>
              {entry.data.diff || '(no change)'}
            </Code>
            <Group justify="flex-end" mt="md">
              {isAdmin && (
                <Button onClick={() => doRestore(entry.data.id)} loading={restore.isPending}>
                  Restore this version
                </Button>
              )}
            </Group>
          </>
        )}
      </Modal>
    </>
  );
}
