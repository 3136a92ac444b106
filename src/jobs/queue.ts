/**
 * The job queue on the PostgreSQL state database: pg-boss (10.x) for the jobs — delivery to one
 * worker, retries, expiry of a dead worker's job, cron schedules fired once across every worker —
 * and two small tables of Ferry's for what pg-boss does not know: which run a job belongs to and
 * the reports of the run's parts, so the last shard to finish can tell and the settle can merge.
 *
 * Knows no Ferry type beyond JSON: the run's logic (what a plan, a shard and a settle do) is the
 * composition root's (src/app/jobs.ts).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { inTransaction } from '../util/pg-transaction.js';

/** The queues of a run's parts. A schedule gets a queue of its own (pg-boss keys a schedule by its queue). */
export const QUEUES = { plan: 'ferry-plan', shard: 'ferry-shard', settle: 'ferry-settle' } as const;
const SCHEDULE_PREFIX = 'ferry-schedule.';
/**
 * The PostgreSQL channel of Ferry's wake-ups: a job was sent to a queue (payload: JSON
 * `{schema, queue}`). pg-boss 10 only polls; with it, an idle worker takes a run's plan, its
 * shards and its settle at once instead of at its next poll (jobs.pollSeconds, the fallback).
 */
const WAKE_CHANNEL = 'ferry_jobs';
const RELISTEN_MS = 1_000;

export interface QueueSettings {
  url: string;
  /** The state's schema: Ferry's job tables go next to its other tables. */
  schema: string;
  shardExpireSeconds: number;
  retryLimit: number;
  maintenanceSeconds: number;
  pollSeconds: number;
  onError?: (err: Error) => void;
}

/** A queued run as the queue's table keeps it. */
export interface QueuedRun {
  runId: number;
  lockName: string;
  owner: string;
  /** The run's options (JSON), as the CLI or a schedule gave them. */
  options: Record<string, unknown>;
  /** planning → sharded (shards counted, watermarks known) → settled (report stored). */
  status: 'planning' | 'sharded' | 'settled';
  shards: number | null;
  watermarks: Record<string, string | null> | null;
  report: unknown;
  /** Parts whose final report is stored (the plan is part 0). */
  partsDone: number;
  /** Whether a worker has worked on the run yet. */
  touched: boolean;
  /** The last sign of life: a worker's heartbeat, the plan, the settle, or the enqueue. */
  updatedAt: Date;
}

export interface ShardJob {
  runId: number;
  part: number;
  keys: string[];
}

export interface RunJob {
  runId: number;
}

export interface ScheduleJob {
  /** The run's options (JSON). */
  options: Record<string, unknown>;
  /** Who the runs say started them (`schedule:<name>`); absent in schedules from before it was kept. */
  startedBy?: string;
}

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

export class JobQueue {
  private readonly t: { run: string; part: string; attempt: string; optionClaim: string; written: string };
  /** pg-boss's ids of this process's workers, per queue: the ones a wake-up notifies. */
  private readonly workerIds = new Map<string, string[]>();
  /** The connection that LISTENs for wake-ups, once a worker works here. */
  private listener: pg.Client | null = null;
  private listening = false;
  private closing = false;
  /** recordWritten's connection (synchronous_commit off), opened on first use. */
  private hintPool: pg.Pool | null = null;

  private constructor(
    readonly boss: PgBoss,
    private readonly pool: pg.Pool,
    private readonly settings: QueueSettings,
  ) {
    this.t = { run: `${ident(settings.schema)}.ferry_job_run`, part: `${ident(settings.schema)}.ferry_job_part`, attempt: `${ident(settings.schema)}.ferry_job_attempt`, optionClaim: `${ident(settings.schema)}.ferry_job_option_claim`, written: `${ident(settings.schema)}.ferry_job_written` };
  }

