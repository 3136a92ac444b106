/**
 * A row of the state's `rejects` table as the reject it records: the one mapping that both the
 * state store (src/sync/state/sqlite.ts) and the Console's read-only SQL over the same table
 * (src/server/store/runs-read.ts) use, so a column added to the table is mapped in one place.
 */
import type { ReportReject } from '../report.js';

export interface RejectColumns {
  stream: string;
  erp_key: string;
  entity_type: string;
  label: string;
  attribute: string | null;
  locale: string | null;
  scope: string | null;
  message: string;
  fix: string | null;
}

export function rejectFromRow(r: RejectColumns): ReportReject {
  return { stream: r.stream, key: r.erp_key, entityType: r.entity_type, label: r.label, attribute: r.attribute, locale: r.locale, scope: r.scope, message: r.message, fix: r.fix };
}
