/**
 * Row → ErpRecord. A builder is compiled once per file (when its header is known):
 * column lookups become array indexes and every field gets its converter, so the
 * per-row work is indexing and parsing, nothing else.
 */
import type { ErpRecord, FieldValue, LocalizedText, StreamName } from '../port.js';
import type { FieldSpec } from './config.js';
import { FileFormatError } from './formats/types.js';
import type { StreamPlan } from './plan.js';
import { CellError, cellText, parseBoolean, parseDate, parseDateTime, parseDecimalText, parseInteger } from './values.js';

/** A row that cannot become a record: where and why. */
export class RowError extends Error {
  constructor(
    message: string,
    readonly column: number | undefined,
    readonly columnName: string | undefined,
    readonly field: string | undefined,
    readonly key: string | undefined,
  ) {
    super(message);
    this.name = 'RowError';
  }
}

type Cells = unknown[] | Record<string, unknown>;

interface Accessor {
  /** Column name or path, for messages. */
  name: string;
  /** 0-based column index in tabular files, -1 for document paths. */
  index: number;
  get(cells: Cells): unknown;
}

export type FileShape = { tabular: true; columns: string[] } | { tabular: false };

/** Default key columns, tried in order when the config names none. */
const KEY_CANDIDATES = ['key', 'sku', 'code', 'id', 'identifier'];

function pathGetter(path: string): (cells: Cells) => unknown {
  const parts = path.split(/[./]/).filter(Boolean);
  if (parts.length === 1) {
    const k = parts[0]!;
    return (cells) => (cells as Record<string, unknown>)[k];
  }
  return (cells) => {
    let v: unknown = cells;
    for (const p of parts) {
      if (v === null || typeof v !== 'object') return undefined;
      v = (v as Record<string, unknown>)[p];
    }
    return v;
  };
}

interface Converter {
  field: string;
  accessors: Accessor[];
  convert(cells: Cells, lang: string | null): FieldValue;
}

export interface RecordBuilder {
  /** Key column/path actually used (for messages and describe). */
  keyName: string;
  /** 0-based column of the key in tabular files, -1 for document paths. */
  keyIndex: number;
  width: number;
  build(cells: Cells): ErpRecord;
  /** The row's key when it can be read cleanly (for a reject of a row that cannot be built), else undefined. */
  keyOf(cells: Cells): string | undefined;
  /** The language of a row in language-column mode. */
  languageOf(cells: Cells): string | null;
  localizedFields: ReadonlySet<string>;
}

const LANG_LIKE = /^[a-z]{2,3}(?:[_-][A-Za-z]{2,4})?$/;

