/**
 * Streaming a SELECT in batches without loading the result: a real server-side cursor on every
 * database. PostgreSQL: DECLARE … CURSOR / FETCH inside a read-only transaction (knex's own
 * stream needs pg-query-stream, which Ferry does not ship). SQLite: better-sqlite3's statement
 * iterator on a dedicated connection. MySQL/MariaDB and SQL Server: the driver's row stream.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Knex } from 'knex';
import type Database from 'better-sqlite3';
import type { SqlClient } from './config.js';

export type Row = Record<string, unknown>;

export async function* streamRows(knex: Knex, client: SqlClient, query: Knex.QueryBuilder, batchSize: number): AsyncGenerator<Row[]> {
  const batches = client === 'pg' ? pgCursor(knex, query, batchSize) : client === 'better-sqlite3' ? sqliteIterator(knex, query, batchSize) : driverStream(query, batchSize);
  for await (const batch of batches) {
    yield batch;
    // A turn of the event loop between batches: SQLite answers synchronously and a driver's stream
    // may hold many batches from one network read, so without it a long read holds up every
    // response on the wire (a run's batches in flight, its rate budget's database answers),
    // leaving the PIM's slots idle while it reads.
    await nextTurn();
  }
}

let cursorSeq = 0;

async function* pgCursor(knex: Knex, query: Knex.QueryBuilder, batchSize: number): AsyncGenerator<Row[]> {
  const trx = await knex.transaction({ readOnly: true });
  const name = `ferry_cursor_${++cursorSeq}`;
  let done = false;
  try {
    const native = query.toSQL().toNative();
    // The cursor name is ours (no user text); the query keeps its bound parameters. A literal
    // "?" in a configured query is escaped so knex does not take it for a placeholder.
    const sql = native.sql.replace(/\?/g, '\\?').replace(/\$(\d+)/g, '?');
    await trx.raw(`DECLARE ${name} NO SCROLL CURSOR FOR ${sql}`, native.bindings as Knex.RawBinding[]);
    for (;;) {
      const result = (await trx.raw(`FETCH FORWARD ${Math.floor(batchSize)} FROM ${name}`)) as { rows: Row[] };
      if (result.rows.length === 0) break;
      yield result.rows;
      if (result.rows.length < batchSize) break;
    }
    done = true;
  } finally {
    if (done) await trx.commit();
    else await trx.rollback().catch(() => undefined);
  }
}

async function* sqliteIterator(knex: Knex, query: Knex.QueryBuilder, batchSize: number): AsyncGenerator<Row[]> {
  const native = query.toSQL().toNative();
  const client = knex.client as { acquireConnection(): Promise<Database.Database>; releaseConnection(c: Database.Database): Promise<void> };
  const db = await client.acquireConnection();
  try {
    const bindings = (native.bindings as unknown[]).map((b) => (b instanceof Date ? b.toISOString() : typeof b === 'boolean' ? Number(b) : b));
    // Integers beyond 2^53 (SQLite INTEGER is 64-bit) come back as BigInt, converted exactly later.
    // knex leaves the escape of a literal "\?" in SQLite's native SQL; SQLite itself tells literals from placeholders.
    const sql = native.sql.replace(/\\\?/g, '?');
    const iterator = db.prepare(sql).safeIntegers(true).iterate(...bindings) as IterableIterator<Row>;
    try {
      yield* inBatches(iterator, batchSize);
    } finally {
      // Closes the statement when the consumer stops early (limit, error, break).
      iterator.return?.();
    }
  } finally {
    await client.releaseConnection(db);
  }
}

async function* driverStream(query: Knex.QueryBuilder, batchSize: number): AsyncGenerator<Row[]> {
  const stream = query.stream({ highWaterMark: batchSize });
  try {
    yield* streamInBatches(stream as AsyncIterable<Row>, batchSize);
  } finally {
    (stream as unknown as { destroy?: () => void }).destroy?.();
  }
}

/** SQLite's rows, which come synchronously, in batches of `size` (the last one shorter): a plain loop, not one awaited promise per row. */
function* inBatches(rows: Iterable<Row>, size: number): Generator<Row[]> {
  let batch: Row[] = [];
  for (const row of rows) {
    batch.push(row);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** A driver's row stream in batches of `size` (the last one shorter); a consumer that stops early closes the stream. */
async function* streamInBatches(rows: AsyncIterable<Row>, size: number): AsyncGenerator<Row[]> {
  let batch: Row[] = [];
  for await (const row of rows) {
    batch.push(row);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
