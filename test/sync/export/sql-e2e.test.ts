/**
 * PIM → ERP through the SQL sink on real PostgreSQL and MariaDB, and back: Julia's product (no
 * SKU) is tagged → `ferry export` upserts it into the ERP's table under a generated SKU, the PIM
 * shows `exported`; a second export adds no row; the ERP team fills the weight in the table →
 * `ferry sync` brings it into the PIM's ERP attribute, the PIM shows `in_erp`, Julia's text stays.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AkeneoClient } from '../../../src/akeneo/index.js';
import { runExport } from '../../../src/app/run-export.js';
import { runSync } from '../../../src/app/run-sync.js';
import { ferryConfigSchema, type FerryConfig } from '../../../src/config/schema.js';
import { createErpSource } from '../../../src/erp/factory.js';
import { createLogger } from '../../../src/logging.js';
import { startSandbox, type RunningSandbox } from '../../../src/sandbox/index.js';
import { bootstrapPim } from '../../../src/sync/bootstrap.js';
import { createMariadbDatabase, createPgDatabase, mariadbProblem, pgProblem, serviceGate, type TestDatabase } from '../../erp/sql/databases.js';
import { sandboxPimConfig, tempDirs } from '../support/e2e.js';
import { clientFor } from '../support/pim.js';
import { createJuliasProduct, JULIA_DESCRIPTION, plain, prepareJuliasPim, productByUuid } from './support.js';

const silent = createLogger({ level: 'silent' });
const tempDir = tempDirs('ferry-export-sql-');
const servers = [
  { name: 'PostgreSQL', ok: serviceGate('PostgreSQL', await pgProblem()), create: createPgDatabase },
  { name: 'MariaDB', ok: serviceGate('MariaDB', await mariadbProblem()), create: createMariadbDatabase },
];

for (const server of servers) {
  describe.skipIf(!server.ok)(`ferry export → SQL sink (${server.name}) → ferry sync`, () => {
    let db: TestDatabase;
    let sandbox: RunningSandbox;
    let client: AkeneoClient;
    let config: FerryConfig;
    let uuid = '';
    let sku = '';

    beforeAll(async () => {
      db = await server.create();
      await db.knex.schema.createTable('products', (t) => {
        t.string('sku', 64).primary();
        t.string('name_en', 200).nullable();
        t.string('name_fr', 200).nullable();
        t.string('name_de', 200).nullable();
        t.string('product_type', 32).nullable();
        t.decimal('weight', 12, 3).nullable();
        t.string('weight_unit', 8).nullable();
        t.dateTime('changed_at', { precision: 3 }).nullable();
      });
      sandbox = await startSandbox({ catalog: 'demo' });
      client = clientFor(sandbox);
      const dir = tempDir();
      config = ferryConfigSchema.parse({
        pim: sandboxPimConfig(sandbox),
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
        state: { path: join(dir, 'ferry.db') },
        export: {
          sku: { mode: 'generate', pattern: 'SQL-{seq:4}' },
          fields: { name: { attribute: 'marketing_title', locales: { en: 'en_US', fr: 'fr_FR', de: 'de_DE' } } },
          family: { field: 'product_type', map: { tshirts: 'apparel' } },
        },
      });
      const source = createErpSource(config.erp);
      try {
        await bootstrapPim(client, config.mapping, source);
      } finally {
        await source.close();
      }
      await prepareJuliasPim(client, config.export!);
      uuid = await createJuliasProduct(client, 'Wool scarf');
    }, 120_000);

    afterAll(async () => {
      await client?.close();
      await sandbox?.close();
      await db?.drop();
    });

    it('upserts the product under a generated SKU and marks it exported; a second export adds no row', async () => {
      const report = await runExport(config, { logger: silent });
      expect(report.error).toBeUndefined();
      expect(report.rejects).toEqual([]);
      expect(report.counts).toMatchObject({ read: 1, created: 1 });
      sku = report.products[0]!.sku!;
      expect(sku).toBe('SQL-0001');
      const rows = await db.knex('products').select('*');
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ sku, name_en: 'Wool scarf', name_fr: 'Wool scarf (fr)', name_de: 'Wool scarf (de)', product_type: 'apparel' });
      const p = await productByUuid(client, uuid);
      expect(plain(p, 'sku')).toBe(sku);
      expect(plain(p, 'erp_status')).toBe('exported');

      const again = await runExport(config, { logger: silent, keys: [sku] });
      expect(again.counts.created).toBe(0);
      expect(Number((await db.knex('products').count({ n: '*' }))[0]!.n)).toBe(1);
    });

    it('the ERP unreachable: the run fails before writing anything, the product waits; the next run finishes it with one row', async () => {
      const waiting = await createJuliasProduct(client, 'Linen towel');
      const connection = { ...(db.connection as Record<string, unknown>), port: 9, connectionTimeoutMillis: 1000, connectTimeout: 1000 };
      const down = ferryConfigSchema.parse({ ...config, erp: { ...config.erp, connection } });
      const failed = await runExport(down, { logger: silent });
      expect(failed.status).toBe('failed');
      expect(failed.error).toBeTruthy();
      expect(failed.error).toMatch(/cannot reach .* at 127.0.0.1:9/);
      // The generator's collision check reads the ERP first: no SKU is drawn while it is down.
      let p = await productByUuid(client, waiting);
      expect(plain(p, 'erp_status')).toBe('to_export');
      expect(plain(p, 'sku')).toBeUndefined();
      const finished = await runExport(config, { logger: silent });
      expect(finished.status).toBe('succeeded');
      expect(finished.skusGenerated).toBe(1);
      // A number drawn by the failed run is not reused (a sequence may have gaps, never repeats).
      const kept = finished.products.find((x) => x.pimId === waiting)!.sku!;
      expect(kept).toMatch(/^SQL-000[23]$/);
      p = await productByUuid(client, waiting);
      expect(plain(p, 'sku')).toBe(kept);
      expect(plain(p, 'erp_status')).toBe('exported');
      expect(await db.knex('products').where({ sku: kept }).select('name_en')).toEqual([{ name_en: 'Linen towel' }]);
    });

    it('the weight the ERP team sets comes back with ferry sync; the PIM shows in_erp; Julia’s text is unchanged', async () => {
      await db.knex('products').where({ sku }).update({ weight: '1.250', weight_unit: 'kg', changed_at: new Date() });
      const report = await runSync(config, { client, logger: silent });
      expect(report.error).toBeUndefined();
      expect(report.rejects).toEqual([]);
      const p = await productByUuid(client, uuid);
      expect(plain(p, 'erp_status')).toBe('in_erp');
      const weight = plain(p, 'weight') as { amount: string; unit: string };
      expect(Number(weight.amount)).toBeCloseTo(weight.unit === 'GRAM' ? 1250 : 1.25);
      expect(p.values?.marketing_description?.[0]?.data).toBe(JULIA_DESCRIPTION);
      expect(p.values?.marketing_title?.find((v) => v.locale === 'en_US')?.data).toBe('Wool scarf');
    });
  });
}
