import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, SqliteStateStore } from '../../src/sync/state/sqlite.js';
import { RunLockedError, type EntityState, type StateStore } from '../../src/sync/state/port.js';
import { PostgresStateStore } from '../../src/sync/state/postgres.js';
import { PG_MIGRATIONS } from '../../src/sync/state/postgres-migrations.js';
import { DUMP_TABLES, readDump, writeDump, type StateDumpStore } from '../../src/sync/state/dump.js';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll } from 'vitest';
import { createPgStateDatabase, pgStateAvailable, type PgStateDatabase } from './support/pg-state.js';

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

describe('SQLite state store: its migrations', () => {
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

});

type TestStore = StateStore & StateDumpStore;

/** A kind of store the contract suite runs against: `fresh` names a new empty state, `open` opens (and migrates) a store on it. */
interface Backend {
  name: string;
  fresh(): Promise<string>;
  open(where: string): Promise<TestStore>;
  /** Writes a schema version one past what this Ferry knows. */
  bumpVersion(store: TestStore): Promise<void>;
  version(store: TestStore): Promise<number>;
  known: number;
}

const opened: TestStore[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});

const sqlite: Backend = {
  name: 'SQLite',
  fresh: async () => tempDb(),
  open: async (path) => {
    const s = new SqliteStateStore(path);
    opened.push(s);
    await s.migrate();
    return s;
  },
  bumpVersion: async (s) => void (s as SqliteStateStore).db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(MIGRATIONS.length + 1),
  version: async (s) => (s as SqliteStateStore).schemaVersion(),
  known: MIGRATIONS.length,
};

const pgUp = await pgStateAvailable();
let pgDb: PgStateDatabase | null = null;
beforeAll(async () => {
  if (pgUp) pgDb = await createPgStateDatabase();
});
afterAll(async () => {
  await pgDb?.drop();
});
const postgres: Backend = {
  name: 'PostgreSQL',
  fresh: async () => pgDb!.freshSchema(),
  open: async (schema) => {
    const s = new PostgresStateStore({ url: pgDb!.url, schema });
    opened.push(s);
    await s.migrate();
    return s;
  },
  bumpVersion: async (s) => void (await (s as PostgresStateStore).pool.query('INSERT INTO schema_version (version) VALUES ($1)', [PG_MIGRATIONS.length + 1])),
  version: async (s) => (s as PostgresStateStore).schemaVersion(),
  known: PG_MIGRATIONS.length,
};

const backends = [sqlite, ...(pgUp ? [postgres] : [])];

