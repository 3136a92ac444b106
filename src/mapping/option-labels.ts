/**
 * The ERP's option labels (FieldDescription.optionLabels: option value → one text per ERP language)
 * as Akeneo option labels. Bootstrap gives new options these labels; the sync's option stage
 * (src/sync/stages/option-labels.ts) creates and updates options with them. Any adapter whose
 * describe() fills optionLabels gets the same treatment (Tryton does, from its `attributes` stream).
 */
import type { Labels } from '../akeneo/model.js';
import type { FieldDescription, LocalizedText, StreamDescription } from '../erp/port.js';
import type { ResolvedMapping } from './resolve.js';

/**
 * One option's ERP labels in Akeneo locales: each language through `localeOf` (the mapping's locale
 * table, then the PIM's locales), dropped languages and locales outside `accepted` left out, blank
 * texts ignored. The first language that reaches a locale wins (the table may send two there).
 */
export function optionLabelsFrom(label: LocalizedText | undefined, mapping: ResolvedMapping, localeOf: (lang: string) => string | null, accepted: ReadonlySet<string>): Labels {
  const labels: Labels = {};
  if (!label) return labels;
  // The mapping's default language first, so it wins a locale two languages share.
  const languages = Object.keys(label.values).sort((a, b) => Number(b === mapping.defaultLanguage) - Number(a === mapping.defaultLanguage));
  for (const lang of languages) {
    if (mapping.dropLanguages.has(lang)) continue;
    const text = label.values[lang]?.trim();
    const locale = localeOf(lang);
    if (!text || !locale || !accepted.has(locale) || labels[locale] !== undefined) continue;
    labels[locale] = text;
  }
  return labels;
}

/**
 * The ERP field that feeds a PIM attribute, as bootstrap and the mapper see it: the first described
 * field of its explicit mapping (`from`), else the field whose (normalised) name is the attribute code.
 */
export function describedFieldFor(
  code: string,
  mapping: ResolvedMapping,
  description: readonly StreamDescription[],
  normalise: (field: string) => string | null,
): FieldDescription | undefined {
  const fields = description.filter((d) => d.stream === 'items' || d.stream === 'groups').flatMap((d) => d.fields);
  const spec = mapping.attributes.get(code);
  if (spec) return spec.from.map((f) => fields.find((x) => x.name === f)).find(Boolean);
  if (!mapping.identity.enabled) return undefined;
  return fields.find((f) => f.name === code) ?? fields.find((f) => !mapping.identity.ignore.has(f.name) && normalise(f.name) === code);
}

/** Whether the PIM's labels already say what Ferry would write (locales Ferry does not write are not compared). */
export function labelsCovered(wanted: Labels, current: Labels | null | undefined): boolean {
  if (!current) return false;
  return Object.entries(wanted).every(([locale, text]) => current[locale] === text);
}
