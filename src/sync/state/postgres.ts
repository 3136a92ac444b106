/**
 * PostgreSQL implementation of the state store (node-postgres), for `state: { url: postgres://… }`:
 * a state several processes and machines share. Behaves as the SQLite store (the same suite,
 * test/sync/state.test.ts, runs against both); the schema is postgres-migrations.ts.
 *
 * Every batch method is one statement, so one round trip whatever the batch's size: keys travel
 * as arrays (`= ANY($1)`), rows as parallel arrays expanded by `unnest`, and a batch's deletes
 * and upserts share one statement through a data-modifying CTE. A batch is reduced to its last
 * row per key first: SQLite applies a batch row by row (the last one wins) where PostgreSQL
 * refuses to update one row twice in one statement.
 *
 * Size (~630 lines): one method per port method, the SQL of each beside it, as in sqlite.ts.
 */
import pg from 'pg';
import { inTransaction } from '../../util/pg-transaction.js';
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
import { lockTakeover, type LockDbRow } from './lock-table.js';
import { PG_MIGRATIONS } from './postgres-migrations.js';
import { codeKey, parseJson, toEntity, type EntityRowDb } from './rows.js';
import { rejectFromRow, type RejectColumns } from './reject-row.js';
import { SqlRunHistory } from './history-sql.js';
import type { RunHistory } from './run-history.js';
import { DUMP_TABLES, type DumpTable, type StateDumpStore } from './dump.js';
import { mediaSourceForDisplay, mediaSourceHasSecret, mediaSourceKey, withoutSourceSecrets } from '../media-key.js';
import { scrubbedJson, scrubKnownSecrets } from '../../logging.js';

/** BIGINT columns (lock heartbeats, media sizes, counts) as numbers: they stay far below 2^53. */
const int8AsNumber: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** Rows of one import statement (json_populate_recordset): one round trip per this many rows. */
const LOAD_BATCH = 2000;
/** Serializes migrations of one database: several workers may start at once. */
const MIGRATE_LOCK = 0x4665727279; // 'Ferry'

interface RunRowDb {
  id: number;
  mode: string;
  status: string;
  started_at: string;
  finished_at: string | null;
  report: string | null;
}

/** The last row per key, in first-seen order (a batch applied row by row keeps the last). */
function lastPerKey<T>(rows: readonly T[], key: (row: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const r of rows) {
    const k = key(r);
    byKey.delete(k);
    byKey.set(k, r);
  }
  return [...byKey.values()];
}

export interface PostgresStateOptions {
  url: string;
  /** Schema holding the tables (created when missing); default `public`. */
  schema?: string;
  /** Connections in the pool (default 4: the engine's writes are sequential, reads few). */
  poolSize?: number;
}

export class PostgresStateStore implements StateStore, StateDumpStore {
  readonly pool: pg.Pool;
  readonly schema: string;

