/**
 * Sandbox benchmark (limits off, no latency): product upserts/s through collection PATCH
 * (/products-uuid, 100 lines per call, 4 calls in flight) and the RSS while holding
 * 100,000 products with 30 values each. Prints one JSON object.
 *
 * The sandbox runs in a child process (as `ferry sandbox` would), from a plain-JS transpile of
 * src/sandbox (BENCH_TSX=1 runs it through tsx instead), so its RSS is measured alone (after a
 * forced GC) and the load generator does not share its event loop.
 * BENCH_PRODUCTS (default 100000) and BENCH_CONCURRENCY (default 4) override the sizes.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { Pool } from 'undici';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** `.tmp/sandbox` mirrors `src/sandbox`, so the sandbox still finds the repo two levels up. */
const BUILD_DIR = path.join(REPO, '.tmp', 'sandbox');

/**
 * Transpiles src/sandbox to plain JS (what `ferry sandbox` runs from dist/), so the numbers do not
 * include tsx's per-closure keepNames overhead. Returns the entry module, or undefined on failure.
 */
function transpileSandbox(): string | undefined {
  try {
    rmSync(BUILD_DIR, { recursive: true, force: true });
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const full = path.join(dir, name);
        if (statSync(full).isDirectory()) walk(full);
        else if (name.endsWith('.ts')) {
          const out = ts.transpileModule(readFileSync(full, 'utf8'), {
            compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
            fileName: full,
          }).outputText;
          const target = path.join(BUILD_DIR, path.relative(path.join(REPO, 'src', 'sandbox'), full)).replace(/\.ts$/, '.js');
          mkdirSync(path.dirname(target), { recursive: true });
          writeFileSync(target, out);
        }
      }
    };
    walk(path.join(REPO, 'src', 'sandbox'));
    return path.join(BUILD_DIR, 'index.js');
  } catch (err) {
    rmSync(BUILD_DIR, { recursive: true, force: true });
    process.stderr.write(`bench:sandbox: could not transpile the sandbox (${(err as Error).message}); running it through tsx\n`);
    return undefined;
  }
}

interface ChildReady {
  type: 'ready';
  url: string;
  clientId: string;
  secret: string;
  username: string;
  password: string;
}
interface ChildMemory {
  type: 'memory';
  rss: number;
  heapUsed: number;
  products: number;
  gc: boolean;
  /** user+system CPU of the sandbox process so far, µs */
  cpuMicros: number;
}

/** Child side: run the sandbox, answer memory probes, exit on request. */
async function child(): Promise<void> {
  const entry = process.env.BENCH_SANDBOX_ENTRY;
  const mod = (await import(entry ? pathToFileURL(entry).href : '../src/sandbox/index.js')) as typeof import('../src/sandbox/index.js');
  const sb = await mod.startSandbox({ catalog: 'demo', limits: 'none' });
  process.on('message', (msg: { type: string }) => {
    if (msg.type === 'memory') {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (gc) gc();
      const m = process.memoryUsage();
      const cpu = process.cpuUsage();
      const reply: ChildMemory = {
        type: 'memory',
        rss: m.rss,
        heapUsed: m.heapUsed,
        products: sb.stats().products,
        gc: Boolean(gc),
        cpuMicros: cpu.user + cpu.system,
      };
      process.send?.(reply);
    } else if (msg.type === 'stop') {
      void sb.close().then(() => process.exit(0));
    }
  });
  const ready: ChildReady = { type: 'ready', url: sb.url, clientId: sb.clientId, secret: sb.secret, username: sb.username, password: sb.password };
  process.send?.(ready);
}

function request<T>(proc: ChildProcess, msg: { type: string }, expect: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: { type: string }): void => {
      if (m.type === expect) {
        proc.off('message', on);
        resolve(m as T);
      }
    };
    proc.on('message', on);
    if (msg.type !== 'none') proc.send(msg);
  });
}

