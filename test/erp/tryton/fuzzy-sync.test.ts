/**
 * Fuzzy translations through the whole sync (real Tryton → engine → PIM sandbox): after the
 * English name of a template is edited in Tryton, `keep` sends only the new English text and the
 * PIM keeps its French and German names; `drop` clears them (the behaviour before the setting).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AkeneoClient } from '../../../src/akeneo/index.js';
import type { ProductModel } from '../../../src/akeneo/model.js';
import { ferryConfigSchema, type FerryConfig } from '../../../src/config/schema.js';
import type { ErpRecord, LocalizedText } from '../../../src/erp/port.js';
import { createTrytonSource, type TrytonSource } from '../../../src/erp/tryton/index.js';
import { createLogger } from '../../../src/logging.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/index.js';
import { runSync } from '../../../src/sync/index.js';
import { bootstrapPim } from '../../../src/sync/bootstrap.js';
import { startTryton, type RunningTryton } from '../../support/tryton/index.js';
import { sandboxPimConfig } from '../../sync/support/e2e.js';
import { clientFor, recordingClient, type RecordedWrite } from '../../sync/support/pim.js';
import { skipTryton, trytonErpConfig } from './helpers.js';

const silent = createLogger({ level: 'silent' });

describe.skipIf(skipTryton)('fuzzy Tryton translations through a sync', () => {
  let tryton: RunningTryton;
  let sandbox: RunningSandbox;
  let keep: TrytonSource;
  let drop: TrytonSource;
  let base: AkeneoClient;
  let client: AkeneoClient;
  let writes: RecordedWrite[];
  let config: FerryConfig;
  let dir: string;
  let group: ErpRecord;
  let model = '';

  async function names(): Promise<Record<string, unknown>> {
    const m = (await base.productModels.get(model)) as ProductModel;
    return Object.fromEntries((m.values?.name ?? []).map((v) => [v.locale, v.data]));
  }

  beforeAll(async () => {
    tryton = await startTryton({ seed: 'catalogue' });
    sandbox = await startSandbox({ catalog: 'demo' });
    dir = mkdtempSync(join(tmpdir(), 'ferry-tryton-fuzzy-'));
    const erp = trytonErpConfig(tryton, { languages: ['en', 'de', 'fr'] });
    config = ferryConfigSchema.parse({
      pim: sandboxPimConfig(sandbox),
      erp,
      mapping: { preset: 'tryton' },
      state: { path: join(dir, 'ferry.db') },
    });
    keep = createTrytonSource({ ...erp, deltaSkewSeconds: 0 });
    drop = createTrytonSource({ ...erp, deltaSkewSeconds: 0, fuzzyTranslations: 'drop' });
    base = clientFor(sandbox);
    ({ client, writes } = recordingClient(base));
    await bootstrapPim(base, config.mapping, keep);
    const first = await runSync(config, { client, source: keep, logger: silent, full: true });
    expect(first.status).toBe('succeeded');
    // A T-shirt template with real de/fr names, and the root model its name lands on.
    const groups: ErpRecord[] = [];
    for await (const g of keep.read('groups')) groups.push(g);
    group = groups.find((g) => g.key.startsWith('TS-') && Object.keys((g.fields.name as LocalizedText).values).length === 3)!;
    for await (const m of base.productModels.list({})) {
      if (!m.parent && m.values?.name?.some((v) => v.locale === 'en_US' && v.data === (group.fields.name as LocalizedText).values.en)) model = m.code;
    }
    expect(model).not.toBe('');
  }, 240_000);

  afterAll(async () => {
    await keep?.close();
    await drop?.close();
    await base?.close();
    await sandbox?.close();
    await tryton?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keep: the English edit is one PATCH of en_US; the PIM keeps the French and German names', async () => {
    const old = (group.fields.name as LocalizedText).values;
    expect(await names()).toMatchObject({ en_US: old.en, fr_FR: old.fr, de_DE: old.de });
    const [id] = (await keep.connection.model('product.template', 'search', [[['code', '=', group.key]], 0, 1, null])) as number[];
    await keep.connection.model('product.template', 'write', [[id], { name: `${old.en} (new cut)` }]);
    writes.length = 0;
    const r = await runSync(config, { client, source: keep, logger: silent });
    expect(r.status).toBe('succeeded');
    const modelLines = writes.filter((w) => w.resource === 'productModels').flatMap((w) => w.lines);
    expect(modelLines).toHaveLength(1);
    expect((modelLines[0]!.values as Record<string, unknown>).name).toEqual([{ locale: 'en_US', scope: null, data: `${old.en} (new cut)` }]);
    expect(await names()).toMatchObject({ en_US: `${old.en} (new cut)`, fr_FR: old.fr, de_DE: old.de });
  });

  it('drop: the same state read again clears them', async () => {
    const r = await runSync(config, { client, source: drop, logger: silent, full: true });
    expect(r.status).toBe('succeeded');
    const now = await names();
    expect(now.en_US).toBe(`${(group.fields.name as LocalizedText).values.en} (new cut)`);
    expect(now.fr_FR ?? null).toBeNull();
    expect(now.de_DE ?? null).toBeNull();
  });
});
