/**
 * metric: ERP quantity → { amount, unit } in the attribute's measurement family. The ERP unit is
 * kept when the family has it; otherwise the amount is converted exactly to the attribute's default
 * unit. An ERP unit with no Akeneo unit in the family is an error naming both.
 */
import type { Attribute, MeasurementFamily } from '../../akeneo/model.js';
import { div, mul, add, sub, isTerminating, parseDecimal, exactDecimalString, toDecimalString, type Rational } from '../decimal.js';
import { BUILTIN_UNITS, unitCandidates } from '../units.js';
import { fail, ok, scalarText, show, type Converter } from './common.js';
import { amountData, boundsFor, checkAmount, isCanonicalDecimal, type NumberOptions } from './number.js';

export interface MetricOptions extends NumberOptions {
  /** Akeneo unit for amounts without a unit. */
  unit?: string;
  /** ERP unit → Akeneo unit code. */
  units?: Record<string, string>;
  /** Always convert to this unit. */
  convertTo?: string;
  /** Decimals kept when a conversion does not terminate (default 4). */
  precision?: number;
}

type Op = { operator: string; value: string };

/** The operations turning a value in `unit` into the family's standard unit: the PIM's, else Akeneo's defaults. */
function opsFor(family: MeasurementFamily | undefined, familyCode: string, unit: string): Op[] | null {
  const own = family?.units[unit];
  if (own) return own.convert_from_standard;
  const builtin = BUILTIN_UNITS[unit];
  if (!builtin || builtin.toStandard === null) return null;
  // Akeneo's factors are relative to its family's standard unit; a PIM family (even renamed or
  // trimmed) with the same standard unit shares them.
  const sameFamily = builtin.family === familyCode || (family !== undefined && BUILTIN_STANDARD[builtin.family] === family.standard_unit_code);
  return sameFamily ? [{ operator: 'mul', value: builtin.toStandard }] : null;
}

const BUILTIN_STANDARD: Record<string, string> = Object.fromEntries(
  Object.entries(BUILTIN_UNITS)
    .filter(([, u]) => u.toStandard === '1')
    .map(([code, u]) => [u.family, code]),
);

function apply(r: Rational, ops: Op[], inverse: boolean): Rational | null {
  let out = r;
  const seq = inverse ? [...ops].reverse() : ops;
  for (const op of seq) {
    const v = parseDecimal(op.value);
    if (!v) return null;
    const operator = inverse ? INVERSE[op.operator] : op.operator;
    if (operator === 'mul') out = mul(out, v);
    else if (operator === 'div') {
      if (v.n === 0n) return null;
      out = div(out, v);
    } else if (operator === 'add') out = add(out, v);
    else if (operator === 'sub') out = sub(out, v);
    else return null;
  }
  return out;
}
const INVERSE: Record<string, string> = { mul: 'div', div: 'mul', add: 'sub', sub: 'add' };

/** Exact conversion between two units of one family; null when a factor is unknown. */
export function convertUnit(amount: Rational, from: string, to: string, family: MeasurementFamily | undefined, familyCode: string): Rational | null {
  if (from === to) return amount;
  const fromOps = opsFor(family, familyCode, from);
  const toOps = opsFor(family, familyCode, to);
  if (!fromOps || !toOps) return null;
  const standard = apply(amount, fromOps, false);
  return standard && apply(standard, toOps, true);
}

const QUANTITY_TEXT = /^\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(\S.*?)?\s*$/;

