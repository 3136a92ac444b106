/**
 * npm run bench:scale — sizing: a full first import of N generated items (models of 1–12
 * variants, bench/generated-erp.ts) into the sandbox with Akeneo SaaS limits enforced per
 * connection and per instance (4 concurrent per connection, 10 per instance, 100 req/s) and
 * 200 ms + 2 ms/line latency, with 1 and with 3 Connections. Prints ONE JSON object: per run the
 * time, lines/s against the ceiling (slots × 100 lines per 400 ms batch; lines as the sandbox
 * counted them, every product, product model and category line it processed), the Ferry process's
 * peak RSS, 429s and the sandbox's peak concurrency per connection and per instance; then an
 * extrapolation to 1,000,000 items, stated as such.
 *
 * Each run is its own process (so its peak RSS is its own) under the heap cap a memory-conscious
 * deployment would set (256 MB, as bench:sync); the sandbox runs in another process.
 *
 * Flags: --items 10000,100000 (default) · --connections 1,3 (default) · --latency 200ms+2ms/line
 * (default; a slower PIM such as 1000ms+10ms/line shows the limits' speed-up where this machine's
 * CPU would otherwise bound it) · --shared (also a run of
 * the largest size with 3 connections through the PostgreSQL shared budget; needs
 * FERRY_BENCH_PG, default postgres://postgres@127.0.0.1:5432/postgres) · --workers 3 (default; 0 for none:
 * also a run of the largest size through the job queue: `ferry worker` processes on a PostgreSQL
 * state and the shared budget with 3 Connections, started by `ferry sync --full`; its lines/s
 * against the instance ceiling and its speed-up in lines/s over the 1-Connection single-process
 * run of the same bench; the demo ERP of that size, as the workers build it from ferry.yaml).
 * The workers' run also reports its phases from pg-boss's job rows (plan, shards, settle).
 * FERRY_BENCH_CPU_PROF=DIR: every `ferry` process of the workers' run writes a V8 CPU profile there.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { GeneratedErp } from './generated-erp.js';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const FROM_DIST = existsSync(join(ROOT, 'dist/sync/index.js'));
const code = (module: string): string => (FROM_DIST ? join(ROOT, 'dist', `${module}.js`) : join(ROOT, 'src', `${module}.ts`));
const load = async <T,>(module: string): Promise<T> => (await import(pathToFileURL(code(module)).href)) as T;
const HEAP_CAP_MB = Number(process.env.FERRY_BENCH_HEAP_CAP_MB ?? 256);
function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** `--latency 1000ms+10ms/line`: a slower PIM, for which this machine's CPU is no bound. */
const LATENCY = flag('--latency') ?? '200ms+2ms/line';
const latencyParts = /^(\d+)ms\+(\d+(?:\.\d+)?)ms\/line$/.exec(LATENCY);
if (!latencyParts) throw new Error(`--latency must read like 200ms+2ms/line, got "${LATENCY}"`);
/** `--shard-items N` / `--worker-concurrency N`: the workers' run with other than the defaults (jobs.shardItems, ferry worker's). */
const SHARD_ITEMS = flag('--shard-items') ? Number(flag('--shard-items')) : undefined;
const WORKER_CONCURRENCY = flag('--worker-concurrency');
/** Seconds the PIM takes for a batch of 100 lines. */
const BATCH_SECONDS = (Number(latencyParts[1]) + Number(latencyParts[2]) * 100) / 1000;

interface Scenario {
  items: number;
  connections: number;
  shared: boolean;
  /** Worker processes on a PostgreSQL state (the job queue); 0 or absent: one process. */
  workers?: number;
  /** The ERP: generated in the process (default), or the demo ERP the workers' runs use (their single-process baseline). */
  erp?: 'generated' | 'demo';
}

/** The demo ERP of the workers' run and of its single-process baseline: the same records. */
function demoErp(dir: string, items: number): { type: 'demo'; path: string; items: number; seed: number } {
  return { type: 'demo', path: join(dir, 'demo-erp.sqlite'), items, seed: 7 };
}

