/**
 * `--verify` tells the truth: values written by Ferry and read back from the PIM compare equal
 * whatever the PIM's normalisation (dates as date-times, padded decimals, option-code case);
 * text is compared exactly, so a case-only edit in the PIM is drift; `--repair` is idempotent.
 */
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AkeneoClient } from '../../src/akeneo/index.js';
import type { Attribute, ValueEntry } from '../../src/akeneo/model.js';
import { ferryConfigSchema } from '../../src/config/schema.js';
import { createErpSource } from '../../src/erp/factory.js';
import { createLogger } from '../../src/logging.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { fingerprint } from '../../src/sync/hash.js';
import { runSync } from '../../src/sync/index.js';
import { bootstrapPim } from '../../src/sync/bootstrap.js';
import { pimNormalised, sameAsStored } from '../../src/sync/verify.js';
import { sandboxPimConfig, tempDirs } from './support/e2e.js';
import { clientFor, recordingClient } from './support/pim.js';

const silent = createLogger({ level: 'silent' });
const tempDir = tempDirs('ferry-verify-');

const ATTRIBUTES: Attribute[] = [
  { code: 'v_date', type: 'pim_catalog_date', group: 'other' },
  { code: 'v_decimal', type: 'pim_catalog_number', group: 'other', decimals_allowed: true, negative_allowed: true },
  { code: 'v_integer', type: 'pim_catalog_number', group: 'other', decimals_allowed: false, negative_allowed: true },
  { code: 'v_weight', type: 'pim_catalog_metric', group: 'other', metric_family: 'Weight', default_metric_unit: 'KILOGRAM', decimals_allowed: true, negative_allowed: false },
  { code: 'v_price', type: 'pim_catalog_price_collection', group: 'other', decimals_allowed: true },
  { code: 'v_text', type: 'pim_catalog_text', group: 'other' },
  { code: 'v_colour', type: 'pim_catalog_simpleselect', group: 'other' },
  { code: 'v_tags', type: 'pim_catalog_multiselect', group: 'other' },
] as Attribute[];
const byCode = new Map(ATTRIBUTES.map((a) => [a.code, a]));
const OPTIONS = ['Red', 'blue', 'GREEN'];

/** Decimal texts in Ferry's canonical form (no padding), at most 4 decimals as the PIM stores them. */
const canonicalDecimal = fc
  .tuple(fc.integer({ min: -99999, max: 99999 }), fc.integer({ min: 0, max: 9999 }))
  .map(([i, f]) => {
    const frac = String(f).padStart(4, '0').replace(/0+$/, '');
    const text = frac ? `${Math.abs(i)}.${frac}` : String(Math.abs(i));
    return i < 0 && text !== '0' ? `-${text}` : text;
  });
