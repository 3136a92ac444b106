/**
 * The mapping's settings that are not attribute rows: the locale table (ERP language → Akeneo
 * locale, sent or dropped), the default language, the channels scopable values go to, which
 * attributes the ERP owns, and the hot-data guard (prices, stock). Each field edits the draft at
 * once, like the rows; the help texts are the config schema's descriptions, sent by the server.
 */
import { Badge, Button, Checkbox, Group, MultiSelect, Paper, Select, SimpleGrid, Stack, Switch, Table, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import type { MappingOverview } from '../../../../src/server/api/contract.js';
import type { Draft } from '../../api/mapping';

const SOURCE = { file: 'ferry.yaml', preset: 'preset', auto: 'same language', none: 'no locale' } as const;

type Edit = (path: string[], value: unknown) => void;

function LocaleTable({ overview, draft, onEdit }: { overview: MappingOverview; draft: Draft; onEdit: Edit }) {
  const s = overview.settings;
  const [language, setLanguage] = useState('');
  const dropped = (draft.dropLanguages as string[] | undefined) ?? s.languages.filter((l) => l.dropped).map((l) => l.language);
  const locales = s.pimLocales.map((l) => ({ value: l.code, label: l.active ? l.code : `${l.code} (not active yet)` }));
  return (
    <Stack gap="xs">
      <Text size="sm" c="dimmed">
        {s.help['mapping.locales']}
      </Text>
      <Table verticalSpacing={4} fz="sm" data-testid="locale-table">
        <Table.Caption>ERP languages and the Akeneo locales their values go to</Table.Caption>
        <Table.Thead>
          <Table.Tr>
            <Table.Th scope="col">ERP language</Table.Th>
            <Table.Th scope="col">Akeneo locale</Table.Th>
            <Table.Th scope="col">Set by</Table.Th>
            <Table.Th scope="col">Sent to the PIM</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {s.languages.map((l) => (
            <Table.Tr key={l.language}>
              <Table.Td>
                {l.language}
                {!l.inErp && (
                  <Text span size="xs" c="dimmed">
                    {' '}
                    (no ERP field in it)
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <Select
                  size="xs"
                  aria-label={`Akeneo locale for ${l.language}`}
                  data={locales}
                  value={((draft.locales as Record<string, string> | undefined) ?? {})[l.language] ?? l.locale}
                  onChange={(v) => onEdit(['locales', l.language], v ?? undefined)}
                  searchable
                  clearable
                  w={220}
                />
              </Table.Td>
              <Table.Td>{l.source === 'none' ? <Badge color="bad">{SOURCE[l.source]}</Badge> : SOURCE[l.source]}</Table.Td>
              <Table.Td>
                <Switch
                  aria-label={`Send ${l.language}`}
                  checked={!dropped.includes(l.language)}
                  onChange={(e) => onEdit(['dropLanguages'], e.currentTarget.checked ? dropped.filter((d) => d !== l.language) : [...dropped, l.language])}
                />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Group align="flex-end" gap="sm">
        <TextInput size="xs" label="Another ERP language" placeholder="e.g. it" value={language} onChange={(e) => setLanguage(e.currentTarget.value.trim())} w={180} />
        <Button
          size="xs"
          variant="default"
          disabled={!language || s.languages.some((l) => l.language === language)}
          onClick={() => {
            const guess = s.pimLocales.find((l) => l.code.toLowerCase().startsWith(`${language.toLowerCase()}_`));
            onEdit(['locales', language], guess?.code ?? s.pimLocales[0]?.code);
            setLanguage('');
          }}
        >
          Add language
        </Button>
        <Select
          size="xs"
          label="Language of non-localizable attributes"
          description={s.help['mapping.defaultLanguage']}
          data={s.languages.map((l) => l.language)}
          value={(draft.defaultLanguage as string | undefined) ?? s.defaultLanguage}
          onChange={(v) => onEdit(['defaultLanguage'], v ?? undefined)}
          w={320}
        />
      </Group>
    </Stack>
  );
}

export function SettingsEditor({ overview, draft, onEdit }: { overview: MappingOverview; draft: Draft; onEdit: Edit }) {
  const s = overview.settings;
  const own = <T,>(path: string[]): T | undefined => path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), draft) as T | undefined;
  const channels = own<string[]>(['channels', 'default']) ?? s.channels.default ?? [];
  const groups = own<string[]>(['ownership', 'groups']) ?? s.ownership.groups;
  const attributes = own<string[]>(['ownership', 'attributes']) ?? s.ownership.attributes;
  const patterns = own<string[]>(['hotData', 'patterns']) ?? s.hotData.patterns;
  const allow = own<string[]>(['hotData', 'allow']) ?? s.hotData.allow;
  return (
    <Stack gap="md">
      <Paper>
        <Title order={3} size="h4" mb="sm">
          Languages → locales
        </Title>
        <LocaleTable overview={overview} draft={draft} onEdit={onEdit} />
      </Paper>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <Paper>
          <Title order={3} size="h4" mb="sm">
            Channels
          </Title>
          <MultiSelect
            label="Channels scopable attributes are written to"
            description={`${s.help['mapping.channels.default'] ?? ''} None chosen: every channel.`}
            data={s.channels.pim}
            value={channels}
            onChange={(v) => onEdit(['channels', 'default'], v.length ? v : undefined)}
            placeholder={channels.length ? undefined : `every channel (${s.channels.pim.join(', ')})`}
            clearable
          />
        </Paper>
        <Paper>
          <Title order={3} size="h4" mb="sm">
            Ownership: what the ERP writes
          </Title>
          <Stack gap="sm">
            <MultiSelect
              label="Attribute groups the ERP owns"
              description={s.help['mapping.ownership.groups']}
              data={[...new Set([s.ownership.attributeGroup, ...s.ownership.pimGroups, ...groups])]}
              value={groups}
              onChange={(v) => onEdit(['ownership', 'groups'], v.length ? v : undefined)}
              searchable
            />
            <MultiSelect
              label="More attributes the ERP owns"
              description={`${s.help['mapping.ownership.attributes'] ?? ''} Every other attribute is the PIM users': Ferry never touches it.`}
              data={[...new Set([...overview.pim.attributes.map((a) => a.code), ...attributes])]}
              value={attributes}
              onChange={(v) => onEdit(['ownership', 'attributes'], v.length ? v : undefined)}
              searchable
              clearable
            />
          </Stack>
        </Paper>
      </SimpleGrid>
      <Paper>
        <Title order={3} size="h4" mb="sm">
          Hot data: prices and stock stay out of the PIM
        </Title>
        <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
          <TagsInput
            label="Words that mark a field as hot"
            description={s.help['mapping.hotData.patterns']}
            value={patterns}
            onChange={(v) => onEdit(['hotData', 'patterns'], v.length && v.join() !== s.hotData.defaults.join() ? v : undefined)}
            clearable
          />
          <TagsInput label="Fields that look hot but are cold" description={s.help['mapping.hotData.allow']} value={allow} onChange={(v) => onEdit(['hotData', 'allow'], v.length ? v : undefined)} clearable />
        </SimpleGrid>
        {s.hotData.fields.length > 0 && (
          <Stack gap={4} mt="sm" data-testid="hot-fields">
            <Text size="sm" fw={600}>
              ERP fields that look hot
            </Text>
            <Group gap="md">
              {s.hotData.fields.map((f) => (
                <Checkbox
                  key={f.field}
                  label={`${f.field}: cold, send it`}
                  checked={allow.includes(f.field)}
                  onChange={(e) => onEdit(['hotData', 'allow'], e.currentTarget.checked ? [...allow, f.field] : allow.filter((a) => a !== f.field))}
                />
              ))}
            </Group>
          </Stack>
        )}
      </Paper>
    </Stack>
  );
}
