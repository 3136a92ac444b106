/**
 * The state-store port: everything the sync engine remembers between runs.
 *
 * The engine only talks to this interface (no SQL outside the implementations), so a
 * PostgreSQL store can be added next to the SQLite one without touching the engine.
 * Every method is async for that reason, and takes/returns whole batches so a network
 * database costs one round trip per batch, not per record.
 */
import type { ReportReject } from '../report.js';
import type { RunHistory } from './run-history.js';

/**
 * What kind of PIM entity a state row describes. `exported`: a PIM product `ferry export` sent to
 * the ERP (code: its SKU, pimId: its uuid, hashes: what was sent), apart from the import's rows.
 */
export type EntityType = 'category' | 'product_model' | 'product' | 'option' | 'reference_entity_record' | 'asset' | 'exported';

/**
 * `pending`: Ferry reserved this entity's PIM id (a random product uuid: a product that comes
 *   back after the deletion policy deleted it, or the uuid of a PIM product adopted on a
 *   duplicate identifier) but has not yet seen the PIM confirm a write. A run that dies leaves
 *   it pending; the next run re-sends the full payload with the same id, so the PIM never gets
 *   a duplicate. New products need no reservation: their uuid derives from the identifier.
 * `synced`: the PIM holds what `hashes` describes.
 * `disabled` / `uncategorized` / `deleted`: the deletion policy was applied.
 * `absent`: update-only mode found no such entity in the PIM and did not create it. Kept so a
 *   delta run still knows the item belongs to its group (the mapper needs whole groups); it is
 *   looked up in the PIM again on every run that reads it.
 */
export type EntityStatus = 'pending' | 'synced' | 'disabled' | 'uncategorized' | 'deleted' | 'absent';

export interface EntityState {
  type: EntityType;
  /** The PIM-facing code: category/model code, product identifier (SKU), `attribute:option` for options, `entity:record` / `family:asset` (EE). */
  code: string;
  /** The PIM's own id when it differs from the code (product uuid in uuid mode), else null. */
  pimId: string | null;
  /** ERP stream and key the entity came from. */
  originStream: string;
  originKey: string;
  /** Items: the ERP group key they belong to (used to re-read a whole group in delta runs). */
  groupKey: string | null;
  /** Per value / field: `attr|locale|scope` (or `@field`) → hash of what Ferry last wrote. */
  hashes: Record<string, string>;
  /** The ERP `updatedAt` last seen for the origin record. */
  erpVersion: string | null;
  status: EntityStatus;
}

export type EntityKey = Pick<EntityState, 'type' | 'code' | 'originStream' | 'originKey' | 'status'>;

/** `disabled`: the deletion policy disabled the product (`deleted`: deleted, or removed from its categories). */
export type RecordOutcome = 'created' | 'updated' | 'unchanged' | 'rejected' | 'skipped' | 'disabled' | 'deleted';

export type RunStatus = 'running' | 'succeeded' | 'rejects' | 'failed' | 'interrupted';

export interface RunRow {
  id: number;
  mode: string;
  status: RunStatus;
  startedAt: string;
  finishedAt: string | null;
  /** The full RunReport as JSON (while running: the report so far, written with each heartbeat). */
  report: unknown;
}

/** One record's outcome in one run. Unchanged records are counted in the report, not listed. */
export interface RunRecordRow {
  stream: string;
  key: string;
  entityType: string;
  outcome: RecordOutcome;
  reason?: string | null;
}

/** A rejected record as the report shows it, stored with its run and what was tried. */
export interface RejectRow extends ReportReject {
  runId: number;
  /** The payload Ferry tried to send (or the ERP record when mapping refused it). */
  payload?: unknown;
  /** Akeneo's `errors` list or the mapping errors, as they came. */
  errors?: unknown;
}

/**
 * A media source (ERP path or URL) and the PIM media file its content was uploaded as. Several
 * sources may share one content (and so one code). `size` and `mtimeMs` are the local file's
 * when it was last hashed: a file that changed on disk under the same path is hashed again.
 * `etag` and `lastModified` are a URL's validators from its last download: the next read sends
 * them back (If-None-Match, If-Modified-Since) and a 304 answer costs no download.
 */
export interface MediaRow {
  contentHash: string;
  code: string;
  source: string;
  size?: number | null;
  mtimeMs?: number | null;
  etag?: string | null;
  lastModified?: string | null;
}

/**
 * An ERP record that belongs to a group (an item of a template/model, or the group record
 * itself), as Ferry last read it. `record` is kept only when the source cannot read it again
 * (a drop file moved to done/); otherwise null, and the membership alone is kept.
 */
export interface GroupMemberRow {
  stream: 'items' | 'groups';
  key: string;
  /** null when saving: the item left its group (the row is removed). */
  groupKey: string | null;
  record: import('../../erp/port.js').ErpRecord | null;
}

/** A stop request left for a run by another process (the Console's Stop button). */
export interface RunCancelRequest {
  requestedBy: string;
  /** ISO time. */
  requestedAt: string;
}

export interface LockInfo {
  name: string;
  owner: string;
  runId: number | null;
  acquiredAt: string;
  heartbeatAt: string;
}

/** Thrown when another live run holds the lock. */
export class RunLockedError extends Error {
  constructor(readonly lock: LockInfo) {
    super(
      `another sync run (${lock.owner}${lock.runId !== null ? `, run #${lock.runId}` : ''}) is in progress since ${lock.acquiredAt}; ` +
        `wait for it to finish. If that process is gone, its lock is recovered automatically once its heartbeat is older than the lock timeout.`,
    );
    this.name = 'RunLockedError';
  }
}

