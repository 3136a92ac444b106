import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeRunReports } from '../../src/sync/merge-reports.js';
import { emptyCounts, type RunReport } from '../../src/sync/report.js';
import { planShards, type ItemGroup } from '../../src/sync/shards.js';

/** Groups with distinct item keys: g<i> holds items g<i>-<j>. */
const groupsArb = fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 60 }).map((sizes) =>
  sizes.map((n, i): ItemGroup => ({ key: `g${i}`, items: Array.from({ length: n }, (_, j) => `g${i}-${j}`) })),
);

describe('planShards', () => {
  it('keeps every group whole, in one shard, and every item exactly once', () => {
    fc.assert(
      fc.property(groupsArb, fc.integer({ min: 1, max: 30 }), (groups, max) => {
        const shards = planShards(groups, max);
        const shardOf = new Map<string, number>();
        shards.forEach((s, i) => s.forEach((k) => {
          expect(shardOf.has(k)).toBe(false);
          shardOf.set(k, i);
        }));
        for (const g of groups) {
          const where = new Set(g.items.map((k) => shardOf.get(k)));
          if (g.items.length > 0) expect(where.size).toBe(1);
        }
        expect(shardOf.size).toBe(groups.reduce((n, g) => n + g.items.length, 0));
        // A shard past the size is one group alone (a group bigger than the size is never cut).
        for (const s of shards) if (s.length > max) expect(groups.some((g) => g.items.length === s.length && g.items[0] === s[0])).toBe(true);
        // No empty shard.
        for (const s of shards) expect(s.length).toBeGreaterThan(0);
      }),
    );
  });

  it('starts with quarter-size shards, fills them up to the size while much is left, then cuts the tail smaller, down to a fifth of the size', () => {
    const singles = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `g${i}`, items: [`i${i}`] }));
    // 100 items of size 10: six first shards of 3 (a quarter, rounded up), full ones while six
    // shards' worth is left, then a sixth of what is left, at least 2 (a fifth).
    const sizes = planShards(singles(100), 10).map((s) => s.length);
    expect(sizes.slice(0, 7)).toEqual([3, 3, 3, 3, 3, 3, 10]);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(100);
    for (let i = 7; i < sizes.length; i++) expect(sizes[i]).toBeLessThanOrEqual(sizes[i - 1]!);
    expect(sizes.slice(-4)).toEqual([2, 2, 2, 2]);
    // A big catalog: six shards of 1,250, then 5,000-item shards, the last ones of 1,000.
    const big = planShards(singles(100_000), 5000).map((s) => s.length);
    expect(big.slice(0, 7)).toEqual([1250, 1250, 1250, 1250, 1250, 1250, 5000]);
    expect(big.filter((n) => n === 5000).length).toBeGreaterThanOrEqual(12);
    expect(big.slice(-5, -1)).toEqual([1000, 1000, 1000, 1000]);
    expect(big[big.length - 1]).toBeLessThanOrEqual(1000);
    expect(big.length).toBeLessThan(40);
  });

  it('never cuts a group, however small the first and last shards', () => {
    const groups = [3, 3, 3, 1, 5].map((n, i) => ({ key: `g${i}`, items: Array.from({ length: n }, (_, j) => `${i}.${j}`) }));
    expect(planShards(groups, 6).map((s) => s.length)).toEqual([3, 3, 3, 1, 5]);
    // A shard of at least a fifth of the size: all 15 items in one.
    expect(planShards(groups, 100).map((s) => s.length)).toEqual([15]);
  });

  it('refuses a size that is not a positive whole number', () => {
    expect(() => planShards([], 0)).toThrow(/positive whole number/);
  });
});

function part(status: RunReport['status'], created: number, unchanged: number, extra: Partial<RunReport> = {}): RunReport {
  const counts = { ...emptyCounts(), read: created + unchanged, created, unchanged };
  return {
    runId: 7, mode: 'keys', status, dryRun: false, startedAt: '2026-01-01T00:00:00.000Z', finishedAt: '2026-01-01T00:00:01.000Z', durationMs: 1000,
    counts, byType: { category: emptyCounts(), product_model: emptyCounts(), product: { ...counts } },
    requests: { total: 3, writes: 2, retried: 0, throttled: 1 }, batches: { product: 2 }, rejects: [], warnings: [], warningsTotal: 0,
    deletions: { policy: 'disable', gone: 0, applied: 0, failed: 0 }, watermarks: { before: {}, after: {} }, ...extra,
  };
}

describe('mergeRunReports', () => {
  const facts = { runId: 7, mode: 'full' as const, startedAt: '2026-01-01T00:00:00.000Z', watermarks: { before: { items: null }, after: { items: '2026-01-01T00:00:00.000Z' } } };

  it('sums the parts into one report of the parent run, counts adding up', () => {
    const merged = mergeRunReports([part('succeeded', 2, 1), part('succeeded', 0, 4, { batches: { product: 1, category: 1 } })], facts, new Date('2026-01-01T00:00:05.000Z'));
    expect(merged).toMatchObject({ runId: 7, mode: 'full', status: 'succeeded', durationMs: 5000 });
    expect(merged.counts).toMatchObject({ read: 7, created: 2, unchanged: 5 });
    expect(merged.byType.product.read).toBe(7);
    expect(merged.requests).toEqual({ total: 6, writes: 4, retried: 0, throttled: 2 });
    expect(merged.batches).toEqual({ product: 3, category: 1 });
    expect(merged.watermarks).toEqual(facts.watermarks);
    expect(merged.error).toBeUndefined();
  });

  it('takes the worst status and keeps each part\'s error', () => {
    expect(mergeRunReports([part('succeeded', 1, 0), part('rejects', 1, 0)], facts).status).toBe('rejects');
    const failed = mergeRunReports([part('rejects', 1, 0), part('failed', 0, 0, { error: 'PIM gone' })], facts);
    expect(failed.status).toBe('failed');
    expect(failed.error).toBe('PIM gone');
  });
});
