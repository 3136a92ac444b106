/** `ferry estimate` as a person runs it: text and --json, and a PIM that does not answer. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { ferry } from '../support/ferry-cli.js';

let sb: RunningSandbox;
const dir = mkdtempSync(join(tmpdir(), 'ferry-estimate-cli-'));

function writeConfig(file: string, url: string): void {
  writeFileSync(
    join(dir, file),
    [
      'pim:',
      `  url: ${url}`,
      `  clientId: ${sb.clientId}`,
      '  secret: ${PIM_SECRET}',
      `  username: ${sb.username}`,
      '  password: ${PIM_PASSWORD}',
      '  timeoutMs: 2000',
      '  limits: { maxRetries: 0 }',
      'erp: { type: demo, path: ./demo.sqlite, items: 400, seed: 3 }',
      'mapping: { preset: demo }',
      'state: { path: ./ferry.db }',
      '',
    ].join('\n'),
  );
}

beforeAll(async () => {
  sb = await startSandbox({ catalog: 'demo' });
  writeConfig('ferry.yaml', sb.url);
  writeConfig('unreachable.yaml', 'http://127.0.0.1:9');
}, 60_000);
afterAll(async () => {
  await sb?.close();
  rmSync(dir, { recursive: true, force: true });
});

const env = () => ({ PIM_SECRET: sb.secret, PIM_PASSWORD: sb.password });

describe('ferry estimate', () => {
  it('prints the counts, requests, duration, bottleneck and memory; --json gives the same numbers', async () => {
    const text = await ferry(['estimate'], dir, env());
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/ERP records: +categories \d+, attributes \d+, groups \d+, items 400/);
    expect(text.stdout).toMatch(/requests: +~\d+ \(\d+ product batches/);
    expect(text.stdout).toMatch(/PIM: +\d+ ms round trip, 1 connection, 4 calls at once/);
    expect(text.stdout).toMatch(/duration: +\d+ s at best, \d+ s likely/);
    expect(text.stdout).toMatch(/bottleneck: +/);
    expect(text.stdout).not.toContain(sb.secret);
    const json = await ferry(['estimate', '--json'], dir, env());
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as { erp: { counts: { items: number } }; estimate: { requests: { total: number; products: number } } };
    expect(report.erp.counts.items).toBe(400);
    expect(text.stdout).toContain(`~${report.estimate.requests.total} (${report.estimate.requests.products} product batches`);
  }, 120_000);

  it('a PIM that does not answer: the estimate still comes, with an assumed round trip, and says so', async () => {
    const out = await ferry(['estimate', '--config', 'unreachable.yaml'], dir, env());
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/PIM: +not reached/);
    expect(out.stdout).toMatch(/PIM not reached \(.*\); assumed a 200 ms round trip/);
    expect(out.stdout).not.toContain(sb.secret);
  }, 120_000);
});
