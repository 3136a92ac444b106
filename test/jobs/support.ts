/**
 * Queued runs end to end: a sandbox with 3 Connections and SaaS limits, the demo ERP, the state
 * and the queue in a PostgreSQL schema of their own, `ferry worker` child processes, and the PIM
 * end state of a one-process run to compare with.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { stringify } from 'yaml';
import { runSync } from '../../src/app/run-sync.js';
import { ferryConfigSchema, type FerryConfig } from '../../src/config/schema.js';
import { createErpSource } from '../../src/erp/factory.js';
import { createLogger } from '../../src/logging.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { bootstrapPim } from '../../src/sync/bootstrap.js';
import type { RunReport } from '../../src/sync/report.js';
import { ROOT } from '../support/ferry-cli.js';
import { clientFor, pimSnapshot } from '../sync/support/pim.js';

export const PG_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export function uniqueSchema(prefix: string): string {
  return `${prefix}_${Math.random().toString(36).slice(2, 10)}`;
}

export async function dropSchemas(...schemas: string[]): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  for (const s of schemas) {
    await c.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await c.query(`DROP SCHEMA IF EXISTS "${s}_jobs" CASCADE`);
  }
  await c.end();
}

export interface Setup {
  sb: RunningSandbox;
  config: FerryConfig;
  raw: Record<string, unknown>;
  file: string;
}

/** A bootstrapped sandbox and a ferry.yaml on it with jobs.workers and the state in `schema`. */
export async function setUp(dir: string, opts: { items: number; schema: string; latency: string; jobs?: Record<string, unknown> }): Promise<Setup> {
  const sb = await startSandbox({ catalog: 'demo', limits: 'saas', latency: opts.latency, connections: 3 });
  const raw = {
    pim: { url: sb.url, connections: sb.connections, timeoutMs: 10_000, limits: { shared: { url: PG_URL, leaseMs: 5000, instance: opts.schema } } },
    erp: { type: 'demo', path: join(dir, 'demo-erp.sqlite'), items: opts.items, seed: 5 },
    mapping: { preset: 'demo' },
    state: { url: PG_URL, schema: opts.schema },
    sync: { batchesInFlight: 8, lockTimeoutSeconds: 60 },
    jobs: { workers: true, shardItems: Math.ceil(opts.items / 8), shardExpireSeconds: 20, maintenanceSeconds: 2, pollSeconds: 0.5, ...opts.jobs },
  };
  const config = ferryConfigSchema.parse(raw);
  const client = clientFor(sb);
  const source = createErpSource(config.erp);
  await bootstrapPim(client, config.mapping, source);
  await source.close();
  await client.close();
  const file = join(dir, 'ferry.yaml');
  writeFileSync(file, stringify(raw));
  return { sb, config, raw, file };
}

/** The PIM end state and report of the same run in one process (SQLite state, its own sandbox). */
export async function oneProcessRun(dir: string, items: number): Promise<{ snapshot: Awaited<ReturnType<typeof pimSnapshot>>; report: RunReport }> {
  const sb = await startSandbox({ catalog: 'demo', limits: 'saas', latency: '0ms' });
  try {
    const config = ferryConfigSchema.parse({
      pim: { url: sb.url, clientId: sb.clientId, secret: sb.secret, username: sb.username, password: sb.password },
      erp: { type: 'demo', path: join(dir, 'one-erp.sqlite'), items, seed: 5 },
      mapping: { preset: 'demo' },
      state: { path: join(dir, 'one.db') },
    });
    const client = clientFor(sb);
    const source = createErpSource(config.erp);
    await bootstrapPim(client, config.mapping, source);
    await source.close();
    const report = await runSync(config, { logger: createLogger({ level: 'silent' }), full: true });
    const snapshot = await pimSnapshot(client);
    await client.close();
    return { snapshot, report };
  } finally {
    await sb.close();
  }
}

/** A `ferry` child process (tsx, no build), its output kept. */
export function spawnFerry(args: string[], cwd: string): { child: ChildProcess; out: () => string; err: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'src/cli/index.ts'), ...args], {
    cwd,
    env: { ...process.env, FERRY_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, out: () => out, err: () => err, exit };
}

/** The exit code, or a failure with the process's stderr when it takes longer than `ms` (it is killed). */
export async function exitWithin(p: ReturnType<typeof spawnFerry>, ms: number): Promise<number | null> {
  const timer = setTimeout(() => p.child.kill('SIGKILL'), ms);
  const code = await p.exit;
  clearTimeout(timer);
  if (p.child.signalCode === 'SIGKILL') throw new Error(`ferry ${p.child.spawnargs.slice(3).join(' ')} did not end within ${ms} ms; stderr: ${p.err().slice(-2000)}`);
  return code;
}

/** Stops workers (SIGTERM, then SIGKILL after 15 s) and waits for them. */
export async function stopAll(workers: ReturnType<typeof spawnFerry>[]): Promise<void> {
  for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGTERM');
  const killer = setTimeout(() => workers.forEach((w) => w.child.exitCode === null && w.child.kill('SIGKILL')), 15_000);
  await Promise.all(workers.map((w) => w.exit));
  clearTimeout(killer);
}
