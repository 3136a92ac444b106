/**
 * PIM → ERP through the files sink, end to end: products Julia created without a SKU in the
 * sandbox, tagged `to_export`, get a generated SKU, land in the run's export file (parsed back
 * and compared), and the PIM shows `exported`; a second export makes no second record.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AkeneoClient } from '../../../src/akeneo/index.js';
import { runExport } from '../../../src/app/run-export.js';
import { ferryConfigSchema, type FerryConfig } from '../../../src/config/schema.js';
import { createLogger } from '../../../src/logging.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/index.js';
import { countsAddUp } from '../../../src/sync/report.js';
import { openStateStore } from '../../../src/sync/index.js';
import { sandboxPimConfig, tempDirs } from '../support/e2e.js';
import { clientFor } from '../support/pim.js';
import { createJuliasProduct, JULIA_DESCRIPTION, plain, prepareJuliasPim, productByUuid } from './support.js';

const silent = createLogger({ level: 'silent' });
const tempDir = tempDirs('ferry-export-files-');

/** One CSV line's cells (quoted cells may hold commas and doubled quotes). */
function cells(line: string): string[] {
  return [...line.matchAll(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g)].map((m) => m[1]!.replace(/^"([\s\S]*)"$/, '$1').replace(/""/g, '"'));
}

function parseCsv(text: string): Record<string, string>[] {
  const [head, ...rows] = text.trim().split('\n');
  const cols = cells(head!);
  return rows.map((line) => Object.fromEntries(cells(line).map((v, i) => [cols[i]!, v])));
}

