/**
 * The test OData server itself: CAP serves the S/4-shaped API_PRODUCT_SRV with the test catalogue
 * in v4 and (through the v2 adapter) v2, refuses anonymous calls, and its fault queue works.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { testCatalog } from './catalog.js';
import { PASSWORD, startIfPossible, USER, type ODataTestServer } from './server.js';

const catalog = testCatalog();
const auth = { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` };
// Started at load time, so a server that cannot start skips the file (fails under CI=true).
const started = await startIfPossible(catalog);
const server = started as ODataTestServer;

describe.runIf(started !== null)('CAP test server', () => {
  afterAll(async () => {
    await started?.close();
  });

  it('serves every product in v4 with a count, and pages server-side', async () => {
    const res = await fetch(`${server.v4}/A_Product?$count=true`, { headers: auth });
    const body = (await res.json()) as { '@odata.count': number; '@odata.nextLink'?: string; value: unknown[] };
    expect(body['@odata.count']).toBe(catalog.products.length);
    expect(body.value.length).toBeLessThan(catalog.products.length);
    expect(body['@odata.nextLink']).toMatch(/skiptoken/);
  });

  it('serves v2 with d.results, a string __count and /Date()/ stamps', async () => {
    const res = await fetch(`${server.v2}/A_Product?$top=1&$inlinecount=allpages&$format=json`, { headers: auth });
    const body = (await res.json()) as { d: { __count: string; results: { LastChangeDateTime: string }[] } };
    expect(body.d.__count).toBe(String(catalog.products.length));
    expect(body.d.results[0]!.LastChangeDateTime).toMatch(/^\/Date\(\d+\+0000\)\/$/);
    const meta = await fetch(`${server.v2}/$metadata`, { headers: auth });
    expect(await meta.text()).toContain('Version="1.0"');
  });

  it('refuses anonymous and wrong users, and answers queued faults with Retry-After', async () => {
    expect((await fetch(`${server.v4}/A_Product`)).status).toBe(401);
    expect((await fetch(`${server.v2}/$metadata`)).status).toBe(401);
    server.failNext(1, 429, '2');
    const slow = await fetch(`${server.v4}/A_Product?$top=1`, { headers: auth });
    expect(slow.status).toBe(429);
    expect(slow.headers.get('retry-after')).toBe('2');
    expect((await fetch(`${server.v4}/A_Product?$top=1`, { headers: auth })).status).toBe(200);
  });
});
