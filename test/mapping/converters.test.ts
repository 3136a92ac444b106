import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Attribute } from '../../src/akeneo/model.js';
import { CodeTable, CODE_PATTERN, normaliseCode } from '../../src/mapping/codes.js';
import {
  booleanConverter,
  dateConverter,
  mediaConverter,
  metricConverter,
  multiSelectConverter,
  numberConverter,
  priceConverter,
  referenceConverter,
  simpleSelectConverter,
  textConverter,
  type ConvertResult,
} from '../../src/mapping/converters/index.js';
import { compare, div, mul, parseDecimal, toDecimalString, canonicalDecimal } from '../../src/mapping/decimal.js';
import { CANONICAL_DECIMAL, isCanonicalDecimal } from '../../src/mapping/converters/number.js';
import { contentHash } from '../../src/mapping/media.js';
import { planMediaUploads } from '../support/media-plan.js';
import type { MediaUploadRequest } from '../../src/mapping/types.js';
import { MEASUREMENT_FAMILIES } from './fixtures.js';

const attr = (a: Partial<Attribute> & Pick<Attribute, 'type'>): Attribute => ({ code: 'a', group: 'erp', ...a });
const data = (r: ConvertResult) => {
  if (!r.ok) throw new Error(`unexpected failure: ${r.problem.message}`);
  return r.data;
};
const kind = (r: ConvertResult) => (r.ok ? 'ok' : r.problem.kind);

/** Exact decimal strings: optional sign, up to 15 integer digits, up to 8 decimals. */
const decimalString = fc
  .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 15n }), fc.option(fc.stringMatching(/^[0-9]{1,8}$/), { nil: undefined }))
  .map(([neg, int, frac]) => `${neg ? '-' : ''}${int}${frac ? `.${frac}` : ''}`);

describe('exact decimals', () => {
  it('round-trip through the canonical form without losing a digit', () => {
    fc.assert(
      fc.property(decimalString, (s) => {
        const r = parseDecimal(s)!;
        const back = parseDecimal(toDecimalString(r, 12).text)!;
        expect(compare(r, back)).toBe(0);
        expect(canonicalDecimal(canonicalDecimal(s)!)).toBe(canonicalDecimal(s));
      }),
    );
  });
  it('multiplication then division by the same factor is the identity (no float drift)', () => {
    fc.assert(
      fc.property(decimalString, decimalString.filter((s) => parseDecimal(s)!.n !== 0n), (a, f) => {
        const ra = parseDecimal(a)!;
        const rf = parseDecimal(f)!;
        expect(compare(div(mul(ra, rf), rf), ra)).toBe(0);
      }),
    );
  });
  it('examples', () => {
    expect(canonicalDecimal('12.50')).toBe('12.5');
    expect(canonicalDecimal('-0.000')).toBe('0');
    expect(canonicalDecimal('1e3')).toBe('1000');
    expect(canonicalDecimal(0.1)).toBe('0.1');
    expect(canonicalDecimal('abc')).toBeNull();
    expect(toDecimalString(div(parseDecimal('1')!, parseDecimal('3')!), 4)).toEqual({ text: '0.3333', exact: false });
  });
});

describe('text, textarea, identifier', () => {
  it('accepts any text within the limit (trimmed) and refuses longer ones with too_long', () => {
    const conv = textConverter(attr({ type: 'pim_catalog_text', max_characters: 20 }));
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }).filter((s) => !/[\r\n]/.test(s)), (s) => {
        const r = conv(s);
        if (s.trim().length <= 20) expect(data(r)).toBe(s.trim());
        else expect(kind(r)).toBe('too_long');
      }),
    );
  });
  it('defaults: text 255, textarea 65535; numbers become text; identifiers refuse separators', () => {
    expect(kind(textConverter(attr({ type: 'pim_catalog_text' }))('x'.repeat(256)))).toBe('too_long');
    expect(kind(textConverter(attr({ type: 'pim_catalog_textarea' }))('x'.repeat(256)))).toBe('ok');
    expect(data(textConverter(attr({ type: 'pim_catalog_text' }))(42))).toBe('42');
    expect(data(textConverter(attr({ type: 'pim_catalog_text' }))('a\nb'))).toBe('a b');
    expect(data(textConverter(attr({ type: 'pim_catalog_textarea' }))('a\nb'))).toBe('a\nb');
    expect(kind(textConverter(attr({ type: 'pim_catalog_identifier' }))('A,B'))).toBe('invalid_code');
    const re = textConverter(attr({ type: 'pim_catalog_text', validation_rule: 'regexp', validation_regexp: '/^[0-9]{13}$/' }));
    expect(kind(re('123'))).toBe('invalid_value');
    expect(data(re('4006381333931'))).toBe('4006381333931');
  });
});

