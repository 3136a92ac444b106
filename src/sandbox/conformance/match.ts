/**
 * Comparison of an actual response body with a case's expectation, following the cases file's
 * `conventions`: matchers (<any:uuid>, <any:datetime>, <regex:...>, <not:X>), the match modes
 * (exact, subset, subset_values_exact, exact_unordered_lists) and the normalisations that mirror
 * Akeneo's NormalizedProductCleaner. Returns human-readable differences (empty = match).
 */
import type { MatchMode } from './cases.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$/;
const MEDIA_KEY_RE = /^[0-9a-z]\/[0-9a-z]\/[0-9a-z]\/[0-9a-z]\/[0-9a-f]{40}_(.+)$/;
const SORTED_LIST_KEYS = new Set(['categories', 'groups']);

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function compareScalars(a: Json, b: Json): number {
  const x = JSON.stringify(a) ?? '';
  const y = JSON.stringify(b) ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

function sortedStrings(list: Json[]): Json[] {
  return [...list].sort(compareScalars);
}

/** Applies the cases' normalisations to a body (expected or actual alike). */
export function normalise(v: Json, parentKey?: string): Json {
  if (typeof v === 'string') {
    const media = MEDIA_KEY_RE.exec(v);
    return media ? `<media-file:${media[1]}>` : v;
  }
  if (Array.isArray(v)) {
    const items = v.map((x) => normalise(x));
    if (parentKey !== undefined && SORTED_LIST_KEYS.has(parentKey) && items.every((x) => typeof x === 'string')) {
      return sortedStrings(items);
    }
    return items;
  }
  if (!isObject(v)) return v;
  const out: Record<string, Json> = {};
  for (const [k, val] of Object.entries(v)) {
    if (k === 'associations' && isObject(val)) {
      const assoc: Record<string, Json> = {};
      for (const [type, lists] of Object.entries(val)) {
        if (!isObject(lists)) {
          assoc[type] = normalise(lists);
          continue;
        }
        const l: Record<string, Json> = {};
        for (const [kind, list] of Object.entries(lists)) {
          l[kind] = Array.isArray(list) ? sortedStrings(list.map((x) => normalise(x))) : normalise(list);
        }
        assoc[type] = l;
      }
      out[k] = assoc;
    } else if (k === 'values' && isObject(val)) {
      const values: Record<string, Json> = {};
      for (const [attr, list] of Object.entries(val)) {
        values[attr] = Array.isArray(list)
          ? list.map((x) => normalise(x)).sort((a, b) => {
              const sa = isObject(a) ? `${String(a.scope ?? '')}\u0000${String(a.locale ?? '')}` : '';
              const sb = isObject(b) ? `${String(b.scope ?? '')}\u0000${String(b.locale ?? '')}` : '';
              return sa < sb ? -1 : sa > sb ? 1 : 0;
            })
          : normalise(list);
      }
      out[k] = values;
    } else {
      out[k] = normalise(val, k);
    }
  }
  return out;
}

/** Matcher placeholders in expected strings. Returns undefined when `expected` is no matcher. */
function matcher(expected: string, actual: Json): boolean | undefined {
  if (expected === '<any:uuid>') return typeof actual === 'string' && UUID_RE.test(actual);
  if (expected === '<any:datetime>') return typeof actual === 'string' && DATETIME_RE.test(actual);
  if (expected.startsWith('<regex:') && expected.endsWith('>')) {
    return typeof actual === 'string' && new RegExp(expected.slice(7, -1)).test(actual);
  }
  if (expected.startsWith('<not:') && expected.endsWith('>')) {
    const other = expected.slice(5, -1);
    return JSON.stringify(actual) !== other && actual !== other;
  }
  return undefined;
}

const IGNORED_UNLESS_EXPECTED = new Set(['created', 'updated']);

export function compare(expected: Json, actual: Json, mode: MatchMode): string[] {
  const diffs: string[] = [];
  walk(normalise(expected), normalise(actual), mode, '$', diffs);
  return diffs;
}

function show(v: Json): string {
  const s = JSON.stringify(v);
  return s === undefined ? 'undefined' : s.length > 300 ? `${s.slice(0, 300)}…` : s;
}

function walk(expected: Json, actual: Json, mode: MatchMode, path: string, diffs: string[]): void {
  if (diffs.length >= 20) return;
  if (typeof expected === 'string') {
    const m = matcher(expected, actual);
    if (m !== undefined) {
      if (!m) diffs.push(`${path}: expected ${expected}, got ${show(actual)}`);
      return;
    }
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) {
      diffs.push(`${path}: expected a list ${show(expected)}, got ${show(actual)}`);
      return;
    }
    let exp = expected;
    let act = actual;
    if (mode === 'exact_unordered_lists' && exp.every((x) => !isObject(x) && !Array.isArray(x))) {
      exp = sortedStrings(exp);
      act = [...act].sort(compareScalars);
    }
    if (exp.length !== act.length) {
      diffs.push(`${path}: expected ${exp.length} items ${show(exp)}, got ${act.length} ${show(act)}`);
      return;
    }
    // Inside arrays the comparison is exact (subset modes only relax objects' extra keys at
    // the levels they describe), except that unordered mode keeps applying to nested lists.
    const inner: MatchMode = mode === 'exact_unordered_lists' ? mode : 'exact';
    exp.forEach((e, i) => walk(e, act[i], inner, `${path}[${i}]`, diffs));
    return;
  }
  if (isObject(expected)) {
    if (!isObject(actual)) {
      diffs.push(`${path}: expected an object ${show(expected)}, got ${show(actual)}`);
      return;
    }
    const exact = mode === 'exact' || mode === 'exact_unordered_lists';
    for (const [k, e] of Object.entries(expected)) {
      if (!(k in actual)) {
        diffs.push(`${path}.${k}: missing (expected ${show(e)})`);
        continue;
      }
      if (k === 'values' && mode === 'subset_values_exact' && isObject(e)) {
        const a = actual[k];
        if (!isObject(a)) {
          diffs.push(`${path}.values: expected an object, got ${show(a)}`);
          continue;
        }
        const extra = Object.keys(a).filter((x) => !(x in e));
        if (extra.length > 0) diffs.push(`${path}.values: unexpected attributes ${extra.join(', ')}`);
        for (const [attr, list] of Object.entries(e)) {
          if (!(attr in a)) diffs.push(`${path}.values.${attr}: missing (expected ${show(list)})`);
          else walk(list, a[attr], 'exact', `${path}.values.${attr}`, diffs);
        }
        continue;
      }
      walk(e, actual[k], mode, `${path}.${k}`, diffs);
    }
    if (exact) {
      for (const k of Object.keys(actual)) {
        if (!(k in expected) && !IGNORED_UNLESS_EXPECTED.has(k)) diffs.push(`${path}.${k}: unexpected key (value ${show(actual[k])})`);
      }
    }
    return;
  }
  if (expected !== actual) diffs.push(`${path}: expected ${show(expected)}, got ${show(actual)}`);
}
