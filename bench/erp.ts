/**
 * `npm run bench:erp`: reads 100,000 items from PostgreSQL, from a CSV file and from the SQLite
 * demo ERP, each in its own child process (so peak RSS is per source), and prints ONE JSON object
 * with rows/s and peak RSS per source, plus the Tryton helper's bench (bench/erp-tryton.ts) under
 * `tryton` and the OData one (bench/erp-odata.ts, SAP CAP server) under `odata` when present. Data is prepared before the children start; only reading is measured.
 *
 *   BENCH_ERP_ITEMS=20000 npm run bench:erp     # smaller run
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import knexFactory from 'knex';
import type { ErpSource } from '../src/erp/port.js';

const ITEMS = Number(process.env.BENCH_ERP_ITEMS ?? 100_000);
const ROOT = resolve(import.meta.dirname, '..');
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' };
const TARGETS = { postgresql: 10_000, csv: 20_000, sqlite: 20_000 } as const;
const RSS_LIMIT_MB = 200;
type SourceName = keyof typeof TARGETS;

interface ChildResult {
  rows: number;
  rejected: number;
  seconds: number;
  rowsPerSecond: number;
  /** CPU time of the reading process: on a loaded machine, rows per CPU second says what the code costs. */
  cpuSeconds: number;
  rowsPerCpuSecond: number;
  peakRssMB: number;
}

// ---------------------------------------------------------------- child: read one source, report
async function readAllFrom(source: ErpSource): Promise<ChildResult> {
  let rows = 0;
  let rejected = 0;
  const started = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  for await (const _record of source.read('items', { onReject: () => rejected++ })) rows++;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  await source.close();
  // maxRSS is the process's lifetime peak in KiB: this child only ever read this source.
  return {
    rows,
    rejected,
    seconds: round(seconds, 3),
    rowsPerSecond: Math.round(rows / seconds),
    cpuSeconds: round(cpuSeconds, 3),
    rowsPerCpuSecond: Math.round(rows / cpuSeconds),
    peakRssMB: round(process.resourceUsage().maxRSS / 1024, 1),
  };
}

async function child(name: SourceName, arg: string): Promise<void> {
  // Each child loads only its own adapter, so its RSS is that adapter's, not every module's.
  let source: ErpSource;
  if (name === 'postgresql') {
    const { createSqlSource } = await import('../src/erp/sql/index.js');
    source = createSqlSource(JSON.parse(arg));
  } else if (name === 'csv') {
    const { createFilesSource } = await import('../src/erp/files/index.js');
    source = createFilesSource(
      {
        type: 'files',
        folder: arg,
        format: 'csv',
        moveAfterRead: false,
        streams: {
          items: {
            pattern: 'items*.csv',
            key: 'sku',
            group: 'template',
            updatedAt: 'updated_at',
            includeUnmapped: false,
            fields: {
              name: { type: 'localized', columns: { en: 'name_en', fr: 'name_fr', de: 'name_de' } },
              color: { type: 'select', column: 'color' },
              size: { type: 'select', column: 'size' },
              ean: { type: 'string', column: 'ean' },
              weight: { type: 'quantity', column: 'weight', unitColumn: 'weight_unit' },
              price: { type: 'decimal', column: 'price' },
            },
          },
        },
      },
      { readOnly: true },
    );
  } else {
    const { createDemoSource } = await import('../src/erp/demo/index.js');
    const [path, seed] = arg.split('|');
    source = createDemoSource({ type: 'demo', path: path!, items: ITEMS, seed: Number(seed) });
  }
  process.stdout.write(`${JSON.stringify(await readAllFrom(source))}\n`);
}

// ---------------------------------------------------------------- parent: prepare, spawn, collect
function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function runChild(args: string[], cwd = ROOT): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.on('close', (code) => done({ code, stdout, stderr }));
  });
}

function lastJson(text: string): unknown {
  const lines = text.trim().split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      return JSON.parse(lines.slice(i).join('\n'));
    } catch {
      /* keep looking upwards: the JSON may span lines */
    }
  }
  throw new Error('no JSON in output');
}

async function measure(name: SourceName, arg: string): Promise<Record<string, unknown>> {
  const { code, stdout, stderr } = await runChild([join(ROOT, 'bench/erp.ts'), '--child', name, arg]);
  if (code !== 0) return { error: (stderr.trim().split('\n').slice(-3).join(' ') || `exit ${code}`).slice(0, 500) };
  const r = lastJson(stdout) as ChildResult;
  return { ...r, targetRowsPerSecond: TARGETS[name], pass: r.rows === ITEMS && r.rowsPerSecond >= TARGETS[name] && r.peakRssMB < RSS_LIMIT_MB };
}

