import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import { buildFixture } from './fixture.js';
import { Api, openSandbox, search } from './helpers.js';

type Page = { items_count?: number; _embedded: { items: Record<string, unknown>[] } };

describe('sandbox search filters and trimming', () => {
  let sb: RunningSandbox;
  let api: Api;
  beforeAll(async () => {
    ({ sb, api } = await openSandbox({ catalog: 'demo' }));
    await buildFixture(api);
  });
  afterAll(() => sb.close());

  const ids = async (s: unknown, extra = ''): Promise<string[]> => {
    const r = await api.get(`/api/rest/v1/products?limit=100&search=${search(s)}${extra}`);
    expect(r.status, r.text).toBe(200);
    return r.json<Page>()._embedded.items.map((i) => String(i['identifier']));
  };

  it('orders identifiers case-insensitively', async () => {
    const r = await api.get('/api/rest/v1/products?limit=100');
    expect(r.json<Page>()._embedded.items.map((i) => i['identifier'])).toEqual(['flyer-1', 'loose-1', 'shoe-1', 'ts-blue', 'ts-red', 'Upper-Case']);
  });

  it('product properties', async () => {
    expect(await ids({ enabled: [{ operator: '=', value: false }] })).toEqual(['shoe-1']);
    expect(await ids({ family: [{ operator: 'IN', value: ['tshirts'] }] })).toEqual(['ts-blue', 'ts-red']);
    expect(await ids({ family: [{ operator: 'EMPTY' }] })).toEqual(['flyer-1', 'loose-1', 'shoe-1', 'Upper-Case']);
    expect(await ids({ categories: [{ operator: 'IN', value: ['clothing'] }] })).toEqual(['ts-blue']);
    expect(await ids({ categories: [{ operator: 'IN CHILDREN', value: ['clothing'] }] })).toEqual(['ts-blue', 'ts-red']);
    expect(await ids({ categories: [{ operator: 'NOT IN CHILDREN', value: ['master'] }] })).toEqual(['flyer-1', 'loose-1', 'Upper-Case']);
    expect(await ids({ categories: [{ operator: 'UNCLASSIFIED' }] })).toEqual(['loose-1', 'Upper-Case']);
    expect(await ids({ categories: [{ operator: 'IN OR UNCLASSIFIED', value: ['shoes'] }] })).toEqual(['loose-1', 'shoe-1', 'Upper-Case']);
    expect(await ids({ sku: [{ operator: 'IN', value: ['TS-RED', 'loose-1'] }] })).toEqual(['loose-1', 'ts-red']);
    expect(await ids({ sku: [{ operator: 'STARTS WITH', value: 'ts-' }] })).toEqual(['ts-blue', 'ts-red']);
    expect(await ids({ groups: [{ operator: 'EMPTY' }] })).toHaveLength(6);
  });

  it('uuid IN on /products-uuid', async () => {
    const all = (await api.get('/api/rest/v1/products-uuid?limit=100')).json<Page>()._embedded.items;
    const pick = all.slice(0, 2).map((i) => String(i['uuid']));
    const r = await api.get(`/api/rest/v1/products-uuid?search=${search({ uuid: [{ operator: 'IN', value: pick }] })}`);
    expect(r.json<Page>()._embedded.items.map((i) => i['uuid'])).toEqual(pick);
  });

  it('POST /products-uuid/search takes the query in a JSON body', async () => {
    const r = await api.call('POST', '/api/rest/v1/products-uuid/search?limit=10', {
      search: JSON.stringify({ family: [{ operator: 'IN', value: ['tshirts'] }] }),
      attributes: 'color',
    });
    expect(r.status, r.text).toBe(200);
    const items = r.json<Page>()._embedded.items;
    expect(items).toHaveLength(2);
    for (const i of items) expect(Object.keys(i['values'] as object)).toEqual(['color']);
  });

  it('created / updated operators', async () => {
    const past = '2000-01-01 00:00:00';
    const future = '2999-01-01 00:00:00';
    expect(await ids({ updated: [{ operator: '>', value: past }] })).toHaveLength(6);
    expect(await ids({ updated: [{ operator: '>', value: future }] })).toEqual([]);
    expect(await ids({ updated: [{ operator: '<', value: future }] })).toHaveLength(6);
    expect(await ids({ updated: [{ operator: 'BETWEEN', value: [past, future] }] })).toHaveLength(6);
    expect(await ids({ updated: [{ operator: 'NOT BETWEEN', value: [past, future] }] })).toEqual([]);
    expect(await ids({ created: [{ operator: 'SINCE LAST N DAYS', value: 1 }] })).toHaveLength(6);
    const bad = await api.get(`/api/rest/v1/products?search=${search({ updated: [{ operator: 'CONTAINS', value: 'x' }] })}`);
    expect(bad.json()).toEqual({ code: 422, message: 'Filter on property "updated" is not supported or does not support operator "CONTAINS"' });
  });

  it('attribute values with locale and scope', async () => {
    expect(await ids({ name: [{ operator: 'CONTAINS', value: 'rouge', locale: 'fr_FR' }] })).toEqual(['ts-red']);
    expect(await ids({ name: [{ operator: 'CONTAINS', value: 'tee' }] }, '&search_locale=en_US')).toEqual(['ts-blue', 'ts-red']);
    expect(await ids({ color: [{ operator: 'IN', value: ['RED'] }] })).toEqual(['ts-red']);
    expect(await ids({ color: [{ operator: 'NOT EMPTY' }] })).toEqual(['ts-blue', 'ts-red']);
    expect(await ids({ weight: [{ operator: '>', value: 160 }] })).toEqual(['ts-red']);
    expect(await ids({ weight: [{ operator: '<=', value: 150 }] })).toEqual(['ts-blue']);
    expect(await ids({ flag: [{ operator: '=', value: false }] })).toEqual(['ts-blue']);
    expect(await ids({ release: [{ operator: '<', value: '2024-01-01' }] })).toEqual(['ts-blue']);
    expect(await ids({ release: [{ operator: 'BETWEEN', value: ['2024-01-01', '2024-12-31'] }] })).toEqual(['ts-red']);
    expect(await ids({ blurb: [{ operator: 'NOT EMPTY', scope: 'ecommerce' }] })).toEqual(['ts-red']);
    expect(await ids({ blurb: [{ operator: 'NOT EMPTY', scope: 'mobile' }] })).toEqual([]);
  });

  it('completeness per channel', async () => {
    // ecommerce requires sku + name: ts-red has name in all 3 locales, ts-blue in en_US only.
    expect(await ids({ completeness: [{ operator: '=', value: 100, scope: 'ecommerce' }] })).toEqual(['ts-blue', 'ts-red']);
    expect(await ids({ completeness: [{ operator: 'GREATER OR EQUALS THAN ON ALL LOCALES', value: 100, scope: 'ecommerce', locales: ['en_US', 'fr_FR'] }] })).toEqual(['ts-red']);
    expect(await ids({ completeness: [{ operator: '<', value: 100, scope: 'ecommerce' }] })).toEqual(['ts-blue']);
  });

  it('search errors use Akeneo’s messages', async () => {
    const q = (s: string) => api.get(`/api/rest/v1/products?search=${encodeURIComponent(s)}`);
    expect((await q('{bad')).json()).toEqual({ code: 400, message: 'Search query parameter should be valid JSON.' });
    expect((await q('{"family":[{"value":["x"]}]}')).json()).toEqual({ code: 422, message: 'Operator is missing for the property "family".' });
    expect((await q('{"family":[{"operator":["IN"],"value":["x"]}]}')).json()).toEqual({ code: 422, message: 'Operator has to be a string, "array" given.' });
    expect((await q('{"name":[{"operator":"=","value":"x"}]}')).json()).toEqual({ code: 422, message: 'Attribute "name" expects a locale, none given.' });
    expect((await q('{"blurb":[{"operator":"=","value":"x"}]}')).json()).toEqual({ code: 422, message: 'Attribute "blurb" expects a scope, none given.' });
    expect((await q('{"blurb":[{"operator":"=","value":"x","scope":"nope"}]}')).json()).toEqual({ code: 422, message: 'Attribute "blurb" expects an existing scope, "nope" given.' });
    expect((await q('{"categories":[{"operator":"IN","value":["nope"]}]}')).json()).toEqual({ code: 422, message: 'Category "nope" does not exist.' });
    expect((await q('{"nope":[{"operator":"EMPTY"}]}')).status).toBe(404);
  });

  it('attributes / locales / scope trimming and the scope tree restriction', async () => {
    const one = async (extra: string) => {
      const r = await api.get(`/api/rest/v1/products?limit=100${extra}`);
      expect(r.status, r.text).toBe(200);
      return r.json<Page>()._embedded.items;
    };
    const red = (await one('&attributes=name,color')).find((i) => i['identifier'] === 'ts-red');
    expect(Object.keys(red?.['values'] as object).sort()).toEqual(['color', 'name']);
    const fr = (await one('&locales=fr_FR')).find((i) => i['identifier'] === 'ts-red');
    expect((fr?.['values'] as Record<string, unknown[]>)['name']).toEqual([{ locale: 'fr_FR', scope: null, data: 'T-shirt rouge' }]);
    const mobile = await one('&scope=mobile');
    expect(mobile.map((i) => i['identifier'])).toEqual(['shoe-1', 'ts-blue', 'ts-red']);
    expect((mobile.find((i) => i['identifier'] === 'ts-red')?.['values'] as Record<string, unknown>)['blurb']).toBeUndefined();
    const print = await one('&scope=print');
    expect(print.map((i) => i['identifier'])).toEqual(['flyer-1']);
    expect((await api.get('/api/rest/v1/products?scope=nope')).json()).toEqual({ code: 422, message: 'Scope "nope" does not exist.' });
    expect((await api.get('/api/rest/v1/products?locales=xx_XX')).json()).toEqual({ code: 422, message: 'Locale "xx_XX" does not exist or is not activated.' });
    expect((await api.get('/api/rest/v1/products?attributes=a,b')).json()).toEqual({ code: 422, message: 'Attributes "a, b" do not exist.' });
    expect((await api.get('/api/rest/v1/products?scope=print&locales=fr_FR')).json()).toEqual({
      code: 422,
      message: 'Locale "fr_FR" is not activated for the scope "print".',
    });
  });

  it('with_attribute_options adds linked_data to select values', async () => {
    await api.call('PATCH', '/api/rest/v1/attributes/color/options/red', { code: 'red', labels: { en_US: 'Red' } });
    const p = (await api.get('/api/rest/v1/products/ts-red?with_attribute_options=true')).json<{ values: Record<string, unknown[]> }>();
    expect(p.values['color']).toEqual([{ locale: null, scope: null, data: 'red', linked_data: { attribute: 'color', code: 'red', labels: { en_US: 'Red' } } }]);
    const plain = (await api.get('/api/rest/v1/products/ts-red')).json<{ values: Record<string, unknown[]> }>();
    expect(plain.values['color']).toEqual([{ locale: null, scope: null, data: 'red' }]);
  });

  it('structure list filters', async () => {
    const codes = async (path: string) => (await api.get(path)).json<Page>()._embedded.items.map((i) => i['code']);
    expect(await codes(`/api/rest/v1/categories?search=${search({ parent: [{ operator: '=', value: 'master' }] })}`)).toEqual(['clothing', 'shirts', 'shoes']);
    expect(await codes(`/api/rest/v1/categories?search=${search({ is_root: [{ operator: '=', value: true }] })}`)).toEqual(['master', 'print']);
    expect(await codes(`/api/rest/v1/attributes?search=${search({ type: [{ operator: 'IN', value: ['pim_catalog_date'] }] })}`)).toEqual(['release']);
    expect(await codes(`/api/rest/v1/attributes?search=${search({ is_main_identifier: [{ operator: '=', value: true }] })}`)).toEqual(['sku']);
    expect(await codes(`/api/rest/v1/locales?limit=100&search=${search({ enabled: [{ operator: '=', value: true }] })}`)).toEqual(['de_DE', 'en_US', 'fr_FR']);
    expect(await codes(`/api/rest/v1/families?search=${search({ has_products: [{ operator: '=', value: true }] })}`)).toEqual(['tshirts']);
    const pos = (await api.get('/api/rest/v1/categories/shoes?with_position=true')).json();
    expect(pos).toMatchObject({ code: 'shoes', parent: 'master', position: 2 });
  });
});
