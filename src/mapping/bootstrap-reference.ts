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
  labels: Labels;
  attributes: { code: string; type: 'text' | 'textarea' | 'number'; labels: Labels }[];
}
export interface AssetFamilyPlan {
  code: string;
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

export function planReferenceBootstrap(mapping: ResolvedMapping, pim: PimStructure, defaultLocale: string, notes: string[]): ReferenceBootstrapPlan {
  const problem = referenceDataEditionProblem(mapping, pim);
  if (problem) {
    notes.push(problem);
    return { referenceEntities: [], assetFamilies: [] };
  }
  const labels = (given: Labels | undefined, code: string): Labels => given ?? { [defaultLocale]: title(code) };
  return {
    referenceEntities: mapping.referenceData.referenceEntities.map((e) => ({
      code: e.code,
      labels: labels(e.labels, e.code),
      attributes: e.attributes.map((a) => ({ code: a.code, type: a.type, labels: labels(a.labels, a.code) })),
    })),
    assetFamilies: mapping.referenceData.assetFamilies.map((f) => ({ code: f.code, labels: labels(f.labels, f.code), mediaAttribute: f.mediaAttribute })),
  };
}

export function describeReferencePlan(plan: ReferenceBootstrapPlan): string[] {
  return [
    ...plan.referenceEntities.map(
      (e) => `+ reference entity ${e.code}${e.attributes.length ? ` with attributes ${e.attributes.map((a) => `${a.code} (${a.type})`).join(', ')}` : ''} (what the PIM lacks)`,
    ),
    ...plan.assetFamilies.map((f) => `+ asset family ${f.code} with media attribute ${f.mediaAttribute} (what the PIM lacks)`),
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
