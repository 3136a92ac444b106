/** The seeded demo ERP: deterministic, realistic, and readable through the port without a reject. */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoSource, generateDemoErp, isDemoErpCurrent } from '../../../src/erp/demo/index.js';
import type { ErpRecord, RejectedRecord, StreamName } from '../../../src/erp/port.js';
import { erpConfigSchema } from '../../../src/erp/config.js';
import { createErpSink } from '../../../src/erp/factory.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function dump(path: string): string {
  const db = new Database(path, { readonly: true });
  try {
    const hash = createHash('sha256');
    for (const table of ['categories', 'attributes', 'templates', 'translations', 'items', 'item_categories']) {
      for (const row of db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).all()) hash.update(JSON.stringify(row));
    }
    return hash.digest('hex');
  } finally {
    db.close();
  }
}

function eanValid(ean: string): boolean {
  if (!/^\d{13}$/.test(ean)) return false;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(ean[i]) * (i % 2 === 0 ? 1 : 3);
  return (10 - (sum % 10)) % 10 === Number(ean[12]);
}

describe('demo ERP generator', () => {
  it('is deterministic: same seed, same database; another seed, another one', () => {
    const a = generateDemoErp({ path: join(dir, 'a.sqlite'), items: 300, seed: 1 });
    const b = generateDemoErp({ path: join(dir, 'b.sqlite'), items: 300, seed: 1 });
    const c = generateDemoErp({ path: join(dir, 'c.sqlite'), items: 300, seed: 2 });
    expect(a.items).toBe(300);
    expect(dump(a.path)).toBe(dump(b.path));
    expect(dump(a.path)).not.toBe(dump(c.path));
    expect(isDemoErpCurrent(a.path, 300, 1)).toBe(true);
    expect(isDemoErpCurrent(a.path, 300, 2)).toBe(false);
  });

  describe('content (2,000 items)', () => {
    let path: string;
    let db: Database.Database;
    beforeAll(() => {
      path = generateDemoErp({ path: join(dir, 'content.sqlite'), items: 2000, seed: 42 }).path;
      db = new Database(path, { readonly: true });
    });
    afterAll(() => db.close());

    it('has exactly the items asked for, 1–12 distinct variants per template', () => {
      expect((db.prepare('SELECT count(*) n FROM items').get() as { n: number }).n).toBe(2000);
      const perTemplate = db.prepare('SELECT template_code, count(*) n, count(DISTINCT coalesce(color, \'\') || \'/\' || coalesce(size, \'\')) d FROM items GROUP BY 1').all() as { n: number; d: number }[];
      for (const t of perTemplate) {
        expect(t.n).toBeGreaterThanOrEqual(1);
        expect(t.n).toBeLessThanOrEqual(12);
        expect(t.d).toBe(t.n);
      }
      expect(Math.max(...perTemplate.map((t) => t.n))).toBeGreaterThan(6);
      expect(perTemplate.some((t) => t.n === 1)).toBe(true);
    });

    it('uses several units, valid EANs, brands, exact decimal texts, and archives a few items', () => {
      const weightUnits = (db.prepare('SELECT DISTINCT weight_unit u FROM items ORDER BY 1').all() as { u: string }[]).map((r) => r.u);
      expect(weightUnits).toEqual(['g', 'kg', 'lb']);
      const dimUnits = (db.prepare('SELECT DISTINCT dimension_unit u FROM items WHERE dimension_unit IS NOT NULL ORDER BY 1').all() as { u: string }[]).map((r) => r.u);
      expect(dimUnits).toEqual(['cm', 'in', 'mm']);
      const eans = (db.prepare('SELECT ean FROM items WHERE ean IS NOT NULL').all() as { ean: string }[]).map((r) => r.ean);
      expect(eans.length).toBeGreaterThan(1900);
      expect(eans.every(eanValid)).toBe(true);
      expect(new Set(eans).size).toBe(eans.length);
      const archived = (db.prepare('SELECT count(*) n FROM items WHERE archived = 1').get() as { n: number }).n;
      expect(archived).toBeGreaterThan(10);
      expect(archived).toBeLessThan(200);
      const prices = (db.prepare('SELECT list_price p FROM items').all() as { p: string }[]).map((r) => r.p);
      expect(prices.every((p) => /^\d+\.\d{2}$/.test(p))).toBe(true);
      expect((db.prepare('SELECT count(DISTINCT brand) n FROM templates').get() as { n: number }).n).toBeGreaterThan(5);
    });

    it('translates into en/fr/de with some translations missing, like a real ERP', () => {
      const langs = db.prepare("SELECT lang, count(*) n FROM translations WHERE field = 'description' GROUP BY lang").all() as { lang: string; n: number }[];
      const templates = (db.prepare('SELECT count(*) n FROM templates').get() as { n: number }).n;
      const by = Object.fromEntries(langs.map((l) => [l.lang, l.n]));
      expect(by.en).toBe(templates);
      expect(by.fr).toBeLessThan(templates);
      expect(by.de).toBeLessThan(by.fr!);
      expect(by.de).toBeGreaterThan(templates / 2);
    });

    it('has a category tree rooted at master and items classified in existing categories', () => {
      const cats = db.prepare('SELECT code, parent_code FROM categories').all() as { code: string; parent_code: string | null }[];
      const codes = new Set(cats.map((c) => c.code));
      expect(cats.filter((c) => c.parent_code === null).map((c) => c.code)).toEqual(['master']);
      for (const c of cats) if (c.parent_code) expect(codes.has(c.parent_code)).toBe(true);
      const links = db.prepare('SELECT DISTINCT category_code c FROM item_categories').all() as { c: string }[];
      for (const l of links) expect(codes.has(l.c)).toBe(true);
      // At least three levels deep.
      expect(cats.some((c) => c.parent_code && cats.find((p) => p.code === c.parent_code)?.parent_code === 'master')).toBe(true);
    });
  });
});

