/**
 * describe() samples the newest file of a stream that can be read: a broken file dropped last
 * (every read reports it) does not hide the fields of the others, and bootstrap goes on. Which
 * file is newest no longer depends on two files written in the same millisecond.
 */
import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dropFolder, source } from './helpers.js';

const config = { streams: { items: { key: 'sku', group: 'model', pattern: 'items*' } } };

describe('files adapter: describe', () => {
  it('a broken spreadsheet dropped last: the fields come from the newest readable file', async () => {
    const dir = await dropFolder({ 'items.csv': 'sku,model,name,color\nA-1,M1,Shirt,red\n', 'items-broken.xlsx': 'this is not a zip file' });
    await utimes(join(dir, 'items.csv'), new Date('2026-01-01T10:00:00Z'), new Date('2026-01-01T10:00:00Z'));
    await utimes(join(dir, 'items-broken.xlsx'), new Date('2026-01-02T10:00:00Z'), new Date('2026-01-02T10:00:00Z'));
    const [items] = await source(dir, config, { readOnly: true }).describe();
    expect(items!.fields.map((f) => f.name)).toEqual(expect.arrayContaining(['name', 'color']));
  });

  it('no readable file: the newest one names the problem', async () => {
    const dir = await dropFolder({ 'items-a.xlsx': 'not a zip', 'items-b.xlsx': 'not a zip either' });
    await utimes(join(dir, 'items-a.xlsx'), new Date('2026-01-01T10:00:00Z'), new Date('2026-01-01T10:00:00Z'));
    await utimes(join(dir, 'items-b.xlsx'), new Date('2026-01-02T10:00:00Z'), new Date('2026-01-02T10:00:00Z'));
    await expect(source(dir, config, { readOnly: true }).describe()).rejects.toThrow(/cannot describe items from items-b\.xlsx: items-b\.xlsx is not a readable XLSX workbook/);
  });
});
