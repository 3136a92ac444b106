/** text, textarea and identifier: strings within the attribute's length and pattern. */
import type { Attribute } from '../../akeneo/model.js';
import { CONTROL_CHARS, IDENTIFIER_FORBIDDEN, MAX_IDENTIFIER_LENGTH } from '../codes.js';
import { fail, ok, scalarText, show, typeName, type Converter } from './common.js';

export interface TextOptions {
  trim?: boolean;
  maxLength?: number;
}

const TEXT_DEFAULT_MAX = 255;
const TEXTAREA_MAX = 65_535;

function compilePattern(attribute: Attribute): RegExp | null {
  if (attribute.validation_rule !== 'regexp' || !attribute.validation_regexp) return null;
  // Akeneo stores PHP-style delimited patterns ("/^[0-9]+$/"); strip the delimiters.
  const m = /^\/(.*)\/([a-z]*)$/s.exec(attribute.validation_regexp);
  try {
    return m ? new RegExp(m[1]!, m[2]!.replace(/[^imsu]/g, '')) : new RegExp(attribute.validation_regexp);
  } catch {
    return null;
  }
}

export function textConverter(attribute: Attribute, options: TextOptions = {}): Converter {
  const isTextarea = attribute.type === 'pim_catalog_textarea';
  const isIdentifier = attribute.type === 'pim_catalog_identifier';
  const max =
    options.maxLength ??
    attribute.max_characters ??
    (isIdentifier ? MAX_IDENTIFIER_LENGTH : isTextarea ? TEXTAREA_MAX : TEXT_DEFAULT_MAX);
  const trim = options.trim ?? true;
  const pattern = compilePattern(attribute);
  const expected = isIdentifier
    ? `an identifier of at most ${max} characters without commas, semicolons or line breaks`
    : `a text of at most ${max} characters`;
  return (value) => {
    let text = scalarText(value);
    if (text === null) {
      return fail('invalid_value', `${typeName(value)} ${show(value)} cannot be a text`, expected, 'Map a plain text field to this attribute.');
    }
    if (trim) text = text.trim();
    // A NUL or another control character would be stored as is and break exports and screens:
    // refused (the value is dropped and reported, or the record held, per mapping.errors).
    const control = CONTROL_CHARS.exec(text);
    if (control) {
      const code = `U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
      return fail(
        'invalid_value',
        `the text contains the control character ${code} at position ${control.index + 1}`,
        `${expected}, without control characters`,
        'Remove the control character from the value in the ERP (often a stray byte from an export).',
      );
    }
    if (text.length > max) {
      return fail(
        'too_long',
        `the value has ${text.length} characters, ${text.length - max} more than the attribute allows`,
        expected,
        `Shorten the value in the ERP, or raise the attribute's max characters in the PIM (currently ${max}).`,
      );
    }
    if (isIdentifier && IDENTIFIER_FORBIDDEN.test(text)) {
      return fail('invalid_code', `identifier ${show(text)} contains a comma, semicolon or line break`, expected, 'Remove the separator from the SKU in the ERP.');
    }
    if (!isTextarea && !isIdentifier && /[\r\n]/.test(text)) {
      // Akeneo's text attributes are single-line; a line break would be shown as-is in grids.
      text = text.replace(/\s*[\r\n]+\s*/g, ' ');
    }
    if (pattern && !pattern.test(text)) {
      return fail(
        'invalid_value',
        `${show(text)} does not match the attribute's pattern ${attribute.validation_regexp}`,
        `a text matching ${attribute.validation_regexp}`,
        'Correct the value in the ERP or relax the validation pattern in the PIM.',
      );
    }
    return ok(text);
  };
}
