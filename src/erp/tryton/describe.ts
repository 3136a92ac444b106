/** describe(): the streams and their fields as this Tryton database has them. */
import type { FieldDescription, FieldType, LocalizedText, StreamDescription } from '../port.js';
import { attributeFieldName } from './items.js';
import type { TrytonConnection } from './session.js';
import { parseSelection, readAttributes } from './structure.js';
import { MEASURES } from './templates.js';
import type { Translations } from './translations.js';

const ATTRIBUTE_TYPES: Record<string, FieldType> = {
  boolean: 'boolean',
  integer: 'integer',
  char: 'string',
  float: 'decimal',
  numeric: 'decimal',
  date: 'date',
  datetime: 'datetime',
  selection: 'select',
  multiselection: 'multiselect',
};

const ITEMS_DELTA =
  'A variant is read when it, its template or one of its identifiers has write_date or create_date at or after `since` minus erp.deltaSkewSeconds (create_date covers never-written rows; the template clause covers template edits that leave variants untouched).';
const OWN_DELTA = 'A record is read when its write_date or create_date is at or after `since` minus erp.deltaSkewSeconds (create_date covers never-written rows).';

/** Each selection attribute's option labels in every language, as the attributes stream reads them. */
async function optionLabelsOf(conn: TrytonConnection, translations: Translations): Promise<Map<string, Record<string, LocalizedText>>> {
  const out = new Map<string, Record<string, LocalizedText>>();
  for await (const record of readAttributes(conn, translations, {})) {
    const labels: Record<string, LocalizedText> = {};
    for (const [name, value] of Object.entries(record.fields)) {
      if (name.startsWith('option_label.') && value && typeof value === 'object' && !Array.isArray(value) && value.kind === 'localized') labels[name.slice('option_label.'.length)] = value;
    }
    if (Object.keys(labels).length) out.set(record.key, labels);
  }
  return out;
}

export async function describeTryton(conn: TrytonConnection, translations: Translations): Promise<StreamDescription[]> {
  const { config } = conn;
  const languages = config.languages;
  const uoms = (await conn.model('product.uom', 'search_read', [[], 0, null, [['id', 'ASC']], ['symbol', 'category.name']], { language: 'en' })) as {
    symbol: string;
    'category.': { name: string } | null;
  }[];
  const unitsOf = (category: string): string[] => uoms.filter((u) => u['category.']?.name === category).map((u) => u.symbol);
  const measureUnits: Record<string, string[]> = {
    weight: unitsOf('Weight'),
    length: unitsOf('Length'),
    width: unitsOf('Length'),
    height: unitsOf('Length'),
    volume: unitsOf('Volume'),
  };
  const attributes = (await conn.model('product.attribute', 'search_read', [[], 0, null, [['name', 'ASC']], ['name', 'string', 'type_', 'selection']], {
    language: config.sourceLanguage,
  })) as { name: string; string: string; type_: string; selection: string | null }[];
  const optionLabels = await optionLabelsOf(conn, translations);

  const templateFields: FieldDescription[] = [
    { name: 'name', type: 'localized', languages, label: 'Name' },
    { name: 'type', type: 'select', options: ['goods', 'assets', 'service'], label: 'Type' },
    { name: 'uom', type: 'string', label: 'Default unit', units: uoms.map((u) => u.symbol) },
    ...MEASURES.map((m): FieldDescription => ({ name: m, type: 'quantity', units: measureUnits[m], nullable: true, label: m[0]!.toUpperCase() + m.slice(1) })),
  ];
  if (config.referencePrice) templateFields.push({ name: 'list_price', type: 'money', nullable: true, hot: true, label: 'List price (reference)' });
  const itemFields: FieldDescription[] = [
    ...templateFields.slice(0, 1),
    { name: 'description', type: 'localized', languages, nullable: true, label: 'Description' },
    ...templateFields.slice(1),
    { name: 'ean', type: 'string', nullable: true, label: 'EAN' },
    ...attributes.map(
      (a): FieldDescription => ({
        name: attributeFieldName(a.name),
        type: ATTRIBUTE_TYPES[a.type_] ?? 'string',
        label: a.string,
        nullable: true,
        ...(a.type_ === 'selection' || a.type_ === 'multiselection' ? { options: parseSelection(a.selection).map(([k]) => k) } : {}),
        ...(optionLabels.has(a.name) ? { optionLabels: optionLabels.get(a.name)! } : {}),
      }),
    ),
  ];
  return [
    { stream: 'items', fields: itemFields, supportsDelta: true, deltaStrategy: ITEMS_DELTA },
    { stream: 'groups', fields: templateFields, supportsDelta: true, deltaStrategy: OWN_DELTA },
    { stream: 'categories', fields: [{ name: 'name', type: 'localized', languages, label: 'Name' }], supportsDelta: true, deltaStrategy: OWN_DELTA },
    {
      stream: 'attributes',
      fields: [
        { name: 'label', type: 'localized', languages, label: 'Label' },
        { name: 'type', type: 'select', options: Object.keys(ATTRIBUTE_TYPES) },
        { name: 'digits', type: 'integer', nullable: true },
        { name: 'options', type: 'multiselect', nullable: true, label: 'Selection keys; option_label.<key> holds each label (localized)' },
      ],
      supportsDelta: true,
      deltaStrategy: OWN_DELTA,
    },
  ];
}
