/**
 * The live preview beside the row editor: sample ERP records (SKUs typed, or a few at random) and
 * what the draft makes of them — the selected attribute's value per locale, any error with its
 * fix, and the whole Akeneo payload on demand. `ferry map`, as the user edits, before saving.
 */
import { Accordion, Alert, Badge, Box, Button, Code, Group, Loader, Paper, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { MappingPreview, PreviewUnit } from '../../../../src/server/api/contract.js';

export interface PreviewState {
  data: MappingPreview | undefined;
  fetching: boolean;
  error: Error | null;
}

/** Errors with the same cause (kind, attribute, fix) once, with the records they hit. */
function errorGroups(errors: PreviewUnit['errors']): { first: PreviewUnit['errors'][number]; records: string[] }[] {
  const groups = new Map<string, { first: PreviewUnit['errors'][number]; records: string[] }>();
  for (const e of errors) {
    const key = `${e.kind}|${e.attribute ?? ''}|${e.blocksRecord}|${e.fix}`;
    const g = groups.get(key) ?? { first: e, records: [] };
    g.records.push(e.record);
    groups.set(key, g);
  }
  return [...groups.values()];
}

function UnitCard({ unit, attribute, fields }: { unit: PreviewUnit; attribute: string | null; fields: string[] }) {
  const erp = (key: string) => unit.records.find((r) => r.key === key);
  /** Whether an error of the selected attribute hit this record (its value is then not sent). */
  const dropped = (code: string) => unit.errors.some((x) => x.attribute === attribute && (x.record === code || x.record.includes(`"${code}"`)));
  const title = unit.kind === 'group' ? `Group ${unit.key}` : `Item ${unit.key}`;
  return (
    <Paper p="sm" data-testid="preview-unit">
      <Text fw={700} size="sm" mb={4}>
        {title}
      </Text>
      <Table.ScrollContainer minWidth={420}>
        <Table verticalSpacing={4} horizontalSpacing="xs" fz="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th scope="col">Becomes</Table.Th>
              <Table.Th scope="col">ERP {fields.join(' / ') || 'value'}</Table.Th>
              <Table.Th scope="col">{attribute ?? 'Akeneo'} in Akeneo</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {unit.entities.map((e) => {
              const source = erp(e.code) ?? (e.role === 'root model' ? unit.records[0] : undefined);
              const values = attribute ? e.values.filter((v) => v.attribute === attribute) : [];
              return (
                <Table.Tr key={`${e.kind}:${e.code}`} data-testid="preview-entity">
                  <Table.Td>
                    <Text size="sm">{e.code}</Text>
                    <Text size="xs" c="dimmed">
                      {e.role}
                      {e.familyVariant ? ` · ${e.familyVariant}` : e.family ? ` · ${e.family}` : ''}
                    </Text>
                  </Table.Td>
                  <Table.Td>{fields.map((f) => source?.fields.find((x) => x.name === f)?.text).filter(Boolean).join(' · ') || <Text span c="dimmed" size="sm">—</Text>}</Table.Td>
                  <Table.Td data-testid="preview-value">
                    {values.length === 0 ? (
                      <Text span c={dropped(e.code) ? 'warn.7' : 'dimmed'} size="sm">
                        {dropped(e.code) ? 'not sent: see the error below' : 'not at this level'}
                      </Text>
                    ) : (
                      values.map((v) => (
                        <div key={`${v.locale}|${v.scope}`}>
                          {(v.locale || v.scope) && <Badge size="xs" color="dark" mr={6}>{[v.locale, v.scope].filter(Boolean).join(' · ')}</Badge>}
                          {v.text}
                        </div>
                      ))
                    )}
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {unit.entities.length === 0 && unit.errors.length === 0 && <Text size="sm" c="dimmed">Nothing is sent for this record.</Text>}
      {errorGroups(unit.errors).map(({ first, records }) => (
        <Alert key={first.record + first.fix} color={first.blocksRecord ? 'bad' : 'warn'} mt="xs" p="xs" title={`${records.length === 1 ? first.record : `${records.length} records`}: ${first.blocksRecord ? 'held back' : 'value dropped'}`} data-testid="preview-error">
          <Text size="sm">
            {first.message}
            {records.length > 1 ? ` (also ${records.slice(1, 6).join(', ')}${records.length > 6 ? ', …' : ''})` : ''}
          </Text>
          <Text size="sm">
            <strong>Fix:</strong> {first.fix}
          </Text>
        </Alert>
      ))}
      <Accordion variant="default" mt={4} chevronPosition="left">
        <Accordion.Item value="payload">
          <Accordion.Control>
            <Text size="sm">Akeneo payload{unit.entities.length === 1 ? '' : 's'}</Text>
          </Accordion.Control>
          <Accordion.Panel>
            {unit.entities.map((e) => (
              <Code block key={e.code} mb={4} fz="xs">
                {JSON.stringify(e.payload, null, 2)}
              </Code>
            ))}
          </Accordion.Panel>
        </Accordion.Item>
      </Accordion>
    </Paper>
  );
}

export function PreviewPanel({ preview, attribute, fields, onKeys, onRandom }: { preview: PreviewState; attribute: string | null; fields: string[]; onKeys: (keys: string[]) => void; onRandom: () => void }) {
  const [skus, setSkus] = useState('');
  const data = preview.data;
  return (
    <Stack gap="sm" aria-live="polite">
      <Group align="flex-end" gap="xs">
        <TextInput label="Preview these SKUs" placeholder="comma separated" value={skus} onChange={(e) => setSkus(e.currentTarget.value)} style={{ flex: 1 }} />
        <Button variant="default" onClick={() => onKeys(skus.split(',').map((s) => s.trim()).filter(Boolean))} disabled={!skus.trim()}>
          Preview
        </Button>
        <Button variant="default" onClick={onRandom}>
          5 at random
        </Button>
      </Group>
      <Group gap="xs" mih={20}>
        {preview.fetching && <Loader size="xs" aria-label="Updating the preview" />}
        {data && (
          <Text size="xs" c="dimmed" data-testid="preview-status">
            Preview of the draft on {data.keys.length} record{data.keys.length === 1 ? '' : 's'} · mapped in {data.durationMs} ms · nothing saved or sent
          </Text>
        )}
      </Group>
      {preview.error && (
        <Alert color="bad" title="No preview">
          {preview.error.message}
        </Alert>
      )}
      {data && data.problems.length > 0 && (
        <Alert color="bad" title="The draft cannot be used as it is" data-testid="draft-problems">
          {data.problems.map((p) => (
            <Text size="sm" key={p.path + p.message}>
              <Code>{p.path}</Code>: {p.message}. <strong>Fix:</strong> {p.fix}
            </Text>
          ))}
        </Alert>
      )}
      {data?.units.map((u) => <UnitCard key={`${u.kind}:${u.key}`} unit={u} attribute={attribute} fields={fields} />)}
      {data && data.missingOptions.length > 0 && (
        <Box>
          <Text size="xs" c="dimmed">
            Options to create: {data.missingOptions.slice(0, 20).join(', ')}
            {data.missingOptions.length > 20 ? ', …' : ''}
          </Text>
        </Box>
      )}
    </Stack>
  );
}