const TOTAL = Number(process.env.BENCH_PRODUCTS ?? 100_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const BATCH = 100;

async function main(): Promise<void> {
  const entry = process.env.BENCH_TSX === '1' ? undefined : transpileSandbox();
  const proc = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, BENCH_SANDBOX_CHILD: '1', ...(entry ? { BENCH_SANDBOX_ENTRY: entry } : {}) },
    execArgv: ['--import', 'tsx', '--expose-gc', ...(process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [])],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const sb = await request<ChildReady>(proc, { type: 'none' }, 'ready');
  const pool = new Pool(sb.url, { connections: CONCURRENCY + 1 });
  const call = async (method: 'GET' | 'POST' | 'PATCH', path: string, body?: string, type = 'application/json', token?: string) => {
    const headers: Record<string, string> = { 'content-type': type };
    if (token) headers['authorization'] = `Bearer ${token}`;
    else headers['authorization'] = `Basic ${Buffer.from(`${sb.clientId}:${sb.secret}`).toString('base64')}`;
    const res = await pool.request({ method, path, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.body.text();
    if (res.statusCode >= 300) throw new Error(`${method} ${path} → ${res.statusCode} ${text.slice(0, 300)}`);
    return text;
  };
  const token = (
    JSON.parse(await call('POST', '/api/oauth/v1/token', JSON.stringify({ grant_type: 'password', username: sb.username, password: sb.password }))) as {
      access_token: string;
    }
  ).access_token;

  // 28 attributes + sku + a family = 30 values per product.
  const attrs: { code: string; type: string }[] = [];
  for (let i = 0; i < 23; i++) attrs.push({ code: `bench_text_${i}`, type: 'pim_catalog_text' });
  for (let i = 0; i < 3; i++) attrs.push({ code: `bench_number_${i}`, type: 'pim_catalog_number' });
  attrs.push({ code: 'bench_flag', type: 'pim_catalog_boolean' });
  attrs.push({ code: 'bench_color', type: 'pim_catalog_simpleselect' });
  attrs.push({ code: 'bench_notes', type: 'pim_catalog_textarea' });
  await call(
    'PATCH',
    '/api/rest/v1/attributes',
    attrs.map((a) => JSON.stringify({ code: a.code, type: a.type, group: 'other', ...(a.type === 'pim_catalog_number' ? { decimals_allowed: false, negative_allowed: false } : {}) })).join('\n'),
    'application/vnd.akeneo.collection+json',
    token,
  );
  await call(
    'PATCH',
    '/api/rest/v1/attributes/bench_color/options',
    ['red', 'green', 'blue'].map((c) => JSON.stringify({ code: c, labels: { en_US: c } })).join('\n'),
    'application/vnd.akeneo.collection+json',
    token,
  );
  await call('POST', '/api/rest/v1/families', JSON.stringify({ code: 'bench', attributes: attrs.map((a) => a.code), attribute_as_label: 'sku' }), 'application/json', token);

  const product = (n: number): string => {
    const values: Record<string, { locale: null; scope: null; data: unknown }[]> = {
      sku: [{ locale: null, scope: null, data: `BENCH-${n}` }],
    };
    for (const a of attrs) {
      const data =
        a.type === 'pim_catalog_number' ? (n % 1000) + 1 : a.type === 'pim_catalog_boolean' ? n % 2 === 0 : a.type === 'pim_catalog_simpleselect' ? ['red', 'green', 'blue'][n % 3] : `${a.code} value for product ${n}`;
      values[a.code] = [{ locale: null, scope: null, data }];
    }
    return JSON.stringify({ uuid: randomUUID(), family: 'bench', categories: ['master'], values });
  };

  const cpuBefore = (await request<ChildMemory>(proc, { type: 'memory' }, 'memory')).cpuMicros;
  let next = 0;
  let failedLines = 0;
  const started = process.hrtime.bigint();
  const worker = async (): Promise<void> => {
    while (next < TOTAL) {
      const from = next;
      next = Math.min(TOTAL, next + BATCH);
      const lines: string[] = [];
      for (let n = from; n < next; n++) lines.push(product(n));
      const out = await call('PATCH', '/api/rest/v1/products-uuid', lines.join('\n'), 'application/vnd.akeneo.collection+json', token);
      for (const l of out.split('\n')) if (!l.includes('"status_code":201') && !l.includes('"status_code":204')) failedLines++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;

  // Reading back: a filtered page over the full catalog (cold: scans every product), then the next page (cached positions).
  const filter = encodeURIComponent(JSON.stringify({ bench_flag: [{ operator: '=', value: true }], updated: [{ operator: '>', value: '2000-01-01 00:00:00' }] }));
  let t = process.hrtime.bigint();
  await call('GET', `/api/rest/v1/products-uuid?limit=100&with_count=true&search=${filter}`, undefined, 'application/json', token);
  const filteredFirstPageMs = Number(process.hrtime.bigint() - t) / 1e6;
  t = process.hrtime.bigint();
  await call('GET', `/api/rest/v1/products-uuid?limit=100&page=2&with_count=true&search=${filter}`, undefined, 'application/json', token);
  const filteredNextPageMs = Number(process.hrtime.bigint() - t) / 1e6;

  await pool.close();
  await new Promise((r) => setTimeout(r, 300));
  const mem = await request<ChildMemory>(proc, { type: 'memory' }, 'memory');
  const serverCpuMicrosPerUpsert = (mem.cpuMicros - cpuBefore) / TOTAL;
  proc.send({ type: 'stop' });
  await new Promise((r) => proc.once('exit', r));
  if (entry) rmSync(BUILD_DIR, { recursive: true, force: true });
  process.stdout.write(
    JSON.stringify({
      benchmark: 'sandbox',
      products: mem.products,
      valuesPerProduct: attrs.length + 1,
      batchSize: BATCH,
      concurrency: CONCURRENCY,
      failedLines,
      seconds: Number(seconds.toFixed(2)),
      upsertsPerSecond: Math.round(TOTAL / seconds),
      // CPU the sandbox spent per upsert: what one uncontended core allows, independent of machine load.
      serverCpuMicrosPerUpsert: Math.round(serverCpuMicrosPerUpsert),
      cpuBoundUpsertsPerSecond: Math.round(1e6 / serverCpuMicrosPerUpsert),
      targetUpsertsPerSecond: 3000,
      rssMB: Math.round(mem.rss / 1048576),
      heapUsedMB: Math.round(mem.heapUsed / 1048576),
      targetRssMB: 1536,
      filteredFirstPageMs: Math.round(filteredFirstPageMs),
      filteredNextPageMs: Math.round(filteredNextPageMs),
      gcBeforeMeasure: mem.gc,
      sandboxRuntime: entry ? 'transpiled JS (as dist/)' : 'tsx',
      note: 'sandbox in its own process (RSS is the server alone); load generator in this process; numbers from a shared 2-core machine are pessimistic',
    }) + '\n',
  );
}

(process.env.BENCH_SANDBOX_CHILD === '1' ? child() : main()).catch((err: unknown) => {
  process.stderr.write(`bench:sandbox failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
