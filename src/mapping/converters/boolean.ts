/** boolean: 1/0, Y/N, yes/no, true/false, on/off (case-insensitive), plus configured words. */
import { fail, ok, scalarText, show, type Converter } from './common.js';

export interface BooleanOptions {
  trueValues?: string[];
  falseValues?: string[];
}

const TRUE_WORDS = ['1', 'y', 'yes', 'true', 'on', 'x', 't'];
const FALSE_WORDS = ['0', 'n', 'no', 'false', 'off', 'f'];

export function booleanConverter(options: BooleanOptions = {}): Converter {
  const truthy = new Set([...TRUE_WORDS, ...(options.trueValues ?? []).map((w) => w.trim().toLowerCase())]);
  const falsy = new Set([...FALSE_WORDS, ...(options.falseValues ?? []).map((w) => w.trim().toLowerCase())]);
  const expected = `yes or no (${[...truthy].join('/')} or ${[...falsy].join('/')})`;
  // Two shared results: callers only read them.
  const yes = ok(true);
  const no = ok(false);
  return (value) => {
    if (typeof value === 'boolean') return value ? yes : no;
    const text = scalarText(value);
    if (text !== null) {
      if (truthy.has(text)) return yes;
      if (falsy.has(text)) return no;
      const word = text.trim().toLowerCase();
      if (truthy.has(word)) return yes;
      if (falsy.has(word)) return no;
    }
    return fail('invalid_boolean', `${show(text ?? value)} is not a yes/no value`, expected, 'Correct the value in the ERP, or add the word to trueValues/falseValues in the mapping.');
  };
}