describe.each(backends)('$name state store', (backend) => {
  it('migrates once and keeps the version; refuses a state from a newer Ferry', async () => {
    const where = await backend.fresh();
    const a = await backend.open(where);
    expect(await backend.version(a)).toBe(backend.known);
    await a.migrate();
    expect(await backend.version(a)).toBe(backend.known);
    const b = await backend.open(where);
    expect(await backend.version(b)).toBe(backend.known);
    await backend.bumpVersion(a);
    await expect(a.migrate()).rejects.toThrow(/newer than this Ferry knows/);
  });

  it('stores entities, finds group members, pages through them', async () => {
    const s = await backend.open(await backend.fresh());
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
    const s = await backend.open(await backend.fresh());
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
    const where = await backend.fresh();
    const a = await backend.open(where);
    const b = await backend.open(where);
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
  });

  it('a batch that names one key twice keeps the last row, as when applied row by row', async () => {
    const s = await backend.open(await backend.fresh());
    await s.saveEntities([entity('A', { status: 'pending' }), entity('B'), entity('A', { status: 'synced', hashes: { x: '1' } })]);
    expect((await s.getEntities('product', ['A'])).get('A')).toMatchObject({ status: 'synced', hashes: { x: '1' } });
    await s.saveGroupMembers([
      { stream: 'items', key: 'i1', groupKey: 'g1', record: null },
      { stream: 'items', key: 'i1', groupKey: null, record: null },
      { stream: 'items', key: 'i2', groupKey: 'g1', record: null },
      { stream: 'items', key: 'i2', groupKey: 'g2', record: null },
    ]);
    expect((await s.getGroupMembers(['g1', 'g2'])).map((m) => `${m.key}:${m.groupKey}`)).toEqual(['i2:g2']);
    const run = await s.startRun('full', null);
    await s.recordOutcomes(run, [
      { stream: 'items', key: 'k', entityType: 'product', outcome: 'rejected', reason: 'first' },
      { stream: 'items', key: 'k', entityType: 'product', outcome: 'created' },
    ]);
    expect(await s.getRunRecords(run)).toEqual([{ stream: 'items', key: 'k', entityType: 'product', outcome: 'created', reason: null }]);
    await s.queueRetries([{ stream: 'items', key: 'r', reason: 'a' }, { stream: 'items', key: 'r', reason: 'b' }]);
    expect(await s.listRetries('items')).toEqual(['r']);
  });

  it('group members: kept records, moves, removal and pruning', async () => {
    const s = await backend.open(await backend.fresh());
    const record = { stream: 'items', key: 'i1', updatedAt: null, group: 'g1', fields: { title: 'A' } } as unknown as NonNullable<Parameters<StateStore['saveGroupMembers']>[0][number]['record']>;
    await s.saveGroupMembers([
      { stream: 'items', key: 'i1', groupKey: 'g1', record },
      { stream: 'items', key: 'i2', groupKey: 'g1', record: null },
      { stream: 'groups', key: 'g1', groupKey: 'g1', record: null },
    ]);
    const members = await s.getGroupMembers(['g1']);
    expect(members.map((m) => `${m.stream}/${m.key}`).sort()).toEqual(['groups/g1', 'items/i1', 'items/i2']);
    expect(members.find((m) => m.key === 'i1')!.record).toEqual(record);
    await s.saveGroupMembers([{ stream: 'items', key: 'i2', groupKey: 'g2', record: null }]);
    expect((await s.getGroupMembers(['g2'])).map((m) => m.key)).toEqual(['i2']);
    expect(await s.pruneGroupMembers('items', new Set(['i2']))).toBe(1);
    expect((await s.getGroupMembers(['g1', 'g2'])).map((m) => `${m.stream}/${m.key}`).sort()).toEqual(['groups/g1', 'items/i2']);
    expect(await s.pruneGroupMembers('items', new Set())).toBe(1);
  });

  it('codes: the PIM\'s key (no case, no accents), origin versions, byte order of pages', async () => {
    const s = await backend.open(await backend.fresh());
    await s.saveEntities([
      entity('Shirt-Red', { erpVersion: '2026-01-01' }),
      entity('b', { status: 'pending', erpVersion: '2026-01-02' }),
      entity('_x'),
      entity('Étoile', { type: 'product_model', groupKey: null }),
    ]);
    expect(await s.findByCodeKey('product', ['shirt-red', 'SHIRT-RED'])).toEqual([{ code: 'Shirt-Red', originKey: 'Shirt-Red', status: 'synced' }]);
    expect((await s.findByCodeKey('product_model', ['etoile'])).map((r) => r.code)).toEqual(['Étoile']);
    // pending entities have no synced version yet
    expect(await s.getOriginVersions('items', ['Shirt-Red', 'b', 'nope'])).toEqual(new Map([['Shirt-Red', '2026-01-01']]));
    const keys: string[] = [];
    for await (const page of s.listEntityKeys('product', 2)) keys.push(...page.map((k) => k.code));
    expect(keys).toEqual(['Shirt-Red', '_x', 'b']);
    expect(await s.countEntities()).toBe(4);
    expect(await s.countEntities('product_model')).toBe(1);
    // entity types are open: a type this test invents is stored and read back
    await s.saveEntities([entity('rec-1', { type: 'reference_entity_record' as EntityState['type'] })]);
    expect((await s.getEntities('reference_entity_record' as EntityState['type'], ['rec-1'])).size).toBe(1);
  });

  it('dead runs: a stale heartbeat or a dead owner is interrupted with its report so far', async () => {
    const s = await backend.open(await backend.fresh());
    const alive = await s.startRun('full', null, 'host:1:alive');
    const dead = await s.startRun('full', null, 'host:2:dead');
    await s.heartbeatRun(dead, { counts: { read: 5 } });
    expect(await s.markDeadRuns((owner) => owner !== 'host:2:dead', 60_000)).toBe(1);
    const run = (await s.getRun(dead))!;
    expect(run.status).toBe('interrupted');
    expect(run.report).toMatchObject({ status: 'interrupted', counts: { read: 5 }, interrupted: { reason: expect.stringMatching(/stopped without finishing/) } });
    expect((await s.getRun(alive))!.status).toBe('running');
    await new Promise((r) => setTimeout(r, 15));
    expect(await s.markDeadRuns(() => true, 10)).toBe(1);
  });

  it('export then import into an empty store of the other kind keeps every row; a truncated dump loads nothing', async () => {
    const s = await backend.open(await backend.fresh());
    await s.saveEntities([entity('A'), entity('B', { hashes: { 'x|en_US|': 'h' }, erpVersion: '2026-01-01' })]);
    await s.setWatermark('items', '2026-01-02T00:00:00Z');
    const run = await s.startRun('full', { full: true }, 'host:1:x');
    await s.recordOutcomes(run, [{ stream: 'items', key: 'A', entityType: 'product', outcome: 'created' }]);
    await s.addRejects([{ runId: run, stream: 'items', key: 'C', entityType: 'product', label: 'C', message: 'bad', fix: null, payload: { v: 1 } }]);
    await s.finishRun(run, 'rejects', { counts: { read: 3 } });
    await s.saveMedia({ contentHash: 'h1', code: 'a/b/c.jpg', source: 'img/1.jpg', size: 12, mtimeMs: 1700000000000.5 });
    await s.saveGroupMembers([{ stream: 'items', key: 'A', groupKey: 'g1', record: null }]);
    await s.queueRetries([{ stream: 'items', key: 'C', reason: 'rejected' }]);
    // the export's SKU counter (nextSequence: PostgreSQL here, SQLite once wave/export is merged)
    await (s as Partial<{ nextSequence(name: string, count: number): Promise<number> }>).nextSequence?.('sku', 7);
    const buffer = new PassThrough();
    const chunks: Buffer[] = [];
    buffer.on('data', (c: Buffer) => chunks.push(c));
    const written = await writeDump(s, backend.name, buffer);
    buffer.end();
    const text = Buffer.concat(chunks).toString('utf8');
    expect(written).toMatchObject({ entities: 2, runs: 1, run_records: 1, rejects: 1, media: 1, media_sources: 1, group_members: 1, retry_queue: 1, watermarks: 1 });
    for (const other of backends) {
      const target = await other.open(await other.fresh());
      // truncated: the end line is missing, nothing is kept
      const cut = text.split('\n').slice(0, -2).join('\n');
      await expect(target.loadDump(readDump(PassThrough.from([cut])))).rejects.toThrow(/truncated/);
      expect(await target.isEmpty()).toBe(true);
      expect(await target.loadDump(readDump(PassThrough.from([text])))).toEqual(written);
      expect(await target.getEntities('product', ['B'])).toEqual(await s.getEntities('product', ['B']));
      expect(await target.getWatermark('items')).toBe('2026-01-02T00:00:00Z');
      expect(await target.getRun(run)).toEqual(await s.getRun(run));
      expect(await target.getRunRecords(run)).toEqual(await s.getRunRecords(run));
      expect(await target.getRejects(run)).toEqual(await s.getRejects(run));
      expect(await target.listMediaBySource()).toEqual(await s.listMediaBySource());
      expect(await target.listRetries('items')).toEqual(['C']);
      // the next run is numbered after the imported ones
      expect(await target.startRun('delta', null)).toBe(run + 1);
      for (const t of DUMP_TABLES) {
        const rowsOf = async (x: TestStore) => {
          const all: unknown[] = [];
          for await (const page of x.dumpTable(t)) all.push(...page.map((r) => JSON.stringify(Object.entries(r).sort())));
          return all.sort();
        };
        if (t !== 'runs') expect(await rowsOf(target), `${backend.name} → ${other.name}: ${t}`).toEqual(await rowsOf(s));
      }
    }
  });
  it('holds no raw credential: signed URLs as hash keys, known secrets scrubbed from runs, rejects and records', async () => {
    const { registerSecrets } = await import('../../src/logging.js');
    registerSecrets(['echoed-secret-6161']);
    const SIGNED = 'https://cdn.example/p.png?X-Amz-Signature=sig-abc-456&X-Amz-Credential=AKIAQQQ&w=400';
    const s = await backend.open(await backend.fresh());
    await s.saveMedia({ contentHash: 'h1', code: 'a/b/p.png', source: SIGNED, etag: '"e"' });
    await s.saveGroupMembers([{ stream: 'items', key: 'K', groupKey: 'G', record: { stream: 'items', key: 'K', updatedAt: null, fields: { image: SIGNED } } as never }]);
    const runId = await s.startRun('full', { note: 'echoed-secret-6161' });
    await s.heartbeatRun(runId, { error: 'echoed-secret-6161' });
    await s.addRejects([{ runId, stream: 'items', key: 'K', entityType: 'product', label: 'K', message: 'page said echoed-secret-6161', fix: null, payload: { v: 'echoed-secret-6161' }, errors: [{ message: 'echoed-secret-6161' }] }]);
    await s.recordOutcomes(runId, [{ stream: 'items', key: 'K', entityType: 'product', outcome: 'rejected', reason: 'echoed-secret-6161' }]);
    await s.finishRun(runId, 'failed', { error: 'https://u:pw-88@x.example echoed-secret-6161' });
    let dump = '';
    for (const t of DUMP_TABLES) for await (const page of s.dumpTable(t)) dump += JSON.stringify(page);
    for (const secret of ['sig-abc-456', 'AKIAQQQ', 'echoed-secret-6161', 'pw-88']) expect(dump).not.toContain(secret);
    // and the signed URL is still known by its key
    const { mediaLookup } = await import('../../src/sync/media-source.js');
    expect(mediaLookup(await s.listMediaBySource(), undefined, 'trust')(SIGNED)).toBe('a/b/p.png');
  });
});

