/** The translation rules on a scripted connection: which values count as real translations. */
import { describe, expect, it } from 'vitest';
import { trytonConfigSchema } from '../../../src/erp/tryton/config.js';
import type { TrytonConnection } from '../../../src/erp/tryton/session.js';
import { FuzzyTally, TranslationReader } from '../../../src/erp/tryton/translations.js';

type Row = Record<string, unknown>;

/** A connection whose reads answer from tables: per language, and ir.translation rows (or a refusal). */
function fakeConnection(perLanguage: Record<string, Row[]>, translations: Row[] | 'forbidden'): { conn: TrytonConnection; calls: string[] } {
  const calls: string[] = [];
  const config = trytonConfigSchema.parse({ type: 'tryton', url: 'http://x', database: 'd', username: 'u', password: 'p', languages: ['en', 'de', 'fr', 'de_CH'] });
  const conn = {
    config,
    session: async () => ({ languageChains: new Map([['de', ['de']], ['fr', ['fr']], ['de_CH', ['de_CH', 'de']], ['en', ['en']]]) }),
    model: async (model: string, method: string, params: unknown[], ctx: { language?: string } = {}) => {
      calls.push(`${model}.${method}${ctx.language ? `@${ctx.language}` : ''}`);
      if (model === 'ir.translation') {
        if (translations === 'forbidden') throw new Error('access denied');
        const domain = params[0] as [string, string, unknown][];
        const ids = domain.find((d) => d[0] === 'res_id')![2] as number[];
        const langs = domain.find((d) => d[0] === 'lang')![2] as string[];
        const nonFuzzyOnly = domain.some((d) => d[0] === 'fuzzy' && d[2] === false);
        return translations.filter((t) => ids.includes(Number(t.res_id)) && langs.includes(String(t.lang)) && !(nonFuzzyOnly && t.fuzzy === true));
      }
      return perLanguage[ctx.language ?? 'en'] ?? [];
    },
  } as unknown as TrytonConnection;
  return { conn, calls };
}

const source: Row[] = [
  { id: 1, name: 'T-Shirts' }, // de translation equal to the source (real)
  { id: 2, name: 'Tents' }, // de: fallback (no row), fr: real and different
  { id: 3, name: 'Cookware' }, // fuzzy de row: Tryton serves the source
];
const reads = {
  en: source,
  de: [
    { id: 1, name: 'T-Shirts' },
    { id: 2, name: 'Tents' },
    { id: 3, name: 'Cookware' },
  ],
  fr: [
    { id: 1, name: 'T-shirts' },
    { id: 2, name: 'Tentes' },
    { id: 3, name: 'Cookware' },
  ],
  de_CH: [
    { id: 1, name: 'T-Shirts' },
    { id: 2, name: 'Tents' },
    { id: 3, name: 'Cookware' },
  ],
};
// ir.translation rows; the fake answers Tryton's filter (fuzzy = false) when the query asks for it.
const rows = [
  { name: 'product.category,name', res_id: 1, lang: 'de', fuzzy: false, value: 'T-Shirts' },
  { name: 'product.category,name', res_id: 1, lang: 'fr', fuzzy: false, value: 'T-shirts' },
  { name: 'product.category,name', res_id: 2, lang: 'fr', fuzzy: false, value: 'Tentes' },
  // "Cookware" was "Pots" when it was translated: the German row is fuzzy since.
  { name: 'product.category,name', res_id: 3, lang: 'de', fuzzy: true, value: 'Töpfe' },
];

