/** The `categories` (product.category tree) and `attributes` (product.attribute) streams. */
import type { ErpRecord, FieldValue, LocalizedText, ReadOptions } from '../port.js';
import { changedSince, deltaStart, latest, pagesOf, type Domain } from './paging.js';
import type { TrytonConnection } from './session.js';
import { categoryKey, parseIdKey } from './templates.js';
import type { Translations } from './translations.js';

function limited(options: ReadOptions): number {
  return options.limit ?? Infinity;
}

export async function* readCategories(conn: TrytonConnection, translations: Translations, options: ReadOptions): AsyncGenerator<ErpRecord> {
  const t = deltaStart(options.since, conn.config.deltaSkewSeconds);
  const domain: Domain = t ? [changedSince(t, [''])] : [];
  if (options.keys) {
    const ids = options.keys.map((k) => parseIdKey(k, 'category')).filter((v): v is number => v !== null);
    domain.push(['id', 'in', ids]);
  }
  const limit = limited(options);
  if (limit <= 0) return;
  let emitted = 0;
  for await (const rows of pagesOf(conn, 'product.category', domain, ['name', 'parent', 'write_date', 'create_date'], conn.config.pageSize, options.signal)) {
    const localized = await translations.localize('product.category', ['name'], rows);
    for (const row of rows) {
      const id = Number(row.id);
      const updated = latest(row.write_date, row.create_date);
      yield {
        stream: 'categories',
        key: categoryKey(id),
        updatedAt: updated ? updated.toIso() : null,
        parent: typeof row.parent === 'number' ? categoryKey(row.parent) : null,
        fields: { name: localized('name', id, row.name, categoryKey(id)) },
      };
      if (++emitted >= limit) return;
    }
  }
}

/** Parses Tryton's `key:label` lines (DictSchemaMixin.get_selection_json). */
export function parseSelection(text: unknown): [string, string][] {
  if (typeof text !== 'string') return [];
  return text
    .split(/\r?\n/)
    .filter((line) => line !== '')
    .map((line) => {
      const at = line.indexOf(':');
      return at === -1 ? [line.trim(), line.trim()] : [line.slice(0, at).trim(), line.slice(at + 1).trim()];
    });
}

/**
 * Attribute records: `label` (localized), `type` (Tryton type_), `digits`, `options` (the
 * selection keys in Tryton's order) and one `option_label.<key>` localized label per option.
 * A selection label is translated when ir.translation has a real `selection` translation for
 * the attribute; the per-option label is the one in that translated text (or absent).
 */
export async function* readAttributes(conn: TrytonConnection, translations: Translations, options: ReadOptions): AsyncGenerator<ErpRecord> {
  const t = deltaStart(options.since, conn.config.deltaSkewSeconds);
  const domain: Domain = t ? [changedSince(t, [''])] : [];
  if (options.keys) domain.push(['name', 'in', options.keys]);
  const limit = limited(options);
  if (limit <= 0) return;
  let emitted = 0;
  const fields = ['name', 'string', 'type_', 'digits', 'selection', 'write_date', 'create_date'];
  for await (const rows of pagesOf(conn, 'product.attribute', domain, fields, conn.config.pageSize, options.signal)) {
    const localized = await translations.localize('product.attribute', ['string', 'selection'], rows);
    for (const row of rows) {
      const id = Number(row.id);
      const type = String(row.type_ ?? '');
      const out: Record<string, FieldValue> = {
        label: localized('string', id, row.string, String(row.name)),
        type,
        digits: type === 'numeric' || type === 'float' ? (typeof row.digits === 'number' ? row.digits : null) : null,
      };
      if (type === 'selection' || type === 'multiselection') {
        const source = parseSelection(row.selection);
        out.options = source.map(([k]) => k);
        // Per language, the selection text as a whole is either translated or not.
        const selections = localized('selection', id, row.selection, String(row.name));
        const perLang = new Map(Object.entries(selections?.values ?? {}).map(([lang, text]) => [lang, new Map(parseSelection(text))]));
        for (const [key] of source) {
          const values: Record<string, string> = {};
          for (const [lang, labels] of perLang) {
            const label = labels.get(key);
            if (label) values[lang] = label;
          }
          const label: LocalizedText | null = Object.keys(values).length ? { kind: 'localized', values } : null;
          out[`option_label.${key}`] = label;
        }
      }
      const updated = latest(row.write_date, row.create_date);
      yield { stream: 'attributes', key: String(row.name), updatedAt: updated ? updated.toIso() : null, fields: out };
      if (++emitted >= limit) return;
    }
  }
}
