/**
 * Bootstrap's EE / SaaS part: the reference entities (with their record attributes) and asset
 * families (with their media attribute) that mapping.referenceEntities / mapping.assetFamilies
 * need. The plan lists them; applying creates only what the PIM lacks (one GET each first), and
 * never changes an existing entity, family or attribute. On the Community Edition nothing is
 * planned and the plan says why and what to do instead.
 */
import type { AkeneoClient } from '../akeneo/index.js';
import type { Labels } from '../akeneo/model.js';
import { isCommunityEdition } from './pim-structure.js';
import type { ResolvedMapping } from './resolve.js';
import type { PimStructure } from './types.js';

export interface ReferenceEntityPlan {
  code: string;
  /** The entity is in the PIM already: only the attributes listed are missing. */
  existing?: boolean;
  labels: Labels;
  attributes: { code: string; type: 'text' | 'textarea' | 'number'; labels: Labels }[];
}
export interface AssetFamilyPlan {
  code: string;
  existing?: boolean;
  labels: Labels;
  mediaAttribute: string;
}
export interface ReferenceBootstrapPlan {
  referenceEntities: ReferenceEntityPlan[];
  assetFamilies: AssetFamilyPlan[];
}

export interface ReferenceBootstrapOutcome {
  created: string[];
  failures: { kind: 'reference_entity' | 'asset_family'; code: string; message: string }[];
}

const title = (code: string): string => {
  const s = code.replace(/_/g, ' ').trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
};

/** Why reference data cannot be bootstrapped on this PIM (CE), or null. */
export function referenceDataEditionProblem(mapping: ResolvedMapping, pim: PimStructure): string | null {
  const { referenceEntities, assetFamilies } = mapping.referenceData;
  if (!isCommunityEdition(pim) || (referenceEntities.length === 0 && assetFamilies.length === 0)) return null;
  const what = [
    referenceEntities.length ? `mapping.referenceEntities (${referenceEntities.map((e) => e.code).join(', ')})` : '',
    assetFamilies.length ? `mapping.assetFamilies (${assetFamilies.map((f) => f.code).join(', ')})` : '',
  ].filter(Boolean);
  return (
    `${what.join(' and ')} need Akeneo Enterprise Edition or SaaS: this PIM is the Community Edition${pim.version ? ` ${pim.version}` : ''}, which has no reference entities and no Asset Manager. ` +
    'Remove those sections and map the fields as a simple select (brands, suppliers) or an image / file attribute instead.'
  );
}

/** What the PIM has of the configured entities and families (loadReferenceDataStructure). */
export interface ExistingReferenceData {
  /** Entity code → its attribute codes (lower case). */
  referenceEntities: Map<string, Set<string>>;
  /** Family code → its attribute codes (lower case) and attribute_as_main_media. */
  assetFamilies: Map<string, { attributes: Set<string>; mainMedia: string | null }>;
}

/** Reads the configured entities and families from the PIM (one GET each, plus their attributes). Undefined on CE or without such sections. */
export async function loadReferenceDataStructure(client: AkeneoClient, mapping: ResolvedMapping, pim: PimStructure): Promise<ExistingReferenceData | undefined> {
  const { referenceEntities, assetFamilies } = mapping.referenceData;
  if (isCommunityEdition(pim) || (referenceEntities.length === 0 && assetFamilies.length === 0)) return undefined;
  const out: ExistingReferenceData = { referenceEntities: new Map(), assetFamilies: new Map() };
  const codes = async (list: AsyncIterable<{ code: string }>) => {
    const set = new Set<string>();
    for await (const a of list) set.add(a.code.toLowerCase());
    return set;
  };
  for (const e of referenceEntities) {
    if (await client.referenceEntities.find(e.code)) out.referenceEntities.set(e.code, await codes(client.referenceEntityAttributes(e.code).list()));
  }
  for (const f of assetFamilies) {
    const family = await client.assetFamilies.find(f.code);
    if (family) out.assetFamilies.set(f.code, { attributes: await codes(client.assetAttributes(f.code).list()), mainMedia: typeof family['attribute_as_main_media'] === 'string' ? family['attribute_as_main_media'] : null });
  }
  return out;
}

