/**
 * Files adapter → sandbox: a source that consumes its input (files move to done/ on close)
 * must keep it when the run does not settle — a dry run or a failed run — so the next run
 * still sees it; a settled run moves it.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ferryConfigSchema, type FerryConfig } from '../../src/config/schema.js';
import { createLogger } from '../../src/logging.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { runSync } from '../../src/app/run-sync.js';
import { bootstrapPim } from '../../src/sync/bootstrap.js';
import { createErpSource } from '../../src/erp/factory.js';
import { sandboxPimConfig, tempDirs } from './support/e2e.js';
import { clientFor } from './support/pim.js';

const silent = createLogger({ level: 'silent' });
const tempDir = tempDirs('ferry-files-e2e-');
let sb: RunningSandbox;

beforeAll(async () => {
  sb = await startSandbox({ catalog: 'demo' });
});
afterAll(async () => {
  await sb.close();
});

function setup(pimUrl = sb.url): { config: FerryConfig; folder: string } {
  const dir = tempDir();
  const folder = join(dir, 'drop');
  mkdirSync(folder);
  writeFileSync(join(folder, 'items.csv'), 'sku,ean\nFILE-1,4006381333931\nFILE-2,4006381333948\n');
  const config = ferryConfigSchema.parse({
    pim: sandboxPimConfig(sb, { url: pimUrl, limits: { maxRetries: pimUrl === sb.url ? 6 : 0 } }),
    erp: { type: 'files', folder, format: 'csv', streams: { items: { pattern: 'items*.csv', key: 'sku', fields: { ean: 'ean' } } } },
    mapping: { attributes: { ean: { type: 'text' } } },
    state: { path: join(dir, 'ferry.db') },
  });
  return { config, folder };
}

describe('files → sandbox: input files are kept until a run settles', () => {
  it('a dry run leaves the file waiting; the real run moves it to done/', async () => {
    const { config, folder } = setup();
    const client = clientFor(sb);
    const source = createErpSource(config.erp);
    try {
      await bootstrapPim(client, config.mapping, source);
    } finally {
      await source.close();
    }
    await client.close();
    // The bootstrap's describe() must not consume the file either.
    expect(existsSync(join(folder, 'items.csv'))).toBe(true);

    const dry = await runSync(config, { logger: silent, dryRun: true, full: true });
    expect(dry.counts.read).toBe(2);
    expect(existsSync(join(folder, 'items.csv'))).toBe(true);

    const real = await runSync(config, { logger: silent, full: true });
    expect(real.status).toBe('succeeded');
    expect(real.counts.created).toBe(2);
    expect(existsSync(join(folder, 'items.csv'))).toBe(false);
    expect(existsSync(join(folder, 'done', 'items.csv'))).toBe(true);
  });

  it('a run that fails (PIM unreachable) leaves the file waiting', async () => {
    const { config, folder } = setup('http://127.0.0.1:9');
    const outcome = await runSync(config, { logger: silent, full: true }).then(
      (r) => r.status,
      () => 'threw',
    );
    expect(['failed', 'threw']).toContain(outcome);
    expect(existsSync(join(folder, 'items.csv'))).toBe(true);
    expect(existsSync(join(folder, 'done', 'items.csv'))).toBe(false);
  });
});
