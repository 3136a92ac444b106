/**
 * A row of the state's `rejects` table as the reject it records: the one mapping that both the
 * state stores (sqlite.ts, postgres.ts) and the run-history read port (history-sql.ts, the
 * Console's pages) use, so a column added to the table is mapped in one place.
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
