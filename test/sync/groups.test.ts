/**
 * Whole groups, always: a group's structure (model or simple product) does not depend on the
 * run's mode, and a delta with no ERP change writes nothing (issue 11, point 2).
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { executeSync, type EngineDeps } from '../../src/sync/engine.js';
import type { StateStore } from '../../src/sync/state/port.js';
import { stateStoreKinds } from './support/state-stores.js';
import { countsAddUp } from '../../src/sync/report.js';
import { FakeErp, FakePim, fakeMapper } from './fakes.js';

async function setup() {
  const erp = new FakeErp();
  const pim = new FakePim();
  const state = await openState();
  erp.put({ stream: 'categories', key: 'cat_a', parent: null, fields: { name: 'A' } });
  erp.put({ stream: 'groups', key: 'boot', fields: { description: 'A boot' } });
  // One active item, two archived siblings Ferry never sent.
  // (The archived ones are older: a delta's inclusive boundary re-reads only the active one.)
  erp.item('boot_blue', 'boot', { name: 'Blue boot', weight: '1', color: 'blue' }, { active: false });
  erp.item('boot_green', 'boot', { name: 'Green boot', weight: '1', color: 'green' }, { active: false });
  erp.item('boot_red', 'boot', { name: 'Red boot', weight: '1', color: 'red' });
  const deps: EngineDeps = { source: erp, client: pim, mapper: fakeMapper(), state, settings: { deletion: 'disable', updateOnly: false }, lockName: 'test' };
  const run = async (full = false) => {
    const r = await executeSync(deps, { full });
    expect(countsAddUp(r.counts)).toBe(true);
    return r;
  };
  return { erp, pim, run };
}

/** The store of the state kind whose tests run now (set before each kind's tests). */
let openState: () => Promise<StateStore>;

describe.each(await stateStoreKinds())('$name state', ({ open }) => {
  beforeAll(() => {
    openState = open;
  });

  describe('a group with one active item and archived siblings', () => {
    it('is a model with one variant in full and delta runs alike', async () => {
      const { erp, pim, run } = await setup();
      const first = await run(true);
      expect(first.status).toBe('succeeded');
      expect(pim.productByIdentifier('boot_red')?.parent).toBe('boot');
      expect(pim.productByIdentifier('boot_blue')).toBeUndefined();

      // A delta with no ERP change writes nothing.
      const idle = await run();
      expect(idle.requests.writes).toBe(0);

      // The active item changes: the delta maps it with its archived siblings, so it stays a variant.
      erp.edit('items', 'boot_red', (r) => (r.fields.weight = '2'));
      const delta = await run();
      expect(delta.status).toBe('succeeded');
      expect(pim.productByIdentifier('boot_red')?.parent).toBe('boot');
      expect(delta.byType.product.updated).toBe(1);
      expect(delta.byType.product.created).toBe(0);
      const productLines = pim.calls.filter((c) => c.lane === 'product').at(-1)!.items;
      expect(productLines).toHaveLength(1);
      expect(productLines[0]).not.toHaveProperty('parent');

      // And the full run after it agrees: nothing to write.
      const full = await run(true);
      expect(full.requests.writes).toBe(0);
      expect(pim.productByIdentifier('boot_red')?.parent).toBe('boot');
    });
  });

  describe('sub-models are counted', () => {
    it('a sub-model created by a delta counts its group as created (not unchanged)', async () => {
      const { createMapper } = await import('../../src/mapping/index.js');
      const { mappingConfigSchema } = await import('../../src/mapping/config.js');
      const { demoPim } = await import('../mapping/fixtures.js');
      const erp = new FakeErp();
      const pim = new FakePim();
      const state = await openState();
      const mapper = createMapper(mappingConfigSchema.parse({ preset: 'demo', structure: { categories: { mode: 'ignore' }, variants: { familyVariant: { erp_product: 'erp_product_color_size' } } } }), demoPim());
      erp.put({ stream: 'groups', key: 'SHIRT', fields: {} });
      const shirt = (sku: string, color: string, size: string) => erp.item(sku, 'SHIRT', { color, size, ean: `E${sku}` }, { categories: [] });
      shirt('S-R-S', 'red', 'S');
      shirt('S-R-M', 'red', 'M');
      const deps: EngineDeps = { source: erp, client: pim, mapper, state, settings: { deletion: 'disable', updateOnly: false }, lockName: 'test' };
      const first = await executeSync(deps, {});
      expect(first.status, JSON.stringify(first.rejects)).toBe('succeeded');
      expect(pim.models.size).toBe(2); // SHIRT, SHIRT_red
      // A new colour: a new sub-model and a new variant under it.
      shirt('S-B-S', 'blue', 'S');
      const delta = await executeSync(deps, {});
      expect(countsAddUp(delta.counts)).toBe(true);
      expect(pim.models.has('SHIRT_blue')).toBe(true);
      expect(delta.byType.product_model).toMatchObject({ read: 1, created: 1, unchanged: 0 });
      expect(delta.byType.product.created).toBe(1);
    });
  });
});
