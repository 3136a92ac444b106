/**
 * One rate budget per PIM instance across processes (pim.limits.shared on PostgreSQL): three
 * child processes, each with three Connections, against one sandbox with SaaS limits. The
 * sandbox measures what arrives: with the shared budget, never more than 4 concurrent calls per
 * connection and 10 per instance, and no 429; without it (the control), the same processes
 * overrun the instance. A killed process's slots come back once its lease expires.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { PostgresBudget } from '../../src/budget/postgres.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { budgetDatabase } from './database.js';

const budgetDb = await budgetDatabase();
const enabled = budgetDb.enabled;
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');


interface Child {
  proc: ChildProcess;
  lines: AsyncIterator<string>;
  next(): Promise<Record<string, unknown>>;
}

function worker(args: Record<string, unknown>): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(here, 'worker.ts'), JSON.stringify(args)], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout! })[Symbol.asyncIterator]();
  return {
    proc,
    lines,
    async next() {
      const r = await lines.next();
      if (r.done) throw new Error('worker ended without answering');
      return JSON.parse(r.value) as Record<string, unknown>;
    },
  };
}

/** Resolves when `proc` has exited, or after `ms` (the finally block then kills it). */
function exited(proc: ChildProcess, ms: number): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    proc.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function runProcesses(sb: RunningSandbox, governor: 'shared' | 'local', instance: string): Promise<{ throttled: number; ms: number[] }> {
  const children = Array.from({ length: 3 }, () =>
    worker({ mode: 'calls', governor, sandboxUrl: sb.url, dbUrl: budgetDb.url(), instance, connections: sb.connections, calls: 60, parallel: 12, leaseMs: 10_000 }),
  );
  try {
    for (const c of children) expect(await c.next()).toEqual({ ready: true });
    for (const c of children) c.proc.stdin!.write('go\n');
    const done = await Promise.all(children.map((c) => c.next()));
    // Each worker closes its client after "done" (which frees its leases): wait for that, as the
    // test then counts the leases left; killing it first would leave them to expire instead.
    await Promise.all(children.map((c) => exited(c.proc, 15_000)));
    return {
      throttled: done.reduce((n, d) => n + (d.stats as { throttled: number }).throttled, 0),
      ms: done.map((d) => d.ms as number),
    };
  } finally {
    for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
  }
}

