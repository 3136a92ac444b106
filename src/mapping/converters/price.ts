/** price collection: reference prices only (declared in the mapping), currencies mapped and enabled in the PIM. */
import type { Attribute } from '../../akeneo/model.js';
import { parseDecimal } from '../decimal.js';
import { fail, ok, scalarText, show, type ConvertResult, type Converter } from './common.js';
import { amountData, boundsFor, checkAmount, type NumberOptions } from './number.js';

export interface PriceOptions extends NumberOptions {
  currency?: string;
  currencies?: Record<string, string>;
}

export function priceConverter(attribute: Attribute, enabledCurrencies: ReadonlySet<string>, options: PriceOptions = {}): Converter {
  const bounds = boundsFor(attribute, { ...options, negativeAllowed: options.negativeAllowed ?? false });
  const list = [...enabledCurrencies].join(', ');
  const expected = `an amount in an enabled currency${list ? ` (${list})` : ''}`;

  function one(amountText: string | null, erpCurrency: string | null, raw: unknown): ConvertResult {
    const cur = erpCurrency?.trim() || options.currency;
    if (!cur) {
      return fail('invalid_value', `the price ${show(raw)} has no currency`, expected, `Set mapping.attributes.${attribute.code}.currency.`);
    }
    const currency = options.currencies?.[cur] ?? cur.toUpperCase();
    if (enabledCurrencies.size > 0 && !enabledCurrencies.has(currency)) {
      return fail(
        'invalid_value',
        `currency ${show(cur)}${currency !== cur ? ` (→ ${currency})` : ''} is not enabled in the PIM`,
        expected,
        `Enable ${currency} in the PIM, or map it in mapping.attributes.${attribute.code}.currencies.`,
      );
    }
    const r = amountText === null ? null : parseDecimal(amountText);
    if (!r) return fail('not_a_number', `the price ${show(raw)} is not a number`, expected, 'Correct the price in the ERP.');
    const problem = checkAmount(r, () => show(raw), bounds, expected);
    if (problem) return problem;
    return ok({ amount: amountData(r, bounds.decimals), currency });
  }

  return (value) => {
    const items = Array.isArray(value) ? value : [value];
    const out: unknown[] = [];
    const seen = new Set<string>();
    for (const item of items) {
      let res: ConvertResult;
      if (item && typeof item === 'object' && !Array.isArray(item) && item.kind === 'money') res = one(item.amount, item.currency, item);
      else res = one(scalarText(item), null, item);
      if (!res.ok) return res;
      const data = res.data as { currency: string };
      if (seen.has(data.currency)) {
        return fail('invalid_value', `two prices in ${data.currency}`, expected, 'Send one price per currency.');
      }
      seen.add(data.currency);
      out.push(data);
    }
    return ok(out);
  };
}
