/**
 * The Console on the job queue (`jobs.workers` with a PostgreSQL state), with real `ferry worker`
 * child processes: a run started from the API is queued, followed (waiting → shards → settled)
 * and reported as the settle reported it; Stop ends a queued run `interrupted` with who asked and
 * frees the lock; a terminal's `ferry sync` on a PostgreSQL state stops from the Console; the
 * Console's schedules live in pg-boss cron and fire once, with the Console down.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { openJobQueue } from '../../src/app/jobs.js';
import { ferryConfigSchema, type FerryConfig } from '../../src/config/schema.js';
import { createConsole, type ConsoleServer } from '../../src/server/app.js';
import type { RunProgress } from '../../src/server/api/contract.js';
import { lockNameFor } from '../../src/sync/index.js';
import type { RunReport } from '../../src/sync/report.js';
import { pgProblem, serviceGate } from '../erp/sql/databases.js';
import { signIn, silent, type Session } from '../server/support.js';
import { tempDirs } from '../sync/support/e2e.js';
import { dropSchemas, exitWithin, PG_URL, setUp, spawnFerry, stopAll, uniqueSchema } from './support.js';

const enabled = serviceGate('PostgreSQL (127.0.0.1:5432)', await pgProblem());
const tempDir = tempDirs('ferry-console-queue-');
const schemas: string[] = [];
afterAll(async () => {
  if (enabled) await dropSchemas(...schemas);
});

async function query<R extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<R[]> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    return (await c.query<R>(sql, values)).rows;
  } finally {
    await c.end();
  }
}

async function consoleOn(config: FerryConfig, dir: string): Promise<{ server: ConsoleServer; olga: Session }> {
  const server = await createConsole({ config, logger: silent, consoleDbPath: join(dir, 'console.db') });
  if (!server.ctx.auth.findUserByName('olga')) await server.ctx.auth.addUser('olga', 'operator', 'olga-password-1');
  return { server, olga: await signIn(server, 'olga', 'olga-password-1') };
}

type RunDetail = { run: { id: number; status: string; cancellable: boolean }; report: (RunReport & { interrupted?: { reason: string } }) | null };

async function detail(server: ConsoleServer, s: Session, runId: number): Promise<RunDetail> {
  return (await server.app.inject({ method: 'GET', url: `/api/v1/runs/${runId}`, headers: s.headers })).json() as RunDetail;
}

/** What the queue's settle stored as the run's report. */
async function settledReport(schema: string, runId: number): Promise<RunReport> {
  const rows = await query<{ status: string; report: RunReport }>(`SELECT status, report FROM "${schema}".ferry_job_run WHERE run_id = $1`, [runId]);
  expect(rows[0]?.status).toBe('settled');
  return rows[0]!.report;
}

