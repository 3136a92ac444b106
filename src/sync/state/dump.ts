/**
 * A portable dump of a state store (`ferry state export` / `import`): NDJSON, one object a line —
 * a header, then one line per row (`{"t": table, "r": {column: value}}`), then a trailer with
 * the row count of every table. The columns are the tables' own (the same in the SQLite and the
 * PostgreSQL schema), so runs, run records, rejects, hashes and watermarks move unchanged, ids
 * included. An import checks the trailer inside its transaction: a truncated file loads nothing.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { z } from 'zod';

/**
 * The tables a dump carries, in an order that loads cleanly. The lock table is left out: a lock
 * belongs to a live process of the old store, not to the state. `sequences` holds the export's
 * SKU generator (nextSequence): a moved state goes on numbering where the old one stopped.
 */
export const DUMP_TABLES = ['entities', 'watermarks', 'runs', 'run_records', 'rejects', 'retry_queue', 'media', 'media_sources', 'group_members', 'sequences'] as const;
export type DumpTable = (typeof DUMP_TABLES)[number];

export const DUMP_FORMAT = 'ferry-state-dump';
export const DUMP_VERSION = 1;

/** What a store offers to be exported from and imported into. */
export interface StateDumpStore {
  /** True when no dumped table holds a row (an import goes only into an empty state). */
  isEmpty(): Promise<boolean>;
  /** The table's rows as stored (column → value), in pages. */
  dumpTable(table: DumpTable, pageSize?: number): AsyncIterable<Record<string, unknown>[]>;
  /** Loads every page in one transaction (all or nothing); returns the rows loaded per table. */
  loadDump(pages: AsyncIterable<{ table: DumpTable; rows: Record<string, unknown>[] }>): Promise<Record<DumpTable, number>>;
}

/**
 * The `sequences` table as the SQLite store's nextSequence creates it on first use: a dump of a
 * state that never used it still reads (and loads) it, empty.
 */
export const SQLITE_SEQUENCES_TABLE = 'CREATE TABLE IF NOT EXISTS sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL)';

export function isDumpStore(store: unknown): store is StateDumpStore {
  return typeof (store as Partial<StateDumpStore>).dumpTable === 'function' && typeof (store as Partial<StateDumpStore>).loadDump === 'function';
}

const headerSchema = z.object({ format: z.literal(DUMP_FORMAT), version: z.literal(DUMP_VERSION), from: z.string(), exportedAt: z.string() });
const rowSchema = z.object({ t: z.enum(DUMP_TABLES), r: z.record(z.string(), z.unknown()) });
const trailerSchema = z.object({ end: z.literal(true), rows: z.record(z.enum(DUMP_TABLES), z.number().int().min(0)) });

/** Writes the whole state of `store` to `out`; returns the rows written per table. */
export async function writeDump(store: StateDumpStore, from: string, out: Writable): Promise<Record<DumpTable, number>> {
  const write = (line: string) =>
    new Promise<void>((resolve, reject) => {
      if (out.write(`${line}\n`)) return resolve();
      // Wait for the stream to take more; the listeners go once either fires (no pile-up over a long dump).
      const onDrain = () => {
        out.off('error', onError);
        resolve();
      };
      const onError = (err: Error) => {
        out.off('drain', onDrain);
        reject(err);
      };
      out.once('drain', onDrain);
      out.once('error', onError);
    });
  await write(JSON.stringify({ format: DUMP_FORMAT, version: DUMP_VERSION, from, exportedAt: new Date().toISOString() }));
  const counts = Object.fromEntries(DUMP_TABLES.map((t) => [t, 0])) as Record<DumpTable, number>;
  for (const table of DUMP_TABLES) {
    for await (const page of store.dumpTable(table)) {
      await write(page.map((r) => JSON.stringify({ t: table, r })).join('\n'));
      counts[table] += page.length;
    }
  }
  await write(JSON.stringify({ end: true, rows: counts }));
  return counts;
}

/**
 * Reads a dump as pages of rows per table for StateDumpStore.loadDump, checking as it goes: a
 * line that is no row names its line number; a missing trailer or counts that differ from the
 * rows read throw at the end (inside the load's transaction, so nothing is kept).
 */
export async function* readDump(input: Readable, pageSize = 2000): AsyncIterable<{ table: DumpTable; rows: Record<string, unknown>[] }> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  let header = false;
  let trailer: z.infer<typeof trailerSchema> | null = null;
  const seen = Object.fromEntries(DUMP_TABLES.map((t) => [t, 0])) as Record<DumpTable, number>;
  let page: { table: DumpTable; rows: Record<string, unknown>[] } | null = null;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    if (trailer) throw new Error(`state dump line ${lineNo}: data after the end line; the file was put together from several dumps — export again.`);
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`state dump line ${lineNo}: not JSON; is this a file written by ferry state export?`);
    }
    if (!header) {
      const h = headerSchema.safeParse(value);
      if (!h.success) throw new Error(`state dump line 1: not a ${DUMP_FORMAT} version ${DUMP_VERSION} header; write the file with ferry state export.`);
      header = true;
      continue;
    }
    const end = trailerSchema.safeParse(value);
    if (end.success) {
      trailer = end.data;
      continue;
    }
    const row = rowSchema.safeParse(value);
    if (!row.success) throw new Error(`state dump line ${lineNo}: not a row ({"t": table, "r": {…}}) of one of ${DUMP_TABLES.join(', ')}.`);
    seen[row.data.t]++;
    if (page && page.table !== row.data.t) {
      yield page;
      page = null;
    }
    page ??= { table: row.data.t, rows: [] };
    page.rows.push(row.data.r);
    if (page.rows.length >= pageSize) {
      yield page;
      page = null;
    }
  }
  if (page) yield page;
  if (!header) throw new Error('the state dump is empty; write it with ferry state export.');
  if (!trailer) throw new Error(`the state dump ends without its end line after line ${lineNo}: the file is truncated; nothing was imported. Export again.`);
  for (const t of DUMP_TABLES) {
    const expected = trailer.rows[t] ?? 0;
    if (expected !== seen[t]) throw new Error(`the state dump announces ${expected} rows of ${t} but holds ${seen[t]}; nothing was imported. Export again.`);
  }
}
