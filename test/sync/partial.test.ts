/**
 * Dropped values are reported (issue 11): a record sent without some of its values is counted
 * as partial, each dropped value named, exit 2 by default; control characters are refused.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import { executeSync, type EngineDeps } from '../../src/sync/engine.js';
import type { StateStore } from '../../src/sync/state/port.js';
import { stateStoreKinds } from './support/state-stores.js';
import { exitCodeFor, formatReport, jsonSummary } from '../../src/sync/report.js';
import { createMapper } from '../../src/mapping/index.js';
import { mappingConfigSchema } from '../../src/mapping/config.js';
import type { Mapper } from '../../src/mapping/types.js';
import { demoPim, item, loc } from '../mapping/fixtures.js';
import { FakeErp, FakePim, fakeMapper } from './fakes.js';

/** The fake mapper, dropping the weight of items whose weight is "-1" (like a negative weight). */
function droppingMapper(): Mapper {
  const base = fakeMapper();
  return {
    ...base,
    mapItems(items, groups) {
      const r = base.mapItems(items, groups);
      for (const e of r.entities) {
        if (e.kind !== 'product') continue;
        const rec = items.find((i) => i.key === e.origin.key)!;
        if (rec.fields.weight !== '-1') continue;
        delete e.values.weight;
        r.errors.push({ kind: 'invalid_value', origin: e.origin, recordLabel: `SKU ${rec.key}`, erpField: 'weight', attribute: 'weight', value: '-1', message: 'weight -1 is negative', expected: 'a positive weight', fix: 'Correct the weight.', blocksRecord: false });
      }
      return r;
    },
  };
}

/** The store of the state kind whose tests run now (set before each kind's tests). */
let openState: () => Promise<StateStore>;

describe.each(await stateStoreKinds())('$name state', ({ open }) => {
  beforeAll(() => {
    openState = open;
  });

  describe('records sent without some of their values', () => {
    it('are counted partial, each dropped value named; exit 2 unless configured 0', async () => {
      const erp = new FakeErp();
      const state = await openState();
      erp.item('pen', null, { name: 'Pen', weight: '-1' });
      erp.item('cup', null, { name: 'Cup', weight: '1' });
      const deps: EngineDeps = { source: erp, client: new FakePim(), mapper: droppingMapper(), state, settings: { deletion: 'disable', updateOnly: false }, lockName: 't' };
      const r = await executeSync(deps, {});
      expect(r.status).toBe('succeeded');
      expect(r.byType.product.created).toBe(2);
      expect(r.partial).toEqual({ records: 1, values: 1 });
      expect(r.warnings[0]!.message).toContain('SKU pen (attribute weight, ERP field "weight"): weight -1 is negative');
      expect(exitCodeFor(r)).toBe(2);
      expect(exitCodeFor(r, { droppedValuesExit: 0 })).toBe(0);
      expect(jsonSummary(r).partial).toEqual({ records: 1, values: 1 });
      expect(formatReport(r)).toContain('partial: 1 record sent without some of its values (1 value dropped');
    });
  });

  describe('control characters in texts', () => {
    it('a NUL in a name is refused (named, with its position), never sent', () => {
      const mapper = createMapper(mappingConfigSchema.parse({ preset: 'demo', structure: { variants: { groupBy: 'none' } } }), demoPim());
      const r = mapper.mapItems([item('SKU-NUL', { name: loc({ en: 'Bad\u0000name', fr: 'Bon' }) })], new Map());
      const p = r.entities.find((e) => e.kind === 'product')!;
      expect(JSON.stringify(p)).not.toContain('\\u0000');
      const e = r.errors.find((x) => x.attribute === 'name')!;
      expect(e.message).toContain('control character U+0000 at position 4');
      expect(e.fix).toContain('Remove the control character');
    });
  });
});
