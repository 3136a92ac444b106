/**
 * The Tryton source against a real trytond seeded with scripts/tryton/seed.py. Expected
 * values come from the database file itself (better-sqlite3, read-only): an oracle that
 * does not go through the adapter's code path.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErpRecord, LocalizedText, Quantity, StreamName } from '../../../src/erp/port.js';
import { createTrytonSource, type TrytonSource } from '../../../src/erp/tryton/index.js';
import { TrytonDateTime } from '../../../src/erp/tryton/codec.js';
import { startTryton, type RunningTryton } from '../../support/tryton/index.js';
import { skipTryton, trytonErpConfig } from './helpers.js';

async function all(source: TrytonSource, stream: StreamName, options: Parameters<TrytonSource['read']>[1] = {}): Promise<ErpRecord[]> {
  const out: ErpRecord[] = [];
  for await (const r of source.read(stream, options)) out.push(r);
  return out;
}

function sqliteTimeToIso(text: string | null): string | null {
  if (!text) return null;
  const [date, time] = text.split(' ');
  const [hms, frac = ''] = time!.split('.');
  return `${date}T${hms}.${frac.padEnd(6, '0')}Z`;
}

describe.skipIf(skipTryton)('Tryton source against a real Tryton', () => {
  let tryton: RunningTryton;
  let source: TrytonSource;
  let db: Database.Database;
  const config = () =>
    trytonErpConfig(tryton, {
      languages: ['en', 'de', 'fr', 'es'],
      pageSize: 37, // odd page size: pages end inside a template's variants
    });

  beforeAll(async () => {
    tryton = await startTryton({ seed: 'catalogue' });
    source = createTrytonSource({ ...config(), referencePrice: true });
    db = new Database(tryton.databasePath, { readonly: true, fileMustExist: true });
  });
  afterAll(async () => {
    db?.close();
    await source?.close();
    await tryton?.close();
  });

  it('check() finds the catalogue', async () => {
    const result = await source.check();
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.system).toMatch(/^Tryton 6\.0\./);
    expect(result.details.currency).toBe('EUR');
    expect(result.details.translationDetection).toBe('ir.translation rows');
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    expect(result.counts.items).toBe(count('select count(*) n from product_product'));
    expect(result.counts.groups).toBe(count('select count(*) n from product_template'));
    expect(result.counts.categories).toBe(count('select count(*) n from product_category'));
  });

  it('reads every variant, archived ones included, with exact prices, units and dates', async () => {
    const items = await all(source, 'items');
    const rows = db
      .prepare(
        `select p.id, p.code, p.active, p.write_date pw, p.create_date pc, t.code tcode, t.write_date tw, t.create_date tc, t.weight, wu.symbol wunit,
                t.length, lu.symbol lunit, lp.list_price, t.type
           from product_product p join product_template t on t.id = p.template
           left join product_uom wu on wu.id = t.weight_uom left join product_uom lu on lu.id = t.length_uom
           left join product_list_price lp on lp.template = t.id and lp.company = 1`,
      )
      .all() as Record<string, unknown>[];
    expect(items).toHaveLength(rows.length);
    const byKey = new Map(items.map((i) => [i.key, i]));
    for (const row of rows) {
      const item = byKey.get(String(row.code))!;
      expect(item, String(row.code)).toBeDefined();
      expect(item.group).toBe(row.tcode);
      expect(item.active).toBe(row.active === 1);
      const price = row.list_price === null ? null : Buffer.from(row.list_price as Buffer).toString();
      expect(item.fields.list_price).toEqual(price === null ? null : { kind: 'money', amount: price, currency: 'EUR' });
      if (row.weight === null) expect(item.fields.weight).toBeNull();
      else expect(item.fields.weight).toEqual({ kind: 'quantity', amount: String(row.weight), unit: row.wunit });
      if (row.length !== null) expect(item.fields.length).toEqual({ kind: 'quantity', amount: String(row.length), unit: row.lunit });
      const dates = [row.pw, row.pc, row.tw, row.tc].map((d) => sqliteTimeToIso(d as string | null)).filter((d): d is string => d !== null);
      // identifiers are created with their variant, so the max over variant+template is the oracle.
      expect(item.updatedAt! >= dates.sort().at(-1)!).toBe(true);
    }
    const units = new Set(items.flatMap((i) => ['weight', 'length'].map((f) => (i.fields[f] as Quantity | null)?.unit)).filter(Boolean));
    expect([...units].sort()).toEqual(['cm', 'g', 'in', 'kg', 'lb', 'm']);
  });

  it('marks the archived variant inactive and reads the service', async () => {
    const archived = String(tryton.seedSummary.archived);
    const [item] = await all(source, 'items', { keys: [archived] });
    expect(item!.active).toBe(false);
    const [service] = await all(source, 'items', { keys: ['SRV-REPAIR'] });
    expect(service!.fields.type).toBe('service');
    expect(service!.fields.uom).toBe('h');
    expect(service!.fields.weight).toBeNull();
    expect(service!.fields.list_price).toEqual({ kind: 'money', amount: '65.0000', currency: 'EUR' });
  });

  it('reads attribute values by type: selection keys, booleans, exact numerics', async () => {
    const items = await all(source, 'items');
    const rows = db.prepare('select code, attributes from product_product').all() as { code: string; attributes: string | null }[];
    const byKey = new Map(items.map((i) => [i.key, i]));
    let numerics = 0;
    for (const row of rows) {
      const attrs = JSON.parse(row.attributes ?? '{}') as Record<string, unknown>;
      const item = byKey.get(row.code)!;
      for (const [code, value] of Object.entries(attrs)) {
        if (code === 'capacity') {
          numerics++;
          expect(item.fields.capacity).toEqual({ kind: 'decimal', value: String(value) });
        } else expect(item.fields[code], `${row.code}.${code}`).toEqual(value);
      }
    }
    expect(numerics).toBeGreaterThan(0);
    const colors = new Set(items.map((i) => i.fields.color).filter(Boolean));
    expect(colors).toEqual(new Set(['black', 'white', 'red', 'blue']));
  });

  it('keeps real translations, drops Tryton fallbacks, and keeps translations equal to the source', async () => {
    const groups = await all(source, 'groups');
    const translated = db
      .prepare("select res_id, lang, value from ir_translation where name = 'product.template,name' and type = 'model' and fuzzy = 0 and value != ''")
      .all() as { res_id: number; lang: string; value: string }[];
    const ids = db.prepare('select id, code, name from product_template').all() as { id: number; code: string; name: string }[];
    const codeOf = new Map(ids.map((r) => [r.id, r.code]));
    const expected = new Map(ids.map((r) => [r.code, { en: r.name } as Record<string, string>]));
    for (const t of translated) if (t.lang !== 'en' && codeOf.has(t.res_id)) expected.get(codeOf.get(t.res_id)!)![t.lang] = t.value;
    for (const g of groups) expect((g.fields.name as LocalizedText).values, g.key).toEqual(expected.get(g.key));
    // Variant descriptions: the same oracle for product.product,description.
    const items = await all(source, 'items');
    const descRows = db
      .prepare("select res_id, lang, value from ir_translation where name = 'product.product,description' and type = 'model' and fuzzy = 0 and value != ''")
      .all() as { res_id: number; lang: string; value: string }[];
    const products = db.prepare('select id, code, description from product_product').all() as { id: number; code: string; description: string | null }[];
    const productCode = new Map(products.map((p) => [p.id, p.code]));
    const expectedDesc = new Map(products.map((p) => [p.code, p.description ? ({ en: p.description } as Record<string, string>) : null]));
    for (const t of descRows) if (t.lang !== 'en' && productCode.has(t.res_id)) expectedDesc.get(productCode.get(t.res_id)!)![t.lang] = t.value;
    let described = 0;
    for (const i of items) {
      const want = expectedDesc.get(i.key);
      if (want) described++;
      expect(i.fields.description, i.key).toEqual(want ? { kind: 'localized', values: want } : null);
    }
    expect(described).toBeGreaterThan(10);
    // Nothing was translated into es: Tryton would serve English, the adapter says "no es".
    expect(groups.some((g) => 'es' in (g.fields.name as LocalizedText).values)).toBe(false);
    // Every seventh template is translated into fr only.
    const frOnly = groups.filter((g) => !('de' in (g.fields.name as LocalizedText).values) && 'fr' in (g.fields.name as LocalizedText).values);
    expect(frOnly.length).toBeGreaterThan(0);
    // "T-Shirts" is T-Shirts in German too: a real translation equal to the source text.
    const categories = await all(source, 'categories');
    const tshirts = categories.find((c) => (c.fields.name as LocalizedText).values.en === 'T-Shirts')!;
    expect((tshirts.fields.name as LocalizedText).values).toEqual({ en: 'T-Shirts', de: 'T-Shirts', fr: 'T-shirts' });
  });

  it('reads the category tree with parent keys and the attributes with translated options', async () => {
    const categories = await all(source, 'categories');
    const rows = db.prepare('select id, parent from product_category').all() as { id: number; parent: number | null }[];
    expect(categories).toHaveLength(rows.length);
    for (const row of rows) {
      const c = categories.find((x) => x.key === `category_${row.id}`)!;
      expect(c.parent).toBe(row.parent === null ? null : `category_${row.parent}`);
    }
    const tents = categories.find((c) => (c.fields.name as LocalizedText).values.en === 'Tents')!;
    const camping = categories.find((c) => c.key === tents.parent)!;
    expect((camping.fields.name as LocalizedText).values.en).toBe('Camping');
    expect(categories.find((c) => c.key === camping.parent)!.parent).toBeNull();

    const attributes = await all(source, 'attributes');
    const color = attributes.find((a) => a.key === 'color')!;
    expect(color.fields.type).toBe('selection');
    expect(color.fields.options).toEqual(['black', 'white', 'red', 'blue', 'green', 'grey']);
    expect(color.fields['option_label.white']).toEqual({ kind: 'localized', values: { en: 'White', de: 'Weiß', fr: 'Blanc' } });
    expect(color.fields.label).toEqual({ kind: 'localized', values: { en: 'Color', de: 'Farbe', fr: 'Couleur' } });
    const size = attributes.find((a) => a.key === 'size')!;
    expect(size.fields['option_label.m']).toEqual({ kind: 'localized', values: { en: 'M', de: 'M', fr: 'M' } });
    expect(attributes.find((a) => a.key === 'capacity')!.fields.digits).toBe(1);
  });

  it('leaves list_price out unless a reference price is asked for', async () => {
    const plain = createTrytonSource(config());
    const [item] = await all(plain, 'items', { limit: 1 });
    expect('list_price' in item!.fields).toBe(false);
    const described = await plain.describe();
    expect(described.find((d) => d.stream === 'items')!.fields.some((f) => f.name === 'list_price')).toBe(false);
    await plain.close();
    const viaMapping = createTrytonSource(config(), { referencePrice: true });
    const [priced] = await all(viaMapping, 'items', { limit: 1 });
    expect(priced!.fields.list_price).toMatchObject({ kind: 'money', currency: 'EUR' });
    await viaMapping.close();
  });

  it('describe() lists fields with types, units and options', async () => {
    const streams = await source.describe();
    const items = streams.find((s) => s.stream === 'items')!;
    expect(items.supportsDelta).toBe(true);
    const field = (n: string) => items.fields.find((f) => f.name === n)!;
    expect(field('name')).toMatchObject({ type: 'localized', languages: ['en', 'de', 'fr', 'es'] });
    expect(field('weight').units).toEqual(expect.arrayContaining(['kg', 'g', 'lb']));
    expect(field('length').units).toEqual(expect.arrayContaining(['cm', 'm', 'in']));
    expect(field('color')).toMatchObject({ type: 'select', options: ['black', 'white', 'red', 'blue', 'green', 'grey'] });
    expect(field('capacity').type).toBe('decimal');
    expect(field('list_price')).toMatchObject({ type: 'money', hot: true });
  });

  it('honours keys and limit', async () => {
    const keyed = await all(source, 'items', { keys: ['TS-CLA-BLA-S', 'JK-CLA-BLA-S', 'NO-SUCH-SKU'] });
    expect(keyed.map((i) => i.key).sort()).toEqual(['JK-CLA-BLA-S', 'TS-CLA-BLA-S']);
    expect(await all(source, 'items', { limit: 5 })).toHaveLength(5);
    expect(await all(source, 'items', { limit: 0 })).toHaveLength(0);
    expect((await all(source, 'groups', { keys: ['TN-CLA'] })).map((g) => g.key)).toEqual(['TN-CLA']);
    expect((await all(source, 'attributes', { keys: ['size'] })).map((a) => a.key)).toEqual(['size']);
    const [cat] = await all(source, 'categories', { limit: 1 });
    expect((await all(source, 'categories', { keys: [cat!.key] })).map((c) => c.key)).toEqual([cat!.key]);
  });

  it("a keys-only read (fields: 'none', a queued run's plan) gives the same keys, groups, categories, flags and dates, no values, and looks up no translation", async () => {
    const keysOnly = createTrytonSource(config());
    try {
      const whole = await all(source, 'items');
      const before = keysOnly.rpcStats();
      const items = await all(keysOnly, 'items', { fields: 'none' });
      const groups = await all(keysOnly, 'groups', { fields: 'none' });
      const asked = keysOnly.rpcStats().byMethod;
      const shape = (r: ErpRecord) => ({ key: r.key, group: r.group ?? null, updatedAt: r.updatedAt, categories: r.categories, active: r.active });
      expect(items.map(shape)).toEqual(whole.map(shape));
      expect(items.every((i) => Object.keys(i.fields).length === 0)).toBe(true);
      expect(groups.map((g) => g.key)).toEqual((await all(source, 'groups')).map((g) => g.key));
      expect(groups.every((g) => Object.keys(g.fields).length === 0)).toBe(true);
      // Neither translations nor attribute types were read (a full read asks for both).
      const calls = (model: string) => Object.entries(asked).filter(([m]) => m.includes(model)).reduce((n, [, v]) => n + v.calls, 0) - Object.entries(before.byMethod).filter(([m]) => m.includes(model)).reduce((n, [, v]) => n + v.calls, 0);
      expect(calls('ir.translation')).toBe(0);
      expect(calls('product.attribute')).toBe(0);
      expect(Object.keys(source.rpcStats().byMethod).some((m) => m.includes('ir.translation'))).toBe(true);
    } finally {
      await keysOnly.close();
    }
  });

  describe('delta', () => {
    it('includes ties at the boundary (since is inclusive)', async () => {
      const items = await all(source, 'items');
      const oldest = items.map((i) => i.updatedAt!).sort()[0]!;
      const tied = items.filter((i) => i.updatedAt === oldest);
      expect(tied.length).toBeGreaterThan(1); // one seed transaction: one timestamp for many rows
      const strict = createTrytonSource({ ...config(), deltaSkewSeconds: 0 });
      const delta = await all(strict, 'items', { since: oldest });
      expect(delta).toHaveLength(items.length);
      await strict.close();
    });

    it('counts a template edited after its variants as a change of every variant', async () => {
      const edited = String(tryton.seedSummary.editedTemplate);
      const tmpl = db.prepare('select id, write_date from product_template where code = ?').get(edited) as { id: number; write_date: string };
      const variants = db.prepare('select code, write_date, create_date from product_product where template = ?').all(tmpl.id) as {
        code: string;
        write_date: string | null;
        create_date: string;
      }[];
      // The premise: the variants' own dates are older than the template edit.
      for (const v of variants) expect((v.write_date ?? v.create_date) < tmpl.write_date).toBe(true);
      const since = sqliteTimeToIso(tmpl.write_date)!;
      const strict = createTrytonSource({ ...config(), deltaSkewSeconds: 0 });
      const delta = await all(strict, 'items', { since });
      const keys = delta.map((i) => i.key);
      for (const v of variants) expect(keys).toContain(v.code);
      for (const i of delta.filter((d) => d.group === edited)) expect(i.updatedAt).toBe(since);
      // Nothing older than the edit: the archived variant was written before it.
      expect(keys).not.toContain(String(tryton.seedSummary.archived));
      await strict.close();
    });

    it('finds rows whose write_date is NULL through create_date', async () => {
      const service = db.prepare("select write_date, create_date from product_template where code = 'SRV-REPAIR'").get() as { write_date: string | null; create_date: string };
      expect(service.write_date).toBeNull();
      const strict = createTrytonSource({ ...config(), deltaSkewSeconds: 0 });
      const groups = await all(strict, 'groups', { since: sqliteTimeToIso(service.create_date)! });
      const srv = groups.find((g) => g.key === 'SRV-REPAIR')!;
      expect(srv.updatedAt).toBe(sqliteTimeToIso(service.create_date));
      await strict.close();
    });

    it('widens since by the skew margin and excludes what is older', async () => {
      const edited = String(tryton.seedSummary.editedTemplate);
      const tmpl = db.prepare('select write_date from product_template where code = ?').get(edited) as { write_date: string };
      const after = TrytonDateTime.parseIso(sqliteTimeToIso(tmpl.write_date)!)!.minusSeconds(-60).toIso();
      const strict = createTrytonSource({ ...config(), deltaSkewSeconds: 0 });
      expect(await all(strict, 'items', { since: after })).toHaveLength(0);
      const widened = createTrytonSource({ ...config(), deltaSkewSeconds: 120 });
      expect((await all(widened, 'items', { since: after })).filter((i) => i.group === edited).length).toBeGreaterThan(0);
      await strict.close();
      await widened.close();
    });

    it('rejects a malformed since with a clear message', async () => {
      await expect(all(source, 'items', { since: 'last tuesday' })).rejects.toThrow(/ISO-8601/);
    });
  });
});