export function metricConverter(attribute: Attribute, family: MeasurementFamily | undefined, options: MetricOptions = {}): Converter {
  const familyCode = attribute.metric_family ?? family?.code ?? '';
  const bounds = boundsFor(attribute, options);
  const defaultUnit = options.convertTo ?? attribute.default_metric_unit ?? family?.standard_unit_code ?? options.unit ?? null;
  const familyUnits = family ? Object.keys(family.units) : [];
  const precision = options.precision ?? 4;
  const expected = `a quantity in measurement family ${familyCode}${familyUnits.length ? ` (units ${familyUnits.slice(0, 12).join(', ')}${familyUnits.length > 12 ? ', …' : ''})` : ''}`;
  const inFamily = (u: string) => (family ? u in family.units : BUILTIN_UNITS[u]?.family === familyCode);
  const plain = bounds.negativeAllowed && !bounds.min && !bounds.max;
  // ERP unit symbol → candidates, cached: a catalog uses a handful of units millions of times.
  const candidateCache = new Map<string, string[]>();
  const candidatesOf = (u: string) => {
    let c = candidateCache.get(u);
    if (!c) {
      c = unitCandidates(u, options.units);
      if (candidateCache.size < 1000) candidateCache.set(u, c);
    }
    return c;
  };

  // ERP unit → the Akeneo unit it goes to unchanged (in the family, no conversion asked), else null.
  const directCache = new Map<string, string | null>();
  const directUnit = (u: string): string | null => {
    let d = directCache.get(u);
    if (d === undefined) {
      const unit = candidatesOf(u).find(inFamily) ?? null;
      const target = options.convertTo ?? (unit ? null : defaultUnit);
      d = unit !== null && !(target && unit !== target) ? unit : null;
      if (directCache.size < 1000) directCache.set(u, d);
    }
    return d;
  };
  const fastPath = plain && bounds.decimals;

  return (value) => {
    let amountText: string | null;
    let erpUnit: string | null;
    if (value && typeof value === 'object' && !Array.isArray(value) && value.kind === 'quantity') {
      amountText = value.amount;
      erpUnit = value.unit;
    } else {
      const text = scalarText(value);
      const m = text === null ? null : QUANTITY_TEXT.exec(text);
      if (!m) {
        return fail('not_a_number', `${show(value)} is not a quantity`, expected, 'Send an amount with its unit, e.g. "12.5 kg".');
      }
      amountText = m[1]!;
      erpUnit = m[2] ?? null;
    }
    // The common case needs no arithmetic: a canonical amount in a unit the family has.
    if (fastPath && erpUnit !== null && isCanonicalDecimal(amountText)) {
      const direct = directUnit(erpUnit);
      if (direct !== null) return ok({ amount: amountText, unit: direct });
    }
    const amount = parseDecimal(amountText);
    if (!amount) return fail('not_a_number', `the amount ${show(amountText)} is not a number`, expected, 'Correct the amount in the ERP.');
    let candidates: string[];
    if (erpUnit === null || erpUnit.trim() === '') {
      const assumed = options.unit ?? defaultUnit;
      if (!assumed) {
        return fail('unknown_unit', `the amount ${show(amountText)} comes without a unit`, expected, `Set mapping.attributes.${attribute.code}.unit to the Akeneo unit the ERP uses.`);
      }
      candidates = [assumed];
    } else {
      candidates = candidatesOf(erpUnit);
    }
    const unit = candidates.find(inFamily) ?? null;
    const target = options.convertTo ?? (unit ? null : defaultUnit);
    let out = amount;
    let outUnit = unit;
    if (target && (unit === null || unit !== target)) {
      // Convert from the first candidate we know a factor for (the family lacks the ERP's unit, or a target is forced).
      let converted: Rational | null = null;
      let used: string | null = null;
      for (const c of unit ? [unit] : candidates) {
        converted = convertUnit(amount, c, target, family, familyCode);
        if (converted) {
          used = c;
          break;
        }
      }
      if (!converted || !used) {
        return fail(
          'unknown_unit',
          `ERP unit ${show(erpUnit ?? unit ?? '')} has no Akeneo unit in measurement family ${familyCode}` +
            (candidates.length && candidates[0] !== (erpUnit ?? '').trim().toUpperCase() ? ` (it maps to ${candidates.join(' or ')})` : ''),
          expected,
          `Map it in mapping.attributes.${attribute.code}.units (e.g. { "${erpUnit ?? ''}": ${defaultUnit ?? familyUnits[0] ?? 'UNIT_CODE'} } if the amount really is in that unit) or add the unit to the ${familyCode} family in the PIM.`,
        );
      }
      // Exact whenever the result has a finite decimal form (lb → kg always does); else rounded half-even.
      out = isTerminating(converted) ? converted : parseDecimal(toDecimalString(converted, precision).text)!;
      outUnit = target;
    }
    if (!outUnit) {
      return fail('unknown_unit', `ERP unit ${show(erpUnit ?? '')} is unknown`, expected, `Map it in mapping.attributes.${attribute.code}.units.`);
    }
    if (out === amount && plain && bounds.decimals && isCanonicalDecimal(amountText)) return ok({ amount: amountText, unit: outUnit });
    const problem = checkAmount(out, () => show(`${exactDecimalString(out)} ${outUnit}`), bounds, expected);
    if (problem) return problem;
    return ok({ amount: amountData(out, bounds.decimals), unit: outUnit });
  };
}
