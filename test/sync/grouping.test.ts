import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { ErpRecord } from '../../src/erp/port.js';
import { GroupingIndex } from '../../src/sync/grouping.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), 'ferry-grouping-test-'));
  dirs.push(d);
  return d;
}

const item = (key: string, group?: string, n = 0): ErpRecord => ({
  stream: 'items',
  key,
  updatedAt: '2026-01-01T00:00:00Z',
  ...(group ? { group } : {}),
  fields: { name: { kind: 'localized', values: { en: `Item ${key}`, fr: `Article ${key} é` } }, n },
});

function drain(index: GroupingIndex, size = 3): [string, string[]][] {
  const out: [string, string[]][] = [];
  for (const chunk of index.chunks(size)) {
    expect(chunk.length).toBeLessThanOrEqual(size);
    for (const [g, recs] of chunk) out.push([g, recs.map((r) => r.key)]);
  }
  return out;
}

describe('GroupingIndex', () => {
  it('groups items by group key in first-seen order, items without a group alone, duplicates refused', () => {
    const index = new GroupingIndex();
    expect(index.add(item('a1', 'A'))).toBe(true);
    expect(index.add(item('b1', 'B'))).toBe(true);
    expect(index.add(item('solo'))).toBe(true);
    expect(index.add(item('a2', 'A'))).toBe(true);
    expect(index.add(item('a1', 'A'))).toBe(false);
    expect(index.size).toBe(4);
    expect(index.groupKeys()).toEqual(['A', 'B']);
    const groups = drain(index);
    expect(groups.map(([g, keys]) => [GroupingIndex.isSolo(g) ? '(solo)' : g, keys])).toEqual([
      ['A', ['a1', 'a2']],
      ['B', ['b1']],
      ['(solo)', ['solo']],
    ]);
  });

  it('spills to a temporary SQLite file past the threshold, gives back the same groups and records, then removes the file', () => {
    const dir = scratch();
    const index = new GroupingIndex({ spillAfter: 5, dir });
    const records: ErpRecord[] = [];
    for (let i = 0; i < 40; i++) records.push(item(`k${i}`, i % 7 === 3 ? undefined : `G${i % 6}`, i));
    for (const r of records) index.add(r);
    expect(index.spilled).toBe(true);
    expect(readdirSync(dir).length).toBe(1);
    const back: ErpRecord[] = [];
    for (const chunk of index.chunks(4)) for (const [, recs] of chunk) back.push(...recs);
    expect(back.length).toBe(40);
    // Same records, byte for byte once serialised (accents included).
    expect(new Set(back.map((r) => JSON.stringify(r)))).toEqual(new Set(records.map((r) => JSON.stringify(r))));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('in memory or spilled, the groups come back identical (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined })), { maxLength: 60 }), (spec) => {
        const recs = spec.map(([k, g]) => item(`i${k}`, g === undefined ? undefined : `g${g}`));
        const inMemory = new GroupingIndex({ spillAfter: 1_000 });
        const spilled = new GroupingIndex({ spillAfter: 2, dir: scratch() });
        for (const r of recs) {
          expect(inMemory.add(r)).toBe(spilled.add(r));
        }
        expect(spilled.groupKeys()).toEqual(inMemory.groupKeys());
        expect(drain(spilled, 4)).toEqual(drain(inMemory, 4));
      }),
      { numRuns: 60 },
    );
  });

  it('keys only (a queued run\'s plan): the same groups and keys, records reduced to key and group, in memory where whole records spill', () => {
    const dir = scratch();
    const whole = new GroupingIndex({ dir });
    const keysOnly = new GroupingIndex({ keysOnly: true, dir });
    for (let i = 0; i < 25_000; i++) {
      const r = item(`k${i}`, i % 5 === 0 ? undefined : `G${Math.floor(i / 5)}`, i);
      whole.add(r);
      keysOnly.add(r);
    }
    expect(whole.spilled).toBe(true);
    expect(keysOnly.spilled).toBe(false);
    const stubs: ErpRecord[] = [];
    for (const chunk of keysOnly.chunks(1000)) for (const [, recs] of chunk) stubs.push(...recs);
    expect(stubs[1]).toEqual({ stream: 'items', key: 'k1', group: 'G0' });
    expect(stubs[0]).toEqual({ stream: 'items', key: 'k0' });
    const wholeGroups = drain(whole, 1000);
    const fresh = new GroupingIndex({ keysOnly: true });
    for (const r of stubs) fresh.add(r);
    expect(drain(fresh, 1000)).toEqual(wholeGroups);
  });

  it('close() removes the file of an index that was never read back', () => {
    const dir = scratch();
    const index = new GroupingIndex({ spillAfter: 1, dir });
    index.add(item('a', 'A'));
    index.add(item('b', 'A'));
    expect(readdirSync(dir).length).toBe(1);
    index.close();
    index.close();
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(dir)).toBe(true);
  });
});
