/**
 * Gives each product to export its SKU: the identifier it has, or (sku.mode generate) the next
 * numbers of Ferry's sequence, skipping any the PIM or the ERP already uses.
 */
import type { AkeneoClient } from '../../akeneo/index.js';
import type { Product } from '../../akeneo/model.js';
import type { ExportConfig } from '../../mapping/export/config.js';
import { fillPattern, sequenceName } from '../../mapping/export/sku.js';
import type { StateStore } from '../state/port.js';
import { plainValue } from './find.js';

/** `numbered`: the ERP gives the SKU when it creates the record; `sku` is a provisional key until then. */
export type SkuAssignment = { sku: string; generated: boolean; numbered?: boolean } | { problem: string };

/** The provisional key of a product the ERP will number. */
export function provisionalKey(uuid: string): string {
  return `pim-${uuid}`;
}

/** Gives up after this many collisions in a row: the pattern overlaps SKUs made another way. */
const MAX_COLLISION_ROUNDS = 20;

export class SkuAssigner {
  generated = 0;

  constructor(
    private readonly config: ExportConfig,
    private readonly client: AkeneoClient,
    private readonly state: StateStore,
    private readonly erpHas?: (skus: readonly string[]) => Promise<Set<string>>,
    /** The ERP sink can number new products (ErpSink.createNumbered). */
    private readonly erpNumbers = false,
  ) {}

  /** By the product's uuid (or identifier). A dry run draws no number and shows the pattern. */
  async assign(products: readonly Product[], identifierAttribute: string, dryRun: boolean): Promise<Map<string, SkuAssignment>> {
    const out = new Map<string, SkuAssignment>();
    const missing: Product[] = [];
    for (const product of products) {
      const id = product.uuid ?? product.identifier ?? '';
      const sku = product.identifier ?? plainValue(product, identifierAttribute);
      if (typeof sku === 'string' && sku !== '') out.set(id, { sku, generated: false });
      else missing.push(product);
    }
    if (missing.length === 0) return out;
    const sku = this.config.sku;
    if (sku.mode === 'erp' && this.erpNumbers) {
      for (const p of missing) out.set(p.uuid ?? '', { sku: provisionalKey(p.uuid ?? ''), generated: false, numbered: true });
      return out;
    }
    if (sku.mode !== 'generate') {
      const problem =
        sku.mode === 'keep'
          ? 'The product has no SKU. Type one in the PIM (export.sku.mode is keep), or let Ferry generate them (export.sku.mode: generate).'
          : 'The product has no SKU and this ERP does not number products for Ferry; set export.sku.mode to generate or keep.';
      for (const p of missing) out.set(p.uuid ?? '', { problem });
      return out;
    }
    // One sequence per filled-in prefix (the family part differs between families).
    const byName = new Map<string, Product[]>();
    for (const p of missing) {
      const name = sequenceName(sku.pattern, p.family ?? null);
      byName.set(name, [...(byName.get(name) ?? []), p]);
    }
    for (const [name, group] of byName) {
      const family = group[0]!.family ?? null;
      if (dryRun) {
        for (const p of group) out.set(p.uuid ?? '', { sku: fillPattern(sku.pattern, family, null), generated: true });
        continue;
      }
      const skus = await this.draw(name, sku.pattern, family, group.length);
      group.forEach((p, i) => out.set(p.uuid ?? '', { sku: skus[i]!, generated: true }));
      this.generated += group.length;
    }
    return out;
  }

  /** `count` fresh SKUs, none of them known to the PIM or the ERP. */
  private async draw(name: string, pattern: string, family: string | null, count: number): Promise<string[]> {
    const out: string[] = [];
    for (let round = 0; out.length < count; round++) {
      if (round >= MAX_COLLISION_ROUNDS) {
        throw new Error(`export.sku.pattern ${pattern}: every generated SKU collides with an existing one; change the pattern's prefix.`);
      }
      const need = count - out.length;
      const first = await this.state.nextSequence(name, need);
      const candidates = Array.from({ length: need }, (_, i) => fillPattern(pattern, family, first + i));
      const inPim = await this.client.products.uuidsByIdentifier(candidates);
      const inErp = this.erpHas ? await this.erpHas(candidates) : new Set<string>();
      for (const c of candidates) if (!inPim.has(c) && !inErp.has(c)) out.push(c);
    }
    return out;
  }
}
