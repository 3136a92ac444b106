/**
 * Bootstrap's locale part (issue 16): the ERP languages whose locale the PIM knows but no channel
 * uses are activated by adding them to channels (how Akeneo activates a locale), and every label
 * the plan writes is kept to the locales the PIM accepts.
 */
import type { Channel, Labels } from '../akeneo/model.js';
import type { StreamDescription } from '../erp/port.js';
import type { BootstrapPlan } from './bootstrap.js';
import type { ResolvedMapping } from './resolve.js';
import type { PimStructure } from './types.js';

/** ERP language → the PIM locale it goes to: the table, an active locale, then a known one (`fr` → fr_FR). */
export function targetLocale(lang: string, mapping: ResolvedMapping, pim: PimStructure): string | null {
  if (mapping.locales[lang]) return mapping.locales[lang]!;
  const known = pim.knownLocales?.size ? pim.knownLocales : null;
  const starting = (set: ReadonlySet<string>) => [...set].filter((l) => l.toLowerCase().startsWith(`${lang.toLowerCase()}_`));
  if (pim.locales.has(lang)) return lang;
  const active = starting(pim.locales);
  if (active.length === 1) return active[0]!;
  if (known) {
    if (known.has(lang)) return lang;
    const same = `${lang.toLowerCase()}_${lang.toUpperCase()}`;
    if (known.has(same)) return same;
    const candidates = starting(known);
    return candidates.length === 1 ? candidates[0]! : null;
  }
  if (/^[a-z]{2,3}_[A-Za-z]{2,4}$/.test(lang)) return lang;
  return /^[a-z]{2}$/.test(lang) ? `${lang}_${lang.toUpperCase()}` : null;
}

/** The ERP's languages without an active locale: activated through the channels Ferry writes to, or noted. */
export function planLocales(mapping: ResolvedMapping, pim: PimStructure, description: readonly StreamDescription[], plan: BootstrapPlan): void {
  const languages = [...new Set(description.flatMap((d) => d.fields.flatMap((f) => f.languages ?? [])))];
  const known = pim.knownLocales?.size ? pim.knownLocales : null;
  const channels = (mapping.channels.default ?? [...pim.channels.keys()]).map((c) => pim.channels.get(c)).filter((c): c is Channel => !!c);
  for (const lang of languages) {
    if (mapping.dropLanguages.has(lang)) continue;
    const locale = targetLocale(lang, mapping, pim);
    if (!locale) {
      plan.notes.push(`ERP language ${lang}: no PIM locale matches it, so its texts are not sent; map it (mapping.locales.${lang}: <locale>) or drop it (mapping.dropLanguages: [${lang}]).`);
      continue;
    }
    if (pim.locales.has(locale) || plan.locales.some((l) => l.locale === locale)) continue;
    if (known && !known.has(locale)) {
      plan.notes.push(`ERP language ${lang} maps to locale ${locale}, which this PIM does not know; map it to a locale the PIM has (mapping.locales.${lang}) or drop it (mapping.dropLanguages: [${lang}]).`);
      continue;
    }
    if (!channels.length) {
      plan.notes.push(`ERP language ${lang}: locale ${locale} is not active and the PIM has no channel to activate it in; create a channel, or drop the language (mapping.dropLanguages: [${lang}]).`);
      continue;
    }
    plan.locales.push({ language: lang, locale });
  }
  if (!plan.locales.length) return;
  for (const ch of channels) {
    const added = plan.locales.map((l) => l.locale).filter((l) => !ch.locales.includes(l));
    if (added.length) plan.channels.push({ ...ch, locales: [...ch.locales, ...added] });
  }
}

/**
 * The locales a label may be written in. Akeneo accepts a label in any locale it knows, active or
 * not: attribute, option, family, family variant and category translations carry only its `Locale`
 * constraint, an existence check (akeneo/pim-community-dev
 * src/Akeneo/Channel/Component/Validator/Constraint/LocaleValidator.php, wired in
 * src/Akeneo/Pim/Structure/Bundle/Resources/config/validation/{attribute,attributeoptionvalue,family,familyvariant}.yml
 * and src/Akeneo/Pim/Enrichment/Bundle/Resources/config/validation/category.yml). So: every locale the
 * PIM lists, less those of the languages the user dropped; a PIM that lists only its active locales
 * gets those and the ones the plan activates.
 */
export function acceptedLabelLocales(mapping: ResolvedMapping, pim: PimStructure, plan: BootstrapPlan): Set<string> {
  const accepted = new Set([...pim.locales, ...plan.locales.map((l) => l.locale)]);
  if (!pim.knownLocales?.size) return accepted;
  const dropped = new Set([...mapping.dropLanguages].map((lang) => targetLocale(lang, mapping, pim)).filter((l): l is string => !!l));
  for (const l of pim.knownLocales) if (!dropped.has(l) || pim.locales.has(l)) accepted.add(l);
  return accepted;
}

/** Labels only in locales the PIM accepts; a label left with none keeps its default-locale text in an accepted locale. */
export function keepAcceptedLabels(plan: BootstrapPlan, accepted: ReadonlySet<string>, defaultLocale: string): void {
  if (!accepted.size) return;
  const fallback = accepted.has(defaultLocale) ? defaultLocale : [...accepted].sort()[0]!;
  const fit = <T extends { labels?: Labels }>(x: T): T => {
    if (!x.labels) return x;
    const entries = Object.entries(x.labels).filter(([l]) => accepted.has(l));
    if (!entries.length && Object.keys(x.labels).length) entries.push([fallback, x.labels[defaultLocale] ?? Object.values(x.labels)[0]!]);
    x.labels = Object.fromEntries(entries);
    return x;
  };
  plan.attributeGroups.forEach(fit);
  plan.attributes.forEach(fit);
  plan.options.forEach(fit);
  plan.families.forEach((f) => f.existing || fit(f.family));
  plan.familyVariants.forEach(fit);
  plan.categories.forEach(fit);
}