describe.runIf(enabled)('the Console on the job queue', () => {
  it('a run started from the API goes to the queue: running with its shards, then settled with the settle report', async () => {
    const dir = tempDir();
    const schema = uniqueSchema('ferry_cq_run');
    schemas.push(schema);
    const { sb, config, file } = await setUp(dir, { items: 200, schema, latency: '20ms' });
    const workers = [spawnFerry(['worker', '--config', file], dir)];
    const { server, olga } = await consoleOn(config, dir);
    try {
      const res = await server.app.inject({ method: 'POST', url: '/api/v1/runs', headers: olga.headers, payload: { mode: 'full' } });
      expect(res.statusCode, res.body).toBe(202);
      const { runId, jobId } = res.json() as { runId: number; jobId: string };
      expect(runId).toBeGreaterThan(0);
      // Enqueued: the run row and the queue's row exist at once, the run shows running and stoppable.
      const going = await detail(server, olga, runId);
      expect(going.run).toMatchObject({ status: 'running', cancellable: true });
      expect((await query(`SELECT run_id FROM "${schema}".ferry_job_run`)).length).toBe(1);
      // A second run is refused while this one holds the lock (the same 409 as for a run in the Console).
      const second = await server.app.inject({ method: 'POST', url: '/api/v1/runs', headers: olga.headers, payload: { mode: 'delta' } });
      expect(second.statusCode).toBe(409);
      const job = server.ctx.manager.job(jobId)!;
      const seen: RunProgress[] = [job.last];
      server.ctx.manager.subscribe(job, { progress: (p) => seen.push(p), done: () => undefined });
      await server.ctx.manager.idle();
      expect(job.state).toBe('finished');
      const phases = [...new Set(seen.map((p) => p.phase))];
      expect(phases).toContain('shards');
      expect(phases.at(-1)).toBe('done');
      const sharded = seen.find((p) => p.phase === 'shards' && p.shardsTotal);
      expect(sharded?.shardsTotal).toBeGreaterThan(1);
      expect(job.done).toMatchObject({ runId, status: 'succeeded' });
      const queued = await settledReport(schema, runId);
      expect(job.report).toEqual(queued);
      const after = await detail(server, olga, runId);
      expect(after.run).toMatchObject({ status: 'succeeded', cancellable: false });
      expect(after.report?.counts).toEqual(queued.counts);
      expect(after.report?.byType).toEqual(queued.byType);
      expect(queued.byType.product.created).toBeGreaterThan(0);
      // Settled: what only the parts' retries read is gone (one row per record of every run otherwise).
      for (const table of ['ferry_job_written', 'ferry_job_attempt', 'ferry_job_option_claim']) {
        expect((await query(`SELECT 1 FROM "${schema}".${table} WHERE run_id = $1`, [runId])).length, table).toBe(0);
      }
    } finally {
      await server.close();
      await stopAll(workers);
      await sb.close();
    }
  }, 180_000);

  it('Stop on a queued run: the parts stop, the run ends interrupted naming who asked, the lock is free for the next run', async () => {
    const dir = tempDir();
    const schema = uniqueSchema('ferry_cq_stop');
    schemas.push(schema);
    const { sb, config, file } = await setUp(dir, { items: 300, schema, latency: '50ms+1ms/line' });
    const workers = [spawnFerry(['worker', '--config', file], dir)];
    const { server, olga } = await consoleOn(config, dir);
    try {
      const res = await server.app.inject({ method: 'POST', url: '/api/v1/runs', headers: olga.headers, payload: { mode: 'full' } });
      expect(res.statusCode, res.body).toBe(202);
      const { runId, jobId } = res.json() as { runId: number; jobId: string };
      const job = server.ctx.manager.job(jobId)!;
      // Mid-way: one shard of about eight done.
      await expect.poll(() => job.last.shardsDone ?? 0, { timeout: 120_000, interval: 200 }).toBeGreaterThanOrEqual(1);
      // The live page counts the PIM requests of the parts finished so far (the plan's, a shard's), not only once settled.
      expect(job.last.requests).toBeGreaterThan(0);
      const cancel = await server.app.inject({ method: 'POST', url: `/api/v1/runs/${runId}/cancel`, headers: olga.headers });
      expect(cancel.statusCode, cancel.body).toBe(202);
      expect(job.last.cancelling).toBe(true);
      await server.ctx.manager.idle();
      expect(job.done).toMatchObject({ runId, status: 'interrupted' });
      const stopped = await detail(server, olga, runId);
      expect(stopped.run.status).toBe('interrupted');
      expect(stopped.report?.interrupted?.reason).toBe('cancelled from the Console by user:olga');
      const queued = await settledReport(schema, runId);
      expect(queued.status).toBe('interrupted');
      // Fewer records than the catalog: the shards not begun did nothing.
      expect(queued.counts.read).toBeLessThan(300);
      const parts = await query<{ part: number; status: string; read: number }>(`SELECT part, status, (report->'counts'->>'read')::int AS read FROM "${schema}".ferry_job_part WHERE run_id = $1 ORDER BY part`, [runId]);
      const [run] = await query<{ shards: number }>(`SELECT shards FROM "${schema}".ferry_job_run WHERE run_id = $1`, [runId]);
      expect(parts.length).toBe(run!.shards + 1);
      expect(parts.filter((p) => p.status === 'interrupted' && p.read === 0).length).toBeGreaterThanOrEqual(1);
      // The lock is released and the watermarks did not move: the next run starts and does the rest.
      expect(await query(`SELECT owner FROM "${schema}".locks WHERE name = $1`, [lockNameFor(config.pim)])).toEqual([]);
      expect(await query(`SELECT stream FROM "${schema}".watermarks`)).toEqual([]);
      const next = await server.app.inject({ method: 'POST', url: '/api/v1/runs', headers: olga.headers, payload: { mode: 'delta' } });
      expect(next.statusCode, next.body).toBe(202);
      await server.ctx.manager.idle();
      const nextRun = (next.json() as { runId: number }).runId;
      expect((await detail(server, olga, nextRun)).run.status).toBe('succeeded');
    } finally {
      await server.close();
      await stopAll(workers);
      await sb.close();
    }
  }, 240_000);

  it("a terminal's ferry sync on a PostgreSQL state (no workers) stops from the Console", async () => {
    const dir = tempDir();
    const schema = uniqueSchema('ferry_cq_cli');
    schemas.push(schema);
    // Slow per line: the terminal's run is still sending its first batches when the Console stops it.
    const { sb, config, file } = await setUp(dir, { items: 150, schema, latency: '50ms+40ms/line', jobs: { workers: false } });
    const { server, olga } = await consoleOn(config, dir);
    try {
      const sync = spawnFerry(['sync', '--config', file, '--full', '--json'], dir);
      let runId: number | null = null;
      for (let i = 0; i < 600 && runId === null; i++) {
        const list = (await server.app.inject({ method: 'GET', url: '/api/v1/runs', headers: olga.headers })).json() as { items: { id: number; status: string; cancellable: boolean }[] };
        const going = list.items.find((r) => r.status === 'running' && r.cancellable);
        if (going) runId = going.id;
        else await new Promise((r) => setTimeout(r, 100));
      }
      expect(runId, `the terminal run shows as running and stoppable; ferry sync said: ${sync.err()}`).not.toBeNull();
      const cancel = await server.app.inject({ method: 'POST', url: `/api/v1/runs/${runId}/cancel`, headers: olga.headers });
      expect(cancel.statusCode, cancel.body).toBe(202);
      expect(await exitWithin(sync, 120_000)).toBe(1);
      expect(sync.err()).toContain('the Console asked to stop this run (user:olga)');
      const report = JSON.parse(sync.out()) as { runId: number; status: string };
      expect(report).toMatchObject({ runId, status: 'interrupted' });
      const stopped = await detail(server, olga, runId!);
      expect(stopped.run).toMatchObject({ status: 'interrupted', cancellable: false });
      expect(stopped.report?.interrupted?.reason).toBe('cancelled from the Console by user:olga');
      // Nothing left to stop.
      expect((await server.app.inject({ method: 'POST', url: `/api/v1/runs/${runId}/cancel`, headers: olga.headers })).statusCode).toBe(409);
    } finally {
      await server.close();
      await sb.close();
    }
  }, 180_000);

  it("the Console's schedules are pg-boss cron schedules: edited with the Console, fired once by two workers while the Console is down", async () => {
    const dir = tempDir();
    const schema = uniqueSchema('ferry_cq_sched');
    schemas.push(schema);
    const { sb, config, file } = await setUp(dir, { items: 40, schema, latency: '0ms' });
    const jobs = await openJobQueue(config, silent);
    const queued = async () => (await jobs.schedules()).filter((s) => s.name.startsWith('console-')).map(({ name, cron, tz }) => ({ name, cron, tz }));
    let { server, olga } = await consoleOn(config, dir);
    const workers = [1, 2].map(() => spawnFerry(['worker', '--config', file], dir));
    try {
      const body = { name: 'Every minute', spec: { kind: 'cron', expression: '* * * * *' }, timezone: 'Europe/Paris', mode: 'full', enabled: true };
      const created = await server.app.inject({ method: 'POST', url: '/api/v1/schedules', headers: olga.headers, payload: body });
      expect(created.statusCode, created.body).toBe(201);
      const { id, nextRuns } = created.json() as { id: number; nextRuns: string[] };
      // The Console still shows the next occurrences; its own scheduler does not fire this one.
      expect(nextRuns.length).toBe(5);
      expect(server.ctx.scheduler.nextDue()?.schedule.id).toBe(id);
      expect(server.ctx.scheduler.nextDue(true)).toBeNull();
      expect(await queued()).toEqual([{ name: `console-${id}`, cron: '* * * * *', tz: 'Europe/Paris' }]);
      // Paused: out of the queue; resumed every two hours: back, with its new calendar.
      const paused = await server.app.inject({ method: 'PUT', url: `/api/v1/schedules/${id}`, headers: olga.headers, payload: { ...body, enabled: false } });
      expect(paused.statusCode, paused.body).toBe(200);
      expect(await queued()).toEqual([]);
      await server.app.inject({ method: 'PUT', url: `/api/v1/schedules/${id}`, headers: olga.headers, payload: { ...body, spec: { kind: 'everyHours', hours: 2 } } });
      expect(await queued()).toEqual([{ name: `console-${id}`, cron: '0 */2 * * *', tz: 'Europe/Paris' }]);
      // Deleted: gone from the queue.
      expect((await server.app.inject({ method: 'DELETE', url: `/api/v1/schedules/${id}`, headers: olga.headers })).statusCode).toBe(204);
      expect(await queued()).toEqual([]);

      // A schedule the queue lost (or made while it was away) is copied at the Console's start.
      const every = server.ctx.schedules.create({ name: 'Every minute', spec: { kind: 'cron', expression: '* * * * *' }, timezone: 'UTC', mode: 'full', enabled: true });
      await jobs.schedule('console-999', '0 3 * * *', 'UTC', {});
      await server.close();
      ({ server, olga } = await consoleOn(config, dir));
      server.start();
      await expect.poll(queued, { timeout: 20_000 }).toEqual([{ name: `console-${every.id}`, cron: '* * * * *', tz: 'UTC' }]);
      // The Console goes down: the workers fire the next minute's occurrence, once.
      await server.close();
      const fired = async () =>
        query<{ minute: Date; n: string }>(`SELECT date_trunc('minute', created_on) AS minute, count(*) AS n FROM "${schema}_jobs".job WHERE name = $1 GROUP BY 1 ORDER BY 1`, [
          `ferry-schedule.console-${every.id}`,
        ]);
      await expect.poll(async () => (await fired()).length, { timeout: 85_000, interval: 500 }).toBeGreaterThanOrEqual(1);
      const first = (await fired())[0]!;
      // Both workers check the clock every 10 s: the same minute is not sent again.
      await new Promise((r) => setTimeout(r, 12_000));
      expect((await fired()).filter((r) => r.minute.getTime() === first.minute.getTime()).map((r) => Number(r.n))).toEqual([1]);
      const runs = await query<{ run_id: number }>(`SELECT run_id FROM "${schema}".ferry_job_run ORDER BY run_id`);
      expect(runs.length).toBeGreaterThanOrEqual(1);
      const report = await jobs.waitForRun(runs[0]!.run_id);
      expect(report.status).toBe('succeeded');
      expect(report.mode).toBe('full');
      // The Console, back, says which schedule started the run a worker queued (not a terminal's "cli").
      ({ server, olga } = await consoleOn(config, dir));
      const detail = await server.app.inject({ method: 'GET', url: `/api/v1/runs/${runs[0]!.run_id}`, headers: olga.headers });
      expect(detail.statusCode, detail.body).toBe(200);
      expect((detail.json() as { run: { startedBy: string } }).run.startedBy).toBe('schedule:Every minute');
      const listed = await server.app.inject({ method: 'GET', url: '/api/v1/runs', headers: olga.headers });
      expect((listed.json() as { items: { id: number; startedBy: string }[] }).items.find((r) => r.id === runs[0]!.run_id)?.startedBy).toBe('schedule:Every minute');
      // The schedule's history lists the occurrence the worker fired, with its run, once however often it is read.
      const history = async () => {
        const res = await server.app.inject({ method: 'GET', url: `/api/v1/schedules/${every.id}/occurrences`, headers: olga.headers });
        expect(res.statusCode, res.body).toBe(200);
        return (res.json() as { items: { runId: number | null; outcome: string; scheduledFor: string }[] }).items;
      };
      const occurrences = await history();
      expect(occurrences.filter((o) => o.runId === runs[0]!.run_id)).toEqual([{ runId: runs[0]!.run_id, outcome: 'started', scheduledFor: expect.stringMatching(/:00\.000Z$/) }].map((o) => expect.objectContaining(o)));
      expect((await history()).length).toBe(occurrences.length);
      const card = await server.app.inject({ method: 'GET', url: '/api/v1/schedules', headers: olga.headers });
      expect((card.json() as { items: { id: number; lastOccurrence: { outcome: string } | null }[] }).items.find((x) => x.id === every.id)?.lastOccurrence?.outcome).toBe('started');
      await server.close();
      await jobs.unschedule(`console-${every.id}`);
    } finally {
      await server.close().catch(() => undefined);
      await stopAll(workers);
      await jobs.close();
      await sb.close();
    }
  }, 240_000);

  it('jobs.workers switched on or off in a saved ferry.yaml moves the import schedules into or out of the queue, without a restart', async () => {
    const dir = tempDir();
    const schema = uniqueSchema('ferry_cq_toggle');
    schemas.push(schema);
    const { sb, config, raw, file } = await setUp(dir, { items: 10, schema, latency: '0ms' });
    const withWorkers = (on: boolean) => writeFileSync(file, stringify({ ...raw, jobs: { ...(raw.jobs as object), workers: on } }));
    withWorkers(false);
    const jobs = await openJobQueue(config, silent);
    const queued = async () => (await jobs.schedules()).filter((s) => s.name.startsWith('console-')).map((s) => s.name);
    const server = await createConsole({ config: ferryConfigSchema.parse({ ...raw, jobs: { ...(raw.jobs as object), workers: false } }), configFile: file, logger: silent, consoleDbPath: join(dir, 'console.db') });
    await server.ctx.auth.addUser('olga', 'operator', 'olga-password-1');
    const olga = await signIn(server, 'olga', 'olga-password-1');
    try {
      const body = { name: 'Nightly', spec: { kind: 'cron', expression: '0 2 * * *' }, timezone: 'UTC', mode: 'full', enabled: true };
      const created = await server.app.inject({ method: 'POST', url: '/api/v1/schedules', headers: olga.headers, payload: body });
      expect(created.statusCode, created.body).toBe(201);
      const { id } = created.json() as { id: number };
      // No workers: the Console fires it, the queue does not have it.
      expect(server.ctx.scheduler.nextDue(true)?.schedule.id).toBe(id);
      expect(await queued()).toEqual([]);

      // Workers switched on (the Console's save of ferry.yaml): the queue has it, the Console leaves it to the workers.
      withWorkers(true);
      await server.ctx.onConfigSaved?.();
      expect(await queued()).toEqual([`console-${id}`]);
      expect(server.ctx.scheduler.nextDue(true)).toBeNull();

      // And off again: out of the queue (a worker would fire it beside the Console), the Console fires it.
      withWorkers(false);
      await server.ctx.onConfigSaved?.();
      expect(await queued()).toEqual([]);
      expect(server.ctx.scheduler.nextDue(true)?.schedule.id).toBe(id);
    } finally {
      await server.close();
      await jobs.close();
      await sb.close();
    }
  }, 60_000);
});
