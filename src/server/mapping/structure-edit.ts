/**
 * The structure part of a draft mapping, for the Console's Structure tab: which attributes can be
 * variant axes, the family variant layouts the mapping defines, the draft's structural problems
 * by key path (an axis Akeneo would refuse, new axes on a family variant the PIM already has, a
 * family variant choice nothing defines), and the PIM structure as Bootstrap would leave it, so
 * the group preview shows a new layout before anything is saved or created.
 */
import type { FamilyVariant } from '../../akeneo/model.js';
import type { MappingConfig } from '../../mapping/config.js';
import { PRESETS } from '../../mapping/presets.js';
import type { ResolvedMapping } from '../../mapping/resolve.js';
import type { PimStructure } from '../../mapping/types.js';
import type { DraftProblem, StructureEdit, VariantLayout } from '../api/contract.js';

/** The types Akeneo accepts as variant axes (src/mapping/check.ts says the same for `ferry check`). */
const AXIS_TYPES = new Set(['pim_catalog_simpleselect', 'pim_catalog_multiselect', 'pim_reference_data_simpleselect', 'pim_catalog_boolean', 'pim_catalog_metric']);
const AXIS_WORDS = 'a simple or multi select, a boolean or a metric, neither localizable nor scopable';

type Level = { axes: string[]; attributes: string[] };

function variantPath(family: string, code: string): string {
  return `mapping.structure.families.definitions.${family}.variants.${code}`;
}

const axesText = (levels: readonly Level[]) => levels.map((l) => l.axes.join(' + ')).join(' / ');
/** The same axes per level, in any order within a level (as bootstrap compares them). */
const sameAxes = (a: readonly Level[], b: readonly Level[]) => a.length === b.length && a.every((l, i) => [...l.axes].sort().join('+') === [...b[i]!.axes].sort().join('+'));

function pimLevels(fv: FamilyVariant): Level[] {
  return [...fv.variant_attribute_sets].sort((a, b) => a.level - b.level).map((s) => ({ axes: [...s.axes], attributes: [...s.attributes] }));
}

/** Why an attribute cannot be a variant axis, or null when it can. */
function axisUnusable(code: string, mapping: ResolvedMapping, pim: PimStructure): { type: string | null; inPim: boolean; unusable: string | null } {
  const a = pim.attributes.get(code);
  if (a) {
    if (!AXIS_TYPES.has(a.type)) return { type: a.type, inPim: true, unusable: `a ${a.type.replace(/^pim_catalog_/, '')} attribute` };
    if (a.localizable || a.scopable) return { type: a.type, inPim: true, unusable: 'localizable or scopable' };
    return { type: a.type, inPim: true, unusable: null };
  }
  const spec = mapping.attributes.get(code);
  if (!spec) return { type: null, inPim: false, unusable: 'not an attribute of the PIM or the mapping' };
  const type = spec.type ? `pim_catalog_${spec.type}` : null;
  if (!type) return { type, inPim: false, unusable: 'not in the PIM and the mapping gives it no type' };
  if (!AXIS_TYPES.has(type)) return { type, inPim: false, unusable: `a ${spec.type} attribute` };
  if (spec.localizable || spec.scopable) return { type, inPim: false, unusable: 'localizable or scopable' };
  return { type, inPim: false, unusable: null };
}

/** The families the structure places items in or defines. */
function familiesOf(mapping: ResolvedMapping): string[] {
  const s = mapping.structure;
  return [...new Set([s.families.default, ...Object.values(s.families.map), ...Object.values(s.categories.families), ...Object.keys(s.families.definitions)].filter((f): f is string => !!f))].sort();
}

export function structureEditView(mapping: ResolvedMapping, raw: MappingConfig, pim: PimStructure): StructureEdit {
  const families = familiesOf(mapping).map((code) => {
    const def = mapping.structure.families.definitions[code];
    const inPim = pim.families.get(code);
    const attributes = [...new Set([...(inPim?.attributes ?? []), ...(def?.attributes ?? [])])].sort();
    return { code, inPim: !!inPim, attributes };
  });
  const presetDefs = (raw.preset ? PRESETS[raw.preset].structure?.families?.definitions : undefined) ?? {};
  const fileDefs = raw.structure?.families?.definitions ?? {};
  const layouts: VariantLayout[] = [];
  for (const [family, def] of Object.entries(mapping.structure.families.definitions)) {
    for (const [code, fv] of Object.entries(def.variants ?? {})) {
      const inPreset = !!presetDefs[family]?.variants?.[code];
      const inFile = !!fileDefs[family]?.variants?.[code];
      const inPim = pim.familyVariants.get(code);
      layouts.push({
        family,
        code,
        path: variantPath(family, code),
        source: inPreset && inFile ? 'preset+file' : inFile ? 'file' : 'preset',
        inPim: !!inPim,
        levels: fv.levels.map((l) => ({ axes: [...l.axes], attributes: [...(l.attributes ?? [])] })),
        pimLevels: inPim ? pimLevels(inPim) : null,
      });
    }
  }
  const codes = new Set([...pim.attributes.keys(), ...[...mapping.attributes.values()].filter((a) => a.type).map((a) => a.code)]);
  codes.delete(pim.identifierAttribute);
  const axisCandidates = [...codes].sort().map((code) => ({ code, ...axisUnusable(code, mapping, pim) }));
  return { families, layouts, axisCandidates };
}

