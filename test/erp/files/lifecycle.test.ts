import { describe, expect, it } from 'vitest';
import { readdir, readFile, stat, utimes, writeFile, appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { dropFolder, readAll, source } from './helpers.js';

const ITEMS = 'sku,qty\nA,1\nB,x\nC,3\n';

describe('files adapter: moving files after the run', () => {
  it('moves nothing before commit/close; then done/ with JSON and text reports (rejects included)', async () => {
    const dir = await dropFolder({ 'items-1.csv': ITEMS, 'items-2.json': '{"broken": ', 'items-3.csv': '', 'notes.txt': 'not for us' });
    const src = source(dir, { streams: { items: { fields: { qty: { type: 'integer' } } } } });
    const { records, rejects } = await readAll(src);
    expect(records.map((r) => r.key)).toEqual(['A', 'C']);
    expect(rejects.map((r) => r.location)).toEqual(['items-1.csv:3:2', 'items-2.json', 'items-3.csv']);
    expect(rejects[2]!.message).toMatch(/items-3\.csv is empty \(0 bytes\)/);
    // Consumed, but the run is not over: everything still waits.
    expect((await readdir(dir)).sort()).toEqual(['items-1.csv', 'items-2.json', 'items-3.csv', 'notes.txt']);
    await src.close();
    expect((await readdir(dir)).sort()).toEqual(['done', 'failed', 'notes.txt']);
    expect((await readdir(join(dir, 'done'))).sort()).toEqual(['items-1.csv', 'items-1.csv.report.json', 'items-1.csv.report.txt']);
    expect((await readdir(join(dir, 'failed'))).sort()).toEqual([
      'items-2.json',
      'items-2.json.report.json',
      'items-2.json.report.txt',
      'items-3.csv',
      'items-3.csv.report.json',
      'items-3.csv.report.txt',
    ]);
    const report = JSON.parse(await readFile(join(dir, 'done', 'items-1.csv.report.json'), 'utf8'));
    expect(report).toMatchObject({ file: 'items-1.csv', status: 'done', rows: 3, records: 2, rejected: 1, skipped: 0 });
    expect(report.rejects[0]).toMatchObject({ location: 'items-1.csv:3:2', key: 'B', field: 'qty', raw: 'B,x\n' });
    expect(await readFile(join(dir, 'done', 'items-1.csv.report.txt'), 'utf8')).toMatch(/items-1\.csv:3:2 \[B\]: .*"x" is not a number/);
    const failed = JSON.parse(await readFile(join(dir, 'failed', 'items-2.json.report.json'), 'utf8'));
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/the top level is not an array of records|ends before the JSON is complete/);
    expect(await readFile(join(dir, 'done', 'items-1.csv'), 'utf8')).toBe(ITEMS);
  });

  it('a crash mid-run (no close), an abandoned run, a limited read and a read-only source leave every file in place', async () => {
    const dir = await dropFolder({ 'items.csv': ITEMS });
    const crashed = source(dir);
    for await (const r of crashed.read('items')) {
      void r;
      break; // the consumer stops half-way: the file was not fully read
    }
    await crashed.close();
    expect(await readdir(dir)).toEqual(['items.csv']);

    const abandoned = source(dir);
    await readAll(abandoned);
    abandoned.abandon();
    await abandoned.close();
    expect(await readdir(dir)).toEqual(['items.csv']);

    const limited = source(dir);
    expect((await readAll(limited, 'items', { limit: 10 })).records).toHaveLength(3);
    await limited.close();
    expect(await readdir(dir)).toEqual(['items.csv']);

    const readOnly = source(dir, {}, { readOnly: true });
    await readAll(readOnly);
    await readOnly.close();
    const noMove = source(dir, { moveAfterRead: false });
    await readAll(noMove);
    await noMove.close();
    const noCommitOnClose = source(dir, {}, { commitOnClose: false });
    await readAll(noCommitOnClose);
    await noCommitOnClose.close();
    expect(await readdir(dir)).toEqual(['items.csv']);

    const committed = source(dir);
    await readAll(committed);
    const outcomes = await committed.commit();
    expect(outcomes).toEqual([{ file: 'items.csv', movedTo: join(dir, 'done', 'items.csv') }]);
  });

  it('leaves a file that changed while being read, and never overwrites an earlier done/ file of the same name', async () => {
    const dir = await dropFolder({ 'items.csv': ITEMS });
    const first = source(dir);
    await readAll(first);
    await first.close();
    await writeFile(join(dir, 'items.csv'), 'sku\nZ\n');
    const second = source(dir);
    await readAll(second);
    await second.close();
    const done = (await readdir(join(dir, 'done'))).filter((n) => !n.includes('.report.'));
    expect(done).toHaveLength(2);
    expect(done).toContain('items.csv');

    await writeFile(join(dir, 'items.csv'), 'sku\nY\n');
    const third = source(dir);
    await readAll(third);
    await appendFile(join(dir, 'items.csv'), 'W\n');
    const outcomes = await third.commit();
    expect(outcomes[0]!.movedTo).toBeNull();
    expect(outcomes[0]!.reason).toMatch(/changed while it was being read/);
    expect(await readFile(join(dir, 'items.csv'), 'utf8')).toBe('sku\nY\nW\n');
  });

  it('reads files oldest first and skips files younger than minAgeSeconds', async () => {
    const dir = await dropFolder({ 'items-b.csv': 'sku\nB\n', 'items-a.csv': 'sku\nA\n', 'items-c.csv': 'sku\nC\n' });
    const old = new Date(Date.now() - 3600_000);
    await utimes(join(dir, 'items-b.csv'), old, old);
    await utimes(join(dir, 'items-a.csv'), new Date(old.getTime() + 1000), new Date(old.getTime() + 1000));
    const src = source(dir, { minAgeSeconds: 60 });
    expect((await readAll(src)).records.map((r) => r.key)).toEqual(['B', 'A']);
    expect((await stat(join(dir, 'items-c.csv'))).isFile()).toBe(true);
  });
});

