/**
 * The PIM structure the export keeps its exchange in (`ferry pim bootstrap` when `export:` is
 * configured): the attribute group "ERP exchange" with the simple-select `erp_status` (to_export,
 * exported, in_erp, error), the texts `erp_message` and `erp_id`, the tag (a yes/no attribute or a
 * category) when the config chooses one, all added to every family so Julia sees them.
 * `erp_message` and `erp_id` are Ferry's to write: read-only where the edition has read-only
 * attributes (EE, SaaS), as the import's ERP attributes are (src/mapping/bootstrap.ts); on the CE
 * the plan says so in a note. `erp_status` stays editable: Julia sets it.
 */
import type { AkeneoClient } from '../../akeneo/index.js';
import type { Attribute } from '../../akeneo/model.js';
import type { ExportConfig } from '../../mapping/export/config.js';
import { isCommunityEdition, supportsReadOnly } from '../../mapping/pim-structure.js';
import { STATUS } from './find.js';

export interface StatusStructurePlan {
  attributeGroup: { code: string; labels: Record<string, string> } | null;
  attributes: Attribute[];
  options: { attribute: string; code: string; labels: Record<string, string> }[];
  category: { code: string; labels: Record<string, string> } | null;
  /** Families that lack some of the status attributes → the attributes to add. */
  families: { code: string; attributes: string[] }[];
  /** Existing attributes Ferry writes that are still editable on an edition with read-only attributes. */
  makeReadOnly: Pick<Attribute, 'code' | 'type' | 'group'>[];
  /** What the plan leaves as it is, and why (CE: no read-only attributes). */
  notes: string[];
}

const OPTION_LABELS: Record<string, Record<string, string>> = {
  [STATUS.toExport]: { en_US: 'To export', fr_FR: 'À exporter', de_DE: 'Zu exportieren' },
  [STATUS.exported]: { en_US: 'Exported', fr_FR: 'Exporté', de_DE: 'Exportiert' },
  [STATUS.inErp]: { en_US: 'In the ERP', fr_FR: "Dans l'ERP", de_DE: 'Im ERP' },
  [STATUS.error]: { en_US: 'Error', fr_FR: 'Erreur', de_DE: 'Fehler' },
};

/** What is missing in the PIM (nothing when the structure is there). */
export async function planStatusAttributes(client: AkeneoClient, config: ExportConfig): Promise<StatusStructurePlan> {
  const s = config.status;
  const edition = (await client.detect().catch(() => null))?.edition ?? null;
  const readOnly = supportsReadOnly({ edition });
  // Ferry's own: the message and the ERP id. Not the status: Julia sets it to "to_export".
  const ferryWrites = new Set([s.message, ...(s.erpId ? [s.erpId] : [])]);
  const groupExists = (await client.attributeGroups.find(s.group)) !== undefined;
  const wanted: Attribute[] = [
    { code: s.attribute, type: 'pim_catalog_simpleselect', group: s.group, labels: { en_US: 'ERP status', fr_FR: 'Statut ERP', de_DE: 'ERP-Status' }, localizable: false, scopable: false, useable_as_grid_filter: true },
    { code: s.message, type: 'pim_catalog_text', group: s.group, labels: { en_US: 'ERP message', fr_FR: 'Message ERP', de_DE: 'ERP-Meldung' }, localizable: false, scopable: false, useable_as_grid_filter: true },
  ];
  if (s.erpId) wanted.push({ code: s.erpId, type: 'pim_catalog_text', group: s.group, labels: { en_US: 'ERP id', fr_FR: 'Id ERP', de_DE: 'ERP-ID' }, localizable: false, scopable: false, useable_as_grid_filter: true });
  if (config.tag.kind === 'boolean') {
    wanted.push({ code: config.tag.attribute, type: 'pim_catalog_boolean', group: s.group, labels: { en_US: 'Send to ERP', fr_FR: "Envoyer à l'ERP", de_DE: 'An ERP senden' }, localizable: false, scopable: false, useable_as_grid_filter: true });
  }
  const attributes: Attribute[] = [];
  const makeReadOnly: StatusStructurePlan['makeReadOnly'] = [];
  for (const a of wanted) {
    if (readOnly && ferryWrites.has(a.code)) a.is_read_only = true;
    const existing = await client.attributes.find(a.code);
    if (existing === undefined) attributes.push(a);
    else if (readOnly && ferryWrites.has(a.code) && existing.is_read_only !== true) makeReadOnly.push({ code: existing.code, type: existing.type, group: existing.group ?? s.group });
  }
  const notes: string[] = [];
  if (!readOnly) {
    const where = isCommunityEdition({ edition }) ? 'this PIM is Akeneo Community Edition' : "this PIM's edition is unknown";
    notes.push(
      `attributes ${[...ferryWrites].join(' and ')}: editable, not read-only — ${where}, and read-only attributes exist on Enterprise Edition and SaaS only. ` +
        'People can change them in the PIM; Ferry writes them again at the next export of the product, so an edit there is not kept.',
    );
  }
  const options: StatusStructurePlan['options'] = [];
  const have = new Set<string>();
  if (!attributes.some((a) => a.code === s.attribute)) for await (const o of client.attributeOptions(s.attribute).list()) have.add(o.code);
  for (const code of Object.values(STATUS)) if (!have.has(code)) options.push({ attribute: s.attribute, code, labels: OPTION_LABELS[code]! });
  const category = config.tag.kind === 'category' && (await client.categories.find(config.tag.category)) === undefined
    ? { code: config.tag.category, labels: { en_US: 'Send to ERP', fr_FR: "Envoyer à l'ERP", de_DE: 'An ERP senden' } }
    : null;
  const families: StatusStructurePlan['families'] = [];
  const codes = wanted.map((a) => a.code);
  for await (const f of client.families.list()) {
    const lacking = codes.filter((c) => !(f.attributes ?? []).includes(c));
    if (lacking.length) families.push({ code: f.code, attributes: lacking });
  }
  return { attributeGroup: groupExists ? null : { code: s.group, labels: { en_US: 'ERP exchange', fr_FR: "Échange ERP", de_DE: 'ERP-Austausch' } }, attributes, options, category, families, makeReadOnly, notes };
}

