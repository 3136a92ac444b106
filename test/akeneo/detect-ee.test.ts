import { describe, expect, it } from 'vitest';
import { json, type FakeAkeneo } from './support/fake-akeneo.js';
import { fakeAkeneoPerTest } from './support/per-test.js';

const akeneo = fakeAkeneoPerTest();
const client = (f: FakeAkeneo, extra: Record<string, unknown> = {}) => akeneo.client(f, { endpoints: 'auto', ...extra });

describe('version and edition detection', () => {
  it('reads /system-information: SaaS uses uuid endpoints', async () => {
    const fake = await akeneo.start();
    fake.on('GET', /system-information$/, (_q, res) => json(res, 200, { version: '20210521041041', edition: 'Serenity' }));
    const c = client(fake);
    expect(await c.detect()).toEqual({ version: '20210521041041', edition: 'Serenity', endpointMode: 'uuid' });
    expect(await c.products.mode()).toBe('uuid');
    expect(fake.apiRequests().filter((r) => r.path.endsWith('system-information'))).toHaveLength(1); // cached
  });

  it('picks identifier endpoints on 6.0', async () => {
    const fake = await akeneo.start();
    fake.on('GET', /system-information$/, (_q, res) => json(res, 200, { version: '6.0.52', edition: 'EE' }));
    fake.on('GET', /^\/api\/rest\/v1\/products\/SKU-1$/, (_q, res) => json(res, 200, { identifier: 'SKU-1', family: null, _links: { self: { href: 'x' } } }));
    const c = client(fake);
    expect(await c.detect()).toEqual({ version: '6.0.52', edition: 'EE', endpointMode: 'identifier' });
    expect(await c.products.get('SKU-1')).toEqual({ identifier: 'SKU-1', family: null });
  });

  it('probes when /system-information is missing (5.0 and older)', async () => {
    const fake = await akeneo.start();
    fake.on('GET', /system-information$/, (_q, res) => json(res, 404, { code: 404, message: 'No route found' }));
    fake.on('GET', /^\/api\/rest\/v1\/products-uuid$/, (_q, res) => json(res, 404, { code: 404, message: 'No route found' }));
    fake.on('GET', /^\/api\/rest\/v1\/reference-entities$/, (_q, res) => json(res, 200, { _links: { self: { href: 'x' } }, _embedded: { items: [] } }));
    const c = client(fake);
    expect(await c.detect()).toEqual({ version: 'before 6.0', edition: 'EE', endpointMode: 'identifier' });
  });

  it('obeys the endpoint override', async () => {
    const fake = await akeneo.start();
    const c = client(fake, { endpoints: 'identifier' });
    expect(await c.products.mode()).toBe('identifier');
    expect(fake.apiRequests()).toHaveLength(0); // no detection needed
    expect((await c.detect()).endpointMode).toBe('identifier');
  });
});