/** `METHOD /route` → calls (every status): where a run's requests went. */
function requestsByRoute(stats: Record<string, unknown>): Record<string, number> {
  const byRoute = (stats.requests ?? {}) as Record<string, Record<string, number>>;
  return Object.fromEntries(Object.entries(byRoute).map(([route, byStatus]) => [route, Object.values(byStatus).reduce((a, b) => a + b, 0)]));
}

/**
 * The product, product model and category lines the PIM processed in the run, measured at the
 * server (the sandbox's `lines`): what the ceiling counts. More than the report's records when
 * the ERP's groups become two levels of models (the demo ERP's colour × size templates: a
 * sub-model per colour is a line of its own, with no ERP record of its own).
 */
function writtenLines(stats: Record<string, unknown>): number {
  const lines = (stats.lines ?? {}) as Record<string, number>;
  return Object.entries(lines)
    .filter(([route]) => /^PATCH \/api\/rest\/v1\/(products|products-uuid|product-models|categories)$/.test(route))
    .reduce((n, [, count]) => n + count, 0);
}

/**
 * The average concurrency at the PIM per 5 seconds of the run: where slots went idle. The
 * sandbox counts from the bench's first call (its bootstrap, before the run): the run is the
 * last `seconds` of it (its last call ends with it, give or take its settle).
 */
function by5s(stats: Record<string, unknown>, seconds: number): number[] {
  const perSecond = ((stats.busyPerSecond ?? []) as number[]).slice(-Math.ceil(seconds));
  const out: number[] = [];
  for (let i = 0; i < perSecond.length; i += 5) {
    const window = perSecond.slice(i, i + 5);
    out.push(Number((window.reduce((a, b) => a + b, 0) / window.length).toFixed(1)));
  }
  return out;
}

// --- one run, in its own process -----------------------------------------------------------

interface SandboxConnection {
  clientId: string;
  secret: string;
  username: string;
  password: string;
}

/** CPU seconds (user + system) a live child process has used so far, from /proc (Linux); null elsewhere. */
function cpuSecondsOf(pid: number | undefined): number | null {
  try {
    // Fields 14 and 15 of /proc/PID/stat, after the command name in parentheses.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(((Number(fields[11]) + Number(fields[12])) / 100).toFixed(1));
  } catch {
    return null;
  }
}

