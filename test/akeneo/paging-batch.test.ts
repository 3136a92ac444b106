import { describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { search, MAX_LINE_CHARS, type Product } from '../../src/akeneo/index.js';
import { json } from './support/fake-akeneo.js';
import { fakeAkeneoPerTest } from './support/per-test.js';

const akeneo = fakeAkeneoPerTest();

describe('pagination', () => {
  it('walks thousands of products with search_after, following next links verbatim', async () => {
    const fake = await akeneo.start();
    const uuids = Array.from({ length: 3456 }, () => randomUUID()).sort();
    for (const uuid of uuids) fake.products.set(uuid, { uuid, family: 'shoes' });
    const { c } = akeneo.clientWithEvents(fake);
    const seen: string[] = [];
    for await (const p of c.products.list({ scope: 'ecommerce', locales: ['en_US', 'fr_FR'] })) {
      expect(p).not.toHaveProperty('_links');
      seen.push(p.uuid!);
    }
    expect(seen).toEqual(uuids);
    const lists = fake.apiRequests().filter((r) => r.path === '/api/rest/v1/products-uuid' && r.method === 'GET');
    expect(lists).toHaveLength(35);
    expect(lists[0]!.query.get('pagination_type')).toBe('search_after');
    expect(lists[0]!.query.get('limit')).toBe('100');
    expect(lists[0]!.query.get('locales')).toBe('en_US,fr_FR');
    expect(lists[0]!.query.get('scope')).toBe('ecommerce');
    // The opaque cursor came from the server's link, never built by the client.
    expect(lists[1]!.query.get('search_after')).toBe(Buffer.from(uuids[99]!).toString('base64url'));
  });

  it('never sends the token to another host named in a next link', async () => {
    const fake = await akeneo.start();
    fake.on('GET', /^\/api\/rest\/v1\/families$/, (req, res) => {
      const page = Number(req.query.get('page') ?? 1);
      json(res, 200, {
        _links: { self: { href: 'x' }, ...(page === 1 ? { next: { href: 'http://pim-internal.example:8080/api/rest/v1/families?page=2&limit=100' } } : {}) },
        _embedded: { items: [{ code: `f${page}` }] },
      });
    });
    const { c } = akeneo.clientWithEvents(fake);
    const codes: string[] = [];
    for await (const f of c.families.list()) codes.push(f.code);
    expect(codes).toEqual(['f1', 'f2']);
    expect(fake.apiRequests().filter((r) => r.path === '/api/rest/v1/families').map((r) => r.query.get('page'))).toEqual([null, '2']);
  });

  it('uses page mode elsewhere and stops at an empty page', async () => {
    const fake = await akeneo.start();
    for (let i = 0; i < 200; i++) fake.categories.set(`c${i}`, { code: `c${i}`, parent: null });
    const { c } = akeneo.clientWithEvents(fake);
    const codes: string[] = [];
    for await (const cat of c.categories.list()) codes.push(cat.code);
    expect(codes).toHaveLength(200);
    const lists = fake.apiRequests().filter((r) => r.path === '/api/rest/v1/categories');
    expect(lists.map((r) => r.query.get('page'))).toEqual([null, '2', '3']);
    expect(lists[0]!.query.has('pagination_type')).toBe(false);
  });

  it('pagesAtOnce: the first page asks for the total, the others go out together and come back in order', async () => {
    const fake = await akeneo.start();
    const total = 345;
    let inFlight = 0;
    let peak = 0;
    fake.on('GET', /^\/api\/rest\/v1\/locales$/, (req, res) => {
      const page = Number(req.query.get('page') ?? 1);
      inFlight++;
      peak = Math.max(peak, inFlight);
      // Later pages answer first: the items must still come in page order.
      setTimeout(() => {
        inFlight--;
        const items = Array.from({ length: Math.max(0, Math.min(100, total - (page - 1) * 100)) }, (_, i) => ({ code: `l${String((page - 1) * 100 + i).padStart(3, '0')}`, enabled: true }));
        json(res, 200, {
          _links: { self: { href: 'x' }, ...(items.length === 100 ? { next: { href: `${fake.url}/api/rest/v1/locales?page=${page + 1}&limit=100` } } : {}) },
          ...(req.query.get('with_count') === 'true' ? { items_count: total } : {}),
          _embedded: { items },
        });
      }, page === 1 ? 5 : 80 - page * 10);
    });
    const { c } = akeneo.clientWithEvents(fake);
    const codes: string[] = [];
    for await (const l of c.locales.list({ pagesAtOnce: true })) codes.push(l.code);
    expect(codes).toEqual(Array.from({ length: total }, (_, i) => `l${String(i).padStart(3, '0')}`));
    const lists = fake.apiRequests().filter((r) => r.path === '/api/rest/v1/locales');
    // Four pages, four requests: the total from the first, pages 2–4 at once (the last is not full: no next link to follow).
    expect(lists.map((r) => r.query.get('page'))).toEqual(['1', '2', '3', '4']);
    expect(lists[0]!.query.get('with_count')).toBe('true');
    expect(peak).toBe(3);
    // Without it: one page after the other.
    peak = 0;
    const again: string[] = [];
    for await (const l of c.locales.list()) again.push(l.code);
    expect(again).toEqual(codes);
    expect(peak).toBe(1);
  });

  it('pagesAtOnce: items added after the count are still read, from the last page\'s next link', async () => {
    const fake = await akeneo.start();
    for (let i = 0; i < 200; i++) fake.categories.set(`c${String(i).padStart(3, '0')}`, { code: `c${String(i).padStart(3, '0')}`, parent: null });
    const { c } = akeneo.clientWithEvents(fake);
    const codes: string[] = [];
    for await (const cat of c.categories.list({ pagesAtOnce: true })) {
      // Added once the pages foreseen were asked: a third page the count did not know of.
      if (codes.length === 0) for (let i = 200; i < 250; i++) fake.categories.set(`c${i}`, { code: `c${i}`, parent: null });
      codes.push(cat.code);
    }
    expect(codes).toHaveLength(250);
    expect(new Set(codes).size).toBe(250);
  });

  it('walks every chunk of a long IN list', async () => {
    const fake = await akeneo.start();
    const uuids = Array.from({ length: 250 }, () => randomUUID());
    fake.on('GET', /^\/api\/rest\/v1\/products-uuid$/, (req, res) => {
      const s = JSON.parse(req.query.get('search')!) as { uuid: { operator: string; value: string[] }[] };
      const ids = s.uuid[0]!.value;
      json(res, 200, { _links: { self: { href: 'x' } }, _embedded: { items: ids.map((uuid) => ({ uuid })) } });
    });
    const { c } = akeneo.clientWithEvents(fake);
    const seen: string[] = [];
    for await (const p of c.products.list({ search: search().uuids(uuids) })) seen.push(p.uuid!);
    expect(seen).toEqual(uuids);
    const lists = fake.apiRequests().filter((r) => r.path === '/api/rest/v1/products-uuid');
    expect(lists).toHaveLength(3);
    for (const l of lists) expect(`${fake.url}${l.path}?${l.query}`.length).toBeLessThan(8192);
  });
});

describe('batch upserts', () => {
  it('maps every line result back to its input item, generating uuids', async () => {
    const fake = await akeneo.start();
    const existing = randomUUID();
    fake.products.set(existing, { uuid: existing });
    fake.on('GET', /^\/api\/rest\/v1\/attributes$/, (_q, res) => json(res, 200, { _links: { self: { href: 'x' } }, _embedded: { items: [{ code: 'sku', type: 'pim_catalog_identifier' }] } }));
    const { c } = akeneo.clientWithEvents(fake);
    const items: Product[] = [
      { values: { sku: [{ locale: null, scope: null, data: 'A' }] } },
      { uuid: existing, family: 'shoes' },
      { uuid: randomUUID(), family: 'unknown_family' },
      { identifier: 'B', created: '2020-01-01', values: { sku: [{ locale: null, scope: null, data: 'B', linked_data: {} } as never] } },
    ];
    const results = await c.products.upsertMany(items);
    expect(results.map((r) => [r.index, r.outcome, r.status, r.line])).toEqual([
      [0, 'created', 201, 1],
      [1, 'updated', 204, 2],
      [2, 'failed', 422, 3],
      [3, 'created', 201, 4],
    ]);
    results.forEach((r, i) => expect(r.input).toBe(items[i]));
    expect(results[0]!.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(results[0]!.key).toBe(results[0]!.uuid);
    expect(fake.products.has(results[0]!.uuid!)).toBe(true);
    expect(items[0]).not.toHaveProperty('uuid'); // the input is not mutated
    expect(results[2]!.errors).toEqual([{ property: 'family', message: 'The unknown_family family does not exist in your PIM.' }]);
    expect(results[2]!.message).toBe(`product ${items[2]!.uuid}: Validation failed. family: The unknown_family family does not exist in your PIM.`);
    // Read-only and foreign fields stripped from the wire.
    const sent = fake.apiRequests().find((r) => r.method === 'PATCH')!.text.split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(sent[3]).not.toHaveProperty('identifier');
    expect(sent[3]).not.toHaveProperty('created');
    expect(sent[3]!.values).toEqual({ sku: [{ locale: null, scope: null, data: 'B' }] });
  });

  it('sends at most 100 lines per call, 4 calls in flight, results in input order', async () => {
    const fake = await akeneo.start({ latencyMs: 40 });
    const { c } = akeneo.clientWithEvents(fake);
    const items = Array.from({ length: 1234 }, (_, i) => ({ uuid: randomUUID(), values: { sku: [{ locale: null, scope: null, data: `S${i}` }] } }));
    const results = await c.products.upsertMany(items);
    expect(results).toHaveLength(1234);
    expect(results.every((r, i) => r.index === i && r.input === items[i] && r.outcome === 'created' && r.uuid === items[i]!.uuid)).toBe(true);
    const calls = fake.apiRequests().filter((r) => r.method === 'PATCH');
    expect(calls).toHaveLength(13);
    expect(Math.max(...calls.map((r) => r.text.split('\n').length))).toBe(100);
    expect(fake.peakInFlight).toBe(4);
    expect(calls.every((r) => r.headers['content-type'] === 'application/vnd.akeneo.collection+json')).toBe(true);
  });

  it('splits a batch the server refuses with 413 and still maps results', async () => {
    const fake = await akeneo.start({ maxLines: 30 });
    const { c } = akeneo.clientWithEvents(fake);
    const items = Array.from({ length: 100 }, () => ({ uuid: randomUUID() }));
    const results = await c.products.upsertMany(items);
    expect(results.every((r, i) => r.outcome === 'created' && r.uuid === items[i]!.uuid)).toBe(true);
    const sizes = fake.apiRequests().filter((r) => r.method === 'PATCH').map((r) => r.text.split('\n').length);
    // 100 → 413; 50 → 413 ×2; 25 ×4 accepted.
    expect(sizes.filter((n) => n === 100)).toHaveLength(1);
    expect(sizes.filter((n) => n === 50)).toHaveLength(2);
    expect(sizes.filter((n) => n <= 30).reduce((a, b) => a + b, 0)).toBe(100);
    expect(new Set(results.map((r) => r.line)).size).toBeGreaterThan(1);
  });

  it('refuses a line over 1,000,000 characters before sending, and sends the rest', async () => {
    const fake = await akeneo.start();
    const { c } = akeneo.clientWithEvents(fake);
    const huge = { uuid: randomUUID(), values: { description: [{ locale: null, scope: null, data: 'x'.repeat(MAX_LINE_CHARS) }] } };
    const small = { uuid: randomUUID() };
    const results = await c.products.upsertMany([huge, small]);
    expect(results[0]).toMatchObject({ outcome: 'failed', status: 413, line: 0, index: 0, key: huge.uuid });
    expect(results[0]!.message).toMatch(/not sent: its JSON is 1,000,\d{3} characters and Akeneo refuses lines over 1,000,000/);
    expect(results[1]).toMatchObject({ outcome: 'created', line: 1 });
    const sent = fake.apiRequests().filter((r) => r.method === 'PATCH');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).not.toContain('xxxxxxxx');
  });

  it('writes parent categories before children across chunks', async () => {
    const fake = await akeneo.start();
    // The chunk holding the first roots is slow: a child chunk sent concurrently would arrive first.
    fake.delayFor = (req) => (req.method === 'PATCH' && req.text.startsWith('{"code":"r0"') ? 150 : 0);
    const { c } = akeneo.clientWithEvents(fake);
    // 150 roots then 150 children whose parents sit in the first chunk, then grandchildren.
    const cats = [
      ...Array.from({ length: 150 }, (_, i) => ({ code: `r${i}`, parent: null })),
      ...Array.from({ length: 150 }, (_, i) => ({ code: `c${i}`, parent: `r${i}` })),
      ...Array.from({ length: 50 }, (_, i) => ({ code: `g${i}`, parent: `c${149 - i}` })),
    ];
    const results = await c.categories.upsertMany(cats);
    expect(results.filter((r) => r.outcome !== 'created')).toEqual([]);
    // Independent chunks still overlap: only the dependent ones waited.
    const patches = fake.apiRequests().filter((r) => r.method === 'PATCH');
    expect(patches).toHaveLength(4);
  });

  it('reports each item of a chunk whose call failed, with the reason', async () => {
    const fake = await akeneo.start();
    fake.on('PATCH', /^\/api\/rest\/v1\/products-uuid$/, (_q, res) => json(res, 403, { code: 403, message: 'Access forbidden. You are not allowed to create or update products.' }));
    const { c } = akeneo.clientWithEvents(fake);
    const results = await c.products.upsertMany([{ uuid: randomUUID() }, { uuid: randomUUID() }]);
    expect(results.map((r) => [r.outcome, r.status])).toEqual([
      ['failed', 403],
      ['failed', 403],
    ]);
    expect(results[0]!.message).toMatch(/was not written: PATCH \/api\/rest\/v1\/products-uuid failed with HTTP 403: Access forbidden/);
  });

  it('reports an item the answer forgot', async () => {
    const fake = await akeneo.start();
    fake.on('PATCH', /^\/api\/rest\/v1\/products-uuid$/, (req, res) => {
      const first = JSON.parse(req.text.split('\n')[0]!) as { uuid: string };
      res.writeHead(200, { 'Content-Type': 'application/vnd.akeneo.collection+json' });
      res.end(JSON.stringify({ line: 1, uuid: first.uuid, status_code: 201 }));
    });
    const { c } = akeneo.clientWithEvents(fake);
    const results = await c.products.upsertMany([{ uuid: randomUUID() }, { uuid: randomUUID() }]);
    expect(results[0]!.outcome).toBe('created');
    expect(results[1]).toMatchObject({ outcome: 'failed', status: 0, line: 2 });
    expect(results[1]!.message).toMatch(/has no result for line 2; it may or may not be written, send it again/);
  });
});

describe('media files', () => {
  it('uploads as multipart, takes the code from Location, reads and downloads it', async () => {
    const fake = await akeneo.start();
    const { c } = akeneo.clientWithEvents(fake);
    const content = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 255]);
    const code = await c.mediaFiles.upload({ content, filename: 'shoe front.png', product: { identifier: 'SKU-1', attribute: 'picture' } });
    expect(code).toMatch(/^[0-9a-f]\/[0-9a-f]\/[0-9a-f]\/[0-9a-f]\/[0-9a-f]{32}_shoe front\.png$/);
    const stored = fake.media.get(code)!;
    expect(stored.content.equals(content)).toBe(true);
    expect(stored.contentType).toBe('image/png');
    expect(JSON.parse(stored.fields.product!)).toEqual({ identifier: 'SKU-1', attribute: 'picture', locale: null, scope: null });
    const meta = await c.mediaFiles.get(code);
    expect(meta).toMatchObject({ code, original_filename: 'shoe front.png', mime_type: 'image/png', size: content.length });
    expect((await c.mediaFiles.download(code)).equals(content)).toBe(true);
    const download = fake.apiRequests().find((r) => r.path.endsWith('/download'))!;
    expect(download.headers.accept).toBeUndefined();
    expect(fake.apiRequests().find((r) => r.method === 'POST')!.headers['user-agent']).toMatch(/^ferry\/\d+\.\d+\.\d+/);
  });

  it('does not resend an upload that failed after sending', async () => {
    const fake = await akeneo.start();
    fake.on('POST', /media-files$/, (_q, res) => json(res, 500, { code: 500, message: 'disk full' }));
    const { c } = akeneo.clientWithEvents(fake);
    await expect(c.mediaFiles.upload({ content: Buffer.from('x'), filename: 'a.txt', productModel: { code: 'm1', attribute: 'notice' } })).rejects.toThrow(/disk full/);
    expect(fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('media-files'))).toHaveLength(1);
  });
});

describe('batch upserts with refused credentials', () => {
  it('stops and throws the auth error instead of reporting thousands of failures', async () => {
    const fake = await akeneo.start({ latencyMs: 5 });
    const { c } = akeneo.clientWithEvents(fake);
    await c.products.find('00000000-0000-4000-8000-000000000000');
    fake.expireAccessTokens();
    fake.refreshTokens.clear();
    fake.options.password = 'changed-in-the-pim';
    const items = Array.from({ length: 2000 }, () => ({ uuid: randomUUID() }));
    await expect(c.products.upsertMany(items)).rejects.toThrow(/username or password/);
    expect(fake.apiRequests().filter((r) => r.method === 'PATCH').length).toBeLessThan(20);
  });
});