describe('TranslationReader', () => {
  it('drop: keeps different values, confirms equal ones in ir.translation, follows parent languages; fuzzy rows are absent', async () => {
    const { conn, calls } = fakeConnection(reads, rows);
    const reader = new TranslationReader(conn, 'drop');
    const localize = await reader.localize('product.category', ['name'], source);
    expect(localize('name', 1, 'T-Shirts', 'K1')!.values).toEqual({ en: 'T-Shirts', de: 'T-Shirts', fr: 'T-shirts', de_CH: 'T-Shirts' });
    expect(localize('name', 2, 'Tents', 'K2')!.values).toEqual({ en: 'Tents', fr: 'Tentes' });
    expect(localize('name', 3, 'Cookware', 'K3')!.values).toEqual({ en: 'Cookware' });
    // one read per other language, one ir.translation query for the ambiguous values only
    expect(calls.filter((c) => c.startsWith('ir.translation'))).toHaveLength(1);
    expect(calls.filter((c) => c.startsWith('product.category.read')).sort()).toEqual(['product.category.read@de', 'product.category.read@de_CH', 'product.category.read@fr']);
    expect(reader.usesComparisonFallback).toBe(false);
  });

  it('keep: a language whose only row is fuzzy reports that row, in the same single query; counted once per record', async () => {
    const { conn, calls } = fakeConnection(reads, rows);
    const reader = new TranslationReader(conn);
    const tally = new FuzzyTally();
    const localize = await reader.forRead(tally).localize('product.category', ['name'], source);
    // de_CH has no row of its own: its parent's fuzzy row serves it too.
    expect(localize('name', 3, 'Cookware', 'cat_3')!.values).toEqual({ en: 'Cookware', de: 'Töpfe', de_CH: 'Töpfe' });
    localize('name', 3, 'Cookware', 'cat_3');
    // Non-fuzzy rows and plain fallbacks are unchanged.
    expect(localize('name', 1, 'T-Shirts', 'cat_1')!.values).toEqual({ en: 'T-Shirts', de: 'T-Shirts', fr: 'T-shirts', de_CH: 'T-Shirts' });
    expect(localize('name', 2, 'Tents', 'cat_2')!.values).toEqual({ en: 'Tents', fr: 'Tentes' });
    expect(calls.filter((c) => c.startsWith('ir.translation'))).toHaveLength(1);
    expect(tally.count).toBe(2);
    expect(Object.fromEntries(tally.byLanguage)).toEqual({ de: 1, de_CH: 1 });
    expect(tally.examples).toEqual(['cat_3 name (de)', 'cat_3 name (de_CH)']);
  });

  it('keep: a non-fuzzy row anywhere in the chain wins over a fuzzy one', async () => {
    const chained = [
      { name: 'product.category,name', res_id: 3, lang: 'de_CH', fuzzy: true, value: 'Pfannen' },
      { name: 'product.category,name', res_id: 3, lang: 'de', fuzzy: false, value: 'Cookware' },
    ];
    const { conn } = fakeConnection(reads, chained);
    const tally = new FuzzyTally();
    const localize = await new TranslationReader(conn).forRead(tally).localize('product.category', ['name'], source);
    expect(localize('name', 3, 'Cookware', 'cat_3')!.values).toEqual({ en: 'Cookware', de: 'Cookware', de_CH: 'Cookware' });
    expect(tally.count).toBe(0);
  });

  it('skips ir.translation when every value differs from the source', async () => {
    const { conn, calls } = fakeConnection({ en: [{ id: 2, name: 'Tents' }], de: [{ id: 2, name: 'Zelte' }], fr: [{ id: 2, name: 'Tentes' }], de_CH: [{ id: 2, name: 'Zelte' }] }, rows);
    const localize = await new TranslationReader(conn).localize('product.category', ['name'], [{ id: 2, name: 'Tents' }]);
    expect(localize('name', 2, 'Tents', 'K2')!.values).toEqual({ en: 'Tents', de: 'Zelte', fr: 'Tentes', de_CH: 'Zelte' });
    expect(calls.some((c) => c.startsWith('ir.translation'))).toBe(false);
  });

  it('falls back to comparison when ir.translation is not readable, and says so', async () => {
    const { conn } = fakeConnection(reads, 'forbidden');
    const reader = new TranslationReader(conn);
    const localize = await reader.localize('product.category', ['name'], source);
    expect(localize('name', 1, 'T-Shirts', 'K1')!.values).toEqual({ en: 'T-Shirts', fr: 'T-shirts' });
    expect(localize('name', 2, 'Tents', 'K2')!.values).toEqual({ en: 'Tents', fr: 'Tentes' });
    expect(reader.usesComparisonFallback).toBe(true);
  });

  it('returns null when no language has a value', async () => {
    const { conn } = fakeConnection({ en: [{ id: 9, name: null }], de: [{ id: 9, name: null }] }, rows);
    const localize = await new TranslationReader(conn).localize('product.category', ['name'], [{ id: 9, name: null }]);
    expect(localize('name', 9, null, 'K9')).toBeNull();
  });
});