async function preparePostgres(): Promise<{ config: Record<string, unknown>; drop: () => Promise<void> } | { error: string }> {
  const name = `ferry_bench_${Math.random().toString(36).slice(2, 8)}`;
  const admin = knexFactory({ client: 'pg', connection: { ...PG, database: 'postgres' }, pool: { min: 0, max: 1 }, acquireConnectionTimeout: 5000 });
  try {
    await admin.raw(`create database ${name}`);
  } catch (err) {
    await admin.destroy();
    return { error: `PostgreSQL not available: ${(err as Error).message}` };
  }
  const db = knexFactory({ client: 'pg', connection: { ...PG, database: name }, pool: { min: 0, max: 1 } });
  const templates = Math.ceil(ITEMS / 5);
  await db.raw(`create table templates (code text primary key, updated_at timestamp not null)`);
  await db.raw(`insert into templates select 'T' || lpad(g::text, 7, '0'), timestamp '2024-01-01' + g * interval '1 minute' from generate_series(1, ?) g`, [templates]);
  await db.raw(`create table items (sku text primary key, template_code text, name_en text, name_fr text, name_de text, color text, size text,
    ean text, weight numeric(10,3), weight_unit text, price numeric(12,2), archived boolean not null, updated_at timestamp not null)`);
  await db.raw(
    `insert into items select 'SKU' || lpad(g::text, 8, '0'), 'T' || lpad((1 + g / 5)::text, 7, '0'),
       'Item ' || g, 'Article ' || g, 'Artikel ' || g, (array['red','blue','black','white'])[1 + g % 4], (array['S','M','L','XL','XXL'])[1 + g % 5],
       lpad(g::text, 13, '4'), (g % 5000) / 1000.0 + 0.1, (array['kg','g','lb'])[1 + g % 3], (g % 100000) / 100.0, g % 31 = 0,
       timestamp '2024-01-01' + g * interval '1 second' from generate_series(1, ?) g`,
    [ITEMS],
  );
  await db.raw('analyze');
  await db.destroy();
  const config = {
    type: 'sql',
    client: 'pg',
    connection: { ...PG, database: name },
    streams: {
      items: {
        table: 'items',
        key: 'sku',
        updatedAt: 'updated_at',
        group: 'template_code',
        groupChanges: { table: 'templates', key: 'code', updatedAt: 'updated_at' },
        active: { column: 'archived', invert: true },
        fields: {
          name: { type: 'localized', columns: { en: 'name_en', fr: 'name_fr', de: 'name_de' } },
          color: { column: 'color', type: 'select' },
          size: { column: 'size', type: 'select' },
          ean: 'ean',
          weight: { type: 'quantity', amount: 'weight', unit: 'weight_unit' },
          price: { column: 'price', type: 'decimal' },
        },
      },
    },
  };
  return {
    config,
    drop: async () => {
      await admin.raw(`drop database if exists ${name} with (force)`);
      await admin.destroy();
    },
  };
}

async function prepareCsv(dir: string): Promise<void> {
  const out = createWriteStream(join(dir, 'items.csv'));
  const colors = ['red', 'blue', 'black', 'white'];
  const sizes = ['S', 'M', 'L', 'XL', 'XXL'];
  const units = ['kg', 'g', 'lb'];
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', r)));
  await write('sku,template,name_en,name_fr,name_de,color,size,ean,weight,weight_unit,price,updated_at\n');
  let chunk = '';
  for (let g = 1; g <= ITEMS; g++) {
    const ts = new Date(Date.UTC(2024, 0, 1) + g * 1000).toISOString();
    chunk += `SKU${String(g).padStart(8, '0')},T${String(1 + Math.floor(g / 5)).padStart(7, '0')},"Item ${g}, blue","Article ${g}","Artikel ${g}",${colors[g % 4]},${sizes[g % 5]},${String(g).padStart(13, '4')},${((g % 5000) / 1000 + 0.1).toFixed(3)},${units[g % 3]},${((g % 100000) / 100).toFixed(2)},${ts}\n`;
    if (g % 2000 === 0) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  await new Promise<void>((r) => out.end(r));
}

async function runTryton(): Promise<unknown> {
  const script = join(ROOT, 'bench/erp-tryton.ts');
  if (!existsSync(script)) return { skipped: 'bench/erp-tryton.ts not present' };
  const { code, stdout, stderr } = await runChild([script]);
  try {
    return lastJson(stdout);
  } catch {
    return { error: `bench/erp-tryton.ts exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' ').slice(0, 500)}` };
  }
}

async function runOdata(): Promise<unknown> {
  const script = join(ROOT, 'bench/erp-odata.ts');
  if (!existsSync(script)) return { skipped: 'bench/erp-odata.ts not present' };
  const { code, stdout, stderr } = await runChild([script, '--items', String(ITEMS)]);
  try {
    return lastJson(stdout);
  } catch {
    return { error: `bench/erp-odata.ts exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' ').slice(0, 500)}` };
  }
}

async function parent(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-bench-erp-'));
  const result: Record<string, unknown> = {
    benchmark: 'erp',
    items: ITEMS,
    machine: {
      cpus: cpus().length,
      node: process.version,
      loadAverage: loadavg().map((l) => round(l, 1)),
      note: 'shared 2-core machine: with a load average above the core count, rows/s are pessimistic; rowsPerCpuSecond is the cost of the code itself',
    },
  };
  const sources: Record<string, unknown> = {};
  try {
    const pg = await preparePostgres();
    if ('error' in pg) sources.postgresql = { error: pg.error };
    else {
      try {
        sources.postgresql = await measure('postgresql', JSON.stringify(pg.config));
      } finally {
        await pg.drop();
      }
    }
    await prepareCsv(dir);
    sources.csv = await measure('csv', dir);
    const seed = 7;
    const demoPath = join(dir, 'demo-erp.sqlite');
    const started = Date.now();
    const { generateDemoErp } = await import('../src/erp/demo/index.js');
    generateDemoErp({ path: demoPath, items: ITEMS, seed });
    result.demoGenerationSeconds = round((Date.now() - started) / 1000, 2);
    sources.sqlite = await measure('sqlite', `${demoPath}|${seed}`);
    result.sources = sources;
    result.tryton = await runTryton();
    result.odata = await runOdata();
    result.pass = Object.values(sources).every((s) => (s as { pass?: boolean }).pass === true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

const childIndex = process.argv.indexOf('--child');
if (childIndex >= 0) await child(process.argv[childIndex + 1] as SourceName, process.argv[childIndex + 2] ?? '');
else await parent();
