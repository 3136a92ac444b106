/**
 * Telling a real translation from Tryton's silent fallback.
 *
 * Tryton keeps the database language's text in the record's own column and every other
 * language in `ir.translation` (type `model`, name `<model>,<field>`, res_id, lang). Reading
 * with `language` in the context returns the translation when a row exists for that language
 * (or one of its parents), is not fuzzy and is not empty — otherwise, silently, the source text.
 * So a value is a real translation exactly when such a row exists: we ask `ir.translation`
 * with the very filter Tryton's `Translation.get_ids` applies. Comparing with the source text
 * is NOT enough on its own: a real translation may equal the source ("Camping", "M"), and an
 * edited source marks the other languages fuzzy (Tryton then serves the source again).
 * When `ir.translation` cannot be read (a locked-down user), we fall back to the comparison
 * and say so in check().
 */
import type { LocalizedText } from '../port.js';
import type { TrytonConnection } from './session.js';

/** `${field}\u0000${resId}\u0000${configuredLanguage}` for each real translation. */
export type TranslationPresence = Set<string> | null;

export function presenceKey(field: string, id: number, lang: string): string {
  return `${field}\u0000${id}\u0000${lang}`;
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

  async presence(model: string, fields: string[], ids: number[]): Promise<TranslationPresence> {
    const langs = this.otherLanguages();
    if (!langs.length || !ids.length || this.canReadTranslations === false) return this.canReadTranslations === false ? null : new Set();
    const session = await this.conn.session();
    const chainLangs = [...new Set(langs.flatMap((l) => session.languageChains.get(l) ?? [l]))];
    let rows: { name: string; res_id: number; lang: string }[];
    try {
      rows = (await this.conn.model('ir.translation', 'search_read', [
        [
          ['type', '=', 'model'],
          ['name', 'in', fields.map((f) => `${model},${f}`)],
          ['res_id', 'in', ids],
          ['lang', 'in', chainLangs],
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
      return null;
    }
    const found = new Set(rows.map((r) => `${r.name.slice(model.length + 1)}\u0000${r.res_id}\u0000${r.lang}`));
    const out = new Set<string>();
    for (const lang of langs) {
      const chain = session.languageChains.get(lang) ?? [lang];
      for (const id of ids) {
        for (const field of fields) {
          if (chain.some((c) => found.has(`${field}\u0000${id}\u0000${c}`))) out.add(presenceKey(field, id, lang));
        }
      }
    }
    return out;
  }

  /** Reads `fields` of `ids` once per other language, with that language in the context. */
  async readPerLanguage(model: string, ids: number[], fields: string[]): Promise<Map<string, Map<number, Record<string, unknown>>>> {
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

/**
 * Builds the LocalizedText of one field of one record: the source language from the record
 * itself, every other configured language only when it is a real translation.
 */
export function buildLocalized(
  conn: TrytonConnection,
  field: string,
  id: number,
  sourceValue: unknown,
  perLanguage: Map<string, Map<number, Record<string, unknown>>>,
  presence: TranslationPresence,
): LocalizedText | null {
  const values: Record<string, string> = {};
  const src = typeof sourceValue === 'string' && sourceValue !== '' ? sourceValue : null;
  for (const lang of conn.config.languages) {
    if (lang === conn.config.sourceLanguage) {
      if (src !== null) values[lang] = src;
      continue;
    }
    const value = perLanguage.get(lang)?.get(id)?.[field];
    if (typeof value !== 'string' || value === '') continue;
    const real = presence ? presence.has(presenceKey(field, id, lang)) : value !== src;
    if (real) values[lang] = value;
  }
  return Object.keys(values).length ? { kind: 'localized', values } : null;
}
