/**
 * The SQL adapter's behaviour, run identically against PostgreSQL, MariaDB and SQLite:
 * cursor streaming, exact decimals, localized texts, quantities, delta (ties, margin, group
 * propagation), rejects with location, bound parameters, and the upsert sink.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { createSqlSource, type SqlSource } from '../../../src/erp/sql/index.js';
import type { SqlConfigInput } from '../../../src/erp/sql/config.js';
import { streamRows } from '../../../src/erp/sql/cursor.js';
import type { ErpRecord, RejectedRecord } from '../../../src/erp/port.js';
import type { TestDatabase } from './databases.js';

export const BULK_ROWS = 2500;

async function createSchema(knex: Knex, client: TestDatabase['client']): Promise<void> {
  // SQLite has no exact decimal type: an ERP on SQLite keeps exact amounts as TEXT.
  const exact = (t: Knex.CreateTableBuilder, name: string, p: number, s: number) =>
    client === 'better-sqlite3' ? t.specificType(name, 'TEXT') : t.decimal(name, p, s);
  await knex.schema.createTable('templates', (t) => {
    t.string('code', 40).primary();
    t.string('name_en', 200);
    t.string('name_fr', 200);
    t.dateTime('updated_at', { precision: 3 }).notNullable();
  });
  await knex.schema.createTable('items', (t) => {
    t.string('sku', 80).primary();
    t.string('template_code', 40).nullable();
    t.string('name_en', 200);
    t.string('name_fr', 200);
    t.string('name_de', 200);
    exact(t, 'price', 30, 4);
    t.bigInteger('stock_units');
    exact(t, 'weight', 12, 3);
    t.specificType('weight_unit', 'char(3)');
    t.boolean('archived').notNullable().defaultTo(false);
    t.string('released', 20);
    t.string('cats', 200);
    t.dateTime('updated_at', { precision: 3 }).notNullable();
  });
  await knex.schema.createTable('translations', (t) => {
    t.string('record_key', 80).notNullable();
    t.string('field', 40).notNullable();
    t.string('lang', 8).notNullable();
    t.text('value').notNullable();
    t.primary(['record_key', 'field', 'lang']);
  });
  await knex.schema.createTable('bulk', (t) => {
    t.string('code', 40).primary();
    t.decimal('amount', 12, 2);
    t.dateTime('updated_at', { precision: 3 }).notNullable();
  });
}

const ITEM = {
  template_code: null as string | null,
  name_en: null as string | null,
  name_fr: null as string | null,
  name_de: null as string | null,
  price: null as string | null,
  stock_units: null as string | null,
  weight: null as string | null,
  weight_unit: null as string | null,
  archived: false,
  released: null as string | null,
  cats: null as string | null,
};

async function seed(knex: Knex): Promise<void> {
  await knex('templates').insert([
    { code: 'T-CHAIR', name_en: 'Chair', name_fr: 'Chaise', updated_at: '2024-01-01 08:00:00' },
    // Edited long after its variants: the delta must still bring them.
    { code: 'T-DESK', name_en: 'Desk', name_fr: 'Bureau', updated_at: '2024-06-15 09:00:00' },
  ]);
  await knex('items').insert([
    { ...ITEM, sku: 'CH-RED', template_code: 'T-CHAIR', name_en: 'Chair red', name_fr: 'Chaise rouge', name_de: '', price: '12345678901234.5678', stock_units: '9007199254740993', weight: '1.250', weight_unit: 'KG ', released: '2024-02-29', cats: 'furniture,chairs', updated_at: '2024-06-01 10:00:00' },
    { ...ITEM, sku: 'CH-BLUE', template_code: 'T-CHAIR', name_en: 'Chair blue', price: '0.1000', weight: '2.000', weight_unit: 'lb', cats: 'chairs', updated_at: '2024-06-01 10:00:00' },
    { ...ITEM, sku: 'CH-OLD', template_code: 'T-CHAIR', name_en: 'Old chair', archived: true, updated_at: '2024-06-01 09:59:30' },
    { ...ITEM, sku: 'DK-1', template_code: 'T-DESK', name_en: 'Desk 1', price: '199.9900', updated_at: '2024-01-02 10:00:00' },
    { ...ITEM, sku: 'DK-2', template_code: 'T-DESK', name_en: 'Desk 2', updated_at: '2024-01-02 10:00:00' },
    // Bad rows: a weight without unit, a release date that is no date.
    { ...ITEM, sku: 'BAD-UNIT', name_en: 'No unit', weight: '3.000', updated_at: '2024-03-01 10:00:00' },
    { ...ITEM, sku: 'BAD-DATE', name_en: 'Bad date', released: '31/02/2024', updated_at: '2024-03-01 10:00:00' },
    { ...ITEM, sku: "O'Brien \"quoted\"", name_en: 'Quote', updated_at: '2024-03-01 10:00:00' },
    { ...ITEM, sku: 'LATE', name_en: 'Late', updated_at: '2024-07-01 10:00:00' },
  ]);
  await knex('translations').insert([
    { record_key: 'CH-RED', field: 'description', lang: 'en', value: 'A red chair.' },
    { record_key: 'CH-RED', field: 'description', lang: 'de', value: 'Ein roter Stuhl.' },
    { record_key: 'CH-RED', field: 'care', lang: 'en', value: 'Wipe clean.' },
    { record_key: 'DK-1', field: 'description', lang: 'fr', value: 'Un bureau.' },
  ]);
  const rows = Array.from({ length: BULK_ROWS }, (_, i) => ({
    code: `B${String(i).padStart(5, '0')}`,
    amount: `${i}.${String(i % 100).padStart(2, '0')}`,
    updated_at: '2024-01-01 00:00:00',
  }));
  for (let i = 0; i < rows.length; i += 200) await knex('bulk').insert(rows.slice(i, i + 200));
}

export function itemsConfig(db: TestDatabase, extra: Partial<SqlConfigInput> = {}): SqlConfigInput {
  return {
    type: 'sql',
    client: db.client,
    connection: db.connection,
    deltaMarginSeconds: 0,
    batchSize: 3,
    streams: {
      items: {
        table: 'items',
        key: 'sku',
        updatedAt: 'updated_at',
        group: 'template_code',
        groupChanges: { table: 'templates', key: 'code', updatedAt: 'updated_at' },
        categories: { column: 'cats', separator: ',' },
        active: { column: 'archived', invert: true },
        fields: {
          name: { type: 'localized', columns: { en: 'name_en', fr: 'name_fr', de: 'name_de' } },
          description: {
            type: 'localized',
            translations: { table: 'translations', key: 'record_key', language: 'lang', value: 'value', field: { column: 'field', value: 'description' } },
          },
          price: { column: 'price', type: 'decimal' },
          stock_units: { column: 'stock_units', type: 'integer' },
          weight: { type: 'quantity', amount: 'weight', unit: 'weight_unit' },
          released: { column: 'released', type: 'date' },
        },
      },
      groups: {
        table: 'templates',
        key: 'code',
        updatedAt: 'updated_at',
        fields: { name: { type: 'localized', columns: { en: 'name_en', fr: 'name_fr' } } },
      },
    },
    ...extra,
  };
}

async function readAll(source: SqlSource, stream: 'items' | 'groups', options: Parameters<SqlSource['read']>[1] = {}) {
  const records: ErpRecord[] = [];
  const rejects: RejectedRecord[] = [];
  for await (const r of source.read(stream, { ...options, onReject: (x) => rejects.push(x) })) records.push(r);
  return { records, rejects, byKey: new Map(records.map((r) => [r.key, r])) };
}

export function defineSqlAdapterSuite(label: string, enabled: boolean, makeDb: () => Promise<TestDatabase>): void {
  describe.skipIf(!enabled)(`SQL adapter on ${label}`, () => {
    let db: TestDatabase;
    let source: SqlSource;

    beforeAll(async () => {
      db = await makeDb();
      await createSchema(db.knex, db.client);
      await seed(db.knex);
      source = createSqlSource(itemsConfig(db));
    });
    afterAll(async () => {
      await source?.close();
      await db?.drop();
    });

    it('streams a table through a cursor in batches, never as one result', async () => {
      const knex = (await import('knex')).default({
        client: db.client,
        connection: db.client === 'better-sqlite3' ? db.connection : { ...db.connection },
        useNullAsDefault: true,
      });
      try {
        const sizes: number[] = [];
        // The event loop turns between batches (SQLite answers synchronously): responses on the
        // wire are handled while a long read goes on.
        let turns = 0;
        let reading = true;
        const tick = () => {
          if (!reading) return;
          turns++;
          setImmediate(tick);
        };
        setImmediate(tick);
        for await (const batch of streamRows(knex, db.client, knex('bulk').select('code').orderBy('code'), 400)) sizes.push(batch.length);
        reading = false;
        expect(turns).toBeGreaterThanOrEqual(sizes.length - 1);
        expect(sizes.reduce((a, b) => a + b, 0)).toBe(BULK_ROWS);
        expect(sizes.length).toBe(Math.ceil(BULK_ROWS / 400));
        expect(Math.max(...sizes)).toBeLessThanOrEqual(400);
      } finally {
        await knex.destroy();
      }
      const bulk = createSqlSource({
        type: 'sql',
        client: db.client,
        connection: db.connection,
        batchSize: 250,
        streams: { items: { table: 'bulk', key: 'code', updatedAt: 'updated_at', fields: { amount: { column: 'amount', type: 'decimal' } } } },
      });
      try {
        let n = 0;
        let previous = '';
        for await (const r of bulk.read('items')) {
          expect(r.key > previous).toBe(true);
          previous = r.key;
          n++;
        }
        expect(n).toBe(BULK_ROWS);
        let limited = 0;
        for await (const _ of bulk.read('items', { limit: 7 })) limited++;
        expect(limited).toBe(7);
      } finally {
        await bulk.close();
      }
    });

    it('keeps decimals and big integers exact, reads localized texts, quantities, dates, categories, active', async () => {
      const { byKey } = await readAll(source, 'items');
      const red = byKey.get('CH-RED')!;
      expect(red.fields.price).toEqual({ kind: 'decimal', value: '12345678901234.5678' });
      expect(red.fields.stock_units).toBe('9007199254740993');
      expect(red.fields.weight).toEqual({ kind: 'quantity', amount: '1.250', unit: 'kg' });
      expect(red.fields.name).toEqual({ kind: 'localized', values: { en: 'Chair red', fr: 'Chaise rouge' } });
      expect(red.fields.description).toEqual({ kind: 'localized', values: { en: 'A red chair.', de: 'Ein roter Stuhl.' } });
      expect(red.fields.released).toBe('2024-02-29');
      expect(red.categories).toEqual(['furniture', 'chairs']);
      expect(red.group).toBe('T-CHAIR');
      expect(red.active).toBe(true);
      expect(red.updatedAt).toBe('2024-06-01T10:00:00.000Z');
      expect(byKey.get('CH-BLUE')!.fields.price).toEqual({ kind: 'decimal', value: '0.1000' });
      expect(byKey.get('CH-BLUE')!.fields.description).toBeNull();
      expect(byKey.get('CH-OLD')!.active).toBe(false);
      expect(byKey.get('DK-1')!.fields.description).toEqual({ kind: 'localized', values: { fr: 'Un bureau.' } });
      // An item's effective change includes its group's (T-DESK edited 2024-06-15).
      expect(byKey.get('DK-1')!.updatedAt).toBe('2024-06-15T09:00:00.000Z');
    });

    it('rejects a bad row with table, key, field and raw content, and reads the rest', async () => {
      const { records, rejects } = await readAll(source, 'items');
      expect(records.map((r) => r.key).sort()).toEqual(['CH-BLUE', 'CH-OLD', 'CH-RED', 'DK-1', 'DK-2', 'LATE', "O'Brien \"quoted\""].sort());
      expect(rejects).toHaveLength(2);
      const unit = rejects.find((r) => r.key === 'BAD-UNIT')!;
      expect(unit.location).toBe('table items, key BAD-UNIT, field weight');
      expect(unit.field).toBe('weight');
      expect(unit.message).toMatch(/no unit/);
      expect(unit.raw).toContain('"sku":"BAD-UNIT"');
      const date = rejects.find((r) => r.key === 'BAD-DATE')!;
      expect(date.field).toBe('released');
      expect(date.raw).toContain('31/02/2024');
    });

    it("fields 'none' (a queued run's plan): keys, groups, dates, categories and flags without the fields; bad fields are not this read's rejects", async () => {
      const { byKey, rejects } = await readAll(source, 'items', { fields: 'none' });
      expect([...byKey.keys()].sort()).toEqual(['BAD-DATE', 'BAD-UNIT', 'CH-BLUE', 'CH-OLD', 'CH-RED', 'DK-1', 'DK-2', 'LATE', "O'Brien \"quoted\""].sort());
      expect(rejects).toEqual([]);
      const red = byKey.get('CH-RED')!;
      expect(red).toEqual({ stream: 'items', key: 'CH-RED', updatedAt: '2024-06-01T10:00:00.000Z', group: 'T-CHAIR', categories: ['furniture', 'chairs'], active: true, fields: {} });
      expect(byKey.get('CH-OLD')!.active).toBe(false);
      expect(byKey.get('DK-1')!.updatedAt).toBe('2024-06-15T09:00:00.000Z');
    });

    it('delta: inclusive ties, the skew margin, and group changes propagated to their items', async () => {
      const since = '2024-06-01T10:00:00Z';
      const exact = await readAll(source, 'items', { since });
      // Both rows stamped exactly at the watermark come back (inclusive), plus later ones,
      // plus the desks whose template changed on 2024-06-15.
      expect([...exact.byKey.keys()].sort()).toEqual(['CH-BLUE', 'CH-RED', 'DK-1', 'DK-2', 'LATE']);
      const widened = createSqlSource(itemsConfig(db, { deltaMarginSeconds: 60 }));
      try {
        const wide = await readAll(widened, 'items', { since });
        // CH-OLD is stamped 30 s before the watermark: inside a 60 s margin.
        expect(wide.byKey.has('CH-OLD')).toBe(true);
      } finally {
        await widened.close();
      }
      const late = await readAll(source, 'items', { since: '2024-06-20T00:00:00Z' });
      expect([...late.byKey.keys()]).toEqual(['LATE']);
      const groups = await readAll(source, 'groups', { since: '2024-06-01T00:00:00Z' });
      expect([...groups.byKey.keys()]).toEqual(['T-DESK']);
    });

    it('binds every value: a hostile key is just a key', async () => {
      const hostile = "x'; drop table items; --";
      const { records } = await readAll(source, 'items', { keys: [hostile, "O'Brien \"quoted\"", 'CH-RED'] });
      expect(records.map((r) => r.key).sort()).toEqual(['CH-RED', "O'Brien \"quoted\""]);
      const count = (await db.knex('items').count({ n: '*' }).first()) as { n: unknown };
      expect(Number(count.n)).toBe(9);
      const many = Array.from({ length: 1200 }, (_, i) => `K${i}`).concat(['DK-2']);
      const chunked = await readAll(source, 'items', { keys: many });
      expect(chunked.records.map((r) => r.key)).toEqual(['DK-2']);
    });

    it('a reader that stops early frees its cursor and connection', async () => {
      // More early stops than the pool has connections: a leaked cursor would hang the next read.
      for (let i = 0; i < 6; i++) {
        for await (const _ of source.read('items')) break;
      }
      const { records } = await readAll(source, 'items', { keys: ['CH-RED'] });
      expect(records).toHaveLength(1);
    });

    it('a configured query may contain a literal "?" without disturbing the bound parameters', async () => {
      const q = createSqlSource(
        itemsConfig(db, {
          streams: {
            items: {
              query: "select sku, updated_at, 'why?' as note from items",
              key: 'sku',
              updatedAt: 'updated_at',
              fields: { note: 'note' },
            },
          },
        }),
      );
      try {
        const { records } = await readAll(q, 'items', { since: '2024-06-01T10:00:00Z', keys: ['CH-RED', 'LATE', 'DK-1'] });
        expect(records.map((r) => [r.key, r.fields.note])).toEqual([
          ['CH-RED', 'why?'],
          ['LATE', 'why?'],
        ]);
      } finally {
        await q.close();
      }
    });

    it('check() and describe() report the database, counts, fields and delta strategy', async () => {
      const check = await source.check();
      expect(check.ok).toBe(true);
      expect(check.counts).toEqual({ groups: 2, items: 9 });
      const described = await source.describe();
      const items = described.find((d) => d.stream === 'items')!;
      expect(items.supportsDelta).toBe(true);
      expect(items.deltaStrategy).toMatch(/inclusive/);
      expect(items.fields.find((f) => f.name === 'weight')!.units).toEqual(['kg', 'lb']);
      expect(items.fields.find((f) => f.name === 'description')!.languages).toEqual(['de', 'en', 'fr']);
      const broken = createSqlSource(
        itemsConfig(db, { streams: { items: { table: 'items', key: 'sku', fields: { ghost: 'no_such_column' } } } }),
      );
      try {
        const bad = await broken.check();
        expect(bad.ok).toBe(false);
        expect(bad.problems.join('\n')).toMatch(/stream items.*no_such_column/s);
      } finally {
        await broken.close();
      }
    });

    it('describe() declares the values of a select or multiselect column as its options, as a read gives them, but not an open list', async () => {
      const declared = createSqlSource(
        itemsConfig(db, {
          streams: {
            items: {
              table: 'items',
              key: 'sku',
              fields: { unit: { column: 'weight_unit', type: 'select' }, cats: { column: 'cats', type: 'multiselect', separator: ',' }, sku_list: { column: 'sku', type: 'select' } },
            },
          },
        }),
      );
      try {
        const fields = (await declared.describe()).find((d) => d.stream === 'items')!.fields;
        // 'KG ' is read trimmed (the read gives 'KG'); nulls are no option; the multiselect is split.
        expect(fields.find((f) => f.name === 'unit')!.options).toEqual(['KG', 'lb']);
        expect(fields.find((f) => f.name === 'cats')!.options).toEqual(['chairs', 'furniture']);
        // Every row its own value: fewer than the cap here, so declared; the cap itself is the next test's.
        expect(fields.find((f) => f.name === 'sku_list')!.options).toHaveLength(9);
      } finally {
        await declared.close();
      }
      const open = createSqlSource(itemsConfig(db, { streams: { items: { table: 'bulk', key: 'code', fields: { code: { column: 'code', type: 'select' } } } } }));
      try {
        const fields = (await open.describe()).find((d) => d.stream === 'items')!.fields;
        // BULK_ROWS distinct values: no closed list, so no options (the items create theirs).
        expect(BULK_ROWS).toBeGreaterThan(1000);
        expect(fields.find((f) => f.name === 'code')!.options).toBeUndefined();
      } finally {
        await open.close();
      }
    });

    it('upserts records: created, updated, unchanged, and a refused record fails alone', async () => {
      await db.knex.schema.createTable('items_in', (t) => {
        t.string('sku', 80).primary();
        t.string('template_code', 40);
        t.string('name_en', 200);
        t.string('name_fr', 200);
        if (db.client === 'better-sqlite3') {
          t.specificType('price', 'TEXT');
          t.specificType('weight', 'TEXT');
        } else {
          t.decimal('price', 12, 2);
          t.decimal('weight', 12, 3);
        }
        t.string('weight_unit', 8);
        t.boolean('archived').notNullable().defaultTo(false);
        t.dateTime('changed_at', { precision: 3 }).nullable();
      });
      const sink = createSqlSource({
        type: 'sql',
        client: db.client,
        connection: db.connection,
        streams: {
          items: {
            table: 'items_in',
            key: 'sku',
            updatedAt: 'changed_at',
            group: 'template_code',
            active: { column: 'archived', invert: true },
            fields: {
              name: { type: 'localized', columns: { en: 'name_en', fr: 'name_fr' } },
              description: {
                type: 'localized',
                translations: { table: 'translations', key: 'record_key', language: 'lang', value: 'value', field: { column: 'field', value: 'description' } },
              },
              price: { column: 'price', type: 'decimal' },
              weight: { type: 'quantity', amount: 'weight', unit: 'weight_unit' },
            },
          },
        },
      });
      try {
        const a: ErpRecord = {
          stream: 'items',
          key: 'NEW-1',
          updatedAt: null,
          group: 'T-NEW',
          active: true,
          fields: {
            name: { kind: 'localized', values: { en: 'New', fr: 'Nouveau' } },
            description: { kind: 'localized', values: { en: 'Fresh.', de: 'Frisch.' } },
            price: { kind: 'decimal', value: '19.90' },
            weight: { kind: 'quantity', amount: '0.5', unit: 'kg' },
          },
        };
        const b: ErpRecord = { stream: 'items', key: "x'; drop table items_in; --", updatedAt: null, fields: { price: { kind: 'decimal', value: '1.00' } } };
        const before = Date.now();
        const first = await sink.upsert('items', [a, b]);
        expect(first.map((r) => r.outcome)).toEqual(['created', 'created']);
        // Written rows are stamped, so a delta read sees them.
        const stamped = await readAll(sink, 'items', { since: new Date(before - 1000).toISOString() });
        expect(stamped.records.map((r) => r.key).sort()).toEqual([a.key, b.key].sort());
        const again = await sink.upsert('items', [{ ...a, fields: { ...a.fields, price: { kind: 'decimal', value: '19.9' } } }]);
        expect(again[0]!.outcome).toBe('unchanged');
        const bad: ErpRecord = { stream: 'items', key: 'NEW-2', updatedAt: null, fields: { price: { kind: 'decimal', value: '123456789012345.00' } } };
        const changed = await sink.upsert('items', [{ ...a, active: false }, bad, { ...b, fields: { price: { kind: 'decimal', value: '2.50' } } }]);
        expect(changed[0]!.outcome).toBe('updated');
        expect(changed[2]!.outcome).toBe('updated');
        if (db.client !== 'better-sqlite3') {
          // SQLite accepts any number in a DECIMAL(12,2); the others refuse the overflow.
          expect(changed[1]!.outcome).toBe('failed');
          expect(changed[1]!.message).toContain('NEW-2');
        }
        const unknownUnit = await sink.upsert('items', [{ ...a, active: false, fields: { weight: { kind: 'quantity', amount: '1', unit: 'lb' }, colour: 'red' } }]);
        expect(unknownUnit[0]!.outcome).toBe('updated');
        expect(unknownUnit[0]!.message).toMatch(/colour/);
        const back = await readAll(sink, 'items', { keys: ['NEW-1'] });
        const rec = back.records[0]!;
        expect(rec.active).toBe(false);
        expect(rec.group).toBe('T-NEW');
        expect(rec.fields.price).toEqual({ kind: 'decimal', value: '19.90' });
        expect(rec.fields.weight).toEqual({ kind: 'quantity', amount: db.client === 'better-sqlite3' ? '1' : '1.000', unit: 'lb' });
        expect(rec.fields.description).toEqual({ kind: 'localized', values: { en: 'Fresh.', de: 'Frisch.' } });
        expect(await db.knex.schema.hasTable('items_in')).toBe(true);
        const hostile = (await db.knex('items_in').where('sku', b.key).first()) as { price: unknown };
        expect(String(hostile.price)).toMatch(/^2\.50?$/);
      } finally {
        await sink.close();
      }
    });
  });
}
