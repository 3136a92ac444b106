/**
 * npm run bench:export — `ferry export` throughput: 10,000 tagged products (BENCH_PRODUCTS) read
 * from the sandbox with SaaS limits and 200 ms + 2 ms/line latency, exported to PostgreSQL (when
 * it answers on 127.0.0.1:5432) and to the files sink, their status written back. The ceiling is
 * set by the PIM: its paged reads of the tagged products (one page after another; measured here
 * with the same search) and the status write-back (4 concurrent 100-line PATCHes of
 * 200 + 2 × 100 ms); the export reads ahead and writes statuses while the next pages go, so the
 * slower of the two is the ceiling. Prints one JSON object on stdout.
 *
 * The sandbox runs in a process of its own (bench/sandbox-process.ts), so `peakRssMb` is Ferry's
 * own (target < 300 MB): the peak resident memory sampled during each export run, next to the
 * heap at that moment; `sandboxPeakRssMb` is the sandbox's (it holds the catalog).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import knexFactory from 'knex';
import { createAkeneoClient, type AkeneoClient, type Product } from '../src/akeneo/index.js';
import { search } from '../src/akeneo/search.js';
import { runExport } from '../src/app/run-export.js';
import { ferryConfigSchema } from '../src/config/schema.js';
import { createLogger } from '../src/logging.js';
import { applyStatusAttributes, planStatusAttributes } from '../src/sync/export/bootstrap.js';
import { startSandboxProcess, type SandboxProcess } from './sandbox-process.js';

const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 10_000);
const CONCURRENCY = 4;
const LATENCY = { perRequestS: 0.2, perLineS: 0.002 };
const writeCeiling = (CONCURRENCY * 100) / (LATENCY.perRequestS + LATENCY.perLineS * 100);
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' };
const silent = createLogger({ level: 'silent' });
const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function clientFor(sb: SandboxProcess): AkeneoClient {
  return createAkeneoClient({
    url: sb.url,
    auth: { kind: 'connection', clientId: sb.clientId, secret: sb.secret, username: sb.username, password: sb.password },
    endpoints: 'uuid',
    limits: { concurrency: CONCURRENCY },
  });
}

async function tagAll(client: AkeneoClient, uuids: string[]): Promise<void> {
  const status = [{ locale: null, scope: null, data: 'to_export' }];
  const results = await client.products.upsertMany(uuids.map((uuid): Product => ({ uuid, values: { erp_status: status } })));
  const failed = results.filter((r) => r.outcome === 'failed');
  if (failed.length) throw new Error(`tagging failed: ${failed[0]!.message}`);
}

/** The PIM's read ceiling: the same paged search, nothing else done. */
async function readSeconds(client: AkeneoClient): Promise<number> {
  const start = performance.now();
  let n = 0;
  for await (const _ of client.products.list({ search: search().in('erp_status', ['to_export']).build(), limit: 100 })) n++;
  if (n !== PRODUCTS) throw new Error(`the read pass found ${n} tagged products, expected ${PRODUCTS}`);
  return (performance.now() - start) / 1000;
}

