/**
 * The chaos suite's plumbing: the real `ferry` CLI and the real `ferry sandbox` as child
 * processes (so kill -9 is a real kill), PIM snapshots to compare whole end states, and a
 * config writer. Everything runs from src/ through tsx, so it tests the code as it is.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAkeneoClient } from '../../src/akeneo/index.js';

export const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const TSX = ['--import', import.meta.resolve('tsx')];

export interface Proc {
  child: ChildProcess;
  out: () => string;
  done: Promise<number | null>;
}

/** Every child still alive, killed when the suite ends however it ends. */
const alive = new Set<ChildProcess>();
export function killAll(): void {
  for (const c of alive) c.kill('SIGKILL');
}
process.on('exit', killAll);

function start(args: string[], cwd: string, env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, [...TSX, join(ROOT, 'src/cli/index.ts'), ...args], {
    cwd,
    env: { ...process.env, FERRY_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  alive.add(child);
  const done = new Promise<number | null>((r) => child.on('exit', (code) => (alive.delete(child), r(code))));
  return { child, out: () => out, done };
}

/** `ferry …` to the end: exit code and everything it printed. */
export async function ferry(args: string[], cwd: string): Promise<{ code: number | null; out: string }> {
  const p = start(args, cwd);
  const code = await p.done;
  return { code, out: p.out() };
}

/** `ferry …` running in the background (to be killed). */
export function ferryInBackground(args: string[], cwd: string): Proc {
  return start(args, cwd);
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

export interface Sandbox {
  url: string;
  proc: Proc;
  /** SIGTERM: the sandbox flushes its --data file and exits. */
  stop(): Promise<void>;
  /** SIGKILL: no flush, as a crash. */
  kill(): Promise<void>;
  stats(): Promise<{ faultsInjected?: Record<string, number>; products: number; productModels: number; totalRequests: number }>;
}

/** `ferry sandbox` with its state in `data`, optionally with faults. */
export async function sandbox(cwd: string, port: number, data: string, extra: string[] = []): Promise<Sandbox> {
  const proc = start(['sandbox', '--host', '127.0.0.1', '--port', String(port), '--catalog', 'demo', '--data', data, ...extra], cwd);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (!/listening on/.test(proc.out())) {
    if (proc.child.exitCode !== null) throw new Error(`the sandbox exited: ${proc.out()}`);
    if (Date.now() > deadline) throw new Error(`the sandbox did not start: ${proc.out()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    proc,
    stop: async () => {
      proc.child.kill('SIGTERM');
      await proc.done;
    },
    kill: async () => {
      proc.child.kill('SIGKILL');
      await proc.done;
    },
    stats: async () => (await (await fetch(`${url}/_sandbox/stats`)).json()) as never,
  };
}

/** ferry.yaml for the generated demo ERP against a sandbox. */
export function writeConfig(file: string, opts: { pimUrl: string; erpPath: string; items: number; state: string }): string {
  writeFileSync(
    file,
    [
      'pim:',
      `  url: ${opts.pimUrl}`,
      '  clientId: ferry',
      '  secret: ferry-secret',
      '  username: admin',
      '  password: admin',
      // A "timeout" fault holds a request forever: give up on it after a few seconds, not a minute.
      '  timeoutMs: 5000',
      'erp:',
      '  type: demo',
      `  path: ${opts.erpPath}`,
      `  items: ${opts.items}`,
      'mapping:',
      '  preset: demo',
      'state:',
      `  path: ${opts.state}`,
      '',
    ].join('\n'),
  );
  return file;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A value with no order that means nothing: keys sorted, arrays sorted by their JSON. */
function canonical(value: Json): Json {
  if (Array.isArray(value)) return value.map(canonical).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  if (value && typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const k of Object.keys(value).sort()) out[k] = canonical(value[k]!);
    return out;
  }
  return value;
}

/** Fields the PIM sets itself: different in every run, not data. */
const VOLATILE = new Set(['uuid', 'created', 'updated', 'metadata', '_links', 'quality_scores', 'completenesses']);

function strip(entity: Record<string, Json>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(entity)) if (!VOLATILE.has(k)) out[k] = v;
  return out;
}

export interface Snapshot {
  products: Record<string, Json>;
  productModels: Record<string, Json>;
  categories: Record<string, Json>;
  /** Entities listed more than once under one key (a duplicate). */
  duplicates: string[];
}

/** The whole PIM content: every product, product model and category, canonical. */
export async function snapshot(url: string): Promise<Snapshot> {
  const client = createAkeneoClient({ url, auth: { kind: 'connection', clientId: 'ferry', secret: 'ferry-secret', username: 'admin', password: 'admin' } });
  const duplicates: string[] = [];
  const collect = async (list: AsyncIterable<unknown>, key: (e: Record<string, Json>) => string, label: string) => {
    const out: Record<string, Json> = {};
    for await (const e of list) {
      const entity = e as Record<string, Json>;
      const k = key(entity);
      if (k in out) duplicates.push(`${label} ${k}`);
      out[k] = canonical(strip(entity));
    }
    return out;
  };
  try {
    return {
      // uuid endpoints: the SKU is the identifier attribute's value (sku in the demo catalog).
      products: await collect(client.products.list({ limit: 100 }), (p) => String(p.identifier ?? (p.values as { sku?: { data: Json }[] } | undefined)?.sku?.[0]?.data), 'product'),
      productModels: await collect(client.productModels.list({ limit: 100 }), (m) => String(m.code), 'product model'),
      categories: await collect(client.categories.list({ limit: 100 }), (c) => String(c.code), 'category'),
      duplicates,
    };
  } finally {
    await client.close();
  }
}

/** The differences between two snapshots, as short lines (empty: identical). */
export function differences(a: Snapshot, b: Snapshot, max = 10): string[] {
  const out: string[] = [];
  for (const kind of ['products', 'productModels', 'categories'] as const) {
    const keys = new Set([...Object.keys(a[kind]), ...Object.keys(b[kind])]);
    for (const k of keys) {
      const x = JSON.stringify(a[kind][k]);
      const y = JSON.stringify(b[kind][k]);
      if (x !== y) out.push(`${kind} ${k}: ${x === undefined ? 'missing in the first' : y === undefined ? 'missing in the second' : `${x.slice(0, 200)} ≠ ${y.slice(0, 200)}`}`);
    }
  }
  for (const d of [...a.duplicates, ...b.duplicates]) out.push(`duplicate ${d}`);
  return out.slice(0, max).concat(out.length > max ? [`… ${out.length - max} more`] : []);
}

export const count = (s: Snapshot) => ({ products: Object.keys(s.products).length, productModels: Object.keys(s.productModels).length, categories: Object.keys(s.categories).length });

/** The JSON object `ferry sync --json` printed last. */
export function syncSummary(out: string): { status: string; runId: number | null; counts: Record<string, number>; requests: Record<string, number>; error?: string } | null {
  const start = out.lastIndexOf('\n{\n');
  const text = start >= 0 ? out.slice(start + 1) : out.startsWith('{\n') ? out : '';
  try {
    return JSON.parse(text.slice(0, text.lastIndexOf('}') + 1)) as never;
  } catch {
    return null;
  }
}
