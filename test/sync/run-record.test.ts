/**
 * A complete record: a run that fails before reading (PIM unreachable) is in `ferry runs` with
 * its error; the ERP adapter's warnings are stored in the report and shown by `runs show`.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { spawn, spawnSync } from 'node:child_process';
import { ferry, ROOT } from '../support/ferry-cli.js';

describe('every run in the history, with its error and warnings', () => {
  let sb: RunningSandbox;
  let dir: string;
  const yaml = (url: string) =>
    [
      `pim: { url: "${url}", clientId: ${sb.clientId}, secret: ${sb.secret}, username: ${sb.username}, password: ${sb.password}, timeoutMs: 2000, limits: { maxRetries: 0 } }`,
      'erp: { type: files, folder: drop, moveAfterRead: false, streams: { items: { key: sku, group: model, pattern: "items*" } } }',
      'mapping: { preset: demo }',
      '',
    ].join('\n');
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-run-record-'));
    sb = await startSandbox({ catalog: 'demo' });
    mkdirSync(join(dir, 'drop'));
    writeFileSync(join(dir, 'drop', 'items.csv'), ['sku,model,name,color,size', 'A-1,M1,Shirt,red,S', 'A-2,M1,Shirt,blue,M', ''].join('\n'));
    // Not a spreadsheet: the files adapter warns and goes on with the other file.
    writeFileSync(join(dir, 'drop', 'items-broken.xlsx'), 'this is not a zip file');
    writeFileSync(join(dir, 'ferry.yaml'), yaml(sb.url));
    writeFileSync(join(dir, 'down.yaml'), yaml('http://127.0.0.1:9'));
    const boot = await ferry(['pim', 'bootstrap', '--yes'], dir);
    expect(boot.code, boot.stderr).toBe(0);
  }, 180_000);
  afterAll(async () => {
    await sb?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a run that fails because the PIM is unreachable is in ferry runs with its error', async () => {
    const r = await ferry(['sync', '--config', 'down.yaml'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Run #1\b/);
    const runs = await ferry(['runs', '--config', 'down.yaml'], dir);
    expect(runs.stdout).toMatch(/#1 .* failed .*error: before reading the ERP: .*127\.0\.0\.1:9/);
    const json = JSON.parse((await ferry(['runs', '--config', 'down.yaml', '--json'], dir)).stdout) as { status: string; error: string }[];
    expect(json[0]).toMatchObject({ status: 'failed' });
    expect(json[0]!.error).toContain('127.0.0.1:9');
  });

  it("the ERP adapter's warnings are stored in the report and shown by runs show", async () => {
    const r = await ferry(['sync', '--json'], dir);
    const runId = (JSON.parse(r.stdout) as { runId: number }).runId;
    const shown = await ferry(['runs', 'show', String(runId)], dir);
    expect(shown.stdout).toMatch(/ERP warnings: 1\n\s+- file unreadable: /);
    const stored = JSON.parse((await ferry(['runs', 'show', String(runId), '--json'], dir)).stdout) as { report: { erpWarnings: { total: number; messages: string[] } } };
    expect(stored.report.erpWarnings.total).toBe(1);
    expect(stored.report.erpWarnings.messages[0]).toMatch(/items-broken|unreadable/);
  });

  it('on a terminal, ferry sync logs human lines, not JSON', async () => {
    // script(1) gives the command a terminal; skipped where util-linux script is missing.
    // (Asynchronous: the sandbox answering the sync runs in this process.)
    if (spawnSync('script', ['--version']).error) return;
    const cmd = `"${process.execPath}" --import "${import.meta.resolve('tsx')}" "${join(ROOT, 'src/cli/index.ts')}" sync --full --no-progress`;
    const child = spawn('script', ['-qec', cmd, '/dev/null'], { cwd: dir, env: { ...process.env, FERRY_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((r) => child.on('exit', r));
    expect(out, out).toMatch(/^warning: file unreadable/m);
    expect(out).toMatch(/Run #\d+: full sync/);
    expect(out).not.toContain('{"level":');
  });
});
