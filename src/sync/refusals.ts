/**
 * Changes Akeneo refuses on an entity that already exists, checked on Ferry's side from what it
 * last wrote (the state's fingerprints), so `--dry-run` can say "the PIM would refuse this"
 * instead of approving it (a root model whose family variant changes is moved instead, see
 * family-variant-change.ts, so the first rule is only a fallback here). The rules are Akeneo's (ProductModel updater; the sandbox enforces
 * the same ones in src/sandbox/rules/product-model.ts, which this module must not import):
 * - a product model's `family_variant` cannot be modified;
 * - a root product model cannot get a parent, and a sub-model cannot lose its parent.
 */
import type { MappedEntity } from '../mapping/types.js';
import type { EntityState } from './state/port.js';

export interface Refusal {
  /** What the PIM would answer, in business words, with Akeneo's own sentence in it. */
  message: string;
  fix: string;
}

/** The data behind an inline fingerprint (`="erp_product_color"`); undefined for a digest. */
function storedData(fp: string | undefined): unknown {
  if (fp === undefined || !fp.startsWith('=')) return undefined;
  try {
    return JSON.parse(fp.slice(1)) as unknown;
  } catch {
    return undefined;
  }
}

function sameCode(a: unknown, b: unknown): boolean {
  return typeof a === 'string' && typeof b === 'string' ? a.toLowerCase() === b.toLowerCase() : a === b;
}

export function pimWouldRefuse(entity: MappedEntity, stored: EntityState | undefined, changed: readonly string[]): Refusal | null {
  if (entity.kind !== 'product_model' || !stored || stored.status === 'deleted' || stored.status === 'absent' || stored.status === 'pending') return null;
  if (changed.includes('@family_variant')) {
    const before = storedData(stored.hashes['@family_variant']);
    if (typeof before === 'string' && !sameCode(before, entity.familyVariant)) {
      return {
        message: `Product model ${entity.code} is in the PIM with family variant ${before}; the ERP now places it in ${entity.familyVariant}. Akeneo refuses that change on an existing model (Property "family_variant" cannot be modified).`,
        fix: `Run ferry sync --yes to move the model (see docs/sync.md "Changing a model's family variant"), or keep the family variant ${before} for this family (mapping.structure.variants.familyVariant).`,
      };
    }
  }
  if (changed.includes('@parent')) {
    const before = storedData(stored.hashes['@parent']);
    const after = entity.parent ?? null;
    if (before !== undefined && (before === null) !== (after === null)) {
      return {
        message:
          before === null
            ? `Product model ${entity.code} is a root model in the PIM; the ERP now puts it under ${String(after)}. Akeneo refuses that (Property "parent" cannot be modified).`
            : `Product model ${entity.code} is a sub-model of ${String(before)} in the PIM; the ERP now makes it a root model. Akeneo refuses that (Property "parent" cannot be modified).`,
        fix: 'The family variant\'s levels changed: restore the previous levels in the mapping; see docs/sync.md "Changes the PIM refuses".',
      };
    }
  }
  return null;
}
