/**
 * Queued runs with `ferry worker` processes: 3 workers finish a full run with the PIM end state of
 * one process, within the shared budget (3 Connections, SaaS limits); a worker killed mid-run
 * (kill -9) loses nothing and the report counts every record once, with its outcome in the run.
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/sync/report.js';
import { openPostgresStateStore } from '../../src/sync/state/postgres.js';
import { pgProblem, serviceGate } from '../erp/sql/databases.js';
import { checkCounts, tempDirs } from '../sync/support/e2e.js';
import { clientFor, pimSnapshot } from '../sync/support/pim.js';
import { dropSchemas, exitWithin, oneProcessRun, PG_URL, setUp, spawnFerry, stopAll, uniqueSchema } from './support.js';

const enabled = serviceGate('PostgreSQL (127.0.0.1:5432)', await pgProblem());
const tempDir = tempDirs('ferry-workers-e2e-');
const schemas: string[] = [];
afterAll(async () => {
  if (enabled) await dropSchemas(...schemas);
});

const ITEMS = 400;

/** The run's full report as the state keeps it (--json prints a summary). */
async function storedReport(schema: string, runId: number): Promise<RunReport> {
  const state = await openPostgresStateStore({ url: PG_URL, schema });
  try {
    const row = await state.getRun(runId);
    expect(row?.status).not.toBe('running');
    return row!.report as RunReport;
  } finally {
    await state.close();
  }
}

async function retriedShards(schema: string): Promise<number> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    const { rows } = await c.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}_jobs".job WHERE name = 'ferry-shard' AND retry_count > 0`);
    return Number(rows[0]!.n);
  } finally {
    await c.end();
  }
}

async function partsDone(schema: string, runId: number): Promise<number> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    const { rows } = await c.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".ferry_job_part WHERE run_id = $1 AND part > 0`, [runId]);
    return Number(rows[0]!.n);
  } catch {
    return 0;
  } finally {
    await c.end();
  }
}

/** Products (or models) the state knows as written: those of finished shards, and of the one in progress. */
async function synced(schema: string, type: 'product' | 'product_model' = 'product'): Promise<number> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    const { rows } = await c.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".entities WHERE entity_type = $1 AND status = 'synced'`, [type]);
    return Number(rows[0]!.n);
  } catch {
    return 0;
  } finally {
    await c.end();
  }
}

function expectSameRecords(report: RunReport, one: RunReport): void {
  checkCounts(report);
  // Every record once: as many read as the one-process run, each created once.
  expect(report.counts.read).toBe(one.counts.read);
  expect(report.byType.product.read).toBe(one.byType.product.read);
  expect(report.byType.product_model.read).toBe(one.byType.product_model.read);
  expect(report.byType.category.read).toBe(one.byType.category.read);
}

describe.runIf(enabled)('queued runs on ferry worker processes', () => {
  it('3 workers × 3 Connections: the PIM end state of one process, one report, the shared budget kept', async () => {
    const dir = tempDir();
    const schema = uniqueSchema('ferry_w3');
    schemas.push(schema);
    const one = await oneProcessRun(dir, ITEMS);
    const { sb, file } = await setUp(dir, { items: ITEMS, schema, latency: '20ms+1ms/line' });
    const workers = [1, 2, 3].map(() => spawnFerry(['worker', '--config', file], dir));
    try {
      const sync = spawnFerry(['sync', '--config', file, '--full', '--json'], dir);
      const code = await exitWithin(sync, 150_000);
      expect(code, sync.err()).toBe(0);
      const summary = JSON.parse(sync.out()) as RunReport;
      const report = await storedReport(schema, summary.runId!);
      expect(summary.counts).toEqual(report.counts);
      expect(report.status).toBe('succeeded');
      expect(report.mode).toBe('full');
      expectSameRecords(report, one.report);
      expect(report.counts.created).toBe(one.report.counts.created);
      const client = clientFor(sb);
      const snap = await pimSnapshot(client);
      await client.close();
      expect(snap).toEqual(one.snapshot);
      const stats = sb.stats();
      expect(stats.throttled429).toBe(0);
      expect(stats.peakConcurrent.instance).toBeLessThanOrEqual(10);
      for (const peak of Object.values(stats.peakConcurrent.perConnection)) expect(peak).toBeLessThanOrEqual(4);
      // The shards went to more than one worker process (each logs nothing at warn; the budget saw them all).
      // A second run has nothing to do: every record unchanged, the watermark moved by the first.
      const again = spawnFerry(['sync', '--config', file, '--json'], dir);
      expect(await exitWithin(again, 60_000), again.err()).toBe(0);
      const delta = JSON.parse(again.out()) as RunReport;
      expect(delta.counts.created + delta.counts.updated).toBe(0);
    } finally {
      await stopAll(workers);
      await sb.close();
    }
  }, 240_000);

  it('a worker killed (kill -9) mid-run: its shard is taken over, same end state, every record counted once', async () => {
    const dir = tempDir();
    const schema = uniqueSchema('ferry_wkill');
    schemas.push(schema);
    const one = await oneProcessRun(dir, ITEMS);
    const { sb, file } = await setUp(dir, { items: ITEMS, schema, latency: '150ms+2ms/line' });
    // One worker first: once it finished a shard and wrote the product models of the next, it is
    // killed mid-shard with creates committed (their products still to send or on the wire: a
    // shard of this size sends its products in one batch, whose commit ends the shard at once);
    // two others finish the run (one retries the shard).
    // Two slots (the default): the kill often catches two shards, one with a batch of product
    // models on the wire whose commit is lost: the retry's creates are answered "updated" and
    // still count created (ShardHooks.createdEarlier's `unconfirmed`).
    const workers = [spawnFerry(['worker', '--config', file], dir)];
    try {
      const sync = spawnFerry(['sync', '--config', file, '--full', '--json', '--no-progress'], dir);
      // The run id is 1 in a fresh schema.
      const deadline = Date.now() + 120_000;
      while ((await partsDone(schema, 1)) < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const afterFirst = await synced(schema, 'product_model');
      while ((await synced(schema, 'product_model')) <= afterFirst && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      workers[0]!.child.kill('SIGKILL');
      workers.push(...[1, 2].map(() => spawnFerry(['worker', '--config', file], dir)));
      const code = await exitWithin(sync, 150_000);
      expect(code, sync.err()).toBe(0);
      const report = await storedReport(schema, (JSON.parse(sync.out()) as RunReport).runId!);
      expect(report.status).toBe('succeeded');
      expectSameRecords(report, one.report);
      // What the killed attempt created stays created: the retry finds it unchanged, the run created it.
      expect(report.counts).toEqual(one.report.counts);
      expect(report.byType).toEqual(one.report.byType);
      const client = clientFor(sb);
      const snap = await pimSnapshot(client);
      await client.close();
      expect(snap.productCount).toBe(one.snapshot.productCount);
      // The killed worker's shard was taken over: pg-boss retried it after its expiry.
      expect(await retriedShards(schema)).toBeGreaterThanOrEqual(1);
      expect(snap).toEqual(one.snapshot);
    } finally {
      await stopAll(workers);
      await sb.close();
    }
  }, 240_000);
});
