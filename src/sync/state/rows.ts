/**
 * What both state stores (sqlite.ts, postgres.ts) read back the same way: an entity row, a JSON
 * column, and the case-folded code key that finds an entity by the code the PIM compares.
 */
import { pimCodeKey } from '../../mapping/codes.js';
import type { EntityState, EntityStatus, EntityType } from './port.js';

export interface EntityRowDb {
  entity_type: string;
  code: string;
  pim_id: string | null;
  origin_stream: string;
  origin_key: string;
  group_key: string | null;
  hashes: string;
  erp_version: string | null;
  status: string;
}

export function toEntity(r: EntityRowDb): EntityState {
  return {
    type: r.entity_type as EntityType,
    code: r.code,
    pimId: r.pim_id,
    originStream: r.origin_stream,
    originKey: r.origin_key,
    groupKey: r.group_key,
    hashes: JSON.parse(r.hashes) as Record<string, string>,
    erpVersion: r.erp_version,
    status: r.status as EntityStatus,
  };
}

/** A JSON column's value; a text that is not JSON comes back as it is. */
export function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** pimCodeKey with a shortcut for codes with nothing to fold but case (most of them). */
export function codeKey(code: string): string {
  return /^[\x20-\x7e]*$/.test(code) ? code.toLowerCase().replace(/ +$/, '') : pimCodeKey(code);
}