export function compileBuilder(plan: StreamPlan, shape: FileShape, fileName: string, fileMtime: string): RecordBuilder {
  const stream: StreamName = plan.stream;
  const used = new Set<string>();
  const columns = shape.tabular ? shape.columns : [];
  const lowerIndex = new Map<string, number>();
  const exactIndex = new Map<string, number>();
  if (shape.tabular) {
    columns.forEach((c, i) => {
      if (exactIndex.has(c)) {
        throw new FileFormatError(`${fileName}: the header names column "${c}" twice (columns ${exactIndex.get(c)! + 1} and ${i + 1}); rename one`);
      }
      exactIndex.set(c, i);
      if (!lowerIndex.has(c.toLowerCase())) lowerIndex.set(c.toLowerCase(), i);
    });
  }

  function find(name: string): Accessor | null {
    if (!shape.tabular) {
      used.add(name);
      return { name, index: -1, get: pathGetter(name) };
    }
    const i = exactIndex.get(name) ?? lowerIndex.get(name.toLowerCase());
    if (i === undefined) return null;
    used.add(columns[i]!);
    return { name: columns[i]!, index: i, get: (cells) => (cells as unknown[])[i] };
  }
  function need(name: string, what: string): Accessor {
    const a = find(name);
    if (!a) {
      throw new FileFormatError(
        `${fileName}: column "${name}" (${what}) is not in the file; its columns are: ${columns.join(', ')}. Fix the column name in erp.streams.${stream} or the export`,
      );
    }
    return a;
  }

  let keyAcc: Accessor;
  if (plan.key) keyAcc = need(plan.key, 'key');
  else if (shape.tabular) {
    const found = KEY_CANDIDATES.map((k) => find(k)).find((a) => a !== null);
    if (!found) {
      throw new FileFormatError(
        `${fileName}: no key column: set erp.streams.${stream}.key (no column is named ${KEY_CANDIDATES.join(', ')}); its columns are: ${columns.join(', ')}`,
      );
    }
    keyAcc = found;
  } else {
    keyAcc = {
      name: 'key|sku|code|id',
      index: -1,
      get: (cells) => {
        const o = cells as Record<string, unknown>;
        for (const k of KEY_CANDIDATES) if (o[k] !== undefined && o[k] !== null) return o[k];
        return undefined;
      },
    };
    for (const k of KEY_CANDIDATES) used.add(k);
  }
  const updAcc = plan.updatedAt ? need(plan.updatedAt, 'updatedAt') : null;
  const groupAcc = plan.group ? need(plan.group, 'group') : null;
  const parentAcc = plan.parent ? need(plan.parent, 'parent') : null;
  const catAcc = plan.categories ? need(plan.categories, 'categories') : null;
  const activeAcc = plan.active ? need(plan.active.column, 'active') : null;
  const langAcc = plan.languageColumn ? need(plan.languageColumn, 'languageColumn') : null;
  const trim = plan.trim;
  const nf = plan.numberFormat;
  const df = plan.dateFormat;
  const zone = plan.zone;
  const integerKeys = plan.integerKeys;

  const text = (v: unknown): string | null => {
    const t = cellText(v);
    if (t === null) return null;
    const s = trim ? t.trim() : t;
    return s === '' ? null : s;
  };
  const keyText = (v: unknown): string | null => {
    const t = cellText(v);
    if (t === null) return null;
    let s = t.trim();
    if (integerKeys && /^-?\d+\.0*$/.test(s)) s = s.slice(0, s.indexOf('.'));
    return s === '' ? null : s;
  };

  const localizedFields = new Set<string>();
  const converters: Converter[] = [];
  for (const [field, spec] of plan.fields) converters.push(compileField(field, spec));

  function compileField(field: string, spec: FieldSpec): Converter {
    const col = spec.column ?? field;
    switch (spec.type) {
      case 'localized': {
        localizedFields.add(field);
        if (spec.columns || spec.languages) {
          const pairs: [string, Accessor][] = spec.columns
            ? Object.entries(spec.columns).map(([lang, c]) => [lang, need(c, `field ${field}, ${lang}`)])
            : spec.languages!.map((lang) => [lang, need(`${col}_${lang}`, `field ${field}, ${lang}`)]);
          return {
            field,
            accessors: pairs.map((p) => p[1]),
            convert(cells) {
              let values: Record<string, string> | null = null;
              for (const [lang, acc] of pairs) {
                const t = text(acc.get(cells));
                if (t !== null) (values ??= {})[lang] = t;
              }
              return values ? { kind: 'localized', values } : null;
            },
          };
        }
        const acc = need(col, `field ${field}`);
        return {
          field,
          accessors: [acc],
          convert(cells, lang) {
            const v = acc.get(cells);
            if (lang !== null) {
              const t = text(v);
              return t === null ? null : { kind: 'localized', values: { [lang]: t } };
            }
            const loc = localizedFrom(v, text);
            if (loc === undefined) {
              throw new CellError(`expected one value per language (an object like {"en": "…"}, or set languageColumn/columns), got ${JSON.stringify(v).slice(0, 80)}`);
            }
            return loc;
          },
        };
      }
      case 'quantity':
      case 'money': {
        const acc = need(col, `field ${field}`);
        const isQty = spec.type === 'quantity';
        const fixed = isQty ? spec.unit : spec.currency;
        const unitCol = isQty ? spec.unitColumn : spec.currencyColumn;
        const unitAcc = unitCol ? need(unitCol, `field ${field}, ${isQty ? 'unit' : 'currency'}`) : null;
        return {
          field,
          accessors: unitAcc ? [acc, unitAcc] : [acc],
          convert(cells) {
            const t = text(acc.get(cells));
            if (t === null) return null;
            const amount = parseDecimalText(t, nf);
            const unit = unitAcc ? (text(unitAcc.get(cells)) ?? fixed) : fixed;
            if (!unit) throw new CellError(`has the amount ${t} but no ${isQty ? 'unit' : 'currency'} (column "${unitAcc?.name}" is empty)`);
            return isQty ? { kind: 'quantity', amount, unit } : { kind: 'money', amount, currency: unit };
          },
        };
      }
      default: {
        const acc = need(col, `field ${field}`);
        const type = spec.type;
        const sep = spec.separator ?? '|';
        let conv: (t: string) => FieldValue;
        switch (type) {
          case 'integer':
            conv = (t) => parseInteger(t, nf);
            break;
          case 'decimal':
            conv = (t) => ({ kind: 'decimal', value: parseDecimalText(t, nf) });
            break;
          case 'boolean':
            conv = (t) => parseBoolean(t);
            break;
          case 'date':
            conv = (t) => parseDate(t, df);
            break;
          case 'datetime':
            conv = (t) => parseDateTime(t, df, zone);
            break;
          case 'multiselect':
            conv = (t) => t.split(sep).map((x) => x.trim()).filter(Boolean);
            break;
          default:
            conv = (t) => t;
        }
        return {
          field,
          accessors: [acc],
          convert(cells) {
            const v = acc.get(cells);
            if (Array.isArray(v)) {
              const items = v.map(text).filter((x): x is string => x !== null);
              if (type === 'multiselect') return items;
              if (items.length > 1) throw new CellError(`expected one value, got a list of ${items.length}`);
              return items.length ? conv(items[0]!) : null;
            }
            const t = text(v);
            return t === null ? null : conv(t);
          },
        };
      }
    }
  }

  // Unmapped columns: passed through as strings, or as localized when named <field>_<lang>.
  const passThrough: { field: string; index: number }[] = [];
  const autoLocalized = new Map<string, [string, number][]>();
  if (shape.tabular && plan.includeUnmapped) {
    const mapped = new Set(plan.fields.map(([f]) => f));
    columns.forEach((c, i) => {
      if (used.has(c) || c === '') return;
      for (const lang of plan.languages) {
        const suffix = `_${lang}`;
        if (c.length > suffix.length && c.toLowerCase().endsWith(suffix.toLowerCase())) {
          const base = c.slice(0, -suffix.length);
          if (mapped.has(base)) return;
          let list = autoLocalized.get(base);
          if (!list) autoLocalized.set(base, (list = []));
          list.push([lang, i]);
          localizedFields.add(base);
          return;
        }
      }
      if (!mapped.has(c)) passThrough.push({ field: c, index: i });
    });
  }
  const autoLocalizedList = [...autoLocalized.entries()];
  const mappedFields = new Set(plan.fields.map(([f]) => f));

  let lastUpdRaw: string | null = null;
  let lastUpdIso = '';
  const builder: RecordBuilder = {
    keyName: keyAcc.name,
    keyIndex: keyAcc.index,
    width: columns.length,
    keyOf(cells) {
      try {
        const key = keyText(keyAcc.get(cells));
        // 0x1A stands for a byte that was not UTF-8: such a key is not the record's real key.
        return key === null || key.includes('\x1a') ? undefined : key;
      } catch {
        return undefined;
      }
    },
    localizedFields,
    languageOf(cells) {
      if (!langAcc) return null;
      const t = text(langAcc.get(cells));
      if (t === null) throw new RowError(`column "${langAcc.name}" (language) is empty`, langAcc.index + 1 || undefined, langAcc.name, undefined, undefined);
      return t;
    },
    build(cells) {
      const key = keyText(keyAcc.get(cells));
      if (key === null) throw new RowError(`no key: column "${keyAcc.name}" is empty`, keyAcc.index + 1 || undefined, keyAcc.name, undefined, undefined);
      let current: Accessor | null = null;
      let currentField: string | undefined;
      try {
        let updatedAt = fileMtime;
        if (updAcc) {
          current = updAcc;
          currentField = 'updatedAt';
          const t = text(updAcc.get(cells));
          if (t !== null) {
            // Exports often share one timestamp across many rows: skip re-parsing it.
            if (t !== lastUpdRaw) {
              lastUpdIso = parseDateTime(t, df, zone);
              lastUpdRaw = t;
            }
            updatedAt = lastUpdIso;
          }
        }
        const record: ErpRecord = { stream, key, updatedAt, fields: {} };
        if (groupAcc) {
          current = groupAcc;
          currentField = 'group';
          record.group = keyText(groupAcc.get(cells));
        }
        if (parentAcc) {
          current = parentAcc;
          currentField = 'parent';
          record.parent = keyText(parentAcc.get(cells));
        }
        if (catAcc) {
          current = catAcc;
          currentField = 'categories';
          const v = catAcc.get(cells);
          const list = Array.isArray(v) ? v.map(keyText) : (text(v)?.split(plan.categoriesSeparator) ?? []).map(keyText);
          record.categories = list.filter((x): x is string => x !== null);
        }
        if (activeAcc) {
          current = activeAcc;
          currentField = 'active';
          const t = text(activeAcc.get(cells));
          const meaning = plan.active!.meaning;
          if (meaning === 'inactive-if-set') record.active = t === null;
          else if (t !== null) record.active = meaning === 'active' ? parseBoolean(t) : !parseBoolean(t);
        }
        const lang = langAcc ? builder.languageOf(cells) : null;
        const fields = record.fields;
        for (let i = 0; i < converters.length; i++) {
          const c = converters[i]!;
          current = c.accessors[0]!;
          currentField = c.field;
          fields[c.field] = c.convert(cells, c.accessors.length > 0 && localizedFields.has(c.field) ? lang : null);
        }
        current = null;
        currentField = undefined;
        if (shape.tabular) {
          const row = cells as unknown[];
          for (let i = 0; i < passThrough.length; i++) {
            const p = passThrough[i]!;
            fields[p.field] = text(row[p.index]);
          }
          for (const [base, pairs] of autoLocalizedList) {
            let values: Record<string, string> | null = null;
            for (const [l, idx] of pairs) {
              const t = text(row[idx]);
              if (t !== null) (values ??= {})[l] = t;
            }
            fields[base] = values ? { kind: 'localized', values } : null;
          }
        } else if (plan.includeUnmapped) {
          for (const k of Object.keys(cells)) {
            if (used.has(k) || mappedFields.has(k)) continue;
            fields[k] = documentValue((cells as Record<string, unknown>)[k], text);
          }
        }
        return record;
      } catch (e) {
        if (e instanceof CellError) {
          const where = current ? `column "${current.name}"${currentField && currentField !== current.name ? ` (field ${currentField})` : ''}` : `field ${currentField}`;
          throw new RowError(`${where}: ${e.message}`, current && current.index >= 0 ? current.index + 1 : undefined, current?.name, currentField, key);
        }
        throw e;
      }
    },
  };
  return builder;
}

