/**
 * The OData adapter with `profile: bc` against a real OData server (CAP, server.ts) serving a
 * Business Central-shaped API v2.0 loaded with AdventureWorks (bc-catalog.ts): per-company URLs,
 * items with item variants read as groups and their variants, item categories, delta on
 * lastModifiedDateTime (an item's change brings its variants, a variant changed alone is read),
 * blocked items archived, and the company errors a user meets first.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { OdataConfigInput } from '../../../src/erp/odata/config.js';
import { createOdataSource, type OdataSource } from '../../../src/erp/odata/index.js';
import { ErpError, type ErpRecord, type ReadOptions, type StreamName } from '../../../src/erp/port.js';
import { BC_COMPANY, BC_OTHER_COMPANY, testBcCatalog } from './bc-catalog.js';
import { testCatalog } from './catalog.js';
import { OAUTH_CLIENT, OAUTH_SECRET, PASSWORD, startIfPossible, USER, type ODataTestServer } from './server.js';

const bc = testBcCatalog();
const company = bc.companies[0]!;
const started = await startIfPossible(testCatalog(), bc);
const server = started as ODataTestServer;
const open: OdataSource[] = [];

const mainItems = bc.items.filter((i) => i.companyId === company.id);
const withVariants = new Set(bc.variants.map((v) => v.itemNumber));
const plainItems = mainItems.filter((i) => !withVariants.has(i.number));

function source(extra: Partial<OdataConfigInput> = {}): OdataSource {
  const s = createOdataSource({ type: 'odata', profile: 'bc', url: server.bc, company: BC_COMPANY, auth: { kind: 'basic', username: USER, password: PASSWORD }, ...extra } as OdataConfigInput);
  open.push(s);
  return s;
}

async function all(s: OdataSource, stream: StreamName, options: ReadOptions = {}): Promise<ErpRecord[]> {
  const out: ErpRecord[] = [];
  for await (const r of s.read(stream, options)) out.push(r);
  return out;
}

async function setItem(number: string, values: Record<string, unknown>): Promise<void> {
  await server.db((cds, db) => db.run(cds.ql.UPDATE('bc.items').set(values).where({ number, companyId: company.id })));
}

describe.runIf(started !== null)('OData adapter, profile bc, against CAP (Business Central API v2.0)', () => {
  afterAll(async () => {
    for (const s of open) await s.close();
    await started?.close();
  });

  it('reads the company\'s items: plain items as they are, items with variants as their variants', async () => {
    server.requests.length = 0;
    const items = await all(source(), 'items');
    expect(items).toHaveLength(plainItems.length + bc.variants.length);
    expect(new Set(items.map((i) => i.key)).size).toBe(items.length);
    // Per-company URLs, as Business Central wants them.
    expect(server.requests.some((r) => r.startsWith(`/odata/v4/bc/api/v2.0/companies(${company.id})/items?`))).toBe(true);
    expect(server.requests.some((r) => r.includes('nextLink') || r.includes('$skiptoken'))).toBe(true);
    const plain = plainItems[0]!;
    const read = items.find((i) => i.key === plain.number)!;
    expect(read.fields.name).toBe(plain.displayName);
    expect(read.group).toBeUndefined();
    expect(read.categories).toEqual(plain.itemCategoryCode ? [plain.itemCategoryCode] : []);
    expect(read.updatedAt).toBe(plain.lastModifiedDateTime);
    const v = bc.variants[0]!;
    const model = mainItems.find((i) => i.number === v.itemNumber)!;
    const variant = items.find((i) => i.key === `${v.itemNumber}-${v.code}`)!;
    expect(variant).toMatchObject({ group: v.itemNumber, active: !model.blocked });
    expect(variant.fields).toMatchObject({ name: model.displayName, variant: v.code, variant_description: v.description });
    // The other company's items (same numbers) are not read.
    expect(items.some((i) => typeof i.fields.name === 'string' && i.fields.name.startsWith("Other company's"))).toBe(false);
  }, 60_000);

  it('reads groups (items with variants) and item categories', async () => {
    const groups = await all(source(), 'groups');
    expect(groups.map((g) => g.key).sort()).toEqual([...withVariants].sort());
    expect(groups.every((g) => typeof g.fields.name === 'string')).toBe(true);
    const categories = await all(source(), 'categories');
    expect(categories.map((c) => c.key).sort()).toEqual(bc.categories.map((c) => c.code).sort());
    expect(categories[0]!.fields.name).toEqual(expect.any(String));
  });

  it('reads by key: item numbers and variant keys', async () => {
    const v = bc.variants[1]!;
    const keys = [plainItems[1]!.number, `${v.itemNumber}-${v.code}`];
    const read = await all(source(), 'items', { keys });
    expect(read.map((r) => r.key).sort()).toEqual([...keys].sort());
  });

  it("a keys-only read (fields: 'none'): the same items, variants and groups with their keys, groups and dates, no field", async () => {
    const shape = (r: ErpRecord) => ({ key: r.key, group: r.group ?? null, updatedAt: r.updatedAt, active: r.active });
    for (const stream of ['items', 'groups'] as const) {
      const keysOnly = await all(source(), stream, { fields: 'none' });
      expect(keysOnly.map(shape)).toEqual((await all(source(), stream)).map(shape));
      expect(keysOnly.every((r) => Object.keys(r.fields).length === 0)).toBe(true);
    }
  });

  it('delta: a changed item brings its variants, a variant changed alone comes with its item\'s values, blocked items are archived', async () => {
    const at = '2031-01-01T00:00:00.000Z';
    const [first, second] = [...withVariants].sort();
    await setItem(first!, { lastModifiedDateTime: at });
    await setItem(plainItems[2]!.number, { lastModifiedDateTime: at, blocked: true });
    const lone = bc.variants.find((v) => v.itemNumber === second)!;
    await server.db((cds, db) => db.run(cds.ql.UPDATE('bc.itemVariants').set({ lastModifiedDateTime: at, description: 'Changed alone' }).where({ id: lone.id })));
    const read = await all(source(), 'items', { since: at });
    const expected = [
      ...bc.variants.filter((v) => v.itemNumber === first).map((v) => `${v.itemNumber}-${v.code}`),
      `${lone.itemNumber}-${lone.code}`,
      plainItems[2]!.number,
    ].sort();
    expect(read.map((r) => r.key).sort()).toEqual(expected);
    expect(read.find((r) => r.key === plainItems[2]!.number)!.active).toBe(false);
    const alone = read.find((r) => r.key === `${lone.itemNumber}-${lone.code}`)!;
    expect(alone.fields.variant_description).toBe('Changed alone');
    expect(alone.fields.name).toBe(mainItems.find((i) => i.number === second)!.displayName);
    expect(alone.updatedAt).toBe(at);
    const groups = await all(source(), 'groups', { since: at });
    expect(groups.map((g) => g.key)).toEqual([first]);
  });

  it('company: by id or display name; several companies and none named, or an unknown one, are config errors listing them', async () => {
    expect((await all(source({ company: company.id }), 'items', { limit: 2 })).length).toBe(2);
    expect((await all(source({ company: company.displayName }), 'items', { limit: 1 })).length).toBe(1);
    const other = await all(source({ company: BC_OTHER_COMPANY }), 'items');
    expect(other.every((i) => String(i.fields.name).startsWith("Other company's"))).toBe(true);
    for (const wrong of [{ company: 'CRONUS MARS' }, { company: undefined }]) {
      const error = await all(source(wrong), 'items').then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(ErpError);
      expect((error as ErpError).code).toBe('config');
      expect((error as ErpError).message).toMatch(/erp\.company: .*"CRONUS USA".*"CRONUS CANADA"|erp\.company: .*"CRONUS CANADA".*"CRONUS USA"/);
    }
  });

  it('describe and check: BC fields from $metadata, the variant fields, counts; OAuth 2.0 as with Entra ID', async () => {
    const d = await source().describe();
    const items = d.find((s) => s.stream === 'items')!;
    expect(items.fields.map((f) => f.name)).toEqual(expect.arrayContaining(['name', 'ean', 'variant', 'variant_description']));
    expect(items.deltaStrategy).toContain('lastModifiedDateTime');
    const c = await source().check();
    expect(c.ok, c.problems.join()).toBe(true);
    expect(c.details.bcItemVariants).toBe(bc.variants.length);
    expect(c.counts.categories).toBe(bc.categories.length);
    const oauth = source({ auth: { kind: 'oauth2', tokenUrl: server.tokenUrl, clientId: OAUTH_CLIENT, clientSecret: OAUTH_SECRET, scope: 'https://api.businesscentral.dynamics.com/.default' } });
    expect((await all(oauth, 'items', { limit: 3 })).length).toBe(3);
  });
});
