/**
 * `ferry pim bootstrap`'s plan grouped for the Bootstrap page (locales, attribute group,
 * attributes, options, families, family variants, category root), and applyBootstrap's failures
 * turned back into one result per planned item: done, failed (why) or not attempted (because of
 * which failure).
 */
import type { BootstrapFailure, BootstrapPlan } from '../../mapping/bootstrap.js';
import type { BootstrapApply, BootstrapItem, BootstrapPlanView } from '../api/contract.js';

const TITLES: Record<BootstrapItem['kind'], string> = {
  channel: 'Locales activated (channels)',
  attribute_group: 'Attribute group',
  attribute: 'Attributes',
  option: 'Options',
  family: 'Families',
  family_variant: 'Family variants',
  category: 'Category root',
};

export function bootstrapView(plan: BootstrapPlan): Omit<BootstrapPlanView, 'empty' | 'lines' | 'planId'> {
  const items: BootstrapItem[] = [];
  for (const ch of plan.channels) {
    const added = plan.locales.filter((l) => ch.locales.includes(l.locale)).map((l) => `${l.locale} (ERP language ${l.language})`);
    items.push({ kind: 'channel', code: ch.code, action: 'update', summary: `gains locale${added.length === 1 ? '' : 's'} ${added.join(', ')}` });
  }
  for (const g of plan.attributeGroups) items.push({ kind: 'attribute_group', code: g.code, action: 'create', summary: `"${g.labels?.['en_US'] ?? Object.values(g.labels ?? {})[0] ?? g.code}"` });
  for (const a of plan.attributes) {
    const flags = [a.localizable && 'localizable', a.scopable && 'scopable', a.is_read_only && 'read-only', a.metric_family && `${a.metric_family}, default unit ${a.default_metric_unit}`].filter(Boolean);
    items.push({ kind: 'attribute', code: a.code, action: 'create', summary: `${a.type.replace(/^pim_catalog_/, '')}${flags.length ? ` · ${flags.join(' · ')}` : ''} · group ${a.group}` });
  }
  const options = new Map<string, string[]>();
  for (const o of plan.options) options.set(o.attribute, [...(options.get(o.attribute) ?? []), o.code]);
  for (const [attribute, codes] of options) {
    items.push({ kind: 'option', code: attribute, action: 'create', summary: `${codes.length} option${codes.length === 1 ? '' : 's'}: ${codes.slice(0, 15).join(', ')}${codes.length > 15 ? ', …' : ''}` });
  }
  for (const f of plan.families) {
    items.push({
      kind: 'family',
      code: f.family.code,
      action: f.existing ? 'update' : 'create',
      summary: f.existing ? `gains ${f.added.join(', ')}` : `${f.family.attributes.length} attributes, label ${f.family.attribute_as_label}`,
    });
  }
  for (const fv of plan.familyVariants) {
    items.push({ kind: 'family_variant', code: fv.code, action: 'create', summary: `family ${fv.family}: ${fv.variant_attribute_sets.map((s) => `level ${s.level} by ${s.axes.join(' + ')}`).join(', ')}` });
  }
  for (const c of plan.categories) items.push({ kind: 'category', code: c.code, action: 'create', summary: 'tree root the ERP categories hang under' });
  const order: BootstrapItem['kind'][] = ['channel', 'attribute_group', 'attribute', 'option', 'family', 'family_variant', 'category'];
  return {
    groups: order.map((kind) => ({ kind, title: TITLES[kind], items: items.filter((i) => i.kind === kind) })).filter((g) => g.items.length > 0),
    warnings: plan.indistinguishable.map((g) => ({ message: g.message, fix: g.fix })),
    notes: plan.notes,
  };
}

/** One result per planned item from applyBootstrap's failures (options are one item per attribute). */
export function bootstrapResults(items: BootstrapItem[], failures: BootstrapFailure[]): BootstrapApply['results'] {
  const failed = new Map<string, string>();
  const stopped = new Map<string, string>();
  for (const f of failures) {
    const code = f.kind === 'option' ? f.code.split('.')[0]! : f.code;
    const key = `${f.kind}:${code}`;
    failed.set(key, failed.has(key) ? `${failed.get(key)!}; ${f.message}` : f.message);
    for (const s of f.stopped ?? []) {
      const m = /^(?:\d+ options? of (\S+)|family variant (\S+)|(attribute|family) (\S+))$/.exec(s);
      if (!m) continue;
      const target = m[1] ? `option:${m[1]}` : m[2] ? `family_variant:${m[2]}` : `${m[3]!}:${m[4]!}`;
      stopped.set(target, `not attempted: ${f.kind.replace('_', ' ')} ${f.code} failed`);
    }
  }
  return items.map((i) => {
    const key = `${i.kind}:${i.code}`;
    if (failed.has(key)) return { ...i, outcome: 'failed' as const, message: failed.get(key)! };
    if (stopped.has(key)) return { ...i, outcome: 'not_attempted' as const, message: stopped.get(key)! };
    return { ...i, outcome: 'done' as const, message: null };
  });
}
