/**
 * `ferry map` for the Console: the mapper's result on a few ERP items turned into units (a group
 * with its product model, sub-models and variants, or a single item) that the page shows side by
 * side, each error with its fix and the mapping row it concerns.
 */
import type { Values } from '../../akeneo/model.js';
import type { ErpRecord, FieldValue } from '../../erp/port.js';
import type { MappedEntity, MappingResult } from '../../mapping/types.js';
import type { PreviewEntity, PreviewUnit } from '../api/contract.js';

/** A value in a few words, as `ferry map` prints it. */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) return '∅';
  if (Array.isArray(value)) return value.map(valueText).join(' | ');
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (v.kind === 'localized') return Object.entries(v.values as Record<string, string>).map(([l, t]) => `${l}: ${t}`).join(' / ');
    if (v.kind === 'quantity') return `${String(v.amount)} ${String(v.unit)}`;
    if (v.kind === 'decimal') return String(v.value);
    if (v.kind === 'money') return `${String(v.amount)} ${String(v.currency)}`;
    if ('amount' in v && 'unit' in v) return `${String(v.amount)} ${String(v.unit)}`;
    if ('amount' in v && 'currency' in v) return `${String(v.amount)} ${String(v.currency)}`;
    return JSON.stringify(value);
  }
  return String(value);
}

function values(v: Values): PreviewEntity['values'] {
  return Object.entries(v).flatMap(([attribute, entries]) => entries.map((e) => ({ attribute, locale: e.locale ?? null, scope: e.scope ?? null, text: valueText(e.data), data: e.data })));
}

function entityView(e: MappedEntity): PreviewEntity {
  if (e.kind === 'category') {
    return { kind: 'category', code: e.code, role: 'category', parent: e.parent, family: null, familyVariant: null, categories: [], values: [], payload: { code: e.code, parent: e.parent, labels: e.labels } };
  }
  if (e.kind === 'product_model') {
    const payload = { code: e.code, family_variant: e.familyVariant, parent: e.parent, ...(e.categories ? { categories: e.categories } : {}), values: e.values };
    return { kind: 'product_model', code: e.code, role: e.parent ? 'sub-model' : 'root model', parent: e.parent, family: e.family, familyVariant: e.familyVariant, categories: e.categories ?? [], values: values(e.values), payload };
  }
  const payload = { identifier: e.identifier, family: e.family, parent: e.parent, ...(e.categories ? { categories: e.categories } : {}), ...(e.enabled !== undefined ? { enabled: e.enabled } : {}), values: e.values };
  return { kind: 'product', code: e.identifier, role: e.parent ? 'variant' : 'product', parent: e.parent, family: e.family, familyVariant: null, categories: e.categories ?? [], values: values(e.values), payload };
}

function recordView(r: ErpRecord): PreviewUnit['records'][number] {
  const meta: { name: string; text: string }[] = [];
  if (r.group) meta.push({ name: '(group)', text: r.group });
  if (r.categories?.length) meta.push({ name: '(categories)', text: r.categories.join(' | ') });
  if (r.active === false) meta.push({ name: '(active)', text: 'no' });
  return { key: r.key, fields: [...meta, ...Object.entries(r.fields).map(([name, v]) => ({ name, text: valueText(v as FieldValue) }))] };
}

/** The mapping row an error or problem concerns: the attribute's row when it has one, else the ERP field's. */
export function rowOf(attribute: string | null | undefined, erpField: string | null | undefined, rows: ReadonlySet<string>, unmapped: ReadonlySet<string>): string | null {
  for (const a of (attribute ?? '').split(',').map((s) => s.trim())) if (a && rows.has(a)) return `mapping.attributes.${a}`;
  if (erpField && unmapped.has(erpField)) return `erp.fields.${erpField}`;
  if (attribute) return `mapping.attributes.${attribute.split(',')[0]!.trim()}`;
  return null;
}

/** Splits the items and the mapper's result into units: one per group (model + variants), one per single item. */
export function previewUnits(items: ErpRecord[], groups: ReadonlyMap<string, ErpRecord>, result: MappingResult, rows: ReadonlySet<string>, unmapped: ReadonlySet<string>): PreviewUnit[] {
  const units = new Map<string, PreviewUnit>();
  const unitOfItem = new Map<string, string>();
  for (const r of items) {
    const key = r.group ? `group:${r.group}` : `item:${r.key}`;
    unitOfItem.set(r.key, key);
    let u = units.get(key);
    if (!u) {
      u = { key: r.group ?? r.key, kind: r.group ? 'group' : 'item', records: [], entities: [], errors: [] };
      const g = r.group ? groups.get(r.group) : undefined;
      if (g) u.records.push(recordView(g));
      units.set(key, u);
    }
    u.records.push(recordView(r));
  }
  const unitOf = (origin: { stream: string; key: string }) => (origin.stream === 'groups' ? units.get(`group:${origin.key}`) : units.get(unitOfItem.get(origin.key) ?? ''));
  // A sub-model whose origin names no sampled record (its own group key) joins the unit of its
  // family: the one holding its root model or its variants.
  const orphans: PreviewEntity[] = [];
  for (const e of result.entities) {
    if (e.kind === 'category') continue;
    const unit = unitOf(e.origin);
    if (unit) unit.entities.push(entityView(e));
    else orphans.push(entityView(e));
  }
  for (const o of orphans) {
    const home = [...units.values()].find((u) => u.entities.some((e) => e.code === o.parent || e.parent === o.code));
    home?.entities.push(o);
  }
  for (const e of result.errors) {
    unitOf(e.origin)?.errors.push({
      kind: e.kind,
      record: e.recordLabel,
      erpField: e.erpField ?? null,
      attribute: e.attribute ?? null,
      locale: e.locale ?? null,
      value: e.value === undefined ? null : valueText(e.value),
      message: e.message,
      fix: e.fix,
      blocksRecord: e.blocksRecord,
      row: rowOf(e.attribute, e.erpField, rows, unmapped),
    });
  }
  // Root model first, then sub-models, then variants: the page draws the tree in this order.
  const rank = (e: PreviewEntity) => (e.role === 'root model' ? 0 : e.role === 'sub-model' ? 1 : 2);
  for (const u of units.values()) u.entities.sort((a, b) => rank(a) - rank(b) || a.code.localeCompare(b.code));
  return [...units.values()];
}
