/**
 * Files adapter → sync engine → sandbox: a row rejected for invalid UTF-8 is queued for retry
 * under its real key (the SKU), its file waits in retry/ instead of done/, and once a later
 * export delivers the key the queue empties and the file moves on to done/.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferryConfigSchema } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/logging.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/index.js';
import { runSync } from '../../../src/app/run-sync.js';
import { openSqliteStateStore } from '../../../src/sync/state/sqlite.js';
import { sandboxPimConfig, tempDirs } from '../../sync/support/e2e.js';

const silent = createLogger({ level: 'silent' });
const tempDir = tempDirs('ferry-files-retry-');
let sb: RunningSandbox;

beforeAll(async () => {
  sb = await startSandbox({ catalog: 'demo' });
});
afterAll(async () => {
  await sb.close();
});

describe('files → sync: rejected rows are read again on the next run', () => {
  it('a bad row is queued by its SKU, its file waits in retry/, and leaves once a later file delivers the SKU', async () => {
    const dir = tempDir();
    const folder = join(dir, 'drop');
    mkdirSync(folder);
    const rows = Array.from({ length: 40 }, (_, i) => `RETRY-${i + 1},Chair ${i + 1}\n`);
    writeFileSync(join(folder, 'items-1.csv'), Buffer.concat([Buffer.from(`sku,name\n${rows.slice(0, 19).join('')}RETRY-20,Ch`), Buffer.from([0xff, 0xfe]), Buffer.from(`air\n${rows.slice(20).join('')}`)]));
    const config = ferryConfigSchema.parse({
      pim: sandboxPimConfig(sb),
      erp: { type: 'files', folder, format: 'csv', streams: { items: { pattern: 'items*.csv', key: 'sku', fields: { name: 'name' } } } },
      mapping: { attributes: { name: { type: 'text' } } },
      state: { path: join(dir, 'ferry.db') },
    });

    const first = await runSync(config, { logger: silent });
    expect(first.counts.read).toBe(40);
    expect(first.counts.rejected).toBe(1);
    expect(first.counts.created).toBe(39);
    const state = await openSqliteStateStore(config.state.path);
    try {
      expect(await state.listRetries('items')).toEqual(['RETRY-20']);
    } finally {
      await state.close();
    }
    expect(existsSync(join(folder, 'retry', 'items-1.csv'))).toBe(true);
    expect(existsSync(join(folder, 'done', 'items-1.csv'))).toBe(false);

    // Nothing new: the delta run reads the waiting key again (still bad), the file stays.
    const again = await runSync(config, { logger: silent });
    expect(again.counts.rejected).toBe(1);
    expect(existsSync(join(folder, 'retry', 'items-1.csv'))).toBe(true);

    // The ERP exports the fixed row: it is created, the queue empties, the old file moves on.
    writeFileSync(join(folder, 'items-2.csv'), 'sku,name\nRETRY-20,Chair 20\n');
    const fixed = await runSync(config, { logger: silent });
    expect(fixed.counts.created).toBe(1);
    expect(fixed.counts.rejected).toBe(0);
    const state2 = await openSqliteStateStore(config.state.path);
    try {
      expect(await state2.listRetries('items')).toEqual([]);
    } finally {
      await state2.close();
    }
    expect(existsSync(join(folder, 'retry', 'items-1.csv'))).toBe(false);
    expect(existsSync(join(folder, 'done', 'items-1.csv'))).toBe(true);
    expect(existsSync(join(folder, 'done', 'items-2.csv'))).toBe(true);
  });

  it('a row without a readable key is reported but never queued under its location', async () => {
    const dir = tempDir();
    const folder = join(dir, 'drop');
    mkdirSync(folder);
    writeFileSync(join(folder, 'items-1.csv'), 'sku,name\nK-1,Chair 1\n,Nameless chair\nK-3,Chair 3\n');
    const config = ferryConfigSchema.parse({
      pim: sandboxPimConfig(sb),
      erp: { type: 'files', folder, format: 'csv', streams: { items: { pattern: 'items*.csv', key: 'sku', fields: { name: 'name' } } } },
      mapping: { attributes: { name: { type: 'text' } } },
      state: { path: join(dir, 'ferry.db') },
    });
    const first = await runSync(config, { logger: silent });
    expect(first.counts.rejected).toBe(1);
    expect(first.counts.created).toBe(2);
    expect(first.rejects[0]?.fix).toMatch(/key could not be read/);
    const state = await openSqliteStateStore(config.state.path);
    try {
      expect(await state.listRetries('items')).toEqual([]);
    } finally {
      await state.close();
    }
    expect(existsSync(join(folder, 'done', 'items-1.csv'))).toBe(true);
  });
});
