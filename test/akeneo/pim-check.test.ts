import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startFake, type FakeAkeneo } from './support/fake-akeneo.js';
import { runPimCheck } from '../../src/app/pim-check.js';
import { formatPimCheck, loadPimSection } from '../../src/cli/commands/pim.js';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../..');

let fake: FakeAkeneo;
let dir: string;
beforeAll(async () => {
  fake = await startFake();
  dir = await mkdtemp(path.join(tmpdir(), 'ferry-pim-check-'));
});
afterAll(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

async function configFile(name: string, pim: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, `pim:\n${pim}\nerp:\n  type: demo\n`);
  return file;
}

function cli(args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], { cwd: repo, env: { ...process.env, ...env } }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

describe('ferry pim check', () => {
  it('reports version, edition, endpoint mode, budget and counts', async () => {
    const file = await configFile('ok.yaml', `  url: ${fake.url}\n  clientId: ${fake.options.clientId}\n  secret: \${TEST_PIM_SECRET}\n  username: ${fake.options.username}\n  password: ${fake.options.password}\n  limits: { concurrency: 3 }`);
    const pim = await loadPimSection(file, { TEST_PIM_SECRET: fake.options.secret });
    const report = await runPimCheck(pim);
    expect(report).toMatchObject({
      version: '7.0.40',
      edition: 'CE',
      endpointMode: 'uuid',
      auth: 'connection',
      rateBudget: { concurrency: 3, requestsPerSecond: 100, optionWritesPerSecond: 3, maxRetries: 6 },
      counts: { channels: 3, locales: 3, activeLocales: 2, currencies: 3, activeCurrencies: 2, families: 3, attributes: 3 },
    });
    const text = formatPimCheck(report);
    expect(text).toMatch(/Version\s+7\.0\.40 \(CE\)/);
    expect(text).toMatch(/Endpoints\s+uuid \(\/products-uuid\)/);
    expect(text).toMatch(/Rate budget\s+3 concurrent calls, 100 requests\/s, 3 option writes\/s/);
    // The locales and currencies are named, not only counted.
    expect(report.activeLocaleCodes).toHaveLength(2);
    expect(text).toContain(`Locales      2 active of 3: ${report.activeLocaleCodes.join(', ')}`);
    expect(text).toContain(`Currencies   2 active of 3: ${report.activeCurrencyCodes.join(', ')}`);
    expect(text).not.toContain(fake.options.secret);
  });

  it('runs from the command line with --json', async () => {
    const file = await configFile('cli.yaml', `  url: ${fake.url}\n  clientId: ${fake.options.clientId}\n  secret: ${fake.options.secret}\n  username: ${fake.options.username}\n  password: ${fake.options.password}`);
    const r = await cli(['pim', 'check', '--config', file, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, edition: 'CE', endpointMode: 'uuid', counts: { families: 3 } });
  });

  it('exits 1 naming the wrong credential, without the secret', async () => {
    const file = await configFile('bad.yaml', `  url: ${fake.url}\n  clientId: ${fake.options.clientId}\n  secret: ${fake.options.secret}\n  username: ${fake.options.username}\n  password: totally-wrong-pw`);
    const r = await cli(['pim', 'check', '--config', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ferry: cannot use the PIM at http:\/\/127\.0\.0\.1:\d+: POST \/api\/oauth\/v1\/token failed with HTTP 422: Akeneo refused the username or password/);
    expect(r.stderr).toMatch(/check pim\.username and pim\.password/);
    expect(r.stderr).not.toContain('totally-wrong-pw');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('exits 1 when the PIM is unreachable', async () => {
    const file = await configFile('down.yaml', `  url: http://127.0.0.1:9\n  token: some-app-token\n  timeoutMs: 2000\n  limits: { maxRetries: 0 }`);
    const r = await cli(['pim', 'check', '--config', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/connection to http:\/\/127\.0\.0\.1:9 refused\. Check pim\.url/);
    expect(r.stderr).not.toContain('some-app-token');
  });

  it('reports every pim config problem at once', async () => {
    const file = await configFile('invalid.yaml', `  url: not-a-url\n  clientId: x\n  secret: \${NOPE_NOT_SET}\n  username: u\n  password: p\n  limits: { concurrency: 50 }`);
    await expect(loadPimSection(file, {})).rejects.toThrow(/pim\.secret: environment variable NOPE_NOT_SET is not set[\s\S]*pim\.url[\s\S]*pim\.limits\.concurrency/);
  });
});
