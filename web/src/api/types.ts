/** Provisional shapes of the API answers; replaced by the shared contract's types. */
export interface Counts { read: number; created: number; updated: number; unchanged: number; rejected: number; skipped: number; deleted: number }
export interface RunSummary {
  id: number;
  connection: string;
  mode: string;
  status: string;
  dryRun: boolean;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  counts: Counts;
  trigger: string;
  startedBy: string | null;
}