async function pgAvailable(): Promise<boolean> {
  const k = knexFactory({ client: 'pg', connection: { ...PG, database: 'postgres', connectionTimeoutMillis: 3000 }, pool: { min: 0, max: 1 } });
  try {
    await k.raw('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await k.destroy();
  }
}

async function main(): Promise<void> {
  const sandbox = await startSandboxProcess({ entry: join(ROOT, 'src/sandbox/index.ts'), tsx: true, cwd: ROOT }, { limits: 'saas', latency: '200ms+2ms/line' });
  const client = clientFor(sandbox);
  const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-export-'));
  const dbName = `ferry_bench_${Math.random().toString(36).slice(2, 8)}`;
  const admin = knexFactory({ client: 'pg', connection: { ...PG, database: 'postgres' }, pool: { min: 0, max: 1 } });
  const withPg = await pgAvailable();
  // Ferry's memory while each export runs (the setup's own uploads are not the export's).
  const peak = { rss: 0, heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 };
  let sampler: NodeJS.Timeout | undefined;
  const sample = () => {
    const m = process.memoryUsage();
    if (m.rss > peak.rss) Object.assign(peak, { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers });
  };
  try {
    const base = {
      pim: { url: sandbox.url, clientId: sandbox.clientId, secret: sandbox.secret, username: sandbox.username, password: sandbox.password, endpoints: 'uuid', limits: { concurrency: CONCURRENCY } },
      export: { sku: { mode: 'keep' }, fields: { name: { attribute: 'marketing_title', locales: { en: 'en_US', fr: 'fr_FR', de: 'de_DE' } } } },
    };
    const setupConfig = ferryConfigSchema.parse({ ...base, erp: { type: 'files', folder: join(dir, 'drop') }, state: { path: join(dir, 'setup.db') } });
    const applied = await applyStatusAttributes(client, await planStatusAttributes(client, setupConfig.export!));
    if (applied.failures.length) throw new Error(applied.failures.join('; '));
    // Julia's catalog: products with SKU and names in three locales (not timed).
    const uuids = Array.from({ length: PRODUCTS }, () => randomUUID());
    const created = await client.products.upsertMany(
      uuids.map((uuid, i): Product => ({
        uuid,
        values: {
          sku: [{ locale: null, scope: null, data: `EXP-${String(i).padStart(6, '0')}` }],
          marketing_title: ['en_US', 'fr_FR', 'de_DE'].map((locale) => ({ locale, scope: null, data: `Product ${i} ${locale}` })),
          erp_status: [{ locale: null, scope: null, data: 'to_export' }],
        },
      })),
    );
    if (created.some((r) => r.outcome === 'failed')) throw new Error(`setup failed: ${created.find((r) => r.outcome === 'failed')!.message}`);
    const readS = await readSeconds(client);
    const readCeiling = PRODUCTS / readS;
    const ceiling = Math.min(readCeiling, writeCeiling);
    const out: Record<string, unknown> = { products: PRODUCTS, readCeilingPerSecond: round(readCeiling), writeCeilingPerSecond: round(writeCeiling), ceilingPerSecond: round(ceiling) };

    const measure = async (name: string, erp: Record<string, unknown>) => {
      const config = ferryConfigSchema.parse({ ...base, erp, state: { path: join(dir, `${name}.db`) } });
      const rssBefore = process.memoryUsage().rss;
      sampler = setInterval(sample, 100);
      const start = performance.now();
      const report = await runExport(config, { logger: silent });
      const seconds = (performance.now() - start) / 1000;
      clearInterval(sampler);
      sample();
      if (report.status !== 'succeeded') throw new Error(`${name}: ${report.status} ${report.error ?? JSON.stringify(report.rejects.slice(0, 2))}`);
      const exported = report.counts.created + report.counts.updated + report.counts.unchanged;
      if (exported !== PRODUCTS) throw new Error(`${name}: exported ${exported} of ${PRODUCTS}`);
      const perSecond = exported / seconds;
      out[name] = { productsPerSecond: round(perSecond), ratio: round(perSecond / ceiling, 3), seconds: round(seconds, 2), statusWrites: report.statusWrites.written, requests: report.requests.total, rssBeforeMb: mb(rssBefore) };
    };

    if (withPg) {
      await admin.raw(`create database ${dbName}`);
      const db = knexFactory({ client: 'pg', connection: { ...PG, database: dbName }, pool: { min: 0, max: 1 } });
      await db.schema.createTable('products', (t) => {
        t.string('sku', 64).primary();
        t.string('name_en', 200);
        t.string('name_fr', 200);
        t.string('name_de', 200);
      });
      await db.destroy();
      await measure('postgresql', {
        type: 'sql',
        client: 'pg',
        connection: { ...PG, database: dbName },
        streams: { items: { table: 'products', key: 'sku', fields: { name: { type: 'localized', columns: { en: 'name_en', fr: 'name_fr', de: 'name_de' } } } } },
      });
      await tagAll(client, uuids);
    } else out.postgresql = { skipped: 'PostgreSQL is not reachable on 127.0.0.1:5432' };
    await measure('files', { type: 'files', folder: join(dir, 'drop'), outFolder: join(dir, 'out'), sinkFormat: 'csv' });
    out.peakRssMb = mb(peak.rss);
    out.atPeakMb = { heapUsed: mb(peak.heapUsed), heapTotal: mb(peak.heapTotal), external: mb(peak.external), arrayBuffers: mb(peak.arrayBuffers) };
    out.rssTargetMb = 300;
    out.sandboxPeakRssMb = sandbox.peakRssMb();
    out.loadAverage = Number(loadavg()[0]!.toFixed(1));
    out.note = 'the sandbox runs in its own process: peakRssMb is Ferry alone, during the export runs; Ferry, the sandbox and PostgreSQL share a 2-core machine, so the ratio depends on the load';
    process.stdout.write(JSON.stringify(out) + '\n');
  } finally {
    clearInterval(sampler);
    await client.close();
    await sandbox.close();
    if (withPg) await admin.raw(`drop database if exists ${dbName} with (force)`).catch(() => undefined);
    await admin.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stdout.write(JSON.stringify({ error: String(err) }) + '\n');
  process.exitCode = 1;
});
