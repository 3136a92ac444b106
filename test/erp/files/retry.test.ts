import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dropFolder, readAll, source } from './helpers.js';

const BAD = Buffer.from([0xff, 0xfe]);

describe('files adapter: a file with rejects waits in retry/ until its keys succeed', () => {
  it('read rejects and keys the PIM refused keep the file in retry/; reads by key find them there; it moves to done/ once none waits', async () => {
    const dir = await dropFolder({
      'items.csv': Buffer.concat([Buffer.from('sku,name\nK-1,one\nK-2,t'), BAD, Buffer.from('wo\nK-3,three\nK-4,four\n')]),
    });

    // Run 1: K-2 is rejected while reading; the engine says K-2 and K-3 (refused by the PIM) wait.
    const run1 = source(dir);
    const r1 = await readAll(run1);
    expect(r1.records.map((r) => r.key)).toEqual(['K-1', 'K-3', 'K-4']);
    expect(r1.rejects.map((r) => r.key)).toEqual(['K-2']);
    run1.keepForRetry({ items: ['K-2', 'K-3'] });
    await run1.close();
    expect(existsSync(join(dir, 'items.csv'))).toBe(false);
    expect(existsSync(join(dir, 'retry', 'items.csv'))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'retry', 'items.csv.retry.json'), 'utf8'))).toEqual({ stream: 'items', keys: ['K-2', 'K-3'] });
    const report = JSON.parse(readFileSync(join(dir, 'retry', 'items.csv.report.json'), 'utf8')) as { status: string; retryKeys: string[] };
    expect(report).toMatchObject({ status: 'retry', retryKeys: ['K-2', 'K-3'] });
    expect(readFileSync(join(dir, 'retry', 'items.csv.report.txt'), 'utf8')).toMatch(/kept in the retry folder until these 2 keys succeed/);

    // Run 2: a new export fixes K-2. A full read does not re-read retry/ (its data is older);
    // the engine's retry read by key finds K-2 in the new file first and K-3 in retry/.
    await writeFile(join(dir, 'items-2.csv'), 'sku,name\nK-2,two fixed\n');
    const run2 = source(dir);
    const full = await readAll(run2);
    expect(full.records.map((r) => r.key)).toEqual(['K-2']);
    const byKey = await readAll(run2, 'items', { keys: ['K-2', 'K-3'] });
    expect(byKey.records.map((r) => [r.key, r.fields.name])).toEqual([
      ['K-2', 'two fixed'],
      ['K-3', 'three'],
    ]);
    // The old bad row is still bad; the engine keeps the first K-2 it read (the new one).
    expect(byKey.rejects.map((r) => r.key)).toEqual(['K-2']);
    // K-3 still refused: the file stays, with only K-3 left.
    run2.keepForRetry({ items: ['K-3'] });
    await run2.close();
    expect(existsSync(join(dir, 'retry', 'items.csv'))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'retry', 'items.csv.retry.json'), 'utf8'))).toEqual({ stream: 'items', keys: ['K-3'] });
    expect(existsSync(join(dir, 'done', 'items-2.csv'))).toBe(true);
    expect(String((await source(dir, {}, { readOnly: true }).check()).details['files kept for retry'])).toMatch(/^1 in .*retry/);

    // Run 3: nothing waits any more: the file moves on to done/ with its reports.
    const run3 = source(dir);
    await readAll(run3);
    run3.keepForRetry({ items: [] });
    await run3.close();
    expect(readdirSync(join(dir, 'retry'))).toEqual([]);
    expect(existsSync(join(dir, 'done', 'items.csv'))).toBe(true);
    expect(existsSync(join(dir, 'done', 'items.csv.report.json'))).toBe(true);
  });

  it('without word from the engine (no retry queue) files move to done/ as read; keys without a readable key never wait', async () => {
    const content = Buffer.concat([Buffer.from('sku,name\nK-1,one\nK-2,t'), BAD, Buffer.from('\n,no key\n')]);
    const dir = await dropFolder({ 'items.csv': content });
    const src = source(dir);
    await readAll(src);
    await src.close();
    expect(existsSync(join(dir, 'done', 'items.csv'))).toBe(true);

    const dir2 = await dropFolder({ 'items.csv': content });
    const src2 = source(dir2);
    const { rejects } = await readAll(src2);
    expect(rejects.map((r) => r.key)).toEqual(['K-2', undefined]);
    src2.keepForRetry({ items: ['K-2', 'items.csv:4'] });
    await src2.close();
    expect(JSON.parse(readFileSync(join(dir2, 'retry', 'items.csv.retry.json'), 'utf8'))).toEqual({ stream: 'items', keys: ['K-2'] });
  });

  it('a read-only source or moveAfterRead: false never moves to retry/', async () => {
    const dir = await dropFolder({ 'items.csv': Buffer.concat([Buffer.from('sku,name\nK-2,t'), BAD, Buffer.from('\n')]) });
    const ro = source(dir, {}, { readOnly: true });
    await readAll(ro);
    ro.keepForRetry({ items: ['K-2'] });
    await ro.close();
    const still = source(dir, { moveAfterRead: false });
    await readAll(still);
    still.keepForRetry({ items: ['K-2'] });
    await still.close();
    expect(existsSync(join(dir, 'items.csv'))).toBe(true);
    expect(existsSync(join(dir, 'retry'))).toBe(false);
  });
});
