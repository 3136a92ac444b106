/**
 * Sandbox benchmark (limits off, no latency): product upserts/s through collection PATCH
 * (/products-uuid, 100 lines per call, 4 calls in flight) and the RSS while holding
 * 100,000 products with 30 values each. Prints one JSON object.
 *
 * BENCH_PRODUCTS (default 100000) and BENCH_CONCURRENCY (default 4) override the sizes.
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'undici';
import { startSandbox } from '../src/sandbox/index.js';

const TOTAL = Number(process.env.BENCH_PRODUCTS ?? 100_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const BATCH = 100;

async function main(): Promise<void> {
  const sb = await startSandbox({ catalog: 'demo', limits: 'none' });
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

  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
  await new Promise((r) => setTimeout(r, 500));
  const mem = process.memoryUsage();
  const stats = sb.stats();
  await pool.close();
  await sb.close();
  process.stdout.write(
    JSON.stringify({
      benchmark: 'sandbox',
      products: stats.products,
      valuesPerProduct: attrs.length + 1,
      batchSize: BATCH,
      concurrency: CONCURRENCY,
      failedLines,
      seconds: Number(seconds.toFixed(2)),
      upsertsPerSecond: Math.round(TOTAL / seconds),
      targetUpsertsPerSecond: 3000,
      rssMB: Math.round(mem.rss / 1048576),
      heapUsedMB: Math.round(mem.heapUsed / 1048576),
      targetRssMB: 1536,
      gcBeforeMeasure: Boolean(gc),
      note: 'client and server share one process, so RSS includes the bench client; measured on a shared 2-core machine (pessimistic)',
    }) + '\n',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:sandbox failed: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
