/**
 * The mapping's settings that are not attribute rows, for the Console's forms: the locale table
 * (ERP language → Akeneo locale, and where each answer comes from), the channels scopable values
 * go to, which attributes the ERP owns, the hot-data guard; the help texts are the zod schema's
 * own descriptions (one source for the YAML reference and the forms), plus the draft's problems
 * the schema cannot see (a locale or channel the PIM does not have).
 */
import { z } from 'zod';
import type { StreamDescription } from '../../erp/port.js';
import { DEFAULT_HOT_PATTERNS, looksHot, mappingConfigSchema, type MappingConfig } from '../../mapping/config.js';
import { PRESETS } from '../../mapping/presets.js';
import type { ResolvedMapping } from '../../mapping/resolve.js';
import type { PimStructure } from '../../mapping/types.js';
import type { DraftProblem, MappingSettings } from '../api/contract.js';
import { localeFor } from './overview.js';

interface JsonNode {
  description?: string;
  properties?: Record<string, JsonNode>;
  additionalProperties?: JsonNode | boolean;
  items?: JsonNode;
  anyOf?: JsonNode[];
}

/** Every described key of `mapping:` except the attribute entries (the row editor has its own). */
function collectHelp(node: JsonNode, path: string, out: Record<string, string>): void {
  if (node.description) out[path] = node.description;
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    if (path === 'mapping' && key === 'attributes') {
      if (child.description) out['mapping.attributes'] = child.description;
      continue;
    }
    collectHelp(child, `${path}.${key}`, out);
  }
  for (const branch of node.anyOf ?? []) collectHelp(branch, path, out);
  if (node.items) collectHelp(node.items, `${path}[]`, out);
  // A record's entries (a family, a family variant): `*` stands for any key.
  if (node.additionalProperties && typeof node.additionalProperties === 'object') collectHelp(node.additionalProperties, `${path}.*`, out);
}

let help: Record<string, string> | null = null;
/** The schema's descriptions by key path; the schema does not change while the server runs. */
export function settingsHelp(): Record<string, string> {
  if (!help) {
    help = {};
    collectHelp(z.toJSONSchema(mappingConfigSchema, { io: 'input', unrepresentable: 'any' }) as JsonNode, 'mapping', help);
  }
  return help;
}

let patterns: [RegExp, string][] | null = null;
/**
 * The help of the deepest described key on a key path (`mapping.structure.families.definitions.
 * erp_product.variants.by_size.levels[1].axes` → the axes' description), for draft problems.
 */
export function helpAt(path: string): string | undefined {
  patterns ??= Object.entries(settingsHelp())
    .filter(([k]) => !k.endsWith('[]'))
    .map(([k, text]) => [new RegExp(`^${k.replace(/[.[\]]/g, (c) => `\\${c}`).replace(/\\\[\\\]/g, '\\[\\d+\\]').replace(/\*/g, '[^.[]+')}$`), text] as [RegExp, string]);
  for (let at = path; at.length > 0; at = at.replace(/(\.[^.[]+|\[\d+\])$/, '')) {
    const hit = patterns.find(([re]) => re.test(at));
    if (hit) return hit[1];
    if (!/(\.[^.[]+|\[\d+\])$/.test(at)) break;
  }
  return undefined;
}

export function settingsView(mapping: ResolvedMapping, raw: MappingConfig, pim: PimStructure, description: readonly StreamDescription[]): MappingSettings {
  const presetLocales = (raw.preset ? PRESETS[raw.preset].locales : undefined) ?? {};
  const erpLanguages = new Set(description.flatMap((s) => s.fields.flatMap((f) => f.languages ?? [])));
  const languages = [...new Set([...Object.keys(mapping.locales), ...erpLanguages, ...mapping.dropLanguages])].sort().map((language) => {
    const locale = localeFor(mapping, pim, language);
    const source = raw.locales?.[language] !== undefined ? 'file' : presetLocales[language] !== undefined ? 'preset' : locale ? 'auto' : 'none';
    return { language, locale, source, dropped: mapping.dropLanguages.has(language), inErp: erpLanguages.has(language) } as const;
  });
  const known = pim.knownLocales?.size ? pim.knownLocales : pim.locales;
  const pimLocales = [...new Set([...pim.locales, ...known])].map((code) => ({ code, active: pim.locales.has(code) })).sort((a, b) => Number(b.active) - Number(a.active) || a.code.localeCompare(b.code));
  const fields = [...new Set(description.flatMap((s) => s.fields.filter((f) => f.hot || looksHot(f.name, mapping.hotData.patterns)).map((f) => f.name)))].sort();
  return {
    languages,
    defaultLanguage: mapping.defaultLanguage,
    pimLocales,
    channels: { default: mapping.channels.default, pim: [...pim.channels.keys()].sort() },
    ownership: { groups: [...mapping.ownership.groups], attributes: [...mapping.ownership.attributes], pimGroups: [...pim.attributeGroups].sort(), attributeGroup: mapping.attributeGroup.code },
    hotData: { patterns: [...mapping.hotData.patterns], defaults: [...DEFAULT_HOT_PATTERNS], allow: [...mapping.hotData.allow].sort(), fields: fields.map((field) => ({ field, allowed: mapping.hotData.allow.has(field) })) },
    help: settingsHelp(),
  };
}

/** A locale or a channel the PIM does not have would be refused on every value: said before saving, by key path. */
export function settingsProblems(raw: MappingConfig, pim: PimStructure): DraftProblem[] {
  const problems: DraftProblem[] = [];
  const known = pim.knownLocales?.size ? pim.knownLocales : pim.locales;
  if (known.size) {
    for (const [language, locale] of Object.entries(raw.locales ?? {})) {
      if (known.has(locale)) continue;
      // Active locales first: those are what the channels already use.
      const close = [...known].filter((l) => l.toLowerCase().startsWith(`${language.toLowerCase()}_`)).sort((a, b) => Number(pim.locales.has(b)) - Number(pim.locales.has(a)) || a.localeCompare(b)).slice(0, 5);
      problems.push({ path: `mapping.locales.${language}`, message: `the PIM has no locale ${locale}`, fix: `Choose a locale of the PIM${close.length ? `, e.g. ${close.join(', ')}` : ''}, or list ${language} in mapping.dropLanguages.` });
    }
  }
  if (pim.channels.size) {
    (raw.channels?.default ?? []).forEach((channel, i) => {
      if (!pim.channels.has(channel)) problems.push({ path: `mapping.channels.default[${i}]`, message: `the PIM has no channel ${channel}`, fix: `Choose among ${[...pim.channels.keys()].join(', ')}.` });
    });
  }
  if (pim.attributeGroups.size) {
    (raw.ownership?.groups ?? []).forEach((group, i) => {
      if (!pim.attributeGroups.has(group) && group !== (raw.attributeGroup?.code ?? 'erp')) {
        problems.push({ path: `mapping.ownership.groups[${i}]`, message: `the PIM has no attribute group ${group}`, fix: `Choose among ${[...pim.attributeGroups].sort().join(', ')}.` });
      }
    });
  }
  return problems;
}
