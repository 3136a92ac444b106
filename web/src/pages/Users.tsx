/** Users (administrators): accounts and roles, the audit log of who did what, personal API tokens. */
import { Alert, Badge, Button, Code, Group, Modal, Paper, PasswordInput, Select, Stack, Table, Tabs, Text, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { ROLES, type User } from '../../../src/server/api/contract.js';
import { useAudit, useCreateToken, useCreateUser, useDeleteToken, useDeleteUser, useTokens, useUpdateUser, useUsers } from '../api/hooks';
import { useSession } from '../api/session';
import { PageHeader } from '../components/PageHeader';
import { Pager } from '../components/Pager';
import { QueryState } from '../components/QueryState';
import { formatDateTime } from '../format';

const roleWords: Record<string, string> = {
  admin: 'Administrator: everything, including users and notifications',
  operator: 'Operator: starts and stops runs, edits schedules',
  viewer: 'Viewer: looks only',
};

function AddUser({ onDone }: { onDone: () => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<string>('viewer');
  const [password, setPassword] = useState('');
  const create = useCreateUser();
  return (
    <Stack gap="sm">
      {create.error && (
        <Alert color="red" role="alert" title="Could not add the user">
          {create.error.message}
        </Alert>
      )}
      <TextInput label="User name" description="Letters, digits and . _ @ - only." value={name} onChange={(e) => setName(e.currentTarget.value)} required autoComplete="off" />
      <Select label="Role" data={ROLES.map((r) => ({ value: r, label: roleWords[r]! }))} value={role} onChange={(v) => setRole(v ?? 'viewer')} allowDeselect={false} />
      <PasswordInput label="Password" description="At least 10 characters. Tell it to the person another way than e-mail." value={password} onChange={(e) => setPassword(e.currentTarget.value)} required autoComplete="new-password" />
      <Group justify="flex-end">
        <Button variant="default" onClick={onDone}>
          Cancel
        </Button>
        <Button loading={create.isPending} onClick={() => create.mutate({ name, role, password }, { onSuccess: onDone })}>
          Add the user
        </Button>
      </Group>
    </Stack>
  );
}

function Accounts() {
  const users = useUsers();
  const me = useSession().data?.user;
  const update = useUpdateUser();
  const remove = useDeleteUser();
  const [adding, addCtl] = useDisclosure(false);
  const onError = (e: Error) => notifications.show({ color: 'red', title: 'Could not change the user', message: e.message });
  return (
    <>
      <Group justify="flex-end" mb="sm">
        <Button onClick={addCtl.open}>Add a user</Button>
      </Group>
      <QueryState query={users} what="the users">
        {(data) => (
          <Paper p={0}>
            <Table.ScrollContainer minWidth={560}>
            <Table verticalSpacing="sm" horizontalSpacing="md" data-testid="users-table">
              <Table.Caption>People who can sign in</Table.Caption>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">User</Table.Th>
                  <Table.Th scope="col">Role</Table.Th>
                  <Table.Th scope="col">Last sign-in</Table.Th>
                  <Table.Th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {data.items.map((u: User) => (
                  <Table.Tr key={u.id}>
                    <Table.Td>
                      {u.name} {u.disabled && <Badge color="dark.7">disabled</Badge>}
                    </Table.Td>
                    <Table.Td>
                      <Select
                        aria-label={`Role of ${u.name}`}
                        data={ROLES.map((r) => ({ value: r, label: r }))}
                        value={u.role}
                        disabled={u.id === me?.id}
                        onChange={(v) => v && update.mutate({ id: u.id, input: { role: v } }, { onError })}
                        allowDeselect={false}
                        w={140}
                        size="xs"
                      />
                    </Table.Td>
                    <Table.Td>{u.lastLoginAt ? formatDateTime(u.lastLoginAt) : 'never'}</Table.Td>
                    <Table.Td>
                      {u.id !== me?.id && (
                        <Group gap="xs">
                          <Button size="xs" variant="default" onClick={() => update.mutate({ id: u.id, input: { disabled: !u.disabled } }, { onError })}>
                            {u.disabled ? 'Enable' : 'Disable'}
                          </Button>
                          <Button size="xs" variant="subtle" color="bad.9" onClick={() => window.confirm(`Delete the user ${u.name}?`) && remove.mutate(u.id, { onError })}>
                            Delete
                          </Button>
                        </Group>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
            </Table.ScrollContainer>
          </Paper>
        )}
      </QueryState>
      <Modal opened={adding} onClose={addCtl.close} title="Add a user">
        {adding && <AddUser onDone={addCtl.close} />}
      </Modal>
    </>
  );
}

function AuditLog() {
  const [page, setPage] = useState(1);
  const audit = useAudit(page);
  return (
    <QueryState query={audit} what="the audit log">
      {(data) => (
        <Paper p={0}>
          <Table.ScrollContainer minWidth={600}>
          <Table verticalSpacing="xs" horizontalSpacing="md" fz="sm">
            <Table.Caption>Who changed what, newest first</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">When</Table.Th>
                <Table.Th scope="col">Who</Table.Th>
                <Table.Th scope="col">What</Table.Th>
                <Table.Th scope="col">On</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.items.map((a) => (
                <Table.Tr key={a.id}>
                  <Table.Td>{formatDateTime(a.at)}</Table.Td>
                  <Table.Td>{a.actor}</Table.Td>
                  <Table.Td>{a.action}</Table.Td>
                  <Table.Td>{a.target ?? ''}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          </Table.ScrollContainer>
          <div style={{ padding: '0 20px 10px' }}>
            <Pager page={data.page} pageSize={data.pageSize} total={data.total} onChange={setPage} label="Pages of the audit log" />
          </div>
        </Paper>
      )}
    </QueryState>
  );
}

function Tokens() {
  const tokens = useTokens();
  const create = useCreateToken();
  const remove = useDeleteToken();
  const [name, setName] = useState('');
  return (
    <Stack gap="md">
      <Text size="sm">A token lets a script or a CI job start runs as you. Send it as the header Authorization: Bearer &lt;token&gt;.</Text>
      <Group align="flex-end">
        <TextInput label="Token name" placeholder="e.g. nightly-ci" value={name} onChange={(e) => setName(e.currentTarget.value)} />
        <Button onClick={() => create.mutate(name, { onSuccess: () => setName('') })} loading={create.isPending} disabled={!name.trim()}>
          Create a token
        </Button>
      </Group>
      {create.data && (
        <Alert color="akeneo" title={`Token “${create.data.name}”`}>
          <Text size="sm" mb="xs">
            Copy it now: it is shown only this once.
          </Text>
          <Code block>{create.data.token}</Code>
        </Alert>
      )}
      {create.error && (
        <Alert color="red" role="alert">
          {create.error.message}
        </Alert>
      )}
      <QueryState query={tokens} what="your tokens">
        {(data) =>
          data.items.length === 0 ? (
            <Text size="sm">No token yet.</Text>
          ) : (
            <Paper p={0}>
              <Table.ScrollContainer minWidth={600}>
              <Table verticalSpacing="xs" horizontalSpacing="md">
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th scope="col">Name</Table.Th>
                    <Table.Th scope="col">Starts with</Table.Th>
                    <Table.Th scope="col">Created</Table.Th>
                    <Table.Th scope="col">Last used</Table.Th>
                    <Table.Th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.items.map((t) => (
                    <Table.Tr key={t.id}>
                      <Table.Td>{t.name}</Table.Td>
                      <Table.Td>
                        <code>{t.prefix}…</code>
                      </Table.Td>
                      <Table.Td>{formatDateTime(t.createdAt)}</Table.Td>
                      <Table.Td>{t.lastUsedAt ? formatDateTime(t.lastUsedAt) : 'never'}</Table.Td>
                      <Table.Td>
                        <Button size="xs" variant="subtle" color="bad.9" onClick={() => remove.mutate(t.id)}>
                          Revoke
                        </Button>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
              </Table.ScrollContainer>
            </Paper>
          )
        }
      </QueryState>
    </Stack>
  );
}

export function UsersPage() {
  return (
    <>
      <PageHeader title="Users" help="Who can sign in to the Console and what they may do, who did what, and tokens for scripts." />
      <Tabs defaultValue="accounts" keepMounted={false}>
        <Tabs.List mb="md">
          <Tabs.Tab value="accounts">Accounts</Tabs.Tab>
          <Tabs.Tab value="audit">Audit log</Tabs.Tab>
          <Tabs.Tab value="tokens">API tokens</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="accounts">
          <Accounts />
        </Tabs.Panel>
        <Tabs.Panel value="audit">
          <AuditLog />
        </Tabs.Panel>
        <Tabs.Panel value="tokens">
          <Tokens />
        </Tabs.Panel>
      </Tabs>
    </>
  );
}
