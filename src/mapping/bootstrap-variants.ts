/**
 * Bootstrap's family variants from the data (issue 16): per ERP group, the layout axes.ts infers;
 * exactly the layouts used become family variants, groups no field tells apart go to the plan.
 */
import type { FieldDescription } from '../erp/port.js';
import { distinguishes, familyVariantCode, inferAxes, type GroupSample } from './axes.js';
import type { BootstrapPlan } from './bootstrap.js';
import { normaliseCode } from './codes.js';
import type { ResolvedMapping } from './resolve.js';
import type { PimStructure } from './types.js';

export interface FamilyContext {
  itemFields: Map<string, FieldDescription>;
  groupFields: Map<string, FieldDescription>;
  mapping: ResolvedMapping;
  attributeType: (code: string) => string | undefined;
  familyAttrs: Set<string>;
  identifier: string;
  pim: PimStructure;
}

/**
 * The family variants the ERP's groups need: per group, the smallest set of varying select fields
 * that tells its items apart (axes.ts), one or two levels; a group an existing family variant
 * already places needs nothing. Groups no set tells apart are reported in the plan.
 */
export function variantsFromData(family: string, samples: readonly GroupSample[], ctx: FamilyContext, plan: BootstrapPlan): Record<string, { levels: { axes: string[]; attributes: string[] }[] }> {
  const { itemFields, groupFields, mapping, attributeType, familyAttrs, identifier, pim } = ctx;
  // ERP field → attribute code (explicit single-field mappings, else identity).
  const codeOf = new Map<string, string>();
  for (const [code, spec] of mapping.attributes) if (spec.from.length === 1 && !spec.expression) codeOf.set(spec.from[0]!, code);
  const attributeFor = (field: string) => codeOf.get(field) ?? (mapping.codes.normalise ? normaliseCode(field, mapping.codes.case) : field);
  // Fields only items have vary per variant; template fields stay on the model.
  const itemOnly = [...itemFields.values()].filter((f) => !groupFields.has(f.name) && familyAttrs.has(attributeFor(f.name)) && attributeFor(f.name) !== identifier);
  const axisFields = itemOnly.filter((f) => ['pim_catalog_simpleselect', 'pim_catalog_boolean'].includes(attributeType(attributeFor(f.name)) ?? '')).map((f) => f.name);
  const otherFields = itemOnly.map((f) => f.name).filter((f) => !axisFields.includes(f));
  const variantLevel = itemOnly.map((f) => attributeFor(f.name));
  const fieldOfAttribute = new Map([...itemFields.keys()].map((f) => [attributeFor(f), f]));
  const existing = [...pim.familyVariants.values()].filter((fv) => fv.family === family).map((fv) => fv.variant_attribute_sets.flatMap((s) => s.axes).map((a) => fieldOfAttribute.get(a) ?? a));
  const layouts = new Map<string, { levels: string[][]; sub: Set<string> | null }>();
  const chosen: string[][] = [];
  const minItems = mapping.structure.variants.singleGroupAsSimpleProduct ? 2 : 1;
  for (const g of samples) {
    if ((g.family ?? mapping.structure.families.default) !== family || g.items.length < minItems) continue;
    if (existing.some((axes) => distinguishes(g.items, axes))) continue;
    const r = inferAxes(g.items, axisFields, { otherFields, preferred: chosen });
    if (!r.ok) {
      const [i, j] = r.clash;
      const skus: [string, string] = [g.skus[i]!, g.skus[j]!];
      const tried = r.tried.map(attributeFor);
      plan.indistinguishable.push({
        group: g.key,
        family,
        items: g.items.length,
        tried,
        incomplete: r.incomplete.map(attributeFor),
        skus,
        message: `ERP group ${JSON.stringify(g.key)} (family ${family}, ${g.items.length} items): no set of select fields tells its items apart, e.g. SKU ${JSON.stringify(skus[0])} and SKU ${JSON.stringify(skus[1])} have the same ${tried.length ? tried.join(', ') : '(no select field varies in this group)'}${r.incomplete.length ? `; ${r.incomplete.map(attributeFor).join(', ')} would help but ${r.incomplete.length === 1 ? 'is' : 'are'} empty on some items` : ''}`,
        fix: `Give the items of ${JSON.stringify(g.key)} a value that tells them apart in a select field (e.g. size or colour) in the ERP, move the odd items to another group, or set mapping.structure.variants.familyVariant.${family} to a family variant of your own.`,
      });
      continue;
    }
    if (!r.levels.length) continue;
    if (!chosen.some((c) => c.join() === r.levels.flat().join())) chosen.push(r.levels.flat());
    const levels = r.levels.map((l) => l.map(attributeFor));
    const code = familyVariantCode(family, levels);
    const sub = r.levels.length > 1 ? new Set(r.subModelFields.map(attributeFor)) : null;
    plan.inferredVariants[code] = (plan.inferredVariants[code] ?? 0) + 1;
    const prior = layouts.get(code);
    // Sub-model attributes: those constant per first-axis value in every group using the layout.
    if (prior?.sub && sub) for (const a of prior.sub) if (!sub.has(a)) prior.sub.delete(a);
    if (!prior) layouts.set(code, { levels, sub });
  }
  const out: Record<string, { levels: { axes: string[]; attributes: string[] }[] }> = {};
  for (const [code, { levels, sub }] of layouts) {
    const axes = levels.flat();
    const rest = variantLevel.filter((a) => !axes.includes(a));
    out[code] = sub
      ? { levels: [{ axes: levels[0]!, attributes: rest.filter((a) => sub.has(a)) }, { axes: levels[1]!, attributes: rest.filter((a) => !sub.has(a)) }] }
      : { levels: [{ axes, attributes: rest }] };
  }
  return out;
}