/**
 * The draft's structure problems the zod schema cannot see (it does not know the PIM): each with
 * the key path of the offending value and a fix naming what would do.
 */
export function structureProblems(raw: MappingConfig, mapping: ResolvedMapping, pim: PimStructure): DraftProblem[] {
  const problems: DraftProblem[] = [];
  const usable = () =>
    [...pim.attributes.keys(), ...mapping.attributes.keys()]
      .filter((c, i, all) => all.indexOf(c) === i && c !== pim.identifierAttribute && axisUnusable(c, mapping, pim).unusable === null)
      .sort()
      .join(', ') || 'none yet: map a select field first';
  for (const [family, def] of Object.entries(raw.structure?.families?.definitions ?? {})) {
    for (const [code, fv] of Object.entries(def.variants ?? {})) {
      if (!fv.levels) continue;
      const seen = new Set<string>();
      fv.levels.forEach((level, i) =>
        level.axes.forEach((axis, j) => {
          const path = `${variantPath(family, code)}.levels[${i}].axes[${j}]`;
          const why = axisUnusable(axis, mapping, pim).unusable;
          if (why) problems.push({ path, message: `${axis} cannot be a variant axis: ${why}`, fix: `An axis is ${AXIS_WORDS}. Pick one of: ${usable()}.` });
          else if (seen.has(axis)) problems.push({ path, message: `${axis} is an axis twice in family variant ${code}`, fix: 'Each axis tells variants apart at one level only: remove it from one of the levels.' });
          seen.add(axis);
        }),
      );
      const inPim = pim.familyVariants.get(code);
      if (inPim && !sameAxes(pimLevels(inPim), fv.levels)) {
        problems.push({
          path: `${variantPath(family, code)}.levels`,
          message: `family variant ${code} exists in the PIM with axes ${axesText(pimLevels(inPim))}; Akeneo refuses other axes on an existing family variant (the draft says ${axesText(fv.levels)})`,
          fix: `Keep its axes ${axesText(pimLevels(inPim))}, or add a family variant with a new code for the new layout and choose it for family ${family}.`,
        });
      }
    }
  }
  for (const [family, choice] of Object.entries(raw.structure?.variants?.familyVariant ?? {})) {
    if (choice === 'auto') continue;
    const fromPim = pim.familyVariants.get(choice);
    const defined = mapping.structure.families.definitions[family]?.variants?.[choice];
    if ((fromPim && fromPim.family === family) || defined) continue;
    const known = [...new Set([...[...pim.familyVariants.values()].filter((fv) => fv.family === family).map((fv) => fv.code), ...Object.keys(mapping.structure.families.definitions[family]?.variants ?? {})])];
    problems.push({
      path: `mapping.structure.variants.familyVariant.${family}`,
      message: `no family variant ${choice} of family ${family} in the PIM or the mapping`,
      fix: `Choose auto or one of: ${known.join(', ') || '(none: define one under mapping.structure.families.definitions)'}.`,
    });
  }
  return problems;
}

/**
 * The PIM structure with the family variants the draft defines and the PIM lacks, as Bootstrap
 * would create them (attributes the family lacks left out, as bootstrap does): the preview then
 * places groups in a layout before it exists. Returns the codes added, for the page to say so.
 */
export function asIfBootstrapped(mapping: ResolvedMapping, pim: PimStructure): { pim: PimStructure; added: string[] } {
  const added: [string, FamilyVariant & { family: string }][] = [];
  for (const [family, def] of Object.entries(mapping.structure.families.definitions)) {
    const fam = pim.families.get(family);
    if (!fam) continue;
    const familyAttrs = new Set([...fam.attributes, ...def.attributes]);
    for (const [code, fv] of Object.entries(def.variants ?? {})) {
      if (pim.familyVariants.has(code)) continue;
      // An axis the PIM lacks cannot be previewed: the draft's problems say so, or bootstrap creates it first.
      if (fv.levels.some((l) => l.axes.some((a) => !pim.attributes.has(a)))) continue;
      const sets = fv.levels.map((l, i) => ({ level: i + 1, axes: [...l.axes], attributes: (l.attributes ?? []).filter((a) => familyAttrs.has(a) && !l.axes.includes(a)) }));
      added.push([code, { code, family, variant_attribute_sets: sets }]);
    }
  }
  if (!added.length) return { pim, added: [] };
  return { pim: { ...pim, familyVariants: new Map([...pim.familyVariants, ...added]) }, added: added.map(([c]) => c) };
}
