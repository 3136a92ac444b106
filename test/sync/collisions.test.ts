/**
 * Identifier collisions are caught before anything is sent (issue 11, points 3 and 4): SKUs the
 * PIM takes for one (ABC-1 / abc-1, CAFÉ-1 / cafe-1), model codes likewise (CAP / cap), in one
 * run or across runs; and a duplicated ERP row is a reject of its own, never a silent drop.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import type { ErpRecord, ReadOptions, StreamName } from '../../src/erp/port.js';
import { executeSync, type EngineDeps } from '../../src/sync/engine.js';
import type { StateStore } from '../../src/sync/state/port.js';
import { stateStoreKinds } from './support/state-stores.js';
import { countsAddUp } from '../../src/sync/report.js';
import { FakeErp, FakePim, fakeMapper } from './fakes.js';

/** An ERP export with a row written twice. */
class DuplicatingErp extends FakeErp {
  duplicate = new Set<string>();
  override async *read(stream: StreamName, options: ReadOptions = {}): AsyncIterable<ErpRecord> {
    for await (const r of super.read(stream, options)) {
      yield r;
      if (this.duplicate.has(r.key)) yield { ...r, fields: { ...r.fields, name: 'the other row' } };
    }
  }
}

async function setup() {
  const erp = new DuplicatingErp();
  const pim = new FakePim();
  const state = await openState();
  erp.put({ stream: 'categories', key: 'cat_a', parent: null, fields: { name: 'A' } });
  const deps: EngineDeps = { source: erp, client: pim, mapper: fakeMapper(), state, settings: { deletion: 'disable', updateOnly: false }, lockName: 'test' };
  const run = async (full = false) => {
    const r = await executeSync(deps, { full });
    expect(countsAddUp(r.counts), JSON.stringify(r.counts)).toBe(true);
    return r;
  };
  return { erp, pim, state, run };
}

/** The store of the state kind whose tests run now (set before each kind's tests). */
let openState: () => Promise<StateStore>;

describe.each(await stateStoreKinds())('$name state', ({ open }) => {
  beforeAll(() => {
    openState = open;
  });

  describe('identifier collisions', () => {
    it('ABC-1 and abc-1 in one run: the second is rejected naming both and the fix; the first keeps its data', async () => {
      const { erp, pim, run } = await setup();
      erp.item('ABC-1', null, { name: 'Upper', weight: '1' });
      erp.item('abc-1', null, { name: 'Lower', weight: '2' });
      const r = await run();
      expect(r.status).toBe('rejects');
      expect(r.byType.product).toMatchObject({ created: 1, rejected: 1 });
      expect(r.rejects).toHaveLength(1);
      expect(r.rejects[0]!.message).toContain('SKU abc-1 (ERP key abc-1) and SKU ABC-1 (ERP key ABC-1) are one product for the PIM');
      expect(r.rejects[0]!.fix).toContain('Rename abc-1 or ABC-1 in the ERP');
      expect(pim.products_.size).toBe(1);
      expect(pim.productByIdentifier('ABC-1')!.values!.name![0]!.data).toBe('Upper');
    });

    it('abc-1 arriving after ABC-1 was synced: rejected, whatever the order of the reads', async () => {
      const { erp, pim, run } = await setup();
      erp.item('ABC-1', null, { name: 'Upper', weight: '1' });
      await run();
      // The new one sorts (and is read) before the synced one.
      erp.item('abc-1', null, { name: 'Lower', weight: '2' });
      erp.edit('items', 'ABC-1', (x) => (x.fields.weight = '3'));
      const r = await run(true);
      expect(r.byType.product).toMatchObject({ updated: 1, rejected: 1 });
      expect(r.rejects[0]!.label).toBe('abc-1');
      expect(pim.products_.size).toBe(1);
      expect(pim.productByIdentifier('ABC-1')!.values!.name![0]!.data).toBe('Upper');
    });

    it('accents count as the PIM counts them: CAFÉ-1 and cafe-1 are one product', async () => {
      const { erp, pim, run } = await setup();
      erp.item('CAFÉ-1', null, { name: 'Accent', weight: '1' });
      erp.item('cafe-1', null, { name: 'Plain', weight: '1' });
      const r = await run();
      expect(r.counts.rejected).toBe(1);
      expect(pim.products_.size).toBe(1);
    });

    it('model codes CAP and cap (across runs): the second model and its variants are held back', async () => {
      const { erp, pim, run } = await setup();
      erp.put({ stream: 'groups', key: 'CAP', fields: { description: 'Upper cap' } });
      erp.item('cap_red', 'CAP', { name: 'Red', weight: '1', color: 'red' });
      erp.item('cap_blue', 'CAP', { name: 'Blue', weight: '1', color: 'blue' });
      await run();
      erp.put({ stream: 'groups', key: 'cap', fields: { description: 'Lower cap' } });
      erp.item('lcap_red', 'cap', { name: 'Red', weight: '1', color: 'red' });
      erp.item('lcap_blue', 'cap', { name: 'Blue', weight: '1', color: 'blue' });
      const r = await run();
      expect(r.rejects.some((x) => x.message.includes('Product model cap (ERP key cap) and Product model CAP (ERP key CAP) are one product model for the PIM'))).toBe(true);
      expect(r.byType.product.rejected).toBe(2);
      expect(pim.models.size).toBe(1);
      expect(pim.models.get('CAP')!.values!.description![0]!.data).toBe('Upper cap');
      expect(pim.productByIdentifier('lcap_red')).toBeUndefined();
    });
  });

  describe('a duplicated ERP row', () => {
    it('is a reject of its own: read counts both rows, the first is synced, the copy rejected', async () => {
      const { erp, pim, run, state } = await setup();
      erp.item('pen', null, { name: 'Pen', weight: '1' });
      erp.item('cup', null, { name: 'Cup', weight: '1' });
      erp.duplicate.add('pen');
      const r = await run();
      expect(r.byType.product).toMatchObject({ read: 3, created: 2, rejected: 1 });
      expect(r.rejects[0]!.message).toContain('SKU pen is read twice from the ERP');
      expect(r.rejects[0]!.fix).toContain('Remove the duplicate row of pen');
      expect(pim.productByIdentifier('pen')!.values!.name![0]!.data).toBe('Pen');
      expect(await state.listRetries('items')).toEqual([]);
    });
  });
});
