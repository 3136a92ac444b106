/**
 * The sandbox's products: each stored as a compact row (see StoredProduct), with the indexes
 * the routes and rules read — by identifier, by parent model, by unique value — and the sorted
 * uuid lists the list endpoints page through. Version bumps and change events stay with the store.
 */
import type { Product, ValueEntry, Values } from '../../akeneo/model.js';
import { addToIndex, lower, removeFromIndex } from './indexes.js';

/**
 * A stored product: the fields lists and filters read on every row, each attribute's value list
 * as its own JSON string, and the remaining fields (associations, …) as one JSON string.
 * Holding JSON instead of object graphs keeps 100,000 products with 30 values in a few hundred
 * MB and keeps GC cheap; an attribute filter parses only that attribute's string.
 */
export interface StoredProduct {
  uuid: string;
  identifier: string | undefined;
  family: string | null;
  parent: string | null;
  enabled: boolean;
  categories: string[];
  groups: string[];
  created: string;
  updated: string;
  /** attribute code → JSON of its value list */
  values: Record<string, string>;
  /** JSON of every other field (associations, quantified_associations, extras) */
  rest: string;
}

const ROW_FIELDS = new Set(['uuid', 'identifier', 'family', 'parent', 'enabled', 'categories', 'groups', 'created', 'updated', 'values']);

/** One attribute's value list of a stored product (undefined when it has none). */
export function rowValue(row: StoredProduct, attribute: string): ValueEntry[] | undefined {
  let text = row.values[attribute];
  if (text === undefined) {
    const l = lower(attribute);
    for (const k in row.values) if (lower(k) === l) text = row.values[k];
  }
  return text === undefined ? undefined : (JSON.parse(text) as ValueEntry[]);
}

/** The product a row stands for (a fresh object: callers may keep or change it). */
export function rowToProduct(row: StoredProduct): Product {
  const values: Values = {};
  for (const k in row.values) values[k] = JSON.parse(row.values[k] as string) as ValueEntry[];
  const p: Product = { uuid: row.uuid };
  if (row.identifier !== undefined) p.identifier = row.identifier;
  p.enabled = row.enabled;
  p.family = row.family;
  p.categories = [...row.categories];
  p.groups = [...row.groups];
  p.parent = row.parent;
  p.values = values;
  p.created = row.created;
  p.updated = row.updated;
  return Object.assign(p, JSON.parse(row.rest) as Record<string, unknown>);
}

function toRow(p: Product, uuid: string): StoredProduct {
  const values: Record<string, string> = {};
  for (const [attr, list] of Object.entries(p.values ?? {})) values[attr] = JSON.stringify(list);
  const rest: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) if (!ROW_FIELDS.has(k) && v !== undefined) rest[k] = v;
  return {
    uuid,
    identifier: typeof p.identifier === 'string' && p.identifier !== '' ? p.identifier : undefined,
    family: p.family ?? null,
    parent: p.parent ?? null,
    enabled: p.enabled ?? true,
    categories: p.categories ?? [],
    groups: p.groups ?? [],
    created: p.created ?? '',
    updated: p.updated ?? '',
    values,
    rest: JSON.stringify(rest),
  };
}

/** String form Akeneo compares unique values by. */
function uniqueKey(data: unknown): string | undefined {
  if (data === null || data === undefined || data === '') return undefined;
  if (typeof data === 'object') return lower(JSON.stringify(data));
  return lower(String(data));
}

export class ProductIndex {
  /** lower-case uuid → row */
  readonly rows = new Map<string, StoredProduct>();
  private readonly identifierIndex = new Map<string, string>();
  private readonly productsByParent = new Map<string, Set<string>>();
  private readonly uniqueIndex = new Map<string, Map<string, string>>();
  private sortedByUuid: string[] | undefined;
  private sortedByIdentifier: string[] | undefined;
  private sortedIdentifierKeys: string[] = [];

  /** `uniqueAttributes` names the attributes whose values must stay unique (lower-case codes). */
  constructor(private readonly uniqueAttributes: () => readonly string[]) {}

  row(uuid: string): StoredProduct | undefined {
    return this.rows.get(lower(uuid));
  }

  rowByIdentifier(identifier: string): StoredProduct | undefined {
    const uuid = this.identifierIndex.get(lower(identifier));
    return uuid === undefined ? undefined : this.rows.get(uuid);
  }

