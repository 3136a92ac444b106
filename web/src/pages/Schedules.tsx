/**
 * Schedules: when Ferry runs by itself. Presets in words (nightly, every N hours, every 15
 * minutes, weekly full run) or a cron expression, in a time zone, with the next five fire times
 * computed by the server before saving; enable / disable; what happened at the last occurrence.
 */
import { Alert, Anchor, Badge, Button, Group, List, Modal, NumberInput, Paper, Select, SimpleGrid, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import { useDebouncedValue, useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { Link } from 'react-router';
import { scheduleInputSchema, schedulePreviewBodySchema, type Schedule, type ScheduleInput, type ScheduleMode, type ScheduleSpec } from '../../../src/server/api/contract.js';
import { useDeleteSchedule, useSaveSchedule, useScheduleOccurrences, useSchedulePreview, useSchedules } from '../api/hooks';
import { fieldErrors } from '../validation';
import { useSession } from '../api/session';
import { PageHeader } from '../components/PageHeader';
import { QueryState } from '../components/QueryState';
import { formatDateTime, formatRelative, modeLabel } from '../format';
import { describeSpec, WEEKDAYS } from '../schedule-words';
import { can } from '../roles';

function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  const zones = intl.supportedValuesOf?.('timeZone') ?? [];
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
}

const KIND_OPTIONS = [
  { value: 'nightly', label: 'Every night at a chosen time' },
  { value: 'everyHours', label: 'Every few hours' },
  { value: 'every15Minutes', label: 'Every 15 minutes' },
  { value: 'weeklyFull', label: 'Once a week, everything' },
  { value: 'cron', label: 'Cron expression (advanced)' },
];

function ScheduleForm({ initial, onDone }: { initial: Schedule | null; onDone: () => void }) {
  const [name, setName] = useState(initial?.name ?? 'Nightly import');
  const [spec, setSpec] = useState<ScheduleSpec>(initial?.spec ?? { kind: 'nightly', hour: 2, minute: 0 });
  const [timezone, setTimezone] = useState(initial?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC');
  const [mode, setMode] = useState<ScheduleMode>(initial?.mode ?? 'delta');
  const [enabled, setEnabled] = useState(initial?.enabled ?? true);
  const [count, setCount] = useState(5);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [previewInput] = useDebouncedValue({ spec, timezone, count }, 300);
  // The same schema as the server's: a spec that cannot be right is not even sent for a preview.
  const specValid = Object.keys(fieldErrors(schedulePreviewBodySchema, previewInput)).length === 0;
  const preview = useSchedulePreview(specValid ? previewInput : null);
  const past = useScheduleOccurrences(initial?.id ?? null);
  const save = useSaveSchedule();
  const changeKind = (kind: string | null) => {
    if (kind === 'nightly') setSpec({ kind, hour: 2, minute: 0 });
    else if (kind === 'everyHours') setSpec({ kind, hours: 4 });
    else if (kind === 'every15Minutes') setSpec({ kind });
    else if (kind === 'weeklyFull') setSpec({ kind, weekday: 0, hour: 3 });
    else if (kind === 'cron') setSpec({ kind, expression: '0 2 * * *' });
  };
  const submit = () => {
    const input: ScheduleInput = { name, spec, timezone, mode: spec.kind === 'weeklyFull' ? 'full' : mode, enabled };
    const bad = fieldErrors(scheduleInputSchema, input);
    setErrors(bad);
    if (Object.keys(bad).length > 0) return;
    save.mutate(
      { id: initial?.id, input },
      {
        // The card appearing (or changing) on the page says it is saved.
        onSuccess: onDone,
      },
    );
  };
  return (
    <Stack gap="md">
      {save.error && (
        <Alert color="red" role="alert" title="Could not save">
          {save.error.message}
        </Alert>
      )}
      <TextInput label="Name" value={name} onChange={(e) => setName(e.currentTarget.value)} required error={errors.name} />
      <Select label="When" data={KIND_OPTIONS} value={spec.kind} onChange={changeKind} allowDeselect={false} />
      {spec.kind === 'nightly' && (
        <Group grow>
          <NumberInput label="Hour (0–23)" min={0} max={23} value={spec.hour} onChange={(v) => setSpec({ ...spec, hour: Number(v) || 0 })} />
          <NumberInput label="Minute (0–59)" min={0} max={59} value={spec.minute ?? 0} onChange={(v) => setSpec({ ...spec, minute: Number(v) || 0 })} />
        </Group>
      )}
      {spec.kind === 'everyHours' && <NumberInput label="Every how many hours" min={1} max={24} value={spec.hours} onChange={(v) => setSpec({ ...spec, hours: Number(v) || 1 })} />}
      {spec.kind === 'weeklyFull' && (
        <Group grow>
          <Select label="Day" data={WEEKDAYS.map((d, i) => ({ value: String(i), label: d }))} value={String(spec.weekday)} onChange={(v) => setSpec({ ...spec, weekday: Number(v ?? 0) })} allowDeselect={false} />
          <NumberInput label="Hour (0–23)" min={0} max={23} value={spec.hour} onChange={(v) => setSpec({ ...spec, hour: Number(v) || 0 })} />
        </Group>
      )}
      {spec.kind === 'cron' && (
        <TextInput
          label="Cron expression"
          description="Five fields: minute hour day-of-month month day-of-week. Example: 30 1 * * 1-5 is 01:30 on weekdays."
          value={spec.expression}
          onChange={(e) => setSpec({ ...spec, expression: e.currentTarget.value })}
          error={errors['spec.expression']}
        />
      )}
      <Select label="Time zone" data={timeZones()} value={timezone} onChange={(v) => setTimezone(v ?? 'UTC')} searchable allowDeselect={false} />
      {spec.kind !== 'weeklyFull' && (
        <Select
          label="What to run"
          data={[
            { value: 'delta', label: modeLabel.delta! },
            { value: 'full', label: modeLabel.full! },
            { value: 'export', label: modeLabel.export! },
          ]}
          value={mode}
          onChange={(v) => setMode((v as ScheduleMode | null) ?? 'delta')}
          allowDeselect={false}
        />
      )}
      <Switch label="Enabled" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
      <div aria-live="polite">
        <Group justify="space-between" align="flex-end" mb={4}>
          <Text size="sm" fw={700} id="next-runs-title">
            Next {count} runs
          </Text>
          <Select
            label="Show"
            size="xs"
            w={150}
            data={[5, 10, 20, 50].map((n) => ({ value: String(n), label: `the next ${n}` }))}
            value={String(count)}
            onChange={(v) => setCount(Number(v ?? 5))}
            allowDeselect={false}
          />
        </Group>
        {!specValid ? (
          <Text size="sm" c="bad.9">
            {Object.values(fieldErrors(schedulePreviewBodySchema, previewInput))[0]}
          </Text>
        ) : preview.isError ? (
          <Text size="sm" c="bad.9">
            {preview.error.message}
          </Text>
        ) : (
          <List size="sm" data-testid="preview-next-runs" aria-labelledby="next-runs-title">
              {(preview.data?.nextRuns ?? []).map((t) => (
                <List.Item key={t}>
                  {formatDateTime(t, timezone)}{' '}
                  <Text span size="sm" c="dimmed">
                    ({formatRelative(t)})
                  </Text>
                </List.Item>
              ))}
          </List>
        )}
      </div>
      {initial && (
        <div>
          <Text size="sm" fw={700} id="past-title">
            What happened at its last times
          </Text>
          {past.data && past.data.items.length > 0 ? (
            <Table verticalSpacing={2} data-testid="past-occurrences" aria-labelledby="past-title">
              <Table.Tbody>
                {past.data.items.map((o) => (
                  <Table.Tr key={o.id}>
                    <Table.Td>{formatDateTime(o.scheduledFor, timezone)}</Table.Td>
                    <Table.Td>
                      {o.outcome === 'started' ? (
                        o.runId ? (
                          <Anchor component={Link} to={`/runs/${o.runId}`} size="sm">
                            started run #{o.runId}
                          </Anchor>
                        ) : (
                          'started'
                        )
                      ) : o.outcome === 'skipped' ? (
                        `skipped: ${o.reason ?? 'a run was already going'}`
                      ) : (
                        `could not start: ${o.reason ?? 'unknown reason'}`
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          ) : (
            <Text size="sm" c="dimmed">
              It has not fired yet.
            </Text>
          )}
        </div>
      )}
      <Group justify="flex-end">
        <Button variant="default" onClick={onDone}>
          Cancel
        </Button>
        <Button onClick={submit} loading={save.isPending}>
          Save the schedule
        </Button>
      </Group>
    </Stack>
  );
}

export function SchedulesPage() {
  const schedules = useSchedules();
  const session = useSession();
  const mayEdit = can(session.data?.user.role ?? 'viewer', 'schedules');
  const [opened, { open, close }] = useDisclosure(false);
  const [editing, setEditing] = useState<Schedule | null>(null);
  const save = useSaveSchedule();
  const remove = useDeleteSchedule();
  const toggle = (s: Schedule) =>
    save.mutate(
      { id: s.id, input: { name: s.name, spec: s.spec, timezone: s.timezone, mode: s.mode, enabled: !s.enabled } },
      { onError: (e) => notifications.show({ color: 'red', title: 'Could not change the schedule', message: e.message }) },
    );
  return (
    <>
      <PageHeader
        title="Schedules"
        help="When Ferry imports by itself. Only one run goes at a time: if a run is still going when the next one is due, that one is skipped, not queued."
        actions={
          mayEdit && (
            <Button
              onClick={() => {
                setEditing(null);
                open();
              }}
            >
              Add a schedule
            </Button>
          )
        }
      />
      <QueryState query={schedules} what="the schedules">
        {(data) =>
          data.items.length === 0 ? (
            <Paper>
              <Text>No schedule yet: Ferry only runs when someone starts it.</Text>
            </Paper>
          ) : (
            <SimpleGrid cols={{ base: 1, md: 2 }}>
              {data.items.map((s) => (
                <Paper key={s.id} component="section" aria-labelledby={`schedule-${s.id}`} data-testid="schedule-card">
                  <Group justify="space-between" mb="xs">
                    <Title order={3} size="h4" id={`schedule-${s.id}`}>
                      {s.name}
                    </Title>
                    <Badge color={s.enabled ? 'ok.9' : 'dark.7'}>{s.enabled ? 'On' : 'Off'}</Badge>
                  </Group>
                  <Text size="sm">
                    {describeSpec(s.spec)} ({s.timezone}) · {modeLabel[s.mode] ?? s.mode}
                  </Text>
                  <Text size="xs" c="dimmed" mb="sm">
                    cron: <code>{s.cron}</code>
                  </Text>
                  {s.enabled && (
                    <>
                      <Text size="sm" fw={700}>
                        Next runs
                      </Text>
                      <Table withRowBorders={false} verticalSpacing={2} data-testid="next-runs">
                        <Table.Tbody>
                          {s.nextRuns.map((t) => (
                            <Table.Tr key={t}>
                              <Table.Td>{formatDateTime(t, s.timezone)}</Table.Td>
                              <Table.Td c="dimmed">{formatRelative(t)}</Table.Td>
                            </Table.Tr>
                          ))}
                        </Table.Tbody>
                      </Table>
                    </>
                  )}
                  {s.lastOccurrence && (
                    <Text size="sm" mt="sm">
                      Last time ({formatDateTime(s.lastOccurrence.scheduledFor, s.timezone)}):{' '}
                      {s.lastOccurrence.outcome === 'started'
                        ? `started run #${s.lastOccurrence.runId ?? '?'}`
                        : s.lastOccurrence.outcome === 'skipped'
                          ? `skipped, ${s.lastOccurrence.reason ?? 'a run was already going'}`
                          : `could not start: ${s.lastOccurrence.reason ?? 'unknown reason'}`}
                    </Text>
                  )}
                  {mayEdit && (
                    <Group mt="md" gap="sm">
                      <Switch label={s.enabled ? 'Enabled' : 'Disabled'} checked={s.enabled} onChange={() => toggle(s)} />
                      <Button
                        size="xs"
                        variant="default"
                        onClick={() => {
                          setEditing(s);
                          open();
                        }}
                      >
                        Edit
                      </Button>
                      <Button
                        size="xs"
                        variant="subtle"
                        color="bad.9"
                        onClick={() => {
                          if (window.confirm(`Delete the schedule “${s.name}”?`)) remove.mutate(s.id);
                        }}
                      >
                        Delete
                      </Button>
                    </Group>
                  )}
                </Paper>
              ))}
            </SimpleGrid>
          )
        }
      </QueryState>
      <Modal opened={opened} onClose={close} title={editing ? `Edit “${editing.name}”` : 'Add a schedule'} size="lg">
        {opened && <ScheduleForm initial={editing} onDone={close} />}
      </Modal>
    </>
  );
}
