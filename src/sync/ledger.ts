/**
 * The ledger: every ERP record read in a run, and the one outcome it ends in.
 *
 * A record can give several PIM entities (a group → a root model and its sub-models); its
 * outcome folds theirs: rejected wins (something did not make it), then created, updated,
 * deleted, disabled, unchanged; a record that produced no entity at all is skipped, with the reason.
 */
import type { RecordOutcome } from './state/port.js';
import { emptyCounts, type OutcomeCounts, type ReportEntityType } from './report.js';

const PRIORITY: Record<RecordOutcome, number> = { rejected: 7, created: 6, updated: 5, deleted: 4, disabled: 3, unchanged: 2, skipped: 1 };

interface Entry {
  stream: string;
  key: string;
  type: ReportEntityType;
  pending: number;
  outcome: RecordOutcome | null;
  reason: string | null;
}

export const STREAM_TYPES: Record<string, ReportEntityType> = { items: 'product', groups: 'product_model', categories: 'category' };

export class Ledger {
  private readonly entries = new Map<string, Entry>();
  private settled = 0;
  /** Records an earlier attempt of this run's part created (see createdEarlier): found unchanged now, counted created. */
  private createdBefore: ReadonlySet<string> = new Set();
  /** Records an earlier attempt of this part may have written uncommitted: a create answered "updated" now is counted created. */
  private maybeCreatedBefore: ReadonlySet<string> = new Set();
  /** Records an earlier attempt of this run's part updated: found unchanged now, counted updated. */
  private updatedBefore: ReadonlySet<string> = new Set();

  private isSettled(e: Entry): boolean {
    return e.pending === 0 && e.outcome !== null;
  }

  private id(stream: string, key: string): string {
    return `${stream}\u0000${key}`;
  }

  /** Registers a record read from the ERP; returns false if it was already read in this run. */
  read(stream: string, key: string): boolean {
    const id = this.id(stream, key);
    if (this.entries.has(id)) return false;
    this.entries.set(id, { stream, key, type: STREAM_TYPES[stream] ?? 'product', pending: 0, outcome: null, reason: null });
    return true;
  }

  has(stream: string, key: string): boolean {
    return this.entries.has(this.id(stream, key));
  }

  get size(): number {
    return this.entries.size;
  }

  /** One more entity derived from the record is on its way. */
  expect(stream: string, key: string): void {
    const e = this.entries.get(this.id(stream, key));
    if (!e) return;
    if (this.isSettled(e)) this.settled--;
    e.pending++;
  }

  /** Every record read so far. */
  *records(): IterableIterator<{ stream: string; key: string }> {
    for (const e of this.entries.values()) yield { stream: e.stream, key: e.key };
  }

  /**
   * Records (`stream\u0000key`) an earlier attempt of this part of the run created (or `updated`):
   * this attempt finds them unchanged (its hashes are in the state), but in the run they were
   * created (updated).
   */
  keepCreated(ids: ReadonlySet<string>, unconfirmed: ReadonlySet<string> = new Set(), updated: ReadonlySet<string> = new Set()): void {
    this.createdBefore = ids;
    this.maybeCreatedBefore = unconfirmed;
    this.updatedBefore = updated;
  }

  /** An entity derived from the record settled (or the record itself, when `expect` was not called). */
  settle(stream: string, key: string, outcome: RecordOutcome, reason?: string | null, fromExpected = true): void {
    const id = this.id(stream, key);
    const e = this.entries.get(id);
    if (!e) return;
    if (outcome === 'unchanged' && this.createdBefore.has(id)) outcome = 'created';
    else if (outcome === 'unchanged' && this.updatedBefore.has(id)) outcome = 'updated';
    if (outcome === 'updated' && this.maybeCreatedBefore.has(id)) outcome = 'created';
    const was = this.isSettled(e);
    if (fromExpected && e.pending > 0) e.pending--;
    if (e.outcome === null || PRIORITY[outcome] > PRIORITY[e.outcome]) {
      e.outcome = outcome;
      e.reason = reason ?? null;
    } else if (outcome === e.outcome && !e.reason && reason) {
      e.reason = reason;
    }
    if (!was && this.isSettled(e)) this.settled++;
  }

  outcomeOf(stream: string, key: string): RecordOutcome | null {
    return this.entries.get(this.id(stream, key))?.outcome ?? null;
  }

  /** Records whose outcome is final (nothing pending). */
  settledCount(): number {
    return this.settled;
  }

  /** Gives every record without an outcome its default and returns the unsettled ones (a bug if any). */
  finalize(defaultReason: (stream: string, key: string) => string): Entry[] {
    const unsettled: Entry[] = [];
    for (const e of this.entries.values()) {
      if (e.pending > 0) unsettled.push(e);
      if (e.outcome === null) {
        e.outcome = 'skipped';
        e.reason = defaultReason(e.stream, e.key);
      }
    }
    return unsettled;
  }

  /** True when the record's outcome is final (an interrupted run reports and stores only these). */
  settledEntry(e: Entry): boolean {
    return this.isSettled(e);
  }

  /**
   * Outcome counts. `settledOnly` (an interrupted run): the records whose outcome is final so
   * far; the others were read but not finished and are read again by the next run.
   */
  counts(settledOnly = false): { counts: OutcomeCounts; byType: Record<ReportEntityType, OutcomeCounts> } {
    const counts = emptyCounts();
    const byType: Record<ReportEntityType, OutcomeCounts> = { category: emptyCounts(), product_model: emptyCounts(), product: emptyCounts() };
    for (const e of this.entries.values()) {
      if (settledOnly && !this.isSettled(e)) continue;
      const o = e.outcome ?? 'skipped';
      counts.read++;
      counts[o]++;
      byType[e.type].read++;
      byType[e.type][o]++;
    }
    return { counts, byType };
  }

  /** Why records were skipped, most frequent first: the report's answer to "why 20 skipped?". */
  skipReasons(limit = 10): { reason: string; entityType: ReportEntityType; count: number }[] {
    const byReason = new Map<string, { reason: string; entityType: ReportEntityType; count: number }>();
    for (const e of this.entries.values()) {
      if ((e.outcome ?? 'skipped') !== 'skipped') continue;
      const reason = e.reason ?? 'no reason recorded';
      const k = `${e.type}\u0000${reason}`;
      const row = byReason.get(k);
      if (row) row.count++;
      else byReason.set(k, { reason, entityType: e.type, count: 1 });
    }
    return [...byReason.values()].sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)).slice(0, limit);
  }

  *all(): IterableIterator<Entry> {
    yield* this.entries.values();
  }
}
