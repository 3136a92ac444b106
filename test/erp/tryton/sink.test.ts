/** The Tryton sink and live delta behaviour: writes through the adapter, reads back through it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErpRecord, LocalizedText, StreamName } from '../../../src/erp/port.js';
import { createTrytonSource, type TrytonSource } from '../../../src/erp/tryton/index.js';
import { startTryton, type RunningTryton } from '../../support/tryton/index.js';
import { skipTryton, trytonErpConfig } from './helpers.js';

async function all(source: TrytonSource, stream: StreamName, options: Parameters<TrytonSource['read']>[1] = {}): Promise<ErpRecord[]> {
  const out: ErpRecord[] = [];
  for await (const r of source.read(stream, options)) out.push(r);
  return out;
}

describe.skipIf(skipTryton)('Tryton sink and live changes', () => {
  let tryton: RunningTryton;
  let source: TrytonSource;

  beforeAll(async () => {
    tryton = await startTryton({ seed: 'catalogue' });
    source = createTrytonSource(trytonErpConfig(tryton, { languages: ['en', 'de', 'fr'], referencePrice: true, deltaSkewSeconds: 0 }));
  });
  afterAll(async () => {
    await source?.close();
    await tryton?.close();
  });

  it('creates a template and its variants, then reads them back exactly', async () => {
    const categories = await all(source, 'categories');
    const tents = categories.find((c) => (c.fields.name as LocalizedText).values.en === 'Tents')!;
    const groupResults = await source.upsert('groups', [
      {
        stream: 'groups',
        key: 'FERRY-TARP',
        updatedAt: null,
        categories: [tents.key],
        fields: {
          name: { kind: 'localized', values: { en: 'Ferry Tarp', de: 'Ferry Plane', fr: 'Bâche Ferry' } },
          weight: { kind: 'quantity', amount: '1.25', unit: 'kg' },
          length: { kind: 'quantity', amount: '300', unit: 'cm' },
          list_price: { kind: 'money', amount: '79.9900', currency: 'EUR' },
        },
      },
    ]);
    expect(groupResults).toEqual([{ key: 'FERRY-TARP', outcome: 'created', id: expect.stringMatching(/^template_\d+$/) }]);
    const itemResults = await source.upsert('items', [
      {
        stream: 'items',
        key: 'FERRY-TARP-RED',
        updatedAt: null,
        group: 'FERRY-TARP',
        fields: {
          description: { kind: 'localized', values: { en: 'A red tarp.', fr: 'Une bâche rouge.' } },
          color: 'red',
          capacity: { kind: 'decimal', value: '12.5' },
          waterproof: true,
          ean: '4006381333931',
        },
      },
      { stream: 'items', key: 'FERRY-TARP-BLU', updatedAt: null, group: 'FERRY-TARP', fields: { color: 'blue' } },
      { stream: 'items', key: 'OTHER-1', updatedAt: null, group: 'FERRY-TARP', fields: {} },
      { stream: 'items', key: 'LOST-1', updatedAt: null, group: 'NO-SUCH-TEMPLATE', fields: {} },
    ]);
    expect(itemResults.map((r) => r.outcome)).toEqual(['created', 'created', 'failed', 'failed']);
    expect(itemResults[2]!.message).toContain('does not start with the template code FERRY-TARP');
    expect(itemResults[3]!.message).toContain('no template NO-SUCH-TEMPLATE');

    const [group] = await all(source, 'groups', { keys: ['FERRY-TARP'] });
    expect(group!.fields.name).toEqual({ kind: 'localized', values: { en: 'Ferry Tarp', de: 'Ferry Plane', fr: 'Bâche Ferry' } });
    expect(group!.fields.weight).toEqual({ kind: 'quantity', amount: '1.25', unit: 'kg' });
    expect(group!.fields.length).toEqual({ kind: 'quantity', amount: '300', unit: 'cm' });
    expect(group!.fields.list_price).toEqual({ kind: 'money', amount: '79.9900', currency: 'EUR' });
    expect(group!.categories).toEqual([tents.key]);
    const items = await all(source, 'items', { keys: ['FERRY-TARP-RED', 'FERRY-TARP-BLU'] });
    const red = items.find((i) => i.key === 'FERRY-TARP-RED')!;
    expect(red.group).toBe('FERRY-TARP');
    expect(red.fields.description).toEqual({ kind: 'localized', values: { en: 'A red tarp.', fr: 'Une bâche rouge.' } });
    expect(red.fields.color).toBe('red');
    expect(red.fields.capacity).toEqual({ kind: 'decimal', value: '12.5' });
    expect(red.fields.waterproof).toBe(true);
    expect(red.fields.ean).toBe('4006381333931');
    expect(items.find((i) => i.key === 'FERRY-TARP-BLU')!.fields.color).toBe('blue');
  });

  it('updates an existing variant, archives it, and reports fields it cannot write', async () => {
    const results = await source.upsert('items', [
      {
        stream: 'items',
        key: 'FERRY-TARP-BLU',
        updatedAt: null,
        active: false,
        fields: { description: { kind: 'localized', values: { en: 'Blue.', de: 'Blau.' } }, size: 'xl', weight: { kind: 'quantity', amount: '1', unit: 'kg' }, nonsense: 'x' },
      },
    ]);
    expect(results[0]).toMatchObject({ key: 'FERRY-TARP-BLU', outcome: 'updated' });
    expect(results[0]!.message).toContain('weight');
    expect(results[0]!.message).toContain('nonsense');
    const [blue] = await all(source, 'items', { keys: ['FERRY-TARP-BLU'] });
    expect(blue!.active).toBe(false);
    expect(blue!.fields.color).toBe('blue'); // attributes are merged, not replaced
    expect(blue!.fields.size).toBe('xl');
    expect(blue!.fields.description).toEqual({ kind: 'localized', values: { en: 'Blue.', de: 'Blau.' } });
  });

  it('writes nothing when the values are already there, so the next delta stays empty', async () => {
    const record: ErpRecord = {
      stream: 'items',
      key: 'FERRY-TARP-RED',
      updatedAt: null,
      fields: { description: { kind: 'localized', values: { fr: 'Une bâche rouge.' } }, capacity: { kind: 'decimal', value: '12.50' }, color: 'red' },
    };
    const [before] = await all(source, 'items', { keys: ['FERRY-TARP-RED'] });
    await new Promise((r) => setTimeout(r, 20));
    expect(await source.upsert('items', [record])).toEqual([{ key: 'FERRY-TARP-RED', outcome: 'unchanged' }]);
    const group: ErpRecord = { stream: 'groups', key: 'FERRY-TARP', updatedAt: null, fields: { weight: { kind: 'quantity', amount: '1.250', unit: 'kg' } } };
    expect(await source.upsert('groups', [group])).toEqual([{ key: 'FERRY-TARP', outcome: 'unchanged' }]);
    const [after] = await all(source, 'items', { keys: ['FERRY-TARP-RED'] });
    expect(after!.updatedAt).toBe(before!.updatedAt);
    // One changed field among equal ones: only that one is written.
    const changed = await source.upsert('items', [{ ...record, fields: { ...record.fields, color: 'green' } }]);
    expect(changed).toEqual([{ key: 'FERRY-TARP-RED', outcome: 'updated', id: expect.stringMatching(/^product_\d+$/) }]);
    const [green] = await all(source, 'items', { keys: ['FERRY-TARP-RED'] });
    expect(green!.fields.color).toBe('green');
    expect(green!.fields.capacity).toEqual({ kind: 'decimal', value: '12.5' });
    expect(green!.updatedAt! > before!.updatedAt!).toBe(true);
  });

  it('reports Tryton validation errors per record and writes the others', async () => {
    const results = await source.upsert('groups', [
      { stream: 'groups', key: 'BAD-UNIT', updatedAt: null, fields: { name: 'Bad', weight: { kind: 'quantity', amount: '1', unit: 'parsec' } } },
      { stream: 'groups', key: 'GOOD-ONE', updatedAt: null, fields: { name: 'Good' } },
      { stream: 'groups', key: 'BAD-DIGITS', updatedAt: null, fields: { name: 'Too precise', weight: { kind: 'quantity', amount: '1.23456', unit: 'kg' } } },
    ]);
    expect(results.map((r) => r.outcome)).toEqual(['failed', 'created', 'failed']);
    expect(results[0]!.message).toContain('no unit with symbol "parsec"');
    expect(results[2]!.message).toMatch(/digits/i);
    expect((await all(source, 'groups', { keys: ['BAD-UNIT', 'GOOD-ONE', 'BAD-DIGITS'] })).map((g) => g.key)).toEqual(['GOOD-ONE']);
    const other = await source.upsert('categories', [{ stream: 'categories', key: 'x', updatedAt: null, fields: {} }]);
    expect(other[0]!.outcome).toBe('failed');
  });

  it('rejects a variant without a code, naming it, and reads the rest', async () => {
    const conn = source.connection;
    const [uom] = (await conn.model('product.uom', 'search', [[['symbol', '=', 'u']], 0, 1, null])) as number[];
    await conn.model('product.template', 'create', [[{ name: 'No code', type: 'goods', default_uom: uom, products: [['create', [{}]]] }]]);
    const rejected: { location: string; field?: string; message: string }[] = [];
    const items = await all(source, 'items', { onReject: (r) => rejected.push(r) });
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.field).toBe('code');
    expect(rejected[0]!.location).toMatch(/^product\.product id \d+$/);
    expect(rejected[0]!.message).toContain('has no code');
    expect(items.length).toBeGreaterThan(300);
    const groups = await all(source, 'groups');
    expect(groups.some((g) => /^template_\d+$/.test(g.key))).toBe(true);
  });

  it('a live template edit brings back all its variants; the translations it made fuzzy keep their text (keep)', async () => {
    const before = await all(source, 'items');
    const watermark = before.map((i) => i.updatedAt!).sort().at(-1)!;
    await new Promise((r) => setTimeout(r, 20));
    const [tmpl] = await all(source, 'groups', { keys: ['TS-URB'] });
    expect(Object.keys((tmpl!.fields.name as LocalizedText).values).sort()).toEqual(['de', 'en', 'fr']);
    const oldName = (tmpl!.fields.name as LocalizedText).values;
    // Rename in the source language only: Tryton marks de/fr fuzzy and serves English for them.
    await source.upsert('groups', [{ stream: 'groups', key: 'TS-URB', updatedAt: null, fields: { name: 'Urban Tee' } }]);
    const delta = await all(source, 'items', { since: watermark });
    const variants = before.filter((i) => i.group === 'TS-URB').map((i) => i.key).sort();
    expect(variants.length).toBeGreaterThan(1);
    expect(delta.filter((i) => i.group === 'TS-URB').map((i) => i.key).sort()).toEqual(variants);
    expect(delta.every((i) => i.updatedAt! >= watermark)).toBe(true);
    // erp.fuzzyTranslations defaults to keep: the previous translations stay (fuzzy.test.ts covers drop).
    expect(delta.find((i) => i.group === 'TS-URB')!.fields.name).toEqual({ kind: 'localized', values: { en: 'Urban Tee', de: oldName.de, fr: oldName.fr } });
    // The variants' descriptions were not touched: their translations stay.
    expect(Object.keys((delta.find((i) => i.group === 'TS-URB')!.fields.description as LocalizedText).values).sort()).toEqual(['de', 'en', 'fr']);
    // An identifier change alone is a change of its variant.
    const mark2 = delta.map((i) => i.updatedAt!).sort().at(-1)!;
    await new Promise((r) => setTimeout(r, 20));
    await source.upsert('items', [{ stream: 'items', key: variants[0]!, updatedAt: null, fields: { ean: '4006381333948' } }]);
    const delta2 = await all(source, 'items', { since: mark2 });
    expect(delta2.map((i) => i.key)).toContain(variants[0]);
    expect(delta2.find((i) => i.key === variants[0])!.fields.ean).toBe('4006381333948');
    // Removing it too: the variant's write_date moves, so the removal is not missed.
    const mark3 = delta2.map((i) => i.updatedAt!).sort().at(-1)!;
    await new Promise((r) => setTimeout(r, 20));
    expect((await source.upsert('items', [{ stream: 'items', key: variants[0]!, updatedAt: null, fields: { ean: null } }]))[0]!.outcome).toBe('updated');
    const delta3 = await all(source, 'items', { since: mark3 });
    expect(delta3.map((i) => i.key)).toEqual([variants[0]]);
    expect(delta3[0]!.fields.ean).toBeNull();
  });
});
