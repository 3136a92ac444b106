/**
 * Categories (structure.categories.mode "tree"): ERP category records → Akeneo categories, parents
 * first; and the category codes of items and models. ERP keys → codes are cached (items repeat a few
 * categories over the whole catalog; the cache is cleared past 10,000 keys).
 */
import type { Labels } from '../akeneo/model.js';
import type { ErpRecord, FieldValue } from '../erp/port.js';
import { CONTROL_FIX, controlCharIn, isValidCode, MAX_CODE_LENGTH, type CodeTable } from './codes.js';
import { show } from './converters/common.js';
import { recordError } from './errors.js';
import { isLocalized, newAcc, type PlanContext, type RecordAcc } from './plans.js';
import type { ResolvedMapping } from './resolve.js';
import type { MappedCategory, MappingResult } from './types.js';

/** A category's Akeneo code, or why the ERP key cannot be one and how to fix it. */
export type CategoryCode = { ok: true; code: string } | { ok: false; why: string; fix: string };

/** How labels find their locales (the field planner's PlanContext is one). */
export type LabelLocales = Pick<PlanContext, 'localeOf' | 'defaultLocale'>;

export class CategoryMapper {
  private readonly codeCache = new Map<string, CategoryCode>();

  constructor(
    private readonly mapping: ResolvedMapping,
    private readonly codes: CodeTable,
    private readonly locales: LabelLocales,
  ) {}

  /** Cached per ERP key: items repeat a few categories over the whole catalog. */
  code(key: string): CategoryCode {
    let c = this.codeCache.get(key);
    if (c === undefined) {
      c = this.computeCode(key);
      if (this.codeCache.size >= 10_000) this.codeCache.clear();
      this.codeCache.set(key, c);
    }
    return c;
  }

  /** An item's category codes (undefined: categories are not mapped, or the record has none); a bad key is an error on it. */
  itemCategories(rec: ErpRecord, acc: RecordAcc): string[] | undefined {
    if (this.mapping.structure.categories.mode !== 'tree' || rec.categories === undefined) return undefined;
    if (rec.categories.length === 1) {
      // The usual case, without an array grown by push.
      const c = this.code(rec.categories[0]!);
      if (c.ok) return [c.code];
    }
    const out: string[] = [];
    for (const key of rec.categories) {
      const c = this.code(key);
      if (c.ok) {
        if (!out.includes(c.code)) out.push(c.code);
      } else recordError(this.mapping.blockRecord, acc, 'invalid_code', 'categories', key, undefined, c.why, 'a category code of letters, digits and underscores', c.fix);
    }
    return out;
  }

  /**
   * A root model's categories: the group record's, or without one the categories every item shares.
   * Undefined when categories are not mapped.
   */
  modelCategories(groupRec: ErpRecord | undefined, members: readonly { categories: string[] | undefined }[]): string[] | undefined {
    if (this.mapping.structure.categories.mode !== 'tree') return undefined;
    if (groupRec?.categories) {
      const out: string[] = [];
      for (const k of groupRec.categories) {
        const c = this.code(k);
        if (c.ok && !out.includes(c.code)) out.push(c.code);
      }
      return out;
    }
    // Without a group record: the categories every item shares live on the model.
    const shared: string[] = [];
    for (const c of members[0]!.categories ?? []) {
      let everywhere = true;
      for (let i = 1; i < members.length && everywhere; i++) everywhere = members[i]!.categories?.includes(c) ?? false;
      if (everywhere) shared.push(c);
    }
    return shared;
  }