  /** Starts pg-boss (creating or migrating its schema) and Ferry's job tables. */
  static async open(settings: QueueSettings): Promise<JobQueue> {
    const boss = new PgBoss({
      connectionString: settings.url,
      schema: `${settings.schema}_jobs`,
      max: 4,
      maintenanceIntervalSeconds: settings.maintenanceSeconds,
      // A schedule's occurrence is sent by whichever worker checks first; pg-boss lets one check per interval.
      cronMonitorIntervalSeconds: 10,
      cronWorkerIntervalSeconds: Math.max(1, Math.round(settings.pollSeconds)),
      // Finished jobs are history: the run's report is in the state; keep them a week for inspection.
      deleteAfterDays: 7,
    });
    boss.on('error', (err) => settings.onError?.(err));
    const pool = new pg.Pool({ connectionString: settings.url, max: 4 });
    const q = new JobQueue(boss, pool, settings);
    // Workers starting together take turns: pg-boss's first start, its queues and Ferry's tables
    // (CREATE … IF NOT EXISTS) deadlock or collide when run at once on a new database.
    const gate = await pool.connect();
    try {
      await gate.query('SELECT pg_advisory_lock(hashtext($1))', [`ferry-job-queue:${settings.schema}`]);
      await boss.start();
      await q.createTables(gate);
      for (const name of Object.values(QUEUES)) if (!(await boss.getQueue(name))) await boss.createQueue(name);
    } catch (err) {
      await boss.stop({ graceful: false, wait: false }).catch(() => undefined);
      throw err;
    } finally {
      await gate.query('SELECT pg_advisory_unlock(hashtext($1))', [`ferry-job-queue:${settings.schema}`]).catch(() => undefined);
      gate.release();
    }
    return q;
  }

  private async createTables(db: pg.PoolClient): Promise<void> {
    await db.query(`CREATE SCHEMA IF NOT EXISTS ${ident(this.settings.schema)}`);
    await db.query(`CREATE TABLE IF NOT EXISTS ${this.t.run} (
      run_id integer PRIMARY KEY,
      lock_name text NOT NULL,
      owner text NOT NULL,
      options jsonb NOT NULL,
      status text NOT NULL DEFAULT 'planning',
      shards integer,
      watermarks jsonb,
      report jsonb,
      touched_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now())`);
    await db.query(`CREATE TABLE IF NOT EXISTS ${this.t.part} (
      run_id integer NOT NULL,
      part integer NOT NULL,
      status text NOT NULL,
      report jsonb NOT NULL,
      PRIMARY KEY (run_id, part))`);
    // Added after the first release of the queue: tables made before get the columns here.
    await db.query(`ALTER TABLE ${this.t.run} ADD COLUMN IF NOT EXISTS input jsonb`);
    await db.query(`ALTER TABLE ${this.t.part} ADD COLUMN IF NOT EXISTS extra jsonb`);
    await db.query(`ALTER TABLE ${this.t.run} ADD COLUMN IF NOT EXISTS structure jsonb`);
    await db.query(`ALTER TABLE ${this.t.run} ADD COLUMN IF NOT EXISTS settle_sent boolean NOT NULL DEFAULT false`);
    await db.query(`CREATE TABLE IF NOT EXISTS ${this.t.attempt} (
      run_id integer NOT NULL,
      part integer NOT NULL,
      data jsonb NOT NULL,
      PRIMARY KEY (run_id, part))`);
    await db.query(`CREATE TABLE IF NOT EXISTS ${this.t.written} (
      run_id integer NOT NULL,
      part integer NOT NULL,
      stream text NOT NULL,
      key text NOT NULL,
      outcome text NOT NULL,
      PRIMARY KEY (run_id, part, stream, key))`);
    await db.query(`CREATE TABLE IF NOT EXISTS ${this.t.optionClaim} (
      run_id integer NOT NULL,
      code text NOT NULL,
      part integer NOT NULL,
      PRIMARY KEY (run_id, code))`);
  }

  private get jobOptions() {
    return { retryLimit: this.settings.retryLimit, retryDelay: 2, retryBackoff: true };
  }

