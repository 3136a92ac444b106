/**
 * Diff of a mapped entity against what Ferry last wrote: new entities get their full payload,
 * changed ones ONLY their changed values and fields, unchanged ones nothing at all.
 *
 * An explicit null is sent only where Ferry wrote a value before and the ERP emptied it:
 * a null for a value Ferry never wrote could erase what Julia entered in the PIM.
 */
import type { Values, ValueEntry } from '../akeneo/model.js';
import type { MappedEntity } from '../mapping/types.js';
import { fingerprint, NULL_FINGERPRINT, valueKey } from './hash.js';
import type { EntityState } from './state/port.js';

export type EndpointMode = 'uuid' | 'identifier';

export interface DiffResult {
  action: 'create' | 'update' | 'unchanged';
  /** The body to PATCH (identity fields + what changed). Absent when unchanged. */
  payload?: Record<string, unknown>;
  /** Fingerprints to store once the PIM confirms the write. */
  nextHashes: Record<string, string>;
  /** Keys (`attr|locale|scope` / `@field`) carried by the payload. */
  changed: string[];
}

/** The code the PIM knows an entity by (state key). */
export function entityCode(e: MappedEntity): string {
  return e.kind === 'product' ? e.identifier : e.code;
}

/** The top-level fields Ferry owns for this entity, as `@field` → data. */
function ownedFields(e: MappedEntity): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  switch (e.kind) {
    case 'category':
      out['@parent'] = e.parent;
      for (const [locale, label] of Object.entries(e.labels)) out[`@label:${locale}`] = label;
      break;
    case 'product_model':
      out['@family_variant'] = e.familyVariant;
      out['@parent'] = e.parent;
      if (e.categories !== undefined) out['@categories'] = e.categories;
      break;
    case 'product':
      out['@family'] = e.family;
      out['@parent'] = e.parent;
      if (e.categories !== undefined) out['@categories'] = e.categories;
      if (e.enabled !== undefined) out['@enabled'] = e.enabled;
      break;
  }
  return out;
}

function entityValues(e: MappedEntity): Values {
  return e.kind === 'category' ? {} : e.values;
}

/** Writes a field into the payload under its Akeneo name. */
function putField(payload: Record<string, unknown>, key: string, data: unknown): void {
  if (key.startsWith('@label:')) {
    const labels = (payload.labels ?? {}) as Record<string, unknown>;
    labels[key.slice('@label:'.length)] = data;
    payload.labels = labels;
    return;
  }
  payload[key.slice(1)] = data;
}

function identity(e: MappedEntity, mode: EndpointMode, pimId: string | null): Record<string, unknown> {
  if (e.kind === 'product') {
    if (mode === 'uuid') return { uuid: pimId };
    return { identifier: e.identifier };
  }
  return { code: e.code };
}

/**
 * Compares `entity` with `stored` (undefined or `absent`: never written; `deleted`: deleted by
 * the deletion policy; `pending`: written but never confirmed, so resent whole). `pimId` is the product uuid to use in uuid mode.
 */
export function diffEntity(entity: MappedEntity, stored: EntityState | undefined, mode: EndpointMode, pimId: string | null): DiffResult {
  const fields = ownedFields(entity);
  const values = entityValues(entity);
  // Deleted by the deletion policy: what Ferry wrote is gone with it.
  const fresh = stored === undefined || stored.status === 'pending' || stored.status === 'absent' || stored.status === 'deleted';
  const before = fresh ? {} : stored.hashes;
  const nextHashes: Record<string, string> = fresh ? {} : { ...stored.hashes };
  const payload = identity(entity, mode, pimId);
  const changed: string[] = [];

  // for…in rather than Object.entries: this runs for every entity, and entries() allocates a pair per key.
  for (const key in fields) {
    const data = fields[key];
    const fp = fingerprint(data);
    if (before[key] === fp) continue;
    // A field that is null now and was never written needs no request (except a category's
    // or model's parent, which Akeneo needs explicitly on create).
    if (data === null && before[key] === undefined && !(fresh && key === '@parent')) {
      continue;
    }
    putField(payload, key, data);
    nextHashes[key] = fp;
    changed.push(key);
  }
  if (fresh && entity.kind === 'product_model') {
    // Required on create, immutable afterwards.
    payload.family_variant = entity.familyVariant;
    payload.parent = entity.parent;
  }

  const outValues: Values = {};
  for (const attribute in values) {
    for (const entry of values[attribute] as ValueEntry[]) {
      const key = valueKey(attribute, entry.locale, entry.scope);
      const previous = before[key];
      if (entry.data === null || entry.data === undefined) {
        // Clear only what Ferry itself wrote; never blank a value Ferry did not put there.
        if (previous === undefined || previous === NULL_FINGERPRINT) continue;
        (outValues[attribute] ??= []).push({ locale: entry.locale, scope: entry.scope, data: null });
        delete nextHashes[key];
        changed.push(key);
        continue;
      }
      const fp = fingerprint(entry.data);
      if (previous === fp) continue;
      // The mapper's entry itself ({locale, scope, data}, never mutated afterwards): no copy per value.
      (outValues[attribute] ??= []).push(entry);
      nextHashes[key] = fp;
      changed.push(key);
    }
  }
  if (Object.keys(outValues).length > 0) payload.values = outValues;

  if (fresh) return { action: 'create', payload, nextHashes, changed };
  if (changed.length === 0) return { action: 'unchanged', nextHashes, changed };
  return { action: 'update', payload, nextHashes, changed };
}