describe('files adapter: since', () => {
  it('with files moving away, since never skips a waiting file (a late file with old dates is still read)', async () => {
    const dir = await dropFolder({ 'items.csv': 'sku,updated\nOLD,2020-01-01T00:00:00Z\nNEW,2030-01-01T00:00:00Z\n' });
    const src = source(dir, { streams: { items: { updatedAt: 'updated' } } });
    const { records } = await readAll(src, 'items', { since: '2025-01-01T00:00:00Z' });
    expect(records.map((r) => r.key)).toEqual(['OLD', 'NEW']);
  });

  it('with files in place, since filters by the updated-at column (inclusive, skew margin) and includes items of changed groups', async () => {
    const dir = await dropFolder({
      'items.csv': [
        'sku,model,updated',
        'I1,M1,2024-01-01T00:00:00Z',
        'I2,M2,2024-01-01T00:00:00Z',
        'I3,M2,2024-06-01T12:00:00Z',
        'I4,,2024-06-01T11:59:30Z',
        'I5,,2024-06-01T11:58:00Z',
      ].join('\n'),
      'groups.csv': 'model,updated\nM1,2024-07-01T00:00:00Z\nM2,2023-01-01T00:00:00Z\n',
    });
    const src = source(dir, {
      moveAfterRead: false,
      skewSeconds: 60,
      streams: { items: { group: 'model', updatedAt: 'updated' }, groups: { key: 'model', updatedAt: 'updated' } },
    });
    const { records } = await readAll(src, 'items', { since: '2024-06-01T12:00:00Z' });
    expect(records.map((r) => r.key)).toEqual(['I1', 'I3', 'I4']);
    expect(src.stats().files.find((f) => f.file === 'items.csv')!.skipped).toBe(2);
    const groups = await readAll(src, 'groups', { since: '2024-06-01T12:00:00Z' });
    expect(groups.records.map((r) => r.key)).toEqual(['M1']);
  });

  it('without an updated-at column, records carry the file time and since compares it', async () => {
    const dir = await dropFolder({ 'items-old.csv': 'sku\nA\n', 'items-new.csv': 'sku\nB\n' });
    const old = new Date('2020-01-01T00:00:00Z');
    await utimes(join(dir, 'items-old.csv'), old, old);
    const src = source(dir, { moveAfterRead: false });
    const all = await readAll(src);
    expect(all.records.find((r) => r.key === 'A')!.updatedAt).toBe('2020-01-01T00:00:00.000Z');
    const { records } = await readAll(src, 'items', { since: '2024-01-01T00:00:00Z' });
    expect(records.map((r) => r.key)).toEqual(['B']);
  });
});

describe('files adapter: read options', () => {
  it('refuses a since that is not a date, and an unconfigured stream, naming the fix', async () => {
    const dir = await dropFolder({ 'items.csv': 'sku\nA\n' });
    const src = source(dir, { streams: { items: {} } });
    await expect(readAll(src, 'items', { since: 'yesterday' })).rejects.toThrow(/since "yesterday" is not an ISO-8601 date-time/);
    await expect(readAll(src, 'groups')).rejects.toThrow(/no stream "groups"; configure erp\.streams\.groups/);
    expect(src.streams).toEqual(['items']);
  });

  it('stops between files and within a file when the signal aborts, moving nothing', async () => {
    const dir = await dropFolder({ 'items-1.csv': 'sku\nA\nB\n', 'items-2.csv': 'sku\nC\n' });
    const src = source(dir);
    const ac = new AbortController();
    const seen: string[] = [];
    for await (const r of src.read('items', { signal: ac.signal })) {
      seen.push(r.key);
      ac.abort();
    }
    expect(seen).toEqual(['A']);
    await src.close();
    expect((await readdir(dir)).sort()).toEqual(['items-1.csv', 'items-2.csv']);
  });
});
