/**
 * The axis-uniqueness rule through the real store (the rules' own tests use an in-memory view):
 * the store parses only the axis values of a model's variants for this check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import { Api, openSandbox } from './helpers.js';

describe('sandbox: variant axis combinations are unique within a product model', () => {
  let sb: RunningSandbox;
  let api: Api;
  beforeAll(async () => {
    ({ sb, api } = await openSandbox({ catalog: 'demo' }));
    expect((await api.call('POST', '/api/rest/v1/families', { code: 'shoes', attributes: ['sku', 'marketing_season', 'marketing_highlight'] })).status).toBe(201);
    const fv = await api.call('POST', '/api/rest/v1/families/shoes/variants', {
      code: 'shoes_by_season',
      variant_attribute_sets: [{ level: 1, axes: ['marketing_season'], attributes: ['marketing_highlight'] }],
    });
    expect(fv.status).toBe(201);
    expect((await api.call('POST', '/api/rest/v1/product-models', { code: 'boot', family: 'shoes', family_variant: 'shoes_by_season' })).status).toBe(201);
  });
  afterAll(() => sb.close());

  const variant = (identifier: string, season: string, highlight: boolean) => ({
    identifier,
    family: 'shoes',
    parent: 'boot',
    values: {
      marketing_season: [{ locale: null, scope: null, data: season }],
      marketing_highlight: [{ locale: null, scope: null, data: highlight }],
    },
  });

  it('refuses a second variant with the same axis value, naming both, and accepts a distinct one', async () => {
    expect((await api.call('POST', '/api/rest/v1/products', variant('boot-ss', 'spring_summer', true))).status).toBe(201);
    const twin = await api.call('POST', '/api/rest/v1/products', variant('boot-ss-2', 'spring_summer', false));
    expect(twin.status).toBe(422);
    expect(JSON.stringify(twin.json())).toContain('as the variant product \\"boot-ss\\" already has this value');
    expect((await api.call('POST', '/api/rest/v1/products', variant('boot-aw', 'autumn_winter', false))).status).toBe(201);
    // Updating a variant with its own axis value is not a clash with itself.
    expect((await api.call('PATCH', '/api/rest/v1/products/boot-aw', variant('boot-aw', 'autumn_winter', true))).status).toBe(204);
    // Full products are still served with all their values.
    const got = (await api.get('/api/rest/v1/products/boot-aw')).json<{ values: Record<string, unknown> }>();
    expect(Object.keys(got.values).sort()).toEqual(['marketing_highlight', 'marketing_season', 'sku']);
  });
});