describe('number', () => {
  it('recognises canonical decimal texts exactly as the pattern does', () => {
    const digits = fc.array(fc.constantFrom('0', '1', '5', '9'), { maxLength: 4 }).map((d) => d.join(''));
    const candidate = fc.oneof(
      fc.tuple(fc.constantFrom('', '-', '+'), digits, fc.constantFrom('', '.', 'e', ' '), digits).map((p) => p.join('')),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(candidate, (t) => {
        expect(isCanonicalDecimal(t)).toBe(CANONICAL_DECIMAL.test(t) && t !== '-0');
      }),
      { numRuns: 2000 },
    );
    for (const t of ['0', '-0', '0.5', '0.50', '10', '01', '1.', '-1.25', '', '-', '.5']) expect(isCanonicalDecimal(t), t).toBe(CANONICAL_DECIMAL.test(t) && t !== '-0');
  });

  it('keeps exact decimal strings when decimals are allowed', () => {
    const conv = numberConverter(attr({ type: 'pim_catalog_number', decimals_allowed: true }));
    fc.assert(
      fc.property(decimalString, (s) => {
        const out = data(conv(s)) as string;
        expect(compare(parseDecimal(out)!, parseDecimal(s)!)).toBe(0);
        expect(out).toBe(canonicalDecimal(s));
      }),
    );
  });
  it('sends whole numbers as integers and refuses decimals when they are not allowed', () => {
    const conv = numberConverter(attr({ type: 'pim_catalog_number', decimals_allowed: false }));
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 1, max: 99 }), (n, frac) => {
        expect(data(conv(String(n)))).toBe(n);
        expect(kind(conv(`${n}.${frac}`))).toBe('decimals_not_allowed');
      }),
    );
    expect(data(conv('12.000'))).toBe(12);
  });
  it('checks sign and bounds; refuses text', () => {
    const conv = numberConverter(attr({ type: 'pim_catalog_number', negative_allowed: false, number_min: '1', number_max: '10' }));
    expect(kind(conv('-1'))).toBe('out_of_range');
    expect(kind(conv('11'))).toBe('out_of_range');
    expect(kind(conv('0.5'))).toBe('out_of_range');
    expect(data(conv({ kind: 'decimal', value: '9.99' }))).toBe('9.99');
    expect(kind(conv('twelve'))).toBe('not_a_number');
    expect(kind(conv('1,5'))).toBe('not_a_number');
  });
});

