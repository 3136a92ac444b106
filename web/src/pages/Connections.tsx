/**
 * Connections: the PIM (URL, Connection credentials or an App token) and the ERP (the adapter's
 * form, generated from its zod schema), each with a Test button that runs what `ferry pim check` /
 * `ferry erp check` run and says the outcome in plain words, and a Save that shows the diff of
 * ferry.yaml first. Secrets are write-only: typed here, stored encrypted, never shown back.
 */
import { Alert, Button, Code, Group, List, Loader, Modal, Paper, SegmentedControl, Select, Stack, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router';
import type { ConfigChange, ConnectionFailure, ErpTestResult, PimTestResult } from '../../../src/server/api/contract.js';
import { isConflict, problemsOf, useConfigFile, useConnectionForms, useSaveConfig, useTestErp, useTestPim } from '../api/config';
import { PageHeader } from '../components/PageHeader';
import { SchemaForm } from '../components/SchemaForm';
import { sectionChanges } from '../config-changes';
import { compact, missingRequired, type JsonSchema } from '../schema-form';

export function FailureAlert({ failure, what }: { failure: ConnectionFailure; what: string }) {
  const titles: Record<ConnectionFailure['kind'], string> = {
    config: `The ${what} settings are incomplete`,
    unreachable: `Ferry cannot reach the ${what}`,
    certificate: `The ${what}'s certificate is not trusted`,
    wrong_secret: `The ${what} refused the secret`,
    wrong_password: `The ${what} refused the password`,
    permission: `The ${what} account lacks a permission`,
    timeout: `The ${what} did not answer in time`,
    other: `The ${what} test failed`,
  };
  return (
    <Alert color="red" title={titles[failure.kind]} role="alert" data-testid={`${what.toLowerCase()}-test-failure`}>
      <Stack gap={4}>
        <Text size="sm">{failure.message}</Text>
        {failure.setting && (
          <Text size="sm">
            Setting to change: <Code>{failure.setting}</Code>
          </Text>
        )}
        <Text size="sm" fw={500}>
          How to fix it: {failure.fix}
        </Text>
      </Stack>
    </Alert>
  );
}

export function PimResult({ result }: { result: PimTestResult }) {
  if (!result.ok && result.failure) return <FailureAlert failure={result.failure} what="PIM" />;
  return (
    <Alert color="green" title={`The PIM answers (${result.durationMs} ms)`} data-testid="pim-test-ok">
      <List size="sm">
        {result.lines.map((l) => (
          <List.Item key={l}>{l}</List.Item>
        ))}
      </List>
    </Alert>
  );
}

export function ErpResult({ result }: { result: ErpTestResult }) {
  if (!result.ok && result.failure)
    return (
      <Stack gap="xs">
        <Text size="sm">
          Reachable: {result.reachable ? 'yes' : 'no'} · Authenticated: {result.authenticated ? 'yes' : 'no'}
        </Text>
        <FailureAlert failure={result.failure} what="ERP" />
      </Stack>
    );
  return (
    <Alert color="green" title={`The ERP answers (${result.durationMs} ms): reachable, authenticated`} data-testid="erp-test-ok">
      <List size="sm">
        {result.lines.map((l) => (
          <List.Item key={l}>{l}</List.Item>
        ))}
      </List>
    </Alert>
  );
}

/** The diff of a save, shown before it is written. */
function DiffModal({ diff, opened, onConfirm, onClose, saving }: { diff: string; opened: boolean; onConfirm: () => void; onClose: () => void; saving: boolean }) {
  return (
    <Modal opened={opened} onClose={onClose} title="Save these changes to ferry.yaml?" size="xl">
      <Stack>
        {diff === '' ? (
          <Text>Nothing changes in the file.</Text>
        ) : (
          <Code block data-testid="config-diff" style={{ whiteSpace: 'pre', maxHeight: 400, overflow: 'auto' }}>
            {diff}
          </Code>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button onClick={onConfirm} loading={saving} disabled={diff === ''}>
            Save
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** One section's form, Test and Save; used by this page and by the first-run wizard. */
export interface SectionDraft {
  /** The values to start from (the wizard's saved draft), else the file's. */
  initial: Record<string, unknown> | undefined;
  /** Instead of saving ferry.yaml: hand the tested section (secrets as typed, kept apart) to the wizard. */
  onContinue: (section: Record<string, unknown>, typed: Record<string, string>) => Promise<void>;
}

export function SectionEditor({ section, onSaved, draft }: { section: 'pim' | 'erp'; onSaved?: () => void; draft?: SectionDraft }) {
  const file = useConfigFile();
  const forms = useConnectionForms();
  const save = useSaveConfig();
  const testPim = useTestPim();
  const testErp = useTestErp();
  const saved = (file.data?.parsed as Record<string, Record<string, unknown>> | null | undefined)?.[section];
  const [form, setForm] = useState<Record<string, unknown> | null>(null);
  const [typed, setTyped] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [pending, setPending] = useState<{ diff: string; changes: ConfigChange[]; baseVersion: string } | null>(null);
  const [conflict, setConflict] = useState(false);
  const [pimMode, setPimMode] = useState<'connection' | 'token'>('connection');
  const [testedOk, setTestedOk] = useState(false);
  const [continuing, setContinuing] = useState(false);

  useEffect(() => {
    if (form !== null || !file.data) return;
    const start = draft?.initial ?? saved;
    setForm(start ?? (section === 'erp' ? { type: 'demo' } : {}));
    if (section === 'pim' && start && 'token' in start) setPimMode('token');
  }, [file.data, form, saved, section, draft]);

  const schema: JsonSchema | undefined = useMemo(() => {
    if (!forms.data || !form) return undefined;
    if (section === 'pim') {
      const branches = (forms.data.pim as JsonSchema).anyOf ?? [];
      return branches.find((b) => (pimMode === 'token' ? b.properties?.token : b.properties?.clientId)) ?? branches[0];
    }
    return forms.data.erp.find((f) => f.type === form.type)?.schema as JsonSchema | undefined;
  }, [forms.data, form, section, pimMode]);

  const failed = file.error ?? forms.error;
  if (failed)
    return (
      <Alert color="red" title="Could not load the configuration" role="alert">
        {failed.message}
      </Alert>
    );
  if (!file.data || !forms.data || !form) return <Loader aria-label="Loading the configuration" />;

  const what = section === 'pim' ? 'PIM' : 'ERP';
  const check = (): boolean => {
    if (!schema) return false;
    const missing = missingRequired(schema, form, typed);
    setErrors(Object.fromEntries(missing.map((p) => [`${section}.${p}`, 'required'])));
    return missing.length === 0;
  };
  const body = () => ({ section: compact(form), secrets: Object.fromEntries(Object.entries(typed).filter(([, v]) => v !== '')) });
  const runTest = () => {
    if (!check()) return;
    const done = (ok: boolean) => setTestedOk(ok);
    if (section === 'pim') testPim.mutate(body(), { onSuccess: (r) => done(r.ok) });
    else testErp.mutate(body(), { onSuccess: (r) => done(r.ok) });
  };
  const shaped = () => (section !== 'pim' ? form : pimMode === 'token' ? withoutKeys(form, ['clientId', 'secret', 'username', 'password']) : withoutKeys(form, ['token']));
  const startSave = () => {
    if (!check()) return;
    if (draft) {
      setContinuing(true);
      void draft
        .onContinue(compact(shaped()), Object.fromEntries(Object.entries(typed).filter(([, v]) => v !== '')))
        .catch((e: unknown) => showSaveError(e))
        .finally(() => setContinuing(false));
      return;
    }
    const changes = sectionChanges(section, saved, shaped(), typed);
    setConflict(false);
    save.mutate(
      { baseVersion: file.data.version, changes, dryRun: true },
      {
        onSuccess: (r) => setPending({ diff: r.diff, changes, baseVersion: file.data.version }),
        onError: (e) => showSaveError(e),
      },
    );
  };
  const showSaveError = (e: unknown) => {
    const problems = problemsOf(e);
    if (problems) {
      setErrors(Object.fromEntries(problems.map((p) => [p.path, p.message])));
      notifications.show({ color: 'red', title: 'Not saved', message: problems.map((p) => `${p.path}: ${p.message}`).join('\n') });
    } else if (isConflict(e)) setConflict(true);
    else notifications.show({ color: 'red', title: 'Not saved', message: (e as Error).message });
  };
  const confirm = () => {
    if (!pending) return;
    save.mutate(
      { baseVersion: pending.baseVersion, changes: pending.changes, note: `${what} connection` },
      {
        onSuccess: () => {
          setPending(null);
          setTyped({});
          setForm(null);
          notifications.show({ color: 'green', title: 'Saved', message: `ferry.yaml has the new ${what} connection.` });
          onSaved?.();
        },
        onError: (e) => {
          setPending(null);
          showSaveError(e);
        },
      },
    );
  };
  const testing = testPim.isPending || testErp.isPending;
  const result = section === 'pim' ? testPim.data : testErp.data;

  return (
    <Paper withBorder p="md" data-testid={`${section}-section`}>
      <Stack>
        <Title order={3} size="h4">
          {section === 'pim' ? 'Akeneo PIM' : 'ERP'}
        </Title>
        {conflict && (
          <Alert color="orange" title="ferry.yaml changed since this page loaded" role="alert">
            <Stack gap="xs">
              <Text size="sm">Someone (the command line, an editor or another user) saved the file meanwhile. Nothing was overwritten. Reload to see their version, then make your change again.</Text>
              <Group>
                <Button
                  size="xs"
                  onClick={() => {
                    setConflict(false);
                    setForm(null);
                    void file.refetch();
                  }}
                >
                  Reload
                </Button>
              </Group>
            </Stack>
          </Alert>
        )}
        {section === 'pim' && (
          <SegmentedControl
            value={pimMode}
            onChange={(v) => {
              setPimMode(v as 'connection' | 'token');
              setTestedOk(false);
            }}
            data={[
              { value: 'connection', label: 'Connection credentials' },
              { value: 'token', label: 'App token' },
            ]}
          />
        )}
        {section === 'erp' && (
          <Select
            label="Kind of ERP"
            withAsterisk
            data={forms.data.erp.map((f) => ({ value: f.type, label: f.title }))}
            value={String(form.type ?? '')}
            onChange={(v) => {
              if (!v) return;
              setForm(v === saved?.type ? { ...saved } : { type: v });
              setTyped({});
              setErrors({});
              setTestedOk(false);
            }}
          />
        )}
        {schema ? (
          <SchemaForm
            schema={schema}
            value={form}
            onChange={(v) => {
              setForm(v);
              setTestedOk(false);
            }}
            typed={typed}
            onType={(p, v) => {
              setTyped({ ...typed, [p]: v });
              setTestedOk(false);
            }}
            errors={errors}
            prefix={section}
          />
        ) : (
          <Loader size="sm" />
        )}
        <Group>
          <Button variant="default" onClick={runTest} loading={testing}>
            Test
          </Button>
          {draft ? (
            <Button onClick={startSave} loading={continuing} disabled={!testedOk} title={testedOk ? undefined : 'Test the connection first'}>
              Continue
            </Button>
          ) : (
            <Button onClick={startSave} loading={save.isPending && !pending}>
              Save…
            </Button>
          )}
        </Group>
        {testing && <Text size="sm">Testing the {what} connection…</Text>}
        {!testing && result && (section === 'pim' ? <PimResult result={result as PimTestResult} /> : <ErpResult result={result as ErpTestResult} />)}
        <DiffModal diff={pending?.diff ?? ''} opened={pending !== null} onClose={() => setPending(null)} onConfirm={confirm} saving={save.isPending} />
      </Stack>
    </Paper>
  );
}

function withoutKeys(value: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([k]) => !keys.includes(k)));
}

export function ConnectionsPage() {
  const file = useConfigFile();
  return (
    <>
      <PageHeader
        title="Connections"
        help="Where Ferry reads (the ERP) and writes (the PIM). Test before saving: the test says what works, or which setting is wrong and how to fix it. Saving writes ferry.yaml, the same file the command line uses; secrets go to an encrypted file and are never shown again."
        actions={
          <Button component={Link} to="/config-history" variant="default">
            History of changes
          </Button>
        }
      />
      {file.data && file.data.problems.length > 0 && (
        <Alert color="orange" title="ferry.yaml has problems" mb="md">
          <List size="sm">
            {file.data.problems.map((p) => (
              <List.Item key={`${p.path}${p.message}`}>
                <Code>{p.path}</Code>: {p.message}
              </List.Item>
            ))}
          </List>
        </Alert>
      )}
      <Stack>
        <SectionEditor section="pim" />
        <SectionEditor section="erp" />
      </Stack>
    </>
  );
}
