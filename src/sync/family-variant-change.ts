/**
 * Moving an existing product model to another family variant (or level layout), which Akeneo
 * refuses as an update (`Property "family_variant" cannot be modified`). What Akeneo's API
 * allows, read in its code (pim-community-dev):
 * - `PATCH parent: null` on a variant product (RemoveParent, in the API's product controllers
 *   from 5.0 on, uuid and identifier endpoints alike) makes it a simple product that keeps its
 *   values, categories, associations and quantified associations, the inherited ones included;
 * - `DELETE /product-models/{code}` (6.0+) deletes the model with its sub-models and the variant
 *   products still under them;
 * - `PATCH parent: <code>` on an existing simple product (AddParent) attaches it to a model of
 *   its family: it keeps only its values of the attributes of the variant level (the rest comes
 *   from the model), its axis values must be set and unique under the model.
 *
 * So the sequence, per root model whose family variant changes: (1) read the model, its
 * sub-models and every product under them; keep the values Ferry does not own; (2) detach the
 * products; (3) delete the sub-models, then the model (destructive: only when the caller
 * confirmed it, `ferry sync --yes`); (4) the engine creates the model (and its sub-models) under
 * the new family variant, with Ferry's values plus the kept ones; (5) the engine attaches each
 * product again (its `parent` is sent, as nothing of it is known to the PIM any more), the
 * variant's own values (Julia's variant-level ones among them) staying.
 *
 * Steps 1–3 run here, before the engine plans the group; steps 4 and 5 are ordinary writes of
 * the engine, which sees the model as new and the products' parent as never written (the state
 * is rewritten after step 3, so a crash after it still re-creates and re-attaches). A dry run
 * reads (step 1) and lists every step, writing nothing.
 */
import type { Values, ValueEntry, Product, ProductModel } from '../akeneo/model.js';
import type { MappedEntity, MappedProductModel } from '../mapping/types.js';
import { fingerprint } from './hash.js';
import type { SyncPimClient } from './pim.js';
import type { EntityState, StateStore } from './state/port.js';
import type { EndpointMode } from './diff.js';
import { chunks } from '../util/chunks.js';

/** One model's family-variant change as the run report shows it. */
export interface FamilyVariantChange {
  model: string;
  from: string;
  to: string;
  /** planned: a dry run (nothing written); refused: needs confirmation or a newer PIM; done: steps 1–3 carried out (4–5 are the run's writes); failed: see error. */
  status: 'planned' | 'refused' | 'done' | 'failed';
  /** Every step, in plain words, in the order it is (or would be) carried out. */
  steps: string[];
  error?: string;
}

export interface FamilyVariantRefusal {
  model: MappedProductModel;
  message: string;
  fix: string;
}

export interface FamilyVariantChangeDeps {
  client: SyncPimClient;
  state: StateStore;
  mode: EndpointMode;
  dryRun: boolean;
  /** The destructive step (deleting the model) was confirmed: `ferry sync --yes`, `SyncOptions.confirmDestructive`. */
  confirmed: boolean;
  ownedAttributes: ReadonlySet<string>;
  identifierAttribute: string;
  /** Update-only mode never creates product models, so it never moves one. */
  updateOnly: boolean;
}

/** The data behind an inline fingerprint (`="erp_product_color"`); undefined for a digest. */
export function storedFieldData(fp: string | undefined): unknown {
  if (fp === undefined || !fp.startsWith('=')) return undefined;
  try {
    return JSON.parse(fp.slice(1)) as unknown;
  } catch {
    return undefined;
  }
}

const lower = (s: string): string => s.toLowerCase();
const known = (s: EntityState | undefined): s is EntityState => s !== undefined && (s.status === 'synced' || s.status === 'disabled' || s.status === 'uncategorized');

/** Akeneo answers 404 for a model it does not have. */
function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { status?: unknown }).status === 404;
}

export class FamilyVariantChanges {
  readonly changes: FamilyVariantChange[] = [];
  /** Model code (lower case) → PIM values to add to its create payload (not Ferry's: no fingerprint). */
  private readonly kept = new Map<string, { values: Values; categories?: string[] }>();
  private pimVersion: Promise<string> | null = null;

  constructor(private readonly deps: FamilyVariantChangeDeps) {}

