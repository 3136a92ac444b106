/** Turning decoded Tryton values into the port's field values. */
import type { FieldValue, Quantity } from '../port.js';
import { TrytonDate, TrytonDateTime, TrytonDecimal, floatToDecimalString } from './codec.js';

/** A Tryton Float/Numeric with its many2one UoM (`weight` + `weight_uom.`) as a Quantity, or null. */
export function quantityOf(row: Record<string, unknown>, field: string): Quantity | null {
  const amount = row[field];
  const uom = row[`${field}_uom.`] as { symbol?: string } | null | undefined;
  if (amount === null || amount === undefined || amount === false) return null;
  const text = amount instanceof TrytonDecimal ? amount.value : typeof amount === 'number' ? floatToDecimalString(amount) : null;
  if (text === null) return null;
  return { kind: 'quantity', amount: text, unit: uom?.symbol ?? '' };
}

export function symbolOf(row: Record<string, unknown>, field: string): string | null {
  const rel = row[`${field}.`] as { symbol?: string } | null | undefined;
  return rel?.symbol ?? null;
}

/** SQLite gives 0/1 for stored booleans, PostgreSQL true/false. */
export function bool(value: unknown): boolean {
  return value === true || value === 1 || value === '1';
}

/** An attribute value (Dict field entry) by the attribute's declared type. */
export function attributeValue(value: unknown, type: string | undefined): FieldValue {
  if (value === null || value === undefined) return null;
  if (value instanceof TrytonDecimal) return { kind: 'decimal', value: value.value };
  if (value instanceof TrytonDateTime) return value.toIso();
  if (value instanceof TrytonDate) return value.iso;
  if (typeof value === 'number') {
    if (type === 'integer') return value;
    return { kind: 'decimal', value: floatToDecimalString(value) };
  }
  if (typeof value === 'boolean') return value;
  if (type === 'boolean') return bool(value);
  if (Array.isArray(value)) return value.map((v) => attributeValue(v, 'char'));
  if (typeof value === 'string') {
    // Numeric attributes may arrive as strings from older clients' writes.
    if (type === 'numeric' && /^-?\d+(\.\d+)?$/.test(value)) return { kind: 'decimal', value };
    return value;
  }
  return JSON.stringify(value);
}
