/**
 * kill -9 in the middle of a sync: a real `ferry sync` child process writes into the sandbox,
 * is killed once part of the catalog is in the PIM, and a second run finishes the job. The PIM
 * must then hold exactly what an uninterrupted run gives: no duplicate, no missing record.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ferryConfigSchema } from '../../src/config/schema.js';
import { createErpSource } from '../../src/erp/factory.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { bootstrapPim } from '../../src/sync/bootstrap.js';
import { countsAddUp } from '../../src/sync/report.js';
import { clientFor, pimSnapshot } from './support/pim.js';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const ITEMS = 1500;
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

function spawnSync(config: string) {
  // One node process (no npx wrapper), so the kill reaches the sync itself.
  return spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/index.ts'), 'sync', '--config', config, '--json', '--no-progress'], {
    cwd: ROOT,
    env: { ...process.env, FERRY_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function runToEnd(config: string): Promise<{ code: number | null; out: Record<string, unknown>; err: string }> {
  const child = spawnSync(config);
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  return { code, out: JSON.parse(out) as Record<string, unknown>, err };
}

async function prepare(latency?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-crash-'));
  dirs.push(dir);
  const sb = await startSandbox({ catalog: 'demo', ...(latency ? { latency } : {}) });
  const erpPath = join(dir, 'demo-erp.sqlite');
  const config = configFile(sb, dir, erpPath);
  const cfg = ferryConfigSchema.parse({ pim: { url: sb.url, clientId: 'x', secret: 'x', username: 'x', password: 'x' }, erp: { type: 'demo', path: erpPath, items: ITEMS, seed: 5 }, mapping: { preset: 'demo' } });
  const source = createErpSource(cfg.erp);
  const client = clientFor(sb);
  await bootstrapPim(client, cfg.mapping, source);
  await source.close();
  return { dir, sb, client, config };
}

describe('crash and resume', () => {
  it('a sync killed with SIGKILL mid-run is finished by the next run, identical to an uninterrupted one', async () => {
    const reference = await prepare();
    const crashed = await prepare('15ms+1ms/line');
    try {
      const ref = await runToEnd(reference.config);
      expect(ref.code, ref.err).toBe(0);
      const expected = await pimSnapshot(reference.client);

      const child = spawnSync(crashed.config);
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((r) => child.on('exit', (_c, signal) => r(signal === 'SIGKILL' ? -9 : _c)));
      // Kill once a good part (not all) of the products are in the PIM.
      const total = Object.keys(expected.products).length;
      const deadline = Date.now() + 120_000;
      for (;;) {
        const stored = crashed.sb.stats().products ?? 0;
        if (stored >= total * 0.3) break;
        if (Date.now() > deadline) throw new Error(`the child never got far enough: ${stored} products; ${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill('SIGKILL');
      expect(await exited).toBe(-9);
      const partial = await pimSnapshot(crashed.client);
      expect(partial.productCount).toBeLessThan(total);

      // The dead run's lock is recovered at once (dead pid on this host); the run resumes.
      const resumed = await runToEnd(crashed.config);
      expect(resumed.code, resumed.err).toBe(0);
      const counts = resumed.out.counts as Parameters<typeof countsAddUp>[0];
      expect(countsAddUp(counts)).toBe(true);
      expect(counts.created).toBeGreaterThan(0);
      expect(counts.unchanged).toBeGreaterThan(0);

      const after = await pimSnapshot(crashed.client);
      expect(after.productCount).toBe(Object.keys(after.products).length); // no duplicate uuid for a SKU
      expect(after).toEqual(expected);

      const db = new Database(join(crashed.dir, 'ferry.db'), { readonly: true });
      const runs = db.prepare('SELECT id, status FROM runs ORDER BY id').all() as { id: number; status: string }[];
      db.close();
      expect(runs.map((r) => r.status)).toEqual(['interrupted', 'succeeded']);

      // And a third run has nothing left to do.
      const third = await runToEnd(crashed.config);
      expect(third.code).toBe(0);
      expect((third.out.requests as { writes: number }).writes).toBe(0);
    } finally {
      await reference.client.close();
      await crashed.client.close();
      await reference.sb.close();
      await crashed.sb.close();
    }
  }, 300_000);
});
