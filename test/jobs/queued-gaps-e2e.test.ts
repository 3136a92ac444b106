/**
 * Queued runs end as one-process runs do (issue 18's gaps), each against the same scenario run in
 * one process: a drop folder (erp.type files) read by every shard from the plan's manifest and
 * consumed by the settle, files arriving mid-run left for the next run; an EE full run's deletion
 * policy for reference entity records and assets applied once every shard is in; a product Ferry
 * exported becomes in_erp after a queued import brings it back. Workers run in this process.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { openJobQueue, startWorker, type QueuedRunOptions } from '../../src/app/jobs.js';
import { runExport } from '../../src/app/run-export.js';
import { runSync } from '../../src/app/run-sync.js';
import { ferryConfigSchema, type FerryConfig } from '../../src/config/schema.js';
import { createErpSource } from '../../src/erp/factory.js';
import { createLogger } from '../../src/logging.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { bootstrapPim } from '../../src/sync/bootstrap.js';
import { formatReport } from '../../src/sync/report.js';
import type { RunReport } from '../../src/sync/report.js';
import { createPgDatabase, createSqliteDatabase, pgProblem, serviceGate, type TestDatabase } from '../erp/sql/databases.js';
import { createJuliasProduct, plain, prepareJuliasPim, productByUuid } from '../sync/export/support.js';
import { checkCounts, sandboxPimConfig, tempDirs } from '../sync/support/e2e.js';
import { clientFor, pimSnapshot } from '../sync/support/pim.js';
import { dropSchemas, PG_URL, uniqueSchema } from './support.js';

const enabled = serviceGate('PostgreSQL (127.0.0.1:5432)', await pgProblem());
const tempDir = tempDirs('ferry-queued-gaps-');
const silent = createLogger({ level: 'silent' });
const schemas: string[] = [];
afterAll(async () => {
  if (enabled) await dropSchemas(...schemas);
});

/** The same config with the state in a PostgreSQL schema of its own and runs through the queue. */
function queued(raw: Record<string, unknown>, shardItems: number): FerryConfig {
  const schema = uniqueSchema('ferry_gaps');
  schemas.push(schema);
  return ferryConfigSchema.parse({ ...raw, state: { url: PG_URL, schema }, jobs: { workers: true, shardItems, shardExpireSeconds: 60, maintenanceSeconds: 2, pollSeconds: 0.5 } });
}

/** Runs one queued run on `workers` in-process workers; `onProgress` hears its phases. */
async function queuedRun(config: FerryConfig, options: QueuedRunOptions, onProgress?: (phase: string) => void, workers = 2): Promise<RunReport> {
  const jobs = await openJobQueue(config, silent);
  const started = await Promise.all(Array.from({ length: workers }, () => startWorker(config, { concurrency: 1, logger: silent })));
  try {
    const { runId } = await jobs.enqueueRun(options);
    return await jobs.waitForRun(runId, (p) => onProgress?.(p.phase));
  } finally {
    for (const w of started) await w.close();
    await jobs.close();
  }
}

async function bootstrap(sb: RunningSandbox, config: FerryConfig): Promise<void> {
  const client = clientFor(sb);
  const source = createErpSource(config.erp, { readOnly: true });
  try {
    await bootstrapPim(client, config.mapping, source);
  } finally {
    await source.close();
    await client.close();
  }
}

