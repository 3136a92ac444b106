/**
 * A dry run's planned values in plain words for the preview's before / after table: a metric
 * `987.5 KILOGRAM`, prices `10 EUR, 12 USD`, lists `a, b`, an empty value `(empty)`.
 */
import type { PlannedChange } from '../../src/server/api/contract.js';

export function formatPlanValue(v: unknown): string {
  if (v === null || v === undefined || v === '') return '(empty)';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v === true ? 'yes' : v === false ? 'no' : v);
  if (Array.isArray(v)) return v.length === 0 ? '(empty)' : v.map(formatPlanValue).join(', ');
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('amount' in o && ('unit' in o || 'currency' in o)) return `${formatPlanValue(o.amount)} ${String(o.unit ?? o.currency ?? '')}`.trim();
    return JSON.stringify(v);
  }
  return String(v);
}

/** `weight`, `name (en_US, ecommerce)`, `family`, `label (fr_FR)`. */
export function changeLabel(c: PlannedChange): string {
  const name = c.field.startsWith('values.') ? c.field.slice('values.'.length) : c.field === 'labels' ? 'label' : c.field;
  const where = [c.locale, c.scope].filter(Boolean).join(', ');
  return where ? `${name} (${where})` : name;
}
