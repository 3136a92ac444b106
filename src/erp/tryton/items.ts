/**
 * The `items` stream (product.product, one per SKU) and the `groups` stream (product.template).
 *
 * Delta for items: a variant counts as changed when it, its template or one of its
 * identifiers was created or written at or after `since` (minus the skew margin), because
 * Tryton does not touch a variant's write_date when its template is edited.
 */
import type { ErpRecord, FieldValue, ReadOptions } from '../port.js';
import { TrytonDateTime } from './codec.js';
import { chunks } from '../../util/chunks.js';
import { changedSince, deltaStart, latest, pagesOf, type Domain } from './paging.js';
import type { TrytonConnection } from './session.js';
import {
  MEASURES,
  buildTemplates,
  categoryKey,
  parseIdKey,
  readTemplates,
  templateFields,
  type TemplateData,
} from './templates.js';
import type { Translations } from './translations.js';
import { attributeValue, bool } from './values.js';

/** Item field names the adapter sets itself; an ERP attribute with one of these codes is read as `attribute_<code>`. */
export const ITEM_STANDARD_FIELDS = new Set(['name', 'description', 'type', 'uom', 'ean', 'list_price', ...MEASURES]);

export function attributeFieldName(code: string): string {
  return ITEM_STANDARD_FIELDS.has(code) ? `attribute_${code}` : code;
}

const PRODUCT_FIELDS = ['code', 'active', 'description', 'attributes', 'template', 'write_date', 'create_date'];
/** ReadOptions.fields 'none' (a queued run's plan): key, group, categories, flag and dates; no value, no translation. */
const PRODUCT_KEY_FIELDS = ['code', 'active', 'template', 'write_date', 'create_date'];

/** Runs the paged query once per chunk of keys (or once without keys). */
async function* keyedPages(
  conn: TrytonConnection,
  model: string,
  base: Domain,
  keyClause: ((keys: string[]) => Domain | null) | null,
  keys: string[] | undefined,
  fields: string[],
  signal?: AbortSignal,
  limit = Infinity,
): AsyncGenerator<Record<string, unknown>[]> {
  // A small limit needs no full page (later pages still come if records get rejected).
  const pageSize = Math.max(1, Math.min(conn.config.pageSize, limit));
  if (!keys) {
    yield* pagesOf(conn, model, base, fields, pageSize, signal);
    return;
  }
  for (const part of chunks(keys, conn.config.pageSize)) {
    const clause = keyClause?.(part);
    if (!clause) continue;
    yield* pagesOf(conn, model, [...base, clause], fields, pageSize, signal);
  }
}

export async function* readItems(conn: TrytonConnection, translations: Translations, options: ReadOptions): AsyncGenerator<ErpRecord> {
  const t = deltaStart(options.since, conn.config.deltaSkewSeconds);
  const domain: Domain = t ? [changedSince(t, ['', 'template', 'identifiers'])] : [];
  const keysOnly = options.fields === 'none';
  const attributeTypes = keysOnly ? new Map<string, string>() : await readAttributeTypes(conn);
  let emitted = 0;
  const limit = options.limit ?? Infinity;
  if (limit <= 0) return;
  // Templates are shared by consecutive variants: keep the last few hundred, not the catalogue.
  const templateCache = new Map<number, TemplateData>();
  for await (const rows of keyedPages(conn, 'product.product', domain, (keys) => [['code', 'in', keys]], options.keys, keysOnly ? PRODUCT_KEY_FIELDS : PRODUCT_FIELDS, options.signal, limit)) {
    const ids = rows.map((r) => Number(r.id));
    if (templateCache.size > 2000) templateCache.clear(); // before deciding what this page must read
    const missing = [...new Set(rows.map((r) => Number(r.template)))].filter((id) => !templateCache.has(id));
    // Identifiers are read in a keys-only read too: their dates are the item's.
    const [templates, localized, identifiers] = await Promise.all([
      readTemplates(conn, translations, missing, keysOnly),
      keysOnly ? null : translations.localize('product.product', ['description'], rows),
      readIdentifiers(conn, ids),
    ]);
    for (const [id, tmpl] of templates) templateCache.set(id, tmpl);
    for (const row of rows) {
      const id = Number(row.id);
      const code = typeof row.code === 'string' && row.code.trim() !== '' ? row.code : '';
      if (!code) {
        options.onReject?.({
          stream: 'items',
          location: `product.product id ${id}`,
          field: 'code',
          raw: JSON.stringify({ id, template: row.template }),
          message: `Variant id ${id} has no code in Tryton, so it has no SKU; give it a code (template code + variant suffix) in Tryton.`,
        });
        continue;
      }
      const tmpl = templateCache.get(Number(row.template));
      if (!tmpl) {
        options.onReject?.({
          stream: 'items',
          location: `product.product id ${id}`,
          key: code,
          field: 'template',
          raw: JSON.stringify({ id, code, template: row.template }),
          message: `Variant ${code}: its template ${String(row.template)} could not be read (access rules?).`,
        });
        continue;
      }
      const ids_ = identifiers.get(id);
      const fields: Record<string, FieldValue> = {};
      if (localized) {
        Object.assign(fields, { name: tmpl.name, description: localized('description', id, row.description, code), type: tmpl.type, uom: tmpl.uom, ean: ids_?.ean ?? null, ...tmpl.measures });
        if (conn.config.referencePrice) fields.list_price = tmpl.listPrice;
        const attrs = (row.attributes ?? {}) as Record<string, unknown>;
        for (const [attrCode, value] of Object.entries(attrs)) {
          fields[attributeFieldName(attrCode)] = attributeValue(value, attributeTypes.get(attrCode));
        }
      }
      const updated = latest(row.write_date, row.create_date, tmpl.updatedAt, ids_?.updatedAt);
      yield {
        stream: 'items',
        key: code,
        updatedAt: updated ? updated.toIso() : null,
        group: tmpl.key,
        categories: tmpl.categoryIds.map(categoryKey),
        // An archived template archives what it sells, whatever the variant's own flag says.
        active: bool(row.active) && tmpl.active,
        fields,
      };
      if (++emitted >= limit) return;
    }
  }
}