describe('metric', () => {
  const weight = MEASUREMENT_FAMILIES.find((f) => f.code === 'Weight')!;
  const restricted = MEASUREMENT_FAMILIES.find((f) => f.code === 'ShippingWeight')!;
  const length = MEASUREMENT_FAMILIES.find((f) => f.code === 'Length')!;
  const convW = metricConverter(attr({ type: 'pim_catalog_metric', metric_family: 'Weight', default_metric_unit: 'KILOGRAM', decimals_allowed: true }), weight);
  const convR = metricConverter(
    attr({ type: 'pim_catalog_metric', metric_family: 'ShippingWeight', default_metric_unit: 'KILOGRAM', decimals_allowed: true }),
    restricted,
  );
  it('maps ERP unit symbols to Akeneo codes, keeping the amount exact', () => {
    const cases: [string, string][] = [
      ['lb', 'POUND'],
      ['kg', 'KILOGRAM'],
      ['g', 'GRAM'],
      ['oz', 'OUNCE'],
      ['LB ', 'POUND'],
      ['Kilogram', 'KILOGRAM'],
    ];
    for (const [u, code] of cases) expect(data(convW({ kind: 'quantity', amount: '20.35', unit: u }))).toEqual({ amount: '20.35', unit: code });
    const convL = metricConverter(attr({ type: 'pim_catalog_metric', metric_family: 'Length', decimals_allowed: true }), length);
    for (const [u, code] of [['cm', 'CENTIMETER'], ['mm', 'MILLIMETER'], ['m', 'METER'], ['in', 'INCH'], ['ft', 'FEET']] as const) {
      expect(data(convL(`3 ${u}`))).toEqual({ amount: '3', unit: code });
    }
  });
  it('converts exactly when the family lacks the unit: amount × factor, no float rounding', () => {
    fc.assert(
      fc.property(decimalString.filter((s) => !s.startsWith('-')), (a) => {
        const out = data(convR({ kind: 'quantity', amount: a, unit: 'lb' })) as { amount: string; unit: string };
        expect(out.unit).toBe('KILOGRAM');
        expect(compare(parseDecimal(out.amount)!, mul(parseDecimal(a)!, parseDecimal('0.45359237')!))).toBe(0);
      }),
    );
    expect(data(convR({ kind: 'quantity', amount: '0.1', unit: 'lb' }))).toEqual({ amount: '0.045359237', unit: 'KILOGRAM' });
  });
  it('rounds half-even at the configured precision only when the conversion does not terminate', () => {
    const toPound = metricConverter(attr({ type: 'pim_catalog_metric', metric_family: 'Weight', decimals_allowed: true }), weight, { convertTo: 'POUND', precision: 4 });
    expect(data(toPound('1 kg'))).toEqual({ amount: '2.2046', unit: 'POUND' });
    expect(data(toPound('0.45359237 kg'))).toEqual({ amount: '1', unit: 'POUND' });
  });
  it('names both units when the ERP unit has no Akeneo unit in the family', () => {
    const r = convW('12 parsec');
    expect(kind(r)).toBe('unknown_unit');
    expect(!r.ok && r.problem.message).toContain('"parsec"');
    expect(!r.ok && r.problem.message).toContain('Weight');
    const cm = convW('12 cm');
    expect(!cm.ok && cm.problem.message).toContain('CENTIMETER');
  });
  it('uses the configured unit for bare amounts, and the configured unit table', () => {
    const conv = metricConverter(attr({ type: 'pim_catalog_metric', metric_family: 'Weight', decimals_allowed: true }), weight, { unit: 'GRAM', units: { pfund: 'POUND' } });
    expect(data(conv(250))).toEqual({ amount: '250', unit: 'GRAM' });
    expect(data(conv('2 Pfund'))).toEqual({ amount: '2', unit: 'POUND' });
  });
});

describe('price collection', () => {
  const conv = priceConverter(attr({ type: 'pim_catalog_price_collection', decimals_allowed: true }), new Set(['EUR', 'USD']), { currencies: { 'US$': 'USD' }, currency: 'EUR' });
  it('maps currencies and keeps amounts exact', () => {
    fc.assert(
      fc.property(decimalString.filter((s) => !s.startsWith('-')), (a) => {
        expect(data(conv({ kind: 'money', amount: a, currency: 'US$' }))).toEqual([{ amount: canonicalDecimal(a), currency: 'USD' }]);
      }),
    );
    expect(data(conv('12.5'))).toEqual([{ amount: '12.5', currency: 'EUR' }]);
  });
  it('refuses a currency the PIM has not enabled, negative prices and two prices in one currency', () => {
    expect(kind(conv({ kind: 'money', amount: '1', currency: 'GBP' }))).toBe('invalid_value');
    expect(kind(conv({ kind: 'money', amount: '-1', currency: 'EUR' }))).toBe('out_of_range');
    expect(kind(conv([{ kind: 'money', amount: '1', currency: 'EUR' }, { kind: 'money', amount: '2', currency: 'EUR' }]))).toBe('invalid_value');
  });
});

