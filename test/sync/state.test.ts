import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, SqliteStateStore } from '../../src/sync/state/sqlite.js';
import { RunLockedError, type EntityState } from '../../src/sync/state/port.js';

const dirs: string[] = [];
function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-state-'));
  dirs.push(dir);
  return join(dir, 'nested', 'ferry.db');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function entity(code: string, extra: Partial<EntityState> = {}): EntityState {
  return { type: 'product', code, pimId: `uuid-${code}`, originStream: 'items', originKey: code, groupKey: 'g1', hashes: { 'name|en_US|': '="x"' }, erpVersion: null, status: 'synced', ...extra };
}

describe('SQLite state store', () => {
  it('migrates a new file once and keeps the version', async () => {
    const path = tempDb();
    const a = new SqliteStateStore(path);
    await a.migrate();
    expect(a.schemaVersion()).toBe(MIGRATIONS.length);
    await a.migrate();
    expect(a.schemaVersion()).toBe(MIGRATIONS.length);
    await a.close();
    const b = new SqliteStateStore(path);
    await b.migrate();
    expect(b.schemaVersion()).toBe(MIGRATIONS.length);
    await b.close();
  });

  it('migration v2 keeps the media sources a v1 database knew', async () => {
    const path = tempDb();
    const v1 = new SqliteStateStore(path);
    v1.db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)');
    v1.db.exec(MIGRATIONS[0] as string);
    v1.db.prepare('INSERT INTO schema_version (version) VALUES (1)').run();
    v1.db.prepare("INSERT INTO media (content_hash, code, source, created_at) VALUES ('h9', 'x/y/z.png', 'img/9.png', '2026-01-01T00:00:00Z')").run();
    await v1.migrate();
    expect(v1.schemaVersion()).toBe(MIGRATIONS.length);
    expect((await v1.listMediaBySource()).get('img/9.png')).toMatchObject({ code: 'x/y/z.png', size: null, etag: null, lastModified: null });
    await v1.close();
  });

  it('refuses a database from a newer Ferry', async () => {
    const path = tempDb();
    const a = new SqliteStateStore(path);
    await a.migrate();
    a.db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(MIGRATIONS.length + 1);
    await expect(a.migrate()).rejects.toThrow(/newer than this Ferry knows/);
    await a.close();
  });

  it('stores entities, finds group members, pages through them', async () => {
    const s = new SqliteStateStore(':memory:');
    await s.migrate();
    const rows = Array.from({ length: 1203 }, (_, i) => entity(`sku${String(i).padStart(5, '0')}`, { groupKey: i % 2 ? 'odd' : 'even' }));
    await s.saveEntities(rows);
    const got = await s.getEntities('product', ['sku00001', 'sku01202', 'nope']);
    expect([...got.keys()].sort()).toEqual(['sku00001', 'sku01202']);
    expect(got.get('sku00001')!.hashes).toEqual({ 'name|en_US|': '="x"' });
    const members = await s.findGroupMembers(['odd']);
    expect(members.get('odd')).toHaveLength(601);
    let seen = 0;
    for await (const page of s.listEntities('product', 500)) seen += page.length;
    expect(seen).toBe(1203);
    await s.saveEntities([entity('sku00001', { status: 'disabled', hashes: {} })]);
    expect((await s.getEntities('product', ['sku00001'])).get('sku00001')!.status).toBe('disabled');
    expect(await s.countEntities('product')).toBe(1203);
  });

  it('keeps watermarks, retries, media, runs, outcomes and rejects', async () => {
    const s = new SqliteStateStore(':memory:');
    await s.migrate();
    expect(await s.getWatermark('items')).toBeNull();
    await s.setWatermark('items', '2026-01-01T00:00:00Z');
    await s.setWatermark('items', '2026-01-02T00:00:00Z');
    expect(await s.getWatermark('items')).toBe('2026-01-02T00:00:00Z');
    await s.queueRetries([{ stream: 'items', key: 'a', reason: 'x' }, { stream: 'items', key: 'b', reason: 'y' }]);
    await s.clearRetries([{ stream: 'items', key: 'a' }]);
    expect(await s.listRetries('items')).toEqual(['b']);
    await s.saveMedia({ contentHash: 'h1', code: 'a/b/c.jpg', source: 'img/1.jpg' });
    expect((await s.getMedia('h1'))!.code).toBe('a/b/c.jpg');
    expect((await s.listMediaBySource()).get('img/1.jpg')!.contentHash).toBe('h1');
    // A second source with the same content: both are known, with the one code.
    await s.saveMedia({ contentHash: 'h1', code: 'a/b/c.jpg', source: 'img/copy.jpg', size: 12, mtimeMs: 1700000000000.5 });
    const bySource = await s.listMediaBySource();
    expect(bySource.get('img/1.jpg')!.code).toBe('a/b/c.jpg');
    expect(bySource.get('img/copy.jpg')).toMatchObject({ code: 'a/b/c.jpg', size: 12, mtimeMs: 1700000000000.5 });
    // A URL source keeps its validators for the next conditional download.
    await s.saveMedia({ contentHash: 'h1', code: 'a/b/c.jpg', source: 'https://cdn.example/1.jpg', etag: '"abc"', lastModified: 'Sun, 01 Nov 2026 00:00:00 GMT' });
    expect((await s.listMediaBySource()).get('https://cdn.example/1.jpg')).toMatchObject({ etag: '"abc"', lastModified: 'Sun, 01 Nov 2026 00:00:00 GMT' });
    const id = await s.startRun('delta', { full: false });
    await s.recordOutcomes(id, [{ stream: 'items', key: 'a', entityType: 'product', outcome: 'created' }]);
    await s.addRejects([{ runId: id, stream: 'items', key: 'b', entityType: 'product', label: 'b', message: 'SKU b: bad', fix: 'fix it', payload: { x: 1 } }]);
    await s.finishRun(id, 'rejects', { counts: { read: 2 } });
    const run = (await s.getRun(id))!;
    expect(run.status).toBe('rejects');
    expect(run.report).toEqual({ counts: { read: 2 } });
    expect(await s.getRunRecords(id)).toEqual([{ stream: 'items', key: 'a', entityType: 'product', outcome: 'created', reason: null }]);
    expect((await s.getRejects(id))[0]!.payload).toEqual({ x: 1 });
    const id2 = await s.startRun('full', null);
    expect(await s.markInterrupted(id2 + 1)).toBe(1);
    expect((await s.listRuns(5)).map((r) => r.status)).toEqual(['interrupted', 'rejects']);
  });

  it('locks: one holder; stale or dead holders are recovered', async () => {
    const path = tempDb();
    const a = new SqliteStateStore(path);
    const b = new SqliteStateStore(path);
    await a.migrate();
    expect(await a.acquireLock('pim', 'host:1:a', 60_000)).toBeNull();
    await expect(b.acquireLock('pim', 'host:2:b', 60_000)).rejects.toBeInstanceOf(RunLockedError);
    expect(await a.heartbeat('pim', 'host:1:a', 7)).toBe(true);
    // the holder is known dead
    const recovered = await b.acquireLock('pim', 'host:2:b', 60_000, (owner) => owner !== 'host:1:a');
    expect(recovered).toMatchObject({ owner: 'host:1:a', runId: 7 });
    expect(await a.heartbeat('pim', 'host:1:a', 7)).toBe(false);
    // stale heartbeat
    await new Promise((r) => setTimeout(r, 20));
    expect(await a.acquireLock('pim', 'host:1:a', 10)).not.toBeNull();
    await a.releaseLock('pim', 'host:1:a');
    expect(await b.acquireLock('pim', 'host:2:b', 60_000)).toBeNull();
    await a.close();
    await b.close();
  });
});
