/**
 * First run. `/setup?token=…` (the link `ferry serve` prints) creates the first admin; then the
 * wizard: PIM connection (tested) → ERP connection (tested; ferry.yaml is written here) → mapping
 * (a preset, or identity from the ERP's described fields) → bootstrap plan, applied → a dry run
 * and its plan → the first real run with live progress → a schedule (nightly by default) → a
 * notification channel (optional). The position is saved on the server after each step, so the
 * wizard can be left and resumed; secrets go straight to the encrypted secrets file.
 */
import { Alert, Anchor, Button, Code, Group, List, Loader, Paper, PasswordInput, Radio, Select, Stack, Stepper, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import {
  jobSchema,
  meSchema,
  setupPresetsSchema,
  setupPreviewSchema,
  setupStatusSchema,
  setupStepBodySchema,
  WIZARD_STEPS,
  type WizardStep,
} from '../../../src/server/api/contract.js';
import { useConfigFile, useSaveConfig } from '../api/config';
import { useSaveSchedule, useStartRun } from '../api/hooks';
import { api, setCsrfToken } from '../api/http';
import { BootstrapActions, BootstrapPlanBody, useBootstrap } from '../components/BootstrapPlan';
import { LiveProgress } from '../components/LiveProgress';
import { PageHeader } from '../components/PageHeader';
import { secretNameFor } from '../config-changes';
import { SectionEditor } from './Connections';

const V1 = '/api/v1';

export function useSetupStatus() {
  return useQuery({ queryKey: ['setup'], queryFn: () => api(`${V1}/setup`, { schema: setupStatusSchema }) });
}

/** The public page behind the one-time link: create the first admin. */
export function SetupAdminPage() {
  const [params] = useSearchParams();
  const [name, setName] = useState('admin');
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string | null>(null);
  const client = useQueryClient();
  const navigate = useNavigate();
  const token = params.get('token') ?? '';
  const create = useMutation({
    mutationFn: () => api(`${V1}/setup/admin`, { method: 'POST', body: { token, name, password }, schema: meSchema }),
    onSuccess: (me) => {
      setCsrfToken(me.csrfToken);
      client.setQueryData(['me'], me);
      void navigate('/setup', { replace: true });
    },
    onError: (e) => setError(e.message),
  });
  const submit = () => {
    if (password.length < 10) return setError('Choose a password of at least 10 characters.');
    if (password !== again) return setError('The two passwords differ.');
    setError(null);
    create.mutate();
  };
  return (
    <Stack maw={460} mx="auto" mt={60} p="md">
      <Title order={1} c="akeneo.7">
        Welcome to Ferry
      </Title>
      <Text>Ferry brings the product data your ERP owns into Akeneo PIM. Create the first administrator account; a short wizard then connects the PIM and the ERP and runs the first import.</Text>
      {!token && <Alert color="orange">This page needs the one-time link `ferry serve` printed in its terminal.</Alert>}
      <Paper withBorder p="md">
        <Stack>
          <TextInput label="Your user name" value={name} onChange={(e) => setName(e.currentTarget.value)} withAsterisk />
          <PasswordInput label="Password" description="At least 10 characters." value={password} onChange={(e) => setPassword(e.currentTarget.value)} withAsterisk autoComplete="new-password" />
          <PasswordInput label="Password again" value={again} onChange={(e) => setAgain(e.currentTarget.value)} withAsterisk autoComplete="new-password" />
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          <Button onClick={submit} loading={create.isPending} disabled={!token}>
            Create the admin and start
          </Button>
        </Stack>
      </Paper>
    </Stack>
  );
}

type WizardData = { pim?: Record<string, unknown>; erp?: Record<string, unknown>; dryRunJob?: string; firstRunJob?: string };

function useWizard() {
  const client = useQueryClient();
  const query = useQuery({ queryKey: ['wizard'], queryFn: () => api(`${V1}/setup/wizard`, { schema: setupStepBodySchema }) });
  const save = useMutation({
    mutationFn: (body: { step: WizardStep; completed?: WizardStep[]; data?: Record<string, unknown> }) => api(`${V1}/setup/wizard`, { method: 'PUT', body, schema: setupStepBodySchema }),
    onSuccess: (w) => {
      client.setQueryData(['wizard'], w);
      void client.invalidateQueries({ queryKey: ['setup'] });
    },
  });
  return { query, save };
}

/** Stores typed secrets in the secrets file and puts `${secret:NAME}` in their place. */
async function withStoredSecrets(section: 'pim' | 'erp', values: Record<string, unknown>, typed: Record<string, string>): Promise<Record<string, unknown>> {
  const out = structuredClone(values);
  for (const [path, value] of Object.entries(typed)) {
    const name = secretNameFor(section, path);
    await api(`${V1}/config/secrets/${name}`, { method: 'PUT', body: { value } });
    const keys = path.split('.');
    let at = out;
    for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as Record<string, unknown>;
    at[keys[keys.length - 1]!] = `\${secret:${name}}`;
  }
  return out;
}

const STEP_TITLES: Record<WizardStep, string> = {
  admin: 'Admin',
  pim: 'PIM',
  erp: 'ERP',
  mapping: 'Mapping',
  bootstrap: 'Prepare the PIM',
  dryRun: 'Dry run',
  firstRun: 'First import',
  schedule: 'Schedule',
  notifications: 'Notifications',
  done: 'Done',
};

export function SetupWizardPage() {
  const { query, save } = useWizard();
  const file = useConfigFile();
  const saveConfig = useSaveConfig();
  const w = query.data;
  if (!w || !file.data) return <Loader aria-label="Loading the wizard" />;
  const data = w.data as WizardData;
  const steps: WizardStep[] = WIZARD_STEPS.filter((s) => s !== 'admin');
  const active = Math.max(0, steps.indexOf(w.step));
  const go = (step: WizardStep, extra: Partial<WizardData> = {}) => save.mutateAsync({ step, completed: [...new Set([...(w.completed ?? []), w.step])], data: extra });

  return (
    <>
      <PageHeader title="Set up Ferry" help="A few steps from nothing to a first import. Each step is saved: you can leave and come back to /setup later." />
      <Stepper active={active} onStepClick={(i) => (i < active ? void go(steps[i]!) : undefined)} size="sm" mb="lg" allowNextStepsSelect={false}>
        {steps.map((s) => (
          <Stepper.Step key={s} label={STEP_TITLES[s]} />
        ))}
      </Stepper>
      {w.step === 'pim' && (
        <Stack>
          <Text>Where is your Akeneo PIM? Fill in its address and the credentials of a Connection (Akeneo: Connect › Connection settings), or an App token, then Test.</Text>
          <SectionEditor
            section="pim"
            draft={{
              initial: data.pim,
              onContinue: async (values, typed) => {
                await go('erp', { pim: await withStoredSecrets('pim', values, typed) });
              },
            }}
          />
        </Stack>
      )}
      {w.step === 'erp' && (
        <Stack>
          <Text>Where does the product data come from? Choose the kind of ERP; the form asks what that kind needs. Test, then Continue writes ferry.yaml.</Text>
          <SectionEditor
            section="erp"
            draft={{
              initial: data.erp,
              onContinue: async (values, typed) => {
                const erp = await withStoredSecrets('erp', values, typed);
                const parsed = (file.data.parsed ?? {}) as Record<string, unknown>;
                const changes = [
                  { path: 'pim', value: data.pim ?? parsed.pim },
                  { path: 'erp', value: erp },
                  ...(parsed.mapping ? [] : [{ path: 'mapping', value: erp.type === 'demo' ? { preset: 'demo' } : { identity: { enabled: true } } }]),
                  ...(parsed.state ? [] : [{ path: 'state', value: { path: './data/ferry.db' } }]),
                ];
                await saveConfig.mutateAsync({ baseVersion: file.data.version, changes, note: 'setup wizard: connections' });
                await go('mapping', { erp });
              },
            }}
          />
        </Stack>
      )}
      {w.step === 'mapping' && <MappingStep onNext={() => void go('bootstrap')} />}
      {w.step === 'bootstrap' && <BootstrapStep onNext={() => void go('dryRun')} />}
      {w.step === 'dryRun' && <RunStep dryRun jobId={data.dryRunJob ?? null} onStarted={(job) => void save.mutateAsync({ step: 'dryRun', data: { dryRunJob: job } })} onNext={() => void go('firstRun')} />}
      {w.step === 'firstRun' && <RunStep dryRun={false} jobId={data.firstRunJob ?? null} onStarted={(job) => void save.mutateAsync({ step: 'firstRun', data: { firstRunJob: job } })} onNext={() => void go('schedule')} />}
      {w.step === 'schedule' && <ScheduleStep onNext={() => void go('notifications')} />}
      {w.step === 'notifications' && (
        <Paper withBorder p="md">
          <Stack>
            <Text>Ferry can tell you when a run fails or refuses records: by e-mail, Slack, Teams or a webhook. You can set this up now or later, on the Notifications page.</Text>
            <Group>
              <Button component={Link} to="/notifications" variant="default">
                Open Notifications
              </Button>
              <Button onClick={() => void go('done')}>Skip for now, finish</Button>
            </Group>
          </Stack>
        </Paper>
      )}
      {w.step === 'done' && (
        <Alert color="green" title="Ferry is set up" data-testid="setup-done">
          <Stack gap="xs">
            <Text size="sm">
              The configuration is in <Code>{file.data.file}</Code> beside the server; the command line uses the same file: <Code>ferry sync --config {file.data.file}</Code>.
            </Text>
            <Group>
              <Button component={Link} to="/">
                Go to the dashboard
              </Button>
              <Button component={Link} to="/connections" variant="default">
                Connections
              </Button>
            </Group>
          </Stack>
        </Alert>
      )}
    </>
  );
}

function MappingStep({ onNext }: { onNext: () => void }) {
  const file = useConfigFile();
  // The file the ERP step just wrote, not a copy cached before it: the choice starts from its mapping.
  if (!file.data || file.isFetching) return <Loader aria-label="Loading the configuration" />;
  return <MappingChoice onNext={onNext} />;
}

function MappingChoice({ onNext }: { onNext: () => void }) {
  const file = useConfigFile();
  const saveConfig = useSaveConfig();
  const presets = useQuery({ queryKey: ['presets'], queryFn: () => api(`${V1}/setup/presets`, { schema: setupPresetsSchema }) });
  const current = ((file.data?.parsed ?? {}) as { mapping?: { preset?: string } }).mapping;
  const [kind, setKind] = useState<string>(current?.preset ? 'preset' : 'identity');
  const [preset, setPreset] = useState<string | null>(current?.preset ?? null);
  const [error, setError] = useState<string | null>(null);
  const chosen = () => (kind === 'preset' && preset ? { preset } : { identity: { enabled: true } });
  const preview = useMutation({ mutationFn: () => api(`${V1}/setup/preview`, { method: 'POST', body: { mapping: chosen(), sample: 5 }, schema: setupPreviewSchema }) });
  if (!file.data || !presets.data) return <Loader />;
  const next = async () => {
    const value = chosen();
    try {
      await saveConfig.mutateAsync({ baseVersion: file.data.version, changes: [{ path: 'mapping', value }], note: 'setup wizard: mapping' });
      onNext();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <Paper withBorder p="md">
      <Stack>
        <Text>How do ERP fields become PIM attributes? A preset knows a common ERP; identity maps every field the ERP describes to an attribute of the same name (in Ferry's own attribute group). The Mapping page refines it later.</Text>
        <Radio.Group value={kind} onChange={setKind} name="mapping-kind">
          <Stack gap="xs">
            <Radio value="identity" label="Identity: each described ERP field to an attribute of the same code" />
            <Radio value="preset" label="A preset" />
          </Stack>
        </Radio.Group>
        {kind === 'preset' && <Select label="Preset" data={presets.data.presets} value={preset} onChange={setPreset} withAsterisk />}
        {error && <Alert color="red">{error}</Alert>}
        {preview.isError && <Alert color="red">{preview.error.message}</Alert>}
        {preview.data && (
          <Stack gap="xs" data-testid="mapping-preview">
            <Text size="sm" fw={500}>
              {preview.data.items} ERP items become {preview.data.entities.length} PIM records ({preview.data.errors.length} problems). Nothing was written.
            </Text>
            {preview.data.toCreate.length > 0 && (
              <Text size="sm">
                The PIM does not have these yet; the next step creates them: {preview.data.toCreate.join(', ')}.
              </Text>
            )}
            {preview.data.errors.slice(0, 10).map((e) => (
              <Alert key={`${e.record}${e.attribute ?? ''}${e.message}`} color="orange" p="xs">
                <Text size="sm">
                  {e.record}
                  {e.attribute ? ` · ${e.attribute}` : ''}: {e.message} — {e.fix}
                </Text>
              </Alert>
            ))}
            <Code block style={{ whiteSpace: 'pre', maxHeight: 320, overflow: 'auto' }}>
              {preview.data.entities
                .slice(0, 6)
                .map((e) => `${e.kind} ${e.code}${e.family ? ` (family ${e.family})` : ''}${e.parent ? ` under ${e.parent}` : ''}\n${JSON.stringify(e.values, null, 1).slice(0, 600)}`)
                .join('\n\n')}
            </Code>
          </Stack>
        )}
        <Group>
          <Button variant="default" onClick={() => preview.mutate()} loading={preview.isPending} disabled={kind === 'preset' && !preset}>
            Preview on 5 ERP items
          </Button>
          <Button onClick={() => void next()} loading={saveConfig.isPending} disabled={kind === 'preset' && !preset}>
            Continue
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

/** The Bootstrap page's plan and per-item results (one component, one API), with Continue once settled. */
function BootstrapStep({ onNext }: { onNext: () => void }) {
  const state = useBootstrap();
  return (
    <Stack>
      <Text>The PIM needs what the mapping writes to: Ferry plans what it lacks. Look at the plan, then apply it; existing things are left as they are, except families gaining attributes.</Text>
      <BootstrapPlanBody state={state} />
      <Group>
        <BootstrapActions state={state} canApply />
        {state.settled && <Button onClick={onNext}>Continue</Button>}
      </Group>
    </Stack>
  );
}

function RunStep({ dryRun, jobId, onStarted, onNext }: { dryRun: boolean; jobId: string | null; onStarted: (job: string) => void; onNext: () => void }) {
  const start = useStartRun();
  const job = useQuery({
    queryKey: ['job', jobId],
    queryFn: () => api(`${V1}/jobs/${encodeURIComponent(jobId!)}`, { schema: jobSchema }),
    enabled: jobId !== null,
    refetchInterval: (q) => (q.state.data?.state === 'running' ? 1000 : false),
  });
  const report = job.data?.report;
  const finished = job.data && job.data.state !== 'running';
  const ok = finished && report && (report.status === 'succeeded' || report.status === 'rejects');
  return (
    <Paper withBorder p="md">
      <Stack>
        <Text>
          {dryRun
            ? 'A dry run reads the whole ERP and plans what the import would send, without writing anything to the PIM.'
            : 'The first real import: every ERP item is read and sent to the PIM. Progress shows live.'}
        </Text>
        {!jobId && (
          <Group>
            <Button onClick={() => start.mutate({ mode: 'full', dryRun }, { onSuccess: (s) => onStarted(s.jobId) })} loading={start.isPending}>
              {dryRun ? 'Start the dry run' : 'Start the first import'}
            </Button>
          </Group>
        )}
        {start.isError && <Alert color="red">{start.error.message}</Alert>}
        {jobId && !finished && <LiveProgress id={job.data?.runId ?? jobId} mayCancel={!dryRun} />}
        {finished && job.data?.error && <Alert color="red" title="The run failed">{job.data.error}</Alert>}
        {finished && report && (
          <Alert color={ok ? 'green' : 'red'} title={dryRun ? 'The dry run plan' : `The first import: ${report.status}`} data-testid={dryRun ? 'dry-run-result' : 'first-run-result'}>
            <Text size="sm">
              {report.counts.read} records read: {report.counts.created} {dryRun ? 'to create' : 'created'}, {report.counts.updated} {dryRun ? 'to update' : 'updated'}, {report.counts.unchanged} unchanged, {report.counts.rejected} refused.
            </Text>
            {report.plan && (
              <List size="sm" mt="xs">
                {Object.entries(report.plan.actions).map(([type, actions]) => (
                  <List.Item key={type}>
                    {type}: {Object.entries(actions).map(([a, n]) => `${n} ${a}`).join(', ')}
                  </List.Item>
                ))}
              </List>
            )}
            {report.runId !== null && !dryRun && (
              <Anchor component={Link} to={`/runs/${report.runId}`} size="sm">
                Open the run's report
              </Anchor>
            )}
          </Alert>
        )}
        {ok && <Group><Button onClick={onNext}>Continue</Button></Group>}
        {finished && !ok && jobId && (
          <Button variant="default" onClick={() => start.mutate({ mode: 'full', dryRun }, { onSuccess: (s) => onStarted(s.jobId) })}>
            Try again
          </Button>
        )}
      </Stack>
    </Paper>
  );
}

function ScheduleStep({ onNext }: { onNext: () => void }) {
  const save = useSaveSchedule();
  const [hour, setHour] = useState('2');
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  return (
    <Paper withBorder p="md">
      <Stack>
        <Text>Ferry imports what changed in the ERP on a schedule. Nightly is the usual choice; the Schedules page offers more.</Text>
        <Select label="Every night at" data={Array.from({ length: 24 }, (_, h) => ({ value: String(h), label: `${String(h).padStart(2, '0')}:00` }))} value={hour} onChange={(v) => setHour(v ?? '2')} description={`Time zone ${zone}`} />
        {save.isError && <Alert color="red">{save.error.message}</Alert>}
        <Group>
          <Button
            onClick={() =>
              save.mutate({ input: { name: 'Nightly', spec: { kind: 'nightly', hour: Number(hour), minute: 0 }, timezone: zone, mode: 'delta', enabled: true } }, { onSuccess: onNext })
            }
            loading={save.isPending}
          >
            Schedule nightly and continue
          </Button>
          <Button variant="default" onClick={onNext}>
            No schedule
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}
