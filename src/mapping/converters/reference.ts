/** Reference entity records, reference data and assets: codes (or lists of codes) linked by value. */
import { CONTROL_FIX, type CodeTable } from '../codes.js';
import { assetCode, assetSources } from '../reference-data.js';
import { fail, scalarText, show, type Converter } from './common.js';

export function referenceConverter(attributeCode: string, codes: CodeTable, collection: boolean, separator = ','): Converter {
  const expected = collection ? 'a list of record codes' : 'a record code (letters, digits, _)';
  const one = (raw: string) => codes.code('option', raw.trim(), `ref:${attributeCode}`);
  return (value) => {
    const items: string[] = [];
    for (const item of Array.isArray(value) ? value : [value]) {
      const text = scalarText(item);
      if (text === null) return fail('invalid_value', `${show(item)} is not a record code`, expected, 'Map a field holding record codes.');
      for (const p of collection && !Array.isArray(value) ? text.split(separator) : [text]) if (p.trim()) items.push(p);
    }
    if (!collection && items.length !== 1) {
      return fail('invalid_value', `${show(value)} holds ${items.length} codes, the attribute links one record`, expected, 'Map a single code.');
    }
    const out: string[] = [];
    for (const raw of items) {
      const res = one(raw);
      if (!res.ok) {
        if (res.reason === 'control') return fail('invalid_code', `${show(raw)} contains ${res.control}`, expected, CONTROL_FIX);
        return fail('invalid_code', `${show(raw)} is not a valid record code`, expected, 'Turn on mapping.codes.normalise, or fix the code in the ERP.');
      }
      if (!out.includes(res.code)) out.push(res.code);
    }
    return { ok: true, data: collection ? out : out[0] };
  };
}

/** Asset collections fed from mapping.assetFamilies: file paths → the codes of the assets the sync creates for them. */
export function assetCollectionConverter(rule: string, separator: string | null): Converter {
  const expected = 'file paths or URLs, one asset each';
  return (value) => {
    if (Array.isArray(value) ? value.some((v) => typeof v !== 'string') : typeof value !== 'string') {
      return fail('invalid_value', `${show(value)} is not a file path or URL`, expected, 'Map a field holding paths or URLs.');
    }
    const out: string[] = [];
    for (const source of assetSources(value, separator)) {
      const code = assetCode(rule, source);
      if (code === null) return fail('invalid_code', `file ${show(source)} gives no asset code under the rule "${rule}"`, 'a file name with letters or digits', 'Change the asset family\'s code rule in mapping.assetFamilies.');
      if (!out.includes(code)) out.push(code);
    }
    return { ok: true, data: out };
  };
}