export async function* readGroups(conn: TrytonConnection, translations: Translations, options: ReadOptions): AsyncGenerator<ErpRecord> {
  const t = deltaStart(options.since, conn.config.deltaSkewSeconds);
  const domain: Domain = t ? [changedSince(t, [''])] : [];
  let emitted = 0;
  const limit = options.limit ?? Infinity;
  if (limit <= 0) return;
  const keyClause = (keys: string[]): Domain => {
    const ids = keys.map((k) => parseIdKey(k, 'template')).filter((v): v is number => v !== null);
    return ids.length ? ['OR', ['code', 'in', keys], ['id', 'in', ids]] : ['code', 'in', keys];
  };
  const keysOnly = options.fields === 'none';
  for await (const rows of keyedPages(conn, 'product.template', domain, keyClause, options.keys, templateFields(conn.config.referencePrice, keysOnly), options.signal, limit)) {
    for (const tmpl of await buildTemplates(conn, translations, rows, keysOnly)) {
      const fields: Record<string, FieldValue> = keysOnly ? {} : { name: tmpl.name, type: tmpl.type, uom: tmpl.uom, ...tmpl.measures };
      if (conn.config.referencePrice && !keysOnly) fields.list_price = tmpl.listPrice;
      yield {
        stream: 'groups',
        key: tmpl.key,
        updatedAt: tmpl.updatedAt ? tmpl.updatedAt.toIso() : null,
        categories: tmpl.categoryIds.map(categoryKey),
        active: tmpl.active,
        fields,
      };
      if (++emitted >= limit) return;
    }
  }
}

async function readAttributeTypes(conn: TrytonConnection): Promise<Map<string, string>> {
  const rows = (await conn.model('product.attribute', 'search_read', [[], 0, null, null, ['name', 'type_']])) as { name: string; type_: string }[];
  return new Map(rows.map((r) => [r.name, r.type_]));
}

async function readIdentifiers(conn: TrytonConnection, productIds: number[]): Promise<Map<number, { ean: string | null; updatedAt: TrytonDateTime | null }>> {
  const rows = (await conn.model('product.identifier', 'search_read', [
    [['product', 'in', productIds]],
    0,
    null,
    [['sequence', 'ASC'], ['id', 'ASC']],
    ['product', 'type', 'code', 'write_date', 'create_date'],
  ])) as Record<string, unknown>[];
  const out = new Map<number, { ean: string | null; updatedAt: TrytonDateTime | null }>();
  for (const r of rows) {
    const pid = Number(r.product);
    const entry = out.get(pid) ?? { ean: null, updatedAt: null };
    if (r.type === 'ean' && entry.ean === null && typeof r.code === 'string') entry.ean = r.code;
    entry.updatedAt = latest(entry.updatedAt, r.write_date, r.create_date);
    out.set(pid, entry);
  }
  return out;
}
