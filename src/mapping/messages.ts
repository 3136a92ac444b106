/**
 * How a mapping error reads in a run's rejects and warnings: the record once, then what is wrong
 * (the fix travels apart). The mapper's messages already start with the record's label
 * (`SKU "A-1": …`); callers used to prefix it again, which gave `SKU SKU "A-1": SKU "A-1": …`.
 */
import type { MappingError } from './types.js';

const KIND_BY_STREAM: Record<string, string> = { items: 'SKU', groups: 'Product model', categories: 'Category' };

export function rejectMessage(e: Pick<MappingError, 'origin' | 'recordLabel' | 'message' | 'attribute' | 'erpField' | 'locale' | 'scope'>): string {
  // The mapper's labels carry their kind (`SKU "A-1"`); other producers may give the bare key.
  const labelled = /^(SKU|product model|category) /i.test(e.recordLabel);
  const shown = labelled ? e.recordLabel : `${KIND_BY_STREAM[e.origin.stream] ?? e.origin.stream} ${JSON.stringify(e.recordLabel)}`;
  const label = shown.charAt(0).toUpperCase() + shown.slice(1);
  const body = e.message.startsWith(`${e.recordLabel}: `) ? e.message.slice(e.recordLabel.length + 2) : e.message;
  // Only the places the text does not already name (most messages name their field and attribute).
  const mentions = (code: string) => body.includes(`"${code}"`) || body.includes(`attribute ${code}`) || body.includes(`axis ${code}`);
  const where = [
    e.attribute && !mentions(e.attribute) ? `attribute ${e.attribute}` : null,
    e.erpField && !mentions(e.erpField) ? `ERP field ${JSON.stringify(e.erpField)}` : null,
    e.locale && !body.includes(e.locale) ? `locale ${e.locale}` : null,
    e.scope && !body.includes(e.scope) ? `channel ${e.scope}` : null,
  ].filter(Boolean);
  return `${label}${where.length ? ` (${where.join(', ')})` : ''}: ${body}`;
}