describe.skipIf(!pgUp)('PostgreSQL state store: several processes', () => {
  it('two stores taking one lock at once: exactly one gets it', async () => {
    const schema = await postgres.fresh();
    const stores = await Promise.all(Array.from({ length: 4 }, () => postgres.open(schema)));
    const results = await Promise.allSettled(stores.map((s, i) => s.acquireLock('pim', `host:${i}:x`, 60_000)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof RunLockedError)).toHaveLength(3);
  });

  it('nextSequence: consecutive ranges, never the same number twice across stores', async () => {
    const schema = await postgres.fresh();
    const [a, b] = [await postgres.open(schema), await postgres.open(schema)] as PostgresStateStore[];
    expect(await a!.nextSequence('sku', 10)).toBe(1);
    const firsts = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a! : b!).nextSequence('sku', 5)));
    expect(new Set(firsts).size).toBe(20);
    expect(Math.max(...firsts)).toBe(11 + 19 * 5);
    expect(await b!.nextSequence('other', 1)).toBe(1);
  });

  it('migrations started by several processes at once apply once', async () => {
    const schema = await postgres.fresh();
    const stores = Array.from({ length: 3 }, () => new PostgresStateStore({ url: pgDb!.url, schema }));
    opened.push(...stores);
    await Promise.all(stores.map((s) => s.migrate()));
    const { rows } = await stores[0]!.pool.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM schema_version');
    expect(rows[0]!.n).toBe(PG_MIGRATIONS.length);
  });
});

