/**
 * Run now: what to import (changes only, everything, chosen SKUs, one category, changed since a
 * date), optionally previewed first (a dry run showing what would be created and updated, with
 * the values), then applied; then the live progress of the run.
 */
import { Alert, Anchor, Badge, Button, Checkbox, Code, Group, Paper, Radio, ScrollArea, Stack, Select, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMemo, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import type { Job, StartRunBody } from '../../../src/server/api/contract.js';
import { useErpCategories, useJob, useStartRun } from '../api/hooks';
import { useSession } from '../api/session';
import { LiveProgress } from '../components/LiveProgress';
import { PageHeader } from '../components/PageHeader';
import { categoryOptions, parseKeys } from '../categories';
import { entityLabel, entitySingular, formatCount } from '../format';
import { changeLabel, formatPlanValue } from '../plan-values';
import { can } from '../roles';

type Mode = NonNullable<StartRunBody['mode']>;

const ACTION_WORDS: Record<string, string> = { create: 'to create', update: 'to update', unchanged: 'unchanged', delete: 'to remove', skip: 'skipped', reject: 'would be refused' };

type Planned = NonNullable<NonNullable<NonNullable<Job['report']>['plan']>['payloads']>[number];

/** One record of the plan: its before / after table (or the body itself when the server sent no comparison). */
function PlannedRecord({ planned }: { planned: Planned }) {
  const title = `${entitySingular[planned.entityType] ?? planned.entityType} ${planned.code}`;
  return (
    <div>
      <Group gap="xs" mb={4} wrap="nowrap">
        <Badge color={planned.action === 'create' ? 'ok.9' : 'akeneo.8'}>{ACTION_WORDS[planned.action] ?? planned.action}</Badge>
        <Text size="sm" fw={700}>
          {entitySingular[planned.entityType] ?? planned.entityType}{' '}
          <Text span size="sm" ff="monospace" fw={400} style={{ overflowWrap: 'anywhere' }}>
            {planned.code}
          </Text>
        </Text>
      </Group>
      {planned.beforeError && (
        <Text size="xs" c="dimmed">
          {planned.beforeError}
        </Text>
      )}
      {planned.changes ? (
        <Table.ScrollContainer minWidth={360}>
          <Table verticalSpacing={4} withTableBorder data-testid="plan-record">
            <Table.Caption>Changes to {title}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Value</Table.Th>
                <Table.Th scope="col">In Akeneo now</Table.Th>
                <Table.Th scope="col">After the run</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {planned.changes.map((c, j) => (
                <Table.Tr key={j}>
                  <Table.Th scope="row" fw={400}>
                    {changeLabel(c)}
                  </Table.Th>
                  <Table.Td c={c.before === null ? 'dimmed' : undefined} style={{ overflowWrap: 'anywhere' }}>
                    {formatPlanValue(c.before)}
                  </Table.Td>
                  <Table.Td fw={700} style={{ overflowWrap: 'anywhere' }}>
                    {formatPlanValue(c.after)}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      ) : (
        <Code block>{JSON.stringify(planned.payload, null, 2)}</Code>
      )}
    </div>
  );
}

function Plan({ job, onApply, applying }: { job: Job; onApply: () => void; applying: boolean }) {
  const plan = job.report?.plan;
  const payloads = plan?.payloads ?? [];
  return (
    <Paper component="section" aria-labelledby="plan-title">
      <Title order={3} size="h4" id="plan-title" mb="sm">
        Preview: what this run would do
      </Title>
      {!plan ? (
        <Text>The preview has no plan to show.</Text>
      ) : (
        <Stack gap="sm">
          <Table.ScrollContainer minWidth={640}>
          <Table>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Kind</Table.Th>
                {Object.keys(ACTION_WORDS).map((a) => (
                  <Table.Th scope="col" key={a} ta="right">
                    {ACTION_WORDS[a]}
                  </Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {Object.entries(plan.actions).map(([type, actions]) => (
                <Table.Tr key={type}>
                  <Table.Th scope="row" fw={400}>
                    {entityLabel[type] ?? type}
                  </Table.Th>
                  {Object.keys(ACTION_WORDS).map((a) => (
                    <Table.Td key={a} ta="right">
                      {formatCount(actions[a] ?? 0)}
                    </Table.Td>
                  ))}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          </Table.ScrollContainer>
          {payloads.length > 0 && (
            <>
              <Text size="sm">
                The changes, record by record: each value as it is in Akeneo now and as the run would send it (only the values that change are sent).
                {payloads.length > 100 ? ` The first 100 of ${formatCount(payloads.length)} records are shown.` : ''}
              </Text>
              <ScrollArea.Autosize mah={480} type="auto">
                <Stack gap="md" data-testid="plan-changes">
                  {payloads.slice(0, 100).map((p, i) => (
                    <PlannedRecord key={i} planned={p} />
                  ))}
                </Stack>
              </ScrollArea.Autosize>
            </>
          )}
          {job.report && job.report.rejects.length > 0 && (
            <Alert color="warn" title={job.report.rejects.length === 1 ? '1 record would be refused' : `${formatCount(job.report.rejects.length)} records would be refused`}>
              {job.report.rejects.slice(0, 5).map((r, i) => (
                <Text size="sm" key={i}>
                  {r.key}: {r.message}
                  {r.fix ? ` — ${r.fix}` : ''}
                </Text>
              ))}
            </Alert>
          )}
          <Group>
            <Button onClick={onApply} loading={applying}>
              Apply: run it for real
            </Button>
          </Group>
        </Stack>
      )}
    </Paper>
  );
}

export function RunNowPage() {
  const session = useSession();
  const mayRun = can(session.data?.user.role ?? 'viewer', 'run');
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const [mode, setMode] = useState<Mode>('delta');
  const [keysText, setKeysText] = useState('');
  const [category, setCategory] = useState<string | null>(null);
  const [since, setSince] = useState('');
  const [preview, setPreview] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const categories = useErpCategories(mode === 'category');
  const options = useMemo(() => categoryOptions(categories.data?.items ?? []), [categories.data]);
  const start = useStartRun();
  const jobId = params.get('job');
  const job = useJob(jobId);

  const body = (): StartRunBody | string => {
    if (mode === 'keys') {
      const keys = parseKeys(keysText);
      return keys.length ? { mode, keys } : 'Type at least one SKU.';
    }
    if (mode === 'category') return category ? { mode, category } : 'Choose a category.';
    if (mode === 'since') {
      const t = Date.parse(since);
      return Number.isNaN(t) ? 'Choose a date and time.' : { mode, since: new Date(t).toISOString() };
    }
    return { mode };
  };

  const launch = (dryRun: boolean) => {
    const b = body();
    if (typeof b === 'string') {
      setError(b);
      return;
    }
    setError(null);
    start.mutate(
      { ...b, dryRun },
      {
        onSuccess: (started) => {
          if (!dryRun && started.runId) navigate(`/runs/${started.runId}`);
          else setParams({ job: started.jobId });
        },
        onError: (e) => notifications.show({ color: 'red', title: 'Could not start the run', message: e.message }),
      },
    );
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    launch(preview);
  };

  if (!mayRun) {
    return (
      <>
        <PageHeader title="Run now" />
        <Alert color="gray" title="Your role cannot start runs">
          Viewers can follow the runs but not start them. Ask an administrator for the operator role.
        </Alert>
      </>
    );
  }

  const current = job.data;
  return (
    <>
      <PageHeader title="Run now" help="Start an import from your ERP into Akeneo now, without waiting for the schedule." />
      <Stack gap="md">
        <Paper component="form" onSubmit={submit} aria-labelledby="what-title">
          <Title order={3} size="h4" id="what-title" mb="sm">
            What to import
          </Title>
          <Stack gap="md">
            <Radio.Group value={mode} onChange={(v) => setMode(v as Mode)} label="Records" name="mode">
              <Stack gap="xs" mt="xs">
                <Radio value="delta" label="Only what changed since the last run (usual)" />
                <Radio value="full" label="Everything (slower; checks every product)" />
                <Radio value="keys" label="Only these SKUs" />
                <Radio value="category" label="Only one category" />
                <Radio value="since" label="What changed since a date" />
              </Stack>
            </Radio.Group>
            {mode === 'keys' && (
              <Textarea label="SKUs" description="One per line, or separated by commas." autosize minRows={3} maxRows={10} value={keysText} onChange={(e) => setKeysText(e.currentTarget.value)} />
            )}
            {mode === 'category' && (
              <Select
                label="Category in the ERP"
                description={categories.isError ? `Could not read the ERP's categories: ${categories.error.message}` : 'Products of this category and the categories under it.'}
                placeholder={categories.isPending ? 'Loading the ERP categories…' : 'Choose a category'}
                data={options}
                value={category}
                onChange={setCategory}
                searchable
                clearable
                limit={200}
                nothingFoundMessage="No category has that name"
                maw={480}
              />
            )}
            {mode === 'since' && (
              <TextInput type="datetime-local" label="Changed since" description="Your local time." value={since} onChange={(e) => setSince(e.currentTarget.value)} maw={280} />
            )}
            <Checkbox checked={preview} onChange={(e) => setPreview(e.currentTarget.checked)} label="Preview first: show what would change, write nothing yet" />
            {error && (
              <Text c="bad.9" size="sm" role="alert">
                {error}
              </Text>
            )}
            <Group>
              <Button type="submit" loading={start.isPending}>
                {preview ? 'Preview' : 'Start the run'}
              </Button>
            </Group>
          </Stack>
        </Paper>
        {jobId && current?.dryRun && current.state === 'running' && <LiveProgress id={jobId} mayCancel={false} />}
        {jobId && current?.dryRun && current.state === 'finished' && <Plan job={current} onApply={() => launch(false)} applying={start.isPending} />}
        {jobId && current && !current.dryRun && (
          <>
            {current.runId && (
              <Text>
                This is <Anchor component={Link} to={`/runs/${current.runId}`}>run #{current.runId}</Anchor>.
              </Text>
            )}
            <LiveProgress id={jobId} mayCancel />
          </>
        )}
        {current?.state === 'failed' && (
          <Alert color="red" title="The run could not go on" role="alert">
            {current.error}
          </Alert>
        )}
      </Stack>
    </>
  );
}