/**
 * The entities and families to create. With `existing` (what the PIM has), only what it lacks;
 * without, everything configured (applying still checks each one first).
 */
export function planReferenceBootstrap(mapping: ResolvedMapping, pim: PimStructure, defaultLocale: string, notes: string[], existing?: ExistingReferenceData): ReferenceBootstrapPlan {
  const problem = referenceDataEditionProblem(mapping, pim);
  if (problem) {
    notes.push(problem);
    return { referenceEntities: [], assetFamilies: [] };
  }
  for (const p of linkProblems(mapping, pim)) notes.push(`${p.message}; ${p.fix}`);
  const labels = (given: Labels | undefined, code: string): Labels => given ?? { [defaultLocale]: title(code) };
  const plan: ReferenceBootstrapPlan = { referenceEntities: [], assetFamilies: [] };
  for (const e of mapping.referenceData.referenceEntities) {
    const has = existing?.referenceEntities.get(e.code);
    const attributes = e.attributes.filter((a) => !has?.has(a.code.toLowerCase())).map((a) => ({ code: a.code, type: a.type, labels: labels(a.labels, a.code) }));
    if (has && attributes.length === 0) continue;
    plan.referenceEntities.push({ code: e.code, ...(has ? { existing: true } : {}), labels: labels(e.labels, e.code), attributes });
  }
  for (const f of mapping.referenceData.assetFamilies) {
    const has = existing?.assetFamilies.get(f.code);
    if (has?.attributes.has(f.mediaAttribute.toLowerCase()) && has.mainMedia) {
      if (has.mainMedia !== f.mediaAttribute) notes.push(`asset family ${f.code}: its main media is ${has.mainMedia} in the PIM, the mapping says ${f.mediaAttribute}; assets are written to ${f.mediaAttribute} (set mapping.assetFamilies.${f.code}.mediaAttribute to ${has.mainMedia} to use the PIM's).`);
      continue;
    }
    plan.assetFamilies.push({ code: f.code, ...(has ? { existing: true } : {}), labels: labels(f.labels, f.code), mediaAttribute: f.mediaAttribute });
  }
  return plan;
}

/**
 * Link attributes that would not link: `mapping.attributes` (or a preset) maps the link code as
 * something else, or the PIM has that attribute with another type or another entity / family.
 */
export function linkProblems(mapping: ResolvedMapping, pim: PimStructure): { attribute: string; message: string; fix: string }[] {
  const out: { attribute: string; message: string; fix: string }[] = [];
  const links = [
    ...mapping.referenceData.referenceEntities.map((e) => ({ section: `referenceEntities.${e.code}`, link: e.link, target: e.code, types: e.collection ? ['akeneo_reference_entity_collection'] : ['akeneo_reference_entity'], mapped: e.collection ? 'reference_entity_collection' : 'reference_entity' })),
    ...mapping.referenceData.assetFamilies.map((f) => ({ section: `assetFamilies.${f.code}`, link: f.link, target: f.code, types: ['pim_catalog_asset_collection'], mapped: 'asset_collection' })),
  ];
  for (const l of links) {
    const spec = mapping.attributes.get(l.link);
    if (spec?.type && spec.type !== l.mapped) {
      out.push({
        attribute: l.link,
        message: `mapping.${l.section}: its link attribute ${l.link} is mapped as ${spec.type} in mapping.attributes (or the preset), so products would not link the ${l.section.startsWith('asset') ? 'assets' : 'records'}`,
        fix: `Give mapping.${l.section} another \`link\` code, or remove mapping.attributes.${l.link}.`,
      });
      continue;
    }
    const inPim = pim.attributes.get(l.link);
    if (inPim && (!l.types.includes(inPim.type) || (inPim.reference_data_name && inPim.reference_data_name !== l.target))) {
      out.push({
        attribute: l.link,
        message: `mapping.${l.section}: the PIM's attribute ${l.link} is ${inPim.type}${inPim.reference_data_name ? ` of ${inPim.reference_data_name}` : ''}, not a link to ${l.target}`,
        fix: `Set mapping.${l.section}.link to a new attribute code (bootstrap creates it).`,
      });
    }
  }
  return out;
}

