/**
 * The seam between the core's runSync (src/sync/index.ts), which knows only the ERP port, and the
 * composition root's (src/app/run-sync.ts), which builds the ERP source from the config.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ferryConfigSchema } from '../../src/config/schema.js';
import { createLogger } from '../../src/logging.js';
import { runSync } from '../../src/sync/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-app-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const config = ferryConfigSchema.parse({
  pim: { url: 'https://pim.invalid', clientId: 'id', secret: 'secret', username: 'u', password: 'p' },
  erp: { type: 'files', folder: join(dir, 'drop'), format: 'csv', streams: { items: { pattern: '*.csv', key: 'sku' } } },
  mapping: {},
  state: { path: join(dir, 'ferry.db') },
});
const silent = createLogger({ level: 'silent' });

describe('runSync and its ERP source', () => {
  it('the core builds no ERP adapter: without a source it says how to get one', async () => {
    await expect(runSync(config, { logger: silent, dryRun: true })).rejects.toThrow(/runSync needs an ERP source: pass `source` or `openSource`/);
  });

  it('the core opens the source through openSource, with a logger that keeps the adapter\'s warnings', async () => {
    const given: unknown[] = [];
    const refusal = new Error('opened');
    const run = runSync(config, {
      logger: silent,
      dryRun: true,
      openSource: (logger) => {
        given.push(logger);
        throw refusal;
      },
    });
    await expect(run).rejects.toBe(refusal);
    expect(given).toHaveLength(1);
    expect(typeof (given[0] as { warn?: unknown }).warn).toBe('function');
  });
});
