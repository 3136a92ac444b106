/**
 * Reading product.template rows: what groups expose and what items inherit (Tryton 6.0
 * keeps name, type, prices, categories, weight and dimensions per template).
 */
import type { FieldValue, LocalizedText, Money } from '../port.js';
import { TrytonDateTime, TrytonDecimal } from './codec.js';
import { chunks } from '../../util/chunks.js';
import { latest } from './paging.js';
import type { TrytonConnection } from './session.js';
import type { Translations } from './translations.js';
import { bool, quantityOf, symbolOf } from './values.js';

export const MEASURES = ['weight', 'length', 'width', 'height', 'volume'] as const;

export interface TemplateData {
  id: number;
  key: string;
  name: LocalizedText | null;
  type: string;
  uom: string | null;
  active: boolean;
  categoryIds: number[];
  measures: Record<(typeof MEASURES)[number], FieldValue>;
  listPrice: Money | null;
  updatedAt: TrytonDateTime | null;
}

/** Templates without a code get a stable key from their id. */
export function templateKey(code: unknown, id: number): string {
  return typeof code === 'string' && code.trim() !== '' ? code : `template_${id}`;
}

export function categoryKey(id: number): string {
  return `category_${id}`;
}

export function parseIdKey(key: string, prefix: string): number | null {
  const m = new RegExp(`^${prefix}_(\\d+)$`).exec(key);
  return m ? Number(m[1]) : null;
}

/** What a keys-only read (ReadOptions.fields 'none') needs of a template: its key, categories, flag and dates. */
const TEMPLATE_KEY_FIELDS = ['code', 'active', 'categories', 'write_date', 'create_date'];

export function templateFields(referencePrice: boolean, keysOnly = false): string[] {
  if (keysOnly) return TEMPLATE_KEY_FIELDS;
  const fields = ['code', 'name', 'type', 'active', 'default_uom.symbol', 'categories', 'write_date', 'create_date'];
  for (const m of MEASURES) fields.push(m, `${m}_uom.symbol`);
  if (referencePrice) fields.push('list_price');
  return fields;
}

export async function buildTemplates(
  conn: TrytonConnection,
  translations: Translations,
  rows: Record<string, unknown>[],
  keysOnly = false,
): Promise<TemplateData[]> {
  const session = await conn.session();
  // A keys-only read looks up no translation: the name stays null.
  const localized = keysOnly ? () => null : await translations.localize('product.template', ['name'], rows);
  return rows.map((row) => {
    const id = Number(row.id);
    const key = templateKey(row.code, id);
    const measures = {} as TemplateData['measures'];
    for (const m of MEASURES) measures[m] = quantityOf(row, m);
    const price = row.list_price;
    return {
      id,
      key,
      name: localized('name', id, row.name, key),
      type: String(row.type ?? ''),
      uom: symbolOf(row, 'default_uom'),
      active: bool(row.active),
      categoryIds: Array.isArray(row.categories) ? row.categories.map(Number) : [],
      measures,
      listPrice:
        conn.config.referencePrice && price instanceof TrytonDecimal && session.currency
          ? { kind: 'money', amount: price.value, currency: session.currency }
          : null,
      updatedAt: latest(row.write_date, row.create_date),
    };
  });
}

/** Reads templates by id (for items), in chunks of the page size; `keysOnly`: what a keys-only read needs. */
export async function readTemplates(conn: TrytonConnection, translations: Translations, ids: number[], keysOnly = false): Promise<Map<number, TemplateData>> {
  const out = new Map<number, TemplateData>();
  for (const part of chunks(ids, conn.config.pageSize)) {
    const rows = (await conn.model('product.template', 'read', [part, templateFields(conn.config.referencePrice, keysOnly)])) as Record<string, unknown>[];
    for (const t of await buildTemplates(conn, translations, rows, keysOnly)) out.set(t.id, t);
  }
  return out;
}
