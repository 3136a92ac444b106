/**
 * The estimate's catalog from an ERP sample (src/app/estimate.ts): two-level groups (colour then
 * size) give sub-models, which the first-import estimate then counts.
 */
import { describe, expect, it } from 'vitest';
import { describeCatalog, sampleSubModels, subModelsPerGroup } from '../../src/app/estimate.js';
import { inferAxes, type GroupSample } from '../../src/mapping/index.js';
import type { StreamDescription } from '../../src/erp/port.js';
import { estimateImport } from '../../src/sync/estimate.js';
import { FakeErp } from '../sync/fakes.js';

/** An ERP whose items are described (the estimate's axes are the item-only select fields). */
class DescribedErp extends FakeErp {
  override async describe(): Promise<StreamDescription[]> {
    return [
      {
        stream: 'items',
        fields: [
          { name: 'sku', type: 'text' },
          { name: 'color', type: 'select' },
          { name: 'size', type: 'select' },
          { name: 'picture', type: 'text' },
          { name: 'name', type: 'text' },
        ],
      },
      { stream: 'groups', fields: [{ name: 'name', type: 'text' }] },
    ] as StreamDescription[];
  }
}

/** A group of colours × sizes; each colour has its own picture (so the colour is a level of its own). */
function group(erp: FakeErp, key: string, colors: string[], sizes: string[]): void {
  erp.put({ stream: 'groups', key, group: null, categories: [], active: true, fields: { name: key } });
  for (const c of colors) for (const z of sizes) erp.item(`${key}-${c}-${z}`, key, { sku: `${key}-${c}-${z}`, color: c, size: z, picture: `${key}-${c}.jpg`, name: key });
}

const mapping = { preset: 'demo' } as const;

describe('sub-models from the sample', () => {
  it('a two-level group has one sub-model per colour; a one-level group none; scaled to the catalog by items', () => {
    const items = (colors: string[], sizes: string[], picturePerColor: boolean) =>
      colors.flatMap((c) => sizes.map((z) => ({ color: c, size: z, picture: picturePerColor ? `${c}.jpg` : 'one.jpg' })));
    const samples = [
      { key: 'A', family: 'f', skus: [], items: items(['red', 'blue', 'green'], ['s', 'm'], true) },
      { key: 'B', family: 'f', skus: [], items: items(['red'], ['s', 'm', 'l'], false) },
      { key: 'C', family: 'f', skus: [], items: items(['red'], ['s'], false) }, // one item: a simple product
    ];
    // Laid out from the data (a family whose variants the mapping does not define): colour, then size.
    const inferred = (g: GroupSample) => {
      const r = inferAxes(g.items, ['color', 'size'], { otherFields: ['picture'] });
      return r.ok ? r.levels : [];
    };
    expect(sampleSubModels(samples, inferred)).toBe(3);
    expect(sampleSubModels(samples, () => [['color'], ['size']])).toBe(3 + 1);
    expect(sampleSubModels(samples, () => [['color'], ['size']], 1)).toBe(3 + 1 + 1);
    expect(sampleSubModels([], inferred)).toBe(0);
    // Scaled by items: 3 sub-models in 10 sampled items of a 1,000-item catalog in 100 groups.
    expect(subModelsPerGroup(3, 10, 1000, 100)).toBe(3);
    expect(subModelsPerGroup(3, 0, 1000, 100)).toBe(0);
  });

  it("describeCatalog counts them by the mapping's family variants (the demo preset's colour-then-size), and the estimate includes them", async () => {
    const erp = new DescribedErp();
    group(erp, 'TSHIRT', ['red', 'blue'], ['s', 'm', 'l']);
    group(erp, 'HOODIE', ['black', 'grey', 'navy', 'white'], ['m', 'l']);
    group(erp, 'CAP', ['red'], ['one', 'kids']); // one colour: one level (size)
    const d = await describeCatalog(erp, 500, mapping as never);
    expect(d.sampled).toBe(6 + 8 + 2);
    expect(d.catalog.subModelsPerGroup).toBeCloseTo((2 + 4) / 3, 5);
    const withSubs = estimateImport({
      catalog: { ...d.catalog, items: 16, groups: 3 },
      limits: { connections: 1, concurrency: 4, instanceConcurrency: 10, instanceShare: 1, requestsPerSecond: 100, optionWritesPerSecond: 3 },
      latency: { roundTripMs: 200, perLineMs: 2, perMediaMs: 150 },
    });
    expect(withSubs.entities.productModels).toBe(3 + 6);
    // Without a mapping the sample is not grouped: no sub-models.
    expect((await describeCatalog(erp, 500)).catalog.subModelsPerGroup).toBe(0);
  });
});
