/**
 * Update-only mode: the products and models Ferry has not synced are looked up in the PIM
 * (created there by the enrichment team). Those found are recorded in the state, so they are
 * updated like known ones; only what the PIM lacks is skipped. An adopted entity's structure
 * (family, parent, family variant, categories, enabled) is the PIM's: its fingerprints are
 * recorded as already written, so only the ERP-owned values are sent.
 */
import type { ErpRecord } from '../../erp/port.js';
import type { MappedEntity } from '../../mapping/types.js';
import { findProductModelsInPim, findProductsInPim } from '../adopt.js';
import { diffEntity } from '../diff.js';
import type { EntityState } from '../state/port.js';
import type { RunContext } from './context.js';

/** Looks up a chunk's entities unknown to the state in the PIM; those found join `storedModels` / `storedProducts` (and the state). */
export async function adoptFromPim(
  ctx: RunContext,
  mapped: readonly { items: ErpRecord[]; entities: MappedEntity[] }[],
  storedModels: Map<string, EntityState>,
  storedProducts: Map<string, EntityState>,
): Promise<void> {
  const unknown = (s: EntityState | undefined) => s === undefined || s.status === 'pending' || s.status === 'deleted' || s.status === 'absent';
  const products: { entity: Extract<MappedEntity, { kind: 'product' }>; group: string | null }[] = [];
  const models: Extract<MappedEntity, { kind: 'product_model' }>[] = [];
  for (const m of mapped) {
    const groupOf = new Map(m.items.map((i) => [i.key, i.group ?? null]));
    for (const e of m.entities) {
      if (ctx.ledger.outcomeOf(e.origin.stream, e.origin.key) === 'rejected') continue;
      if (e.kind === 'product' && unknown(storedProducts.get(e.identifier))) products.push({ entity: e, group: groupOf.get(e.origin.key) ?? null });
      else if (e.kind === 'product_model' && unknown(storedModels.get(e.code))) models.push(e);
    }
  }
  if (products.length === 0 && models.length === 0) return;
  const { client, mapper, state } = ctx.deps;
  const foundProducts = products.length > 0 ? await findProductsInPim(client, mapper.identifierAttribute, products.map((p) => p.entity.identifier)) : new Map();
  const foundModels = models.length > 0 ? await findProductModelsInPim(client, models.map((m) => m.code)) : new Set<string>();
  const structureOnly = (entity: MappedEntity, pimId: string | null): Record<string, string> =>
    Object.fromEntries(Object.entries(diffEntity(entity, undefined, ctx.mode, pimId).nextHashes).filter(([k]) => k.startsWith('@')));
  const rows: EntityState[] = [];
  for (const { entity, group } of products) {
    const found = foundProducts.get(entity.identifier);
    if (!found) continue;
    const pimId = ctx.mode === 'uuid' ? found.uuid : null;
    const row: EntityState = {
      type: 'product',
      code: entity.identifier,
      pimId,
      originStream: entity.origin.stream,
      originKey: entity.origin.key,
      groupKey: group,
      hashes: structureOnly(entity, pimId),
      erpVersion: null,
      status: 'synced',
    };
    storedProducts.set(entity.identifier, row);
    rows.push(row);
  }
  for (const entity of models) {
    if (!foundModels.has(entity.code)) continue;
    const row: EntityState = {
      type: 'product_model',
      code: entity.code,
      pimId: null,
      originStream: entity.origin.stream,
      originKey: entity.origin.key,
      groupKey: null,
      hashes: structureOnly(entity, null),
      erpVersion: null,
      status: 'synced',
    };
    storedModels.set(entity.code, row);
    rows.push(row);
  }
  ctx.updateOnlyCounts.foundInPim += rows.length;
  ctx.updateOnlyCounts.notInPim += products.length + models.length - rows.length;
  ctx.log?.info({ runId: ctx.runId, looked: products.length + models.length, found: rows.length }, 'update-only: looked up entities unknown to the state in the PIM');
  if (!ctx.dryRun && rows.length > 0) await state.saveEntities(rows);
}