describe.runIf(enabled)('shared rate budget on PostgreSQL', () => {
  it('3 processes × 3 connections stay within 4 per connection and 10 per instance, without a 429', async () => {
    const sb = await startSandbox({ catalog: 'empty', limits: 'saas', latency: '150ms', connections: 3 });
    try {
      const warm = sb.stats();
      const { throttled, ms } = await runProcesses(sb, 'shared', 'sandbox-shared');
      const stats = sb.stats();
      console.log('[shared budget, 3 processes × 3 connections]', JSON.stringify({ ms, peakConcurrent: stats.peakConcurrent, peakPerSecond: stats.peakPerSecond, throttled429: stats.throttled429 }));
      expect(stats.throttled429).toBe(0);
      expect(throttled).toBe(0);
      expect(stats.peakConcurrent.instance).toBeLessThanOrEqual(10);
      expect(stats.peakConcurrent.instance).toBeGreaterThanOrEqual(8);
      for (const peak of Object.values(stats.peakConcurrent.perConnection)) expect(peak).toBeLessThanOrEqual(4);
      expect(stats.peakPerSecond.requests).toBeLessThanOrEqual(100);
      // Every connection carried a share of the 180 measured calls.
      const measured = Object.entries(stats.requestsPerConnection).map(([id, n]) => n - (warm.requestsPerConnection[id] ?? 0));
      expect(measured).toHaveLength(3);
      for (const n of measured) expect(n).toBeGreaterThanOrEqual(30);
      // All leases were returned when the processes closed their clients.
      const c = new pg.Client({ connectionString: budgetDb.url() });
      await c.connect();
      const left = await c.query<{ n: string }>("select count(*) as n from ferry_budget_lease where instance = 'sandbox-shared'");
      await c.end();
      expect(Number(left.rows[0]!.n)).toBe(0);
    } finally {
      await sb.close();
    }
  }, 120_000);

  it('control: the same processes with a budget each overrun the instance (the sandbox answers 429)', async () => {
    const sb = await startSandbox({ catalog: 'empty', limits: 'saas', latency: '150ms', connections: 3 });
    try {
      const { throttled } = await runProcesses(sb, 'local', 'unused');
      console.log('[control, a budget per process]', JSON.stringify({ peakConcurrent: sb.stats().peakConcurrent, throttled429: sb.stats().throttled429 }));
      expect(sb.stats().throttled429).toBeGreaterThan(0);
      expect(throttled).toBeGreaterThan(0);
    } finally {
      await sb.close();
    }
  }, 120_000);

  it("a killed process's slots are free again once its lease expires, not before", async () => {
    const limits = { connections: 1, perConnection: 4, instance: 2, requestsPerSecond: 100, optionWritesPerSecond: 3 };
    const leaseMs = 3000;
    const holder = worker({ mode: 'hold', dbUrl: budgetDb.url(), instance: 'killed', connections: [{ clientId: 'c1', secret: 's', username: 'u', password: 'p' }], slots: 2, leaseMs, limits });
    const budget = new PostgresBudget({ url: budgetDb.url(), instance: 'killed', connectionIds: ['c1'], limits, leaseMs, pollMs: 50 });
    try {
      expect(await holder.next()).toEqual({ held: 2 });
      // Alive, the holder renews its leases: nothing for us for longer than one lease.
      const blocked = await Promise.race([budget.acquire({ optionWrite: false }).then(() => 'granted'), new Promise((r) => setTimeout(() => r('waiting'), leaseMs + 1500))]);
      expect(blocked).toBe('waiting');
      const killedAt = performance.now();
      holder.proc.kill('SIGKILL');
      const permit = await budget.acquire({ optionWrite: false });
      const afterKill = performance.now() - killedAt;
      expect(permit.connection).toBe(0);
      // The pending acquire above is the one granted first; this one is the second slot.
      expect(afterKill).toBeLessThanOrEqual(leaseMs + 2000);
      permit.release();
    } finally {
      if (holder.proc.exitCode === null) holder.proc.kill('SIGKILL');
      await budget.close();
    }
  }, 60_000);

  it('429s shrink the shared cap for every process, and successes grow it back', async () => {
    const limits = { connections: 1, perConnection: 4, instance: 4, requestsPerSecond: 100, optionWritesPerSecond: 3 };
    const a = new PostgresBudget({ url: budgetDb.url(), instance: 'shrink', connectionIds: ['c1'], limits, leaseMs: 5000, growAfterSuccesses: 1 });
    const b = new PostgresBudget({ url: budgetDb.url(), instance: 'shrink', connectionIds: ['c1'], limits, leaseMs: 5000 });
    try {
      (await a.acquire({ optionWrite: false })).release();
      a.onThrottled();
      a.onThrottled();
      await new Promise((r) => setTimeout(r, 200));
      // The other process learns the halved cap from its next acquire: 2 slots, not 4.
      const held = [await b.acquire({ optionWrite: false }), await b.acquire({ optionWrite: false })];
      expect(b.limit).toBe(2);
      let third = false;
      const pending = b.acquire({ optionWrite: false }).then((p) => ((third = true), p));
      await new Promise((r) => setTimeout(r, 300));
      expect(third).toBe(false);
      // Two successes at cap 2 (growAfterSuccesses 1 × cap) give one slot back.
      a.onSuccess();
      a.onSuccess();
      const p = await pending;
      expect(b.limit).toBe(3);
      for (const x of [...held, p]) x.release();
    } finally {
      await a.close();
      await b.close();
    }
  }, 30_000);
});
