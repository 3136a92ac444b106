/**
 * simple and multi select: ERP value → option code. The renames table wins; otherwise the value is
 * normalised to an option code (when enabled) and matched case-insensitively against the PIM's
 * options. A missing option is collected for creation (autoCreate) or is an error.
 */
import type { Attribute, AttributeOption, Labels } from '../../akeneo/model.js';
import { CONTROL_FIX, controlCharIn, type CodeTable } from '../codes.js';
import type { MappedOption } from '../types.js';
import { fail, scalarText, show, type ConvertResult, type Converter } from './common.js';

export interface SelectOptions {
  renames?: Record<string, string>;
  autoCreate: boolean;
  separator?: string;
  /** Locale an option label is written in when the ERP value is not localized. */
  labelLocale: string | null;
}

/** Per-language labels the mapper attaches when the select is fed by a localized field. */
export type OptionLabels = Labels | undefined;

export interface SelectContext {
  attribute: Attribute;
  /** The PIM's options of the attribute (canonical code → option). */
  existing: ReadonlyMap<string, AttributeOption> | undefined;
  codes: CodeTable;
}

function indexLower(existing: ReadonlyMap<string, AttributeOption> | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const code of existing?.keys() ?? []) out.set(code.toLowerCase(), code);
  return out;
}

export function compileOptionResolver(ctx: SelectContext, options: SelectOptions) {
  const byLower = indexLower(ctx.existing);
  const renames = new Map<string, string>();
  for (const [k, v] of Object.entries(options.renames ?? {})) renames.set(k.trim().toLowerCase(), v);
  const attr = ctx.attribute.code;
  const expected = `an option of ${attr}${byLower.size ? ` (e.g. ${[...byLower.values()].slice(0, 5).join(', ')})` : ''}`;

  // ERP value → result, bounded: selects repeat a few values over the whole catalog. Results that
  // create an option are cached too; the mapper reports each option once whatever we return.
  const cache = new Map<string, ConvertResult>();
  /** One ERP value → option code (+ the option to create when missing). */
  return (raw: string, labels: OptionLabels): ConvertResult => {
    if (labels === undefined) {
      const hit = cache.get(raw);
      if (hit) return hit;
      const res = resolveUncached(raw, undefined);
      if (cache.size >= 5000) cache.clear();
      cache.set(raw, res);
      return res;
    }
    return resolveUncached(raw, labels);
  };

  function resolveUncached(raw: string, labels: OptionLabels): ConvertResult {
    const text = raw.trim();
    // The value or one of its labels would become an option code or label as is: refused first.
    const control = controlCharIn(text);
    if (control) return fail('invalid_code', `${show(text)} contains ${control}`, expected, CONTROL_FIX);
    for (const [locale, label] of Object.entries(labels ?? {})) {
      const inLabel = typeof label === 'string' ? controlCharIn(label) : null;
      if (inLabel) return fail('invalid_value', `the ${locale} label ${show(label)} of ${show(text)} contains ${inLabel}`, expected, CONTROL_FIX);
    }
    let code = renames.get(text.toLowerCase());
    if (code === undefined) {
      const outcome = ctx.codes.code('option', text, attr);
      if (!outcome.ok) {
        const why =
          outcome.reason === 'collision'
            ? `normalises to the same option code as ${show(outcome.other)}`
            : outcome.reason === 'empty'
              ? 'has no letters or digits to make an option code from'
              : 'is not a valid option code (letters, digits and _ only)';
        return fail(
          'invalid_code',
          `${show(text)} ${why}`,
          expected,
          outcome.reason === 'pattern'
            ? 'Turn on mapping.codes.normalise, or map the value in mapping.options.renames.'
            : `Map the value explicitly in mapping.options.renames.${attr}.`,
        );
      }
      code = outcome.code;
    }
    const canonical = byLower.get(code.toLowerCase());
    if (canonical !== undefined) return { ok: true, data: canonical };
    if (!options.autoCreate) {
      return fail(
        'missing_option',
        `option ${show(code)}${code !== text ? ` (from ${show(text)})` : ''} does not exist in the PIM`,
        expected,
        `Create the option ${code} on ${attr} in the PIM, map the value in mapping.options.renames.${attr}, or set mapping.options.autoCreate: true.`,
      );
    }
    const option: MappedOption = {
      kind: 'option',
      attribute: attr,
      code,
      labels: labels ?? (options.labelLocale ? { [options.labelLocale]: text } : {}),
      erpValue: text,
    };
    return { ok: true, data: code, newOptions: [option] };
  }
}

export function simpleSelectConverter(ctx: SelectContext, options: SelectOptions, labelsOf?: (v: unknown) => OptionLabels): Converter {
  const resolve = compileOptionResolver(ctx, options);
  return (value) => {
    const text = scalarText(value);
    if (text === null || text.trim() === '') {
      return fail('invalid_value', `${show(value)} cannot be an option`, `an option of ${ctx.attribute.code}`, 'Map a single text value to this attribute.');
    }
    return resolve(text, labelsOf?.(value));
  };
}

export function multiSelectConverter(ctx: SelectContext, options: SelectOptions): Converter {
  const resolve = compileOptionResolver(ctx, options);
  const separator = options.separator ?? ',';
  return (value) => {
    const parts: string[] = [];
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) {
      const text = scalarText(item);
      if (text === null) {
        return fail('invalid_value', `${show(item)} cannot be an option`, `options of ${ctx.attribute.code}`, 'Send a list of texts or a separated text.');
      }
      for (const p of Array.isArray(value) ? [text] : text.split(separator)) if (p.trim() !== '') parts.push(p);
    }
    const codes: string[] = [];
    const seen = new Set<string>();
    const created: MappedOption[] = [];
    for (const p of parts) {
      const res = resolve(p, undefined);
      if (!res.ok) return res;
      const code = res.data as string;
      if (seen.has(code.toLowerCase())) continue;
      seen.add(code.toLowerCase());
      codes.push(code);
      if (res.newOptions) created.push(...res.newOptions);
    }
    return created.length ? { ok: true, data: codes, newOptions: created } : { ok: true, data: codes };
  };
}
