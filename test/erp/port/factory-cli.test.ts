/** The factory picks the adapter from erp.type; `ferry erp` reads through the port and counts. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Command } from 'commander';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { loadErpConfig, registerErpCommands } from '../../../src/cli/commands/erp.js';
import { reportFatal } from '../../../src/cli/output.js';
import { erpConfigSchema } from '../../../src/erp/config.js';
import { createErpSink, createErpSource } from '../../../src/erp/factory.js';
import { ConfigError } from '../../../src/config/load.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-erp-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('createErpSource / createErpSink', () => {
  it('dispatches on erp.type without connecting', async () => {
    const demo = createErpSource(erpConfigSchema.parse({ type: 'demo', path: join(dir, 'f.sqlite'), items: 20 }));
    expect(demo.kind).toBe('demo');
    await demo.close();
    const sql = createErpSource(erpConfigSchema.parse({ type: 'sql', client: 'pg', connection: 'postgres://u@127.0.0.1:1/x', streams: { items: { table: 'i', key: 'k' } } }));
    expect(sql.kind).toBe('sql');
    expect(sql.streams).toEqual(['items']);
    await sql.close();
    const files = createErpSource(erpConfigSchema.parse({ type: 'files', folder: dir, format: 'csv' }), { readOnly: true });
    expect(files.kind).toBe('files');
    await files.close();
    const tryton = createErpSource(
      erpConfigSchema.parse({ type: 'tryton', url: 'http://127.0.0.1:1', database: 'd', username: 'u', password: 'p' }),
    );
    expect(tryton.kind).toBe('tryton');
    await tryton.close();
    const sink = createErpSink(erpConfigSchema.parse({ type: 'demo', path: join(dir, 'f.sqlite'), items: 20 }));
    expect(typeof sink.upsert).toBe('function');
    await sink.close();
  });
});

describe('ferry erp', () => {
  const out: string[] = [];
  const err: string[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    out.length = 0;
    err.length = 0;
  });

  async function ferry(...args: string[]): Promise<number> {
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true));
    const program = new Command('ferry').exitOverride();
    registerErpCommands(program);
    const before = process.exitCode;
    process.exitCode = undefined;
    try {
      await program.parseAsync(['node', 'ferry', ...args]);
      return Number(process.exitCode ?? 0);
    } catch (e) {
      return reportFatal(e);
    } finally {
      process.exitCode = before;
      vi.restoreAllMocks();
    }
  }

  const config = join(dir, 'ferry.yaml');
  writeFileSync(config, `erp:\n  type: demo\n  path: ${join(dir, 'demo.sqlite')}\n  items: 60\n  seed: 3\n`);

  it('read prints one normalized record per line and ends with the counts on stderr', async () => {
    expect(await ferry('erp', 'read', '-c', config)).toBe(0);
    const lines = out.join('').trim().split('\n');
    expect(lines).toHaveLength(60);
    const first = JSON.parse(lines[0]!) as { stream: string; key: string; fields: Record<string, unknown> };
    expect(first.stream).toBe('items');
    expect(Object.keys(first.fields)).toEqual([...Object.keys(first.fields)].sort());
    expect(err.join('')).toContain('items: 60 read, 0 rejected');
  });

  it('read honours --stream, --keys, --limit, --since and --format table', async () => {
    await ferry('erp', 'read', '-c', config, '--limit', '2');
    const keys = out.join('').trim().split('\n').map((l) => (JSON.parse(l) as { key: string }).key);
    expect(keys).toHaveLength(2);
    out.length = 0;
    await ferry('erp', 'read', '-c', config, '--keys', `${keys[1]},nope`);
    expect(out.join('').trim().split('\n')).toHaveLength(1);
    out.length = 0;
    await ferry('erp', 'read', '-c', config, '--stream', 'categories', '--format', 'table');
    const table = out.join('').split('\n');
    expect(table[0]).toMatch(/^KEY\s+GROUP\s+UPDATED/);
    expect(table.some((l) => l.startsWith('master '))).toBe(true);
    out.length = 0;
    await ferry('erp', 'read', '-c', config, '--since', '2099-01-01T00:00:00Z');
    expect(out.join('')).toBe('');
    expect(err.join('')).toContain('items: 0 read, 0 rejected');
  });

  it('read reports a bad row on stderr with its location and raw content, and counts it', async () => {
    const file = join(dir, 'bad.sqlite');
    const db = new Database(file);
    db.exec("CREATE TABLE items (sku TEXT PRIMARY KEY, weight TEXT, unit TEXT, updated_at TEXT)");
    db.exec("INSERT INTO items VALUES ('GOOD', '1.5', 'kg', '2024-01-01 00:00:00'), ('BAD', '2', NULL, '2024-01-01 00:00:00'), ('ALSO-GOOD', NULL, NULL, '2024-01-02 00:00:00')");
    db.close();
    const cfg = join(dir, 'sql.yaml');
    writeFileSync(cfg, `erp:\n  type: sql\n  client: better-sqlite3\n  connection: { filename: ${file} }\n  streams:\n    items:\n      table: items\n      key: sku\n      updatedAt: updated_at\n      fields:\n        weight: { type: quantity, amount: weight, unit: unit }\n`);
    expect(await ferry('erp', 'read', '-c', cfg)).toBe(0);
    expect(out.join('').trim().split('\n').map((l) => (JSON.parse(l) as { key: string }).key)).toEqual(['ALSO-GOOD', 'GOOD']);
    const stderr = err.join('');
    expect(stderr).toContain('rejected: table items, key BAD, field weight: weight: amount 2 has no unit');
    expect(stderr).toContain('"sku":"BAD"');
    expect(stderr).toContain('items: 2 read, 1 rejected');
  });

  it('check and describe report the ERP', async () => {
    expect(await ferry('erp', 'check', '-c', config, '--json')).toBe(0);
    const check = JSON.parse(out.join('')) as { ok: boolean; counts: { items: number } };
    expect(check.ok).toBe(true);
    expect(check.counts.items).toBe(60);
    out.length = 0;
    expect(await ferry('erp', 'describe', '-c', config)).toBe(0);
    expect(out.join('')).toMatch(/items[\s\S]*weight\s+quantity/);
  });

  it('a bad flag, a missing config or a broken ERP give one clear message and a failing exit code', async () => {
    expect(await ferry('erp', 'read', '-c', config, '--limit', 'x')).toBe(1);
    expect(err.join('')).toContain('--limit must be a positive integer');
    err.length = 0;
    expect(await ferry('erp', 'read', '-c', config, '--since', 'soon')).toBe(1);
    expect(err.join('')).toContain('--since');
    err.length = 0;
    expect(await ferry('erp', 'check', '-c', join(dir, 'missing.yaml'))).toBe(1);
    expect(err.join('')).toMatch(/missing\.yaml.*not found/s);
    err.length = 0;
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'erp:\n  type: sql\n  client: pg\n  connection: postgres://erp:s3cret-pw@127.0.0.1:1/erp\n  streams:\n    items: { table: items, key: sku }\n');
    expect(await ferry('erp', 'check', '-c', broken)).toBe(1);
    expect(out.join('')).toContain('127.0.0.1:1');
    expect(out.join('') + err.join('')).not.toContain('s3cret-pw');
    out.length = 0;
    expect(await ferry('erp', 'read', '-c', broken)).toBe(1);
    expect(err.join('')).toMatch(/cannot reach PostgreSQL at 127\.0\.0\.1:1/);
  });

  it('loadErpConfig needs only the erp section and names what is wrong', async () => {
    const partial = join(dir, 'partial.yaml');
    writeFileSync(partial, 'erp:\n  type: sql\n  client: oracle\n');
    await expect(loadErpConfig(partial)).rejects.toThrow(ConfigError);
    await expect(loadErpConfig(partial)).rejects.toThrow(/erp\.client/);
    const env = join(dir, 'env.yaml');
    writeFileSync(env, 'erp:\n  type: demo\n  path: ${DEMO_PATH}\n');
    await expect(loadErpConfig(env, {})).rejects.toThrow(/DEMO_PATH/);
    await expect(loadErpConfig(env, { DEMO_PATH: join(dir, 'x.sqlite') })).resolves.toMatchObject({ type: 'demo', items: 500 });
  });
});
