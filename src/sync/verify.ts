/**
 * `ferry sync --verify`: reads the PIM back and compares it with what Ferry last wrote, for
 * the ERP-owned attributes only (Julia's attributes are hers). Reports values changed in
 * the PIM and entities missing there; with `--repair`, forgets the drifted fingerprints so
 * the same run sends those values again, and re-creates the missing entities.
 */
import type { Product, ProductModel, Values } from '../akeneo/model.js';
import { canonicalJson, fingerprint, parseValueKey } from './hash.js';
import type { SyncPimClient } from './pim.js';
import type { DriftItem, VerifySummary } from './report.js';
import type { EntityState, StateStore } from './state/port.js';

/** Akeneo formats decimals its own way ("12.5000"); compare numbers by value, option codes without case. */
function lenient(value: unknown): unknown {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') {
    if (/^-?\d+(\.\d+)?$/.test(value)) return value.includes('.') ? value.replace(/\.?0+$/, '') : value;
    return value.toLowerCase();
  }
  if (Array.isArray(value)) return value.map(lenient);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (k !== '_links') out[k] = lenient(v);
    return out;
  }
  return value;
}

function sameAsStored(stored: string, actual: unknown): boolean {
  if (fingerprint(actual) === stored) return true;
  if (stored.startsWith('=')) {
    try {
      const expected = JSON.parse(stored.slice(1)) as unknown;
      return canonicalJson(lenient(expected)) === canonicalJson(lenient(actual));
    } catch {
      return false;
    }
  }
  return false;
}

function expectedOf(stored: string): unknown {
  if (!stored.startsWith('=')) return '(value Ferry wrote)';
  try {
    return JSON.parse(stored.slice(1)) as unknown;
  } catch {
    return stored;
  }
}

function findValue(values: Values | undefined, attribute: string, locale: string | null, scope: string | null): unknown {
  const entry = values?.[attribute]?.find((e) => (e.locale ?? null) === locale && (e.scope ?? null) === scope);
  return entry ? entry.data : null;
}

function compare(row: EntityState, values: Values | undefined, owned: ReadonlySet<string>, items: DriftItem[]): string[] {
  const drifted: string[] = [];
  for (const [key, stored] of Object.entries(row.hashes)) {
    const v = parseValueKey(key);
    if (!v || !owned.has(v.attribute)) continue;
    const actual = findValue(values, v.attribute, v.locale, v.scope);
    if (sameAsStored(stored, actual)) continue;
    drifted.push(key);
    items.push({ entityType: row.type, code: row.code, kind: 'value_changed', key, expected: expectedOf(stored), actual });
  }
  return drifted;
}

export interface VerifyResult {
  summary: VerifySummary;
  /** ERP item keys to read again so this run re-sends what drifted (repair only). */
  itemKeysToResend: string[];
}

export async function verifyAgainstPim(args: {
  client: SyncPimClient;
  state: StateStore;
  mode: 'uuid' | 'identifier';
  ownedAttributes: ReadonlySet<string>;
  identifierAttribute?: string;
  repair: boolean;
}): Promise<VerifyResult> {
  const { client, state, mode, ownedAttributes, repair } = args;
  const items: DriftItem[] = [];
  const resend = new Set<string>();
  const repairs: EntityState[] = [];
  let checked = 0;
  let drift = 0;
  let missing = 0;
  const live = (r: EntityState) => r.status === 'synced' || r.status === 'disabled' || r.status === 'uncategorized';
  // Products and models drift and go missing alike; they differ only in what gets read again
  // (a product's own item, a model's whole group), so each caller names the set to add to.
  const noteMissing = (row: EntityState, rereadKeys: Set<string>) => {
    missing++;
    items.push({ entityType: row.type, code: row.code, kind: 'missing_in_pim' });
    if (!repair) return;
    // No hashes and pending: the next write sends the whole payload again.
    repairs.push({ ...row, hashes: {}, status: 'pending' });
    rereadKeys.add(row.originKey);
  };
  const noteDrift = (row: EntityState, values: Values | undefined, rereadKeys: Set<string>) => {
    const keys = compare(row, values, ownedAttributes, items);
    if (keys.length === 0) return;
    drift += keys.length;
    if (!repair) return;
    // Forgetting the drifted values' hashes makes the diff send exactly those values again.
    const hashes = { ...row.hashes };
    for (const k of keys) delete hashes[k];
    repairs.push({ ...row, hashes });
    rereadKeys.add(row.originKey);
  };

  for await (const page of state.listEntities('product', 100)) {
    const rows = page.filter(live);
    if (rows.length === 0) continue;
    const found = new Map<string, Product>();
    const search =
      mode === 'uuid'
        ? JSON.stringify({ uuid: [{ operator: 'IN', value: rows.map((r) => r.pimId).filter(Boolean) }] })
        : JSON.stringify({ [args.identifierAttribute ?? 'sku']: [{ operator: 'IN', value: rows.map((r) => r.code) }] });
    for await (const p of client.products.list({ search, limit: 100 })) {
      const id = mode === 'uuid' ? p.uuid : p.identifier;
      if (typeof id === 'string') found.set(id, p);
    }
    for (const row of rows) {
      checked++;
      const p = found.get(mode === 'uuid' ? (row.pimId ?? '') : row.code);
      if (p) noteDrift(row, p.values, resend);
      else noteMissing(row, resend);
    }
  }

  const seenModels = new Set<string>();
  const modelGroups = new Set<string>();
  const batch: ProductModel[] = [];
  const flushModels = async () => {
    if (batch.length === 0) return;
    const stored = await state.getEntities(
      'product_model',
      batch.map((m) => m.code),
    );
    for (const m of batch) {
      const row = stored.get(m.code);
      if (!row || !live(row)) continue;
      checked++;
      seenModels.add(m.code);
      noteDrift(row, m.values, modelGroups);
    }
    batch.length = 0;
  };
  for await (const m of client.productModels.list({ limit: 100 })) {
    batch.push(m);
    if (batch.length >= 100) await flushModels();
  }
  await flushModels();
  for await (const page of state.listEntities('product_model', 500)) {
    for (const row of page) {
      if (!live(row) || seenModels.has(row.code)) continue;
      checked++;
      noteMissing(row, modelGroups);
    }
  }
  if (modelGroups.size > 0) {
    const members = await state.findGroupMembers([...modelGroups]);
    for (const keys of members.values()) for (const k of keys) resend.add(k);
  }
  if (repairs.length > 0) await state.saveEntities(repairs);
  return {
    summary: { checked, drift, missing, repaired: repair ? repairs.length : 0, items: items.slice(0, 200) },
    itemKeysToResend: [...resend],
  };
}