describe('state: config section', () => {
  it('SQLite by default; a url selects PostgreSQL; contradictions are refused with the fix', async () => {
    const { stateConfigSchema } = await import('../../src/sync/config.js');
    expect(stateConfigSchema.parse({})).toMatchObject({ driver: 'sqlite', path: './data/ferry.db' });
    expect(stateConfigSchema.parse({ url: 'postgres://u:p@db:5432/ferry', schema: 'tenant_a' })).toMatchObject({ driver: 'postgres', schema: 'tenant_a' });
    expect(stateConfigSchema.parse({ url: 'postgresql://db/ferry', driver: 'postgres' }).driver).toBe('postgres');
    expect(() => stateConfigSchema.parse({ driver: 'postgres' })).toThrow(/needs state.url/);
    expect(() => stateConfigSchema.parse({ driver: 'sqlite', url: 'postgres://db/x' })).toThrow(/remove state.url/);
    expect(() => stateConfigSchema.parse({ url: 'mysql://db/x' })).toThrow(/PostgreSQL connection URL/);
    expect(() => stateConfigSchema.parse({ url: 'postgres://db/x', schema: 'Bad-Name' })).toThrow(/lower-case SQL identifier/);
  });

  it('an unreachable PostgreSQL state names the database, not the password, and the fix', async () => {
    const { openStateStore } = await import('../../src/sync/index.js');
    const { stateConfigSchema } = await import('../../src/sync/config.js');
    const open = openStateStore(stateConfigSchema.parse({ url: 'postgres://ferry:hunter2-secret@127.0.0.1:9/ferry' }));
    await expect(open).rejects.toThrow(/PostgreSQL state at 127\.0\.0\.1:9\/ferry \(schema public\) cannot be opened: .*ECONNREFUSED.*Check state\.url/);
    await open.catch((err: Error) => expect(err.message).not.toContain('hunter2'));
  });
});
