/** The `ferry sync` / `ferry runs` CLI contract, run as a real child process. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferryConfigSchema } from '../../src/config/schema.js';
import { createErpSource } from '../../src/erp/factory.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { bootstrapPim } from '../../src/sync/bootstrap.js';
import { countsAddUp } from '../../src/sync/report.js';
import { clientFor } from './support/pim.js';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

function ferry(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'src/cli/index.ts'), ...args], {
    cwd,
    env: { ...process.env, FERRY_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((r) => child.on('exit', (code) => r({ code, stdout, stderr })));
}

describe('ferry sync / runs CLI', () => {
  let sb: RunningSandbox;
  let dir: string;
  const yaml = (extraMapping: string[] = []) =>
    [
      'pim:',
      `  url: ${sb.url}`,
      '  clientId: ferry',
      '  secret: ${FERRY_TEST_SECRET:-ferry-secret}',
      '  username: admin',
      '  password: admin',
      'erp:',
      '  type: demo',
      `  path: ${join(dir, 'demo.sqlite')}`,
      '  items: 60',
      'mapping:',
      '  preset: demo',
      ...extraMapping,
      'state:',
      `  path: ${join(dir, 'ferry.db')}`,
      '',
    ].join('\n');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-cli-'));
    sb = await startSandbox({ catalog: 'demo' });
    const cfg = ferryConfigSchema.parse({ pim: { url: sb.url, clientId: 'x', secret: 'x', username: 'x', password: 'x' }, erp: { type: 'demo', path: join(dir, 'demo.sqlite'), items: 60 }, mapping: { preset: 'demo' } });
    const source = createErpSource(cfg.erp);
    const client = clientFor(sb);
    await bootstrapPim(client, cfg.mapping, source);
    await source.close();
    await client.close();
  }, 120_000);
  afterAll(async () => {
    await sb?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses contradictory selections with exit 1 and a clear message', async () => {
    writeFileSync(join(dir, 'ferry.yaml'), yaml());
    const r = await ferry(['sync', '--full', '--keys', 'A'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--full and --keys cannot be combined');
    const bad = await ferry(['sync', '--since', 'yesterday'], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--since yesterday is not an ISO date');
  });

  it('--json still prints one object (status failed, exit 1) when the PIM cannot be reached', async () => {
    // Few retries: the client's backoff on a refused connection would otherwise take ~50 s.
    writeFileSync(join(dir, 'unreachable.yaml'), yaml().replace(sb.url, 'http://127.0.0.1:9').replace('  password: admin\n', '  password: admin\n  limits: { maxRetries: 1 }\n'));
    const r = await ferry(['sync', '--config', 'unreachable.yaml', '--json'], dir);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { status: string; error: string; runId: number | null };
    expect(out.status).toBe('failed');
    expect(typeof out.runId).toBe('number'); // the failed run is in the history
    expect(out.error).toMatch(/127\.0\.0\.1:9|ECONNREFUSED|reach/i);
    expect(r.stdout + r.stderr).not.toContain('ferry-secret');
  });

  it('--dry-run --keys prints the exact payloads and writes nothing', async () => {
    writeFileSync(join(dir, 'ferry.yaml'), yaml());
    const r = await ferry(['sync', '--dry-run', '--keys', 'nope-1', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { dryRun: boolean; counts: { read: number }; plan: { payloads: unknown[] } };
    expect(out.dryRun).toBe(true);
    expect(out.counts.read).toBe(0);
    expect(sb.stats().products).toBe(0);
  });

  it('prints the JSON contract, exits 0, then 2 when records are rejected; runs show --rejects is CSV', async () => {
    writeFileSync(join(dir, 'ferry.yaml'), yaml());
    const ok = await ferry(['sync', '--json'], dir);
    expect(ok.code, ok.stderr).toBe(0);
    const summary = JSON.parse(ok.stdout) as Record<string, unknown>;
    expect(Object.keys(summary).sort()).toEqual(['counts', 'durationMs', 'mode', 'requests', 'runId', 'status']);
    expect(summary.status).toBe('succeeded');
    expect(Object.keys(summary.counts as object).sort()).toEqual(['created', 'deleted', 'disabled', 'read', 'rejected', 'skipped', 'unchanged', 'updated']);
    expect(Object.keys(summary.requests as object).sort()).toEqual(['retried', 'throttled', 'total', 'writes']);
    expect(countsAddUp(summary.counts as Parameters<typeof countsAddUp>[0])).toBe(true);

    // An EAN longer than the mapping allows, declared as blocking: every item with an EAN is rejected.
    writeFileSync(join(dir, 'ferry.yaml'), yaml(['  attributes:', '    ean:', '      maxLength: 5', '  errors:', '    blockRecord:', '      too_long: true']));
    const rejected = await ferry(['sync', '--full', '--json'], dir);
    expect(rejected.code, rejected.stderr).toBe(2);
    const out = JSON.parse(rejected.stdout) as { runId: number; status: string; counts: { rejected: number } };
    expect(out.status).toBe('rejects');
    expect(out.counts.rejected).toBeGreaterThan(0);
    expect(countsAddUp(out.counts as Parameters<typeof countsAddUp>[0])).toBe(true);

    const csv = await ferry(['runs', 'show', String(out.runId), '--rejects'], dir);
    expect(csv.code, csv.stderr).toBe(0);
    const lines = csv.stdout.trim().split('\r\n');
    expect(lines[0]).toBe('run,type,record,erp_stream,erp_key,attribute,locale,channel,problem,how_to_fix,payload');
    expect(lines).toHaveLength(out.counts.rejected + 1);
    expect(lines[1]).toContain('ean');
    expect(lines[1]).toMatch(/SKU /);

    const list = await ferry(['runs', '--last', '5'], dir);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/#\d+ .* rejects /);
    const human = await ferry(['runs', 'show', String(out.runId)], dir);
    expect(human.stdout).toContain('rejected');
    // no secret anywhere
    for (const text of [ok.stdout, ok.stderr, rejected.stdout, rejected.stderr, csv.stdout, human.stdout]) expect(text).not.toContain('ferry-secret');
  }, 180_000);
});
