/**
 * Mapping: the PIM attributes the ERP owns as a table (Akeneo attribute, type, ERP field or
 * expression, converter options, per locale / per channel, locales), the ERP fields nothing maps
 * with suggested attributes, and the structure rules. Editing a row edits a draft of `mapping:`;
 * a live preview on sample ERP records shows what the draft makes of them before saving. Check
 * runs `ferry check` and links each problem to its row; Save writes ferry.yaml through the config API.
 */
import { Alert, Anchor, Badge, Button, Code, Grid, Group, Paper, Stack, Table, Tabs, Text, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link } from 'react-router';
import type { MappingCheck, MappingOverview, MappingRow } from '../../../src/server/api/contract.js';
import { useDraftOverview, useMappingCheck, useMappingPreview, useReloadSamples, useSavedMapping, useSaveMapping, type Draft } from '../api/mapping';
import { useSession } from '../api/session';
import { ownEntry, setAttributeKey, setDraftPath, setStructureKey } from '../components/mapping/draft-edit';
import { PreviewPanel } from '../components/mapping/PreviewPanel';
import { RowEditor } from '../components/mapping/RowEditor';
import { SettingsEditor } from '../components/mapping/SettingsEditor';
import { StructureEditor } from '../components/mapping/StructureEditor';
import { PageHeader } from '../components/PageHeader';
import { QueryState } from '../components/QueryState';

const ORIGIN: Record<MappingRow['origin'], string> = { preset: 'preset', file: 'ferry.yaml', 'preset+file': 'preset + ferry.yaml', identity: 'same code', identifier: 'identifier' };