/** A language map from a JSON/XML value: {"en": "…"} or [{"@lang": "en", "#text": "…"}]; undefined when it is neither. */
function localizedFrom(v: unknown, text: (v: unknown) => string | null): LocalizedText | null | undefined {
  if (v === null || v === undefined || v === '') return null;
  const values: Record<string, string> = {};
  const items = Array.isArray(v) ? v : [v];
  let any = false;
  for (const item of items) {
    if (item === null || typeof item !== 'object') return undefined;
    const o = item as Record<string, unknown>;
    const lang = o['@lang'] ?? o['@xml:lang'] ?? o.lang ?? o.language ?? o.locale;
    if (typeof lang === 'string') {
      const t = text(o['#text'] ?? o.text ?? o.value);
      if (t !== null) values[lang.trim()] = t;
      any = true;
      continue;
    }
    if (Array.isArray(v)) return undefined;
    for (const [k, val] of Object.entries(o)) {
      if (!LANG_LIKE.test(k)) return undefined;
      const t = text(val);
      if (t !== null) values[k] = t;
      any = true;
    }
  }
  if (!any) return undefined;
  return Object.keys(values).length ? { kind: 'localized', values } : null;
}

/** Unmapped JSON/XML values: scalars as text, lists as lists, language maps as localized, `<w unit="kg">1</w>` as a quantity. */
function documentValue(v: unknown, text: (v: unknown) => string | null): FieldValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v;
  if (Array.isArray(v)) {
    const loc = v.length && typeof v[0] === 'object' ? localizedFrom(v, text) : undefined;
    if (loc !== undefined) return loc;
    return v.map((x) => (x !== null && typeof x === 'object' ? JSON.stringify(x) : text(x)));
  }
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof (o['@lang'] ?? o['@xml:lang']) === 'string') return localizedFrom(v, text) ?? null;
    if ('#text' in o && typeof o['@unit'] === 'string') {
      const amount = text(o['#text']);
      return amount === null ? null : { kind: 'quantity', amount, unit: (o['@unit'] as string).trim() };
    }
    if ('#text' in o) return text(o['#text']);
    const loc = localizedFrom(v, text);
    if (loc !== undefined) return loc;
    return JSON.stringify(v);
  }
  return text(v);
}

/** Merges the rows of one key in language-column mode: localized values add up, other fields keep the first value seen. */
export function mergeLanguageRows(into: ErpRecord, next: ErpRecord, localized: ReadonlySet<string>): void {
  for (const [f, v] of Object.entries(next.fields)) {
    const cur = into.fields[f];
    if (localized.has(f) && v && typeof v === 'object' && !Array.isArray(v) && v.kind === 'localized') {
      if (cur && typeof cur === 'object' && !Array.isArray(cur) && cur.kind === 'localized') Object.assign(cur.values, v.values);
      else into.fields[f] = { kind: 'localized', values: { ...v.values } };
    } else if (cur === null || cur === undefined) into.fields[f] = v;
  }
  if (next.updatedAt && (!into.updatedAt || next.updatedAt > into.updatedAt)) into.updatedAt = next.updatedAt;
}
