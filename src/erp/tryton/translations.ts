/**
 * Telling a real translation from Tryton's silent fallback.
 *
 * Tryton keeps the database language's text in the record's own column and every other
 * language in `ir.translation` (type `model`, name `<model>,<field>`, res_id, lang). Reading
 * with `language` in the context returns the translation when a row exists for that language
 * (or one of its parents), is not fuzzy and is not empty — otherwise, silently, the source text.
 *
 * So, per page and language, after reading with the language in the context:
 * - a value that differs from the source text can only come from such a row: real;
 * - an empty value: no translation;
 * - a value EQUAL to the source text is ambiguous: a fallback, or a real translation that
 *   happens to read the same ("T-Shirts", size "M"). Only for those do we ask `ir.translation`,
 *   with the very filter Tryton's `Translation.get_ids` applies (lang in the language chain,
 *   fuzzy = false, value not empty).
 * Comparing alone would drop real translations equal to the source; querying alone would cost
 * a large ir.translation scan per page even when every text differs. When `ir.translation`
 * cannot be read (a locked-down user), ambiguous values count as fallbacks, and check() says so.
 */
import type { LocalizedText } from '../port.js';
import type { TrytonConnection } from './session.js';

export type Localizer = (field: string, id: number, sourceValue: unknown) => LocalizedText | null;

function key(field: string, id: number, lang: string): string {
  return `${field}\u0000${id}\u0000${lang}`;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

export class TranslationReader {
  /** null until known; false once ir.translation refused us. */
  private canReadTranslations: boolean | null = null;

  constructor(private readonly conn: TrytonConnection) {}

  get usesComparisonFallback(): boolean {
    return this.canReadTranslations === false;
  }

  /** Configured languages other than the database's source language. */
  otherLanguages(): string[] {
    const src = this.conn.config.sourceLanguage;
    return this.conn.config.languages.filter((l) => l !== src);
  }

  /**
   * Reads the translatable `fields` of `rows` (already read in the source language) in every
   * other configured language and returns a function building each field's LocalizedText.
   */
  async localize(model: string, fields: string[], rows: Record<string, unknown>[]): Promise<Localizer> {
    const ids = rows.map((r) => Number(r.id));
    const perLanguage = await this.readPerLanguage(model, ids, fields);
    const real = new Set<string>();
    const ambiguous: { field: string; id: number; lang: string }[] = [];
    for (const row of rows) {
      const id = Number(row.id);
      for (const field of fields) {
        const src = text(row[field]);
        for (const [lang, values] of perLanguage) {
          const value = text(values.get(id)?.[field]);
          if (value === null) continue;
          if (value !== src) real.add(key(field, id, lang));
          else ambiguous.push({ field, id, lang });
        }
      }
    }
    if (ambiguous.length) for (const k of await this.confirm(model, ambiguous)) real.add(k);
    const { languages, sourceLanguage } = this.conn.config;
    return (field, id, sourceValue) => {
      const values: Record<string, string> = {};
      for (const lang of languages) {
        if (lang === sourceLanguage) {
          const src = text(sourceValue);
          if (src !== null) values[lang] = src;
        } else if (real.has(key(field, id, lang))) {
          values[lang] = text(perLanguage.get(lang)?.get(id)?.[field])!;
        }
      }
      return Object.keys(values).length ? { kind: 'localized', values } : null;
    };
  }

  /** Which of the ambiguous (value equal to the source) entries have a real ir.translation row. */
  async confirm(model: string, entries: { field: string; id: number; lang: string }[]): Promise<Set<string>> {
    const out = new Set<string>();
    if (this.canReadTranslations === false) return out;
    const session = await this.conn.session();
    const chainOf = (lang: string): string[] => session.languageChains.get(lang) ?? [lang];
    const langs = [...new Set(entries.flatMap((e) => chainOf(e.lang)))];
    const fields = [...new Set(entries.map((e) => e.field))];
    const ids = [...new Set(entries.map((e) => e.id))];
    let rows: { name: string; res_id: number; lang: string }[];
    try {
      rows = (await this.conn.model('ir.translation', 'search_read', [
        [
          ['type', '=', 'model'],
          ['name', 'in', fields.map((f) => `${model},${f}`)],
          ['res_id', 'in', ids],
          ['lang', 'in', langs],
          ['fuzzy', '=', false],
          ['value', '!=', ''],
          ['value', '!=', null],
        ],
        0,
        null,
        null,
        ['name', 'res_id', 'lang'],
      ])) as { name: string; res_id: number; lang: string }[];
      this.canReadTranslations = true;
    } catch {
      this.canReadTranslations = false;
      return out;
    }
    const found = new Set(rows.map((r) => key(r.name.slice(model.length + 1), r.res_id, r.lang)));
    for (const e of entries) if (chainOf(e.lang).some((c) => found.has(key(e.field, e.id, c)))) out.add(key(e.field, e.id, e.lang));
    return out;
  }

  /** Reads `fields` of `ids` once per other language, with that language in the context. */
  private async readPerLanguage(model: string, ids: number[], fields: string[]): Promise<Map<string, Map<number, Record<string, unknown>>>> {
    const out = new Map<string, Map<number, Record<string, unknown>>>();
    if (!ids.length) return out;
    // One read per language, concurrently: trytond serves requests on threads.
    await Promise.all(
      this.otherLanguages().map(async (lang) => {
        const rows = (await this.conn.model(model, 'read', [ids, fields], { language: lang })) as Record<string, unknown>[];
        out.set(lang, new Map(rows.map((r) => [Number(r.id), r])));
      }),
    );
    return out;
  }
}
