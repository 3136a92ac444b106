/**
 * The converter options of one mapping row, by attribute type: the ERP field or expression, and
 * unit, decimals, boolean words, date formats, option renames… Each change edits the draft at once
 * (the preview beside it follows); the effective value (preset under file) shows as placeholder.
 */
import { Badge, Group, NumberInput, SegmentedControl, SimpleGrid, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { MappingRow } from '../../../../src/server/api/contract.js';
import { listToText, pairsToText, textToList, textToPairs } from './draft-edit';

type Kind = 'metric' | 'number' | 'boolean' | 'date' | 'select' | 'price' | 'text' | 'other';

function kindOf(type: string | null): Kind {
  const t = (type ?? '').replace(/^pim_catalog_/, '');
  if (t === 'metric') return 'metric';
  if (t === 'number') return 'number';
  if (t === 'boolean') return 'boolean';
  if (t === 'date') return 'date';
  if (t === 'simpleselect' || t === 'multiselect') return 'select';
  if (t === 'price_collection' || t === 'price') return 'price';
  if (t === 'text' || t === 'textarea' || t === 'identifier') return 'text';
  return 'other';
}

/** A text box holding its own text while typing; each change is parsed and handed to the draft (the structure form uses it too). */
export function DraftText({ label, description, value, placeholder, toText, fromText, onChange, multiline }: {
  label: string;
  description?: string;
  value: unknown;
  placeholder?: string;
  toText: (v: unknown) => string;
  fromText: (t: string) => unknown;
  onChange: (v: unknown) => void;
  multiline?: boolean;
}) {
  const [text, setText] = useState(() => toText(value));
  const props = { label, description, placeholder, value: text, onChange: (e: { currentTarget: { value: string } }) => { setText(e.currentTarget.value); onChange(fromText(e.currentTarget.value)); } };
  return multiline ? <Textarea {...props} autosize minRows={2} maxRows={6} /> : <TextInput {...props} />;
}

const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const asText = { toText: str, fromText: (t: string) => t.trim() || undefined };
const asList = { toText: listToText, fromText: (t: string) => textToList(t) };
const asPairs = { toText: pairsToText, fromText: (t: string) => textToPairs(t) };

function Tristate({ label, value, effective, onChange }: { label: string; value: unknown; effective: unknown; onChange: (v: boolean | undefined) => void }) {
  return (
    <Stack gap={4}>
      <Text size="sm" fw={500} id={`tri-${label}`}>
        {label}
      </Text>
      <SegmentedControl
        aria-labelledby={`tri-${label}`}
        size="xs"
        value={value === true ? 'yes' : value === false ? 'no' : 'default'}
        onChange={(v) => onChange(v === 'yes' ? true : v === 'no' ? false : undefined)}
        data={[
          { value: 'default', label: `default${effective === undefined ? '' : ` (${effective ? 'yes' : 'no'})`}` },
          { value: 'yes', label: 'yes' },
          { value: 'no', label: 'no' },
        ]}
      />
    </Stack>
  );
}

export function RowEditor({ row, own, onChange }: { row: MappingRow; own: Record<string, unknown>; onChange: (key: string, value: unknown) => void }) {
  const kind = kindOf(row.type);
  const eff = row.spec;
  const hint = (key: string) => (eff[key] !== undefined && own[key] === undefined ? `${Array.isArray(eff[key]) ? (eff[key] as unknown[]).join(', ') : typeof eff[key] === 'object' ? pairsToText(eff[key]).replace(/\n/g, '; ') : String(eff[key])} (preset)` : undefined);
  const text = (key: string, label: string, description?: string) => <DraftText key={key} label={label} description={description} value={own[key]} placeholder={hint(key)} {...asText} onChange={(v) => onChange(key, v)} />;
  const list = (key: string, label: string, description?: string) => <DraftText key={key} label={label} description={description} value={own[key]} placeholder={hint(key)} {...asList} onChange={(v) => onChange(key, v)} />;
  const pairs = (key: string, label: string, description?: string) => <DraftText key={key} multiline label={label} description={description} value={own[key]} placeholder={hint(key)} {...asPairs} onChange={(v) => onChange(key, v)} />;
  const tri = (key: string, label: string) => <Tristate key={key} label={label} value={own[key]} effective={eff[key]} onChange={(v) => onChange(key, v)} />;
  const num = (key: string, label: string, min: number, max: number) => (
    <NumberInput key={key} label={label} min={min} max={max} value={typeof own[key] === 'number' ? (own[key] as number) : ''} placeholder={hint(key)} onChange={(v) => onChange(key, typeof v === 'number' ? v : undefined)} />
  );
  const fields: React.ReactNode[] = [];
  if (kind === 'metric') {
    fields.push(text('unit', 'Unit for amounts without one', 'Akeneo unit code, e.g. KILOGRAM'), text('convertTo', 'Always convert to', 'Akeneo unit code; empty keeps the ERP unit'), tri('decimals', 'Decimals allowed'), num('precision', 'Decimals kept after a conversion', 0, 12), pairs('units', 'ERP unit → Akeneo unit', 'one per line: lb = POUND'));
  } else if (kind === 'number') {
    fields.push(tri('decimals', 'Decimals allowed'), tri('negativeAllowed', 'Negative values allowed'));
  } else if (kind === 'boolean') {
    fields.push(list('trueValues', 'Also means yes', 'comma separated, e.g. ja, oui'), list('falseValues', 'Also means no', 'comma separated'));
  } else if (kind === 'date') {
    fields.push(list('formats', 'Date formats, in order', 'tokens YYYY MM DD HH mm ss, e.g. DD.MM.YYYY'), text('timeZone', 'Time zone of the ERP', 'IANA zone, e.g. Europe/Berlin'));
  } else if (kind === 'select') {
    fields.push(pairs('renames', 'ERP value → option code', 'one per line: Dark blue = navy'), text('separator', 'Separator inside a text value', 'default ,'));
  } else if (kind === 'price') {
    fields.push(text('currency', 'Currency of amounts without one'), pairs('currencies', 'ERP currency → Akeneo currency', 'one per line: US$ = USD'));
  } else if (kind === 'text') {
    fields.push(num('maxLength', 'Maximum length', 1, 65535), tri('trim', 'Trim spaces'));
  }
  return (
    <Stack gap="sm">
      <Group gap="xs">
        <Text fw={700}>{row.attribute}</Text>
        <Badge color="dark">{(row.type ?? 'type unknown').replace(/^pim_catalog_/, '')}</Badge>
        {row.localizable && <Badge color="akeneo">per locale</Badge>}
        {row.scopable && <Badge color="akeneo">per channel</Badge>}
        {!row.inPim && <Badge color="warn">not in the PIM yet</Badge>}
      </Group>
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
        <DraftText label="ERP field" description="first non-empty of a comma-separated list" value={own.from ?? (own.expression ? '' : undefined)} placeholder={row.expression ? '' : row.from.join(', ')} toText={listToText} fromText={(t) => { const l = textToList(t); return l.length === 0 ? undefined : l.length === 1 ? l[0] : l; }} onChange={(v) => onChange('from', v)} />
        <DraftText label="Or an expression" description='over several fields, e.g. "{brand} {name}"' value={own.expression} placeholder={row.expression ?? ''} {...asText} onChange={(v) => onChange('expression', v)} />
        {fields}
        {text('default', 'Value when the ERP field is empty')}
      </SimpleGrid>
    </Stack>
  );
}
