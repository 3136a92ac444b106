/**
 * A real `ferry sync` child process stopped mid-run: SIGTERM ends it gracefully (exit 143, the
 * report stored and printed with status interrupted and its counts so far); a run killed with
 * SIGKILL is shown as interrupted by the next `ferry runs`, with the counts of its last heartbeat.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ferryConfigSchema } from '../../src/config/schema.js';
import { createErpSource } from '../../src/erp/factory.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { bootstrapPim } from '../../src/sync/bootstrap.js';
import { countsAddUp } from '../../src/sync/report.js';
import { clientFor } from './support/pim.js';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const ITEMS = 1200;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function configFile(sb: RunningSandbox, dir: string, erpPath: string): string {
  const file = join(dir, 'ferry.yaml');
  writeFileSync(
    file,
    [
      'pim:',
      `  url: ${sb.url}`,
      `  clientId: ${sb.clientId}`,
      `  secret: ${sb.secret}`,
      `  username: ${sb.username}`,
      `  password: ${sb.password}`,
      'erp:',
      '  type: demo',
      `  path: ${erpPath}`,
      `  items: ${ITEMS}`,
      '  seed: 5',
      'mapping:',
      '  preset: demo',
      'state:',
      `  path: ${join(dir, 'ferry.db')}`,
      '',
    ].join('\n'),
  );
  return file;
}

function ferry(args: string[], dir: string) {
  // One node process (no npx wrapper), so the signal reaches the sync itself.
  return spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/index.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, FERRY_LOG_LEVEL: 'warn', FERRY_LOCK_DIR: join(dir, 'locks') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function output(child: ReturnType<typeof ferry>): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }> {
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((r) => child.on('exit', (code, signal) => r({ code, signal, out, err })));
}

async function prepare() {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-stop-'));
  dirs.push(dir);
  const sb = await startSandbox({ catalog: 'demo', latency: '15ms+1ms/line' });
  const erpPath = join(dir, 'demo-erp.sqlite');
  const config = configFile(sb, dir, erpPath);
  const cfg = ferryConfigSchema.parse({ pim: { url: sb.url, clientId: 'x', secret: 'x', username: 'x', password: 'x' }, erp: { type: 'demo', path: erpPath, items: ITEMS, seed: 5 }, mapping: { preset: 'demo' } });
  const source = createErpSource(cfg.erp);
  const client = clientFor(sb);
  await bootstrapPim(client, cfg.mapping, source);
  await source.close();
  await client.close();
  return { dir, sb, config };
}

async function waitForProducts(sb: RunningSandbox, atLeast: number, log: () => string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while ((sb.stats().products ?? 0) < atLeast) {
    if (Date.now() > deadline) throw new Error(`the child never got far enough: ${sb.stats().products} products; ${log()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('stopping a run', () => {
  it('SIGTERM mid-run: exit 143, in-flight batches settled, an interrupted report stored and printed; the next run finishes', async () => {
    const { dir, sb, config } = await prepare();
    try {
      const child = ferry(['sync', '--config', config, '--json', '--no-progress'], dir);
      const done = output(child);
      let err = '';
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      await waitForProducts(sb, 200, () => err);
      child.kill('SIGTERM');
      const r = await done;
      expect(r.code, r.err).toBe(143);
      const summary = JSON.parse(r.out) as { runId: number; status: string; counts: Parameters<typeof countsAddUp>[0]; durationMs: number };
      expect(summary.status).toBe('interrupted');
      expect(countsAddUp(summary.counts)).toBe(true);
      // What the PIM holds is exactly what the report counts as created (nothing sent after the stop is lost).
      const inPim = sb.stats().products ?? 0;
      expect(summary.counts.created).toBeGreaterThan(0);
      expect(inPim).toBeLessThan(ITEMS);

      const runs = await output(ferry(['runs', '--config', config, '--json'], dir));
      const list = JSON.parse(runs.out) as { id: number; status: string; counts: { created: number } | null }[];
      expect(list[0]).toMatchObject({ id: summary.runId, status: 'interrupted' });
      expect(list[0]!.counts?.created).toBe(summary.counts.created);

      const next = await output(ferry(['sync', '--config', config, '--json', '--no-progress'], dir));
      expect(next.code, next.err).toBe(0);
      const nextSummary = JSON.parse(next.out) as { counts: { created: number; unchanged: number } };
      expect(nextSummary.counts.unchanged).toBeGreaterThan(0);
      expect(sb.stats().products).toBeGreaterThan(inPim);
    } finally {
      await sb.close();
    }
  }, 300_000);

  it('SIGKILL mid-run: the next `ferry runs` shows the run interrupted, not running', async () => {
    const { dir, sb, config } = await prepare();
    try {
      const child = ferry(['sync', '--config', config, '--json', '--no-progress'], dir);
      const done = output(child);
      await waitForProducts(sb, 200, () => '');
      child.kill('SIGKILL');
      const r = await done;
      expect(r.signal).toBe('SIGKILL');
      const runs = await output(ferry(['runs', '--config', config, '--json'], dir));
      const list = JSON.parse(runs.out) as { status: string; startedAt: string; finishedAt: string | null }[];
      expect(list[0]!.status).toBe('interrupted');
      expect(list[0]!.finishedAt).not.toBeNull();
    } finally {
      await sb.close();
    }
  }, 300_000);
});