export interface StateStore {
  /** Creates or upgrades the schema; idempotent. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  // --- run lock -------------------------------------------------------------------
  /**
   * Takes the named lock for `owner`, recovering it when the holder's heartbeat is older
   * than `staleAfterMs` or the holder is a dead process on this host. Returns the previous
   * holder's info when it recovered a dead lock, null otherwise. Throws RunLockedError.
   */
  acquireLock(name: string, owner: string, staleAfterMs: number, isOwnerAlive?: (owner: string) => boolean): Promise<LockInfo | null>;
  /** Refreshes the heartbeat; returns false if the lock was taken over. */
  heartbeat(name: string, owner: string, runId: number | null): Promise<boolean>;
  releaseLock(name: string, owner: string): Promise<void>;

  // --- entities ------------------------------------------------------------------
  getEntities(type: EntityType, codes: readonly string[]): Promise<Map<string, EntityState>>;
  /** Upserts whole rows (one transaction). */
  saveEntities(rows: readonly EntityState[]): Promise<void>;
  /** Codes of products whose ERP group is one of `groupKeys` → their origin keys. */
  findGroupMembers(groupKeys: readonly string[]): Promise<Map<string, string[]>>;
  /**
   * Entities of `type` whose code the PIM takes for one of `codes` (same pimCodeKey: no case, no
   * accents), whatever their exact spelling: the caller compares to find case-only collisions.
   */
  findByCodeKey(type: EntityType, codes: readonly string[]): Promise<{ code: string; originKey: string; status: EntityStatus }[]>;
  /** Records every read item of a group and every group record (see GroupMemberRow). */
  saveGroupMembers(rows: readonly GroupMemberRow[]): Promise<void>;
  /** Every known member (items and the group record) of these groups. */
  getGroupMembers(groupKeys: readonly string[]): Promise<GroupMemberRow[]>;
  /** Forgets the members of `stream` not in `keep` (a full run: gone from the ERP). */
  pruneGroupMembers(stream: string, keep: ReadonlySet<string>): Promise<number>;
  /** ERP versions Ferry last synced, by origin key, for entities that came from `stream`. */
  getOriginVersions(stream: string, keys: readonly string[]): Promise<Map<string, string | null>>;
  /** Streams entities of a type (for deletion detection and verify), in pages. */
  listEntities(type: EntityType, pageSize?: number): AsyncIterable<EntityState[]>;
  /** Like listEntities, but only the identity columns (cheap: no fingerprints parsed). */
  listEntityKeys(type: EntityType, pageSize?: number): AsyncIterable<EntityKey[]>;
  countEntities(type?: EntityType): Promise<number>;

  // --- sequences (SKU generator) -------------------------------------------------
  /**
   * Reserves `count` consecutive numbers of the named sequence and returns the first (a new
   * sequence starts at 1). Atomic: two runs never get the same number.
   */
  nextSequence(name: string, count: number): Promise<number>;

  // --- watermarks ----------------------------------------------------------------
  getWatermark(stream: string): Promise<string | null>;
  setWatermark(stream: string, value: string): Promise<void>;

  // --- retry queue (records that did not settle; re-read by key next delta run) ---
  queueRetries(rows: readonly { stream: string; key: string; reason: string }[]): Promise<void>;
  clearRetries(rows: readonly { stream: string; key: string }[]): Promise<void>;
  listRetries(stream: string): Promise<string[]>;

  // --- media ---------------------------------------------------------------------
  /** The media file code of a content, if it was uploaded (`source`: the last source seen with it). */
  getMedia(contentHash: string): Promise<MediaRow | null>;
  /** Every known source with the code of its content. */
  listMediaBySource(): Promise<Map<string, MediaRow>>;
  /** Records that `source` has this content, uploaded as `code`. */
  saveMedia(row: MediaRow): Promise<void>;

  // --- runs ----------------------------------------------------------------------
  /** `owner`: the lock owner id (`host:pid:random`), so a run whose process is gone can be told. */
  startRun(mode: string, options: unknown, owner?: string): Promise<number>;
  /** A running run's sign of life, with its report so far (counts of the records settled yet). */
  heartbeatRun(runId: number, progress: unknown): Promise<void>;
  finishRun(runId: number, status: RunStatus, report: unknown): Promise<void>;
  /**
   * Marks runs left `running` (other than `exceptRunId`) as interrupted: called by a run that
   * holds the lock, so no other run can be alive. Their finish time is their last heartbeat.
   */
  markInterrupted(exceptRunId?: number): Promise<number>;
  /**
   * Marks as interrupted the `running` runs whose process is gone: a dead pid on this host, or
   * no heartbeat for `staleAfterMs` (`ferry runs` calls this so a dead run never shows running).
   */
  markDeadRuns(isOwnerAlive: (owner: string) => boolean, staleAfterMs: number): Promise<number>;
  recordOutcomes(runId: number, rows: readonly RunRecordRow[]): Promise<void>;
  addRejects(rows: readonly RejectRow[]): Promise<void>;
  listRuns(limit: number): Promise<RunRow[]>;
  getRun(id: number): Promise<RunRow | null>;
  getRunRecords(runId: number): Promise<RunRecordRow[]>;
  getRejects(runId: number): Promise<RejectRow[]>;

  // --- stop requests (src/sync/run-cancel.ts) -----------------------------------------
  /**
   * Asks whoever runs `runId` — a terminal's `ferry sync`, the workers of a queued run — to stop
   * it; they poll runCancelRequest. Idempotent: the first asker is kept.
   */
  requestRunCancel(runId: number, requestedBy: string): Promise<void>;
  /** Who asked to stop the run and when, or null. */
  runCancelRequest(runId: number): Promise<RunCancelRequest | null>;

  // --- history (the Console's pages; run-history.ts) --------------------------------
  /** The read side of the run history, on this store's connection (closed with the store). */
  history(): RunHistory;
}
