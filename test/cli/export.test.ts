/**
 * `ferry pim bootstrap` with `export:` (the status attributes) and `ferry export` as a real
 * process: the text report, --json, --dry-run, --keys and the exit codes.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AkeneoClient } from '../../src/akeneo/index.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { ferry } from '../support/ferry-cli.js';
import { tempDirs } from '../sync/support/e2e.js';
import { clientFor } from '../sync/support/pim.js';

const tempDir = tempDirs('ferry-export-cli-');

describe('ferry export CLI', () => {
  let sb: RunningSandbox;
  let client: AkeneoClient;
  let dir: string;

  beforeAll(async () => {
    sb = await startSandbox({ catalog: 'demo' });
    client = clientFor(sb);
    dir = tempDir();
    mkdirSync(join(dir, 'drop'));
    writeFileSync(
      join(dir, 'ferry.yaml'),
      [
        'pim:',
        `  url: ${sb.url}`,
        `  clientId: ${sb.clientId}`,
        `  secret: ${sb.secret}`,
        `  username: ${sb.username}`,
        `  password: ${sb.password}`,
        'erp:',
        '  type: files',
        `  folder: ${join(dir, 'drop')}`,
        '  sinkFormat: csv',
        'state:',
        `  path: ${join(dir, 'ferry.db')}`,
        'export:',
        '  sku: { mode: generate, pattern: "FER{seq:7}" }',
        '  fields:',
        '    name: { attribute: marketing_title, locales: { en: en_US } }',
        '',
      ].join('\n'),
    );
    await client.families.upsert({ code: 'caps', attribute_as_label: 'marketing_title', attributes: ['sku', 'marketing_title'] } as never);
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await sb?.close();
  });

  it('ferry pim bootstrap creates the ERP exchange group, erp_status with its options, erp_message, and adds them to the families', async () => {
    const plan = await ferry(['pim', 'bootstrap', '--plan'], dir);
    expect(plan.stderr).toBe('');
    expect(plan.stdout).toContain('attribute erp_status (simpleselect, export status)');
    expect(plan.stdout).toContain('options of erp_status: to_export, exported, in_erp, error');
    const applied = await ferry(['pim', 'bootstrap', '--yes'], dir);
    expect(applied.code, applied.stderr).toBe(0);
    expect((await client.attributeGroups.get('erp_exchange')).code).toBe('erp_exchange');
    expect((await client.attributes.get('erp_message')).type).toBe('pim_catalog_text');
    const options: string[] = [];
    for await (const o of client.attributeOptions('erp_status').list()) options.push(o.code);
    expect(options).toEqual(['to_export', 'exported', 'in_erp', 'error']);
    expect((await client.families.get('caps')).attributes).toEqual(expect.arrayContaining(['erp_status', 'erp_message', 'erp_id']));
    const again = await ferry(['pim', 'bootstrap', '--plan'], dir);
    expect(again.stdout).toContain('nothing to create');
  });

  it('ferry export: --dry-run writes nothing, then a real run exports and exits 0; --json is one object with direction export', async () => {
    const uuid = randomUUID();
    await client.products.upsert({ uuid, family: 'caps', values: { marketing_title: [{ locale: 'en_US', scope: null, data: 'Cap' }], erp_status: [{ locale: null, scope: null, data: 'to_export' }] } });
    const dry = await ferry(['export', '--dry-run'], dir);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('dry run: nothing written');
    expect(dry.stdout).toContain('planned FER{seq:7}');
    const run = await ferry(['export'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/tagged products read 1: created 1/);
    expect(run.stdout).toContain('SKUs generated: 1');
    const json = await ferry(['export', '--json', '--keys', 'FER0000001'], dir);
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as { direction: string; counts: { read: number; created: number }; products: { sku: string }[] };
    expect(report.direction).toBe('export');
    expect(report.counts.read).toBe(1);
    expect(report.products[0]!.sku).toBe('FER0000001');
    const runs = await ferry(['runs', '--last', '5'], dir);
    expect(runs.stdout).toMatch(/export\s+succeeded/);
  });

  it('exits 2 when a product is refused, and says why', async () => {
    writeFileSync(join(dir, 'keep.yaml'), (await import('node:fs')).readFileSync(join(dir, 'ferry.yaml'), 'utf8').replace('{ mode: generate, pattern: "FER{seq:7}" }', '{ mode: keep }'));
    await client.products.upsert({ uuid: randomUUID(), family: 'caps', values: { marketing_title: [{ locale: 'en_US', scope: null, data: 'No SKU' }], erp_status: [{ locale: null, scope: null, data: 'to_export' }] } });
    const r = await ferry(['export', '--config', 'keep.yaml'], dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('The product has no SKU. Type one in the PIM');
  });

  it('refuses a config without export: with the fix', async () => {
    writeFileSync(join(dir, 'plain.yaml'), (await import('node:fs')).readFileSync(join(dir, 'ferry.yaml'), 'utf8').split('export:')[0]!);
    const r = await ferry(['export', '--config', 'plain.yaml'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ferry.yaml has no export: section');
  });
});
