import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import { Api, COLLECTION, openSandbox } from './helpers.js';

describe('sandbox protocol errors', () => {
  let sb: RunningSandbox;
  let api: Api;
  beforeAll(async () => {
    ({ sb, api } = await openSandbox({ catalog: 'demo' }));
  });
  afterAll(() => sb.close());

  it('406 for a non-JSON Accept, 200 for none or JSON', async () => {
    const bad = await api.raw('GET', '/api/rest/v1/categories/master', { headers: { authorization: `Bearer ${api.token}`, accept: 'application/xml' } });
    expect(bad.status).toBe(406);
    expect(bad.json()).toEqual({ code: 406, message: '"application/xml" in "Accept" header is not valid. Only "application/json" is allowed.' });
    const ok = await api.raw('GET', '/api/rest/v1/categories/master', { headers: { authorization: `Bearer ${api.token}`, accept: 'application/json' } });
    expect(ok.status).toBe(200);
  });

  it('415 for missing and wrong content types', async () => {
    const wrong = await api.call('PATCH', '/api/rest/v1/products/x', '{}', 'application/xml');
    expect(wrong.json()).toEqual({ code: 415, message: '"application/xml" in "Content-Type" header is not valid. Only "application/json" is allowed.' });
    const missing = await api.raw('POST', '/api/rest/v1/products', { headers: { authorization: `Bearer ${api.token}` }, body: '{}' });
    expect(missing.status).toBe(415);
    const collection = await api.call('PATCH', '/api/rest/v1/categories', '{"code":"x"}', 'application/json');
    expect(collection.json()).toEqual({
      code: 415,
      message: '"application/json" in "Content-Type" header is not valid. Only "application/vnd.akeneo.collection+json" is allowed.',
    });
  });

  it('400 Invalid json message received for malformed and empty bodies', async () => {
    for (const body of ['{', '']) {
      const r = await api.call('PATCH', '/api/rest/v1/attributes/sku', body);
      expect(r.status).toBe(400);
      expect(r.text).toBe('{"code":400,"message":"Invalid json message received"}');
    }
  });

  it('404 for unknown routes, 405 for known routes with another method', async () => {
    const r = await api.get('/api/rest/v1/nope');
    expect(r.status).toBe(404);
    expect(r.json()['message']).toMatch(/^No route found for "GET http:\/\/.*\/api\/rest\/v1\/nope"$/);
    const m = await api.call('DELETE', '/api/rest/v1/locales');
    expect(m.status).toBe(405);
    expect(m.json()['message']).toContain('Method Not Allowed (Allow: GET)');
  });

  it('404 bodies for unknown entities', async () => {
    expect((await api.get('/api/rest/v1/families/nope')).json()).toEqual({ code: 404, message: 'Family "nope" does not exist.' });
    expect((await api.get('/api/rest/v1/attributes/nope')).json()).toEqual({ code: 404, message: 'Attribute "nope" does not exist.' });
    expect((await api.get('/api/rest/v1/categories/nope')).json()).toEqual({ code: 404, message: 'Category "nope" does not exist.' });
    expect((await api.get('/api/rest/v1/products/nope')).json()).toEqual({
      code: 404,
      message: 'Product "nope" does not exist or you do not have permission to access it.',
    });
    expect((await api.call('DELETE', '/api/rest/v1/products/nope')).json()).toEqual({
      code: 404,
      message: 'The nope product does not exist in your PIM or you do not have permission to access it.',
    });
    expect((await api.get('/api/rest/v1/attributes/sku/options')).json()).toEqual({
      code: 404,
      message: 'Attribute "sku" does not support options. Only attributes of type "pim_catalog_simpleselect", "pim_catalog_multiselect" support options.',
    });
  });

  it('refuses bracket syntax in query parameters', async () => {
    const r = await api.get('/api/rest/v1/products?foo[]=x');
    expect(r.json()).toEqual({ code: 400, message: 'Bracket syntax is not supported in query parameters.' });
  });

  it('serves the API root without a token and system-information with one', async () => {
    const root = await api.raw('GET', '/api/rest/v1');
    expect(root.status).toBe(200);
    expect(root.json()['authentication']).toBeDefined();
    const info = await api.get('/api/rest/v1/system-information');
    expect(info.json()).toEqual({ version: expect.any(String), edition: 'Serenity' });
  });

  it('writes answer 201/204 with an absolute Location and an empty body', async () => {
    const created = await api.call('POST', '/api/rest/v1/products', { identifier: 'loc-1' });
    expect(created.status).toBe(201);
    expect(created.text).toBe('');
    expect(created.headers.get('location')).toBe(`${sb.url}/api/rest/v1/products/loc-1`);
    const updated = await api.call('PATCH', '/api/rest/v1/products/loc-1', { identifier: 'loc-1', enabled: false });
    expect(updated.status).toBe(204);
    expect(updated.headers.get('location')).toBe(`${sb.url}/api/rest/v1/products/loc-1`);
    const uuid = (await api.get('/api/rest/v1/products/loc-1')).json<{ uuid: string }>().uuid;
    const viaUuid = await api.call('PATCH', `/api/rest/v1/products-uuid/${uuid}`, { enabled: true });
    expect(viaUuid.status).toBe(204);
    expect(viaUuid.headers.get('location')).toBe(`${sb.url}/api/rest/v1/products-uuid/${uuid}`);
    const del = await api.call('DELETE', `/api/rest/v1/products-uuid/${uuid}`);
    expect(del.status).toBe(204);
    expect((await api.get('/api/rest/v1/products/loc-1')).status).toBe(404);
  });

  it('channel writes activate the locales and currencies they use', async () => {
    expect((await api.get('/api/rest/v1/locales/es_ES')).json()).toEqual({ code: 'es_ES', enabled: false });
    const r = await api.call('POST', '/api/rest/v1/channels', { code: 'spain', locales: ['es_ES'], currencies: ['GBP'], category_tree: 'master' });
    expect(r.status, r.text).toBe(201);
    expect((await api.get('/api/rest/v1/locales/es_ES')).json()).toEqual({ code: 'es_ES', enabled: true });
    expect((await api.get('/api/rest/v1/currencies/GBP')).json()).toMatchObject({ code: 'GBP', enabled: true });
    await sb.reset();
    expect((await api.get('/api/rest/v1/locales/es_ES')).json()).toEqual({ code: 'es_ES', enabled: false });
  });

  it('JSON bodies are escaped the way PHP json_encode writes them', async () => {
    const r = await api.ndjson('/api/rest/v1/products', [{ identifier: 'foo', group: 'x' }]);
    expect(r.headers.get('content-type')).toBe(COLLECTION);
    expect(r.text).toContain('http:\\/\\/api.akeneo.com\\/api-reference.html#patch_products__code_');
  });
});
