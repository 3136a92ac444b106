/**
 * What a failed batch line means, and what to tell Julia about it.
 *
 * Akeneo answers a failed line with a status, a message and (for validation) an `errors`
 * list. Some failures Ferry can fix itself (a missing option: create it and resend; a
 * parent not there yet: resend after it; a SKU that already exists under another uuid:
 * adopt that uuid); transient ones are retried; the rest are rejected with a message that
 * names the record, the attribute, the locale/channel, what is wrong and how to fix it.
 */
import type { ValidationErrorItem } from '../akeneo/model.js';

export type LineProblem =
  | { kind: 'missing_option'; attribute: string; codes: string[] }
  | { kind: 'missing_parent'; parent: string }
  | { kind: 'duplicate_identifier' }
  | { kind: 'transient' }
  | { kind: 'validation' };

const OPTION_RE = /The (.+?) values? (?:is|are) not in the (\S+) attribute option list/;
const PARENT_RES = [
  /The parent product model does not exist, "([^"]+)" given/,
  /The given product model "([^"]+)" does not exist/,
];
const DUPLICATE_RES = [/identifier is already used for another product/i, /same identifier is already set on another product/i];

function allMessages(message: string | undefined, errors: readonly ValidationErrorItem[] | undefined): string[] {
  const out: string[] = [];
  if (message) out.push(message);
  for (const e of errors ?? []) if (e && typeof e.message === 'string') out.push(e.message);
  return out;
}

export function classifyLine(status: number, message: string | undefined, errors: readonly ValidationErrorItem[] | undefined): LineProblem {
  if (status === 0 || status === 408 || status === 429 || status >= 500) return { kind: 'transient' };
  const texts = allMessages(message, errors);
  for (const t of texts) {
    const m = OPTION_RE.exec(t);
    if (m) {
      return {
        kind: 'missing_option',
        attribute: m[2]!,
        codes: m[1]!
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      };
    }
  }
  for (const t of texts) {
    for (const re of PARENT_RES) {
      const m = re.exec(t);
      if (m) return { kind: 'missing_parent', parent: m[1]! };
    }
  }
  if (texts.some((t) => DUPLICATE_RES.some((re) => re.test(t)))) return { kind: 'duplicate_identifier' };
  return { kind: 'validation' };
}

export interface BusinessProblem {
  attribute: string | null;
  locale: string | null;
  scope: string | null;
  message: string;
  fix: string;
}

/** The fix for Akeneo's known messages, in words an enrichment team can act on. */
export function fixFor(text: string, attribute: string | null): string {
  const a = attribute ? `'${attribute}'` : 'the attribute';
  if (/attribute does not exist|Property "[^"]+" does not exist/.test(text))
    return `Create ${a} in the PIM (ferry pim bootstrap creates the ones the mapping needs) or remove it from the mapping.`;
  if (/family does not exist/.test(text)) return 'Create the family in the PIM (ferry pim bootstrap) or fix the family in the mapping.';
  if (/category does not exist/.test(text)) return 'Create the category in the PIM, or check that the ERP category tree was synced without errors.';
  if (/requires a valid locale|locale does not exist|Locale .* not activated/.test(text))
    return 'Activate the locale in the PIM, or map that ERP language to an active locale in mapping.locales.';
  if (/requires a valid channel|scope|channel/.test(text) && /does not exist/.test(text))
    return 'Create the channel in the PIM or fix mapping.channels.';
  if (/unit|measurement/i.test(text)) return `Use a unit of ${a}'s measurement family in the ERP, or add a unit mapping (mapping.attributes.<attr>.units).`;
  if (/currency/i.test(text)) return 'Activate the currency in the PIM and on the channel, or map the ERP currency (mapping.attributes.<attr>.currencies).';
  if (/too long|maximum|characters/i.test(text)) return `Shorten the value in the ERP, or raise ${a}'s maximum length in the PIM.`;
  if (/axis|already has this value/.test(text))
    return 'Two variants of the same model have the same axis values: give each variant its own colour/size (or other axis) in the ERP.';
  if (/not a valid|expects|should be|must be|invalid/i.test(text)) return `Correct ${a} in the ERP so it has the format the PIM expects, then run ferry sync again.`;
  if (/required|should not be blank|empty/i.test(text)) return `Fill ${a} in the ERP, then run ferry sync again.`;
  return 'Correct the record in the ERP (or the mapping), then run ferry sync again; it is retried automatically.';
}

const KIND_WORDS: Record<string, string> = { product: 'SKU', product_model: 'Product model', category: 'Category', option: 'Option' };

/** Turns Akeneo's answer into business-worded problems, one per `errors` item (or one for the message). */
export function describeRejection(
  entityType: string,
  label: string,
  status: number,
  message: string | undefined,
  errors: readonly ValidationErrorItem[] | undefined,
): BusinessProblem[] {
  const who = `${KIND_WORDS[entityType] ?? entityType} ${label}`;
  const list = (errors ?? []).filter((e) => e && typeof e.message === 'string');
  if (list.length === 0) {
    const text = message ?? `the PIM answered HTTP ${status}`;
    return [{ attribute: null, locale: null, scope: null, message: `${who}: ${text}`, fix: fixFor(text, null) }];
  }
  return list.map((e) => {
    const attribute = (e.attribute ?? (e.property && e.property !== 'values' ? e.property : null)) ?? null;
    const locale = typeof e.locale === 'string' ? e.locale : null;
    const scope = typeof e.scope === 'string' ? e.scope : null;
    const where = [attribute ? `attribute '${attribute}'` : null, locale ? `locale ${locale}` : null, scope ? `channel ${scope}` : null]
      .filter(Boolean)
      .join(', ');
    return { attribute, locale, scope, message: `${who}${where ? `, ${where}` : ''}: ${e.message}`, fix: fixFor(e.message, attribute) };
  });
}
