import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import { Api, COLLECTION, openSandbox } from './helpers.js';

describe('sandbox collection PATCH', () => {
  let sb: RunningSandbox;
  let api: Api;
  beforeAll(async () => {
    ({ sb, api } = await openSandbox({ catalog: 'demo' }));
  });
  beforeEach(() => sb.reset());
  afterAll(() => sb.close());

  it('one result line per input line, bad lines do not stop the others', async () => {
    const before = sb.stats().lines['PATCH /api/rest/v1/products'] ?? 0;
    const r = await api.ndjson('/api/rest/v1/products', [
      { identifier: 'a' },
      '{not json',
      { identifier: 12 },
      { code: 'x' },
      { identifier: 'a', enabled: false },
      { identifier: 'b', unknown_field: 1 },
    ]);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe(COLLECTION);
    const lines = r.text.split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.slice(0, 5)).toEqual([
      { line: 1, identifier: 'a', status_code: 201 },
      { line: 2, status_code: 400, message: 'Invalid json message received' },
      { line: 3, status_code: 422, message: 'identifier must be of type string.' },
      { line: 4, status_code: 422, message: 'Identifier is missing.' },
      { line: 5, identifier: 'a', status_code: 204 },
    ]);
    expect(lines[5]).toMatchObject({ line: 6, identifier: 'b', status_code: 422 });
    expect(r.text.endsWith('\n')).toBe(false);
    expect((await api.get('/api/rest/v1/products/a')).json()['enabled']).toBe(false);
    // The stats count the lines the PIM processed, bad ones included (each got its own answer).
    expect(sb.stats().lines['PATCH /api/rest/v1/products']).toBe(before + 6);
  });

  it('uuid lines: client-generated uuids create, known ones update', async () => {
    const u1 = randomUUID();
    const r = await api.ndjson('/api/rest/v1/products-uuid', [
      { uuid: u1, values: { sku: [{ locale: null, scope: null, data: 'U1' }] } },
      { uuid: u1, enabled: false },
      {},
    ]);
    expect(r.text.split('\n').map((l) => JSON.parse(l))).toEqual([
      { line: 1, uuid: u1, status_code: 201 },
      { line: 2, uuid: u1, status_code: 204 },
      { line: 3, status_code: 422, message: 'Uuid is missing.' },
    ]);
    const p = (await api.get(`/api/rest/v1/products-uuid/${u1}`)).json();
    expect(p['enabled']).toBe(false);
    expect(p).not.toHaveProperty('identifier');
  });

  it('413 over 100 lines, nothing processed', async () => {
    const lines = Array.from({ length: 101 }, (_, i) => ({ identifier: `p${i}` }));
    const linesBefore = sb.stats().lines;
    const r = await api.ndjson('/api/rest/v1/products', lines);
    expect(r.status).toBe(413);
    expect(r.json()).toEqual({ code: 413, message: 'Too many resources to process, 100 is the maximum allowed.' });
    expect(sb.stats().products).toBe(0);
    // Refused whole: no line was processed.
    expect(sb.stats().lines).toEqual(linesBefore);
  });

  it('a line over 1,000,000 characters gets a 413 line', async () => {
    const long = JSON.stringify({ identifier: 'long', values: { marketing_claims: [{ locale: 'en_US', scope: null, data: 'x'.repeat(1_000_001) }] } });
    const r = await api.ndjson('/api/rest/v1/products', [long, { identifier: 'short' }]);
    expect(r.text.split('\n').map((l) => JSON.parse(l))).toEqual([
      { line: 1, status_code: 413, message: 'Line is too long.' },
      { line: 2, identifier: 'short', status_code: 201 },
    ]);
  });

  it('415 on the wrong content type', async () => {
    const r = await api.call('PATCH', '/api/rest/v1/products', '{"identifier":"a"}', 'application/json');
    expect(r.status).toBe(415);
  });

  it('structure collections use the code key', async () => {
    const r = await api.ndjson('/api/rest/v1/attributes', [
      { code: 'color', type: 'pim_catalog_simpleselect', group: 'other' },
      { code: 'weight', type: 'pim_catalog_metric', group: 'other', metric_family: 'Weight', default_metric_unit: 'KILOGRAM', decimals_allowed: true, negative_allowed: false },
      { type: 'pim_catalog_text' },
    ]);
    expect(r.text.split('\n').map((l) => JSON.parse(l))).toEqual([
      { line: 1, code: 'color', status_code: 201 },
      { line: 2, code: 'weight', status_code: 201 },
      { line: 3, status_code: 422, message: 'Code is missing.' },
    ]);
    const opts = await api.ndjson('/api/rest/v1/attributes/color/options', [{ code: 'red' }, { code: 'blue', labels: { en_US: 'Blue' } }]);
    expect(opts.text).toBe('{"line":1,"code":"red","status_code":201}\n{"line":2,"code":"blue","status_code":201}');
    const list = (await api.get('/api/rest/v1/attributes/color/options')).json<{ _embedded: { items: { code: string }[] } }>();
    expect(list._embedded.items.map((i) => i.code)).toEqual(['red', 'blue']);
  });

  it('product models collection and variants under them', async () => {
    await api.ndjson('/api/rest/v1/attributes', [
      { code: 'color', type: 'pim_catalog_simpleselect', group: 'other' },
      { code: 'name', type: 'pim_catalog_text', group: 'other' },
    ]);
    await api.ndjson('/api/rest/v1/attributes/color/options', [{ code: 'red' }, { code: 'blue' }]);
    expect((await api.call('POST', '/api/rest/v1/families', { code: 'shirts', attributes: ['sku', 'color', 'name'], attribute_as_label: 'sku' })).status).toBe(201);
    const fv = await api.call('POST', '/api/rest/v1/families/shirts/variants', {
      code: 'shirts_color',
      variant_attribute_sets: [{ level: 1, axes: ['color'], attributes: ['color'] }],
    });
    expect(fv.status).toBe(201);
    const pm = await api.ndjson('/api/rest/v1/product-models', [
      { code: 'shirt', family_variant: 'shirts_color', values: { name: [{ locale: null, scope: null, data: 'Shirt' }] } },
    ]);
    expect(pm.text).toBe('{"line":1,"code":"shirt","status_code":201}');
    const v = await api.ndjson('/api/rest/v1/products', [
      { identifier: 'shirt-red', family: 'shirts', parent: 'shirt', values: { color: [{ locale: null, scope: null, data: 'red' }] } },
    ]);
    expect(v.text).toBe('{"line":1,"identifier":"shirt-red","status_code":201}');
    const got = (await api.get('/api/rest/v1/products/shirt-red')).json<{ values: Record<string, unknown> }>();
    // inherited from the model
    expect(got.values['name']).toEqual([{ locale: null, scope: null, data: 'Shirt' }]);
    const models = (await api.get('/api/rest/v1/product-models?with_count=true')).json();
    expect(models['items_count']).toBe(1);
    const q = (s: unknown) => api.get(`/api/rest/v1/product-models?search=${encodeURIComponent(JSON.stringify(s))}`);
    const hit = (await q({ name: [{ operator: 'CONTAINS', value: 'shirt' }] })).json<{ _embedded: { items: { code: string }[] } }>();
    expect(hit._embedded.items.map((i) => i.code)).toEqual(['shirt']);
    const miss = (await q({ name: [{ operator: 'CONTAINS', value: 'dress' }] })).json<{ _embedded: { items: unknown[] } }>();
    expect(miss._embedded.items).toEqual([]);
    // variant products see inherited values in filters too
    const variants = (await api.get(`/api/rest/v1/products?search=${encodeURIComponent(JSON.stringify({ name: [{ operator: '=', value: 'Shirt' }] }))}`)).json<{
      _embedded: { items: { identifier: string }[] };
    }>();
    expect(variants._embedded.items.map((i) => i.identifier)).toEqual(['shirt-red']);
    expect((await api.call('DELETE', '/api/rest/v1/product-models/shirt')).status).toBe(204);
    expect((await api.get('/api/rest/v1/products/shirt-red')).status).toBe(404);
  });
});