/** Creates what the plan lists; returns the count created and the refusals in plain words. */
export async function applyStatusAttributes(client: AkeneoClient, plan: StatusStructurePlan): Promise<{ created: number; failures: string[] }> {
  let created = 0;
  const failures: string[] = [];
  const note = (what: string, results: { outcome: string; key: string; message?: string }[]) => {
    for (const r of results) {
      if (r.outcome === 'failed') failures.push(`${what} ${r.key}: ${r.message ?? 'refused'}`);
      else created++;
    }
  };
  const one = async (what: string, key: string, write: () => Promise<{ outcome: string; key: string }>) => {
    try {
      note(what, [await write()]);
    } catch (error) {
      failures.push(`${what} ${key}: ${(error as Error).message}`);
    }
  };
  if (plan.attributeGroup) await one('attribute group', plan.attributeGroup.code, () => client.attributeGroups.upsert(plan.attributeGroup!));
  if (plan.attributes.length) note('attribute', await client.attributes.upsertMany(plan.attributes));
  if (plan.makeReadOnly.length) note('attribute', await client.attributes.upsertMany(plan.makeReadOnly.map((a) => ({ ...a, is_read_only: true }))));
  if (plan.options.length) {
    note('option', await client.attributeOptions(plan.options[0]!.attribute).upsertMany(plan.options.map((o, i) => ({ code: o.code, attribute: o.attribute, labels: o.labels, sort_order: i }))));
  }
  const category = plan.category;
  if (category) await one('category', category.code, () => client.categories.upsert({ code: category.code, parent: null, labels: category.labels }));
  for (const f of plan.families) {
    await one('family', f.code, async () => {
      const family = await client.families.get(f.code);
      return client.families.upsert({ ...family, attributes: [...(family.attributes ?? []), ...f.attributes] });
    });
  }
  return { created, failures };
}

/** The plan in plain lines (empty when nothing is missing); its notes are apart (`plan.notes`). */
export function describeStatusPlan(plan: StatusStructurePlan): string[] {
  const out: string[] = [];
  if (plan.attributeGroup) out.push(`  attribute group ${plan.attributeGroup.code} (ERP exchange)`);
  for (const a of plan.attributes) out.push(`  attribute ${a.code} (${a.type.replace('pim_catalog_', '')}, export status${a.is_read_only ? ', read-only' : ''})`);
  for (const a of plan.makeReadOnly) out.push(`  attribute ${a.code}: made read-only (Ferry writes it)`);
  if (plan.options.length) out.push(`  options of ${plan.options[0]!.attribute}: ${plan.options.map((o) => o.code).join(', ')}`);
  if (plan.category) out.push(`  category ${plan.category.code} (the export tag)`);
  if (plan.families.length) out.push(`  status attributes added to ${plan.families.length} famil${plan.families.length === 1 ? 'y' : 'ies'}: ${plan.families.map((f) => f.code).slice(0, 10).join(', ')}`);
  return out;
}
