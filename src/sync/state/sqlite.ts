/**
 * SQLite implementation of the state store (better-sqlite3). The default: one file,
 * `./data/ferry.db`, no server to run. WAL mode so `ferry runs` can read while a sync writes.
 *
 * Schema changes are versioned migrations (MIGRATIONS below, applied in order inside a
 * transaction, the version kept in `schema_version`): never edit a shipped migration,
 * append a new one.
 *
 * Size (~760 lines): the store's SQL and its migrations (v1–v9) in one file, so a schema change and
 * the queries it affects are read together. They stay here: nothing else runs them. The PostgreSQL
 * store does not replay this history; its own schema (postgres-migrations.ts) starts at SQLite's v8
 * in one step, in its own dialect (collations, types), and v7–v8 here are functions rewriting
 * SQLite rows. What the two must agree on is the tables and columns (dump.ts moves rows between
 * them column for column), so a schema change is a migration appended in both files.
 */
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type {
  EntityKey,
  EntityState,
  EntityStatus,
  EntityType,
  GroupMemberRow,
  LockInfo,
  MediaRow,
  RecordOutcome,
  RejectRow,
  RunCancelRequest,
  RunRecordRow,
  RunRow,
  RunStatus,
  StateStore,
} from './port.js';
import { rejectFromRow, type RejectColumns } from './reject-row.js';
import { SqliteLockTable } from './lock-table.js';
import { chunks } from '../../util/chunks.js';
import { mediaSourceForDisplay, mediaSourceHasSecret, mediaSourceKey, withoutSourceSecrets } from '../media-key.js';
import { scrubbedJson, scrubKnownSecrets } from '../../logging.js';
import { pimCodeKey } from '../../mapping/codes.js';
import { codeKey, parseJson, toEntity, type EntityRowDb } from './rows.js';
import { SqlRunHistory } from './history-sql.js';
import type { RunHistory } from './run-history.js';
import { DUMP_TABLES, SQLITE_SEQUENCES_TABLE, type DumpTable, type StateDumpStore } from './dump.js';
/** Each entry upgrades the schema by one version. Append only. */
export const MIGRATIONS: readonly (string | ((db: Database.Database) => void))[] = [
  // v1: the initial schema
  `
  CREATE TABLE entities (
    entity_type   TEXT NOT NULL,
    code          TEXT NOT NULL,
    pim_id        TEXT,
    origin_stream TEXT NOT NULL,
    origin_key    TEXT NOT NULL,
    group_key     TEXT,
    hashes        TEXT NOT NULL,
    erp_version   TEXT,
    status        TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (entity_type, code)
  );
  CREATE INDEX entities_group ON entities (group_key);
  CREATE INDEX entities_origin ON entities (origin_stream, origin_key);
  CREATE TABLE watermarks (
    stream     TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    mode        TEXT NOT NULL,
    status      TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    options     TEXT,
    report      TEXT
  );
  CREATE TABLE run_records (
    run_id      INTEGER NOT NULL,
    stream      TEXT NOT NULL,
    erp_key     TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    reason      TEXT,
    PRIMARY KEY (run_id, stream, erp_key)
  );
  CREATE TABLE rejects (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id      INTEGER NOT NULL,
    stream      TEXT NOT NULL,
    erp_key     TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    label       TEXT NOT NULL,
    attribute   TEXT,
    locale      TEXT,
    scope       TEXT,
    message     TEXT NOT NULL,
    fix         TEXT,
    payload     TEXT,
    errors      TEXT
  );
  CREATE INDEX rejects_run ON rejects (run_id);
  CREATE TABLE retry_queue (
    stream    TEXT NOT NULL,
    erp_key   TEXT NOT NULL,
    reason    TEXT NOT NULL,
    queued_at TEXT NOT NULL,
    PRIMARY KEY (stream, erp_key)
  );
  CREATE TABLE media (
    content_hash TEXT PRIMARY KEY,
    code         TEXT NOT NULL,
    source       TEXT NOT NULL,
    created_at   TEXT NOT NULL
  );
  CREATE INDEX media_source ON media (source);
  CREATE TABLE locks (
    name         TEXT PRIMARY KEY,
    owner        TEXT NOT NULL,
    run_id       INTEGER,
    acquired_at  TEXT NOT NULL,
    heartbeat_at INTEGER NOT NULL
  );
  `,
  // v2: media sources apart from contents, so two sources with one content are both known, and
  // a local file's size and mtime tell when it must be hashed again.
  `
  CREATE TABLE media_sources (
    source       TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    size         INTEGER,
    mtime_ms     REAL,
    seen_at      TEXT NOT NULL
  );
  INSERT INTO media_sources (source, content_hash, size, mtime_ms, seen_at)
    SELECT source, content_hash, NULL, NULL, created_at FROM media;
  `,
  // v3: a URL source's validators (ETag, Last-Modified), so the next run can ask the server
  // whether the content behind the address changed without downloading it again.
  `
  ALTER TABLE media_sources ADD COLUMN etag TEXT;
  ALTER TABLE media_sources ADD COLUMN last_modified TEXT;
  `,
  // v4: who runs a run and when it last said so, so a run whose process is gone (kill -9, a
  // crash, a reboot) is shown as interrupted with its real duration and its counts so far.
  `
  ALTER TABLE runs ADD COLUMN owner TEXT;
  ALTER TABLE runs ADD COLUMN heartbeat_at TEXT;
  `,
  // v5: every ERP record of a group as last read (membership always; the record itself when the
  // source cannot read it again, like a drop file moved to done/), so a changed item is always
  // mapped with its whole group, whatever the adapter and the run's mode.
  `
  CREATE TABLE group_members (
    stream    TEXT NOT NULL,
    erp_key   TEXT NOT NULL,
    group_key TEXT NOT NULL,
    record    TEXT,
    PRIMARY KEY (stream, erp_key)
  );
  CREATE INDEX group_members_group ON group_members (group_key);
  INSERT OR IGNORE INTO group_members (stream, erp_key, group_key, record)
    SELECT 'items', origin_key, group_key, NULL FROM entities
    WHERE entity_type = 'product' AND origin_stream = 'items' AND group_key IS NOT NULL AND status <> 'deleted';
  `,
  // v6: each entity's code as the PIM compares it (pimCodeKey: no case, no accents), so an ERP
  // key that differs from a synced one only by case is caught before it overwrites it.
  `
  ALTER TABLE entities ADD COLUMN code_key TEXT;
  UPDATE entities SET code_key = ferry_code_key(code);
  CREATE INDEX entities_code_key ON entities (entity_type, code_key);
  `,
  // v7: a source holding a credential (signed or private URL) is kept as a hash key and its
  // redacted form only; the raw address left by earlier versions is rewritten.
  (db) => {
    db.exec('ALTER TABLE media_sources ADD COLUMN shown TEXT');
    const rewriteSource = db.prepare('UPDATE media_sources SET source = ?, shown = ? WHERE source = ?');
    for (const { source } of db.prepare('SELECT source FROM media_sources').all() as { source: string }[]) {
      if (mediaSourceHasSecret(source)) rewriteSource.run(mediaSourceKey(source), mediaSourceForDisplay(source), source);
    }
    const rewriteMedia = db.prepare('UPDATE media SET source = ? WHERE content_hash = ?');
    for (const r of db.prepare('SELECT content_hash, source FROM media').all() as { content_hash: string; source: string }[]) {
      if (mediaSourceHasSecret(r.source)) rewriteMedia.run(mediaSourceForDisplay(r.source), r.content_hash);
    }
  },
  // v8: the raw records kept for whole-group re-mapping hold signed URLs as their hash key too
  // (withoutSourceSecrets); the records earlier versions stored are rewritten.
  (db) => {
    const rewrite = db.prepare('UPDATE group_members SET record = ? WHERE stream = ? AND erp_key = ?');
    for (const r of db.prepare('SELECT stream, erp_key, record FROM group_members WHERE record IS NOT NULL').all() as { stream: string; erp_key: string; record: string }[]) {
      const clean = JSON.stringify(withoutSourceSecrets(JSON.parse(r.record) as unknown));
      if (clean !== r.record) rewrite.run(clean, r.stream, r.erp_key);
    }
  },
  // v9: stop requests another process leaves for a run (requestRunCancel). The Console of earlier
  // versions created the same table on first use, hence IF NOT EXISTS.
  `
  CREATE TABLE IF NOT EXISTS run_cancel_requests (
    run_id       INTEGER PRIMARY KEY,
    requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL
  );
  `,
];