describe('boolean', () => {
  const conv = booleanConverter({ trueValues: ['oui'], falseValues: ['non'] });
  const casing = (w: string) => fc.tuple(fc.array(fc.boolean(), { minLength: w.length, maxLength: w.length }), fc.constantFrom('', ' ')).map(([c, pad]) => pad + [...w].map((ch, i) => (c[i] ? ch.toUpperCase() : ch)).join('') + pad);
  it('accepts the yes/no words in any case and padding', () => {
    fc.assert(fc.property(fc.constantFrom('1', 'y', 'yes', 'true', 'on', 'oui').chain(casing), (w) => {
      expect(data(conv(w))).toBe(true);
    }));
    fc.assert(fc.property(fc.constantFrom('0', 'n', 'no', 'false', 'off', 'non').chain(casing), (w) => {
      expect(data(conv(w))).toBe(false);
    }));
  });
  it('refuses anything else', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 8 }).filter((s) => !['1', 'y', 'yes', 'true', 'on', 'x', 't', '0', 'n', 'no', 'false', 'off', 'f', 'oui', 'non'].includes(s.trim().toLowerCase())), (s) => {
        expect(kind(conv(s))).toBe('invalid_boolean');
      }),
    );
    expect(data(conv(1))).toBe(true);
    expect(data(conv(false))).toBe(false);
  });
});

describe('date', () => {
  const conv = dateConverter(attr({ type: 'pim_catalog_date' }));
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const dateArb = fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2200-12-31T00:00:00Z'), noInvalidDate: true });
  it('reads ISO, YYYYMMDD, DD.MM.YYYY, DD/MM/YYYY and OData /Date()/ into YYYY-MM-DD', () => {
    fc.assert(
      fc.property(dateArb, (d) => {
        const y = d.getUTCFullYear();
        const m = d.getUTCMonth() + 1;
        const day = d.getUTCDate();
        const iso = `${pad(y, 4)}-${pad(m)}-${pad(day)}`;
        expect(data(conv(iso))).toBe(iso);
        expect(data(conv(`${pad(y, 4)}${pad(m)}${pad(day)}`))).toBe(iso);
        expect(data(conv(`${pad(day)}.${pad(m)}.${pad(y, 4)}`))).toBe(iso);
        expect(data(conv(`${pad(day)}/${pad(m)}/${pad(y, 4)}`))).toBe(iso);
        expect(data(conv(`/Date(${Date.UTC(y, m - 1, day, 12)})/`))).toBe(iso);
      }),
    );
  });
  it('moves date-times with an offset into the configured time zone', () => {
    const paris = dateConverter(attr({ type: 'pim_catalog_date' }), { timeZone: 'Europe/Paris' });
    fc.assert(
      fc.property(fc.date({ min: new Date('1971-01-01Z'), max: new Date('2100-01-01Z'), noInvalidDate: true }), (d) => {
        const expected = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
        expect(data(paris(d.toISOString()))).toBe(expected);
      }),
    );
    expect(data(paris('2024-03-01T23:30:00Z'))).toBe('2024-03-02');
    expect(data(paris('2024-03-01T23:30:00'))).toBe('2024-03-01');
  });
  it('refuses impossible dates and unknown formats; honours configured formats and date ranges', () => {
    expect(kind(conv('2023-02-29'))).toBe('invalid_date');
    expect(data(conv('2024-02-29'))).toBe('2024-02-29');
    expect(kind(conv('31.04.2024'))).toBe('invalid_date');
    expect(kind(conv('next tuesday'))).toBe('invalid_date');
    const us = dateConverter(attr({ type: 'pim_catalog_date', date_min: '2000-01-01T00:00:00+00:00' }), { formats: ['MM/DD/YYYY'] });
    expect(data(us('12/31/2024'))).toBe('2024-12-31');
    expect(kind(us('12/31/1999'))).toBe('out_of_range');
  });
});

