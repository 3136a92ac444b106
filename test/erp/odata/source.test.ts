/**
 * The OData adapter against a real OData server (CAP, server.ts) serving AdventureWorks as an
 * S/4 API_PRODUCT_SRV, plus 2,500 generated products so server-driven paging runs for thousands
 * of records: protocol v2 and v4, $expand of texts in several languages, $metadata describe,
 * delta with ties / late commits / changed configurable materials, deletion flags, 429 with
 * Retry-After, Basic and OAuth 2.0 auth, and the errors a user meets first.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createOdataSource, type OdataSource } from '../../../src/erp/odata/index.js';
import type { OdataConfigInput } from '../../../src/erp/odata/config.js';
import { ErpError, type ErpRecord, type ReadOptions, type RejectedRecord } from '../../../src/erp/port.js';
import { testCatalog } from './catalog.js';
import { OAUTH_CLIENT, OAUTH_SECRET, PASSWORD, startIfPossible, USER, type ODataTestServer } from './server.js';

const BULK = 2500;
const catalog = testCatalog(BULK);
const itemCount = catalog.products.filter((p) => p.ProductType !== 'KMAT').length;
// Started at load time, so a server that cannot start skips the file (fails under CI=true).
const started = await startIfPossible(catalog);
const server = started as ODataTestServer;
const open: OdataSource[] = [];

function source(version: '2' | '4', extra: Partial<OdataConfigInput> = {}): OdataSource {
  const s = createOdataSource({
    type: 'odata',
    profile: 's4',
    url: version === '2' ? server.v2 : server.v4,
    auth: { kind: 'basic', username: USER, password: PASSWORD },
    ...extra,
  } as OdataConfigInput);
  open.push(s);
  return s;
}

async function all(s: OdataSource, stream: 'items' | 'groups', options: ReadOptions = {}): Promise<ErpRecord[]> {
  const out: ErpRecord[] = [];
  for await (const r of s.read(stream, options)) out.push(r);
  return out;
}

async function failure(p: Promise<unknown>): Promise<ErpError> {
  const error = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ErpError);
  return error as ErpError;
}

async function setProduct(product: string, values: Record<string, unknown>): Promise<void> {
  await server.db((cds, db) => db.run(cds.ql.UPDATE('s4.A_Product').set(values).where({ Product: product })));
}

describe.runIf(started !== null)('OData adapter against CAP (S/4 API_PRODUCT_SRV)', () => {
  afterAll(async () => {
    for (const s of open) await s.close();
    await started?.close();
  });

  it('v4: reads every item across server-driven pages, with texts in several languages and exact weights', async () => {
    const s = source('4');
    server.requests.length = 0;
    const items = await all(s, 'items');
    expect(items).toHaveLength(itemCount);
    expect(new Set(items.map((i) => i.key)).size).toBe(itemCount);
    // CAP pages at 200 rows: every next link was followed, as the server gave it.
    expect(server.requests.filter((r) => r.includes('$skiptoken')).length).toBeGreaterThanOrEqual(Math.floor(itemCount / 200));
    const bulk = items.find((i) => i.key === 'BULK-000007')!;
    expect(bulk.fields.name).toEqual({ kind: 'localized', values: { en: 'Bulk product 7', fr: 'Produit en vrac 7' } });
    expect(bulk.fields.weight).toEqual({ kind: 'quantity', amount: '8.125', unit: 'kg' });
    expect(bulk.updatedAt).toBe('2024-01-01T00:00:07.000Z');
    expect(bulk.active).toBe(true);
    if (catalog.source === 'adventureworks') {
      const bike = items.find((i) => i.key === 'BK-M82B-38')!;
      expect(bike.group).toMatch(/^MODEL-\d{3}$/);
      expect(bike.fields.weight).toMatchObject({ kind: 'quantity', unit: 'lb' });
      expect((bike.fields.weight as { amount: string }).amount).toMatch(/^20\.350?$/);
      const description = bike.fields.description as { values: Record<string, string> };
      expect(Object.keys(description.values).sort()).toEqual(['ar', 'en', 'fr', 'he', 'th', 'zh-cht']);
    }
  }, 60_000);

  it('v2 reads the same records as v4 (d.results, __next, /Date()/ stamps, string decimals)', async () => {
    const v4 = await all(source('4'), 'items', { keys: ['BULK-000001', 'BULK-000002', 'BK-M82B-38', 'GEN-000003'] });
    const v2 = await all(source('2'), 'items', { keys: ['BULK-000001', 'BULK-000002', 'BK-M82B-38', 'GEN-000003'] });
    expect(v2.length).toBeGreaterThanOrEqual(2);
    expect(v2).toEqual(v4);
    server.requests.length = 0;
    const everything = await all(source('2'), 'items');
    expect(everything).toHaveLength(itemCount);
    expect(server.requests.filter((r) => r.startsWith('/odata/v2/') && r.includes('$skiptoken')).length).toBeGreaterThanOrEqual(Math.floor(itemCount / 200));
    const groups = await all(source('2'), 'groups');
    expect(groups.length).toBe(catalog.products.length - itemCount);
    expect(groups.every((g) => g.key.startsWith('MODEL-') && g.group === undefined)).toBe(catalog.source === 'adventureworks');
  }, 60_000);

  it("a keys-only read (fields: 'none', a queued run's plan): the same keys, groups, dates and flags, no field, no $expand of texts", async () => {
    const whole = await all(source('4'), 'items');
    server.requests.length = 0;
    const keysOnly = await all(source('4'), 'items', { fields: 'none' });
    const shape = (r: ErpRecord) => ({ key: r.key, group: r.group ?? null, updatedAt: r.updatedAt, categories: r.categories ?? [], active: r.active });
    expect(keysOnly.map(shape)).toEqual(whole.map(shape));
    expect(keysOnly.every((i) => Object.keys(i.fields).length === 0)).toBe(true);
    const reads = server.requests.filter((r) => r.includes('A_Product'));
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.some((r) => decodeURIComponent(r).includes('$expand'))).toBe(false);
    // v2 too (its $select also names what it expands).
    const v2 = await all(source('2'), 'groups', { fields: 'none' });
    expect(v2.map((g) => g.key)).toEqual((await all(source('2'), 'groups')).map((g) => g.key));
    expect(v2.every((g) => Object.keys(g.fields).length === 0)).toBe(true);
  }, 60_000);

  it('describes fields and types from $metadata', async () => {
    const d = await source('2').describe();
    const items = d.find((s) => s.stream === 'items')!;
    const type = (name: string): string | undefined => items.fields.find((f) => f.name === name)?.type;
    expect(type('name')).toBe('localized');
    expect(type('weight')).toBe('quantity');
    expect(type('product_group')).toBe('string');
    expect(items.supportsDelta).toBe(true);
    expect(items.deltaStrategy).toContain('LastChangeDateTime');
  });

  it('check() names the service, version and counts', async () => {
    const c = await source('4').check();
    expect(c.ok).toBe(true);
    expect(c.details.version).toBe('OData v4');
    expect(c.counts.items).toBe(itemCount);
  });

  it('delta: ties at the watermark and a late commit inside the margin are read; changed configurable materials bring their items', async () => {
    const watermark = '2030-01-01T00:00:00.000Z';
    await setProduct('BULK-000010', { LastChangeDateTime: watermark });
    await setProduct('BULK-000011', { LastChangeDateTime: watermark });
    // A late commit: stamped 60 s before the watermark by a transaction that committed after the last read.
    await setProduct('BULK-000012', { LastChangeDateTime: '2029-12-31T23:59:00.000Z' });
    for (const version of ['2', '4'] as const) {
      const keys = (await all(source(version), 'items', { since: watermark })).map((r) => r.key).sort();
      expect(keys, `v${version}`).toEqual(['BULK-000010', 'BULK-000011', 'BULK-000012']);
    }
    const noMargin = (await all(source('4', { deltaMarginSeconds: 0 }), 'items', { since: watermark })).map((r) => r.key).sort();
    expect(noMargin).toEqual(['BULK-000010', 'BULK-000011']);

    if (catalog.source === 'adventureworks') {
      const model = catalog.products.find((p) => p.ProductType === 'KMAT')!.Product;
      const variants = catalog.products.filter((p) => p.CrossPlantConfigurableProduct === model).map((p) => p.Product);
      const later = '2030-01-02T00:00:00.000Z';
      await setProduct(model, { LastChangeDateTime: later });
      const read = await all(source('4'), 'items', { since: later });
      expect(read.map((r) => r.key).sort()).toEqual([...variants].sort());
      expect(read.every((r) => r.updatedAt === later)).toBe(true);
    }
  });

  it('deletion flags arrive as archived records', async () => {
    const at = '2030-02-01T00:00:00.000Z';
    await setProduct('BULK-000020', { IsMarkedForDeletion: true, LastChangeDateTime: at });
    const read = await all(source('2'), 'items', { since: at });
    expect(read.map((r) => [r.key, r.active])).toEqual([['BULK-000020', false]]);
  });

  it('a record whose weight has no unit is rejected with its location, not dropped', async () => {
    const at = '2030-03-01T00:00:00.000Z';
    await setProduct('BULK-000030', { WeightUnit: null, LastChangeDateTime: at });
    const rejects: RejectedRecord[] = [];
    const read = await all(source('4'), 'items', { since: at, onReject: (r) => rejects.push(r) });
    expect(read).toEqual([]);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({ key: 'BULK-000030', field: 'weight', location: "A_Product('BULK-000030'), field weight" });
    expect(rejects[0]!.message).toContain('no unit');
  });

  it('honours 429 and 503 with Retry-After, and gives up when asked to wait too long', async () => {
    const s = source('4');
    server.failNext(2, 429, '1');
    const started = Date.now();
    const read = await all(s, 'items', { keys: ['BULK-000001'] });
    expect(read.map((r) => r.key)).toEqual(['BULK-000001']);
    expect(s.httpStats().retries).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
    server.failNext(1, 503, '3600');
    const e = await failure(all(source('4'), 'items', { keys: ['BULK-000001'] }));
    expect(e.message).toMatch(/503.*3600 s, more than erp.maxRetryAfterSeconds/);
    server.failNext(0, 429, '1');
  }, 20_000);

  it('OAuth 2.0 client credentials: reads with a bearer token and renews an expired one', async () => {
    const s = source('4', { auth: { kind: 'oauth2', tokenUrl: server.tokenUrl, clientId: OAUTH_CLIENT, clientSecret: OAUTH_SECRET } });
    expect((await all(s, 'items', { keys: ['BULK-000002'] })).length).toBe(1);
    server.expireTokens();
    expect((await all(s, 'items', { keys: ['BULK-000003'] })).length).toBe(1);
    expect(s.httpStats().tokenFetches).toBe(2);
    const bad = source('4', { auth: { kind: 'oauth2', tokenUrl: server.tokenUrl, clientId: OAUTH_CLIENT, clientSecret: 'wrong-secret' } });
    const e = await failure(all(bad, 'items', { limit: 1 }));
    expect(e.code).toBe('auth');
    expect(e.message).toContain(OAUTH_CLIENT);
    expect(e.message).not.toContain('wrong-secret');
  });

  it('wrong credentials: an auth error naming the user, never the password', async () => {
    const s = source('2', { auth: { kind: 'basic', username: USER, password: 'not-the-password' } });
    const e = await failure(all(s, 'items', { limit: 1 }));
    expect(e.code).toBe('auth');
    expect(e.message).toContain(`user ${USER}`);
    expect(e.message).not.toContain('not-the-password');
    const c = await s.check();
    expect(c.ok).toBe(false);
    expect(c.problems.join(' ')).not.toContain('not-the-password');
  });

  it('a wrong service path, an unknown entity set or property: config errors that say what to fix', async () => {
    const wrongPath = await failure(all(source('4', { url: `${server.origin}/odata/v4/API_PRODUKT_SRV` }), 'items'));
    expect(wrongPath.code).toBe('config');
    expect(wrongPath.message).toContain('No OData service at');
    const generic = (streams: Record<string, unknown>): OdataSource => source('4', { profile: 'generic', streams } as Partial<OdataConfigInput>);
    const unknownSet = await failure(all(generic({ items: { entitySet: 'Products', key: 'Product', fields: {} } }), 'items'));
    expect(unknownSet.message).toMatch(/erp.streams.items.entitySet: entity set "Products" is not in the service.*A_Product/);
    const unknownField = await failure(all(generic({ items: { entitySet: 'A_Product', key: 'Product', fields: { colour: 'Color' } } }), 'items'));
    expect(unknownField.message).toContain('erp.streams.items.fields.colour: property "Color" is not in entity type A_Product');
  });

  it('generic profile: any entity set, keys, limit, and a language filter', async () => {
    const s = source('4', {
      profile: 'generic',
      languages: ['fr'],
      streams: {
        items: {
          entitySet: 'A_Product',
          key: 'Product',
          changeField: 'LastChangeDateTime',
          filter: "startswith(Product,'BULK-')",
          fields: { label: { localized: { navigation: 'to_Description', language: 'Language', text: 'ProductDescription' } }, net: 'NetWeight' },
        },
      },
    } as Partial<OdataConfigInput>);
    const read = await all(s, 'items', { limit: 3 });
    expect(read.map((r) => r.key)).toEqual(['BULK-000001', 'BULK-000002', 'BULK-000003']);
    expect(read[0]!.fields).toEqual({ label: { kind: 'localized', values: { fr: 'Produit en vrac 1' } }, net: { kind: 'decimal', value: '2.1' } });
  });
});
