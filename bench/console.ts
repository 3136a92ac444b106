/**
 * npm run bench:console — the Console's figures, as ONE JSON object:
 *
 * 1. api: a state store holding 1,000 runs and one run of 100,000 records (plus 2,000 rejects);
 *    `ferry serve`'s server (its in-process factory, listening on a port, asked over HTTP with a
 *    signed-in session) answers the dashboard, the runs list (first page, a filtered page, a deep
 *    page) and pages of the big run's records table (random pages, an outcome filter, a SKU
 *    search). p50 / p95 per answer (target p95 ≤ 150 ms each).
 * 2. web: the Console's JavaScript in dist/web, gzipped: all chunks, and what the first page
 *    loads (target ≤ 350 kB).
 * 3. rss: `ferry serve` started as shipped (node dist/cli/index.js serve) on that state, idle
 *    after start and after a round of API calls, minus a bare `node` process: the extra RSS
 *    (target ≤ 120 MB).
 *
 * Flags: --runs N (default 1000), --records N (default 100000), --samples N (default 200).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { ferryConfigSchema } from '../src/config/schema.js';
import { createLogger } from '../src/logging.js';
import { startSandbox } from '../src/sandbox/index.js';
import { createConsole } from '../src/server/app.js';
import { openStateStore } from '../src/sync/index.js';
import type { RecordOutcome, RunStatus } from '../src/sync/state/port.js';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const RUNS = arg('runs', 1000);
const RECORDS = arg('records', 100_000);
const SAMPLES = arg('samples', 200);

function counts(created: number, updated: number, rejected: number, unchanged: number) {
  return { read: created + updated + rejected + unchanged, created, updated, unchanged, rejected, skipped: 0, deleted: 0 };
}

function reportFor(id: number, mode: string, status: RunStatus, started: Date, durationMs: number, c: ReturnType<typeof counts>) {
  return {
    runId: id,
    mode,
    status: status === 'interrupted' ? 'failed' : status,
    dryRun: false,
    startedAt: started.toISOString(),
    finishedAt: new Date(started.getTime() + durationMs).toISOString(),
    durationMs,
    counts: c,
    byType: { category: counts(0, 0, 0, 40), product_model: counts(Math.round(c.created / 10), 0, 0, 0), product: c },
    requests: { total: 40, writes: 30, retried: 1, throttled: 0 },
    batches: {},
    rejects: [],
    warnings: [],
    warningsTotal: 0,
    deletions: { policy: 'disable', gone: 0, applied: 0, failed: 0 },
    watermarks: { before: {}, after: {} },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function fillState(statePath: string): Promise<number> {
  const store = await openStateStore({ driver: 'sqlite', path: statePath } as never);
  try {
    await store.migrate();
    const statuses: RunStatus[] = ['succeeded', 'succeeded', 'succeeded', 'rejects', 'failed', 'interrupted'];
    const start = Date.now() - RUNS * 3600_000;
    let bigRun = 0;
    for (let i = 0; i < RUNS; i++) {
      const started = new Date(start + i * 3600_000);
      const big = i === RUNS - 2;
      const id = await store.startRun(i % 50 === 0 ? 'full' : 'delta', i % 50 === 0 ? { full: true } : {});
      const status: RunStatus = big ? 'rejects' : statuses[i % statuses.length]!;
      const c = big ? counts(60_000, 38_000, 2_000, 0) : counts(i % 7, i % 13, status === 'rejects' ? 3 : 0, 500);
      if (big) {
        bigRun = id;
        const outcomes: RecordOutcome[] = [];
        for (let k = 0; k < 60_000; k++) outcomes.push('created');
        for (let k = 0; k < 38_000; k++) outcomes.push('updated');
        for (let k = 0; k < 2_000; k++) outcomes.push('rejected');
        const scale = RECORDS / 100_000;
        const n = Math.round(outcomes.length * scale);
        for (let from = 0; from < n; from += 5000) {
          const rows = [];
          for (let k = from; k < Math.min(n, from + 5000); k++) rows.push({ stream: 'items', key: `SKU-${String(k).padStart(6, '0')}`, entityType: 'product', outcome: outcomes[k]! });
          await store.recordOutcomes(id, rows);
        }
        const rejects = [];
        for (let k = 98_000; k < 100_000 && k < n; k++) {
          rejects.push({ runId: id, stream: 'items', key: `SKU-${String(k).padStart(6, '0')}`, entityType: 'product', label: `SKU SKU-${k}`, attribute: 'weight', locale: null, scope: null, message: 'The weight is not a number.', fix: 'Write the weight as a number in the ERP, e.g. 1.5.' });
        }
        await store.addRejects(rejects);
      }
      await store.finishRun(id, status, reportFor(id, i % 50 === 0 ? 'full' : 'delta', status, started, 20_000 + (i % 40) * 1000, c));
    }
    return bigRun;
  } finally {
    await store.close();
  }
}

async function timeEndpoint(base: string, cookie: string, paths: () => string): Promise<{ p50: number; p95: number; max: number; samples: number }> {
  const headers = { cookie, accept: 'application/json' };
  for (let i = 0; i < 10; i++) await (await fetch(base + paths(), { headers })).arrayBuffer();
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t = performance.now();
    const r = await fetch(base + paths(), { headers });
    await r.arrayBuffer();
    if (!r.ok) throw new Error(`${paths()} answered ${r.status}`);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return { p50: round(percentile(times, 50)), p95: round(percentile(times, 95)), max: round(times[times.length - 1]!), samples: SAMPLES };
}

function webSize() {
  const dir = join(ROOT, 'dist/web');
  const assets = readdirSync(join(dir, 'assets')).filter((f) => f.endsWith('.js'));
  const gz = (f: string) => gzipSync(readFileSync(join(dir, 'assets', f)), { level: 9 }).length;
  const total = assets.reduce((s, f) => s + gz(f), 0);
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const initialFiles = assets.filter((f) => html.includes(f));
  const initial = initialFiles.reduce((s, f) => s + gz(f), 0);
  const kB = (n: number) => Math.round(n / 102.4) / 10;
  return { chunks: assets.length, totalGzipKB: kB(total), firstLoadGzipKB: kB(initial), targetKB: 350 };
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 102.4) / 10;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function serveRss(configPath: string, port: number) {
  const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const serve = spawn(process.execPath, [join(ROOT, 'dist/cli/index.js'), 'serve', '--config', configPath, '--port', String(port)], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, FERRY_LOG_LEVEL: 'warn' } });
  let stderr = '';
  serve.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${base}/readyz`)).ok) break;
      } catch {
        // not listening yet
      }
      if (i > 100) throw new Error(`ferry serve did not start: ${stderr.slice(0, 500)}`);
      await sleep(200);
    }
    await sleep(3000);
    const idle = rssMb(serve.pid!);
    const bareRss = rssMb(bare.pid!);
    return { bareNodeMB: bareRss, serveIdleMB: idle, extraIdleMB: Math.round((idle - bareRss) * 10) / 10, targetMB: 120, base };
  } finally {
    serve.kill('SIGINT');
    bare.kill();
    await sleep(500);
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-console-'));
  const sandbox = await startSandbox({ catalog: 'empty' });
  try {
    const statePath = join(dir, 'ferry.db');
    const fillStarted = performance.now();
    const bigRun = await fillState(statePath);
    const fillMs = Math.round(performance.now() - fillStarted);
    const raw = {
      pim: { url: sandbox.url, clientId: sandbox.clientId, secret: sandbox.secret, username: sandbox.username, password: sandbox.password },
      erp: { type: 'demo', path: join(dir, 'demo-erp.sqlite'), items: 50, seed: 1 },
      mapping: { preset: 'demo' },
      state: { path: statePath },
    };
    const config = ferryConfigSchema.parse(raw);
    const server = await createConsole({ config, connectionName: 'bench', webRoot: join(ROOT, 'dist/web'), logger: createLogger({ level: process.env.BENCH_LOG ?? 'silent' }) });
    await server.ctx.auth.addUser('bench', 'admin', 'bench-password-1');
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    const address = server.app.server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const login = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench', password: 'bench-password-1' }) });
    if (!login.ok) throw new Error(`sign-in answered ${login.status}`);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const recordPages = Math.floor(RECORDS / 50);
    const rand = (n: number) => 1 + Math.floor(Math.random() * n);
    const api = {
      dashboard: await timeEndpoint(base, cookie, () => '/api/v1/dashboard'),
      runsFirstPage: await timeEndpoint(base, cookie, () => '/api/v1/runs?page=1&pageSize=25'),
      runsFilteredPage: await timeEndpoint(base, cookie, () => `/api/v1/runs?status=succeeded&mode=delta&page=${rand(10)}&pageSize=25`),
      runsDeepPage: await timeEndpoint(base, cookie, () => `/api/v1/runs?page=${rand(40)}&pageSize=25`),
      runDetail: await timeEndpoint(base, cookie, () => `/api/v1/runs/${bigRun}`),
      recordsRandomPage: await timeEndpoint(base, cookie, () => `/api/v1/runs/${bigRun}/records?page=${rand(recordPages)}&pageSize=50`),
      recordsRejectedPage: await timeEndpoint(base, cookie, () => `/api/v1/runs/${bigRun}/records?outcome=rejected&page=${rand(40)}&pageSize=50`),
      recordsSkuSearch: await timeEndpoint(base, cookie, () => `/api/v1/runs/${bigRun}/records?q=SKU-0${rand(9)}${rand(9)}&page=1&pageSize=50`),
    };
    await server.close();
    const configPath = join(dir, 'ferry.yaml');
    writeFileSync(configPath, JSON.stringify(raw));
    const rss = await serveRss(configPath, 20_000 + Math.floor(Math.random() * 20_000));
    const worstP95 = Math.max(...Object.values(api).map((a) => a.p95));
    const web = webSize();
    console.log(
      JSON.stringify({
        bench: 'console',
        state: { runs: RUNS, bigRunRecords: RECORDS, fillMs },
        api,
        apiWorstP95Ms: worstP95,
        apiTargetMs: 150,
        web,
        rss: { bareNodeMB: rss.bareNodeMB, serveIdleMB: rss.serveIdleMB, extraIdleMB: rss.extraIdleMB, targetMB: rss.targetMB },
        ok: worstP95 <= 150 && web.totalGzipKB <= 350 && rss.extraIdleMB <= 120,
      }),
    );
  } finally {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