  /** Records a run the caller took the lock and the run row for, and sends its plan job. */
  async enqueueRun(run: { runId: number; lockName: string; owner: string; options: Record<string, unknown> }): Promise<void> {
    await this.pool.query(`INSERT INTO ${this.t.run} (run_id, lock_name, owner, options) VALUES ($1, $2, $3, $4)`, [run.runId, run.lockName, run.owner, JSON.stringify(run.options)]);
    // The plan reads the whole ERP's keys and runs categories and options: as long as a shard may take.
    await this.boss.send(QUEUES.plan, { runId: run.runId } satisfies RunJob, { ...this.jobOptions, expireInSeconds: this.settings.shardExpireSeconds });
    await this.wake(this.pool, QUEUES.plan);
  }

  /** Tells the workers listening (any process) that `queue` has a job; in a transaction, on commit. */
  private async wake(db: { query(text: string, values: unknown[]): Promise<unknown> }, queue: string): Promise<void> {
    await db.query('SELECT pg_notify($1, $2)', [WAKE_CHANNEL, JSON.stringify({ schema: this.settings.schema, queue })]);
  }

  /**
   * LISTENs for wake-ups on a connection of its own, and notifies this process's workers of the
   * queue named. A lost connection is opened again after a second; meanwhile workers poll.
   */
  private async listen(): Promise<void> {
    if (this.listening) return;
    this.listening = true;
    const connect = async (): Promise<void> => {
      if (this.closing) return;
      const client = new pg.Client({ connectionString: this.settings.url });
      let lost = false;
      const again = (err?: Error) => {
        if (lost) return;
        lost = true;
        this.listener = null;
        client.end().catch(() => undefined);
        if (this.closing) return;
        if (err) this.settings.onError?.(err);
        setTimeout(() => void connect(), RELISTEN_MS).unref();
      };
      client.on('error', again);
      client.on('end', () => again());
      client.on('notification', (msg) => {
        let wake: { schema?: unknown; queue?: unknown };
        try {
          wake = JSON.parse(msg.payload ?? '') as typeof wake;
        } catch {
          return;
        }
        if (wake.schema !== this.settings.schema || typeof wake.queue !== 'string') return;
        for (const id of this.workerIds.get(wake.queue) ?? []) this.boss.notifyWorker(id);
      });
      try {
        await client.connect();
        await client.query(`LISTEN ${WAKE_CHANNEL}`);
        this.listener = client;
      } catch (err) {
        again(err as Error);
      }
    };
    await connect();
  }

  async getRun(runId: number): Promise<QueuedRun | null> {
    const { rows } = await this.pool.query<{
      run_id: number;
      lock_name: string;
      owner: string;
      options: Record<string, unknown>;
      status: QueuedRun['status'];
      shards: number | null;
      watermarks: Record<string, string | null> | null;
      report: unknown;
      done: string;
      touched_at: Date | null;
      updated_at: Date;
    }>(`SELECT r.*, (SELECT count(*) FROM ${this.t.part} p WHERE p.run_id = r.run_id) AS done FROM ${this.t.run} r WHERE r.run_id = $1`, [runId]);
    const r = rows[0];
    if (!r) return null;
    return { runId: r.run_id, lockName: r.lock_name, owner: r.owner, options: r.options, status: r.status, shards: r.shards, watermarks: r.watermarks, report: r.report,
      partsDone: Number(r.done),
      touched: r.touched_at !== null,
      updatedAt: r.touched_at && r.touched_at > r.updated_at ? r.touched_at : r.updated_at,
    };
  }

