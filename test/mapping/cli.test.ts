/** The mapping commands as a user runs them: bootstrap (plan, --yes), check, map (table and json). */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '../..');

async function ferry(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', join(repo, 'src/cli/index.ts'), ...args], { cwd: repo, encoding: 'utf8', timeout: 120_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('ferry check / map / pim bootstrap', () => {
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  let dir: string;
  let config: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-mapping-cli-'));
    sandbox = await startSandbox({ catalog: 'demo' });
    config = join(dir, 'ferry.yaml');
    writeFileSync(
      config,
      [
        `pim: { url: "${sandbox.url}", clientId: ${sandbox.clientId}, secret: ${sandbox.secret}, username: ${sandbox.username}, password: ${sandbox.password} }`,
        `erp: { type: demo, path: "${join(dir, 'demo.sqlite')}", items: 40, seed: 3 }`,
        'mapping: { preset: demo }',
        `state: { path: "${join(dir, 'state.db')}" }`,
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await sandbox?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('check fails before the bootstrap, listing every problem with its fix', async () => {
    const r = await ferry(['check', '--config', config]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('[unknown_attribute] ERP field color: attribute color does not exist in the PIM');
    // Each problem names its field and attribute once (the message already says "attribute color").
    for (const line of r.stdout.split('\n').filter((l) => l.startsWith('  - ['))) {
      expect(line.match(/ERP field \w+/g)?.length ?? 0, line).toBeLessThanOrEqual(1);
      expect(line.match(/attribute \w+/g)?.length ?? 0, line).toBeLessThanOrEqual(1);
    }
    expect(r.stdout).toContain('fix: Run `ferry pim bootstrap`');
    expect(r.stdout).toMatch(/\d+ errors?, \d+ warnings?/);
  });

  it('bootstrap refuses to write without a terminal or --yes, then applies with --yes', async () => {
    const asked = await ferry(['pim', 'bootstrap', '--config', config]);
    expect(asked.stdout).toContain('+ attribute group erp "ERP data"');
    expect(asked.stderr).toContain('--yes');
    expect(asked.code).toBe(1);
    const applied = await ferry(['pim', 'bootstrap', '--yes', '--config', config]);
    expect(applied.code).toBe(0);
    // The options the ERP declares (its select columns' values) too, 100 per request.
    expect(applied.stdout).toMatch(/created: 1 attribute group, \d+ attributes, \d+ options, 1 family, 3 family variants/);
    const again = await ferry(['pim', 'bootstrap', '--yes', '--config', config]);
    expect(again.stdout).toContain('nothing to create');
    const check = await ferry(['check', '--config', config]);
    expect(check.code).toBe(0);
  });

  it('map shows records and payloads side by side, and as JSON, writing nothing', async () => {
    const table = await ferry(['map', '--sample', '2', '--config', config]);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('ERP RECORD');
    expect(table.stdout).toContain('AKENEO PAYLOAD');
    expect(table.stdout).toContain('nothing was written');
    const json = await ferry(['map', '--sample', '1', '--format', 'json', '--config', config]);
    const out = JSON.parse(json.stdout) as { records: { key: string; group: string }[]; entities: { kind: string }[]; errors: unknown[] };
    expect(out.records.length).toBeGreaterThan(0);
    expect(new Set(out.records.map((r) => r.group)).size).toBe(1);
    expect(out.entities.some((e) => e.kind === 'product')).toBe(true);
    const bad = await ferry(['map', '--keys', 'NO-SUCH-SKU', '--config', config]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('NO-SUCH-SKU');
  });
});