describe.runIf(enabled)('queued runs equal one-process runs', () => {
  it('files: every shard reads the plan’s files, the settle moves them as one process does, a file arriving mid-run waits for the next run', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `Q-${String(i).padStart(3, '0')},40063813${String(i).padStart(5, '0')}`);
    // A row with one cell too many: rejected by its SKU, queued for retry, so its file waits in retry/.
    const csv = `sku,ean\n${rows.slice(0, 20).join('\n')}\nQ-BAD,1,2\n${rows.slice(20).join('\n')}\n`;
    const setUp = (name: string) => {
      const folder = join(tempDir(), name);
      mkdirSync(folder);
      writeFileSync(join(folder, 'items.csv'), csv);
      return {
        folder,
        raw: {
          erp: { type: 'files', folder, format: 'csv', streams: { items: { pattern: 'items*.csv', key: 'sku', fields: { ean: 'ean' } } } },
          mapping: { attributes: { ean: { type: 'text' } } },
        },
      };
    };

    const oneSb = await startSandbox({ catalog: 'demo' });
    const one = setUp('one');
    let oneReport: RunReport;
    let oneSnap: Awaited<ReturnType<typeof pimSnapshot>>;
    try {
      const config = ferryConfigSchema.parse({ ...one.raw, pim: sandboxPimConfig(oneSb), state: { path: join(one.folder, '..', 'one.db') } });
      await bootstrap(oneSb, config);
      oneReport = await runSync(config, { logger: silent, full: true });
      const client = clientFor(oneSb);
      oneSnap = await pimSnapshot(client);
      await client.close();
    } finally {
      await oneSb.close();
    }
    expect(oneReport.status).toBe('rejects');
    expect(existsSync(join(one.folder, 'retry', 'items.csv'))).toBe(true);

    const sb = await startSandbox({ catalog: 'demo', latency: '40ms' });
    const q = setUp('queued');
    try {
      const config = queued({ ...q.raw, pim: sandboxPimConfig(sb) }, 5);
      await bootstrap(sb, config);
      let late = false;
      const report = await queuedRun(config, { full: true }, (phase) => {
        // The plan took its manifest: an export dropped now belongs to the next run.
        if (phase === 'shards' && !late) {
          writeFileSync(join(q.folder, 'items-late.csv'), 'sku,ean\nQ-LATE,4006381399999\n');
          late = true;
        }
      });
      expect(late).toBe(true);
      checkCounts(report);
      expect(report.status).toBe('rejects');
      expect(report.counts).toEqual(oneReport.counts);
      expect(report.byType).toEqual(oneReport.byType);
      expect(report.rejects.map((r) => r.key)).toEqual(oneReport.rejects.map((r) => r.key));
      const client = clientFor(sb);
      const snap = await pimSnapshot(client);
      expect(snap).toEqual(oneSnap);
      // Consumed as in one process: to retry/ (a key still waits) with its reports.
      expect(existsSync(join(q.folder, 'items.csv'))).toBe(false);
      expect(existsSync(join(q.folder, 'retry', 'items.csv'))).toBe(true);
      const fileReport = JSON.parse(readFileSync(join(q.folder, 'retry', 'items.csv.report.json'), 'utf8')) as { records: number; rejected: number; retryKeys: string[] };
      const oneFileReport = JSON.parse(readFileSync(join(one.folder, 'retry', 'items.csv.report.json'), 'utf8')) as typeof fileReport;
      expect({ records: fileReport.records, rejected: fileReport.rejected, retryKeys: fileReport.retryKeys }).toEqual({ records: oneFileReport.records, rejected: oneFileReport.rejected, retryKeys: oneFileReport.retryKeys });
      // The late file was neither read nor moved: the next run takes it.
      expect(existsSync(join(q.folder, 'items-late.csv'))).toBe(true);
      expect(Object.keys(snap.products)).not.toContain('Q-LATE');
      const next = await queuedRun(config, {});
      expect(next.counts.created).toBe(1);
      expect(existsSync(join(q.folder, 'done', 'items-late.csv'))).toBe(true);
      expect(Object.keys((await pimSnapshot(client)).products)).toContain('Q-LATE');
      await client.close();
    } finally {
      await sb.close();
    }
  }, 180_000);

  it('EE: a full run’s deletion policy for records and assets no item names any more, with the one-process outcome and report lines', async () => {
    const png = (v: number) => {
      const crc32 = (buf: Buffer): number => {
        let c = ~0;
        for (const b of buf) {
          c ^= b;
          for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
        }
        return ~c >>> 0;
      };
      const chunk = (type: string, data: Buffer) => {
        const len = Buffer.alloc(4);
        len.writeUInt32BE(data.length);
        const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
        const crc = Buffer.alloc(4);
        crc.writeUInt32BE(crc32(body));
        return Buffer.concat([len, body, crc]);
      };
      const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
      return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.from([0, v, v, v]))), chunk('IEND', Buffer.alloc(0))]);
    };
    /** The scenario of test/sync/reference-data-e2e.test.ts: 4 items, 2 brands, 3 packshots; then 2 items leave. */
    const scenario = async (run: (config: FerryConfig) => Promise<RunReport>, make: (raw: Record<string, unknown>) => FerryConfig, sb: RunningSandbox) => {
      const dir = tempDir();
      const media = join(dir, 'media');
      mkdirSync(join(media, 'logos'), { recursive: true });
      for (const [f, v] of [['roadbike_red.png', 200], ['helmet.png', 100], ['socks.png', 50], ['logos/Contoso Ltd.png', 10], ['logos/Adventure Works.png', 20]] as const) writeFileSync(join(media, f), png(v));
      const erp: TestDatabase = await createSqliteDatabase();
      try {
        await erp.knex.schema.createTable('items', (t) => {
          for (const c of ['sku', 'name', 'brand', 'brand_country', 'brand_logo', 'image']) t.string(c);
        });
        const item = (sku: string, name: string, brand: string, country: string, image: string) => ({ sku, name, brand, brand_country: country, brand_logo: `logos/${brand}.png`, image });
        await erp.knex('items').insert([
          item('BK-R93R-62', 'Road-150 Red, 62', 'Contoso Ltd', 'US', 'roadbike_red.png'),
          item('BK-R93R-44', 'Road-150 Red, 44', 'Contoso Ltd', 'US', 'roadbike_red.png'),
          item('HL-U509', 'Sport-100 Helmet', 'Adventure Works', 'CA', 'helmet.png'),
          item('SO-B909', 'Mountain Bike Socks', 'Adventure Works', 'CA', 'socks.png'),
        ]);
        const field = (column: string) => ({ column, type: 'string' });
        const config = make({
          pim: sandboxPimConfig(sb),
          erp: { type: 'sql', client: 'better-sqlite3', connection: erp.connection, streams: { items: { table: 'items', key: 'sku', fields: { name: field('name'), brand: field('brand'), brand_country: field('brand_country'), brand_logo: field('brand_logo'), image: field('image') } } } },
          mapping: {
            identity: { enabled: false },
            codes: { normalise: true },
            attributes: { name: { type: 'text' } },
            referenceEntities: { brand: { from: 'brand', link: 'brand_link', labels: { en_US: 'Brand' }, imageFrom: 'brand_logo', attributes: { country: 'brand_country' } } },
            assetFamilies: { packshots: { from: 'image', link: 'packshots', labels: { en_US: 'Packshots' } } },
            structure: { categories: { mode: 'ignore' }, families: { default: 'gear', definitions: { gear: { attributes: ['name', 'brand_link', 'packshots'] } } } },
          },
          state: { path: join(dir, 'ferry.db') },
          sync: { mediaRoot: media, deletion: 'delete' },
        });
        await bootstrap(sb, config);
        const first = await run(config);
        expect(first.status, JSON.stringify(first.rejects)).toBe('succeeded');
        await erp.knex('items').whereIn('sku', ['HL-U509', 'SO-B909']).delete();
        const second = await run(config);
        checkCounts(second);
        const client = clientFor(sb);
        const left = { helmet: await client.assets('packshots').find('helmet'), roadbike: await client.assets('packshots').find('roadbike_red'), brand: await client.referenceEntityRecords('brand').find('adventure_works') };
        await client.close();
        return { first, second, left };
      } finally {
        await erp.drop();
      }
    };

    const oneSb = await startSandbox({ catalog: 'demo', edition: 'ee', version: '7.0' });
    const one = await scenario((config) => runSync(config, { logger: silent, full: true }), (raw) => ferryConfigSchema.parse(raw), oneSb).finally(() => oneSb.close());
    const sb = await startSandbox({ catalog: 'demo', edition: 'ee', version: '7.0' });
    // One item per shard: each shard names only its own brand and packshot.
    const q = await scenario((config) => queuedRun(config, { full: true }), (raw) => queued(raw, 1), sb).finally(() => sb.close());

    expect(one.second.referenceData).toMatchObject({ assets: { deleted: 2 }, records: { kept: 1 } });
    // Every record and asset counted once, as in one process, though two shards name the brand
    // Contoso Ltd and the packshot roadbike_red (one-item shards): 2 records and 3 assets created.
    const counted = (r: RunReport) => ({ records: r.referenceData?.records, assets: r.referenceData?.assets });
    expect(counted(one.first)).toMatchObject({ records: { created: 2, unchanged: 0 }, assets: { created: 3, unchanged: 0 } });
    expect(counted(q.first)).toEqual(counted(one.first));
    expect(counted(q.second)).toEqual(counted(one.second));
    // What the policy did, and its report lines.
    const policy = (r: RunReport) => ({ records: { kept: r.referenceData?.records.kept, deleted: r.referenceData?.records.deleted, failed: r.referenceData?.records.failed }, assets: { kept: r.referenceData?.assets.kept, deleted: r.referenceData?.assets.deleted, failed: r.referenceData?.assets.failed } });
    expect(policy(q.second), JSON.stringify(q.second.referenceData?.messages)).toEqual(policy(one.second));
    expect(q.second.referenceData?.messages).toEqual(one.second.referenceData?.messages);
    const lines = (r: RunReport) => formatReport(r).split('\n').filter((l) => l.includes('no ERP item names it any more'));
    expect(lines(q.second).length).toBe(3);
    expect(lines(q.second)).toEqual(lines(one.second));
    expect(q.left.helmet).toBeUndefined();
    expect(q.left.roadbike).toBeDefined();
    expect(q.left.brand).toBeDefined();
  }, 180_000);

  it('export: a product Ferry exported becomes in_erp after a queued import brings it back', async () => {
    const db = await createPgDatabase();
    const sb = await startSandbox({ catalog: 'demo' });
    const client = clientFor(sb);
    try {
      await db.knex.schema.createTable('products', (t) => {
        t.string('sku', 64).primary();
        for (const c of ['name_en', 'name_fr', 'name_de']) t.string(c, 200).nullable();
        t.string('product_type', 32).nullable();
        t.decimal('weight', 12, 3).nullable();
        t.string('weight_unit', 8).nullable();
        t.dateTime('changed_at', { precision: 3 }).nullable();
      });
      const config = queued(
        {
          pim: sandboxPimConfig(sb),
          erp: {
            type: 'sql',
            client: db.client,
            connection: db.connection,
            deltaMarginSeconds: 0,
            streams: {
              items: {
                table: 'products',
                key: 'sku',
                updatedAt: 'changed_at',
                fields: {
                  name: { type: 'localized', columns: { en: 'name_en', fr: 'name_fr', de: 'name_de' } },
                  product_type: { column: 'product_type', type: 'string' },
                  weight: { type: 'quantity', amount: 'weight', unit: 'weight_unit' },
                },
              },
            },
          },
          mapping: { identity: { ignore: ['product_type'] }, attributes: { weight: { type: 'metric', metricFamily: 'Weight', unit: 'KILOGRAM', decimals: true } } },
          export: {
            sku: { mode: 'generate', pattern: 'QUE-{seq:4}' },
            fields: { name: { attribute: 'marketing_title', locales: { en: 'en_US', fr: 'fr_FR', de: 'de_DE' } } },
            family: { field: 'product_type', map: { tshirts: 'apparel' } },
          },
        },
        10,
      );
      await bootstrap(sb, config);
      await prepareJuliasPim(client, config.export!);
      const uuid = await createJuliasProduct(client, 'Wool scarf');
      const exported = await runExport(config, { logger: silent });
      expect(exported.counts.created).toBe(1);
      const sku = exported.products[0]!.sku!;
      expect(plain(await productByUuid(client, uuid), 'erp_status')).toBe('exported');

      await db.knex('products').where({ sku }).update({ weight: '1.250', weight_unit: 'kg', changed_at: new Date() });
      const report = await queuedRun(config, {});
      expect(report.status, JSON.stringify(report.rejects)).toBe('succeeded');
      expect((report as RunReport & { exportReturned?: { inErp: number } }).exportReturned?.inErp).toBe(1);
      const p = await productByUuid(client, uuid);
      expect(plain(p, 'erp_status')).toBe('in_erp');
    } finally {
      await client.close();
      await sb.close();
      await db.drop();
    }
  }, 120_000);
});
