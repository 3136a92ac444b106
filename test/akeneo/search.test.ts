import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { search, MAX_IN_VALUES } from '../../src/akeneo/index.js';

describe('search builder', () => {
  it('builds Akeneo search JSON', () => {
    const s = search()
      .updatedSince(new Date('2026-01-31T23:59:30.400Z'))
      .family(['shoes', 'boots'])
      .categories('summer')
      .enabled()
      .completeness('=', 100, 'ecommerce')
      .attribute('name', 'CONTAINS', 'red', { locale: 'en_US', scope: 'ecommerce' })
      .attribute('release', '>', new Date('2025-05-01T00:00:00Z'));
    expect(JSON.parse(s.build())).toEqual({
      // inclusive "since": one second earlier with the strict operator Akeneo has
      updated: [{ operator: '>', value: '2026-01-31 23:59:29' }],
      family: [{ operator: 'IN', value: ['shoes', 'boots'] }],
      categories: [{ operator: 'IN', value: ['summer'] }],
      enabled: [{ operator: '=', value: true }],
      completeness: [{ operator: '=', value: 100, scope: 'ecommerce' }],
      name: [{ operator: 'CONTAINS', value: 'red', locale: 'en_US', scope: 'ecommerce' }],
      release: [{ operator: '>', value: '2025-05-01' }],
    });
  });

  it('uses ISO dates for other entities', () => {
    expect(JSON.parse(search('iso').updatedSince('2026-02-01T00:00:00Z').build())).toEqual({ updated: [{ operator: '>', value: '2026-01-31T23:59:59Z' }] });
  });

  it('chunks IN lists by count and URL length, keeping the other filters', () => {
    const skus = Array.from({ length: 450 }, (_, i) => `SKU-${String(i).padStart(5, '0')}`);
    const chunks = search().in('sku', skus).enabled().chunks();
    expect(chunks).toHaveLength(5);
    const parsed = chunks.map((c) => JSON.parse(c) as { sku: { value: string[] }[]; enabled: unknown });
    expect(parsed.flatMap((p) => p.sku[0]!.value)).toEqual(skus);
    expect(parsed.every((p) => p.sku[0]!.value.length <= MAX_IN_VALUES && p.enabled)).toBe(true);
    expect(() => search().in('sku', skus).build()).toThrow(/too long for one request/);
  });

  it('keeps every chunk under the URL budget (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1, maxLength: 120 }), { minLength: 1, maxLength: 400 }), (values) => {
        const chunks = search().in('sku', values).chunks('product', 6000, 100);
        for (const c of chunks) expect(encodeURIComponent(c).length).toBeLessThanOrEqual(6000);
        expect(chunks.flatMap((c) => (JSON.parse(c) as { sku: { value: string[] }[] }).sku[0]!.value)).toEqual(values);
      }),
      { numRuns: 60 },
    );
  });

  it('refuses to split a NOT IN list', () => {
    expect(() => search().notIn('sku', Array.from({ length: 300 }, (_, i) => `s${i}`)).chunks()).toThrow(/NOT IN/);
  });
});
