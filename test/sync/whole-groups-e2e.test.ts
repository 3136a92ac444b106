/**
 * Whole groups, always (issue 11): a files-adapter delta (moveAfterRead, the default) whose drop
 * file holds one changed variant maps it with its siblings as Ferry last read them (their file
 * is in done/), so it stays a variant of its model; a new item of that model in a later file
 * with the same axis values as an earlier one is caught as an axis clash, not sent as a
 * simple product.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferryConfigSchema, type FerryConfig } from '../../src/config/schema.js';
import { createErpSource } from '../../src/erp/factory.js';
import { createLogger } from '../../src/logging.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { runSync } from '../../src/app/run-sync.js';
import { bootstrapPim } from '../../src/sync/bootstrap.js';
import { checkCounts, sandboxPimConfig, tempDirs } from './support/e2e.js';
import { clientFor } from './support/pim.js';

const silent = createLogger({ level: 'silent' });
const tempDir = tempDirs('ferry-groups-e2e-');
let sb: RunningSandbox;

beforeAll(async () => {
  sb = await startSandbox({ catalog: 'demo' });
});
afterAll(async () => {
  await sb.close();
});

const HEADER = 'sku,model,name,color,size,ean,active\n';

async function setup(withGroups = false): Promise<{ config: FerryConfig; folder: string }> {
  const dir = tempDir();
  const folder = join(dir, 'drop');
  mkdirSync(folder);
  const config = ferryConfigSchema.parse({
    pim: sandboxPimConfig(sb),
    erp: {
      type: 'files',
      folder,
      format: 'csv',
      streams: {
        items: {
          pattern: 'items*.csv',
          key: 'sku',
          group: 'model',
          active: 'active',
          fields: { name: 'name', color: 'color', size: 'size', ean: 'ean' },
        },
        ...(withGroups ? { groups: { pattern: 'models*.csv', key: 'code', fields: { name: 'name', description: 'description' } } } : {}),
      },
    },
    mapping: { preset: 'demo', structure: { categories: { mode: 'ignore' } } },
    state: { path: join(dir, 'ferry.db') },
  });
  const client = clientFor(sb);
  const source = createErpSource(config.erp);
  writeFileSync(join(folder, 'items-0.csv'), HEADER + 'BOOT-RED-40,BOOT,Boot,red,40,,1\n');
  if (withGroups) writeFileSync(join(folder, 'models-0.csv'), 'code,name,description\nBOOT,Boot,A sturdy boot\n');
  try {
    await bootstrapPim(client, config.mapping, source);
  } finally {
    await source.close();
    await client.close();
  }
  return { config, folder };
}

async function product(sku: string): Promise<Record<string, unknown> | null> {
  const client = clientFor(sb);
  try {
    const search = JSON.stringify({ sku: [{ operator: 'IN', value: [sku] }] });
    for await (const p of client.products.list({ search })) return p as unknown as Record<string, unknown>;
    return null;
  } finally {
    await client.close();
  }
}

describe('whole groups with the files adapter', () => {
  it('one changed variant in a new drop file stays a variant of its model; a later axis clash is caught', async () => {
    const { config, folder } = await setup();
    writeFileSync(join(folder, 'items-0.csv'), HEADER + 'BOOT-RED-40,BOOT,Boot,red,40,4006381333931,1\nBOOT-RED-41,BOOT,Boot,red,41,4006381333948,1\nBOOT-BLUE-40,BOOT,Boot,blue,40,4006381333955,1\n');
    const first = await runSync(config, { logger: silent });
    checkCounts(first);
    expect(first.status, JSON.stringify(first.rejects)).toBe('succeeded');
    expect((await product('BOOT-RED-41'))?.parent).toBeTruthy();
    const parentBefore = (await product('BOOT-RED-41'))!.parent;

    // The next night's drop: one variant changed (its EAN), its siblings' file is in done/.
    writeFileSync(join(folder, 'items-1.csv'), HEADER + 'BOOT-RED-41,BOOT,Boot,red,41,4006381333962,1\n');
    const delta = await runSync(config, { logger: silent });
    checkCounts(delta);
    expect(delta.status, JSON.stringify(delta.rejects)).toBe('succeeded');
    const after = await product('BOOT-RED-41');
    expect(after?.parent).toBe(parentBefore);
    expect(JSON.stringify(after?.values)).toContain('4006381333962');
    expect(delta.byType.product.updated).toBe(1);
    expect(delta.byType.product.created).toBe(0);

    // A new item of the model, in a new file, with the axis values of BOOT-BLUE-40: an axis clash.
    writeFileSync(join(folder, 'items-2.csv'), HEADER + 'BOOT-BLUE-40B,BOOT,Boot,blue,40,4006381333979,1\n');
    const clash = await runSync(config, { logger: silent });
    checkCounts(clash);
    expect(clash.counts.rejected, JSON.stringify(clash.rejects)).toBe(1);
    expect(clash.rejects[0]!.message).toContain('same variant axis values');
    expect(await product('BOOT-BLUE-40B')).toBeNull();

    // A new item with its own axis values joins the model as a variant.
    writeFileSync(join(folder, 'items-3.csv'), HEADER + 'BOOT-BLUE-41,BOOT,Boot,blue,41,4006381333986,1\n');
    const added = await runSync(config, { logger: silent });
    checkCounts(added);
    expect((await product('BOOT-BLUE-41'))?.parent).toBeTruthy();

    // Nothing new in the drop folder: nothing is written.
    const idle = await runSync(config, { logger: silent });
    expect(idle.requests.writes).toBe(0);
  }, 60_000);

  it('the group record as last read comes with the delta too: the model is left as it is', async () => {
    const { config, folder } = await setup(true);
    writeFileSync(join(folder, 'models-0.csv'), 'code,name,description\nSHOE,Shoe,A light shoe\n');
    writeFileSync(join(folder, 'items-0.csv'), HEADER + 'SHOE-RED-40,SHOE,Boot,red,40,4006381333931,1\nSHOE-RED-41,SHOE,Boot,red,41,4006381333948,1\n');
    const first = await runSync(config, { logger: silent });
    expect(first.status, JSON.stringify(first.rejects)).toBe('succeeded');
    const parent = (await product('SHOE-RED-41'))!.parent as string;
    expect(parent).toBeTruthy();
    // Only the items file comes the next night; the model file is in done/.
    writeFileSync(join(folder, 'items-1.csv'), HEADER + 'SHOE-RED-41,SHOE,Boot,red,41,4006381333962,1\n');
    const delta = await runSync(config, { logger: silent });
    checkCounts(delta);
    expect(delta.status, JSON.stringify(delta.rejects)).toBe('succeeded');
    expect((await product('SHOE-RED-41'))?.parent).toBe(parent);
    expect(delta.byType.product_model.updated + delta.byType.product_model.created).toBe(0);
    expect(delta.byType.product.updated).toBe(1);
  }, 60_000);
});
