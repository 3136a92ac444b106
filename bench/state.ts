/**
 * npm run bench:state — the state store, SQLite against PostgreSQL. Prints ONE JSON object:
 *
 * 1. writes: rows/s of saveEntities (the engine's per-batch write: one row per product, with its
 *    value hashes) and of recordOutcomes, in batches of 100 and 1,000 rows, N rows each, into a
 *    fresh SQLite file and a fresh PostgreSQL schema; also getEntities (reads of 100 codes).
 * 2. move: a SQLite state of N products and a run recording each is exported (ferry state
 *    export's code) and imported into PostgreSQL: ms and rows/s of each step, the file's size.
 * 3. demoSync: a first full sync of the demo ERP (--demo-items, default 3,000 items) into an
 *    in-process sandbox without limits, with each store: products/s, and the second (no-op) run's
 *    duration.
 *
 * PostgreSQL: --pg URL (default postgres://postgres@127.0.0.1:5432/postgres); a database
 * ferry_bench_<random> is created there and dropped at the end.
 * Flags: --rows N (default 100000), --demo-items N, --skip-demo.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { ferryConfigSchema } from '../src/config/schema.js';
import { createErpSource } from '../src/erp/factory.js';
import { createLogger } from '../src/logging.js';
import { startSandbox } from '../src/sandbox/index.js';
import { bootstrapPim } from '../src/sync/bootstrap.js';
import { runSync } from '../src/sync/index.js';
import { createAkeneoClientFromConfig } from '../src/akeneo/index.js';
import type { EntityState, StateStore } from '../src/sync/state/port.js';
import { PostgresStateStore } from '../src/sync/state/postgres.js';
import { SqliteStateStore } from '../src/sync/state/sqlite.js';
import { readDump, writeDump } from '../src/sync/state/dump.js';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const ROWS = Number(flag('--rows') ?? 100_000);
const DEMO_ITEMS = Number(flag('--demo-items') ?? 3000);
const PG_ADMIN = flag('--pg') ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const dbName = `ferry_bench_${Math.random().toString(36).slice(2, 10)}`;
const admin = new pg.Client({ connectionString: PG_ADMIN });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
const pgUrl = (() => {
  const u = new URL(PG_ADMIN);
  u.pathname = `/${dbName}`;
  return u.toString();
})();
const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-state-'));
let schemas = 0;

type Store = StateStore & { close(): Promise<void> };
async function fresh(kind: 'sqlite' | 'postgres'): Promise<Store> {
  const s: Store = kind === 'sqlite' ? new SqliteStateStore(join(dir, `s${++schemas}.db`)) : new PostgresStateStore({ url: pgUrl, schema: `s${++schemas}` });
  await s.migrate();
  return s;
}

function entity(i: number): EntityState {
  const code = `SKU-${String(i).padStart(7, '0')}`;
  const hashes: Record<string, string> = {};
  // A product as the demo catalog writes it: a dozen values hashed.
  for (const a of ['name|en_US|', 'name|fr_FR|', 'description|en_US|ecommerce', 'price||', 'weight||', 'color||', 'size||', 'brand||', 'ean||', '@categories', '@enabled', '@family']) {
    hashes[a] = (i * 2654435761 + a.length).toString(36);
  }
  return { type: 'product', code, pimId: null, originStream: 'items', originKey: code, groupKey: `G-${Math.floor(i / 6)}`, hashes, erpVersion: '2026-01-01T00:00:00.000Z', status: 'synced' };
}

async function measure(kind: 'sqlite' | 'postgres', batch: number) {
  const s = await fresh(kind);
  try {
    let t = performance.now();
    for (let i = 0; i < ROWS; i += batch) await s.saveEntities(Array.from({ length: Math.min(batch, ROWS - i) }, (_, j) => entity(i + j)));
    const insertMs = performance.now() - t;
    t = performance.now();
    // the same rows again: the update path of the upsert (a second run that changed every value)
    for (let i = 0; i < ROWS; i += batch) await s.saveEntities(Array.from({ length: Math.min(batch, ROWS - i) }, (_, j) => ({ ...entity(i + j), erpVersion: '2026-01-02T00:00:00.000Z' })));
    const updateMs = performance.now() - t;
    const run = await s.startRun('full', null);
    t = performance.now();
    for (let i = 0; i < ROWS; i += batch) {
      await s.recordOutcomes(
        run,
        Array.from({ length: Math.min(batch, ROWS - i) }, (_, j) => ({ stream: 'items', key: `SKU-${i + j}`, entityType: 'product', outcome: 'created' as const })),
      );
    }
    const outcomesMs = performance.now() - t;
    t = performance.now();
    const reads = 200;
    for (let k = 0; k < reads; k++) {
      const from = Math.floor((k * 7919) % Math.max(1, ROWS - 100));
      await s.getEntities('product', Array.from({ length: 100 }, (_, j) => entity(from + j).code));
    }
    const readMs = performance.now() - t;
    const perSec = (n: number, ms: number) => Math.round((n / ms) * 1000);
    return {
      batch,
      saveEntitiesInsertRowsPerSec: perSec(ROWS, insertMs),
      saveEntitiesUpdateRowsPerSec: perSec(ROWS, updateMs),
      recordOutcomesRowsPerSec: perSec(ROWS, outcomesMs),
      getEntities100msEach: Number((readMs / reads).toFixed(2)),
    };
  } finally {
    await s.close();
  }
}

async function move() {
  const from = (await fresh('sqlite')) as SqliteStateStore;
  const to = (await fresh('postgres')) as PostgresStateStore;
  try {
    for (let i = 0; i < ROWS; i += 1000) await from.saveEntities(Array.from({ length: Math.min(1000, ROWS - i) }, (_, j) => entity(i + j)));
    const run = await from.startRun('full', null);
    for (let i = 0; i < ROWS; i += 1000) {
      await from.recordOutcomes(run, Array.from({ length: Math.min(1000, ROWS - i) }, (_, j) => ({ stream: 'items', key: `SKU-${i + j}`, entityType: 'product', outcome: 'created' as const })));
    }
    await from.finishRun(run, 'succeeded', { counts: { read: ROWS } });
    const file = join(dir, 'state.ndjson');
    let t = performance.now();
    const out = createWriteStream(file);
    const counts = await writeDump(from, 'bench', out);
    out.end();
    await finished(out);
    const exportMs = performance.now() - t;
    const rows = Object.values(counts).reduce((a, b) => a + b, 0);
    t = performance.now();
    await to.loadDump(readDump(createReadStream(file)));
    const importMs = performance.now() - t;
    return { rows, fileMB: Number((statSync(file).size / 1e6).toFixed(1)), exportMs: Math.round(exportMs), importMs: Math.round(importMs), importRowsPerSec: Math.round((rows / importMs) * 1000) };
  } finally {
    await from.close();
    await to.close();
  }
}

async function demoSync(kind: 'sqlite' | 'postgres') {
  const sb = await startSandbox({ catalog: 'demo' });
  const work = mkdtempSync(join(dir, 'demo-'));
  const state = kind === 'sqlite' ? { path: join(work, 'ferry.db') } : { url: pgUrl, schema: `demo_${++schemas}` };
  const config = ferryConfigSchema.parse({
    pim: { url: sb.url, clientId: sb.clientId, secret: sb.secret, username: sb.username, password: sb.password },
    erp: { type: 'demo', path: join(work, 'demo-erp.sqlite'), items: DEMO_ITEMS, seed: 5 },
    mapping: { preset: 'demo' },
    state,
  });
  const logger = createLogger({ level: 'silent' });
  const client = createAkeneoClientFromConfig(config.pim, { logger });
  const source = createErpSource(config.erp);
  try {
    await bootstrapPim(client, config.mapping, source);
    let t = performance.now();
    const first = await runSync(config, { client, source, logger, full: true });
    const firstMs = performance.now() - t;
    t = performance.now();
    const second = await runSync(config, { client, source, logger, full: true });
    const secondMs = performance.now() - t;
    return {
      items: DEMO_ITEMS,
      products: first.byType.product?.created ?? 0,
      status: first.status,
      firstRunMs: Math.round(firstMs),
      productsPerSec: Math.round(((first.byType.product?.created ?? 0) / firstMs) * 1000),
      secondRunMs: Math.round(secondMs),
      secondRunWrites: second.requests.writes,
    };
  } finally {
    await source.close();
    await client.close();
    await sb.close();
  }
}

try {
  const writes: Record<string, unknown[]> = { sqlite: [], postgres: [] };
  for (const batch of [100, 1000]) {
    for (const kind of ['sqlite', 'postgres'] as const) writes[kind]!.push(await measure(kind, batch));
  }
  const moved = await move();
  const demo = process.argv.includes('--skip-demo') ? null : { sqlite: await demoSync('sqlite'), postgres: await demoSync('postgres') };
  process.stdout.write(
    `${JSON.stringify({ rows: ROWS, writes, move: moved, demoSync: demo, machine: { loadavg1: Number(loadavg()[0]!.toFixed(2)), node: process.version }, at: new Date().toISOString() }, null, 2)}\n`,
  );
} finally {
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
}