describe('ferry export → files sink (sandbox PIM)', () => {
  let sandbox: RunningSandbox;
  let client: AkeneoClient;
  let config: FerryConfig;
  let out: string;
  const uuids: string[] = [];
  let springSku = '';

  beforeAll(async () => {
    sandbox = await startSandbox({ catalog: 'demo' });
    client = clientFor(sandbox);
    const dir = tempDir();
    out = join(dir, 'out');
    config = ferryConfigSchema.parse({
      pim: sandboxPimConfig(sandbox),
      erp: { type: 'files', folder: join(dir, 'drop'), outFolder: out, sinkFormat: 'csv' },
      state: { path: join(dir, 'ferry.db') },
      export: {
        sku: { mode: 'generate', pattern: '{family:3}-{seq:5}' },
        updates: 'owned',
        fields: {
          name: { attribute: 'marketing_title', locales: { en: 'en_US', fr: 'fr_FR', de: 'de_DE' } },
          weight: { attribute: 'product_weight', unit: 'kg' },
          season: { attribute: 'marketing_season' },
        },
        family: { field: 'product_type', map: { tshirts: 'goods' } },
        categories: { master: 'ALL' },
      },
    });
    await prepareJuliasPim(client, config.export!);
    // A product typed by hand holds the generator's first SKU: the generator must skip it.
    await client.products.upsert({ uuid: randomUUID(), family: 'tshirts', values: { sku: [{ locale: null, scope: null, data: 'TSH-00001' }] } });
    uuids.push(await createJuliasProduct(client, 'Spring tee'), await createJuliasProduct(client, 'Summer tee'));
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await sandbox?.close();
  });

  it('gives each tagged product a SKU (skipping one the PIM has), writes one export file, and marks them exported', async () => {
    const report = await runExport(config, { logger: silent });
    expect(report.error).toBeUndefined();
    expect(report.direction).toBe('export');
    expect(report.status).toBe('succeeded');
    expect(report.counts).toMatchObject({ read: 2, created: 2, rejected: 0 });
    expect(countsAddUp(report.counts)).toBe(true);
    expect(report.skusGenerated).toBe(2);
    const skus = report.products.map((p) => p.sku).sort();
    expect(skus).toEqual(['TSH-00002', 'TSH-00003']);

    const files = readdirSync(out).filter((f) => f.startsWith('items-'));
    expect(files).toHaveLength(1);
    const rows = parseCsv(readFileSync(join(out, files[0]!), 'utf8')).sort((a, b) => a.key!.localeCompare(b.key!));
    expect(rows.map((r) => r.key)).toEqual(skus);
    springSku = String(plain(await productByUuid(client, uuids[0]!), 'sku'));
    expect(rows.find((r) => r.key === springSku)).toMatchObject({ name_en: 'Spring tee', name_fr: 'Spring tee (fr)', name_de: 'Spring tee (de)', weight: '0.25', weight_unit: 'kg', product_type: 'goods', categories: '' });

    for (const uuid of uuids) {
      const p = await productByUuid(client, uuid);
      expect(plain(p, 'erp_status')).toBe('exported');
      expect(skus).toContain(plain(p, 'sku'));
      expect(plain(p, 'erp_id')).toBe(plain(p, 'sku'));
      // Julia's own fields are untouched.
      expect(p.values?.marketing_description?.[0]?.data).toBe(JULIA_DESCRIPTION);
    }
    // The run is in the history like a sync, with the export direction.
    const state = await openStateStore(config.state);
    const [run] = await state.listRuns(1);
    await state.close();
    expect(run).toMatchObject({ mode: 'export', status: 'succeeded' });
    expect((run!.report as { direction: string }).direction).toBe('export');
  });

  it('a second export sends nothing again; an edit by Julia is sent under the same SKU (updates: owned)', async () => {
    const again = await runExport(config, { logger: silent });
    expect(again.counts.created + again.counts.updated + again.counts.rejected).toBe(0);
    expect(readdirSync(out).filter((f) => f.startsWith('items-'))).toHaveLength(1);

    await new Promise((r) => setTimeout(r, 1100));
    await client.products.upsert({ uuid: uuids[0]!, values: { marketing_title: [{ locale: 'en_US', scope: null, data: 'Spring tee, new cut' }] } });
    const edited = await runExport(config, { logger: silent });
    expect(edited.status).toBe('succeeded');
    expect(edited.counts).toMatchObject({ created: 1, rejected: 0 });
    expect(edited.skusGenerated).toBe(0);
    const files = readdirSync(out).filter((f) => f.startsWith('items-'));
    expect(files).toHaveLength(2);
    const newest = files.sort((a, b) => statSync(join(out, a)).mtimeMs - statSync(join(out, b)).mtimeMs)[1]!;
    const rows = parseCsv(readFileSync(join(out, newest), 'utf8'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ key: springSku, name_en: 'Spring tee, new cut' });
  });

  it('a dry run draws no SKU and writes nothing', async () => {
    const uuid = await createJuliasProduct(client, 'Autumn tee');
    const dry = await runExport(config, { logger: silent, dryRun: true });
    expect(dry.dryRun).toBe(true);
    expect(dry.products.find((p) => p.pimId === uuid)).toMatchObject({ outcome: 'planned', sku: 'TSH-{seq:5}' });
    expect(plain(await productByUuid(client, uuid), 'sku')).toBeUndefined();
    expect(plain(await productByUuid(client, uuid), 'erp_status')).toBe('to_export');
  });

  it.each(['json', 'xml', 'xlsx'] as const)('writes the %s export file the ERP team imports (parsed back and compared)', async (format) => {
    const dir = tempDir();
    const formatted = ferryConfigSchema.parse({ ...config, erp: { ...config.erp, outFolder: join(dir, 'out'), sinkFormat: format }, state: { path: join(dir, 'ferry.db') } });
    const report = await runExport(formatted, { logger: silent, keys: [uuids[1]!] });
    expect(report.counts).toMatchObject({ read: 1, created: 1, rejected: 0 });
    const file = readdirSync(join(dir, 'out')).find((f) => f.endsWith(`.${format}`))!;
    expect(file).toMatch(/^items-/);
    const path = join(dir, 'out', file);
    let rows: Record<string, string>[];
    if (format === 'json') rows = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>[];
    else if (format === 'xml') {
      const { XMLParser } = await import('fast-xml-parser');
      const doc = new XMLParser({ parseTagValue: false }).parse(readFileSync(path, 'utf8')) as { records: { record: Record<string, string> | Record<string, string>[] } };
      rows = [doc.records.record].flat();
    } else {
      const { default: ExcelJS } = await import('exceljs');
      const book = new ExcelJS.Workbook();
      await book.xlsx.readFile(path);
      const sheet = book.getWorksheet('items')!;
      const values = sheet.getSheetValues().filter(Boolean) as unknown[][];
      const head = values[0]!.slice(1) as string[];
      rows = values.slice(1).map((r) => Object.fromEntries(head.map((h, i) => [h, String(r[i + 1] ?? '')])));
    }
    const summer = String(plain(await productByUuid(client, uuids[1]!), 'sku'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ key: summer, name_en: 'Summer tee', name_fr: 'Summer tee (fr)', name_de: 'Summer tee (de)', weight: '0.25', weight_unit: 'kg', product_type: 'goods' });
  });
});
