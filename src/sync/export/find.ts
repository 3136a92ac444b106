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

/** Every candidate once (by uuid or identifier), in pages of `pageSize`. */
export async function* findTagged(client: AkeneoClient, config: ExportConfig, since: string | null, keys?: readonly string[]): AsyncIterable<Product[]> {
  const seen = new Set<string>();
  const wanted = keys && keys.length ? new Set(keys) : null;
  let page: Product[] = [];
  for (const s of searches(config, since)) {
    for await (const product of client.products.list({ search: s, limit: 100 })) {
      const id = product.uuid ?? product.identifier ?? '';
      if (seen.has(id)) continue;
      seen.add(id);
      if (wanted && !wanted.has(id) && !(product.identifier && wanted.has(product.identifier))) continue;
      page.push(product);
      if (page.length >= config.batchSize) {
        yield page;
        page = [];
      }
    }
  }
  if (page.length) yield page;
}
