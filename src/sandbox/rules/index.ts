/**
 * The sandbox's fidelity layer: Akeneo's validation and merge rules as pure functions.
 * The routes (src/sandbox/*) call these with a CatalogView and persist what they return.
 */
import type { ApplyStructureWrite, CatalogView, RuleResult, StructureEntities, StructureKind, StructureWriteContext } from './contract.js';
import { sameJson } from './common.js';
import { guard } from './errors.js';
import { writeAttribute } from './structure/attribute.js';
import { writeCategory } from './structure/category.js';
import { writeFamily } from './structure/family.js';
import { writeFamilyVariant } from './structure/family-variant.js';
import { writeOption } from './structure/option.js';
import { writeAssociationType, writeAttributeGroup, writeChannel, writeMeasurementFamily } from './structure/others.js';

export { applyProductWrite } from './product.js';
export { applyProductModelWrite } from './product-model.js';
export type * from './contract.js';

type Writer<K extends StructureKind> = (
  view: CatalogView,
  existing: StructureEntities[K] | null,
  patch: unknown,
  ctx: StructureWriteContext,
) => StructureEntities[K];

const WRITERS: { [K in StructureKind]: Writer<K> } = {
  attribute: writeAttribute,
  attribute_option: writeOption,
  family: writeFamily,
  family_variant: writeFamilyVariant,
  category: writeCategory,
  channel: writeChannel,
  attribute_group: writeAttributeGroup,
  association_type: writeAssociationType,
  measurement_family: writeMeasurementFamily,
};

export const applyStructureWrite: ApplyStructureWrite = <K extends StructureKind>(
  kind: K,
  view: CatalogView,
  existing: StructureEntities[K] | null,
  patch: unknown,
  ctx: StructureWriteContext,
): RuleResult<StructureEntities[K]> =>
  guard(() => {
    const writer = WRITERS[kind] as Writer<K>;
    const value = writer(view, existing, patch, ctx);
    const created = ctx.method === 'POST' || existing === null;
    const changed = created || !sameJson(withoutUpdated(value), withoutUpdated(existing));
    if (!changed && kind === 'category' && existing) {
      // A PATCH that changes nothing keeps the category's `updated` date.
      (value as StructureEntities['category']).updated = (existing as StructureEntities['category']).updated;
    }
    return { ok: true as const, value, created, changed };
  });

function withoutUpdated(v: unknown): unknown {
  if (!v || typeof v !== 'object') return v;
  const { updated: _updated, ...rest } = v as Record<string, unknown>;
  return rest;
}
