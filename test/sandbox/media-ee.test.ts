import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../../src/sandbox/index.js';
import { parseMultipart } from '../../src/sandbox/multipart.js';
import { Api, openSandbox } from './helpers.js';

function multipart(fields: Record<string, string>, file?: { name: string; type: string; data: Buffer }): { body: Buffer; type: string } {
  const boundary = '----ferryTestBoundary42';
  const chunks: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  if (file) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`));
    chunks.push(file.data, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), type: `multipart/form-data; boundary=${boundary}` };
}

describe('media files', () => {
  let sb: RunningSandbox;
  let api: Api;
  beforeAll(async () => {
    ({ sb, api } = await openSandbox({ catalog: 'demo' }));
    await api.call('POST', '/api/rest/v1/families', { code: 'media_family', attributes: ['sku', 'packshot'], attribute_as_label: 'sku' });
    await api.call('POST', '/api/rest/v1/products', { identifier: 'm1', family: 'media_family' });
  });
  afterAll(() => sb.close());

  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 0, 255]);
  const upload = (fields: Record<string, string>, file?: { name: string; type: string; data: Buffer }) => {
    const m = multipart(fields, file);
    return api.raw('POST', '/api/rest/v1/media-files', { headers: { authorization: `Bearer ${api.token}`, 'content-type': m.type }, body: m.body });
  };

  it('parses multipart bodies with binary content', async () => {
    const m = multipart({ a: '1' }, { name: 'x.png', type: 'image/png', data: png });
    const parts = await parseMultipart(m.body, '----ferryTestBoundary42');
    expect(parts.map((p) => p.name)).toEqual(['a', 'file']);
    expect(parts[1]?.filename).toBe('x.png');
    expect(Buffer.compare(parts[1]?.data ?? Buffer.alloc(0), png)).toBe(0);
  });

  it('upload sets the product value; metadata and download round-trip', async () => {
    const r = await upload({ product: JSON.stringify({ identifier: 'm1', attribute: 'packshot', scope: null, locale: null }) }, { name: 'front.png', type: 'image/png', data: png });
    expect(r.status, r.text).toBe(201);
    const location = r.headers.get('location') ?? '';
    const code = location.split('/media-files/')[1] ?? '';
    expect(code).toMatch(/^[0-9a-f]\/[0-9a-f]\/[0-9a-f]\/[0-9a-f]\/[0-9a-f]{40}_front\.png$/);
    const product = (await api.get('/api/rest/v1/products/m1')).json<{ values: Record<string, { data: unknown }[]> }>();
    expect(product.values['packshot']?.[0]?.data).toBe(code);
    const meta = (await api.get(`/api/rest/v1/media-files/${code}`)).json();
    expect(meta).toMatchObject({ code, original_filename: 'front.png', mime_type: 'image/png', size: png.length, extension: 'png' });
    expect((meta['_links'] as { download: { href: string } }).download.href).toBe(`${sb.url}/api/rest/v1/media-files/${code}/download`);
    const dl = await fetch(`${sb.url}/api/rest/v1/media-files/${code}/download`, { headers: { authorization: `Bearer ${api.token}`, accept: 'image/png' } });
    expect(dl.headers.get('content-type')).toBe('image/png');
    expect(Buffer.compare(Buffer.from(await dl.arrayBuffer()), png)).toBe(0);
    const list = (await api.get('/api/rest/v1/media-files')).json<{ _embedded: { items: { code: string }[] } }>();
    expect(list._embedded.items.map((i) => i.code)).toContain(code);
  });

  it('upload errors', async () => {
    const wrongType = await api.call('POST', '/api/rest/v1/media-files', '{}');
    expect(wrongType.status).toBe(415);
    const neither = await upload({}, { name: 'a.png', type: 'image/png', data: png });
    expect(neither.status).toBe(422);
    const noFile = await upload({ product: JSON.stringify({ identifier: 'm1', attribute: 'packshot', scope: null, locale: null }) });
    expect(noFile.json()).toEqual({ code: 422, message: 'Property "file" is required.' });
    const unknown = await upload({ product: JSON.stringify({ identifier: 'nope', attribute: 'packshot', scope: null, locale: null }) }, { name: 'a.png', type: 'image/png', data: png });
    expect(unknown.status).toBe(404);
    expect(sb.stats().mediaFiles).toBe(1);
  });

  it('asset media upload answers the code in a header', async () => {
    const m = multipart({}, { name: 'asset.jpg', type: 'image/jpeg', data: png });
    const r = await api.raw('POST', '/api/rest/v1/asset-media-files', { headers: { authorization: `Bearer ${api.token}`, 'content-type': m.type }, body: m.body });
    expect(r.status).toBe(201);
    const code = r.headers.get('asset-media-file-code') ?? '';
    expect(code).toMatch(/_asset\.jpg$/);
    const dl = await fetch(`${sb.url}/api/rest/v1/asset-media-files/${code}`, { headers: { authorization: `Bearer ${api.token}` } });
    expect(dl.status).toBe(200);
  });
});

describe('EE reference entities and assets', () => {
  let sb: RunningSandbox;
  let api: Api;
  beforeAll(async () => {
    ({ sb, api } = await openSandbox({ catalog: 'empty' }));
  });
  afterAll(() => sb.close());

  it('reference entities, their attributes and records', async () => {
    expect((await api.call('PATCH', '/api/rest/v1/reference-entities/brands', { code: 'brands', labels: { en_US: 'Brands' } })).status).toBe(201);
    expect((await api.call('PATCH', '/api/rest/v1/reference-entities/brands', { labels: { fr_FR: 'Marques' } })).status).toBe(204);
    expect((await api.get('/api/rest/v1/reference-entities/brands')).json()).toEqual({ code: 'brands', labels: { en_US: 'Brands', fr_FR: 'Marques' }, image: null });
    expect((await api.call('PATCH', '/api/rest/v1/reference-entities/brands/attributes/country', { code: 'country', type: 'text', value_per_locale: false, value_per_channel: false })).status).toBe(201);
    const batch = await api.call('PATCH', '/api/rest/v1/reference-entities/brands/records', [
      { code: 'acme', values: { label: [{ locale: 'en_US', channel: null, data: 'Acme' }], country: [{ locale: null, channel: null, data: 'FR' }] } },
      { code: 'globex', values: { unknown: [{ locale: null, channel: null, data: 'x' }] } },
      { values: {} },
    ]);
    expect(batch.status).toBe(200);
    expect(batch.json<Record<string, unknown>[]>().map((l) => [l['code'], l['status_code']])).toEqual([
      ['acme', 201],
      ['globex', 422],
      [null, 422],
    ]);
    await api.call('PATCH', '/api/rest/v1/reference-entities/brands/records/acme', { code: 'acme', values: { country: [{ locale: null, channel: null, data: null }] } });
    const acme = (await api.get('/api/rest/v1/reference-entities/brands/records/acme')).json<{ values: Record<string, unknown> }>();
    expect(acme.values).toEqual({ label: [{ locale: 'en_US', channel: null, data: 'Acme' }] });
    for (const c of ['b1', 'b2', 'b3']) await api.call('PATCH', `/api/rest/v1/reference-entities/brands/records/${c}`, { code: c });
    const page = (await api.get('/api/rest/v1/reference-entities/brands/records?limit=2')).json<{ _links: { next?: { href: string } }; _embedded: { items: { code: string }[] } }>();
    expect(page._embedded.items.map((i) => i.code)).toEqual(['acme', 'b1']);
    expect(page._links.next?.href).toContain('search_after=b1');
    expect((await api.get('/api/rest/v1/reference-entities/nope/records')).status).toBe(404);
    const tooMany = await api.call('PATCH', '/api/rest/v1/reference-entities/brands/records', Array.from({ length: 101 }, (_, i) => ({ code: `r${i}` })));
    expect(tooMany.status).toBe(413);
    // Akeneo's API cannot delete a record (GET and PATCH only): the router's 405.
    const del = await api.call('DELETE', '/api/rest/v1/reference-entities/brands/records/acme');
    expect(del.status).toBe(405);
    expect(del.json<{ message: string }>().message).toMatch(/Method Not Allowed \(Allow: GET, PATCH\)/);
  });

  it('asset families and assets', async () => {
    expect((await api.call('PATCH', '/api/rest/v1/asset-families/packshots', { code: 'packshots', attribute_as_main_media: 'media' })).status).toBe(201);
    expect((await api.call('PATCH', '/api/rest/v1/asset-families/packshots/attributes/media', { code: 'media', type: 'media_file' })).status).toBe(201);
    const r = await api.call('PATCH', '/api/rest/v1/asset-families/packshots/assets', [{ code: 'a1', values: { media: [{ locale: null, channel: null, data: 'x/y/z.jpg' }] } }]);
    expect(r.json()).toEqual([{ code: 'a1', status_code: 201 }]);
    expect((await api.get('/api/rest/v1/asset-families/packshots/assets/a1')).json()).toMatchObject({ code: 'a1' });
    expect((await api.call('DELETE', '/api/rest/v1/asset-families/packshots/assets/a1')).status).toBe(204);
    expect((await api.get('/api/rest/v1/asset-families/packshots/assets/a1')).status).toBe(404);
  });
});
