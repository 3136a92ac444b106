/**
 * `ferry check` maps every ERP record as the sync would: an axis clash that holds a valid-looking
 * item back and reference prices in a currency the PIM has not enabled are errors, not "mapping OK".
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { ferry } from '../support/ferry-cli.js';

describe('ferry check over the whole catalogue', () => {
  let sb: RunningSandbox;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-check-records-'));
    sb = await startSandbox({ catalog: 'demo' }); // EUR and USD enabled, GBP not
    mkdirSync(join(dir, 'drop'));
    writeFileSync(
      join(dir, 'drop', 'items.csv'),
      ['sku,model,name,color,size,list_price', 'A-1,M1,Shirt,red,S,10', 'A-2,M1,Shirt,red,S,11', 'A-3,M1,Shirt,blue,S,12', 'B-1,,Pen,,,5', ''].join('\n'),
    );
    writeFileSync(
      join(dir, 'ferry.yaml'),
      [
        `pim: { url: "${sb.url}", clientId: ${sb.clientId}, secret: ${sb.secret}, username: ${sb.username}, password: ${sb.password} }`,
        'erp:',
        '  type: files',
        '  folder: drop',
        '  moveAfterRead: false',
        '  streams:',
        '    items:',
        '      key: sku',
        '      group: model',
        '      fields:',
        '        list_price: { type: money, column: list_price, currency: GBP }',
        'mapping:',
        '  preset: demo',
        '  attributes:',
        '    list_price: { type: price, referencePrice: true }',
        '',
      ].join('\n'),
    );
    const boot = await ferry(['pim', 'bootstrap', '--yes'], dir);
    expect(boot.code, boot.stderr).toBe(0);
  }, 180_000);
  afterAll(async () => {
    await sb?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports the held-back item and the disabled currency, with the sync messages, and exits 1', async () => {
    const r = await ferry(['check'], dir);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).not.toContain('mapping OK');
    expect(r.stdout).toMatch(/\[held_back:duplicate_axis_combination\] held back in 1 record \(SKU "A-2"\); SKU "A-2": it has the same variant axis values/);
    expect(r.stdout).toMatch(/\[missing_currency\] .*value dropped in [34] records .*currency "GBP" is not enabled in the PIM/);
    expect(r.stdout).toContain('records: all 4 ERP items in 2 groups mapped as the sync would');
    const json = JSON.parse((await ferry(['check', '--format', 'json'], dir)).stdout) as { ok: boolean; records: { items: number; complete: boolean }; problems: { code: string }[] };
    expect(json.ok).toBe(false);
    expect(json.records).toEqual({ items: 4, groups: 2, complete: true });
    expect(json.problems.map((p) => p.code)).toEqual(expect.arrayContaining(['held_back:duplicate_axis_combination', 'missing_currency']));
  });

  it('--limit says the check was a sample', async () => {
    const r = await ferry(['check', '--limit', '1'], dir);
    expect(r.stdout).toContain('records: a sample of 1 ERP item in 1 group mapped as the sync would (--limit 1; the rest were not checked)');
  });
});