async function startSandboxProcess(connections: number): Promise<{ url: string; connections: SandboxConnection[]; stats(): Promise<Record<string, unknown>>; cpuSeconds(): number | null; close(): Promise<void> }> {
  const script = `
    import { startSandbox } from ${JSON.stringify(code('sandbox/index'))};
    const sb = await startSandbox(${JSON.stringify({ catalog: 'demo', limits: 'saas', latency: LATENCY, connections })});
    process.stdout.write(JSON.stringify({ url: sb.url, connections: sb.connections }) + '\\n');
    process.stdin.resume();
    process.stdin.on('end', async () => { await sb.close(); process.exit(0); });
  `;
  const child = spawn(process.execPath, ['--max-old-space-size=4096', ...(FROM_DIST ? [] : ['--import', 'tsx']), '--input-type=module', '-e', script], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const first = await createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next();
  if (first.done) throw new Error('the sandbox process ended before listening');
  const started = JSON.parse(first.value) as { url: string; connections: SandboxConnection[] };
  return {
    ...started,
    stats: async () => (await (await fetch(`${started.url}/_sandbox/stats`)).json()) as Record<string, unknown>,
    cpuSeconds: () => cpuSecondsOf(child.pid),
    close: async () => {
      child.stdin!.end();
      await new Promise((r) => child.on('exit', r));
    },
  };
}

async function runScenario(s: Scenario): Promise<Record<string, unknown>> {
  const { createAkeneoClient } = await load<typeof import('../src/akeneo/index.js')>('akeneo/index');
  const { PostgresBudget, instanceNameOf } = await load<typeof import('../src/budget/postgres.js')>('budget/postgres');
  const { ferryConfigSchema } = await load<typeof import('../src/config/schema.js')>('config/schema');
  const { createLogger } = await load<typeof import('../src/logging.js')>('logging');
  const { runSync } = await load<typeof import('../src/sync/index.js')>('sync/index');
  const { bootstrapPim } = await load<typeof import('../src/sync/bootstrap.js')>('sync/bootstrap');

  const sandbox = await startSandboxProcess(3);
  const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-scale-'));
  try {
    const connections = sandbox.connections.slice(0, s.connections);
    const pgUrl = process.env.FERRY_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    const client = createAkeneoClient({
      url: sandbox.url,
      auth: { kind: 'connections', connections },
      ...(s.shared
        ? {
            governor: ({ url, connectionIds, limits }) =>
              new PostgresBudget({ url: pgUrl, instance: `bench:${instanceNameOf(url)}:${process.pid}`, connectionIds, limits, leaseMs: 15_000 }),
          }
        : {}),
    });
    const slots = client.limits().instanceCap;
    const config = ferryConfigSchema.parse({
      pim: { url: sandbox.url, connections },
      erp: { type: 'demo', path: join(tmpdir(), 'unused.sqlite') },
      mapping: { preset: 'demo' },
      state: { path: join(dir, 'ferry.db') },
      // Enough batches queued to keep every slot busy (the default 8 suits one connection's 4).
      sync: { batchesInFlight: Math.max(8, slots + 6) },
    });
    const erp = s.erp === 'demo' ? (await load<typeof import('../src/erp/factory.js')>('erp/factory')).createErpSource(demoErp(dir, s.items)) : new GeneratedErp(s.items);
    await bootstrapPim(client, config.mapping, erp);
    const logger = createLogger({ level: process.env.FERRY_LOG_LEVEL ?? 'warn' }, process.stderr);
    const report = await runSync(config, { client, source: erp, logger, full: true });
    if (s.erp === 'demo') await erp.close();
    const stats = await sandbox.stats();
    const clientStats = client.stats();
    await client.close();
    const t = report.byType;
    const records = t.product.created + t.product.updated + t.product_model.created + t.product_model.updated + t.category.created + t.category.updated;
    const lines = writtenLines(stats);
    const seconds = report.durationMs / 1000;
    const ceiling = (slots * 100) / BATCH_SECONDS;
    return {
      items: s.items,
      erp: s.erp ?? 'generated',
      connections: s.connections,
      budget: s.shared ? 'shared (PostgreSQL)' : 'in-process',
      status: report.status,
      products: t.product.created,
      productModels: t.product_model.created,
      records,
      lines,
      seconds: Number(seconds.toFixed(1)),
      linesPerSecond: Math.round(lines / seconds),
      ceiling: Math.round(ceiling),
      ratio: Number((lines / seconds / ceiling).toFixed(3)),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      throttled429: stats.throttled429,
      throttledBy: stats.throttledBy,
      averageConcurrent: Number(((stats.busySeconds as number) / seconds).toFixed(2)),
      averageConcurrentBy5s: by5s(stats, seconds),
      clientRetries: clientStats.retried,
      sandboxPeakConcurrent: stats.peakConcurrent,
      sandboxPeakPerSecond: stats.peakPerSecond,
      requestsPerConnection: stats.requestsPerConnection,
      requestsByRoute: requestsByRoute(stats),
      cpuSeconds: { sandbox: sandbox.cpuSeconds(), ferry: Number(((process.cpuUsage().user + process.cpuUsage().system) / 1e6).toFixed(1)) },
    };
  } finally {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The ferry command as a child process (dist/ when built, else src/ through tsx). */
function ferryProcess(args: string[]): { exit: Promise<number | null>; out: () => string; kill: () => void; cpuSeconds: () => number | null } {
  // From the repository (tsx resolves from there); ferry.yaml's paths are absolute.
  const cwd = ROOT;
  const cli = FROM_DIST ? [join(ROOT, 'dist/cli/index.js')] : ['--import', 'tsx', join(ROOT, 'src/cli/index.ts')];
  const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_CAP_MB}`, ...(process.env.FERRY_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.FERRY_BENCH_CPU_PROF}`] : []), ...cli, ...args], { cwd, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, FERRY_LOG_LEVEL: process.env.FERRY_LOG_LEVEL ?? 'warn' } });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  return { exit: new Promise((r) => child.on('exit', r)), out: () => out, kill: () => child.kill('SIGTERM'), cpuSeconds: () => cpuSecondsOf(child.pid) };
}

/**
 * N `ferry worker` processes and one `ferry sync --full` on a PostgreSQL state (a schema of its
 * own, dropped after), 3 Connections through the shared budget, the demo ERP of `items` items.
 */