export function describeReferencePlan(plan: ReferenceBootstrapPlan): string[] {
  return [
    ...plan.referenceEntities.map(
      (e) => `${e.existing ? '~' : '+'} reference entity ${e.code}${e.attributes.length ? `${e.existing ? ': add' : ' with'} attributes ${e.attributes.map((a) => `${a.code} (${a.type})`).join(', ')}` : ''}`,
    ),
    ...plan.assetFamilies.map((f) => `${f.existing ? `~ asset family ${f.code}: add` : `+ asset family ${f.code} with`} media attribute ${f.mediaAttribute}`),
  ];
}

/** The body of a record attribute Akeneo accepts for each supported type. */
function recordAttributeBody(a: ReferenceEntityPlan['attributes'][number]): Record<string, unknown> {
  const common = { code: a.code, labels: a.labels, value_per_locale: false, value_per_channel: false, is_required_for_completeness: false };
  if (a.type === 'number') return { ...common, type: 'number', decimals_allowed: true, min_value: null, max_value: null };
  return { ...common, type: 'text', max_characters: null, is_textarea: a.type === 'textarea', is_rich_text_editor: false, validation_rule: 'none', validation_regexp: null };
}

/** Creates what the plan lists and the PIM lacks; a failed entity or family stops its attributes, with one message. */
export async function applyReferenceBootstrap(plan: ReferenceBootstrapPlan, client: AkeneoClient): Promise<ReferenceBootstrapOutcome> {
  const out: ReferenceBootstrapOutcome = { created: [], failures: [] };
  const attempt = async (kind: 'reference_entity' | 'asset_family', code: string, run: () => Promise<void>) => {
    try {
      await run();
    } catch (err) {
      out.failures.push({ kind, code, message: String(err) });
    }
  };
  for (const e of plan.referenceEntities) {
    await attempt('reference_entity', e.code, async () => {
      if (!(await client.referenceEntities.find(e.code))) {
        await client.referenceEntities.upsert({ code: e.code, labels: e.labels });
        out.created.push(`reference entity ${e.code}`);
      }
      const attributes = client.referenceEntityAttributes(e.code);
      for (const a of e.attributes) {
        if (await attributes.find(a.code)) continue;
        await attributes.upsert(recordAttributeBody(a) as { code: string });
        out.created.push(`attribute ${a.code} of reference entity ${e.code}`);
      }
    });
  }
  for (const f of plan.assetFamilies) {
    await attempt('asset_family', f.code, async () => {
      const existing = await client.assetFamilies.find(f.code);
      if (!existing) {
        await client.assetFamilies.upsert({ code: f.code, labels: f.labels });
        out.created.push(`asset family ${f.code}`);
      }
      // A family created in Akeneo's UI comes with a `media` attribute; one created through the API, or another name, gets it here.
      const attributes = client.assetAttributes(f.code);
      if (!(await attributes.find(f.mediaAttribute))) {
        await attributes.upsert({
          code: f.mediaAttribute,
          labels: { ...Object.fromEntries(Object.keys(f.labels).map((l) => [l, 'Media'])) },
          type: 'media_file',
          media_type: 'image',
          value_per_locale: false,
          value_per_channel: false,
          is_required_for_completeness: true,
          allowed_extensions: [],
          max_file_size: null,
        } as { code: string });
        out.created.push(`attribute ${f.mediaAttribute} of asset family ${f.code}`);
      }
      if (!existing || !existing['attribute_as_main_media']) await client.assetFamilies.upsert({ code: f.code, attribute_as_main_media: f.mediaAttribute });
    });
  }
  return out;
}
