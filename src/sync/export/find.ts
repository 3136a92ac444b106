/**
 * Finds the tagged products to export: one PIM search on the tag, plus (for re-exports and
 * retries) the tagged products updated since the last export. Which of them are sent is decided
 * by their status (`decide`).
 */
import type { AkeneoClient } from '../../akeneo/index.js';
import { search } from '../../akeneo/search.js';
import type { Product } from '../../akeneo/model.js';
import type { ExportConfig } from '../../mapping/export/config.js';

export const STATUS = { toExport: 'to_export', exported: 'exported', inErp: 'in_erp', error: 'error' } as const;

/** The product's value of a non-localizable, non-scopable attribute. */
export function plainValue(product: Product, attribute: string): unknown {
  return product.values?.[attribute]?.find((v) => (v.locale ?? null) === null && (v.scope ?? null) === null)?.data;
}

/** The searches that find candidates: the tag, and the tagged products changed since the last export. */
function searches(config: ExportConfig, since: string | null): string[] {
  const statusAttr = config.status.attribute;
  const tagged = () => {
    const s = search();
    if (config.tag.kind === 'status') s.in(statusAttr, [STATUS.toExport]);
    else if (config.tag.kind === 'boolean') s.where(config.tag.attribute, '=', true);
    else s.categories([config.tag.category]);
    return s;
  };
  const out = [tagged().build()];
  if (since && config.tag.kind === 'status') {
    // Status tag: products in error, or already sent (updates: owned), changed since the last export.
    const again = config.updates === 'owned' ? [STATUS.error, STATUS.exported, STATUS.inErp] : [STATUS.error];
    out.push(search().in(statusAttr, again).updatedSince(since).build());
  }
  return out;
}

/**
 * Whether a candidate is sent in this run, or why not. A product already sent goes again only with
 * `updates: owned`, and then only when what it maps to changed (compared with what was sent).
 */
export function decide(product: Product, config: ExportConfig): { send: true } | { send: false; reason: string } {
  const status = plainValue(product, config.status.attribute);
  if ((status === STATUS.exported || status === STATUS.inErp) && config.updates === 'never') return { send: false, reason: 'already in the ERP (export.updates: never)' };
  return { send: true };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** With --keys: the named products (uuids or identifiers), tagged or not. */
function keySearches(keys: readonly string[], identifierAttribute: string): string[] {
  const uuids = keys.filter((k) => UUID.test(k));
  const identifiers = keys.filter((k) => !UUID.test(k));
  const out: string[] = [];
  for (let i = 0; i < uuids.length; i += 100) out.push(search().uuids(uuids.slice(i, i + 100)).build());
  for (let i = 0; i < identifiers.length; i += 100) out.push(search().in(identifierAttribute, identifiers.slice(i, i + 100)).build());
  return out;
}

/** Every candidate once (by uuid or identifier), in pages of `pageSize`. */
export async function* findTagged(client: AkeneoClient, config: ExportConfig, since: string | null, keys?: readonly string[]): AsyncIterable<Product[]> {
  const seen = new Set<string>();
  let page: Product[] = [];
  const all = keys && keys.length ? keySearches(keys, await client.products.identifierAttribute()) : searches(config, since);
  for (const s of all) {
    for await (const product of client.products.list({ search: s, limit: 100 })) {
      const id = product.uuid ?? product.identifier ?? '';
      if (seen.has(id)) continue;
      seen.add(id);
      page.push(product);
      if (page.length >= config.batchSize) {
        yield page;
        page = [];
      }
    }
  }
  if (page.length) yield page;
}
