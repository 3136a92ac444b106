/** A small catalog built through the API on top of the demo catalog, shared by list/filter tests. */
import { expect } from 'vitest';
import type { Api } from './helpers.js';

export async function buildFixture(api: Api): Promise<void> {
  const ok = (r: { status: number; text: string }) => expect(r.status, r.text).toBeLessThan(300);
  ok(
    await api.ndjson('/api/rest/v1/attributes', [
      { code: 'name', type: 'pim_catalog_text', group: 'other', localizable: true },
      { code: 'color', type: 'pim_catalog_simpleselect', group: 'other' },
      { code: 'weight', type: 'pim_catalog_number', group: 'other', decimals_allowed: false, negative_allowed: false },
      { code: 'flag', type: 'pim_catalog_boolean', group: 'other' },
      { code: 'release', type: 'pim_catalog_date', group: 'other' },
      { code: 'blurb', type: 'pim_catalog_textarea', group: 'other', scopable: true },
    ]),
  );
  ok(await api.ndjson('/api/rest/v1/attributes/color/options', [{ code: 'red' }, { code: 'blue' }]));
  ok(
    await api.ndjson('/api/rest/v1/categories', [
      { code: 'clothing', parent: 'master' },
      { code: 'shirts', parent: 'clothing' },
      { code: 'shoes', parent: 'master' },
      { code: 'print', parent: null },
      { code: 'print_flyers', parent: 'print' },
    ]),
  );
  ok(await api.call('POST', '/api/rest/v1/channels', { code: 'print', locales: ['en_US'], currencies: ['EUR'], category_tree: 'print' }));
  ok(
    await api.call('POST', '/api/rest/v1/families', {
      code: 'tshirts',
      attributes: ['sku', 'name', 'color', 'weight', 'flag', 'release', 'blurb'],
      attribute_as_label: 'sku',
      attribute_requirements: { ecommerce: ['sku', 'name'], mobile: ['sku'], print: ['sku'] },
    }),
  );
  const v = (data: unknown, locale: string | null = null, scope: string | null = null) => [{ locale, scope, data }];
  ok(
    await api.ndjson('/api/rest/v1/products', [
      {
        identifier: 'ts-red',
        family: 'tshirts',
        categories: ['shirts'],
        groups: [],
        values: {
          name: [
            { locale: 'en_US', scope: null, data: 'Red tee' },
            { locale: 'fr_FR', scope: null, data: 'T-shirt rouge' },
            { locale: 'de_DE', scope: null, data: 'Rotes T-Shirt' },
          ],
          color: v('red'),
          weight: v(200),
          flag: v(true),
          release: v('2024-03-01'),
          blurb: v('Web text', null, 'ecommerce'),
        },
      },
      { identifier: 'ts-blue', family: 'tshirts', categories: ['clothing'], values: { name: v('Blue tee', 'en_US'), color: v('blue'), weight: v(150), flag: v(false), release: v('2023-01-15') } },
      { identifier: 'shoe-1', family: null, categories: ['shoes'], enabled: false, values: {} },
      { identifier: 'flyer-1', categories: ['print_flyers'] },
      { identifier: 'loose-1' },
      { identifier: 'Upper-Case' },
    ]),
  );
}
