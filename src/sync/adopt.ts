/**
 * Update-only mode: products and product models that exist in the PIM but not in Ferry's
 * state (created there by the enrichment team) are found by code, in batches, so the ERP can
 * enrich them. Akeneo's search takes ≤100 codes per IN filter; products are looked up on the
 * identifier attribute (the documented filter), product models on their `identifier` property.
 */
import type { SyncPimClient } from './pim.js';
import { chunks } from '../util/chunks.js';

/** Akeneo's limit on the values of one IN filter. */
export const LOOKUP_BATCH = 100;

export interface FoundProduct {
  /** The identifier as the PIM holds it. */
  identifier: string;
  /** The uuid (uuid endpoints), else null. */
  uuid: string | null;
}


/**
 * The products of `identifiers` that exist in the PIM, keyed by the identifier asked for.
 * Identifiers are unique without regard to case in Akeneo, so they are matched that way.
 */
export async function findProductsInPim(client: SyncPimClient, identifierAttribute: string, identifiers: readonly string[]): Promise<Map<string, FoundProduct>> {
  const found = new Map<string, FoundProduct>();
  const wanted = [...new Set(identifiers)];
  for (const part of chunks(wanted, LOOKUP_BATCH)) {
    const byLower = new Map(part.map((id) => [id.toLowerCase(), id]));
    const search = JSON.stringify({ [identifierAttribute]: [{ operator: 'IN', value: part }] });
    for await (const p of client.products.list({ search, limit: LOOKUP_BATCH, attributes: identifierAttribute })) {
      const value = p.values?.[identifierAttribute]?.[0]?.data;
      const identifier = typeof value === 'string' ? value : typeof p.identifier === 'string' ? p.identifier : null;
      if (identifier === null) continue;
      const asked = byLower.get(identifier.toLowerCase());
      if (asked !== undefined) found.set(asked, { identifier, uuid: typeof p.uuid === 'string' ? p.uuid : null });
    }
  }
  return found;
}

/** The product model codes of `codes` that exist in the PIM (matched without regard to case). */
export async function findProductModelsInPim(client: SyncPimClient, codes: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  const wanted = [...new Set(codes)];
  for (const part of chunks(wanted, LOOKUP_BATCH)) {
    const byLower = new Map(part.map((c) => [c.toLowerCase(), c]));
    const search = JSON.stringify({ identifier: [{ operator: 'IN', value: part }] });
    for await (const m of client.productModels.list({ search, limit: LOOKUP_BATCH })) {
      const asked = byLower.get(m.code.toLowerCase());
      if (asked !== undefined) found.add(asked);
    }
  }
  return found;
}