describe('demo ERP source', () => {
  const path = join(dir, 'source', 'demo-erp.sqlite');
  let source: ReturnType<typeof createDemoSource>;
  beforeAll(() => {
    source = createDemoSource({ type: 'demo', path, items: 400, seed: 9 });
  });
  afterAll(async () => source.close());

  async function readAll(stream: StreamName, since?: string) {
    const records: ErpRecord[] = [];
    const rejects: RejectedRecord[] = [];
    for await (const r of source.read(stream, { ...(since ? { since } : {}), onReject: (x) => rejects.push(x) })) records.push(r);
    return { records, rejects };
  }

  it('is generated on first use, reused after, regenerated when the options change', async () => {
    expect(source.summary.generated).toBe(true);
    const again = createDemoSource({ type: 'demo', path, items: 400, seed: 9 });
    expect(again.summary.generated).toBe(false);
    await again.close();
    const check = await source.check();
    expect(check.ok).toBe(true);
    expect(check.counts.items).toBe(400);
    expect(source.streams).toEqual(['categories', 'attributes', 'groups', 'items']);
  });

  it('reads every stream through the SQL adapter without a reject, in the standard field names', async () => {
    for (const stream of source.streams) {
      const { records, rejects } = await readAll(stream);
      expect(rejects).toEqual([]);
      expect(records.length).toBeGreaterThan(0);
    }
    const { records } = await readAll('items');
    expect(records).toHaveLength(400);
    const item = records.find((r) => r.fields.color !== null && r.fields.size !== null)!;
    expect(Object.keys(item.fields).sort()).toEqual(['brand', 'color', 'ean', 'height', 'length', 'name', 'size', 'weight', 'width']);
    expect(item.group).toMatch(/^[A-Z]{3}-\d{6}$/);
    expect((item.fields.name as { values: Record<string, string> }).values.en).toContain(item.fields.size as string);
    expect(records.some((r) => r.active === false)).toBe(true);
    const groups = (await readAll('groups')).records;
    const withDescription = groups.filter((g) => g.fields.description !== null);
    expect(withDescription.length).toBe(groups.length);
  });

  it('reads several streams at once (interleaved cursors with their look-ups)', async () => {
    const iterators = (['items', 'groups', 'categories', 'attributes'] as const).map((s) => source.read(s)[Symbol.asyncIterator]());
    const counts = [0, 0, 0, 0];
    let open = iterators.length;
    while (open > 0) {
      open = 0;
      for (const [i, it] of iterators.entries()) {
        const next = await it.next();
        if (!next.done) {
          counts[i]!++;
          open++;
        }
      }
    }
    expect(counts[0]).toBe(400);
    expect(counts[1]).toBe(source.summary.templates);
  });

  it('takes writes: records read and written back are unchanged; a change is stamped and seen by a delta read', async () => {
    const sinkPath = join(dir, 'sink', 'demo.sqlite');
    const cfg = { type: 'demo' as const, path: sinkPath, items: 60, seed: 4 };
    const demo = createDemoSource(cfg);
    const sink = createErpSink(erpConfigSchema.parse(cfg));
    try {
      const records: ErpRecord[] = [];
      for await (const r of demo.read('items')) records.push(r);
      const same = await sink.upsert('items', records);
      expect(same.every((r) => r.outcome === 'unchanged')).toBe(true);
      const before = new Date(Date.now() - 1000).toISOString();
      const edited = { ...records[0]!, fields: { ...records[0]!.fields, brand: 'Ferry Test Brand' } };
      expect((await sink.upsert('items', [edited]))[0]!.outcome).toBe('updated');
      const delta: ErpRecord[] = [];
      for await (const r of demo.read('items', { since: before })) delta.push(r);
      expect(delta.map((r) => r.key)).toEqual([edited.key]);
      expect(delta[0]!.fields.brand).toBe('Ferry Test Brand');
    } finally {
      await sink.close();
      await demo.close();
    }
  });

  it('stops when the read is aborted', async () => {
    const controller = new AbortController();
    let n = 0;
    await expect(
      (async () => {
        for await (const _ of source.read('items', { signal: controller.signal })) {
          if (++n === 10) controller.abort();
        }
      })(),
    ).rejects.toMatchObject({ name: 'AbortError' });
    expect(n).toBe(10);
  });

  it('a template edited after its variants brings them into a delta read', async () => {
    const { records: items } = await readAll('items');
    const db = new Database(path, { readonly: true });
    const edited = db
      .prepare('SELECT t.code, t.updated_at FROM templates t WHERE t.updated_at > (SELECT max(i.updated_at) FROM items i WHERE i.template_code = t.code) ORDER BY t.updated_at DESC LIMIT 1')
      .get() as { code: string; updated_at: string } | undefined;
    db.close();
    expect(edited).toBeDefined();
    const since = `${edited!.updated_at.replace(' ', 'T')}Z`;
    const delta = await readAll('items', since);
    const variants = items.filter((i) => i.group === edited!.code).map((i) => i.key);
    expect(variants.length).toBeGreaterThan(0);
    for (const key of variants) expect(delta.records.map((r) => r.key)).toContain(key);
    expect(delta.records.every((r) => r.updatedAt! >= new Date(since).toISOString())).toBe(true);
  });
});