  /**
   * The plan's outcome: the shards are counted and sent in one transaction with the run's row, so a
   * plan job retried after this point finds the run sharded and sends nothing twice. No shard: the
   * settle goes at once.
   */
  async planned(runId: number, shards: string[][], watermarks: Record<string, string | null>): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const { rowCount } = await client.query(`UPDATE ${this.t.run} SET status = 'sharded', shards = $2, watermarks = $3, updated_at = now() WHERE run_id = $1 AND status = 'planning'`, [
        runId,
        shards.length,
        JSON.stringify(watermarks),
      ]);
      if (rowCount !== 1) return false;
      // In the planner's order (pg-boss takes the highest priority first; without it, jobs sent
      // together come in random order): the small first ones start the run, the small last ones
      // fill the gaps at its end (planShards).
      const jobs = shards.map((keys, i) => ({
        id: randomUUID(),
        name: QUEUES.shard,
        data: { runId, part: i + 1, keys } satisfies ShardJob,
        ...this.jobOptions,
        priority: shards.length - i,
        expireInSeconds: this.settings.shardExpireSeconds,
      }));
      if (jobs.length > 0) {
        await this.boss.insert(jobs, { db: bossDb(client) });
        await this.wake(client, QUEUES.shard);
      }
      return true;
    });
  }

  /**
   * Stores a part's final report (the plan is part 0; a shard retried replaces its row, so it is
   * counted once) and sends the settle when every part is in, exactly once. Two last shards
   * finishing together queue behind the run's row lock: the first to see every part in marks the
   * settle sent and sends it in the same transaction. pg-boss's singleton key cannot do this: on a
   * standard queue it keeps nothing unique, and two settles ran the EE deletion policy twice (the
   * second one's 404s became the run's report).
   */
  async partDone(runId: number, part: number, status: string, report: unknown, extra: unknown = null): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{ status: string; shards: number | null; settle_sent: boolean }>(
        `SELECT status, shards, settle_sent FROM ${this.t.run} WHERE run_id = $1 FOR UPDATE`,
        [runId],
      );
      await client.query(
        `INSERT INTO ${this.t.part} (run_id, part, status, report, extra) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (run_id, part) DO UPDATE SET status = excluded.status, report = excluded.report, extra = excluded.extra`,
        [runId, part, status, JSON.stringify(report), extra === null ? null : JSON.stringify(extra)],
      );
      const run = rows[0];
      if (!run || run.status !== 'sharded' || run.shards === null || run.settle_sent) return;
      const { rows: counted } = await client.query<{ done: string }>(`SELECT count(*) AS done FROM ${this.t.part} WHERE run_id = $1`, [runId]);
      if (Number(counted[0]?.done ?? 0) < run.shards + 1) return;
      await client.query(`UPDATE ${this.t.run} SET settle_sent = true WHERE run_id = $1`, [runId]);
      await this.sendSettle(runId, client);
    });
  }

  /** Sends the run's settle job, in `client`'s transaction (its wake-up goes on commit). */
  private async sendSettle(runId: number, client: pg.PoolClient): Promise<void> {
    await this.boss.send(QUEUES.settle, { runId } satisfies RunJob, { ...this.jobOptions, expireInSeconds: 300, db: bossDb(client) });
    await this.wake(client, QUEUES.settle);
  }

  /**
   * What the run's parts read (e.g. the manifest of a drop folder's files), stored by the first
   * part that asks: every later call, from any worker, gets that first value.
   */
  async runInput(runId: number, input: () => Promise<unknown>): Promise<unknown> {
    const stored = await this.pool.query<{ input: unknown }>(`SELECT input FROM ${this.t.run} WHERE run_id = $1`, [runId]);
    if (stored.rows[0]?.input != null) return stored.rows[0].input;
    const value = JSON.stringify(await input());
    const { rows } = await this.pool.query<{ input: unknown }>(`UPDATE ${this.t.run} SET input = COALESCE(input, $2::jsonb) WHERE run_id = $1 RETURNING input`, [runId, value]);
    return rows[0]?.input ?? null;
  }

  /**
   * The PIM structure the plan loaded (plain lists, src/mapping/pim-structure.ts structureParts):
   * each worker's first shard of the run builds its structure from it instead of listing the PIM
   * again (a dozen calls and about a second at every worker's start). The last plan attempt's wins.
   */
  async keepStructure(runId: number, structure: unknown): Promise<void> {
    await this.pool.query(`UPDATE ${this.t.run} SET structure = $2 WHERE run_id = $1`, [runId, JSON.stringify(structure)]);
  }

  /** The structure the run's plan kept, or null (a plan from before it kept one). */
  async runStructure(runId: number): Promise<unknown> {
    const { rows } = await this.pool.query<{ structure: unknown }>(`SELECT structure FROM ${this.t.run} WHERE run_id = $1`, [runId]);
    return rows[0]?.structure ?? null;
  }

  /**
   * Options (`attribute:code`) a shard would create: each is claimed by the first shard that asks,
   * which writes it; returns those that are `part`'s (claimed now or by an earlier attempt of it).
   */
  async claimOptions(runId: number, part: number, codes: readonly string[]): Promise<Set<string>> {
    const { rows } = await this.pool.query<{ code: string }>(
      `INSERT INTO ${this.t.optionClaim} (run_id, code, part) SELECT $1, code, $2 FROM unnest($3::text[]) AS code
       ON CONFLICT (run_id, code) DO UPDATE SET part = excluded.part WHERE ${this.t.optionClaim}.part = excluded.part
       RETURNING code`,
      [runId, part, codes],
    );
    return new Set(rows.map((r) => r.code));
  }

  /**
   * A part's first attempt's notes (e.g. a shard's state before it wrote anything): stored once;
   * every attempt, the first included, gets the first's.
   */
  async firstAttempt(runId: number, part: number, data: unknown): Promise<unknown> {
    await this.pool.query(`INSERT INTO ${this.t.attempt} (run_id, part, data) VALUES ($1, $2, $3) ON CONFLICT (run_id, part) DO NOTHING`, [runId, part, JSON.stringify(data)]);
    const { rows } = await this.pool.query<{ data: unknown }>(`SELECT data FROM ${this.t.attempt} WHERE run_id = $1 AND part = $2`, [runId, part]);
    return rows[0]?.data ?? null;
  }

  /**
   * What an attempt of a part wrote to the PIM, batch by batch once the state committed it
   * (`created` stays created when a later attempt writes it again): a retry after a kill finds
   * those records unchanged and counts them as this run wrote them.
   */
  async recordWritten(runId: number, part: number, rows: readonly { stream: string; key: string; outcome: 'created' | 'updated' }[]): Promise<void> {
    if (rows.length === 0) return;
    // One row per record (a group's root model and sub-models settle in one batch): an upsert may
    // touch a row once. Created stays created.
    const byRecord = new Map<string, { stream: string; key: string; outcome: 'created' | 'updated' }>();
    for (const r of rows) {
      const id = `${r.stream}\u0000${r.key}`;
      if (byRecord.get(id)?.outcome !== 'created') byRecord.set(id, r);
    }
    const unique = [...byRecord.values()];
    // Its own connection, committing without waiting for the disk: a batch's note is a counting
    // hint, and a flush per batch beside the state's own commits slowed a 100,000-item run by 5 s.
    this.hintPool ??= new pg.Pool({ connectionString: this.settings.url, max: 1, options: '-c synchronous_commit=off' });
    await this.hintPool.query(
      `INSERT INTO ${this.t.written} (run_id, part, stream, key, outcome)
       SELECT $1, $2, r.stream, r.key, r.outcome FROM unnest($3::text[], $4::text[], $5::text[]) AS r(stream, key, outcome)
       ON CONFLICT (run_id, part, stream, key) DO UPDATE SET outcome = CASE WHEN ${this.t.written}.outcome = 'created' THEN 'created' ELSE excluded.outcome END`,
      [runId, part, unique.map((r) => r.stream), unique.map((r) => r.key), unique.map((r) => r.outcome)],
    );
  }

  /** What earlier attempts of the part wrote (recordWritten), by `stream\u0000key`. */
  async writtenEarlier(runId: number, part: number): Promise<Map<string, 'created' | 'updated'>> {
    const { rows } = await this.pool.query<{ stream: string; key: string; outcome: 'created' | 'updated' }>(`SELECT stream, key, outcome FROM ${this.t.written} WHERE run_id = $1 AND part = $2`, [runId, part]);
    return new Map(rows.map((r) => [`${r.stream}\u0000${r.key}`, r.outcome]));
  }

  /** A worker's sign of life on the run (waitForRun tells a run no worker works on). */
  async touch(runId: number): Promise<void> {
    await this.pool.query(`UPDATE ${this.t.run} SET touched_at = now() WHERE run_id = $1`, [runId]);
  }

  /** The parts' reports, plan first. */
  async partReports(runId: number): Promise<{ part: number; status: string; report: unknown; extra: unknown }[]> {
    const { rows } = await this.pool.query<{ part: number; status: string; report: unknown; extra: unknown }>(`SELECT part, status, report, extra FROM ${this.t.part} WHERE run_id = $1 ORDER BY part`, [runId]);
    return rows;
  }

  /**
   * The run is over: its report, and no job of it does anything any more. What only its parts'
   * retries read (first attempts' notes, option claims, what attempts wrote) goes: one row per
   * record of every run otherwise.
   */
  async settled(runId: number, report: unknown): Promise<void> {
    await this.pool.query(`UPDATE ${this.t.run} SET status = 'settled', report = $2, updated_at = now() WHERE run_id = $1`, [runId, JSON.stringify(report)]);
    for (const table of [this.t.written, this.t.attempt, this.t.optionClaim]) await this.pool.query(`DELETE FROM ${table} WHERE run_id = $1`, [runId]);
  }

  /** Runs `handler` for each job of `queue`, `concurrency` at a time; a throw fails the job (pg-boss retries it). */
  async work<T extends object>(queue: string, concurrency: number, handler: (job: PgBoss.JobWithMetadata<T>) => Promise<void>): Promise<void> {
    for (let i = 0; i < concurrency; i++) {
      let id: string | null = null;
      id = await this.boss.work<T>(queue, { batchSize: 1, includeMetadata: true, pollingIntervalSeconds: this.settings.pollSeconds }, async ([job]) => {
        if (!job) return;
        try {
          await handler(job);
        } finally {
          // pg-boss 10 waits out the poll interval after a job too: a slot that finished a short
          // shard sat idle for the rest of it (2 s by default) with shards still queued. Ask again now.
          if (id !== null) this.boss.notifyWorker(id);
        }
      });
      this.workerIds.set(queue, [...(this.workerIds.get(queue) ?? []), id]);
    }
    await this.listen();
  }

  /** A cron schedule (with its time zone) that sends a run with these options; pg-boss fires each occurrence once. */
  async schedule(name: string, cron: string, tz: string, data: ScheduleJob): Promise<string> {
    const queue = scheduleQueue(name);
    await this.boss.createQueue(queue);
    await this.boss.schedule(queue, cron, data, { tz, retryLimit: 0, expireInSeconds: 300 });
    return queue;
  }

  async unschedule(name: string): Promise<void> {
    await this.boss.unschedule(scheduleQueue(name));
  }

  /** The schedules' queues, with their names as given to schedule(). */
  async schedules(): Promise<{ name: string; queue: string; cron: string; tz: string | undefined }[]> {
    return (await this.boss.getSchedules())
      .filter((s) => s.name.startsWith(SCHEDULE_PREFIX))
      .map((s) => ({ name: s.name.slice(SCHEDULE_PREFIX.length), queue: s.name, cron: s.cron, tz: (s as { timezone?: string }).timezone ?? s.options?.tz }));
  }

  /** Stops taking jobs; waits up to `timeoutMs` for the jobs in hand to finish. */
  async close(timeoutMs = 30_000): Promise<void> {
    this.closing = true;
    await this.listener?.end().catch(() => undefined);
    await this.boss.stop({ graceful: true, wait: true, timeout: timeoutMs });
    await this.pool.end();
    await this.hintPool?.end();
  }
}

/** pg-boss's view of a connection in a transaction: what it sends goes in (and out) with the transaction. */
function bossDb(client: pg.PoolClient): { executeSql: (text: string, values: unknown[]) => Promise<pg.QueryResult> } {
  return { executeSql: (text, values) => client.query(text, values) };
}

function scheduleQueue(name: string): string {
  if (!/^[A-Za-z0-9_-]{1,60}$/.test(name)) throw new Error(`schedule name "${name}": use letters, digits, - and _ (at most 60), e.g. nightly`);
  return `${SCHEDULE_PREFIX}${name}`;
}
