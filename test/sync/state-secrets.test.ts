/** The state DB holds no raw credential: owner-only file, signed URLs kept as hash + redacted form, scrubbed reports. */
import { existsSync, readFileSync, statSync, writeFileSync, chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { registerSecrets } from '../../src/logging.js';
import type { ErpRecord } from '../../src/erp/port.js';
import { MediaRefusedError, mediaLookup, mediaReader, mediaSourceKey } from '../../src/sync/media-source.js';
import { MIGRATIONS, SqliteStateStore, openSqliteStateStore } from '../../src/sync/state/sqlite.js';

const tempDb = () => join(mkdtempSync(join(tmpdir(), 'ferry-state-secrets-')), 'ferry.db');
const SIGNED = 'https://cdn.example/p.png?X-Amz-Signature=sig-abc-123&X-Amz-Credential=AKIAXYZ&w=400';
const PRIVATE = 'https://bob:hunter2-pw@cdn.example/q.png';

describe('state DB secrets', () => {
  it('is created owner-only (0600), and an existing file is tightened', async () => {
    const path = tempDb();
    const s = await openSqliteStateStore(path);
    await s.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const other = tempDb();
    writeFileSync(other, '');
    chmodSync(other, 0o644);
    await (await openSqliteStateStore(other)).close();
    expect(statSync(other).mode & 0o777).toBe(0o600);
  });

  it('keeps a signed or private URL as a hash key and its redacted form; the next run still knows it', async () => {
    const path = tempDb();
    const s = await openSqliteStateStore(path);
    await s.saveMedia({ contentHash: 'h1', code: 'a/b/p.png', source: SIGNED, etag: '"e"' });
    await s.saveMedia({ contentHash: 'h2', code: 'a/b/q.png', source: PRIVATE });
    await s.saveMedia({ contentHash: 'h3', code: 'a/b/r.png', source: 'https://cdn.example/r.png' });
    const known = await s.listMediaBySource();
    expect(mediaLookup(known, undefined, 'trust')(SIGNED)).toBe('a/b/p.png');
    expect(mediaLookup(known, undefined, 'trust')(PRIVATE)).toBe('a/b/q.png');
    expect(known.get('https://cdn.example/r.png')?.code).toBe('a/b/r.png'); // a plain URL stays as it is
    const shown = s.db.prepare('SELECT shown FROM media_sources WHERE shown IS NOT NULL ORDER BY shown').all();
    expect(shown).toEqual([{ shown: 'https://[redacted]@cdn.example/q.png' }, { shown: 'https://cdn.example/p.png?X-Amz-Signature=[redacted]&X-Amz-Credential=[redacted]&w=400' }]);
    await s.close();
    const bytes = [path, `${path}-wal`].filter(existsSync).map((p) => readFileSync(p).toString('latin1')).join('');
    for (const secret of ['sig-abc-123', 'AKIAXYZ', 'hunter2-pw']) expect(bytes).not.toContain(secret);
  });

  it('migration v7 rewrites the raw signed URLs an earlier version stored', async () => {
    const path = tempDb();
    const old = new SqliteStateStore(path);
    old.db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)');
    for (let v = 0; v < 3; v++) old.db.exec(MIGRATIONS[v] as string);
    old.db.prepare('INSERT INTO schema_version (version) VALUES (3)').run();
    old.db.prepare("INSERT INTO media (content_hash, code, source, created_at) VALUES ('h1', 'a/b/p.png', ?, '2026-01-01')").run(SIGNED);
    old.db.prepare("INSERT INTO media_sources (source, content_hash, seen_at, etag) VALUES (?, 'h1', '2026-01-01', '\"e\"')").run(SIGNED);
    old.db.prepare("INSERT INTO media (content_hash, code, source, created_at) VALUES ('h2', 'a/b/x.png', 'img/x.png', '2026-01-01')").run();
    old.db.prepare("INSERT INTO media_sources (source, content_hash, seen_at) VALUES ('img/x.png', 'h2', '2026-01-01')").run();
    await old.migrate();
    const known = await old.listMediaBySource();
    expect(mediaLookup(known, undefined, 'trust')(SIGNED)).toBe('a/b/p.png');
    expect(known.get('img/x.png')?.code).toBe('a/b/x.png');
    const dump = JSON.stringify([old.db.prepare('SELECT * FROM media').all(), old.db.prepare('SELECT * FROM media_sources').all()]);
    expect(dump).not.toContain('sig-abc-123');
    expect(dump).not.toContain('AKIAXYZ');
    await old.close();
    // Nor in the file's free pages (secure_delete): the rewritten rows are gone for good.
    const bytes = [path, `${path}-wal`].filter(existsSync).map((p) => readFileSync(p).toString('latin1')).join('');
    expect(bytes).not.toContain('sig-abc-123');
  });

  it('raw records kept for group re-mapping hold a signed URL only as its hash key; re-mapping still finds its media', async () => {
    const path = tempDb();
    const s = await openSqliteStateStore(path);
    const record = {
      stream: 'items',
      key: 'SKU-1',
      updatedAt: null,
      group: 'G-1',
      fields: { image: SIGNED, gallery: [PRIVATE, 'https://cdn.example/plain.png'], title: 'A shirt', local: 'img/a.png', price: { kind: 'decimal', value: '12.50' } },
    } as unknown as ErpRecord;
    await s.saveGroupMembers([{ stream: 'items', key: 'SKU-1', groupKey: 'G-1', record }]);
    await s.saveMedia({ contentHash: 'h1', code: 'a/b/p.png', source: SIGNED, etag: '"e"' });
    const [member] = await s.getGroupMembers(['G-1']);
    const fields = (member!.record as unknown as { fields: Record<string, unknown> }).fields;
    // What re-mapping needs stays: the same key the media store knows the URL by, plain values untouched.
    expect(fields).toEqual({ image: mediaSourceKey(SIGNED), gallery: [mediaSourceKey(PRIVATE), 'https://cdn.example/plain.png'], title: 'A shirt', local: 'img/a.png', price: { kind: 'decimal', value: '12.50' } });
    const known = await s.listMediaBySource();
    expect(mediaLookup(known, undefined, 'revalidate')(fields.image as string)).toBe('a/b/p.png');
    // A media never uploaded cannot be fetched from the copy: a clear refusal, not a request to nowhere.
    expect(mediaLookup(known, undefined, 'revalidate')((fields.gallery as string[])[0]!)).toBeUndefined();
    await expect(mediaReader(undefined, known)((fields.gallery as string[])[0]!)).rejects.toThrow(MediaRefusedError);
    await expect(mediaReader(undefined, known)((fields.gallery as string[])[0]!)).rejects.toThrow(/only a hash of its signed URL/);
    await s.close();
    const bytes = [path, `${path}-wal`].filter(existsSync).map((p) => readFileSync(p).toString('latin1')).join('');
    for (const secret of ['sig-abc-123', 'AKIAXYZ', 'hunter2-pw']) expect(bytes).not.toContain(secret);
  });

  it('migration v8 rewrites the raw signed URLs earlier versions kept in group_members', async () => {
    const path = tempDb();
    const old = new SqliteStateStore(path);
    old.db.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)');
    for (let v = 0; v < 7; v++) {
      const step = MIGRATIONS[v]!;
      if (typeof step === 'string') old.db.exec(step);
      else step(old.db);
    }
    old.db.prepare('INSERT INTO schema_version (version) VALUES (7)').run();
    const raw = JSON.stringify({ stream: 'items', key: 'SKU-1', updatedAt: null, fields: { image: SIGNED, title: 'A shirt' } });
    old.db.prepare("INSERT INTO group_members (stream, erp_key, group_key, record) VALUES ('items', 'SKU-1', 'G-1', ?)").run(raw);
    await old.migrate();
    const [member] = await old.getGroupMembers(['G-1']);
    expect((member!.record as unknown as { fields: unknown }).fields).toEqual({ image: mediaSourceKey(SIGNED), title: 'A shirt' });
    await old.close();
    const bytes = [path, `${path}-wal`].filter(existsSync).map((p) => readFileSync(p).toString('latin1')).join('');
    expect(bytes).not.toContain('sig-abc-123');
  });

  it('run reports, rejects and run records lose the known secrets', async () => {
    registerSecrets(['echoed-secret-5150']);
    const s = await openSqliteStateStore(tempDb());
    const runId = await s.startRun('full', { note: 'echoed-secret-5150' });
    await s.addRejects([{ runId, stream: 'items', key: 'K', entityType: 'product', label: 'K', message: 'page said echoed-secret-5150', fix: null, payload: { v: 'echoed-secret-5150' }, errors: [{ message: 'echoed-secret-5150' }] }]);
    await s.recordOutcomes(runId, [{ stream: 'items', key: 'K', entityType: 'product', outcome: 'rejected', reason: 'echoed-secret-5150' }]);
    await s.finishRun(runId, 'failed', { error: 'https://u:pw-77@x.example echoed-secret-5150' });
    const dump = JSON.stringify(['runs', 'rejects', 'run_records'].map((t) => s.db.prepare(`SELECT * FROM ${t}`).all()));
    expect(dump).not.toContain('echoed-secret-5150');
    expect(dump).not.toContain('pw-77');
    await s.close();
  });
});