function AttributeTable({ rows, selected, onSelect }: { rows: MappingRow[]; selected: string | null; onSelect: (code: string) => void }) {
  return (
    <Table.ScrollContainer minWidth={860}>
      <Table striped highlightOnHover verticalSpacing="xs" horizontalSpacing="sm" fz="sm">
        <Table.Caption>PIM attributes the ERP owns</Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">Akeneo attribute</Table.Th>
            <Table.Th scope="col">Type</Table.Th>
            <Table.Th scope="col">From the ERP</Table.Th>
            <Table.Th scope="col">Converter options</Table.Th>
            <Table.Th scope="col">Per</Table.Th>
            <Table.Th scope="col">Locales</Table.Th>
            <Table.Th scope="col">Set by</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr key={r.attribute} data-testid={`row-${r.attribute}`} bg={r.attribute === selected ? 'var(--mantine-color-akeneo-0)' : undefined} onClick={() => onSelect(r.attribute)} style={{ cursor: 'pointer' }}>
              <Table.Td>
                <Anchor component="button" type="button" onClick={() => onSelect(r.attribute)} aria-current={r.attribute === selected ? "true" : undefined} fz="sm" c={r.attribute === selected ? "akeneo.8" : undefined} fw={r.attribute === selected ? 700 : undefined}>
                  {r.attribute}
                </Anchor>
                {!r.inPim && (
                  <Badge ml={6} size="xs" color="warn">
                    not in PIM
                  </Badge>
                )}
              </Table.Td>
              <Table.Td>{(r.type ?? '?').replace(/^pim_catalog_/, '')}</Table.Td>
              <Table.Td>{r.expression ? <Code>{r.expression}</Code> : r.from.join(' or ')}</Table.Td>
              <Table.Td>{r.converter || <Text span c="dimmed" size="sm">defaults</Text>}</Table.Td>
              <Table.Td>{[r.localizable && 'locale', r.scopable && 'channel'].filter(Boolean).join(', ') || '—'}</Table.Td>
              <Table.Td>{r.locales.join(', ') || '—'}</Table.Td>
              <Table.Td>{ORIGIN[r.origin]}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function UnmappedTable({ overview, highlight, onMap }: { overview: MappingOverview; highlight: string | null; onMap: (field: string, attribute: string, type: string | null, inPim: boolean) => void }) {
  if (overview.unmapped.length === 0) return <Text p="md">Every ERP field is mapped.</Text>;
  return (
    <Table.ScrollContainer minWidth={760}>
      <Table verticalSpacing="xs" horizontalSpacing="sm" fz="sm">
        <Table.Caption>ERP fields not sent to the PIM</Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">ERP field</Table.Th>
            <Table.Th scope="col">Type</Table.Th>
            <Table.Th scope="col">Why it is not sent</Table.Th>
            <Table.Th scope="col">Suggested attributes</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {overview.unmapped.map((u) => (
            <Table.Tr key={u.field} data-testid={`unmapped-${u.field}`} bg={u.field === highlight ? 'var(--mantine-color-akeneo-0)' : undefined}>
              <Table.Td>
                {u.field}
                {u.stream === 'groups' && <Text size="xs" c="dimmed">on groups</Text>}
              </Table.Td>
              <Table.Td>{u.type}</Table.Td>
              <Table.Td>{u.reason}</Table.Td>
              <Table.Td>
                <Group gap={6}>
                  {u.suggestions.map((s) => (
                    <Button key={s.attribute + s.reason} size="compact-xs" variant="default" title={s.reason} onClick={() => onMap(u.field, s.attribute, s.type, s.inPim)}>
                      map to {s.attribute}
                      {s.inPim ? '' : ' (new)'}
                    </Button>
                  ))}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function CheckResults({ check, stale, onGo }: { check: MappingCheck; stale: boolean; onGo: (row: string) => void }) {
  const errors = check.problems.filter((p) => p.severity === 'error').length;
  const warnings = check.problems.length - errors;
  return (
    <Paper mb="md" data-testid="check-results">
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h4">
          Check: {check.ok ? 'the mapping works' : `${errors} error${errors === 1 ? '' : 's'}`}
          {warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}
        </Title>
        <Text size="xs" c="dimmed">
          {check.records ? `${check.records.items} ERP items in ${check.records.groups} groups mapped as the sync would` : 'records not mapped: fix the errors first'} · {Math.round(check.durationMs / 100) / 10} s
        </Text>
      </Group>
      {stale && (
        <Text size="sm" c="warn.7" mb="xs">
          The draft changed since this check: press Check again.
        </Text>
      )}
      {check.draftProblems.map((p) => (
        <Text size="sm" key={p.path}>
          <Code>{p.path}</Code>: {p.message}. <strong>Fix:</strong> {p.fix}
        </Text>
      ))}
      <Stack gap="xs">
        {check.problems.map((p, i) => (
          <Alert key={i} color={p.severity === 'error' ? 'bad' : 'warn'} p="xs" data-testid="check-problem" title={<Group gap="xs"><Badge color={p.severity === 'error' ? 'bad' : 'warn'}>{p.severity}</Badge><Text size="sm" fw={700}>{p.code}</Text></Group>}>
            <Text size="sm">{p.message}</Text>
            <Text size="sm">
              <strong>Fix:</strong> {p.fix}
            </Text>
            {p.row && (
              <Anchor component="button" type="button" size="sm" onClick={() => onGo(p.row!)}>
                Show {p.row.replace(/^mapping\.attributes\./, 'attribute ').replace(/^erp\.fields\./, 'ERP field ').replace(/^mapping\.structure$/, 'the structure')}
              </Anchor>
            )}
          </Alert>
        ))}
      </Stack>
    </Paper>
  );
}

export function MappingPage() {
  const session = useSession();
  const role = session.data?.user?.role ?? 'viewer';
  const saved = useSavedMapping();
  const [draft, setDraft] = useState<Draft | null>(null);
  useEffect(() => {
    if (saved.data && draft === null) setDraft(saved.data.saved);
  }, [saved.data, draft]);
  const dirty = !!saved.data && draft !== null && JSON.stringify(draft) !== JSON.stringify(saved.data.saved);
  const [debounced] = useDebouncedValue(dirty ? draft : null, 150);
  const draftOverview = useDraftOverview(debounced);
  const overview = (debounced && draftOverview.data) || saved.data;
  const [tab, setTab] = useState<string | null>('attributes');
  const [selected, setSelected] = useState<string | null>(null);
  const [highlight, setHighlight] = useState<string | null>(null);
  const [keys, setKeys] = useState<string[] | null>(null);
  const [nonce, setNonce] = useState(0);
  const preview = useMappingPreview(saved.data ? { mapping: debounced, keys, sample: 5, nonce } : null);
  useEffect(() => {
    if (keys === null && preview.data && preview.data.keys.length) setKeys(preview.data.keys);
  }, [preview.data, keys]);
  const check = useMappingCheck();
  const [checkedDraft, setCheckedDraft] = useState<string | null>(null);
  const save = useSaveMapping();
  const reload = useReloadSamples();
  const editorRef = useRef<HTMLDivElement>(null);
  const row = useMemo(() => overview?.rows.find((r) => r.attribute === (selected ?? overview.rows[0]?.attribute)) ?? null, [overview, selected]);

  const select = (code: string) => {
    setSelected(code);
    setTab('attributes');
    setTimeout(() => editorRef.current?.scrollIntoView({ behavior: 'smooth', block: 'start' }), 50);
  };
  const goTo = (path: string) => {
    if (path.startsWith('mapping.attributes.')) select(path.slice('mapping.attributes.'.length));
    else if (path.startsWith('erp.fields.')) {
      setHighlight(path.slice('erp.fields.'.length));
      setTab('unmapped');
    } else if (/^mapping\.(locales|dropLanguages|defaultLanguage|channels|ownership|hotData)\b/.test(path)) setTab('settings');
    else setTab('structure');
  };
  const edit = (next: Draft) => setDraft(next);
  const problems = (debounced && draftOverview.data?.problems) || [];

  return (
    <>
      <PageHeader
        title="Mapping"
        help="How ERP records become Akeneo products: which ERP field feeds each attribute, how values are converted, and how items become product models. Edit a row and the preview shows the result on real ERP records before you save."
        actions={
          <>
            {dirty && <Badge color="warn">unsaved changes</Badge>}
            <Button variant="default" onClick={() => {
                setCheckedDraft(JSON.stringify(draft));
                check.mutate(dirty ? draft : null);
              }} loading={check.isPending} disabled={role === 'viewer'}>
              Check
            </Button>
            <Button variant="default" onClick={() => setDraft(saved.data?.saved ?? null)} disabled={!dirty}>
              Discard changes
            </Button>
            <Button
              onClick={() =>
                saved.data &&
                draft &&
                save.mutate(
                  { saved: saved.data.saved, draft },
                  {
                    // The draft stays: once the saved mapping is read again it equals the draft, so nothing is unsaved.
                    onSuccess: () => notifications.show({ color: 'ok', message: 'Mapping saved to the config file.' }),
                  },
                )
              }
              loading={save.isPending}
              disabled={!dirty || problems.length > 0 || role !== 'admin'}
            >
              Save to ferry.yaml
            </Button>
          </>
        }
      />
      {save.error && (
        <Alert color="bad" mb="md" title="Not saved">
          {save.error.message}
        </Alert>
      )}
      {check.error && (
        <Alert color="bad" mb="md" title="Check could not run">
          {check.error.message}
        </Alert>
      )}
      {check.data && <CheckResults check={check.data} stale={checkedDraft !== JSON.stringify(draft)} onGo={goTo} />}
      <QueryState query={saved} what="the mapping">
        {() =>
          overview && (
            <>
              <Group gap="md" mb="sm">
                <Text size="sm">
                  Preset: <strong>{overview.preset ?? 'none'}</strong>
                </Text>
                <Text size="sm">Languages: {Object.entries(overview.locales).map(([l, loc]) => `${l} → ${loc}`).join(', ') || '—'}</Text>
                <Anchor component={Link} to="/bootstrap" size="sm">
                  Create what the PIM lacks (Bootstrap)
                </Anchor>
                <Anchor component="button" type="button" size="sm" onClick={() => reload.mutate()}>
                  Read the ERP and the PIM again
                </Anchor>
              </Group>
              {problems.length > 0 && (
                <Alert color="bad" mb="sm" title="The draft cannot be used as it is" data-testid="draft-problems-all">
                  {problems.map((p) => (
                    <Text size="sm" key={p.path + p.message}>
                      <Anchor component="button" type="button" size="sm" onClick={() => goTo(p.path)}>
                        <Code>{p.path}</Code>
                      </Anchor>
                      : {p.message}. <strong>Fix:</strong> {p.fix}
                    </Text>
                  ))}
                </Alert>
              )}
              <Tabs value={tab} onChange={setTab} keepMounted={false}>
                <Tabs.List mb="md">
                  <Tabs.Tab value="attributes">Attributes ({overview.rows.length})</Tabs.Tab>
                  <Tabs.Tab value="unmapped">ERP fields not mapped ({overview.unmapped.length})</Tabs.Tab>
                  <Tabs.Tab value="structure">Structure: categories, families, variants</Tabs.Tab>
                  <Tabs.Tab value="settings">Languages, channels, ownership</Tabs.Tab>
                </Tabs.List>
                <Tabs.Panel value="attributes">
                  <Paper p={0} mb="md">
                    <AttributeTable rows={overview.rows} selected={row?.attribute ?? null} onSelect={select} />
                  </Paper>
                  {row && draft && (
                    <div ref={editorRef}>
                      <Grid gap="md">
                        <Grid.Col span={{ base: 12, md: 5 }}>
                          <Paper>
                            <Title order={3} size="h4" mb="sm">
                              Edit the row
                            </Title>
                            <RowEditor key={row.attribute} row={row} own={ownEntry(draft, row.attribute)} onChange={(k, v) => edit(setAttributeKey(draft, row.attribute, k, v))} />
                          </Paper>
                        </Grid.Col>
                        <Grid.Col span={{ base: 12, md: 7 }}>
                          <Paper>
                            <Title order={3} size="h4" mb="sm">
                              Preview on ERP records
                            </Title>
                            <PreviewPanel
                              preview={{ data: preview.data, fetching: preview.isFetching, error: preview.error }}
                              attribute={row.attribute}
                              fields={row.expression ? [...row.expression.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!) : row.from}
                              onKeys={(k) => setKeys(k)}
                              onRandom={() => {
                                setKeys(null);
                                setNonce((n) => n + 1);
                              }}
                            />
                          </Paper>
                        </Grid.Col>
                      </Grid>
                    </div>
                  )}
                </Tabs.Panel>
                <Tabs.Panel value="unmapped">
                  <Paper p={0}>
                    <UnmappedTable
                      overview={overview}
                      highlight={highlight}
                      onMap={(field, attribute, type, inPim) => {
                        if (!draft) return;
                        let next = setAttributeKey(draft, attribute, 'from', field);
                        if (!inPim && type) next = setAttributeKey(next, attribute, 'type', type.replace(/^pim_catalog_/, '').replace('price_collection', 'price'));
                        edit(next);
                        select(attribute);
                      }}
                    />
                  </Paper>
                </Tabs.Panel>
                <Tabs.Panel value="structure">
                  {draft && (
                    <StructureEditor
                      structure={overview.structure}
                      edit={overview.structureEdit}
                      draft={draft}
                      preview={preview.data}
                      help={overview.settings.help}
                      onChange={(part, key, value) => edit(setStructureKey(draft, part, key, value))}
                      onLayout={(family, code, levels) => {
                        const path = ['structure', 'families', 'definitions', family, 'variants', code];
                        edit(setDraftPath(draft, levels ? [...path, 'levels'] : path, levels));
                      }}
                    />
                  )}
                </Tabs.Panel>
                <Tabs.Panel value="settings">{draft && <SettingsEditor overview={overview} draft={draft} onEdit={(path, value) => edit(setDraftPath(draft, path, value))} />}</Tabs.Panel>
              </Tabs>
            </>
          )
        }
      </QueryState>
    </>
  );
}
