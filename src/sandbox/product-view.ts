/**
 * How stored products and product models are shown: inherited values and categories added
 * from ancestors, associations listed for every association type (uuids on /products-uuid,
 * identifiers on /products), `attributes` / `locales` / `scope` trimming, Akeneo's key order.
 */
import type { Associations, Product, ProductModel, Values } from '../akeneo/model.js';
import { plain, type Query } from './http.js';
import type { Searchable } from './search.js';
import { rowToProduct, rowValue, type SandboxStore, type StoredProduct } from './store.js';

export type Endpoint = 'uuid' | 'identifier';

export interface Trim {
  attributes?: Set<string>;
  locales?: Set<string>;
  scope?: string;
  /** lower-case category codes of the scope's tree, to restrict lists to that channel. */
  scopeCategories?: Set<string>;
  /** `with_attribute_options=true`: add `linked_data` with option labels to select values. */
  withAttributeOptions?: boolean;
}

const lower = (s: string): string => s.toLowerCase();

/** Validates `attributes`, `locales`, `scope` query parameters with Akeneo's messages. */
export function parseTrim(store: SandboxStore, q: Query): Trim {
  const trim: Trim = {};
  if (q['with_attribute_options'] === 'true') trim.withAttributeOptions = true;
  if (q['scope'] !== undefined) {
    const channel = store.channel(q['scope']);
    if (!channel) throw plain(422, `Scope "${q['scope']}" does not exist.`);
    trim.scope = channel.code;
    trim.scopeCategories = store.categorySubtree(channel.category_tree);
  }
  if (q['locales'] !== undefined) {
    const codes = q['locales'].split(',').map((s) => s.trim()).filter(Boolean);
    const active = new Set(store.activeLocales().map(lower));
    const bad = codes.filter((c) => !active.has(lower(c)));
    if (bad.length === 1) throw plain(422, `Locale "${bad[0]}" does not exist or is not activated.`);
    if (bad.length > 1) throw plain(422, `Locales "${bad.join(', ')}" do not exist or are not activated.`);
    if (trim.scope) {
      const channel = store.channel(trim.scope);
      const inChannel = new Set((channel?.locales ?? []).map(lower));
      const off = codes.find((c) => !inChannel.has(lower(c)));
      if (off) throw plain(422, `Locale "${off}" is not activated for the scope "${trim.scope}".`);
    }
    trim.locales = new Set(codes.map(lower));
  }
  if (q['attributes'] !== undefined) {
    const codes = q['attributes'].split(',').map((s) => s.trim()).filter(Boolean);
    const bad = codes.filter((c) => !store.attribute(c));
    if (bad.length === 1) throw plain(422, `Attribute "${bad[0]}" does not exist.`);
    if (bad.length > 1) throw plain(422, `Attributes "${bad.join(', ')}" do not exist.`);
    trim.attributes = new Set(codes.map(lower));
  }
  return trim;
}

function optionLink(store: SandboxStore, attribute: string, code: unknown): Record<string, unknown> | undefined {
  if (typeof code !== 'string') return undefined;
  const o = store.option(attribute, code);
  return o ? { attribute: o.attribute, code: o.code, labels: o.labels ?? {} } : undefined;
}

/** Akeneo's `linked_data` for simple and multi selects (with_attribute_options=true). */
function withLinkedData(store: SandboxStore, values: Values): Values {
  const out: Values = {};
  for (const [attr, entries] of Object.entries(values)) {
    const type = store.attribute(attr)?.type;
    if (type !== 'pim_catalog_simpleselect' && type !== 'pim_catalog_multiselect') {
      out[attr] = entries;
      continue;
    }
    out[attr] = entries.map((e) => {
      if (type === 'pim_catalog_simpleselect') {
        const link = optionLink(store, attr, e.data);
        return link ? { ...e, linked_data: link } : e;
      }
      const links: Record<string, unknown> = {};
      for (const code of Array.isArray(e.data) ? e.data : []) {
        const link = optionLink(store, attr, code);
        if (link) links[String(code)] = link;
      }
      return { ...e, linked_data: links };
    });
  }
  return out;
}

function trimValues(values: Values, trim: Trim, store?: SandboxStore): Values {
  if (trim.withAttributeOptions && store) values = withLinkedData(store, values);
  if (!trim.attributes && !trim.locales && !trim.scope) return values;
  const out: Values = {};
  for (const [attr, entries] of Object.entries(values)) {
    if (trim.attributes && !trim.attributes.has(lower(attr))) continue;
    const kept = entries.filter(
      (e) =>
        (!trim.locales || e.locale === null || trim.locales.has(lower(e.locale))) &&
        (!trim.scope || e.scope === null || lower(e.scope) === lower(trim.scope)),
    );
    if (kept.length > 0) out[attr] = kept;
  }
  return out;
}

/** Own values plus every ancestor's (the nearest level wins on a clash). */
export function effectiveValues(store: SandboxStore, own: Values | undefined, parent: string | null | undefined): Values {
  const ancestors = store.ancestors(parent);
  if (ancestors.length === 0) return own ?? {};
  const out: Values = {};
  for (let i = ancestors.length - 1; i >= 0; i--) Object.assign(out, ancestors[i]?.values ?? {});
  Object.assign(out, own ?? {});
  return out;
}

export function effectiveCategories(store: SandboxStore, own: string[] | undefined, parent: string | null | undefined): string[] {
  const ancestors = store.ancestors(parent);
  if (ancestors.length === 0) return own ?? [];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const list of [own ?? [], ...ancestors.map((a) => a.categories ?? [])]) {
    for (const c of list) {
      if (!seen.has(lower(c))) {
        seen.add(lower(c));
        out.push(c);
      }
    }
  }
  return out;
}

