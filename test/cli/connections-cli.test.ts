/**
 * Several connections from the command line: `--connection NAME` on the commands that act on
 * one, the error naming them when it is missing, `ferry connections list`, and two tenants
 * syncing at once into two sandboxes — one sandbox down, the other still finishes.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { ferry } from '../support/ferry-cli.js';

let north: RunningSandbox;
let south: RunningSandbox;
const dir = mkdtempSync(join(tmpdir(), 'ferry-connections-cli-'));

function connection(sb: RunningSandbox, name: string, seed: number): string[] {
  return [
    `  ${name}:`,
    '    pim:',
    `      url: ${sb.url}`,
    `      clientId: ${sb.clientId}`,
    `      secret: ${sb.secret}`,
    `      username: ${sb.username}`,
    `      password: ${sb.password}`,
    '      timeoutMs: 3000',
    '      limits: { maxRetries: 0 }',
    `    erp: { type: demo, path: ./${name}-erp.sqlite, items: 60, seed: ${seed} }`,
    '    mapping: { preset: demo }',
  ];
}

beforeAll(async () => {
  [north, south] = await Promise.all([startSandbox({ catalog: 'demo' }), startSandbox({ catalog: 'demo' })]);
  writeFileSync(join(dir, 'ferry.yaml'), ['connections:', ...connection(north, 'north', 3), ...connection(south, 'south', 5), ''].join('\n'));
  // The PIM structure each connection's mapping needs, one connection at a time.
  for (const name of ['north', 'south']) {
    const r = await ferry(['pim', 'bootstrap', '--yes', '--connection', name], dir);
    expect(r.code, r.stderr + r.stdout).toBe(0);
  }
}, 180_000);
afterAll(async () => {
  await north?.close();
  await south?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ferry with several connections', () => {
  it('refuses to guess which connection: the error lists the names (exit 2)', async () => {
    const missing = await ferry(['sync'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('ferry.yaml holds 2 connections (north, south); say which with --connection NAME.');
    const unknown = await ferry(['runs', '--connection', 'east'], dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('has no connection "east"; its connections are: north, south.');
  }, 60_000);

  it('pim check and erp check act on the named connection', async () => {
    const pim = await ferry(['pim', 'check', '--json', '--connection', 'south'], dir);
    expect(pim.code, pim.stderr).toBe(0);
    expect((JSON.parse(pim.stdout) as { url: string }).url).toBe(south.url);
    const erp = await ferry(['erp', 'check', '--connection', 'north'], dir);
    expect(erp.code, erp.stderr).toBe(0);
    expect(erp.stdout).toMatch(/OK/);
  }, 60_000);

  it('two tenants sync at once, each into its own PIM and state; one PIM down, the other finishes', async () => {
    const both = await Promise.all([ferry(['sync', '--json', '--connection', 'north'], dir), ferry(['sync', '--json', '--connection', 'south'], dir)]);
    for (const r of both) expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'data/north.db'))).toBe(true);
    expect(existsSync(join(dir, 'data/south.db'))).toBe(true);
    // Each sandbox received its own connection's products (different seeds: different catalogs).
    expect(north.stats().products).toBeGreaterThan(0);
    expect(south.stats().products).toBeGreaterThan(0);

    await south.close();
    const [n, s] = await Promise.all([ferry(['sync', '--full', '--connection', 'north'], dir), ferry(['sync', '--full', '--connection', 'south'], dir)]);
    expect(n.code, n.stderr).toBe(0);
    expect(s.code).not.toBe(0);

    const list = await ferry(['connections', 'list', '--json'], dir);
    const lines = JSON.parse(list.stdout) as { name: string; pim: string; erp: string; lastRun: { status: string; mode: string } | null; error: string | null }[];
    expect(lines.map((l) => l.name)).toEqual(['north', 'south']);
    expect(lines[0]).toMatchObject({ pim: north.url, erp: `demo ${join(dir, 'north-erp.sqlite')}`, error: null, lastRun: { mode: 'full', status: 'succeeded' } });
    expect(lines[1]!.lastRun?.status).toBe('failed');
    const runs = await ferry(['runs', '--connection', 'north'], dir);
    expect(runs.stdout.split('\n').filter((l) => l.startsWith('#'))).toHaveLength(2);
  }, 180_000);

  it('connections list shows a connection whose config does not load, with its key path, beside the others', async () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, ['connections:', ...connection(north, 'north', 3), '  broken:', '    pim: { url: not-a-url, token: t }', '    erp: { type: demo }', ''].join('\n'));
    const r = await ferry(['connections', 'list', '--config', bad], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^NAME +PIM +ERP +LAST RUN$/m);
    expect(r.stdout).toMatch(new RegExp(`^north +${north.url.replace(/[.]/g, '\\.')} +demo .*#\\d+ full succeeded`, 'm'));
    expect(r.stdout).toMatch(/^broken +- +- +ERROR connections\.broken\.pim\.url: /m);
  }, 60_000);
});
