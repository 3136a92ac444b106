/**
 * The per-record mapping error every stage reports the same way: "<record>: <what>. Expected <x>.",
 * the ERP field and value, the fix, and whether it holds the record back (errors.blockRecord, or
 * forced for errors no record can be sent with).
 */
import type { ResolvedMapping } from './resolve.js';
import type { MappingErrorKind } from './types.js';
import { show } from './converters/common.js';
import type { RecordAcc } from './plans.js';

export function recordError(
  blockRecord: ResolvedMapping['blockRecord'],
  acc: RecordAcc,
  kind: MappingErrorKind,
  field: string | undefined,
  value: unknown,
  attribute: string | undefined,
  what: string,
  expected: string,
  fix: string,
  force?: boolean,
): void {
  const block = force ?? blockRecord[kind];
  acc.errors.push({
    kind,
    origin: acc.origin,
    recordLabel: acc.label,
    erpField: field,
    attribute,
    locale: null,
    scope: null,
    value: typeof value === 'object' && value !== null ? show(value) : value,
    message: `${acc.label}: ${what}.${expected ? ` Expected ${expected}.` : ''}`,
    expected,
    fix,
    blocksRecord: block,
  });
  if (block) acc.blocked = true;
}
