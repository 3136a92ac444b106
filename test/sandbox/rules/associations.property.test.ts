import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Associations } from '../../../src/akeneo/model.js';
import { applyAssociations } from '../../../src/sandbox/rules/associations.js';
import type { CatalogView } from '../../../src/sandbox/rules/contract.js';

// A minimal view: products p0..p4 (uuid = "u-" + identifier), models m0..m2, groups g0..g2.
const view = {
  associationType: (code: string) => (['X_SELL', 'UPSELL', 'PACK'].includes(code) ? { code } : undefined),
  productByIdentifier: (id: string) => (/^p[0-4]$/.test(id) ? { uuid: `u-${id}`, identifier: id } : undefined),
  productByUuid: () => undefined,
  productModel: (code: string) => (/^m[0-2]$/.test(code) ? { code, family_variant: 'fv' } : undefined),
  group: (code: string) => (/^g[0-2]$/.test(code) ? { code, type: 'RELATED' } : undefined),
} as unknown as CatalogView;

const type = fc.constantFrom('X_SELL', 'UPSELL', 'PACK');
const lists = fc.record(
  {
    products: fc.uniqueArray(fc.constantFrom('p0', 'p1', 'p2', 'p3', 'p4'), { maxLength: 3 }),
    product_models: fc.uniqueArray(fc.constantFrom('m0', 'm1', 'm2'), { maxLength: 2 }),
    groups: fc.uniqueArray(fc.constantFrom('g0', 'g1', 'g2'), { maxLength: 2 }),
  },
  { requiredKeys: [] },
);
const patch = fc.dictionary(type, lists, { maxKeys: 3 });

describe('association merge rules (properties)', () => {
  it('each list sent replaces that list only; types and lists not sent are kept', () => {
    fc.assert(
      fc.property(fc.array(patch, { maxLength: 6 }), (patches) => {
        let state: Associations = {};
        const model = new Map<string, string[]>();
        for (const p of patches) {
          state = applyAssociations(view, state, p, { anchor: 'patch_products__code_', productKey: 'identifier' });
          for (const [t, l] of Object.entries(p)) {
            for (const [kind, codes] of Object.entries(l)) {
              model.set(`${t}.${kind}`, kind === 'products' ? codes.map((c) => `u-${c}`) : codes);
            }
          }
        }
        for (const [key, expected] of model) {
          const [t, kind] = key.split('.') as [string, 'products' | 'product_models' | 'groups'];
          expect(state[t]?.[kind]).toEqual(expected);
        }
        for (const [t, entry] of Object.entries(state)) {
          for (const kind of ['products', 'product_models', 'groups'] as const) {
            if (!model.has(`${t}.${kind}`)) expect(entry[kind]).toEqual([]);
          }
        }
      }),
    );
  });

  it('refuses unknown targets with Akeneo texts', () => {
    const run = (p: unknown) => {
      try {
        applyAssociations(view, {}, p, { anchor: 'post_products', productKey: 'identifier' });
        return 'ok';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(run({ X_SELL: { product_models: ['nope'] } })).toBe(
      'Property "associations" expects a valid product model identifier. The product model does not exist, "nope" given. Check the expected format on the API documentation.',
    );
    expect(run({ NOPE: { products: [] } })).toBe(
      'Property "associations" expects a valid association type code. The association type does not exist or is quantified, "NOPE" given. Check the expected format on the API documentation.',
    );
    expect(run({ X_SELL: { groups: ['nope'] } })).toBe(
      'Property "associations" expects a valid group code. The group does not exist, "nope" given. Check the expected format on the API documentation.',
    );
  });
});