  /**
   * Called once per mapped group before the engine plans it. When the group's root model exists
   * with another family variant than the mapping's, carries out (or, in a dry run, lists) steps
   * 1–3 and rewrites `storedModels` / `storedProducts` so the engine re-creates and re-attaches.
   * Returns a refusal when the change cannot be carried out in this run.
   */
  async prepare(entities: readonly MappedEntity[], storedModels: Map<string, EntityState>, storedProducts: Map<string, EntityState>): Promise<FamilyVariantRefusal | null> {
    const root = entities.find((e): e is MappedProductModel => e.kind === 'product_model' && !e.parent);
    if (!root) return null;
    const stored = storedModels.get(root.code);
    if (!known(stored)) return null;
    const from = storedFieldData(stored.hashes['@family_variant']);
    if (typeof from !== 'string' || lower(from) === lower(root.familyVariant)) return null;

    const change: FamilyVariantChange = { model: root.code, from, to: root.familyVariant, status: 'planned', steps: [] };
    this.changes.push(change);
    const { client } = this.deps;
    let pimModel: ProductModel;
    try {
      pimModel = await client.productModels.get(root.code);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      // Gone from the PIM already (deleted by hand): it is simply created again.
      change.steps.push(`Product model ${root.code} is not in the PIM any more: create it under family variant ${root.familyVariant}.`);
      change.status = this.deps.dryRun ? 'planned' : 'done';
      this.forget(root, entities, [], storedModels, storedProducts, []);
      return null;
    }
    if (lower(pimModel.family_variant) === lower(root.familyVariant)) {
      // Moved in the PIM already: nothing to rebuild, Ferry's record of it catches up.
      change.steps.push(`Product model ${root.code} is already under family variant ${root.familyVariant} in the PIM: nothing to move.`);
      change.status = this.deps.dryRun ? 'planned' : 'done';
      storedModels.set(root.code, { ...stored, hashes: { ...stored.hashes, '@family_variant': fingerprint(root.familyVariant) } });
      return null;
    }

    // Step 1: what the PIM has under the model.
    const subModels: ProductModel[] = [];
    for await (const m of client.productModels.list({ search: JSON.stringify({ parent: [{ operator: 'IN', value: [pimModel.code] }] }), limit: 100 })) subModels.push(m);
    const parents = [pimModel.code, ...subModels.map((m) => m.code)];
    const products: Product[] = [];
    for (const part of chunks(parents, 100)) {
      for await (const p of client.products.list({ search: JSON.stringify({ parent: [{ operator: 'IN', value: part }] }), limit: 100 })) products.push(p);
    }
    const name = (p: Product): string => {
      const v = p.values?.[this.deps.identifierAttribute]?.[0]?.data;
      return typeof v === 'string' ? v : typeof p.identifier === 'string' ? p.identifier : String(p.uuid);
    };
    const keptValues = this.keepValues(root, entities, pimModel, products, name);
    const onModels = [...new Set([pimModel, ...subModels].flatMap((m) => Object.keys(m.values ?? {})).filter((a) => !this.deps.ownedAttributes.has(a) && a !== this.deps.identifierAttribute))].sort();

    const subWords = subModels.length > 0 ? ` and its ${subModels.length} sub-model${subModels.length === 1 ? '' : 's'} (${subModels.map((m) => m.code).join(', ')})` : '';
    change.steps.push(
      `1. Read product model ${root.code}${subWords} and the ${products.length} product${products.length === 1 ? '' : 's'} under ${subModels.length > 0 ? 'them' : 'it'}; ${onModels.length > 0 ? `keep the PIM values Ferry does not own on the model${subModels.length > 0 ? 's' : ''}: ${onModels.join(', ')}` : `the model${subModels.length > 0 ? 's hold' : ' holds'} no PIM value Ferry does not own`}.`,
      `2. Turn ${products.length === 1 ? 'that product' : `these ${products.length} products`} into simple products (PATCH parent: null): each keeps its values, categories and associations, the inherited ones included.`,
      `3. Delete ${subModels.length > 0 ? 'the sub-models, then ' : ''}product model ${root.code} (it is empty by then). This is the destructive step.`,
      `4. Create product model ${root.code} under family variant ${root.familyVariant}${entities.some((e) => e.kind === 'product_model' && e.parent) ? ', with its sub-models,' : ''} with Ferry's values and the kept PIM values of the attributes its level holds.`,
      `5. Attach each product again (PATCH parent): the values of the variant level, the enrichment team's among them, stay; the others come from the model.`,
    );
    const ours = new Set(entities.filter((e) => e.kind === 'product').map((e) => lower((e as { identifier: string }).identifier)));
    const others = products.map(name).filter((n) => !ours.has(lower(n)));
    if (others.length > 0) {
      change.steps.push(`   ${others.length} product${others.length === 1 ? '' : 's'} under the model ${others.length === 1 ? 'is' : 'are'} not synced by Ferry (${others.slice(0, 10).join(', ')}${others.length > 10 ? ', …' : ''}): ${others.length === 1 ? 'it stays a simple product' : 'they stay simple products'}, with all ${others.length === 1 ? 'its' : 'their'} values; attach ${others.length === 1 ? 'it' : 'them'} in the PIM if needed.`);
    }

    if (this.deps.updateOnly) {
      change.status = 'refused';
      return {
        model: root,
        message: `Product model ${root.code} is in the PIM under family variant ${from}; the mapping now puts it under ${root.familyVariant}. Akeneo cannot change it in place, and moving it means creating it again, which update-only mode (sync.updateOnly) never does.`,
        fix: `Keep family variant ${from} for this family in the mapping, or move the model in the PIM by hand (see docs/sync.md "Changing a model's family variant").`,
      };
    }
    if (this.deps.dryRun) {
      this.forget(root, entities, subModels, storedModels, storedProducts, products.map(name));
      this.remember(keptValues);
      return null;
    }
    const version = await (this.pimVersion ??= client.detect().then((d) => d.version));
    // detect(): "5.0.60", "before 6.0" (no /system-information), "v2023…" (SaaS), "7.0 or later"…
    const major = Number.parseInt(version.replace(/^v/, ''), 10);
    if (!client.productModels.delete || /^before 6/.test(version) || (Number.isFinite(major) && major < 6)) {
      change.status = 'refused';
      return {
        model: root,
        message: `Product model ${root.code} is in the PIM under family variant ${from}; the mapping now puts it under ${root.familyVariant}. Akeneo cannot change a model's family variant, and this PIM (${version}) cannot delete a product model through its API (Akeneo 6.0+), so Ferry cannot rebuild it.`,
        fix: `Keep family variant ${from} for this family in the mapping, or move the model in the PIM by hand (see docs/sync.md "Changing a model's family variant").`,
      };
    }
    if (!this.deps.confirmed) {
      change.status = 'refused';
      return {
        model: root,
        message: `Product model ${root.code} must move from family variant ${from} to ${root.familyVariant}: Akeneo cannot change it in place, so Ferry would detach its ${products.length} products, delete the model${subWords ? ' and its sub-models' : ''} and create it again (the products and the PIM values on the model are kept). Deleting needs your confirmation.`,
        fix: 'Run `ferry sync --dry-run` to see every step, then `ferry sync --yes` to carry them out (or keep the previous family variant in the mapping).',
      };
    }

    try {
      // Step 2: detach, 100 products per request; a line the PIM refuses stops the change here.
      for (const part of chunks(products, 100)) {
        const lines = part.map((p) => (this.deps.mode === 'uuid' ? { uuid: p.uuid, parent: null } : { identifier: name(p), parent: null }) as unknown as Product);
        const results = await client.products.upsertMany(lines);
        const bad = results.find((r) => r.outcome === 'failed');
        if (bad) {
          const why = [bad.message, ...(bad.errors ?? []).map((e) => e.message)].filter(Boolean).join('; ');
          throw new Error(`the PIM refused to detach product ${bad.key}: ${why || `status ${bad.status}`}`);
        }
      }
      // Step 3: sub-models first (deleting the model would take them anyway), then the model.
      for (const m of subModels) await client.productModels.delete(m.code);
      await client.productModels.delete(pimModel.code);
    } catch (err) {
      change.status = 'failed';
      change.error = err instanceof Error ? err.message : String(err);
      // Whatever was detached is a simple product now: the next run attaches it again.
      await this.saveForgotten(root, entities, [], storedModels, storedProducts, products.map(name), false);
      return {
        model: root,
        message: `Product model ${root.code} could not be moved to family variant ${root.familyVariant}: ${change.error}. Its products are simple products until the next run attaches them again.`,
        fix: 'Fix what the PIM refused, then run `ferry sync --yes` again.',
      };
    }
    await this.saveForgotten(root, entities, subModels, storedModels, storedProducts, products.map(name), true);
    this.remember(keptValues);
    change.status = 'done';
    return null;
  }

