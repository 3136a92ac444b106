/**
 * `ferry sync --verify`: reads the PIM back and compares it with what Ferry last wrote, for
 * the ERP-owned attributes only (Julia's attributes are hers). Reports values changed in
 * the PIM and entities missing there; with `--repair`, forgets the drifted fingerprints so
 * the same run sends those values again, and re-creates the missing entities.
 * Values are compared as the PIM normalises them (see pimNormalised), otherwise exactly.
 */
import type { Product, ProductModel, Values } from '../akeneo/model.js';
import { canonicalJson, fingerprint, parseValueKey } from './hash.js';
import type { SyncPimClient } from './pim.js';
import type { DriftItem, VerifySummary } from './report.js';
import type { EntityState, StateStore } from './state/port.js';

/** What verify needs to know of an attribute to compare its values the way the PIM stores them. */
export interface VerifyAttribute {
  type: string;
  decimals_allowed?: boolean | null;
}

const NUMERIC_TEXT = /^-?\d+(?:\.\d+)?$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** "012.5000" → "12.5", 12 → "12", "-0.0" → "0": the PIM pads decimals with zeros ("12.5000"). */
function canonicalNumber(value: unknown): unknown {
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== 'string' || !NUMERIC_TEXT.test(text)) return value;
  let [int = '', frac = ''] = text.replace(/^-/, '').split('.');
  int = int.replace(/^0+(?=\d)/, '');
  frac = frac.replace(/0+$/, '');
  const abs = frac ? `${int}.${frac}` : int;
  return text.startsWith('-') && abs !== '0' ? `-${abs}` : abs;
}

/** A date as Ferry writes it ("2008-04-30"); the PIM answers "2008-04-30T00:00:00+00:00". */
function dateOnly(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const m = DATE_TIME.exec(value);
  return m ? m[1] : value;
}

function mapObject(value: unknown, fn: (o: Record<string, unknown>) => Record<string, unknown>): unknown {
  return value && typeof value === 'object' && !Array.isArray(value) ? fn(value as Record<string, unknown>) : value;
}

/** Option codes are case-insensitive in Akeneo: "Red" and "red" are the same option. */
function optionCode(value: unknown): unknown {
  return typeof value === 'string' ? value.toLowerCase() : value;
}

/**
 * The value data in the form the PIM normalises it to, per attribute type: dates to the day,
 * decimals without padding, metric amounts likewise (units are codes, kept), price amounts
 * likewise, option codes case-insensitively. Everything else — text above all — is compared
 * exactly: a case-only edit in the PIM is drift. `_links` (read-only decoration) is dropped.
 * Without the attribute's type, only the shapes that cannot be text are normalised.
 */
export function pimNormalised(attribute: VerifyAttribute | undefined, data: unknown, options: { optionCase?: boolean } = {}): unknown {
  const type = attribute?.type;
  const strip = (o: Record<string, unknown>) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) if (k !== '_links') out[k] = v;
    return out;
  };
  switch (type) {
    case 'pim_catalog_date':
      return dateOnly(data);
    case 'pim_catalog_number':
      return canonicalNumber(data);
    case 'pim_catalog_metric':
      return mapObject(data, (o) => ({ ...strip(o), amount: canonicalNumber(o.amount) }));
    case 'pim_catalog_price_collection':
      return Array.isArray(data) ? data.map((p) => mapObject(p, (o) => ({ ...strip(o), amount: canonicalNumber(o.amount) }))) : data;
    case 'pim_catalog_simpleselect':
      return options.optionCase === false ? data : optionCode(data);
    case 'pim_catalog_multiselect':
      return options.optionCase === false || !Array.isArray(data) ? data : data.map(optionCode);
    case undefined:
      // Unknown attribute: a numeric text or a midnight date-time cannot be anything else.
      if (typeof data === 'string' && DATE_TIME.test(data) && data.length > 10) return dateOnly(data);
      if (typeof data === 'string' || typeof data === 'number') return canonicalNumber(data);
      return mapObject(data, (o) => (o.amount !== undefined ? { ...strip(o), amount: canonicalNumber(o.amount) } : strip(o)));
    default:
      return mapObject(data, strip);
  }
}

/**
 * Whether the PIM's `actual` data is what Ferry wrote, given the stored fingerprint: short
 * values are stored whole and compared after normalising both sides; long ones only as a
 * digest of Ferry's own (already canonical) form, so the PIM's form is normalised towards it.
 */
export function sameAsStored(stored: string, actual: unknown, attribute?: VerifyAttribute): boolean {
  if (fingerprint(actual) === stored) return true;
  if (stored.startsWith('=')) {
    try {
      const expected = JSON.parse(stored.slice(1)) as unknown;
      return canonicalJson(pimNormalised(attribute, expected)) === canonicalJson(pimNormalised(attribute, actual));
    } catch {
      return false;
    }
  }
  // Option codes in a digest keep Ferry's case; try the PIM's own case first, then lower case.
  return fingerprint(pimNormalised(attribute, actual, { optionCase: false })) === stored || fingerprint(pimNormalised(attribute, actual)) === stored;
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

function compare(
  row: EntityState,
  values: Values | undefined,
  owned: ReadonlySet<string>,
  items: DriftItem[],
  attributes: ReadonlyMap<string, VerifyAttribute> | undefined,
): string[] {
  const drifted: string[] = [];
  for (const [key, stored] of Object.entries(row.hashes)) {
    const v = parseValueKey(key);
    if (!v || !owned.has(v.attribute)) continue;
    const actual = findValue(values, v.attribute, v.locale, v.scope);
    if (sameAsStored(stored, actual, attributes?.get(v.attribute))) continue;
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
  /** The PIM's attributes by code: their types say how the PIM normalises each value. */
  attributes?: ReadonlyMap<string, VerifyAttribute>;
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
    const keys = compare(row, values, ownedAttributes, items, args.attributes);
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