describe('identifier endpoints', () => {
  it('batch-upserts by identifier and drops uuids from the wire', async () => {
    const fake = await akeneo.start();
    fake.on('PATCH', /^\/api\/rest\/v1\/products$/, (req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/vnd.akeneo.collection+json' });
      res.end(
        req.text
          .split('\n')
          .map((l, i) => {
            const p = JSON.parse(l) as { identifier: string };
            return JSON.stringify(p.identifier === 'BAD' ? { line: i + 1, identifier: 'BAD', status_code: 422, message: 'Property "colour" does not exist.' } : { line: i + 1, identifier: p.identifier, status_code: 201 });
          })
          .join('\n'),
      );
    });
    const c = client(fake, { endpoints: 'identifier' });
    const results = await c.products.upsertMany([{ identifier: 'A', uuid: 'ignored' }, { identifier: 'BAD' }, { family: 'x' }]);
    expect(results.map((r) => [r.key, r.outcome, r.status])).toEqual([
      ['A', 'created', 201],
      ['BAD', 'failed', 422],
      ['', 'failed', 422],
    ]);
    expect(results[1]!.message).toBe('product BAD: Property "colour" does not exist.');
    expect(results[2]!.message).toMatch(/product #3 has no identifier/);
    const sent = fake.apiRequests().find((r) => r.method === 'PATCH')!.text.split('\n');
    expect(sent).toHaveLength(2);
    expect(JSON.parse(sent[0]!)).toEqual({ identifier: 'A' });
  });
});

describe('EE resources', () => {
  it('upserts reference entity records as a JSON array and maps results by position', async () => {
    const fake = await akeneo.start();
    fake.on('PATCH', /^\/api\/rest\/v1\/reference-entities\/brand\/records$/, (req, res) => {
      const body = JSON.parse(req.text) as { code: string }[];
      json(res, 200, body.map((r) => (r.code === 'bad' ? { code: 'bad', status_code: 422, message: 'Validation failed.', errors: [{ property: 'values', message: 'unknown attribute' }] } : { code: r.code, status_code: 204 })));
    });
    const c = client(fake, { endpoints: 'uuid' });
    const results = await c.referenceEntityRecords('brand').upsertMany([
      { code: 'acme', values: { label: [{ locale: 'en_US', channel: null, data: 'Acme' }] } },
      { code: 'bad' },
    ]);
    expect(results.map((r) => [r.key, r.outcome])).toEqual([
      ['acme', 'updated'],
      ['bad', 'failed'],
    ]);
    const req = fake.apiRequests().find((r) => r.method === 'PATCH')!;
    expect(req.headers['content-type']).toBe('application/json');
    expect(Array.isArray(JSON.parse(req.text))).toBe(true);
  });

  it('lists assets with search_after only and uploads asset media', async () => {
    const fake = await akeneo.start();
    fake.on('GET', /^\/api\/rest\/v1\/asset-families\/packshots\/assets$/, (req, res) => {
      const after = req.query.get('search_after');
      json(res, 200, {
        _links: { self: { href: 'x' }, ...(after ? {} : { next: { href: `${fake.url}/api/rest/v1/asset-families/packshots/assets?search_after=abc` } }) },
        _embedded: { items: after ? [{ code: 'a2' }] : [{ code: 'a1' }] },
      });
    });
    fake.on('POST', /^\/api\/rest\/v1\/asset-media-files$/, (_q, res) => {
      res.writeHead(201, { 'Asset-media-file-code': '1/2/3/4/1234_front.jpg' });
      res.end();
    });
    const c = client(fake, { endpoints: 'uuid' });
    const codes: string[] = [];
    for await (const a of c.assets('packshots').list()) codes.push(a.code);
    expect(codes).toEqual(['a1', 'a2']);
    expect(fake.apiRequests()[0]!.query.has('pagination_type')).toBe(false);
    expect(await c.assetMediaFiles.upload({ content: Buffer.from('jpg'), filename: 'front.jpg' })).toBe('1/2/3/4/1234_front.jpg');
  });
});

describe('identifiers in uuid mode', () => {
  async function withIdentifierAttribute() {
    const fake = await akeneo.start();
    fake.on('GET', /^\/api\/rest\/v1\/attributes$/, (req, res) => {
      const s = JSON.parse(req.query.get('search') ?? '{}') as { type?: { value: string[] }[] };
      expect(s.type?.[0]?.value).toEqual(['pim_catalog_identifier']);
      json(res, 200, { _links: { self: { href: 'x' } }, _embedded: { items: [{ code: 'ean', type: 'pim_catalog_identifier', is_main_identifier: false }, { code: 'sku', type: 'pim_catalog_identifier', is_main_identifier: true }] } });
    });
    return { c: client(fake, { endpoints: 'uuid' }), fake };
  }

  it('moves a top-level identifier into the main identifier attribute', async () => {
    const { c, fake } = await withIdentifierAttribute();
    expect(await c.products.identifierAttribute()).toBe('sku');
    const results = await c.products.upsertMany([{ identifier: 'SKU-9', family: 'shoes' }, { identifier: 'SKU-10', values: { sku: [{ locale: null, scope: null, data: 'KEEP' }] } }]);
    expect(results.every((r) => r.outcome === 'created')).toBe(true);
    const lines = fake.apiRequests().find((r) => r.method === 'PATCH')!.text.split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ family: 'shoes', values: { sku: [{ locale: null, scope: null, data: 'SKU-9' }] } });
    expect(lines[0]).not.toHaveProperty('identifier');
    expect(lines[1]!.values).toEqual({ sku: [{ locale: null, scope: null, data: 'KEEP' }] });
    expect(fake.apiRequests().filter((r) => r.path === '/api/rest/v1/attributes')).toHaveLength(1);
  });

  it('resolves uuids by identifier in chunked IN searches', async () => {
    const { c, fake } = await withIdentifierAttribute();
    const known = new Map(Array.from({ length: 150 }, (_, i) => [`S${i}`, `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`]));
    fake.on('GET', /^\/api\/rest\/v1\/products-uuid$/, (req, res) => {
      const s = JSON.parse(req.query.get('search')!) as { sku: { operator: string; value: string[] }[] };
      expect(req.query.get('attributes')).toBe('sku');
      const items = s.sku[0]!.value.filter((id) => known.has(id)).map((id) => ({ uuid: known.get(id), values: { sku: [{ locale: null, scope: null, data: id }] } }));
      json(res, 200, { _links: { self: { href: 'x' } }, _embedded: { items } });
    });
    const wanted = [...known.keys(), 'MISSING-1', 'MISSING-2'];
    const map = await c.products.uuidsByIdentifier(wanted);
    expect(map.size).toBe(150);
    expect(map.get('S42')).toBe(known.get('S42'));
    expect(map.has('MISSING-1')).toBe(false);
    expect(fake.apiRequests().filter((r) => r.path === '/api/rest/v1/products-uuid')).toHaveLength(2);
  });
});
