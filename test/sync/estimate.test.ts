/** The first-import estimate's calculation, with known inputs (src/sync/estimate.ts). */
import { describe, expect, it } from 'vitest';
import { estimateImport, estimateLine, estimateMemoryMb, formatSeconds, slotsFor, type EstimateInput } from '../../src/sync/estimate.js';

const saas = { connections: 1, concurrency: 4, instanceConcurrency: 10, instanceShare: 1, requestsPerSecond: 100, optionWritesPerSecond: 3 };
const base: EstimateInput = {
  catalog: { items: 100_000, groups: 10_000, categoriesPerLevel: [5, 50, 500], optionsPerAttribute: [], groupedShare: 0.9, subModelsPerGroup: 0, mediaPerItem: 0 },
  limits: saas,
  latency: { roundTripMs: 200, perLineMs: 2, perMediaMs: 150 },
};

describe('estimateImport', () => {
  it('counts the requests the applier makes: ≤100-line batches and a few partial ones, categories by level, a setup part', () => {
    const e = estimateImport(base);
    expect(e.requests.products).toBe(1000 + 2); // full batches + the last partial one and one at a phase change
    expect(e.requests.productModels).toBe(100 + 2); // no sub-models
    expect(e.requests.categories).toBe(1 + 1 + 5); // each level once its parents are in: 5 roots in one batch, 50 children in one, 500 in 5
    expect(e.requests.setup).toBe(13);
    expect(e.requests.total).toBe(1002 + 102 + 7 + 13);
    // Never more batches than lines.
    expect(estimateImport({ ...base, catalog: { ...base.catalog, items: 3, groups: 2 } }).requests).toMatchObject({ products: 3, productModels: 2 });
    expect(e.entities).toEqual({ products: 100_000, productModels: 10_000, categories: 555, options: 0, media: 0 });
  });

  it('one connection: 4 slots, each a batch per 200 ms + 100 × 2 ms; bound by the connection', () => {
    const e = estimateImport(base);
    expect(e.slots).toBe(4);
    const batches = 1002 + 102 + 7;
    const busy = (batches * 200 + (100_000 + 10_000 + 555) * 2) / 1000;
    const ceiling = busy / 4 + (13 * 200) / 1000;
    expect(e.durationSeconds.best).toBe(Math.round(ceiling / 0.95));
    expect(e.durationSeconds.likely).toBe(Math.round(ceiling / 0.6));
    expect(e.bottleneck).toBe('connection-concurrency');
    expect(e.advice.join('\n')).toMatch(/Add a second Akeneo connection \(pim\.connections\): ~2\.0× faster/);
  });

  it('three connections hit the instance (10 slots), or its share', () => {
    expect(slotsFor({ ...saas, connections: 3 })).toBe(10);
    expect(slotsFor({ ...saas, connections: 3, instanceShare: 0.5 })).toBe(5);
    const e = estimateImport({ ...base, limits: { ...saas, connections: 3, instanceShare: 0.5 } });
    expect(e.bottleneck).toBe('instance-concurrency');
    expect(e.advice.join('\n')).toMatch(/uses 50% of the instance/);
    const one = estimateImport(base).durationSeconds.best;
    const three = estimateImport({ ...base, limits: { ...saas, connections: 3 } }).durationSeconds.best;
    expect(one / three).toBeGreaterThan(2.3);
    expect(one / three).toBeLessThan(2.6);
  });

  it('option writes at 3/s: 240 attributes of 100 options take 80 s first and name the bottleneck', () => {
    const e = estimateImport({ ...base, catalog: { ...base.catalog, items: 1000, groups: 0, optionsPerAttribute: Array(240).fill(100) } });
    expect(e.requests.options).toBe(240);
    expect(e.requests.setup).toBe(13 + 240); // the options of each select attribute are read first
    expect(e.phases.options).toBe(80);
    expect(e.bottleneck).toBe('option-writes');
    expect(e.advice[0]).toMatch(/^Options first: 24,000 options \(240 writes\) take ~1 min at 3 writes\/s; run `ferry pim bootstrap`/);
  });

  it('media: one upload each; a fast PIM with many media is bound by the request rate', () => {
    const media = estimateImport({ ...base, catalog: { ...base.catalog, mediaPerItem: 2 }, latency: { roundTripMs: 5, perLineMs: 0, perMediaMs: 0 }, limits: { ...saas, connections: 10, concurrency: 10, instanceConcurrency: 100 } });
    expect(media.requests.media).toBe(200_000);
    expect(media.phases.media).toBe(2000); // 200,000 / 100 per second
    expect(media.bottleneck).toBe('requests-per-second');
    const slow = estimateImport({ ...base, catalog: { ...base.catalog, mediaPerItem: 2 } });
    expect(slow.bottleneck).toBe('media-uploads');
  });

  it('a long import is advised for the night; memory follows bench:scale', () => {
    const e = estimateImport({ ...base, catalog: { ...base.catalog, items: 1_000_000, groups: 100_000 } });
    expect(e.durationSeconds.likely).toBeGreaterThan(1800);
    expect(e.advice.join('\n')).toMatch(/at night/);
    expect(e.memoryMb).toBe(estimateMemoryMb(1_000_000));
    expect(estimateMemoryMb(100_000)).toBe(300);
    expect(estimateMemoryMb(150_000)).toBe(340);
    expect(estimateMemoryMb(1_000_000)).toBe(1020);
    expect(e.advice.join('\n')).toMatch(/Give Ferry ~1,100 MB/);
  });

  it('a small catalog gets no advice and a one-line summary', () => {
    const e = estimateImport({ ...base, catalog: { ...base.catalog, items: 300, groups: 30, categoriesPerLevel: [3] } });
    expect(e.advice).toEqual([]);
    expect(estimateLine(e)).toMatch(/^estimate: ~\d+ requests, \d+ s–\d+ s \(bound by concurrent calls per connection\), ~\d+ MB$/);
  });

  it('two-level variants: sub-models are a lane of their own, counted in the requests, the lines and the duration', () => {
    const one = estimateImport(base);
    const two = estimateImport({ ...base, catalog: { ...base.catalog, subModelsPerGroup: 3 } });
    expect(two.entities.productModels).toBe(10_000 + 30_000);
    expect(two.requests.productModels).toBe(100 + 2 + 300 + 2); // roots, then sub-models after their parents
    expect(two.requests.total - one.requests.total).toBe(302);
    const extraBusy = (302 * 200 + 30_000 * 2) / 1000 / 4; // one slot-second share per batch and line
    expect(two.durationSeconds.best - one.durationSeconds.best).toBeCloseTo(extraBusy / 0.95, -1);
  });

  it('formats durations for people', () => {
    expect(formatSeconds(45)).toBe('45 s');
    expect(formatSeconds(13 * 60 + 10)).toBe('13 min');
    expect(formatSeconds(2 * 3600 + 5 * 60)).toBe('2 h 05 min');
  });
});