  /** ERP category records → Akeneo categories, parents first; a bad record is an error and is not sent. */
  mapCategories(records: ErpRecord[]): MappingResult {
    const result: MappingResult = { entities: [], missingOptions: [], errors: [] };
    const c = this.mapping.structure.categories;
    if (c.mode !== 'tree') return result;
    const byCode = new Map<string, { cat: MappedCategory; acc: RecordAcc }>();
    const order: string[] = [];
    for (const rec of records) {
      const acc = newAcc({ stream: 'categories', key: rec.key, updatedAt: rec.updatedAt }, 'category', rec.key);
      const code = this.code(rec.key);
      if (!code.ok) {
        recordError(this.mapping.blockRecord, acc, 'invalid_code', '(record key)', rec.key, undefined, code.why, 'a category code of letters, digits and underscores', code.fix, true);
        result.errors.push(...acc.errors);
        continue;
      }
      if (code.code === c.root) continue;
      let parent: string | null = c.root;
      if (rec.parent) {
        const p = this.code(rec.parent);
        if (!p.ok) {
          recordError(this.mapping.blockRecord, acc, 'invalid_code', 'parent', rec.parent, undefined, p.why, 'a category code', p.fix, true);
          result.errors.push(...acc.errors);
          continue;
        }
        parent = p.code;
      }
      const labels = this.labelsFrom(rec.fields[c.labelField]);
      const badLabel = Object.entries(labels).find(([, text]) => typeof text === 'string' && controlCharIn(text));
      if (badLabel) {
        const [locale, text] = badLabel as [string, string];
        recordError(this.mapping.blockRecord, acc, 'invalid_value', c.labelField, text, undefined, `the ${locale} label ${show(text)} contains ${controlCharIn(text)!}`, 'a label without control characters', CONTROL_FIX, true);
        result.errors.push(...acc.errors);
        continue;
      }
      byCode.set(code.code, { cat: { kind: 'category', origin: acc.origin, code: code.code, parent, labels }, acc });
      order.push(code.code);
    }
    // Parents first: depth-first over the batch; parents outside the batch are assumed to exist.
    const state = new Map<string, 'visiting' | 'done'>();
    const emitted: MappedCategory[] = [];
    const visit = (code: string, path: string[]): boolean => {
      const s = state.get(code);
      if (s === 'done') return true;
      const entry = byCode.get(code)!;
      if (s === 'visiting') {
        recordError(this.mapping.blockRecord, entry.acc, 'invalid_value', 'parent', entry.cat.parent, undefined, `the category tree has a cycle (${[...path, code].join(' → ')})`, 'a tree', 'Fix the parent links in the ERP.', true);
        return false;
      }
      state.set(code, 'visiting');
      const parent = entry.cat.parent;
      if (parent !== null && byCode.has(parent) && !visit(parent, [...path, code])) {
        state.set(code, 'done');
        entry.acc.blocked = true;
        return false;
      }
      state.set(code, 'done');
      if (!entry.acc.blocked) emitted.push(entry.cat);
      return !entry.acc.blocked;
    };
    for (const code of order) visit(code, []);
    for (const code of order) result.errors.push(...byCode.get(code)!.acc.errors);
    result.entities.push(...emitted);
    result.codeChanges = this.codes.drainChanges();
    return result;
  }

  /** Labels from a localized ERP value (per mapped locale) or a text (the default locale). */
  private labelsFrom(v: FieldValue | undefined): Labels {
    const labels: Labels = {};
    if (isLocalized(v)) {
      for (const [lang, text] of Object.entries(v.values)) {
        const l = this.locales.localeOf(lang);
        if (l && text.trim()) labels[l] = text.trim();
      }
    } else if (typeof v === 'string' && v.trim() && this.locales.defaultLocale) labels[this.locales.defaultLocale] = v.trim();
    return labels;
  }

  private computeCode(key: string): CategoryCode {
    const prefix = this.mapping.structure.categories.prefix;
    const outcome = this.codes.code('category', key);
    if (!outcome.ok) {
      if (outcome.reason === 'control') return { ok: false, why: `category ${show(key)} contains ${outcome.control}`, fix: CONTROL_FIX };
      return {
        ok: false,
        why:
          outcome.reason === 'collision'
            ? `category ${show(key)} normalises to the same code as ${show(outcome.other)}`
            : `category ${show(key)} is not a valid Akeneo code (letters, digits and _ only)`,
        fix: outcome.reason === 'pattern' ? 'Turn on mapping.codes.normalise, or rename the category in the ERP.' : 'Rename one of the categories in the ERP.',
      };
    }
    const code = prefix + outcome.code;
    if (!isValidCode(code, MAX_CODE_LENGTH)) return { ok: false, why: `category code ${show(code)} is longer than ${MAX_CODE_LENGTH} characters or invalid`, fix: 'Shorten mapping.structure.categories.prefix or the ERP code.' };
    return { ok: true, code };
  }
}

/** A variant's categories beyond its model's (usually none). */
export function ownCategories(categories: readonly string[], modelCategories: ReadonlySet<string>): string[] {
  const own: string[] = [];
  for (const c of categories) if (!modelCategories.has(c)) own.push(c);
  return own;
}