describe('codes and selects', () => {
  it('normalised codes always match Akeneo\'s pattern and normalisation is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 150 }), (s) => {
        const c = normaliseCode(s);
        if (c !== '') expect(CODE_PATTERN.test(c)).toBe(true);
        expect(c.length).toBeLessThanOrEqual(100);
        expect(normaliseCode(c)).toBe(c);
      }),
    );
  });
  it('reports each normalisation once and can reverse it; distinct keys never collapse silently', () => {
    const t = new CodeTable(true, 'lower');
    expect(t.code('category', 'Men / Shirts')).toEqual({ ok: true, code: 'men_shirts', changed: true });
    expect(t.code('category', 'Men / Shirts')).toEqual({ ok: true, code: 'men_shirts', changed: true });
    expect(t.drainChanges()).toEqual([{ kind: 'category', original: 'Men / Shirts', normalised: 'men_shirts' }]);
    expect(t.original('category', 'men_shirts')).toBe('Men / Shirts');
    expect(t.code('category', 'Men-Shirts')).toEqual({ ok: false, reason: 'collision', other: 'Men / Shirts' });
    expect(new CodeTable(false, 'lower').code('family', 'Not Valid')).toEqual({ ok: false, reason: 'pattern' });
  });
  const existing = new Map([['Red', { code: 'Red', attribute: 'color' }], ['navy_blue', { code: 'navy_blue', attribute: 'color' }]]);
  const ctx = () => ({ attribute: attr({ code: 'color', type: 'pim_catalog_simpleselect' }), existing, codes: new CodeTable(true, 'lower') });
  it('matches PIM options case-insensitively, applies renames, collects missing options', () => {
    const conv = simpleSelectConverter(ctx(), { autoCreate: true, labelLocale: 'en_US', renames: { Marine: 'navy_blue' } });
    expect(data(conv('red'))).toBe('Red');
    expect(data(conv('Marine'))).toBe('navy_blue');
    const r = conv('Light Grey');
    expect(r).toEqual({ ok: true, data: 'light_grey', newOptions: [{ kind: 'option', attribute: 'color', code: 'light_grey', labels: { en_US: 'Light Grey' }, erpValue: 'Light Grey' }] });
    const strict = simpleSelectConverter(ctx(), { autoCreate: false, labelLocale: 'en_US' });
    expect(kind(strict('Light Grey'))).toBe('missing_option');
  });
  it('any ERP value with a letter or digit becomes a valid option code', () => {
    const conv = simpleSelectConverter(ctx(), { autoCreate: true, labelLocale: 'en_US' });
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 60 }).filter((s) => /[a-zA-Z0-9]/.test(s)), (s) => {
        const r = conv(s);
        if (r.ok) expect(CODE_PATTERN.test(r.data as string)).toBe(true);
      }),
    );
  });
  it('multi-select splits, dedupes and keeps order', () => {
    const conv = multiSelectConverter(ctx(), { autoCreate: true, labelLocale: 'en_US', separator: ';' });
    expect(data(conv('red; Navy Blue;red'))).toEqual(['Red', 'navy_blue']);
    expect(data(conv(['red', 'RED']))).toEqual(['Red']);
  });
  it('reference links: every code sent fits Akeneo\'s pattern, deduplicated, order kept; else invalid_code (property)', () => {
    const word = fc.stringMatching(/^[A-Za-z0-9 _.&-]{0,12}$/);
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 5 }), (words) => {
        const many = referenceConverter('makers', new CodeTable(true, 'lower'), true);
        const r = many(words);
        const wanted = words.filter((w) => w.trim() !== '');
        if (!r.ok) {
          expect(r.problem.kind).toBe('invalid_code');
          return;
        }
        const codes = r.data as string[];
        for (const c of codes) expect(c).toMatch(CODE_PATTERN);
        expect(new Set(codes).size).toBe(codes.length);
        expect(codes).toEqual([...new Set(wanted.map((w) => normaliseCode(w.trim())))]);
        const one = referenceConverter('maker', new CodeTable(true, 'lower'), false);
        if (wanted.length === 1) expect(data(one(wanted[0]!))).toBe(codes[0]);
      }),
      { numRuns: 300 },
    );
  });

  it('reference entity links normalise record codes', () => {
    const one = referenceConverter('maker', new CodeTable(true, 'lower'), false);
    expect(data(one('ACME Corp'))).toBe('acme_corp');
    expect(kind(one('a,b'))).toBe('ok');
    const many = referenceConverter('makers', new CodeTable(true, 'lower'), true);
    expect(data(many('ACME, Foo Bar'))).toEqual(['acme', 'foo_bar']);
  });
});

