/** Model codes the PIM takes for one (case, accents): the message says what is really wrong (issue 11). */
import { describe, expect, it } from 'vitest';
import { createMapper } from '../../src/mapping/index.js';
import { mappingConfigSchema } from '../../src/mapping/config.js';
import { pimCodeKey } from '../../src/mapping/codes.js';
import type { ErpRecord } from '../../src/erp/port.js';
import { demoPim, item, loc } from './fixtures.js';

const cap = (sku: string, group: string, size: string): ErpRecord =>
  item(sku, { name: loc({ en: 'Cap' }), size, ean: `E${sku}` } as never, { group, categories: ['tops'] });

describe('model code collisions', () => {
  it('CAP then cap: the second group is held back with a message naming both groups and the fix', () => {
    const mapper = createMapper(mappingConfigSchema.parse({ preset: 'demo' }), demoPim());
    const first = mapper.mapItems([cap('CAP-S', 'CAP', 'S'), cap('CAP-M', 'CAP', 'M')], new Map());
    expect(first.errors).toEqual([]);
    const second = mapper.mapItems([cap('cap-s', 'cap', 'S'), cap('cap-m', 'cap', 'M')], new Map());
    expect(second.entities).toEqual([]);
    expect(second.errors).toHaveLength(2);
    const e = second.errors[0]!;
    expect(e.message).toContain('"cap" and the key "CAP" of another ERP group are one product model code for the PIM');
    expect(e.message).not.toContain('commas');
    expect(e.fix).toContain('Rename group "cap" or group "CAP"');
  });

  it('pimCodeKey folds what the PIM folds: case, accents, ß, trailing spaces', () => {
    expect(pimCodeKey('ABC-1')).toBe(pimCodeKey('abc-1'));
    expect(pimCodeKey('CAFÉ-1')).toBe(pimCodeKey('cafe-1'));
    expect(pimCodeKey('STRAßE')).toBe(pimCodeKey('strasse'));
    expect(pimCodeKey('A1 ')).toBe(pimCodeKey('a1'));
    expect(pimCodeKey('A-1')).not.toBe(pimCodeKey('A_1'));
  });
});