function effectiveUpdated(store: SandboxStore, updated: string | undefined, parent: string | null | undefined): string {
  let best = updated ?? '';
  for (const a of store.ancestors(parent)) if ((a.updated ?? '') > best) best = a.updated ?? best;
  return best;
}

function renderAssociations(store: SandboxStore, stored: Associations | undefined, endpoint: Endpoint): Associations {
  const out: Associations = {};
  const types = store.associationTypes().filter((t) => !t.is_quantified);
  const codes = new Set(types.map((t) => t.code));
  for (const k of Object.keys(stored ?? {})) codes.add(k);
  for (const code of [...codes].sort()) {
    const a = stored?.[code] ?? {};
    let products = a.products ?? [];
    if (endpoint === 'identifier') {
      products = products
        .map((u) => store.productByUuid(u)?.identifier)
        .filter((x): x is string => typeof x === 'string');
    }
    out[code] = { products, product_models: a.product_models ?? [], groups: a.groups ?? [] };
  }
  return out;
}

function renderQuantified(store: SandboxStore, stored: Record<string, unknown> | undefined, endpoint: Endpoint): Record<string, unknown> {
  if (!stored || endpoint === 'uuid') return stored ?? {};
  const out: Record<string, unknown> = {};
  for (const [type, v] of Object.entries(stored)) {
    const q = v as { products?: { uuid?: string; quantity?: number }[]; product_models?: unknown[] };
    out[type] = {
      products: (q.products ?? [])
        .map((p) => ({ identifier: p.uuid ? store.productByUuid(p.uuid)?.identifier : undefined, quantity: p.quantity }))
        .filter((p) => typeof p.identifier === 'string'),
      product_models: q.product_models ?? [],
    };
  }
  return out;
}

/** GET representation of a product, in Akeneo's key order. */
export function renderProduct(store: SandboxStore, p: Product, endpoint: Endpoint, trim: Trim = {}): Record<string, unknown> {
  const values = trimValues(effectiveValues(store, p.values, p.parent), trim, store);
  const out: Record<string, unknown> = { uuid: p.uuid };
  if (endpoint === 'identifier') out['identifier'] = p.identifier ?? null;
  out['enabled'] = p.enabled ?? true;
  out['family'] = p.family ?? null;
  out['categories'] = effectiveCategories(store, p.categories, p.parent);
  out['groups'] = p.groups ?? [];
  out['parent'] = p.parent ?? null;
  out['values'] = values;
  out['created'] = p.created;
  out['updated'] = p.updated;
  out['associations'] = renderAssociations(store, p.associations, endpoint);
  out['quantified_associations'] = renderQuantified(store, p.quantified_associations, endpoint);
  for (const [k, v] of Object.entries(p)) if (!(k in out) && k !== 'identifier') out[k] = v;
  return out;
}

export function renderProductModel(store: SandboxStore, m: ProductModel, trim: Trim = {}): Record<string, unknown> {
  const fv = store.familyVariantByCode(m.family_variant);
  const out: Record<string, unknown> = {
    code: m.code,
    family: m.family ?? fv?.family ?? null,
    family_variant: m.family_variant,
    parent: m.parent ?? null,
    categories: effectiveCategories(store, m.categories, m.parent),
    values: trimValues(effectiveValues(store, m.values, m.parent), trim, store),
    created: m.created,
    updated: m.updated,
    associations: renderAssociations(store, m.associations, 'identifier'),
    quantified_associations: renderQuantified(store, m.quantified_associations as Record<string, unknown> | undefined, 'identifier'),
  };
  for (const [k, v] of Object.entries(m)) if (!(k in out)) out[k] = v;
  return out;
}

/** Filters read the row's metadata; an attribute filter parses only that attribute's values. */
export function productSearchable(store: SandboxStore, row: StoredProduct): Searchable {
  let values: Values | undefined;
  let categories: Set<string> | undefined;
  const ancestors = row.parent ? store.ancestors(row.parent) : [];
  return {
    kind: 'product',
    uuid: row.uuid,
    ...(row.identifier !== undefined ? { identifier: row.identifier } : {}),
    enabled: row.enabled,
    family: row.family,
    parent: row.parent,
    get categories(): Set<string> {
      categories ??= new Set(
        (ancestors.length === 0 ? row.categories : effectiveCategories(store, row.categories, row.parent)).map(lower),
      );
      return categories;
    },
    groups: row.groups,
    get values(): Values {
      values ??= effectiveValues(store, rowToProduct(row).values, row.parent);
      return values;
    },
    valueFor: (attribute: string) => {
      if (values) return values[attribute];
      const own = rowValue(row, attribute);
      if (own) return own;
      for (const a of ancestors) {
        const v = a.values?.[attribute];
        if (v) return v;
      }
      return undefined;
    },
    created: row.created,
    updated: ancestors.length === 0 ? row.updated : effectiveUpdated(store, row.updated, row.parent),
  };
}

export function modelSearchable(store: SandboxStore, m: ProductModel): Searchable {
  return {
    kind: 'product_model',
    code: m.code,
    family: m.family ?? store.familyVariantByCode(m.family_variant)?.family ?? null,
    familyVariant: m.family_variant,
    parent: m.parent ?? null,
    categories: new Set(effectiveCategories(store, m.categories, m.parent).map(lower)),
    groups: [],
    values: effectiveValues(store, m.values, m.parent),
    created: m.created ?? '',
    updated: effectiveUpdated(store, m.updated, m.parent),
  };
}

/** True when the entity is classified in the trimmed scope's tree (the `scope` list restriction). */
export function inScopeTree(s: Searchable, trim: Trim): boolean {
  if (!trim.scopeCategories) return true;
  for (const c of s.categories) if (trim.scopeCategories.has(c)) return true;
  return false;
}