/** SQLite caps bound parameters per statement; 500 keys per IN list stays far below it. */
const IN_CHUNK = 500;

export class SqliteStateStore implements StateStore, StateDumpStore {
  readonly db: Database.Database;
  private readonly locks: SqliteLockTable;
  /** Prepared statements by SQL text: the per-line writes run hundreds of thousands of times a run. */
  private readonly statements = new Map<string, Database.Statement>();

  /** The statement for `sql`, prepared once (IN lists of varying length are kept up to a bound). */
  private prepared(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      if (this.statements.size < 128) this.statements.set(sql, stmt);
    }
    return stmt;
  }

  constructor(readonly path: string) {
    if (path !== ':memory:') {
      mkdirSync(dirname(path), { recursive: true });
      // Owner-only: the file holds run reports and rejected payloads (SQLite gives its -wal and
      // -shm files the same mode). An existing file is tightened too.
      closeSync(openSync(path, 'a', 0o600));
      try {
        chmodSync(path, 0o600);
      } catch {
        // not ours to change (another user's file we may read): leave it
      }
    }
    this.db = new Database(path);
    this.locks = new SqliteLockTable(this.db);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    // Deleted or rewritten rows (a raw signed URL rewritten by migration v7) leave no bytes behind.
    this.db.pragma('secure_delete = ON');
    // Two processes (a sync and `ferry runs`) may touch the file at once.
    this.db.pragma('busy_timeout = 5000');
    // For migration v6 (filling code_key for the rows already there).
    this.db.function('ferry_code_key', { deterministic: true }, (code: unknown) => (typeof code === 'string' ? pimCodeKey(code) : null));
  }

  schemaVersion(): number {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
    const row = this.prepared('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null };
    return row.v ?? 0;
  }

  async migrate(): Promise<void> {
    const apply = this.db.transaction(() => {
      const current = this.schemaVersion();
      if (current > MIGRATIONS.length) {
        throw new Error(
          `the state database ${this.path} has schema version ${current}, newer than this Ferry knows (${MIGRATIONS.length}); upgrade Ferry.`,
        );
      }
      for (let v = current; v < MIGRATIONS.length; v++) {
        const step = MIGRATIONS[v]!;
        if (typeof step === 'string') this.db.exec(step);
        else step(this.db);
        this.prepared('INSERT INTO schema_version (version) VALUES (?)').run(v + 1);
      }
    });
    apply.immediate();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  // --- lock ----------------------------------------------------------------------

  async acquireLock(name: string, owner: string, staleAfterMs: number, isOwnerAlive?: (owner: string) => boolean): Promise<LockInfo | null> {
    return this.locks.acquireLock(name, owner, staleAfterMs, isOwnerAlive);
  }

  async heartbeat(name: string, owner: string, runId: number | null): Promise<boolean> {
    return this.locks.heartbeat(name, owner, runId);
  }

  async releaseLock(name: string, owner: string): Promise<void> {
    return this.locks.releaseLock(name, owner);
  }

  // --- entities ------------------------------------------------------------------

  async getEntities(type: EntityType, codes: readonly string[]): Promise<Map<string, EntityState>> {
    const out = new Map<string, EntityState>();
    for (const part of chunks(codes, IN_CHUNK)) {
      const rows = this
        .prepared(`SELECT * FROM entities WHERE entity_type = ? AND code IN (${part.map(() => '?').join(',')})`)
        .all(type, ...part) as EntityRowDb[];
      for (const r of rows) out.set(r.code, toEntity(r));
    }
    return out;
  }

  async saveEntities(rows: readonly EntityState[]): Promise<void> {
    if (rows.length === 0) return;
    const stmt = this.prepared(
      `INSERT INTO entities (entity_type, code, pim_id, origin_stream, origin_key, group_key, hashes, erp_version, status, updated_at, code_key)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (entity_type, code) DO UPDATE SET
         pim_id = excluded.pim_id, origin_stream = excluded.origin_stream, origin_key = excluded.origin_key,
         group_key = excluded.group_key, hashes = excluded.hashes, erp_version = excluded.erp_version,
         status = excluded.status, updated_at = excluded.updated_at`,
    );
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const r of rows) {
        stmt.run(r.type, r.code, r.pimId, r.originStream, r.originKey, r.groupKey, JSON.stringify(r.hashes), r.erpVersion, r.status, now, this.codeKey(r.code));
      }
    })();
  }

  /** pimCodeKey, with a shortcut for the common code that has nothing to fold but case. */
  private codeKey(code: string): string {
    return codeKey(code);
  }

  async findByCodeKey(type: EntityType, codes: readonly string[]): Promise<{ code: string; originKey: string; status: EntityStatus }[]> {
    const out: { code: string; originKey: string; status: EntityStatus }[] = [];
    const keys = [...new Set(codes.map((c) => this.codeKey(c)))];
    for (const part of chunks(keys, IN_CHUNK)) {
      const rows = this
        .prepared(`SELECT code, origin_key, status FROM entities WHERE entity_type = ? AND code_key IN (${part.map(() => '?').join(',')})`)
        .all(type, ...part) as { code: string; origin_key: string; status: string }[];
      for (const r of rows) out.push({ code: r.code, originKey: r.origin_key, status: r.status as EntityStatus });
    }
    return out;
  }

  async findGroupMembers(groupKeys: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const part of chunks(groupKeys, IN_CHUNK)) {
      const rows = this
        .prepared(
          `SELECT group_key, origin_key FROM entities WHERE entity_type = 'product' AND status <> 'deleted' AND group_key IN (${part.map(() => '?').join(',')})`,
        )
        .all(...part) as { group_key: string; origin_key: string }[];
      for (const r of rows) {
        const list = out.get(r.group_key) ?? [];
        list.push(r.origin_key);
        out.set(r.group_key, list);
      }
    }
    return out;
  }

  async saveGroupMembers(rows: readonly GroupMemberRow[]): Promise<void> {
    if (rows.length === 0) return;
    const upsert = this.prepared(
      `INSERT INTO group_members (stream, erp_key, group_key, record) VALUES (?, ?, ?, ?)
       ON CONFLICT (stream, erp_key) DO UPDATE SET group_key = excluded.group_key, record = excluded.record
       WHERE group_key IS NOT excluded.group_key OR record IS NOT excluded.record`,
    );
    const remove = this.prepared('DELETE FROM group_members WHERE stream = ? AND erp_key = ?');
    this.db.transaction(() => {
      for (const r of rows) {
        if (r.groupKey === null) remove.run(r.stream, r.key);
        // Signed URLs are kept as their hash key only (see withoutSourceSecrets): no raw credential in the file.
        else upsert.run(r.stream, r.key, r.groupKey, r.record === null ? null : JSON.stringify(withoutSourceSecrets(r.record)));
      }
    })();
  }

  async getGroupMembers(groupKeys: readonly string[]): Promise<GroupMemberRow[]> {
    const out: GroupMemberRow[] = [];
    for (const part of chunks(groupKeys, IN_CHUNK)) {
      const rows = this
        .prepared(`SELECT stream, erp_key, group_key, record FROM group_members WHERE group_key IN (${part.map(() => '?').join(',')})`)
        .all(...part) as { stream: string; erp_key: string; group_key: string; record: string | null }[];
      for (const r of rows) out.push({ stream: r.stream as GroupMemberRow['stream'], key: r.erp_key, groupKey: r.group_key, record: parseJson(r.record) as GroupMemberRow['record'] });
    }
    return out;
  }

  async pruneGroupMembers(stream: string, keep: ReadonlySet<string>): Promise<number> {
    const keys = (this.prepared('SELECT erp_key FROM group_members WHERE stream = ?').all(stream) as { erp_key: string }[]).map((r) => r.erp_key);
    const gone = keys.filter((k) => !keep.has(k));
    const remove = this.prepared('DELETE FROM group_members WHERE stream = ? AND erp_key = ?');
    this.db.transaction(() => {
      for (const k of gone) remove.run(stream, k);
    })();
    return gone.length;
  }

  async getOriginVersions(stream: string, keys: readonly string[]): Promise<Map<string, string | null>> {
    const out = new Map<string, string | null>();
    for (const part of chunks(keys, IN_CHUNK)) {
      const rows = this
        .prepared(
          `SELECT origin_key, erp_version FROM entities WHERE origin_stream = ? AND status <> 'pending' AND origin_key IN (${part.map(() => '?').join(',')})`,
        )
        .all(stream, ...part) as { origin_key: string; erp_version: string | null }[];
      for (const r of rows) out.set(r.origin_key, r.erp_version);
    }
    return out;
  }

  async *listEntities(type: EntityType, pageSize = 1000): AsyncIterable<EntityState[]> {
    let after = '';
    const stmt = this.prepared('SELECT * FROM entities WHERE entity_type = ? AND code > ? ORDER BY code LIMIT ?');
    for (;;) {
      const rows = stmt.all(type, after, pageSize) as EntityRowDb[];
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.code;
      yield rows.map(toEntity);
      if (rows.length < pageSize) return;
    }
  }

  async *listEntityKeys(type: EntityType, pageSize = 5000): AsyncIterable<EntityKey[]> {
    let after = '';
    const stmt = this.prepared(
      'SELECT code, origin_stream, origin_key, status FROM entities WHERE entity_type = ? AND code > ? ORDER BY code LIMIT ?',
    );
    for (;;) {
      const rows = stmt.all(type, after, pageSize) as { code: string; origin_stream: string; origin_key: string; status: string }[];
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.code;
      yield rows.map((r) => ({ type, code: r.code, originStream: r.origin_stream, originKey: r.origin_key, status: r.status as EntityStatus }));
      if (rows.length < pageSize) return;
    }
  }

  async countEntities(type?: EntityType): Promise<number> {
    const row = (
      type
        ? this.prepared('SELECT COUNT(*) AS n FROM entities WHERE entity_type = ?').get(type)
        : this.prepared('SELECT COUNT(*) AS n FROM entities').get()
    ) as { n: number };
    return row.n;
  }

  // --- watermarks ----------------------------------------------------------------

  async nextSequence(name: string, count: number): Promise<number> {
    // Created on first use rather than by a migration: the table is the generator's alone.
    const take = this.db.transaction(() => {
      this.db.exec('CREATE TABLE IF NOT EXISTS sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL)');
      const row = this.db.prepare('SELECT value FROM sequences WHERE name = ?').get(name) as { value: number } | undefined;
      const first = (row?.value ?? 0) + 1;
      this.db.prepare('INSERT INTO sequences (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value').run(name, first + count - 1);
      return first;
    });
    return take.immediate();
  }

  async getWatermark(stream: string): Promise<string | null> {
    const row = this.prepared('SELECT value FROM watermarks WHERE stream = ?').get(stream) as { value: string } | undefined;
    return row?.value ?? null;
  }

  async setWatermark(stream: string, value: string): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO watermarks (stream, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (stream) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
      )
      .run(stream, value, new Date().toISOString());
  }

  // --- retry queue ---------------------------------------------------------------

  async queueRetries(rows: readonly { stream: string; key: string; reason: string }[]): Promise<void> {
    if (rows.length === 0) return;
    const stmt = this.prepared(
      'INSERT INTO retry_queue (stream, erp_key, reason, queued_at) VALUES (?, ?, ?, ?) ON CONFLICT (stream, erp_key) DO UPDATE SET reason = excluded.reason',
    );
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const r of rows) stmt.run(r.stream, r.key, r.reason, now);
    })();
  }

  async clearRetries(rows: readonly { stream: string; key: string }[]): Promise<void> {
    if (rows.length === 0) return;
    const stmt = this.prepared('DELETE FROM retry_queue WHERE stream = ? AND erp_key = ?');
    this.db.transaction(() => {
      for (const r of rows) stmt.run(r.stream, r.key);
    })();
  }

  async listRetries(stream: string): Promise<string[]> {
    return (this.prepared('SELECT erp_key FROM retry_queue WHERE stream = ? ORDER BY erp_key').all(stream) as { erp_key: string }[]).map(
      (r) => r.erp_key,
    );
  }

  // --- media ---------------------------------------------------------------------

  async getMedia(contentHash: string): Promise<MediaRow | null> {
    const r = this.prepared('SELECT content_hash, code, source FROM media WHERE content_hash = ?').get(contentHash) as
      | { content_hash: string; code: string; source: string }
      | undefined;
    return r ? { contentHash: r.content_hash, code: r.code, source: r.source } : null;
  }

  async listMediaBySource(): Promise<Map<string, MediaRow>> {
    const rows = this.db
      .prepare(
        'SELECT s.source, s.content_hash, m.code, s.size, s.mtime_ms, s.etag, s.last_modified FROM media_sources s JOIN media m ON m.content_hash = s.content_hash',
      )
      .all() as { source: string; content_hash: string; code: string; size: number | null; mtime_ms: number | null; etag: string | null; last_modified: string | null }[];
    return new Map(
      rows.map((r) => [
        r.source,
        { contentHash: r.content_hash, code: r.code, source: r.source, size: r.size, mtimeMs: r.mtime_ms, etag: r.etag, lastModified: r.last_modified },
      ]),
    );
  }

  async saveMedia(row: MediaRow): Promise<void> {
    const now = new Date().toISOString();
    const save = this.db.transaction(() => {
      this
        .prepared(
          'INSERT INTO media (content_hash, code, source, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (content_hash) DO UPDATE SET code = excluded.code, source = excluded.source',
        )
        .run(row.contentHash, row.code, mediaSourceForDisplay(row.source), now);
      this
        .prepared(
          `INSERT INTO media_sources (source, shown, content_hash, size, mtime_ms, etag, last_modified, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (source) DO UPDATE SET content_hash = excluded.content_hash, size = excluded.size, mtime_ms = excluded.mtime_ms,
             etag = excluded.etag, last_modified = excluded.last_modified, seen_at = excluded.seen_at, shown = excluded.shown`,
        )
        .run(mediaSourceKey(row.source), mediaSourceHasSecret(row.source) ? mediaSourceForDisplay(row.source) : null, row.contentHash, row.size ?? null, row.mtimeMs ?? null, row.etag ?? null, row.lastModified ?? null, now);
    });
    save();
  }

  // --- runs ----------------------------------------------------------------------

  async startRun(mode: string, options: unknown, owner?: string): Promise<number> {
    const now = new Date().toISOString();
    const res = this.db
      .prepare("INSERT INTO runs (mode, status, started_at, options, owner, heartbeat_at) VALUES (?, 'running', ?, ?, ?, ?)")
      .run(mode, now, scrubbedJson(options ?? null), owner ?? null, now);
    return Number(res.lastInsertRowid);
  }

  async heartbeatRun(runId: number, progress: unknown): Promise<void> {
    this.db
      .prepare("UPDATE runs SET heartbeat_at = ?, report = ? WHERE id = ? AND status = 'running'")
      .run(new Date().toISOString(), scrubbedJson(progress ?? null), runId);
  }

  /**
   * Ends a run left `running` by a process that is gone: status interrupted, finished when it
   * last gave a sign of life (its real duration), its last progress report kept and marked so.
   */
  private interruptRun(id: number, reason: string): void {
    const row = this.prepared('SELECT started_at, heartbeat_at, report FROM runs WHERE id = ?').get(id) as
      | { started_at: string; heartbeat_at: string | null; report: string | null }
      | undefined;
    if (!row) return;
    const finishedAt = row.heartbeat_at ?? new Date().toISOString();
    const report = parseJson(row.report) as Record<string, unknown> | null;
    const patched =
      report && typeof report === 'object'
        ? {
            ...report,
            status: 'interrupted',
            finishedAt,
            durationMs: Date.parse(finishedAt) - Date.parse(row.started_at),
            interrupted: { ...((report.interrupted as object | undefined) ?? { unsettled: 0 }), reason },
          }
        : null;
    this.db
      .prepare("UPDATE runs SET status = 'interrupted', finished_at = ?, report = ? WHERE id = ? AND status = 'running'")
      .run(finishedAt, patched ? scrubbedJson(patched) : null, id);
  }

  async finishRun(runId: number, status: RunStatus, report: unknown): Promise<void> {
    this.db
      .prepare('UPDATE runs SET status = ?, finished_at = ?, report = ? WHERE id = ?')
      .run(status, new Date().toISOString(), scrubbedJson(report ?? null), runId);
  }

  async markInterrupted(exceptRunId?: number): Promise<number> {
    const rows = this.prepared("SELECT id FROM runs WHERE status = 'running' AND id <> ?").all(exceptRunId ?? -1) as { id: number }[];
    const reason = 'its process stopped without finishing (killed, crashed or the machine went down); found by the next run';
    this.db.transaction(() => {
      for (const r of rows) this.interruptRun(r.id, reason);
    })();
    return rows.length;
  }

  async markDeadRuns(isOwnerAlive: (owner: string) => boolean, staleAfterMs: number): Promise<number> {
    const rows = this.prepared("SELECT id, owner, started_at, heartbeat_at FROM runs WHERE status = 'running'").all() as {
      id: number;
      owner: string | null;
      started_at: string;
      heartbeat_at: string | null;
    }[];
    const now = Date.now();
    const dead = rows.filter((r) => {
      const last = Date.parse(r.heartbeat_at ?? r.started_at);
      if (now - last >= staleAfterMs) return true;
      return r.owner !== null && !isOwnerAlive(r.owner);
    });
    const reason = 'its process stopped without finishing (killed, crashed or the machine went down)';
    this.db.transaction(() => {
      for (const r of dead) this.interruptRun(r.id, reason);
    })();
    return dead.length;
  }

  async recordOutcomes(runId: number, rows: readonly RunRecordRow[]): Promise<void> {
    if (rows.length === 0) return;
    const stmt = this.prepared(
      `INSERT INTO run_records (run_id, stream, erp_key, entity_type, outcome, reason) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, stream, erp_key) DO UPDATE SET outcome = excluded.outcome, reason = excluded.reason, entity_type = excluded.entity_type`,
    );
    this.db.transaction(() => {
      for (const r of rows) stmt.run(runId, r.stream, r.key, r.entityType, r.outcome, r.reason == null ? null : scrubKnownSecrets(r.reason));
    })();
  }

  async addRejects(rows: readonly RejectRow[]): Promise<void> {
    if (rows.length === 0) return;
    const stmt = this.prepared(
      `INSERT INTO rejects (run_id, stream, erp_key, entity_type, label, attribute, locale, scope, message, fix, payload, errors)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      for (const r of rows) {
        stmt.run(
          r.runId,
          r.stream,
          r.key,
          r.entityType,
          r.label,
          r.attribute ?? null,
          r.locale ?? null,
          r.scope ?? null,
          scrubKnownSecrets(r.message),
          r.fix == null ? null : scrubKnownSecrets(r.fix),
          r.payload === undefined ? null : scrubbedJson(r.payload),
          r.errors === undefined ? null : scrubbedJson(r.errors),
        );
      }
    })();
  }

  private toRun(r: { id: number; mode: string; status: string; started_at: string; finished_at: string | null; report: string | null }): RunRow {
    return {
      id: r.id,
      mode: r.mode,
      status: r.status as RunStatus,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      report: parseJson(r.report),
    };
  }

  async listRuns(limit: number): Promise<RunRow[]> {
    const rows = this.prepared('SELECT * FROM runs ORDER BY id DESC LIMIT ?').all(limit) as Parameters<SqliteStateStore['toRun']>[0][];
    return rows.map((r) => this.toRun(r));
  }

  async getRun(id: number): Promise<RunRow | null> {
    const r = this.prepared('SELECT * FROM runs WHERE id = ?').get(id) as Parameters<SqliteStateStore['toRun']>[0] | undefined;
    return r ? this.toRun(r) : null;
  }

  async getRunRecords(runId: number): Promise<RunRecordRow[]> {
    const rows = this.prepared('SELECT * FROM run_records WHERE run_id = ? ORDER BY stream, erp_key').all(runId) as {
      stream: string;
      erp_key: string;
      entity_type: string;
      outcome: string;
      reason: string | null;
    }[];
    return rows.map((r) => ({ stream: r.stream, key: r.erp_key, entityType: r.entity_type, outcome: r.outcome as RecordOutcome, reason: r.reason }));
  }

  // --- stop requests -----------------------------------------------------------------

  async requestRunCancel(runId: number, requestedBy: string): Promise<void> {
    this.prepared('INSERT OR IGNORE INTO run_cancel_requests (run_id, requested_by, requested_at) VALUES (?, ?, ?)').run(runId, requestedBy, new Date().toISOString());
  }

  async runCancelRequest(runId: number): Promise<RunCancelRequest | null> {
    const row = this.prepared('SELECT requested_by, requested_at FROM run_cancel_requests WHERE run_id = ?').get(runId) as { requested_by: string; requested_at: string } | undefined;
    return row ? { requestedBy: row.requested_by, requestedAt: row.requested_at } : null;
  }

  history(): RunHistory {
    return new SqlRunHistory({
      all: async <R>(sql: string, params: readonly unknown[]) => this.db.prepare(sql).all(...params) as R[],
      placeholder: () => '?',
      countsJson: "json_extract(r.report, '$.counts')",
      optionText: (field) => `json_extract(r.options, '$.${field}')`,
      countOf: (outcome) => `json_extract(r.report, '$.counts.${outcome}')`,
    });
  }

  async getRejects(runId: number): Promise<RejectRow[]> {
    const rows = this.prepared('SELECT * FROM rejects WHERE run_id = ? ORDER BY id').all(runId) as (RejectColumns & { run_id: number; payload: string | null; errors: string | null })[];
    return rows.map((r) => ({ runId: r.run_id, ...rejectFromRow(r), payload: parseJson(r.payload), errors: parseJson(r.errors) }));
  }

  // --- dump (ferry state export / import) -------------------------------------------

  async isEmpty(): Promise<boolean> {
    this.db.exec(SQLITE_SEQUENCES_TABLE);
    return DUMP_TABLES.every((t) => this.db.prepare(`SELECT 1 FROM ${t} LIMIT 1`).get() === undefined);
  }

  async *dumpTable(table: DumpTable, pageSize = 2000): AsyncIterable<Record<string, unknown>[]> {
    this.db.exec(SQLITE_SEQUENCES_TABLE);
    const page = this.db.prepare(`SELECT rowid AS _rowid_, * FROM ${table} WHERE rowid > ? ORDER BY rowid LIMIT ?`);
    let after = 0;
    for (;;) {
      const rows = page.all(after, pageSize) as (Record<string, unknown> & { _rowid_: number })[];
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!._rowid_;
      yield rows.map(({ _rowid_: _, ...row }) => row);
      if (rows.length < pageSize) return;
    }
  }

  async loadDump(pages: AsyncIterable<{ table: DumpTable; rows: Record<string, unknown>[] }>): Promise<Record<DumpTable, number>> {
    const counts = Object.fromEntries(DUMP_TABLES.map((t) => [t, 0])) as Record<DumpTable, number>;
    this.db.exec(SQLITE_SEQUENCES_TABLE);
    // The file's keys are matched against the table's own columns: nothing else reaches the SQL.
    const columnsOf = new Map(DUMP_TABLES.map((t) => [t, (this.db.prepare(`PRAGMA table_info(${t})`).all() as { name: string }[]).map((c) => c.name)]));
    this.db.exec('BEGIN IMMEDIATE');
    try {
      for await (const { table, rows } of pages) {
        const columns = columnsOf.get(table);
        if (!columns) throw new Error(`unknown table ${table} in the state dump`);
        const insert = this.prepared(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
        for (const row of rows) insert.run(...columns.map((c) => (row[c] === undefined ? null : row[c])));
        counts[table] += rows.length;
      }
      this.db.exec('COMMIT');
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
    return counts;
  }
}

/** Opens (and migrates) the state store the config names. */
export async function openSqliteStateStore(path: string): Promise<SqliteStateStore> {
  const store = new SqliteStateStore(path);
  await store.migrate();
  return store;
}