  /** Uuids of the variant products of a product model (lower-case code). */
  uuidsOfModel(code: string): ReadonlySet<string> | undefined {
    return this.productsByParent.get(lower(code));
  }

  uniqueValueOwner(attribute: string, data: unknown): string | undefined {
    const key = uniqueKey(data);
    if (key === undefined) return undefined;
    return this.uniqueIndex.get(lower(attribute))?.get(key);
  }

  /** Stores a product as the rules returned it (uuid required); returns the stored row. */
  put(p: Product): StoredProduct {
    const uuid = lower(String(p.uuid));
    const row = toRow(p, uuid);
    const old = this.rows.get(uuid);
    if (old) {
      const oldId = old.identifier !== undefined ? lower(old.identifier) : undefined;
      const newId = row.identifier !== undefined ? lower(row.identifier) : undefined;
      if (oldId !== newId) {
        if (oldId !== undefined && this.identifierIndex.get(oldId) === uuid) this.identifierIndex.delete(oldId);
        this.sortedByIdentifier = undefined;
      }
      if (old.parent && old.parent !== row.parent) removeFromIndex(this.productsByParent, lower(old.parent), uuid);
      this.indexUnique(old, undefined, false);
    } else {
      this.sortedByUuid = undefined;
      this.sortedByIdentifier = undefined;
    }
    if (row.identifier !== undefined) this.identifierIndex.set(lower(row.identifier), uuid);
    if (row.parent) addToIndex(this.productsByParent, lower(row.parent), uuid);
    this.indexUnique(row, p.values, true);
    this.rows.set(uuid, row);
    return row;
  }

  /** Removes a product; returns its lower-case uuid, or undefined when there was none. */
  delete(uuid: string): string | undefined {
    const key = lower(uuid);
    const old = this.rows.get(key);
    if (!old) return undefined;
    this.rows.delete(key);
    if (old.identifier !== undefined) {
      const id = lower(old.identifier);
      if (this.identifierIndex.get(id) === key) this.identifierIndex.delete(id);
    }
    if (old.parent) removeFromIndex(this.productsByParent, lower(old.parent), key);
    this.indexUnique(old, undefined, false);
    this.sortedByUuid = undefined;
    this.sortedByIdentifier = undefined;
    return key;
  }

  /** Uuids ordered by uuid (the /products-uuid list order). */
  uuidsByUuid(): readonly string[] {
    this.sortedByUuid ??= [...this.rows.keys()].sort();
    return this.sortedByUuid;
  }

  /** Uuids of products that have an identifier, ordered case-insensitively by it (/products order). */
  uuidsByIdentifier(): readonly string[] {
    if (!this.sortedByIdentifier) {
      const rows: [string, string][] = [];
      for (const [u, p] of this.rows) {
        if (p.identifier !== undefined) rows.push([lower(p.identifier), u]);
      }
      rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      this.sortedByIdentifier = rows.map((r) => r[1]);
      this.sortedIdentifierKeys = rows.map((r) => r[0]);
    }
    return this.sortedByIdentifier;
  }

  /** Lower-case identifiers aligned with uuidsByIdentifier() (search_after keys). */
  identifierKeys(): readonly string[] {
    this.uuidsByIdentifier();
    return this.sortedIdentifierKeys;
  }

  clear(): void {
    this.rows.clear();
    this.identifierIndex.clear();
    this.productsByParent.clear();
    this.uniqueIndex.clear();
    this.sortedByUuid = undefined;
    this.sortedByIdentifier = undefined;
  }

  private indexUnique(row: StoredProduct, values: Values | undefined, add: boolean): void {
    const uniques = this.uniqueAttributes();
    if (uniques.length === 0) return;
    const vals = values ?? rowToProduct(row).values;
    if (!vals) return;
    for (const [attr, entries] of Object.entries(vals)) {
      const la = lower(attr);
      if (!uniques.includes(la)) continue;
      for (const e of entries) {
        const key = uniqueKey(e.data);
        if (key === undefined) continue;
        let idx = this.uniqueIndex.get(la);
        if (!idx) {
          idx = new Map();
          this.uniqueIndex.set(la, idx);
        }
        if (add) idx.set(key, row.uuid);
        else if (idx.get(key) === row.uuid) idx.delete(key);
      }
    }
  }
}
