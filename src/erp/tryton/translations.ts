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
 *
 * Fuzzy rows: editing the source text marks the other languages' rows fuzzy, and Tryton then
 * serves the new source text for them — an ambiguous value. With `fuzzyTranslations: keep`
 * the same query also returns fuzzy rows (no extra round trip): a language with no non-fuzzy
 * row in its chain reports its fuzzy row's value, the translation of the previous source
 * text, so the PIM keeps its text instead of being blanked. Each read counts those values in
 * a FuzzyTally, so the ERP team learns what to re-translate.
 */
import type { LocalizedText } from '../port.js';
import type { TrytonConfig } from './config.js';
import type { TrytonConnection } from './session.js';
import { bool } from './values.js';

export type FuzzyPolicy = TrytonConfig['fuzzyTranslations'];

/** `recordKey` names the record in what the tally reports (a SKU, a template code). */
export type Localizer = (field: string, id: number, sourceValue: unknown, recordKey: string) => LocalizedText | null;

/** What stream readers need: the localizer of a page of rows. */
export interface Translations {
  localize(model: string, fields: string[], rows: Record<string, unknown>[]): Promise<Localizer>;
}

/** Values one read served from fuzzy rows: how many, per language, and the first records to re-translate. */
export class FuzzyTally {
  static readonly EXAMPLES = 10;
  private readonly seen = new Set<string>();
  readonly byLanguage = new Map<string, number>();
  readonly examples: string[] = [];

  get count(): number {
    return this.seen.size;
  }

  add(model: string, field: string, id: number, lang: string, recordKey: string): void {
    const k = `${model}\u0000${key(field, id, lang)}`;
    // A template's name is localized again when its template is read again: count it once.
    if (this.seen.has(k)) return;
    this.seen.add(k);
    this.byLanguage.set(lang, (this.byLanguage.get(lang) ?? 0) + 1);
    if (this.examples.length < FuzzyTally.EXAMPLES) this.examples.push(`${recordKey} ${field} (${lang})`);
  }
}

/** How an ambiguous value was settled: a real translation, or (keep) the text of a fuzzy row. */
type Settled = { kind: 'real' } | { kind: 'fuzzy'; value: string };

/** Every translatable field the streams read, as ir.translation names it. */
const TRANSLATED_FIELDS = ['product.template,name', 'product.product,description', 'product.category,name', 'product.attribute,string', 'product.attribute,selection'];

