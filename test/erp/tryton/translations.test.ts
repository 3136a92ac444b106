/** The translation rules on a scripted connection: which values count as real translations. */
import { describe, expect, it } from 'vitest';
import { trytonConfigSchema } from '../../../src/erp/tryton/config.js';
import type { TrytonConnection } from '../../../src/erp/tryton/session.js';
import { TranslationReader } from '../../../src/erp/tryton/translations.js';

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
        return translations.filter((t) => ids.includes(Number(t.res_id)) && langs.includes(String(t.lang)));
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
// ir.translation rows matching Tryton's filter (fuzzy = false, value not empty): the fuzzy one is absent.
const rows = [{ name: 'product.category,name', res_id: 1, lang: 'de' }, { name: 'product.category,name', res_id: 1, lang: 'fr' }, { name: 'product.category,name', res_id: 2, lang: 'fr' }];

describe('TranslationReader', () => {
  it('keeps different values, confirms equal ones in ir.translation, follows parent languages', async () => {
    const { conn, calls } = fakeConnection(reads, rows);
    const reader = new TranslationReader(conn);
    const localize = await reader.localize('product.category', ['name'], source);
    expect(localize('name', 1, 'T-Shirts')!.values).toEqual({ en: 'T-Shirts', de: 'T-Shirts', fr: 'T-shirts', de_CH: 'T-Shirts' });
    expect(localize('name', 2, 'Tents')!.values).toEqual({ en: 'Tents', fr: 'Tentes' });
    expect(localize('name', 3, 'Cookware')!.values).toEqual({ en: 'Cookware' });
    // one read per other language, one ir.translation query for the ambiguous values only
    expect(calls.filter((c) => c.startsWith('ir.translation'))).toHaveLength(1);
    expect(calls.filter((c) => c.startsWith('product.category.read')).sort()).toEqual(['product.category.read@de', 'product.category.read@de_CH', 'product.category.read@fr']);
    expect(reader.usesComparisonFallback).toBe(false);
  });

  it('skips ir.translation when every value differs from the source', async () => {
    const { conn, calls } = fakeConnection({ en: [{ id: 2, name: 'Tents' }], de: [{ id: 2, name: 'Zelte' }], fr: [{ id: 2, name: 'Tentes' }], de_CH: [{ id: 2, name: 'Zelte' }] }, rows);
    const localize = await new TranslationReader(conn).localize('product.category', ['name'], [{ id: 2, name: 'Tents' }]);
    expect(localize('name', 2, 'Tents')!.values).toEqual({ en: 'Tents', de: 'Zelte', fr: 'Tentes', de_CH: 'Zelte' });
    expect(calls.some((c) => c.startsWith('ir.translation'))).toBe(false);
  });

  it('falls back to comparison when ir.translation is not readable, and says so', async () => {
    const { conn } = fakeConnection(reads, 'forbidden');
    const reader = new TranslationReader(conn);
    const localize = await reader.localize('product.category', ['name'], source);
    expect(localize('name', 1, 'T-Shirts')!.values).toEqual({ en: 'T-Shirts', fr: 'T-shirts' });
    expect(localize('name', 2, 'Tents')!.values).toEqual({ en: 'Tents', fr: 'Tentes' });
    expect(reader.usesComparisonFallback).toBe(true);
  });

  it('returns null when no language has a value', async () => {
    const { conn } = fakeConnection({ en: [{ id: 9, name: null }], de: [{ id: 9, name: null }] }, rows);
    const localize = await new TranslationReader(conn).localize('product.category', ['name'], [{ id: 9, name: null }]);
    expect(localize('name', 9, null)).toBeNull();
  });
});
