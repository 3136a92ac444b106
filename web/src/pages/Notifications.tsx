/**
 * Notifications: where Ferry tells people something happened (e-mail, webhook, Slack, Teams),
 * and when (rules). Each channel has Send test and shows its delivery errors.
 */
import { Alert, Badge, Button, Code, Group, Modal, MultiSelect, NumberInput, Paper, PasswordInput, Select, SimpleGrid, Stack, Switch, Table, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useState } from 'react';
import { RULE_KINDS, ruleInputSchema, type Channel, type ChannelInput, type Rule, type RuleInput } from '../../../src/server/api/contract.js';
import { useChannels, useDeleteChannel, useDeleteRule, useDeliveries, useRules, useSaveChannel, useSaveRule, useTestChannel } from '../api/hooks';
import { useSession } from '../api/session';
import { PageHeader } from '../components/PageHeader';
import { QueryState } from '../components/QueryState';
import { formatDateTime, formatRelative } from '../format';
import { fieldErrors } from '../validation';

const typeLabel: Record<string, string> = { email: 'E-mail', webhook: 'Webhook', slack: 'Slack', teams: 'Microsoft Teams' };

const ruleWords: Record<string, { label: string; threshold?: string }> = {
  run_failed: { label: 'A run fails' },
  rejects_count: { label: 'A run refuses at least N records', threshold: 'N (records)' },
  rejects_percent: { label: 'A run refuses at least X % of the records', threshold: 'X (%)' },
  stuck: { label: 'A run is not finished after T minutes', threshold: 'T (minutes)' },
  no_success: { label: 'No successful run for D hours', threshold: 'D (hours)' },
  back_to_normal: { label: 'Things are back to normal after a failure' },
};