  /**
   * Adds the kept PIM values (and the model's categories when Ferry does not send any) to a
   * re-created model's create payload. Values of other levels are ignored by the PIM.
   */
  addKeptValues(entity: MappedEntity, payload: Record<string, unknown> | undefined): void {
    if (entity.kind !== 'product_model' || !payload) return;
    const kept = this.kept.get(lower(entity.code));
    if (!kept) return;
    this.kept.delete(lower(entity.code));
    const values = { ...((payload.values as Values | undefined) ?? {}) };
    for (const [attribute, entries] of Object.entries(kept.values)) if (values[attribute] === undefined) values[attribute] = entries;
    if (Object.keys(values).length > 0) payload.values = values;
    if (kept.categories && kept.categories.length > 0 && payload.categories === undefined) payload.categories = kept.categories;
  }

  /** The values Ferry does not own, per new model of the group: the old model's first, then the first product's under it. */
  private keepValues(root: MappedProductModel, entities: readonly MappedEntity[], pimModel: ProductModel, products: readonly Product[], name: (p: Product) => string): Map<string, { values: Values; categories?: string[] }> {
    const { ownedAttributes, identifierAttribute } = this.deps;
    const notOwned = (attribute: string): boolean => !ownedAttributes.has(attribute) && attribute !== identifierAttribute;
    const byName = new Map(products.map((p) => [lower(name(p)), p]));
    const out = new Map<string, { values: Values; categories?: string[] }>();
    const fill = (target: Values, from: Values | undefined): void => {
      for (const [attribute, entries] of Object.entries(from ?? {})) {
        if (!notOwned(attribute)) continue;
        const have = (target[attribute] ??= []);
        for (const e of entries as ValueEntry[]) {
          if (e.data === null || e.data === undefined) continue;
          if (!have.some((h) => h.locale === e.locale && h.scope === e.scope)) have.push({ locale: e.locale, scope: e.scope, data: e.data });
        }
        if (have.length === 0) delete target[attribute];
      }
    };
    for (const e of entities) {
      if (e.kind !== 'product_model') continue;
      const values: Values = {};
      if (e === root) fill(values, pimModel.values);
      // Products under this model in the new layout (for the root: all of the group's).
      for (const p of entities) {
        if (p.kind !== 'product') continue;
        if (e !== root && lower(p.parent ?? '') !== lower(e.code)) continue;
        fill(values, byName.get(lower(p.identifier))?.values);
      }
      out.set(lower(e.code), { values, ...(e === root && root.categories === undefined ? { categories: pimModel.categories ?? [] } : {}) });
    }
    return out;
  }