async function runWorkersScenario(s: Scenario & { workers: number }): Promise<Record<string, unknown>> {
  const { ferryConfigSchema } = await load<typeof import('../src/config/schema.js')>('config/schema');
  const { createAkeneoClient } = await load<typeof import('../src/akeneo/index.js')>('akeneo/index');
  const { createErpSource } = await load<typeof import('../src/erp/factory.js')>('erp/factory');
  const { bootstrapPim } = await load<typeof import('../src/sync/bootstrap.js')>('sync/bootstrap');
  const { openPostgresStateStore } = await load<typeof import('../src/sync/state/postgres.js')>('sync/state/postgres');
  const { stringify } = await import('yaml');
  const pg = (await import('pg')).default;
  const { writeFileSync } = await import('node:fs');
  const pgUrl = process.env.FERRY_BENCH_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const schema = `bench_scale_${process.pid}`;
  const sandbox = await startSandboxProcess(3);
  const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-workers-'));
  const workers: ReturnType<typeof ferryProcess>[] = [];
  try {
    const raw = {
      pim: { url: sandbox.url, connections: sandbox.connections, limits: { shared: { url: pgUrl, instance: schema, leaseMs: 15_000 } } },
      erp: demoErp(dir, s.items),
      mapping: { preset: 'demo' },
      state: { url: pgUrl, schema },
      sync: { batchesInFlight: 16 },
      // Enough shards that every worker stays busy to the end, but not so small that each costs its start.
      // The shard size, worker concurrency and poll interval a user gets by default, unless the flags say otherwise.
      jobs: { workers: true, ...(SHARD_ITEMS ? { shardItems: SHARD_ITEMS } : {}) },
    };
    const config = ferryConfigSchema.parse(raw);
    const client = createAkeneoClient({ url: sandbox.url, auth: { kind: 'connections', connections: sandbox.connections } });
    const source = createErpSource(config.erp);
    await bootstrapPim(client, config.mapping, source);
    await source.close();
    await client.close();
    const file = join(dir, 'ferry.yaml');
    writeFileSync(file, stringify(raw));
    for (let i = 0; i < s.workers; i++) workers.push(ferryProcess(['worker', '--config', file, ...(WORKER_CONCURRENCY ? ['--concurrency', WORKER_CONCURRENCY] : [])]));
    const sync = ferryProcess(['sync', '--config', file, '--full', '--json', '--no-progress']);
    const code = await sync.exit;
    const summary = JSON.parse(sync.out()) as { runId: number };
    const state = await openPostgresStateStore({ url: pgUrl, schema });
    const row = await state.getRun(summary.runId);
    await state.close();
    const report = row!.report as import('../src/sync/report.js').RunReport;
    const stats = await sandbox.stats();
    const phases = await phasesOf(pgUrl, `${schema}_jobs`, report.durationMs);
    const t = report.byType;
    const records = t.product.created + t.product.updated + t.product_model.created + t.product_model.updated + t.category.created + t.category.updated;
    const lines = writtenLines(stats);
    const seconds = report.durationMs / 1000;
    const ceiling = (10 * 100) / BATCH_SECONDS;
    return {
      items: s.items,
      connections: 3,
      erp: 'demo',
      workers: s.workers,
      budget: 'shared (PostgreSQL), job queue',
      exitCode: code,
      status: report.status,
      products: t.product.created,
      productModels: t.product_model.created,
      records,
      lines,
      seconds: Number(seconds.toFixed(1)),
      linesPerSecond: Math.round(lines / seconds),
      ceiling: Math.round(ceiling),
      ratio: Number((lines / seconds / ceiling).toFixed(3)),
      throttled429: stats.throttled429,
      throttledBy: stats.throttledBy,
      // Slot-seconds the PIM spent on Ferry's calls over the run's time: how many of the slots stayed busy.
      averageConcurrent: Number(((stats.busySeconds as number) / seconds).toFixed(2)),
      averageConcurrentBy5s: by5s(stats, seconds),
      sandboxPeakConcurrent: stats.peakConcurrent,
      sandboxPeakPerSecond: stats.peakPerSecond,
      requestsPerConnection: stats.requestsPerConnection,
      requestsByRoute: requestsByRoute(stats),
      phases,
      // Where the machine's CPU went: a run bound by it shows here (two cores give 2 s per second).
      cpuSeconds: { sandbox: sandbox.cpuSeconds(), workers: workers.map((w) => w.cpuSeconds()) },
    };
  } finally {
    workers.forEach((w) => w.kill());
    await Promise.all(workers.map((w) => w.exit));
    await sandbox.close();
    const c = new pg.Client({ connectionString: pgUrl });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await c.query(`DROP SCHEMA IF EXISTS "${schema}_jobs" CASCADE`);
    await c.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Where a queued run's time went, from pg-boss's own job rows (seconds from the plan's start):
 * the plan, the shards (first started, last completed, and how many ran at most at once) and the
 * settle. What is left of the run's time is the enqueue and the waits between them.
 */
async function phasesOf(pgUrl: string, jobsSchema: string, runMs: number): Promise<Record<string, unknown>> {
  const pg = (await import('pg')).default;
  const c = new pg.Client({ connectionString: pgUrl });
  await c.connect();
  try {
    const { rows } = await c.query<{ name: string; started: Date; completed: Date }>(
      `SELECT name, started_on AS started, completed_on AS completed FROM "${jobsSchema}".job WHERE name IN ('ferry-plan', 'ferry-shard', 'ferry-settle') AND state = 'completed'
       UNION ALL SELECT name, started_on, completed_on FROM "${jobsSchema}".archive WHERE name IN ('ferry-plan', 'ferry-shard', 'ferry-settle') AND state = 'completed'`,
    );
    const of = (name: string) => rows.filter((r) => r.name === name);
    const plan = of('ferry-plan')[0];
    if (!plan) return { error: 'no completed plan job' };
    const t0 = plan.started.getTime();
    const at = (d: Date) => Number(((d.getTime() - t0) / 1000).toFixed(1));
    const shards = of('ferry-shard');
    const settle = of('ferry-settle')[0];
    const edges = shards.flatMap((s) => [{ t: s.started.getTime(), d: 1 }, { t: s.completed.getTime(), d: -1 }]).sort((a, b) => a.t - b.t || a.d - b.d);
    let now = 0;
    let peak = 0;
    for (const e of edges) peak = Math.max(peak, (now += e.d));
    const shardSeconds = shards.map((s) => (s.completed.getTime() - s.started.getTime()) / 1000).sort((a, b) => a - b);
    return {
      planSeconds: at(plan.completed),
      shards: shards.length,
      firstShardStarted: shards.length ? Math.min(...shards.map((s) => at(s.started))) : null,
      lastShardCompleted: shards.length ? Math.max(...shards.map((s) => at(s.completed))) : null,
      peakShardsAtOnce: peak,
      shardSeconds: shards.length ? { min: Number(shardSeconds[0]!.toFixed(1)), median: Number(shardSeconds[Math.floor(shardSeconds.length / 2)]!.toFixed(1)), max: Number(shardSeconds.at(-1)!.toFixed(1)) } : null,
      settle: settle ? { started: at(settle.started), completed: at(settle.completed) } : null,
      runSeconds: Number((runMs / 1000).toFixed(1)),
    };
  } finally {
    await c.end();
  }
}

const scenarioArg = flag('--scenario');
if (scenarioArg) {
  const s = JSON.parse(scenarioArg) as Scenario;
  const result = await (s.workers ? runWorkersScenario({ ...s, workers: s.workers }) : runScenario(s)).catch((err: unknown) => ({ error: String(err) }));
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(0);
}

// --- the parent: every run in turn, one JSON object ----------------------------------------

async function inChild(s: Scenario): Promise<Record<string, unknown>> {
  const passed = ['--shard-items', '--worker-concurrency'].flatMap((f) => (flag(f) ? [f, flag(f)!] : []));
  const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_CAP_MB}`, '--import', 'tsx', fileURLToPath(import.meta.url), '--scenario', JSON.stringify(s), '--latency', LATENCY, ...passed], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((r) => child.on('exit', r));
  const last = out.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as Record<string, unknown>;
  } catch {
    return { ...s, error: `the run printed no result (${last.slice(0, 200)})` };
  }
}

const sizes = (flag('--items') ?? '10000,100000').split(',').map(Number);
const connectionCounts = (flag('--connections') ?? '1,3').split(',').map(Number);
const scenarios: Scenario[] = [];
for (const items of sizes) for (const connections of connectionCounts) scenarios.push({ items, connections, shared: false });
if (process.argv.includes('--shared')) scenarios.push({ items: Math.max(...sizes), connections: 3, shared: true });
const workerCount = Number(flag('--workers') ?? 3);
if (workerCount > 0) {
  // The baseline: the same demo ERP in one process on one Connection (what bench:sync measures).
  scenarios.push({ items: Math.max(...sizes), connections: 1, shared: false, erp: 'demo' });
  scenarios.push({ items: Math.max(...sizes), connections: 3, shared: true, workers: workerCount });
}

const runs: Record<string, unknown>[] = [];
for (const s of scenarios) {
  process.stderr.write(`bench:scale: ${s.items} items, ${s.connections} connection(s)${s.shared ? ', shared budget' : ''}${s.workers ? `, ${s.workers} worker processes` : ''}…\n`);
  runs.push(await inChild(s));
}

/**
 * 1,000,000 items, extrapolated from the largest size measured: time is bound by the PIM's
 * limits, so it scales with the lines to write; memory grows with the catalog only through the
 * state and the group index (which moves to disk past 20,000 items), so the growth between the
 * two sizes measured is carried on linearly, an upper estimate.
 */
function extrapolate(connections: number): Record<string, unknown> | undefined {
  const of = (items: number) => runs.find((r) => r.items === items && r.connections === connections && r.budget === 'in-process' && r.erp === 'generated' && !r.error);
  const measured = [...new Set(sizes)].sort((a, b) => a - b);
  const big = of(measured[measured.length - 1]!);
  // The memory slope comes from the two largest sizes (the smallest carries the fixed start-up cost).
  const small = measured.length > 1 ? of(measured[measured.length - 2]!) : undefined;
  if (!big) return undefined;
  const factor = 1_000_000 / (big.items as number);
  const seconds = (big.seconds as number) * factor;
  const rss = big.peakRssMb as number;
  const rssGrowth = small && small !== big ? (rss - (small.peakRssMb as number)) / ((big.items as number) - (small.items as number)) : 0;
  return {
    connections,
    basis: `extrapolated from the ${big.items as number}-item run, not measured`,
    minutes: Math.round(seconds / 60),
    hours: Number((seconds / 3600).toFixed(1)),
    peakRssMb: Math.round(rss + Math.max(0, rssGrowth) * (1_000_000 - (big.items as number))),
  };
}

/** Lines/s of the worker processes over the 1-Connection single-process run's (the target is ≥ 2.2). */
function speedUp(): Record<string, unknown> | undefined {
  const queued = runs.find((r) => r.workers && !r.error);
  const single = runs.find((r) => r.erp === 'demo' && r.connections === 1 && !r.workers && !r.error);
  if (!queued || !single) return undefined;
  return {
    basis: `lines/s of ${queued.workers as number} workers × 3 Connections over 1 process × 1 Connection, the same ${queued.items as number}-item demo ERP`,
    ratio: Number(((queued.linesPerSecond as number) / (single.linesPerSecond as number)).toFixed(2)),
  };
}

const out = {
  benchmark: 'scale',
  note: 'Measured on a shared 2-core machine with other jobs running; Ferry and the sandbox each run in their own process. Numbers are pessimistic.',
  limits: 'sandbox --limits saas (4 concurrent per connection, 10 per instance, 100 req/s, option writes 3/s), latency ' + LATENCY,
  heapCapMb: HEAP_CAP_MB,
  runtime: FROM_DIST ? 'dist/ (as the ferry command runs)' : 'src/ through tsx',
  loadAverage: Number(loadavg()[0]!.toFixed(1)),
  machine: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}`,
  runs,
  workersSpeedUp: speedUp(),
  extrapolation1M: connectionCounts.map(extrapolate).filter((x) => x !== undefined),
};
process.stdout.write(JSON.stringify(out, null, 2) + '\n');
if (runs.some((r) => r.error)) process.exitCode = 1;
