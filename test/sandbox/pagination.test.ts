import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import { Api, openSandbox, search } from './helpers.js';

type Page = { _links: Record<string, { href: string } | undefined>; current_page?: number; items_count?: number; _embedded: { items: Record<string, unknown>[] } };

describe('sandbox pagination', () => {
  let sb: RunningSandbox;
  let api: Api;
  beforeAll(async () => {
    ({ sb, api } = await openSandbox({ catalog: 'demo' }));
    const lines = Array.from({ length: 25 }, (_, i) => ({ identifier: `p${String(i).padStart(2, '0')}`, enabled: i % 2 === 0 }));
    expect((await api.ndjson('/api/rest/v1/products', lines)).status).toBe(200);
  });
  afterAll(() => sb.close());

  const page = async (path: string): Promise<Page> => {
    const r = await api.get(path);
    expect(r.status, r.text).toBe(200);
    return r.json<Page>();
  };

  it('page mode: links in Akeneo’s parameter order, items_count, next while the page is full', async () => {
    const p1 = await page('/api/rest/v1/products?with_count=true&limit=10');
    expect(p1._links['self']?.href).toBe(`${sb.url}/api/rest/v1/products?page=1&with_count=true&pagination_type=page&limit=10`);
    expect(p1._links['next']?.href).toBe(`${sb.url}/api/rest/v1/products?page=2&with_count=true&pagination_type=page&limit=10`);
    expect(p1._links['previous']).toBeUndefined();
    expect(p1.current_page).toBe(1);
    expect(p1.items_count).toBe(25);
    expect(p1._embedded.items[0]?.['_links']).toEqual({ self: { href: `${sb.url}/api/rest/v1/products/p00` } });
    const p3 = await page('/api/rest/v1/products?limit=10&page=3');
    expect(p3._embedded.items.map((i) => i['identifier'])).toEqual(['p20', 'p21', 'p22', 'p23', 'p24']);
    expect(p3._links['next']).toBeUndefined();
    expect(p3._links['previous']?.href).toContain('page=2');
    expect(p3).not.toHaveProperty('items_count');
    const out = await page('/api/rest/v1/products?limit=10&page=9');
    expect(out._embedded.items).toEqual([]);
  });

  it('search_after walks every product once, in order, on both product endpoints', async () => {
    for (const [path, key] of [
      ['/api/rest/v1/products', 'identifier'],
      ['/api/rest/v1/products-uuid', 'uuid'],
    ] as const) {
      const seen: string[] = [];
      let next: string | undefined = `${sb.url}${path}?pagination_type=search_after&limit=7`;
      let calls = 0;
      while (next && calls++ < 10) {
        const p: Page = await page(next.slice(sb.url.length));
        expect(p).not.toHaveProperty('current_page');
        seen.push(...p._embedded.items.map((i) => String(i[key])));
        next = p._links['next']?.href;
      }
      expect(seen).toHaveLength(25);
      expect(new Set(seen).size).toBe(25);
      expect([...seen].sort()).toEqual(seen);
    }
  });

  it('search_after links: first has no cursor, next carries the last key', async () => {
    const p = await page('/api/rest/v1/products?pagination_type=search_after&limit=3&search_after=p05');
    expect(p._embedded.items.map((i) => i['identifier'])).toEqual(['p06', 'p07', 'p08']);
    expect(p._links['first']?.href).toBe(`${sb.url}/api/rest/v1/products?with_count=false&pagination_type=search_after&limit=3`);
    expect(p._links['next']?.href).toBe(`${sb.url}/api/rest/v1/products?with_count=false&pagination_type=search_after&limit=3&search_after=p08`);
  });

  it('filters are carried into links', async () => {
    const s = { enabled: [{ operator: '=', value: true }] };
    const p = await page(`/api/rest/v1/products?limit=5&with_count=true&search=${search(s)}`);
    expect(p.items_count).toBe(13);
    const next = new URL(p._links['next']?.href ?? '');
    expect(JSON.parse(next.searchParams.get('search') ?? '')).toEqual(s);
  });

  it('filtered lists see writes made between two pages', async () => {
    const s = search({ enabled: [{ operator: '=', value: false }] });
    const before = await page(`/api/rest/v1/products?with_count=true&limit=5&search=${s}`);
    expect(before.items_count).toBe(12);
    await api.call('PATCH', '/api/rest/v1/products/p00', { identifier: 'p00', enabled: false });
    const after = await page(`/api/rest/v1/products?with_count=true&limit=5&search=${s}`);
    expect(after.items_count).toBe(13);
    expect(after._embedded.items[0]?.['identifier']).toBe('p00');
    await api.call('PATCH', '/api/rest/v1/products/p00', { identifier: 'p00', enabled: true });
    expect((await page(`/api/rest/v1/products?with_count=true&limit=5&search=${s}`)).items_count).toBe(12);
  });

  it('limits and the 10,000-item window', async () => {
    expect((await api.get('/api/rest/v1/products?limit=101')).json()).toEqual({ code: 422, message: 'You cannot request more than 100 items.' });
    expect((await api.get('/api/rest/v1/products?limit=0')).status).toBe(422);
    expect((await api.get('/api/rest/v1/products?page=abc')).json()).toEqual({ code: 422, message: '"abc" is not a valid page number.' });
    expect((await api.get('/api/rest/v1/products?pagination_type=foo')).json()).toEqual({ code: 422, message: 'Pagination type does not exist.' });
    expect((await api.get('/api/rest/v1/attributes?pagination_type=search_after')).json()).toEqual({ code: 422, message: 'Pagination type is not supported.' });
    const cap = await api.get('/api/rest/v1/products?page=101&limit=100');
    expect(cap.json()).toEqual({
      code: 422,
      message:
        'You have reached the maximum number of pages you can retrieve with the "page" pagination type. Please use the search after pagination type instead',
      _links: { documentation: { href: 'http://api.akeneo.com/documentation/pagination.html#the-search-after-method' } },
    });
    expect((await api.get('/api/rest/v1/products?page=100&limit=100')).status).toBe(200);
    expect((await api.get('/api/rest/v1/product-models?page=201&limit=50')).status).toBe(422);
  });

  it('structure lists use page, limit, with_count', async () => {
    const p = await page('/api/rest/v1/attributes?limit=2&with_count=true');
    expect(p._links['self']?.href).toBe(`${sb.url}/api/rest/v1/attributes?page=1&limit=2&with_count=true`);
    expect(p.items_count).toBeGreaterThan(2);
    const cats = await page('/api/rest/v1/categories');
    expect(cats._embedded.items.map((c) => c['code'])).toEqual(['master']);
  });

  it('measurement families are a plain array with Akeneo’s standard units', async () => {
    const r = await api.get('/api/rest/v1/measurement-families');
    const list = r.json<{ code: string; standard_unit_code: string; units: Record<string, { convert_from_standard: { operator: string; value: string }[] }> }[]>();
    const weight = list.find((f) => f.code === 'Weight');
    expect(weight?.standard_unit_code).toBe('KILOGRAM');
    expect(weight?.units['GRAM']?.convert_from_standard).toEqual([{ operator: 'mul', value: '0.001' }]);
    expect(Object.keys(weight?.units ?? {})).toEqual(expect.arrayContaining(['MILLIGRAM', 'POUND', 'OUNCE', 'TON']));
    const length = list.find((f) => f.code === 'Length');
    expect(Object.keys(length?.units ?? {})).toEqual(expect.arrayContaining(['MILLIMETER', 'CENTIMETER', 'METER', 'INCH', 'FEET']));
    expect(list.map((f) => f.code)).toEqual(expect.arrayContaining(['Area', 'Volume', 'Temperature', 'Power']));
  });
});
