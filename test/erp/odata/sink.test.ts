/**
 * The OData sink (PIM → ERP) against the real CAP server (server.ts): S/4 A_Product created with
 * its descriptions in several languages through SAP's CSRF protocol (which the test server
 * enforces: token + session cookie, 403 `x-csrf-token: Required` otherwise), matched by key so a
 * second write changes nothing, updated property by property, a 400 mapped back to the Ferry
 * field; Business Central items created under the company and PATCHed with their etag.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { OdataConfigInput } from '../../../src/erp/odata/config.js';
import { createOdataSource, type OdataSource } from '../../../src/erp/odata/index.js';
import { createErpSink } from '../../../src/erp/factory.js';
import type { ErpRecord } from '../../../src/erp/port.js';
import { BC_COMPANY, testBcCatalog } from './bc-catalog.js';
import { generatedProducts } from './catalog.js';
import { PASSWORD, startIfPossible, USER, type ODataTestServer } from './server.js';

const bc = testBcCatalog();
const started = await startIfPossible(generatedProducts(20), bc);
const server = started as ODataTestServer;
const open: OdataSource[] = [];
const auth = { kind: 'basic', username: USER, password: PASSWORD } as const;

function s4(version: '2' | '4' = '4'): OdataSource {
  const s = createOdataSource({ type: 'odata', profile: 's4', url: version === '2' ? server.v2 : server.v4, auth } as OdataConfigInput);
  open.push(s);
  return s;
}
function businessCentral(): OdataSource {
  const s = createOdataSource({ type: 'odata', profile: 'bc', url: server.bc, company: BC_COMPANY, auth } as OdataConfigInput);
  open.push(s);
  return s;
}

function item(key: string, fields: ErpRecord['fields'], extra: Partial<ErpRecord> = {}): ErpRecord {
  return { stream: 'items', key, updatedAt: null, fields, ...extra };
}

async function readBack(s: OdataSource, key: string): Promise<ErpRecord | undefined> {
  for await (const r of s.read('items', { keys: [key] })) return r;
  return undefined;
}

async function countRows(entity: string, where: Record<string, unknown>): Promise<number> {
  const rows = (await server.db((cds, db) => db.run((cds.ql as unknown as { SELECT: { from(e: string): { where(w: unknown): unknown } } }).SELECT.from(entity).where(where)))) as unknown[];
  return rows.length;
}

describe.runIf(started !== null)('OData sink against CAP', () => {
  afterAll(async () => {
    for (const s of open) await s.close();
    await started?.close();
  });

  const boot = item('FERRY-BOOT-1', {
    name: { kind: 'localized', values: { en: 'Trail boot', fr: 'Chaussure de trail' } },
    description: { kind: 'localized', values: { en: 'A boot for trails.' } },
    weight: { kind: 'quantity', amount: '1.250', unit: 'kg' },
    ean: '4006381333931',
    product_group: 'SHOES',
  });

  it('S/4: creates A_Product with its descriptions through the CSRF protocol; a second write changes nothing', async () => {
    const s = s4();
    server.writes.length = 0;
    const [created] = await s.upsert('items', [boot]);
    expect(created).toEqual({ key: 'FERRY-BOOT-1', outcome: 'created' });
    expect(server.writes).toEqual([{ method: 'POST', path: '/odata/v4/API_PRODUCT_SRV/A_Product', csrf: 'valid' }]);
    expect(s.httpStats().csrfFetches).toBe(1);
    const back = await readBack(s, 'FERRY-BOOT-1');
    expect(back?.fields).toMatchObject({ name: boot.fields.name, description: boot.fields.description, ean: '4006381333931', product_group: 'SHOES' });
    expect(back?.fields.weight).toMatchObject({ kind: 'quantity', amount: expect.stringMatching(/^1\.250?$/), unit: 'kg' });
    const [again] = await s.upsert('items', [boot]);
    expect(again?.outcome).toBe('unchanged');
    expect(server.writes).toHaveLength(1);
    expect(await countRows('s4.A_Product', { Product: 'FERRY-BOOT-1' })).toBe(1);
  });

  it('S/4: an update PATCHes the changed properties and texts; an expired CSRF token is fetched again once', async () => {
    const s = s4();
    // A write fetches a token; then the session times out.
    expect((await s.upsert('items', [item('FERRY-BOOT-2', { name: { kind: 'localized', values: { en: 'Second boot' } } })]))[0]?.outcome).toBe('created');
    server.expireCsrfTokens();
    server.writes.length = 0;
    const changed = item('FERRY-BOOT-1', { ...boot.fields, name: { kind: 'localized', values: { en: 'Trail boot', fr: 'Botte de trail', de: 'Trailschuh' } }, weight: { kind: 'quantity', amount: '1.3', unit: 'kg' } });
    const [r] = await s.upsert('items', [changed]);
    expect(r?.outcome, r?.message).toBe('updated');
    expect(server.writes.map((w) => `${w.method} ${w.csrf}`)).toEqual(['PATCH invalid', 'PATCH valid', 'PATCH valid', 'POST valid']);
    expect(s.httpStats().csrfFetches).toBe(2);
    const back = await readBack(s, 'FERRY-BOOT-1');
    expect(back?.fields.name).toEqual(changed.fields.name);
    expect(back?.fields.weight).toMatchObject({ kind: 'quantity', amount: expect.stringMatching(/^1\.30{0,2}$/), unit: 'kg' });
    expect((await s.upsert('items', [changed]))[0]?.outcome).toBe('unchanged');
  });

  it('S/4: a 400 names the record, the field and the fix; the other records of the batch go through; unknown fields are listed', async () => {
    const s = s4();
    const results = await s.upsert('items', [
      item('FERRY-BAD-EAN', { name: { kind: 'localized', values: { en: 'Bad' } }, ean: 'not-an-ean' }),
      item('FERRY-GOOD', { name: { kind: 'localized', values: { en: 'Good' } }, colour: 'red' }),
    ]);
    expect(results[0]).toMatchObject({ key: 'FERRY-BAD-EAN', outcome: 'failed' });
    expect(results[0]!.message).toMatch(/^item FERRY-BAD-EAN: field ean \(A_Product\.ProductStandardID\) refused by the ERP: .*pattern.*; correct the value in the PIM/);
    expect(results[1]).toEqual({ key: 'FERRY-GOOD', outcome: 'created', message: 'not written (the s4 profile has no property for them): colour' });
    expect(await countRows('s4.A_Product', { Product: 'FERRY-BAD-EAN' })).toBe(0);
    const [cat] = await s.upsert('categories', [{ stream: 'categories', key: 'C1', updatedAt: null, fields: {} }]);
    expect(cat?.outcome).toBe('failed');
    expect(cat?.message).toContain('maintained in the ERP');
  });

  it('S/4 over OData v2: creates a configurable material and its variant, idempotently; the factory builds the sink', async () => {
    const sink = createErpSink({ type: 'odata', profile: 's4', url: server.v2, auth } as never);
    try {
      const [g] = await sink.upsert('groups', [{ stream: 'groups', key: 'FERRY-KMAT', updatedAt: null, fields: { name: { kind: 'localized', values: { en: 'Configurable boot' } } } }]);
      expect(g?.outcome, g?.message).toBe('created');
      const variant = item('FERRY-KMAT-42', { name: { kind: 'localized', values: { en: 'Boot 42' } }, size: '42' }, { group: 'FERRY-KMAT' });
      expect((await sink.upsert('items', [variant]))[0]?.outcome).toBe('created');
      expect((await sink.upsert('items', [variant]))[0]?.outcome).toBe('unchanged');
    } finally {
      await sink.close();
    }
    const back = await readBack(s4('2'), 'FERRY-KMAT-42');
    expect(back).toMatchObject({ group: 'FERRY-KMAT', fields: { size: '42', name: { kind: 'localized', values: { en: 'Boot 42' } } } });
    const groups: ErpRecord[] = [];
    for await (const r of s4('2').read('groups', { keys: ['FERRY-KMAT'] })) groups.push(r);
    expect(groups.map((r) => r.key)).toEqual(['FERRY-KMAT']);
  });

  it('Business Central: creates an item under the company, PATCHes it with its etag (a stale one: read again once), never twice', async () => {
    const s = businessCentral();
    const company = bc.companies[0]!;
    server.bcWrites.length = 0;
    const chair = item('FERRY-CHAIR', { name: 'Office chair', ean: '4006381333948' }, { categories: [bc.categories[0]!.code] });
    expect((await s.upsert('items', [chair]))[0]).toEqual({ key: 'FERRY-CHAIR', outcome: 'created' });
    expect(server.bcWrites[0]).toMatchObject({ method: 'POST', path: `/odata/v4/bc/api/v2.0/companies(${company.id})/items`, ifMatch: null });
    expect((await s.upsert('items', [chair]))[0]?.outcome).toBe('unchanged');
    const renamed = item('FERRY-CHAIR', { ...chair.fields, name: { kind: 'localized', values: { en: 'Ergonomic office chair', fr: 'Chaise' } } }, { categories: chair.categories! });
    expect((await s.upsert('items', [renamed]))[0]?.outcome).toBe('updated');
    expect(server.bcWrites).toHaveLength(2);
    expect(server.bcWrites[1]).toMatchObject({ method: 'PATCH', ifMatch: expect.stringMatching(/^W\/"/) });
    expect(server.bcWrites[1]!.path).toMatch(new RegExp(`^/odata/v4/bc/api/v2.0/companies\\(${company.id}\\)/items\\([0-9a-f-]{36}\\)$`));
    const back = await readBack(s, 'FERRY-CHAIR');
    expect(back).toMatchObject({ fields: { name: 'Ergonomic office chair', ean: '4006381333948' }, categories: [bc.categories[0]!.code] });
    expect(await countRows('bc.items', { number: 'FERRY-CHAIR' })).toBe(1);
    // Changed in BC between our read and our PATCH: the etag no longer matches (412); read again, write once more.
    server.bcWrites.length = 0;
    server.beforeNextBcWrite(() =>
      server.db((cds, db) => db.run(cds.ql.UPDATE('bc.items').set({ displayName2: 'Edited in BC', lastModifiedDateTime: '2032-01-01T00:00:00.000Z' }).where({ number: 'FERRY-CHAIR' }))),
    );
    const [raced] = await s.upsert('items', [item('FERRY-CHAIR', { ...chair.fields, name: 'Chair, final' }, { categories: chair.categories! })]);
    expect(raced?.outcome, raced?.message).toBe('updated');
    expect(server.bcWrites.map((w) => w.method)).toEqual(['PATCH', 'PATCH']);
    expect(server.bcWrites[0]!.ifMatch).not.toBe(server.bcWrites[1]!.ifMatch);
    expect((await readBack(s, 'FERRY-CHAIR'))?.fields).toMatchObject({ name: 'Chair, final', name_2: 'Edited in BC' });
    const v = bc.variants[0]!;
    const [variant] = await s.upsert('items', [item(`${v.itemNumber}-${v.code}`, { name: 'x' }, { group: v.itemNumber })]);
    expect(variant?.outcome).toBe('failed');
    expect(variant?.message).toContain('item variants are maintained in Business Central');
  });
});