  constructor(options: PostgresStateOptions) {
    this.schema = options.schema ?? 'public';
    if (!/^[a-z_][a-z0-9_]*$/.test(this.schema)) throw new Error(`state.schema "${this.schema}" is not a lower-case SQL identifier; use letters, digits and _.`);
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 4,
      types: int8AsNumber,
      // Every connection works in the state's schema (public stays on the path for extensions).
      options: `-c search_path=${this.schema},public`,
      application_name: 'ferry-state',
    });
    // An idle connection the server dropped must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  private async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    return this.pool.query<R>(sql, params);
  }

  /** Runs `work` in one transaction on one connection. */
  private transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, work);
  }

  async schemaVersion(): Promise<number> {
    const exists = await this.query<{ t: string | null }>("SELECT to_regclass('schema_version')::text AS t");
    if (exists.rows[0]?.t == null) return 0;
    const row = await this.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_version');
    return row.rows[0]?.v ?? 0;
  }

  async migrate(): Promise<void> {
    await this.transaction(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [MIGRATE_LOCK]);
      await c.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      await c.query('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
      const current = (await c.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_version')).rows[0]?.v ?? 0;
      if (current > PG_MIGRATIONS.length) {
        throw new Error(
          `the PostgreSQL state (schema ${this.schema}) has schema version ${current}, newer than this Ferry knows (${PG_MIGRATIONS.length}); upgrade Ferry.`,
        );
      }
      for (let v = current; v < PG_MIGRATIONS.length; v++) {
        await c.query(PG_MIGRATIONS[v]!);
        await c.query('INSERT INTO schema_version (version) VALUES ($1)', [v + 1]);
      }
    });
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }

  // --- lock ----------------------------------------------------------------------

  async acquireLock(name: string, owner: string, staleAfterMs: number, isOwnerAlive?: (owner: string) => boolean): Promise<LockInfo | null> {
    return this.transaction(async (c) => {
      // One taker at a time per lock name, also when no row exists yet.
      await c.query("SELECT pg_advisory_xact_lock(hashtext('ferry-lock:' || $1))", [name]);
      const now = Date.now();
      const row = (await c.query<LockDbRow>('SELECT * FROM locks WHERE name = $1', [name])).rows[0];
      const recovered = lockTakeover(row, owner, now, staleAfterMs, isOwnerAlive);
      await c.query(
        `INSERT INTO locks (name, owner, run_id, acquired_at, heartbeat_at) VALUES ($1, $2, NULL, $3, $4)
         ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, run_id = NULL, acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at`,
        [name, owner, new Date(now).toISOString(), now],
      );
      return recovered;
    });
  }

  async heartbeat(name: string, owner: string, runId: number | null): Promise<boolean> {
    const res = await this.query('UPDATE locks SET heartbeat_at = $1, run_id = $2 WHERE name = $3 AND owner = $4', [Date.now(), runId, name, owner]);
    return res.rowCount === 1;
  }

  async releaseLock(name: string, owner: string): Promise<void> {
    await this.query('DELETE FROM locks WHERE name = $1 AND owner = $2', [name, owner]);
  }

  // --- entities ------------------------------------------------------------------

  async getEntities(type: EntityType, codes: readonly string[]): Promise<Map<string, EntityState>> {
    const out = new Map<string, EntityState>();
    if (codes.length === 0) return out;
    const { rows } = await this.query<EntityRowDb>('SELECT * FROM entities WHERE entity_type = $1 AND code = ANY($2::text[])', [type, codes]);
    for (const r of rows) out.set(r.code, toEntity(r));
    return out;
  }

  async saveEntities(rows: readonly EntityState[]): Promise<void> {
    if (rows.length === 0) return;
    const batch = lastPerKey(rows, (r) => `${r.type}\u0000${r.code}`);
    await this.query(
      `INSERT INTO entities (entity_type, code, pim_id, origin_stream, origin_key, group_key, hashes, erp_version, status, updated_at, code_key)
       SELECT t.entity_type, t.code, t.pim_id, t.origin_stream, t.origin_key, t.group_key, t.hashes, t.erp_version, t.status, $10, t.code_key
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $11::text[])
         AS t(entity_type, code, pim_id, origin_stream, origin_key, group_key, hashes, erp_version, status, code_key)
       ON CONFLICT (entity_type, code) DO UPDATE SET
         pim_id = excluded.pim_id, origin_stream = excluded.origin_stream, origin_key = excluded.origin_key,
         group_key = excluded.group_key, hashes = excluded.hashes, erp_version = excluded.erp_version,
         status = excluded.status, updated_at = excluded.updated_at`,
      [
        batch.map((r) => r.type),
        batch.map((r) => r.code),
        batch.map((r) => r.pimId),
        batch.map((r) => r.originStream),
        batch.map((r) => r.originKey),
        batch.map((r) => r.groupKey),
        batch.map((r) => JSON.stringify(r.hashes)),
        batch.map((r) => r.erpVersion),
        batch.map((r) => r.status),
        new Date().toISOString(),
        batch.map((r) => codeKey(r.code)),
      ],
    );
  }

  async findByCodeKey(type: EntityType, codes: readonly string[]): Promise<{ code: string; originKey: string; status: EntityStatus }[]> {
    if (codes.length === 0) return [];
    const keys = [...new Set(codes.map(codeKey))];
    const { rows } = await this.query<{ code: string; origin_key: string; status: string }>(
      'SELECT code, origin_key, status FROM entities WHERE entity_type = $1 AND code_key = ANY($2::text[])',
      [type, keys],
    );
    return rows.map((r) => ({ code: r.code, originKey: r.origin_key, status: r.status as EntityStatus }));
  }

  async findGroupMembers(groupKeys: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (groupKeys.length === 0) return out;
    const { rows } = await this.query<{ group_key: string; origin_key: string }>(
      "SELECT group_key, origin_key FROM entities WHERE entity_type = 'product' AND status <> 'deleted' AND group_key = ANY($1::text[])",
      [groupKeys],
    );
    for (const r of rows) {
      const list = out.get(r.group_key) ?? [];
      list.push(r.origin_key);
      out.set(r.group_key, list);
    }
    return out;
  }

  async saveGroupMembers(rows: readonly GroupMemberRow[]): Promise<void> {
    if (rows.length === 0) return;
    const batch = lastPerKey(rows, (r) => `${r.stream}\u0000${r.key}`);
    const gone = batch.filter((r) => r.groupKey === null);
    const kept = batch.filter((r) => r.groupKey !== null);
    await this.query(
      `WITH gone AS (
         DELETE FROM group_members g USING unnest($1::text[], $2::text[]) AS d(stream, erp_key)
         WHERE g.stream = d.stream AND g.erp_key = d.erp_key
       )
       INSERT INTO group_members (stream, erp_key, group_key, record)
       SELECT * FROM unnest($3::text[], $4::text[], $5::text[], $6::text[])
       ON CONFLICT (stream, erp_key) DO UPDATE SET group_key = excluded.group_key, record = excluded.record
       WHERE group_members.group_key IS DISTINCT FROM excluded.group_key OR group_members.record IS DISTINCT FROM excluded.record`,
      [
        gone.map((r) => r.stream),
        gone.map((r) => r.key),
        kept.map((r) => r.stream),
        kept.map((r) => r.key),
        kept.map((r) => r.groupKey),
        // Signed URLs are kept as their hash key only (see withoutSourceSecrets): no raw credential stored.
        kept.map((r) => (r.record === null ? null : JSON.stringify(withoutSourceSecrets(r.record)))),
      ],
    );
  }

  async getGroupMembers(groupKeys: readonly string[]): Promise<GroupMemberRow[]> {
    if (groupKeys.length === 0) return [];
    const { rows } = await this.query<{ stream: string; erp_key: string; group_key: string; record: string | null }>(
      'SELECT stream, erp_key, group_key, record FROM group_members WHERE group_key = ANY($1::text[])',
      [groupKeys],
    );
    return rows.map((r) => ({ stream: r.stream as GroupMemberRow['stream'], key: r.erp_key, groupKey: r.group_key, record: parseJson(r.record) as GroupMemberRow['record'] }));
  }

  async pruneGroupMembers(stream: string, keep: ReadonlySet<string>): Promise<number> {
    const res = await this.query('DELETE FROM group_members WHERE stream = $1 AND NOT (erp_key = ANY($2::text[]))', [stream, [...keep]]);
    return res.rowCount ?? 0;
  }

  async getOriginVersions(stream: string, keys: readonly string[]): Promise<Map<string, string | null>> {
    const out = new Map<string, string | null>();
    if (keys.length === 0) return out;
    const { rows } = await this.query<{ origin_key: string; erp_version: string | null }>(
      "SELECT origin_key, erp_version FROM entities WHERE origin_stream = $1 AND status <> 'pending' AND origin_key = ANY($2::text[])",
      [stream, keys],
    );
    for (const r of rows) out.set(r.origin_key, r.erp_version);
    return out;
  }

  async *listEntities(type: EntityType, pageSize = 1000): AsyncIterable<EntityState[]> {
    let after = '';
    for (;;) {
      const { rows } = await this.query<EntityRowDb>('SELECT * FROM entities WHERE entity_type = $1 AND code > $2 ORDER BY code LIMIT $3', [type, after, pageSize]);
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.code;
      yield rows.map(toEntity);
      if (rows.length < pageSize) return;
    }
  }

  async *listEntityKeys(type: EntityType, pageSize = 5000): AsyncIterable<EntityKey[]> {
    let after = '';
    for (;;) {
      const { rows } = await this.query<{ code: string; origin_stream: string; origin_key: string; status: string }>(
        'SELECT code, origin_stream, origin_key, status FROM entities WHERE entity_type = $1 AND code > $2 ORDER BY code LIMIT $3',
        [type, after, pageSize],
      );
      if (rows.length === 0) return;
      after = rows[rows.length - 1]!.code;
      yield rows.map((r) => ({ type, code: r.code, originStream: r.origin_stream, originKey: r.origin_key, status: r.status as EntityStatus }));
      if (rows.length < pageSize) return;
    }
  }

  async countEntities(type?: EntityType): Promise<number> {
    const res = type
      ? await this.query<{ n: number }>('SELECT COUNT(*) AS n FROM entities WHERE entity_type = $1', [type])
      : await this.query<{ n: number }>('SELECT COUNT(*) AS n FROM entities');
    return res.rows[0]!.n;
  }

  // --- sequences (the export's SKU generator) ---------------------------------------

  /**
   * Reserves `count` consecutive numbers of the named sequence and returns the first (a new
   * sequence starts at 1). One statement: two processes never get the same number.
   */
  async nextSequence(name: string, count: number): Promise<number> {
    const { rows } = await this.query<{ value: number }>(
      'INSERT INTO sequences (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = sequences.value + excluded.value RETURNING value',
      [name, count],
    );
    return rows[0]!.value - count + 1;
  }

  // --- watermarks ----------------------------------------------------------------

  async getWatermark(stream: string): Promise<string | null> {
    const { rows } = await this.query<{ value: string }>('SELECT value FROM watermarks WHERE stream = $1', [stream]);
    return rows[0]?.value ?? null;
  }

  async setWatermark(stream: string, value: string): Promise<void> {
    await this.query(
      'INSERT INTO watermarks (stream, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (stream) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at',
      [stream, value, new Date().toISOString()],
    );
  }

  // --- retry queue ---------------------------------------------------------------

  async queueRetries(rows: readonly { stream: string; key: string; reason: string }[]): Promise<void> {
    if (rows.length === 0) return;
    const batch = lastPerKey(rows, (r) => `${r.stream}\u0000${r.key}`);
    await this.query(
      `INSERT INTO retry_queue (stream, erp_key, reason, queued_at)
       SELECT t.stream, t.erp_key, t.reason, $4 FROM unnest($1::text[], $2::text[], $3::text[]) AS t(stream, erp_key, reason)
       ON CONFLICT (stream, erp_key) DO UPDATE SET reason = excluded.reason`,
      [batch.map((r) => r.stream), batch.map((r) => r.key), batch.map((r) => r.reason), new Date().toISOString()],
    );
  }

  async clearRetries(rows: readonly { stream: string; key: string }[]): Promise<void> {
    if (rows.length === 0) return;
    await this.query(
      'DELETE FROM retry_queue q USING unnest($1::text[], $2::text[]) AS d(stream, erp_key) WHERE q.stream = d.stream AND q.erp_key = d.erp_key',
      [rows.map((r) => r.stream), rows.map((r) => r.key)],
    );
  }

  async listRetries(stream: string): Promise<string[]> {
    const { rows } = await this.query<{ erp_key: string }>('SELECT erp_key FROM retry_queue WHERE stream = $1 ORDER BY erp_key', [stream]);
    return rows.map((r) => r.erp_key);
  }

  // --- media ---------------------------------------------------------------------

  async getMedia(contentHash: string): Promise<MediaRow | null> {
    const { rows } = await this.query<{ content_hash: string; code: string; source: string }>('SELECT content_hash, code, source FROM media WHERE content_hash = $1', [contentHash]);
    const r = rows[0];
    return r ? { contentHash: r.content_hash, code: r.code, source: r.source } : null;
  }

  async listMediaBySource(): Promise<Map<string, MediaRow>> {
    const { rows } = await this.query<{ source: string; content_hash: string; code: string; size: number | null; mtime_ms: number | null; etag: string | null; last_modified: string | null }>(
      'SELECT s.source, s.content_hash, m.code, s.size, s.mtime_ms, s.etag, s.last_modified FROM media_sources s JOIN media m ON m.content_hash = s.content_hash',
    );
    return new Map(
      rows.map((r) => [
        r.source,
        { contentHash: r.content_hash, code: r.code, source: r.source, size: r.size, mtimeMs: r.mtime_ms, etag: r.etag, lastModified: r.last_modified },
      ]),
    );
  }

  async saveMedia(row: MediaRow): Promise<void> {
    const now = new Date().toISOString();
    await this.query(
      `WITH content AS (
         INSERT INTO media (content_hash, code, source, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (content_hash) DO UPDATE SET code = excluded.code, source = excluded.source
       )
       INSERT INTO media_sources (source, shown, content_hash, size, mtime_ms, etag, last_modified, seen_at) VALUES ($5, $6, $1, $7, $8, $9, $10, $4)
       ON CONFLICT (source) DO UPDATE SET content_hash = excluded.content_hash, size = excluded.size, mtime_ms = excluded.mtime_ms,
         etag = excluded.etag, last_modified = excluded.last_modified, seen_at = excluded.seen_at, shown = excluded.shown`,
      [
        row.contentHash,
        row.code,
        mediaSourceForDisplay(row.source),
        now,
        mediaSourceKey(row.source),
        mediaSourceHasSecret(row.source) ? mediaSourceForDisplay(row.source) : null,
        row.size ?? null,
        row.mtimeMs ?? null,
        row.etag ?? null,
        row.lastModified ?? null,
      ],
    );
  }

  // --- runs ----------------------------------------------------------------------

  async startRun(mode: string, options: unknown, owner?: string): Promise<number> {
    const now = new Date().toISOString();
    const { rows } = await this.query<{ id: number }>(
      "INSERT INTO runs (mode, status, started_at, options, owner, heartbeat_at) VALUES ($1, 'running', $2, $3, $4, $2) RETURNING id",
      [mode, now, scrubbedJson(options ?? null), owner ?? null],
    );
    return rows[0]!.id;
  }

  async heartbeatRun(runId: number, progress: unknown): Promise<void> {
    await this.query("UPDATE runs SET heartbeat_at = $1, report = $2 WHERE id = $3 AND status = 'running'", [new Date().toISOString(), scrubbedJson(progress ?? null), runId]);
  }

  /**
   * Ends a run left `running` by a process that is gone: status interrupted, finished when it
   * last gave a sign of life (its real duration), its last progress report kept and marked so.
   */
  private async interruptRun(c: pg.PoolClient, id: number, reason: string): Promise<void> {
    const row = (await c.query<{ started_at: string; heartbeat_at: string | null; report: string | null }>('SELECT started_at, heartbeat_at, report FROM runs WHERE id = $1', [id])).rows[0];
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
    await c.query("UPDATE runs SET status = 'interrupted', finished_at = $1, report = $2 WHERE id = $3 AND status = 'running'", [finishedAt, patched ? scrubbedJson(patched) : null, id]);
  }

  async finishRun(runId: number, status: RunStatus, report: unknown): Promise<void> {
    await this.query('UPDATE runs SET status = $1, finished_at = $2, report = $3 WHERE id = $4', [status, new Date().toISOString(), scrubbedJson(report ?? null), runId]);
  }

  async markInterrupted(exceptRunId?: number): Promise<number> {
    const reason = 'its process stopped without finishing (killed, crashed or the machine went down); found by the next run';
    return this.transaction(async (c) => {
      const { rows } = await c.query<{ id: number }>("SELECT id FROM runs WHERE status = 'running' AND id <> $1 FOR UPDATE", [exceptRunId ?? -1]);
      for (const r of rows) await this.interruptRun(c, r.id, reason);
      return rows.length;
    });
  }

  async markDeadRuns(isOwnerAlive: (owner: string) => boolean, staleAfterMs: number): Promise<number> {
    const reason = 'its process stopped without finishing (killed, crashed or the machine went down)';
    return this.transaction(async (c) => {
      const { rows } = await c.query<{ id: number; owner: string | null; started_at: string; heartbeat_at: string | null }>(
        "SELECT id, owner, started_at, heartbeat_at FROM runs WHERE status = 'running' FOR UPDATE",
      );
      const now = Date.now();
      const dead = rows.filter((r) => {
        const last = Date.parse(r.heartbeat_at ?? r.started_at);
        if (now - last >= staleAfterMs) return true;
        return r.owner !== null && !isOwnerAlive(r.owner);
      });
      for (const r of dead) await this.interruptRun(c, r.id, reason);
      return dead.length;
    });
  }

  async recordOutcomes(runId: number, rows: readonly RunRecordRow[]): Promise<void> {
    if (rows.length === 0) return;
    const batch = lastPerKey(rows, (r) => `${r.stream}\u0000${r.key}`);
    await this.query(
      `INSERT INTO run_records (run_id, stream, erp_key, entity_type, outcome, reason)
       SELECT $1, t.stream, t.erp_key, t.entity_type, t.outcome, t.reason
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t(stream, erp_key, entity_type, outcome, reason)
       ON CONFLICT (run_id, stream, erp_key) DO UPDATE SET outcome = excluded.outcome, reason = excluded.reason, entity_type = excluded.entity_type`,
      [
        runId,
        batch.map((r) => r.stream),
        batch.map((r) => r.key),
        batch.map((r) => r.entityType),
        batch.map((r) => r.outcome),
        batch.map((r) => (r.reason == null ? null : scrubKnownSecrets(r.reason))),
      ],
    );
  }

  async addRejects(rows: readonly RejectRow[]): Promise<void> {
    if (rows.length === 0) return;
    const col = <T>(f: (r: RejectRow) => T) => rows.map(f);
    // WITH ORDINALITY keeps the batch's order in the ids (getRejects lists by id).
    await this.query(
      `INSERT INTO rejects (run_id, stream, erp_key, entity_type, label, attribute, locale, scope, message, fix, payload, errors)
       SELECT t.run_id, t.stream, t.erp_key, t.entity_type, t.label, t.attribute, t.locale, t.scope, t.message, t.fix, t.payload, t.errors
       FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
         WITH ORDINALITY AS t(run_id, stream, erp_key, entity_type, label, attribute, locale, scope, message, fix, payload, errors, n)
       ORDER BY t.n`,
      [
        col((r) => r.runId),
        col((r) => r.stream),
        col((r) => r.key),
        col((r) => r.entityType),
        col((r) => r.label),
        col((r) => r.attribute ?? null),
        col((r) => r.locale ?? null),
        col((r) => r.scope ?? null),
        col((r) => scrubKnownSecrets(r.message)),
        col((r) => (r.fix == null ? null : scrubKnownSecrets(r.fix))),
        col((r) => (r.payload === undefined ? null : scrubbedJson(r.payload))),
        col((r) => (r.errors === undefined ? null : scrubbedJson(r.errors))),
      ],
    );
  }

  private toRun(r: RunRowDb): RunRow {
    return { id: r.id, mode: r.mode, status: r.status as RunStatus, startedAt: r.started_at, finishedAt: r.finished_at, report: parseJson(r.report) };
  }

  async listRuns(limit: number): Promise<RunRow[]> {
    const { rows } = await this.query<RunRowDb>('SELECT * FROM runs ORDER BY id DESC LIMIT $1', [limit]);
    return rows.map((r) => this.toRun(r));
  }

  async getRun(id: number): Promise<RunRow | null> {
    const { rows } = await this.query<RunRowDb>('SELECT * FROM runs WHERE id = $1', [id]);
    return rows[0] ? this.toRun(rows[0]) : null;
  }

  async getRunRecords(runId: number): Promise<RunRecordRow[]> {
    const { rows } = await this.query<{ stream: string; erp_key: string; entity_type: string; outcome: string; reason: string | null }>(
      'SELECT * FROM run_records WHERE run_id = $1 ORDER BY stream, erp_key',
      [runId],
    );
    return rows.map((r) => ({ stream: r.stream, key: r.erp_key, entityType: r.entity_type, outcome: r.outcome as RecordOutcome, reason: r.reason }));
  }

  // --- stop requests -----------------------------------------------------------------

  async requestRunCancel(runId: number, requestedBy: string): Promise<void> {
    await this.query('INSERT INTO run_cancel_requests (run_id, requested_by, requested_at) VALUES ($1, $2, $3) ON CONFLICT (run_id) DO NOTHING', [runId, requestedBy, new Date().toISOString()]);
  }

  async runCancelRequest(runId: number): Promise<RunCancelRequest | null> {
    const row = (await this.query<{ requested_by: string; requested_at: string }>('SELECT requested_by, requested_at FROM run_cancel_requests WHERE run_id = $1', [runId])).rows[0];
    return row ? { requestedBy: row.requested_by, requestedAt: row.requested_at } : null;
  }

  history(): RunHistory {
    return new SqlRunHistory({
      all: async <R>(sql: string, params: readonly unknown[]) => (await this.pool.query(sql, [...params])).rows as R[],
      placeholder: (n) => `$${n}`,
      countsJson: "((r.report::jsonb) -> 'counts')::text",
      optionText: (field) => `((r.options::jsonb) ->> '${field}')`,
      countOf: (outcome) => `((r.report::jsonb) -> 'counts' ->> '${outcome}')::bigint`,
    });
  }

  async getRejects(runId: number): Promise<RejectRow[]> {
    const { rows } = await this.query<RejectColumns & { run_id: number; payload: string | null; errors: string | null }>('SELECT * FROM rejects WHERE run_id = $1 ORDER BY id', [runId]);
    return rows.map((r) => ({ runId: r.run_id, ...rejectFromRow(r), payload: parseJson(r.payload), errors: parseJson(r.errors) }));
  }

  // --- dump (ferry state export / import) -------------------------------------------

  async isEmpty(): Promise<boolean> {
    const { rows } = await this.query<{ n: number }>(`SELECT (${DUMP_TABLES.map((t) => `(SELECT COUNT(*) FROM (SELECT 1 FROM ${t} LIMIT 1) x)`).join(' + ')})::int AS n`);
    return rows[0]!.n === 0;
  }

  async *dumpTable(table: DumpTable, pageSize = 2000): AsyncIterable<Record<string, unknown>[]> {
    // A cursor in one read-only transaction: a consistent snapshot, streamed in pages.
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await client.query(`DECLARE dump CURSOR FOR SELECT * FROM ${table}`);
      for (;;) {
        const { rows } = await client.query<Record<string, unknown>>(`FETCH ${pageSize} FROM dump`);
        if (rows.length === 0) break;
        yield rows;
      }
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async loadDump(tables: AsyncIterable<{ table: DumpTable; rows: Record<string, unknown>[] }>): Promise<Record<DumpTable, number>> {
    const counts = Object.fromEntries(DUMP_TABLES.map((t) => [t, 0])) as Record<DumpTable, number>;
    await this.transaction(async (c) => {
      for await (const { table, rows } of tables) {
        if (!(DUMP_TABLES as readonly string[]).includes(table)) throw new Error(`unknown table ${table} in the state dump`);
        for (let i = 0; i < rows.length; i += LOAD_BATCH) {
          const part = rows.slice(i, i + LOAD_BATCH);
          // One round trip per part, whatever the table's columns: PostgreSQL maps the JSON by name.
          await c.query(`INSERT INTO ${table} SELECT * FROM json_populate_recordset(NULL::${table}, $1::json)`, [JSON.stringify(part)]);
        }
        counts[table] += rows.length;
      }
      // Ids were given explicitly: the next run and reject are numbered after them.
      for (const t of ['runs', 'rejects'] as const) {
        await c.query(`SELECT setval(pg_get_serial_sequence('${t}', 'id'), GREATEST((SELECT MAX(id) FROM ${t}), 1), (SELECT MAX(id) FROM ${t}) IS NOT NULL)`);
      }
    });
    return counts;
  }
}

/** `host:port/database` of a connection URL, without its credentials. */
function databaseOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'state.url';
  }
}

/** Opens (and migrates) a PostgreSQL state store. */
export async function openPostgresStateStore(options: PostgresStateOptions): Promise<PostgresStateStore> {
  const store = new PostgresStateStore(options);
  try {
    await store.migrate();
  } catch (err) {
    await store.close();
    const why = err instanceof Error ? err.message : String(err);
    // The version refusal already says what to do; a connection or permission problem names the database.
    if (/newer than this Ferry knows/.test(why)) throw err;
    throw new Error(`the PostgreSQL state at ${databaseOf(options.url)} (schema ${store.schema}) cannot be opened: ${scrubKnownSecrets(why)}. Check state.url, that the server runs and that the user may create tables there.`, { cause: err });
  }
  return store;
}