/** A canonical decimal cut to two decimals, still canonical ("1.50" → "1.5", "2.00" → "2"). */
function twoDecimals(d: string): string {
  const [i = '', f = ''] = d.split('.');
  const frac = f.slice(0, 2).replace(/0+$/, '');
  return frac ? `${i}.${frac}` : i;
}
const positiveDecimal = canonicalDecimal.map((d) => d.replace(/^-/, ''));
const date = fc.date({ min: new Date('1970-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
const text = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ,.'-]{0,40}[A-Za-z0-9]$/);

/** Values as Ferry's mapper writes them. */
const writtenValues = fc.record({
  v_date: date,
  v_decimal: canonicalDecimal,
  v_integer: fc.integer({ min: -100000, max: 100000 }),
  v_weight: positiveDecimal.map((amount) => ({ amount, unit: fc.sample(fc.constantFrom('KILOGRAM', 'GRAM'), 1)[0]! })),
  // Prices carry at most two decimals in the PIM.
  v_price: fc.tuple(positiveDecimal, positiveDecimal).map((pair) => pair.map(twoDecimals)).map(([eur, usd]) => [
    { amount: eur, currency: 'EUR' },
    { amount: usd, currency: 'USD' },
  ]),
  v_text: text,
  v_colour: fc.constantFrom(...OPTIONS.map((o) => o.toLowerCase())),
  v_tags: fc.uniqueArray(fc.constantFrom(...OPTIONS), { minLength: 1, maxLength: 3 }),
});

describe('verify compares as the PIM normalises', () => {
  let sb: RunningSandbox;
  let client: AkeneoClient;
  beforeAll(async () => {
    sb = await startSandbox({ catalog: 'demo' });
    client = clientFor(sb);
    for (const a of ATTRIBUTES) await client.attributes.upsert(a);
    for (const attribute of ['v_colour', 'v_tags']) {
      for (const code of OPTIONS) await client.attributeOptions(attribute).upsert({ code, attribute, labels: {} });
    }
  }, 120_000);
  afterAll(async () => {
    await client?.close();
    await sb?.close();
  });

  it('unit rules: dates to the day, decimals unpadded, option codes without case, text exactly', () => {
    expect(sameAsStored(fingerprint('2008-04-30'), '2008-04-30T00:00:00+00:00', byCode.get('v_date'))).toBe(true);
    expect(sameAsStored(fingerprint('12.5'), '12.5000', byCode.get('v_decimal'))).toBe(true);
    expect(sameAsStored(fingerprint({ amount: '3', unit: 'KILOGRAM' }), { amount: '3.0000', unit: 'KILOGRAM' }, byCode.get('v_weight'))).toBe(true);
    expect(sameAsStored(fingerprint('red'), 'Red', byCode.get('v_colour'))).toBe(true);
    expect(sameAsStored(fingerprint('Adjustable Race'), 'ADJUSTABLE RACE', byCode.get('v_text'))).toBe(false);
    expect(sameAsStored(fingerprint('12.5'), '12.6000', byCode.get('v_decimal'))).toBe(false);
    expect(sameAsStored(fingerprint('2008-04-30'), '2008-05-01T00:00:00+00:00', byCode.get('v_date'))).toBe(false);
    // Long values are stored as digests of Ferry's form: the PIM's form is normalised towards it.
    const long = [
      { amount: '1234.5678', currency: 'EUR' },
      { amount: '99999.1', currency: 'USD' },
    ];
    expect(fingerprint(long).startsWith('#')).toBe(true);
    expect(sameAsStored(fingerprint(long), [{ amount: '1234.5678', currency: 'EUR' }, { amount: '99999.1000', currency: 'USD' }], byCode.get('v_price'))).toBe(true);
    expect(pimNormalised(undefined, '2008-04-30T00:00:00+00:00')).toBe('2008-04-30');
  });

  it('property: write → sandbox read-back → compare finds no false drift, and a case-only text edit is drift', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(writtenValues, async (written) => {
        const sku = `verify-${n++}`;
        const values: Record<string, ValueEntry[]> = { sku: [{ locale: null, scope: null, data: sku }] };
        for (const [code, data] of Object.entries(written)) values[code] = [{ locale: null, scope: null, data }];
        const res = await client.products.upsertMany([{ identifier: sku, values } as never]);
        expect(res[0]!.status, JSON.stringify(res[0])).toBeLessThan(300);
        const [back] = await collect(client.products.list({ search: JSON.stringify({ sku: [{ operator: 'IN', value: [sku] }] }) }));
        for (const [code, data] of Object.entries(written)) {
          const actual = back!.values?.[code]?.[0]?.data;
          expect(sameAsStored(fingerprint(data), actual, byCode.get(code)), `${code}: wrote ${JSON.stringify(data)}, read ${JSON.stringify(actual)}`).toBe(true);
        }
        const flipped = written.v_text.toUpperCase() === written.v_text ? written.v_text.toLowerCase() : written.v_text.toUpperCase();
        if (flipped !== written.v_text) expect(sameAsStored(fingerprint(written.v_text), flipped, byCode.get('v_text'))).toBe(false);
      }),
      { numRuns: 40, seed: 2026 },
    );
  }, 120_000);
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('--verify --repair on the demo catalogue', () => {
  it('a case-only edit in the PIM is found and repaired; a second repair writes nothing', async () => {
    const sb = await startSandbox({ catalog: 'demo' });
    const dir = tempDir();
    const config = ferryConfigSchema.parse({
      pim: sandboxPimConfig(sb),
      erp: { type: 'demo', path: join(dir, 'demo-erp.sqlite'), items: 60, seed: 3 },
      mapping: { preset: 'demo' },
      state: { path: join(dir, 'ferry.db') },
    });
    const base = clientFor(sb);
    const run = async (options: { full?: boolean; verify?: boolean; repair?: boolean }) => {
      const { client, writes } = recordingClient(base);
      const source = createErpSource(config.erp);
      try {
        return { report: await runSync(config, { client, source, logger: silent, ...options }), writes };
      } finally {
        await source.close();
      }
    };
    try {
      const source = createErpSource(config.erp);
      await bootstrapPim(base, config.mapping, source);
      await source.close();
      const first = await run({ full: true });
      expect(first.report.status).toBe('succeeded');
      const clean = await run({ verify: true });
      expect(clean.report.verify).toMatchObject({ drift: 0, missing: 0 });

      // An ERP-owned text (name, description) on a product or a product model, edited in case only.
      let target: { kind: 'products' | 'productModels'; id: string; attribute: string; locale: string | null; text: string } | undefined;
      const pick = (kind: 'products' | 'productModels', id: string, values: Record<string, ValueEntry[]> | undefined) => {
        for (const attribute of ['name', 'description']) {
          const e = values?.[attribute]?.find((x) => typeof x.data === 'string' && /[a-z]/.test(x.data));
          if (e && !target) target = { kind, id, attribute, locale: e.locale ?? null, text: e.data as string };
        }
      };
      // A root model's own values, else a simple product's (a variant shows its parents' values too).
      for await (const m of base.productModels.list({ limit: 100 })) if (!m.parent) pick('productModels', m.code, m.values);
      for await (const p of base.products.list({ limit: 100 })) if (!p.parent) pick('products', p.uuid!, p.values);
      expect(target, 'an ERP-owned text value').toBeDefined();
      const t = target!;
      const edit = { values: { [t.attribute]: [{ locale: t.locale, scope: null, data: t.text.toUpperCase() }] } };
      if (t.kind === 'products') await base.products.upsert({ uuid: t.id, ...edit } as never);
      else await base.productModels.upsert({ code: t.id, ...edit } as never);

      const found = await run({ verify: true });
      expect(found.report.verify).toMatchObject({ drift: 1, missing: 0, repaired: 0 });
      const repaired = await run({ verify: true, repair: true });
      expect(repaired.report.verify).toMatchObject({ drift: 1, repaired: 1 });
      const after = t.kind === 'products' ? await base.products.get(t.id) : await base.productModels.get(t.id);
      expect(after.values?.[t.attribute]?.find((e) => (e.locale ?? null) === t.locale)?.data).toBe(t.text);
      const again = await run({ verify: true, repair: true });
      expect(again.report.verify).toMatchObject({ drift: 0, missing: 0, repaired: 0 });
      expect(again.writes.length).toBe(0);
    } finally {
      await base.close();
      await sb.close();
    }
  }, 240_000);
});