function key(field: string, id: number, lang: string): string {
  return `${field}\u0000${id}\u0000${lang}`;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

export class TranslationReader {
  /** null until known; false once ir.translation refused us. */
  private canReadTranslations: boolean | null = null;

  /** `policy` defaults to erp.fuzzyTranslations; the sink passes `drop` to compare with what Tryton really serves. */
  constructor(
    private readonly conn: TrytonConnection,
    private readonly policy: FuzzyPolicy = conn.config.fuzzyTranslations,
  ) {}

  /** The translations of one read: fuzzy values served go to `tally`. */
  forRead(tally: FuzzyTally): Translations {
    return { localize: (model, fields, rows) => this.localize(model, fields, rows, tally) };
  }

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
  async localize(model: string, fields: string[], rows: Record<string, unknown>[], tally?: FuzzyTally): Promise<Localizer> {
    const ids = rows.map((r) => Number(r.id));
    const perLanguage = await this.readPerLanguage(model, ids, fields);
    const settled = new Map<string, Settled>();
    const ambiguous: { field: string; id: number; lang: string }[] = [];
    for (const row of rows) {
      const id = Number(row.id);
      for (const field of fields) {
        const src = text(row[field]);
        for (const [lang, values] of perLanguage) {
          const value = text(values.get(id)?.[field]);
          if (value === null) continue;
          if (value !== src) settled.set(key(field, id, lang), { kind: 'real' });
          else ambiguous.push({ field, id, lang });
        }
      }
    }
    if (ambiguous.length) for (const [k, how] of await this.settle(model, ambiguous)) settled.set(k, how);
    const { languages, sourceLanguage } = this.conn.config;
    return (field, id, sourceValue, recordKey) => {
      const values: Record<string, string> = {};
      for (const lang of languages) {
        if (lang === sourceLanguage) {
          const src = text(sourceValue);
          if (src !== null) values[lang] = src;
          continue;
        }
        const how = settled.get(key(field, id, lang));
        if (how?.kind === 'real') values[lang] = text(perLanguage.get(lang)?.get(id)?.[field])!;
        else if (how?.kind === 'fuzzy') {
          values[lang] = how.value;
          tally?.add(model, field, id, lang, recordKey);
        }
      }
      return Object.keys(values).length ? { kind: 'localized', values } : null;
    };
  }

  /**
   * Settles the ambiguous entries (value equal to the source) in one ir.translation query:
   * real when a non-fuzzy row of the language's chain exists (Tryton's own filter), else —
   * with `keep` — the value of the first fuzzy row in the chain. Unsettled entries are absent.
   */
  async settle(model: string, entries: { field: string; id: number; lang: string }[]): Promise<Map<string, Settled>> {
    const out = new Map<string, Settled>();
    if (this.canReadTranslations === false) return out;
    const keep = this.policy === 'keep';
    const session = await this.conn.session();
    const chainOf = (lang: string): string[] => session.languageChains.get(lang) ?? [lang];
    const langs = [...new Set(entries.flatMap((e) => chainOf(e.lang)))];
    const fields = [...new Set(entries.map((e) => e.field))];
    const ids = [...new Set(entries.map((e) => e.id))];
    let rows: { name: string; res_id: number; lang: string; fuzzy?: unknown; value?: unknown }[];
    try {
      rows = (await this.conn.model('ir.translation', 'search_read', [
        [
          ['type', '=', 'model'],
          ['name', 'in', fields.map((f) => `${model},${f}`)],
          ['res_id', 'in', ids],
          ['lang', 'in', langs],
          // drop: exactly Tryton's filter; keep: fuzzy rows too, told apart by their flag.
          ...(keep ? [] : [['fuzzy', '=', false]]),
          ['value', '!=', ''],
          ['value', '!=', null],
        ],
        0,
        null,
        null,
        keep ? ['name', 'res_id', 'lang', 'fuzzy', 'value'] : ['name', 'res_id', 'lang'],
      ])) as typeof rows;
      this.canReadTranslations = true;
    } catch {
      this.canReadTranslations = false;
      return out;
    }
    const confirmed = new Set<string>();
    const fuzzy = new Map<string, string>();
    for (const r of rows) {
      const k = key(r.name.slice(model.length + 1), r.res_id, r.lang);
      if (keep && bool(r.fuzzy)) {
        const value = text(r.value);
        if (value !== null) fuzzy.set(k, value);
      } else confirmed.add(k);
    }
    for (const e of entries) {
      const chain = chainOf(e.lang);
      // Non-fuzzy rows win anywhere in the chain: that is what Tryton served.
      if (chain.some((c) => confirmed.has(key(e.field, e.id, c)))) {
        out.set(key(e.field, e.id, e.lang), { kind: 'real' });
        continue;
      }
      const stale = chain.map((c) => fuzzy.get(key(e.field, e.id, c))).find((v) => v !== undefined);
      if (stale !== undefined) out.set(key(e.field, e.id, e.lang), { kind: 'fuzzy', value: stale });
    }
    return out;
  }

  /** How many fuzzy translations of the fields the adapter reads wait in Tryton for the configured languages (check()). */
  async countFuzzy(): Promise<number> {
    const session = await this.conn.session();
    const langs = [...new Set(this.otherLanguages().flatMap((l) => session.languageChains.get(l) ?? [l]))];
    if (!langs.length) return 0;
    return Number(
      await this.conn.model('ir.translation', 'search_count', [
        [
          ['type', '=', 'model'],
          ['name', 'in', TRANSLATED_FIELDS],
          ['lang', 'in', langs],
          ['fuzzy', '=', true],
          ['value', '!=', ''],
          ['value', '!=', null],
        ],
      ]),
    );
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