function Deliveries({ channelId }: { channelId: number }) {
  const deliveries = useDeliveries(channelId);
  return (
    <QueryState query={deliveries} what="the deliveries">
      {(page) =>
        page.items.length === 0 ? (
          <Text size="sm" c="dimmed">
            Nothing sent yet.
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={420}>
          <Table verticalSpacing={4} fz="sm">
            <Table.Caption>Last messages sent on this channel</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">When</Table.Th>
                <Table.Th scope="col">Why</Table.Th>
                <Table.Th scope="col">Result</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {page.items.map((d) => (
                <Table.Tr key={d.id}>
                  <Table.Td>{formatDateTime(d.at)}</Table.Td>
                  <Table.Td>{d.event}</Table.Td>
                  <Table.Td c={d.ok ? 'ok.9' : 'bad.9'}>{d.ok ? `delivered (${d.attempts} attempt${d.attempts > 1 ? 's' : ''})` : `failed after ${d.attempts} attempts: ${d.error ?? ''}`}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          </Table.ScrollContainer>
        )
      }
    </QueryState>
  );
}

function ChannelCard({ channel, onEdit }: { channel: Channel; onEdit: () => void }) {
  const test = useTestChannel();
  const remove = useDeleteChannel();
  const [showDeliveries, setShowDeliveries] = useState(false);
  return (
    <Paper component="section" aria-labelledby={`channel-${channel.id}`} data-testid="channel-card">
      <Group justify="space-between" mb="xs">
        <Title order={4} size="h5" id={`channel-${channel.id}`}>
          {channel.name}
        </Title>
        <Group gap={6}>
          <Badge color="akeneo.8">{typeLabel[channel.type]}</Badge>
          <Badge color={channel.enabled ? 'ok.9' : 'dark.7'}>{channel.enabled ? 'On' : 'Off'}</Badge>
        </Group>
      </Group>
      <Text size="sm" style={{ wordBreak: 'break-all' }}>
        {channel.target}
      </Text>
      {channel.lastDelivery && (
        <Text size="sm" c={channel.lastDelivery.ok ? 'ok.9' : 'bad.9'} mt={4}>
          Last message {formatRelative(channel.lastDelivery.at)}: {channel.lastDelivery.ok ? 'delivered' : `not delivered — ${channel.lastDelivery.error ?? 'unknown error'}`}
        </Text>
      )}
      {test.data && (
        <Alert color={test.data.ok ? 'green' : 'red'} mt="sm" role="status" title={test.data.ok ? 'Test message sent' : 'The test message could not be sent'}>
          {test.data.ok ? `Delivered after ${test.data.attempts} attempt(s). Check that it arrived.` : test.data.error}
        </Alert>
      )}
      {test.error && (
        <Alert color="red" mt="sm" role="alert">
          {test.error.message}
        </Alert>
      )}
      <Group mt="sm" gap="sm">
        <Button size="xs" onClick={() => test.mutate(channel.id)} loading={test.isPending}>
          Send test
        </Button>
        <Button size="xs" variant="default" onClick={onEdit}>
          Edit
        </Button>
        <Button size="xs" variant="default" onClick={() => setShowDeliveries((v) => !v)} aria-expanded={showDeliveries}>
          {showDeliveries ? 'Hide messages sent' : 'Messages sent'}
        </Button>
        <Button size="xs" variant="subtle" color="bad.9" onClick={() => window.confirm(`Delete the channel “${channel.name}”?`) && remove.mutate(channel.id)}>
          Delete
        </Button>
      </Group>
      {showDeliveries && (
        <div style={{ marginTop: 10 }}>
          <Deliveries channelId={channel.id} />
        </div>
      )}
    </Paper>
  );
}

function ChannelForm({ initial, onDone }: { initial: Channel | null; onDone: () => void }) {
  const [type, setType] = useState<Channel['type']>(initial?.type ?? 'email');
  const [name, setName] = useState(initial?.name ?? '');
  const [enabled, setEnabled] = useState(initial?.enabled ?? true);
  const [host, setHost] = useState(initial?.email?.host ?? '');
  const [port, setPort] = useState<number>(initial?.email?.port ?? 587);
  const [secure, setSecure] = useState(initial?.email?.secure ?? false);
  const [username, setUsername] = useState(initial?.email?.username ?? '');
  const [password, setPassword] = useState('');
  const [from, setFrom] = useState(initial?.email?.from ?? '');
  const [to, setTo] = useState<string[]>(initial?.email?.to ?? []);
  const [url, setUrl] = useState(initial?.type === 'webhook' ? initial.target : '');
  const [secret, setSecret] = useState('');
  const save = useSaveChannel();
  const [secretOnce, setSecretOnce] = useState<string | null>(null);
  const input = (): ChannelInput => {
    if (type === 'email') return { type, name, enabled, host, port, secure, username: username || undefined, password: password || undefined, from, to };
    if (type === 'webhook') return { type, name, enabled, url, secret: secret || undefined };
    return { type, name, enabled, url: url || undefined };
  };
  if (secretOnce) {
    return (
      <Stack>
        <Alert color="akeneo" title="The webhook's signing secret">
          <Text size="sm" mb="xs">
            Copy it now into the receiving system: it is shown only this once. Ferry signs each message with it (header X-Ferry-Signature, HMAC-SHA256).
          </Text>
          <Code block>{secretOnce}</Code>
        </Alert>
        <Button onClick={onDone}>Done</Button>
      </Stack>
    );
  }
  return (
    <Stack gap="sm">
      {save.error && (
        <Alert color="red" role="alert" title="Could not save">
          {save.error.message}
        </Alert>
      )}
      <Select label="Kind" data={Object.entries(typeLabel).map(([value, label]) => ({ value, label }))} value={type} onChange={(v) => setType((v as Channel['type']) ?? 'email')} disabled={!!initial} allowDeselect={false} />
      <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} required />
      {type === 'email' && (
        <>
          <Group grow>
            <TextInput label="Mail server (SMTP)" value={host} onChange={(e) => setHost(e.currentTarget.value)} required />
            <NumberInput label="Port" min={1} max={65535} value={port} onChange={(v) => setPort(Number(v) || 587)} />
          </Group>
          <Switch label="TLS from the first byte (port 465); otherwise STARTTLS when offered" checked={secure} onChange={(e) => setSecure(e.currentTarget.checked)} />
          <Group grow>
            <TextInput label="User name (optional)" value={username} onChange={(e) => setUsername(e.currentTarget.value)} autoComplete="off" />
            <PasswordInput
              label="Password (optional)"
              description={initial?.hasSecret ? 'A password is stored; leave empty to keep it.' : undefined}
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              autoComplete="new-password"
            />
          </Group>
          <TextInput label="From" type="email" value={from} onChange={(e) => setFrom(e.currentTarget.value)} required />
          <TagsInput label="To" description="Press Enter after each address." value={to} onChange={setTo} />
        </>
      )}
      {type === 'webhook' && (
        <>
          <TextInput label="Address (URL)" value={url} onChange={(e) => setUrl(e.currentTarget.value)} required placeholder="https://example.com/ferry-hook" />
          <PasswordInput
            label="Signing secret (optional)"
            description={initial?.hasSecret ? 'A secret is stored; leave empty to keep it.' : 'Leave empty and Ferry makes one and shows it once.'}
            value={secret}
            onChange={(e) => setSecret(e.currentTarget.value)}
            autoComplete="new-password"
          />
        </>
      )}
      {(type === 'slack' || type === 'teams') && (
        <PasswordInput
          label={`${typeLabel[type]} incoming webhook URL`}
          description={initial?.hasSecret ? 'A URL is stored; leave empty to keep it. It is a secret: Ferry never shows it again.' : 'It is a secret: Ferry never shows it again.'}
          value={url}
          onChange={(e) => setUrl(e.currentTarget.value)}
          autoComplete="off"
        />
      )}
      <Switch label="Enabled" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
      <Group justify="flex-end">
        <Button variant="default" onClick={onDone}>
          Cancel
        </Button>
        <Button
          loading={save.isPending}
          onClick={() =>
            save.mutate(
              { id: initial?.id, input: input() },
              {
                onSuccess: (c) => {
                  if (c.secretOnce) setSecretOnce(c.secretOnce);
                  else onDone();
                },
              },
            )
          }
        >
          Save the channel
        </Button>
      </Group>
    </Stack>
  );
}

/** Add or change a rule; checked with the contract's schema before it is sent (the server checks again). */
function RuleForm({ channels, initial, onDone }: { channels: Channel[]; initial: Rule | null; onDone: () => void }) {
  const [kind, setKind] = useState<Rule['kind']>(initial?.kind ?? 'run_failed');
  const [threshold, setThreshold] = useState<number | string>(initial?.threshold ?? '');
  const [channelIds, setChannelIds] = useState<string[]>(initial ? initial.channelIds.map(String) : channels.map((c) => String(c.id)));
  const [enabled, setEnabled] = useState(initial?.enabled ?? true);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const save = useSaveRule();
  const words = ruleWords[kind]!;
  const submit = () => {
    const input: RuleInput = { kind, threshold: words.threshold && threshold !== '' ? Number(threshold) : null, channelIds: channelIds.map(Number), enabled };
    const bad = fieldErrors(ruleInputSchema, input);
    setErrors(bad);
    if (Object.keys(bad).length > 0) return;
    save.mutate({ ...(initial ? { id: initial.id } : {}), input }, { onSuccess: onDone });
  };
  return (
    <Stack gap="sm">
      {save.error && (
        <Alert color="red" role="alert" title="Could not save">
          {save.error.message}
        </Alert>
      )}
      <Select label="Tell me when" data={RULE_KINDS.map((k) => ({ value: k, label: ruleWords[k]!.label }))} value={kind} onChange={(v) => setKind((v as Rule['kind']) ?? 'run_failed')} allowDeselect={false} />
      {words.threshold && <NumberInput label={words.threshold} min={1} value={threshold} onChange={setThreshold} required error={errors.threshold} />}
      <MultiSelect
        label="Send to"
        data={channels.map((c) => ({ value: String(c.id), label: c.name }))}
        value={channelIds}
        onChange={setChannelIds}
        error={errors.channelIds ? 'Choose at least one channel.' : undefined}
      />
      <Switch label="Enabled" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
      <Group justify="flex-end">
        <Button variant="default" onClick={onDone}>
          Cancel
        </Button>
        <Button loading={save.isPending} onClick={submit}>
          Save the rule
        </Button>
      </Group>
    </Stack>
  );
}

export function NotificationsPage() {
  const session = useSession();
  const isAdmin = session.data?.user.role === 'admin';
  const channels = useChannels(isAdmin);
  const rules = useRules(isAdmin);
  const saveRule = useSaveRule();
  const deleteRule = useDeleteRule();
  const [channelModal, channelModalCtl] = useDisclosure(false);
  const [ruleModal, ruleModalCtl] = useDisclosure(false);
  const [editing, setEditing] = useState<Channel | null>(null);
  const [editingRule, setEditingRule] = useState<Rule | null>(null);
  if (!isAdmin) {
    return (
      <>
        <PageHeader title="Notifications" />
        <Alert color="gray" title="Only administrators manage notifications">
          Ask an administrator to add your e-mail address to a channel.
        </Alert>
      </>
    );
  }
  const channelName = (id: number) => channels.data?.items.find((c) => c.id === id)?.name ?? `#${id}`;
  return (
    <>
      <PageHeader title="Notifications" help="Ferry can tell you when something goes wrong, by e-mail, Slack, Microsoft Teams or a webhook. A channel that fails never stops a run." />
      <Stack gap="lg">
        <div>
          <Group justify="space-between" mb="sm">
            <Title order={3} size="h4">
              Channels: where messages go
            </Title>
            <Button
              onClick={() => {
                setEditing(null);
                channelModalCtl.open();
              }}
            >
              Add a channel
            </Button>
          </Group>
          <QueryState query={channels} what="the channels">
            {(data) =>
              data.items.length === 0 ? (
                <Paper>
                  <Text>No channel yet.</Text>
                </Paper>
              ) : (
                <SimpleGrid cols={{ base: 1, md: 2 }}>
                  {data.items.map((c) => (
                    <ChannelCard
                      key={c.id}
                      channel={c}
                      onEdit={() => {
                        setEditing(c);
                        channelModalCtl.open();
                      }}
                    />
                  ))}
                </SimpleGrid>
              )
            }
          </QueryState>
        </div>
        <div>
          <Group justify="space-between" mb="sm">
            <Title order={3} size="h4">
              Rules: when to send
            </Title>
            <Button
              onClick={() => {
                setEditingRule(null);
                ruleModalCtl.open();
              }}
              disabled={!channels.data?.items.length}
            >
              Add a rule
            </Button>
          </Group>
          <QueryState query={rules} what="the rules">
            {(data) =>
              data.items.length === 0 ? (
                <Paper>
                  <Text>No rule yet: add a channel, then a rule.</Text>
                </Paper>
              ) : (
                <Paper p={0}>
                  <Table.ScrollContainer minWidth={560}>
                  <Table verticalSpacing="sm" horizontalSpacing="md">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th scope="col">When</Table.Th>
                        <Table.Th scope="col">Send to</Table.Th>
                        <Table.Th scope="col">On</Table.Th>
                        <Table.Th scope="col">
                          <span className="visually-hidden">Actions</span>
                        </Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {data.items.map((r) => (
                        <Table.Tr key={r.id}>
                          <Table.Td>{r.description}</Table.Td>
                          <Table.Td>{r.channelIds.map(channelName).join(', ')}</Table.Td>
                          <Table.Td>
                            <Switch
                              aria-label={`Rule “${r.description}” enabled`}
                              checked={r.enabled}
                              onChange={() => saveRule.mutate({ id: r.id, input: { kind: r.kind, threshold: r.threshold, channelIds: r.channelIds, enabled: !r.enabled } })}
                            />
                          </Table.Td>
                          <Table.Td>
                            <Group gap="xs" wrap="nowrap">
                              <Button
                                size="xs"
                                variant="default"
                                aria-label={`Edit the rule “${r.description}”`}
                                onClick={() => {
                                  setEditingRule(r);
                                  ruleModalCtl.open();
                                }}
                              >
                                Edit
                              </Button>
                              <Button
                                size="xs"
                                variant="subtle"
                                color="bad.9"
                                aria-label={`Delete the rule “${r.description}”`}
                                onClick={() => {
                                  if (window.confirm(`Delete the rule “${r.description}”?`)) deleteRule.mutate(r.id);
                                }}
                              >
                                Delete
                              </Button>
                            </Group>
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
        </div>
      </Stack>
      <Modal opened={channelModal} onClose={channelModalCtl.close} title={editing ? `Edit “${editing.name}”` : 'Add a channel'} size="lg">
        {channelModal && <ChannelForm initial={editing} onDone={channelModalCtl.close} />}
      </Modal>
      <Modal opened={ruleModal} onClose={ruleModalCtl.close} title={editingRule ? 'Change the rule' : 'Add a rule'} size="md">
        {ruleModal && <RuleForm channels={channels.data?.items ?? []} initial={editingRule} onDone={ruleModalCtl.close} />}
      </Modal>
    </>
  );
}