  private remember(kept: Map<string, { values: Values; categories?: string[] }>): void {
    for (const [code, k] of kept) this.kept.set(code, k);
  }

  /**
   * The models are gone (or will be): the engine must create them, and send each product's
   * parent again. Changes the maps the engine plans from; the state is rewritten by saveForgotten.
   */
  private forget(root: MappedProductModel, entities: readonly MappedEntity[], subModels: readonly ProductModel[], storedModels: Map<string, EntityState>, storedProducts: Map<string, EntityState>, detached: readonly string[]): EntityState[] {
    const rows: EntityState[] = [];
    const modelCodes = new Set([root.code, ...subModels.map((m) => m.code), ...entities.filter((e) => e.kind === 'product_model').map((e) => (e as MappedProductModel).code)]);
    for (const code of modelCodes) {
      const s = storedModels.get(code);
      if (!s) continue;
      const row: EntityState = { ...s, hashes: {}, status: 'deleted' };
      storedModels.set(code, row);
      rows.push(row);
    }
    const detachedSet = new Set(detached.map(lower));
    for (const e of entities) {
      if (e.kind !== 'product') continue;
      const s = storedProducts.get(e.identifier);
      if (!known(s)) continue;
      if (!detachedSet.has(lower(e.identifier)) && s.hashes['@parent'] === undefined) continue;
      const hashes = { ...s.hashes };
      delete hashes['@parent'];
      const row = { ...s, hashes };
      storedProducts.set(e.identifier, row);
      rows.push(row);
    }
    return rows;
  }

  private async saveForgotten(root: MappedProductModel, entities: readonly MappedEntity[], subModels: readonly ProductModel[], storedModels: Map<string, EntityState>, storedProducts: Map<string, EntityState>, detached: readonly string[], modelsDeleted: boolean): Promise<void> {
    if (modelsDeleted) {
      // Sub-models of the old layout the mapping no longer gives are gone from the PIM too.
      const missing = subModels.map((m) => m.code).filter((c) => !storedModels.has(c));
      if (missing.length > 0) for (const [code, row] of await this.deps.state.getEntities('product_model', missing)) storedModels.set(code, row);
    }
    const rows = modelsDeleted
      ? this.forget(root, entities, subModels, storedModels, storedProducts, detached)
      : this.forget(root, entities.filter((e) => e.kind === 'product'), [], new Map(), storedProducts, detached);
    if (rows.length > 0) await this.deps.state.saveEntities(rows);
  }
}
