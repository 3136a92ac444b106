/** The sandbox's request accounting (GET /_sandbox/stats) that the benchmarks read. */
import { describe, expect, it } from 'vitest';
import { StatsCollector } from '../../src/sandbox/stats.js';

const snapshot = (s: StatsCollector) => s.snapshot({ products: 0, productModels: 0, mediaFiles: 0 });

describe('sandbox stats', () => {
  it('busy time second by second: a call is spread over the seconds it covered', () => {
    const s = new StatsCollector();
    s.admitted('a', false, 1_000);
    s.admitted('a', false, 1_500);
    // 1,000 → 1,400 ms: second 0. 1,500 → 3,200 ms: 500 ms of second 0, all of second 1, 200 ms of second 2.
    s.busy(400, 1_400);
    s.busy(1_700, 3_200);
    const stats = snapshot(s);
    expect(stats.busyPerSecond).toEqual([0.9, 1, 0.2]);
    expect(stats.busySeconds).toBe(2.1);
    s.reset();
    expect(snapshot(s).busyPerSecond).toEqual([]);
  });

  it('lines of collection calls answered 200, per route', () => {
    const s = new StatsCollector();
    s.record('PATCH /api/rest/v1/products', 200, 100);
    s.record('PATCH /api/rest/v1/products', 200, 40);
    s.record('PATCH /api/rest/v1/products', 413, 101);
    s.record('GET /api/rest/v1/products', 200);
    expect(snapshot(s).lines).toEqual({ 'PATCH /api/rest/v1/products': 140 });
  });
});