describe('media', () => {
  it('a path or URL with an allowed extension is the known code or an upload of that very source; others are refused (property)', () => {
    const name = fc.stringMatching(/^[a-z0-9_-]{1,10}$/);
    const source = fc.tuple(fc.constantFrom('', 'img/', 'https://cdn.example.com/m/'), name, fc.constantFrom('jpg', 'JPG', 'png', 'gif', ''), fc.boolean());
    fc.assert(
      fc.property(source, ([prefix, base, ext, known]) => {
        const src = `${prefix}${base}${ext ? `.${ext}` : ''}`;
        const conv = mediaConverter(attr({ type: 'pim_catalog_image', allowed_extensions: ['jpg', 'png'] }), { lookup: (s) => (known ? `code/${s}` : undefined) });
        const r = conv(src);
        if (!['jpg', 'png'].includes(ext.toLowerCase())) {
          expect(kind(r)).toBe('invalid_value');
          return;
        }
        expect(r).toEqual(known ? { ok: true, data: `code/${src}` } : { ok: true, data: null, upload: src });
      }),
      { numRuns: 300 },
    );
  });

  it('resolves known sources to codes and asks for an upload otherwise; checks extensions', () => {
    const conv = mediaConverter(attr({ type: 'pim_catalog_image', allowed_extensions: ['jpg'] }), { lookup: (s) => (s === 'a.jpg' ? 'x/y/a.jpg' : undefined) });
    expect(conv('a.jpg')).toEqual({ ok: true, data: 'x/y/a.jpg' });
    expect(conv('https://cdn.example.com/b.JPG?v=2')).toEqual({ ok: true, data: null, upload: 'https://cdn.example.com/b.JPG?v=2' });
    expect(kind(conv('c.gif'))).toBe('invalid_value');
  });
  it('uploads each distinct content once, whatever the number of owners and paths', async () => {
    const req = (source: string, identifier: string): MediaUploadRequest => ({
      owner: { kind: 'product', identifier },
      attribute: 'picture',
      locale: null,
      scope: null,
      source,
      origin: { stream: 'items', key: identifier, updatedAt: null },
    });
    const files: Record<string, Buffer> = { 'a.jpg': Buffer.from('A'), 'copy-of-a.jpg': Buffer.from('A'), 'b.jpg': Buffer.from('B') };
    let reads = 0;
    const plan = await planMediaUploads(
      [req('a.jpg', '1'), req('a.jpg', '2'), req('copy-of-a.jpg', '3'), req('b.jpg', '4'), req('missing.jpg', '5')],
      async (s) => {
        reads++;
        const f = files[s];
        if (!f) throw new Error('ENOENT');
        return f;
      },
      (h) => (h === contentHash(Buffer.from('B')) ? 'known/b.jpg' : undefined),
    );
    expect(reads).toBe(4);
    expect(plan.groups).toHaveLength(1);
    expect(plan.groups[0]!.upload.owner).toEqual({ kind: 'product', identifier: '1' });
    expect(plan.groups[0]!.reuse.map((r) => (r.owner as { identifier: string }).identifier)).toEqual(['2', '3']);
    expect(plan.reuseKnown).toEqual([{ code: 'known/b.jpg', requests: [req('b.jpg', '4')] }]);
    expect(plan.failed[0]!.message).toContain('missing.jpg');
  });
});
