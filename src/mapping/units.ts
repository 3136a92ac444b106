/**
 * ERP unit symbols → Akeneo measurement unit codes, and the standard conversion factors of
 * Akeneo's default measurement families (used when the PIM's own family does not list a unit).
 * Factors are exact decimal strings: "value in unit × factor = value in the family's standard unit".
 */

export interface BuiltinUnit {
  family: string;
  /** Multiply by this to get the standard unit (convert_from_standard `mul`). null: not linear (temperatures). */
  toStandard: string | null;
}

export const BUILTIN_UNITS: Readonly<Record<string, BuiltinUnit>> = {
  // Weight (standard KILOGRAM)
  MICROGRAM: { family: 'Weight', toStandard: '0.000000001' },
  MILLIGRAM: { family: 'Weight', toStandard: '0.000001' },
  GRAM: { family: 'Weight', toStandard: '0.001' },
  KILOGRAM: { family: 'Weight', toStandard: '1' },
  TON: { family: 'Weight', toStandard: '1000' },
  GRAIN: { family: 'Weight', toStandard: '0.00006479891' },
  OUNCE: { family: 'Weight', toStandard: '0.028349523125' },
  POUND: { family: 'Weight', toStandard: '0.45359237' },
  // Not an Akeneo unit: carats (Tryton's "c") are converted to the attribute's unit.
  CARAT: { family: 'Weight', toStandard: '0.0002' },
  // Length (standard METER)
  MICROMETER: { family: 'Length', toStandard: '0.000001' },
  MILLIMETER: { family: 'Length', toStandard: '0.001' },
  CENTIMETER: { family: 'Length', toStandard: '0.01' },
  DECIMETER: { family: 'Length', toStandard: '0.1' },
  METER: { family: 'Length', toStandard: '1' },
  DEKAMETER: { family: 'Length', toStandard: '10' },
  HECTOMETER: { family: 'Length', toStandard: '100' },
  KILOMETER: { family: 'Length', toStandard: '1000' },
  MIL: { family: 'Length', toStandard: '0.0000254' },
  INCH: { family: 'Length', toStandard: '0.0254' },
  FEET: { family: 'Length', toStandard: '0.3048' },
  FOOT: { family: 'Length', toStandard: '0.3048' },
  YARD: { family: 'Length', toStandard: '0.9144' },
  MILE: { family: 'Length', toStandard: '1609.344' },
  // Volume (standard CUBIC_METER)
  CUBIC_MILLIMETER: { family: 'Volume', toStandard: '0.000000001' },
  CUBIC_CENTIMETER: { family: 'Volume', toStandard: '0.000001' },
  MILLILITER: { family: 'Volume', toStandard: '0.000001' },
  CENTILITER: { family: 'Volume', toStandard: '0.00001' },
  DECILITER: { family: 'Volume', toStandard: '0.0001' },
  CUBIC_DECIMETER: { family: 'Volume', toStandard: '0.001' },
  LITER: { family: 'Volume', toStandard: '0.001' },
  CUBIC_METER: { family: 'Volume', toStandard: '1' },
  CUBIC_INCH: { family: 'Volume', toStandard: '0.000016387064' },
  CUBIC_FOOT: { family: 'Volume', toStandard: '0.028316846592' },
  GALLON: { family: 'Volume', toStandard: '0.003785411784' },
  // Area (standard SQUARE_METER)
  SQUARE_MILLIMETER: { family: 'Area', toStandard: '0.000001' },
  SQUARE_CENTIMETER: { family: 'Area', toStandard: '0.0001' },
  SQUARE_METER: { family: 'Area', toStandard: '1' },
  HECTARE: { family: 'Area', toStandard: '10000' },
  SQUARE_KILOMETER: { family: 'Area', toStandard: '1000000' },
  SQUARE_INCH: { family: 'Area', toStandard: '0.00064516' },
  SQUARE_FOOT: { family: 'Area', toStandard: '0.09290304' },
  // Duration (standard SECOND)
  MILLISECOND: { family: 'Duration', toStandard: '0.001' },
  SECOND: { family: 'Duration', toStandard: '1' },
  MINUTE: { family: 'Duration', toStandard: '60' },
  HOUR: { family: 'Duration', toStandard: '3600' },
  DAY: { family: 'Duration', toStandard: '86400' },
  // Temperature: affine, mapped but never converted.
  CELSIUS: { family: 'Temperature', toStandard: null },
  FAHRENHEIT: { family: 'Temperature', toStandard: null },
  KELVIN: { family: 'Temperature', toStandard: null },
};

/**
 * ERP symbol (lower-cased, trimmed) → Akeneo unit codes, most likely first.
 * Several candidates where PIMs differ (Akeneo's standard Length family says FEET; some catalogs say FOOT).
 */
export const ERP_UNIT_ALIASES: Readonly<Record<string, readonly string[]>> = {
  µg: ['MICROGRAM'],
  ug: ['MICROGRAM'],
  mg: ['MILLIGRAM'],
  g: ['GRAM'],
  gr: ['GRAM'],
  gram: ['GRAM'],
  grams: ['GRAM'],
  kg: ['KILOGRAM'],
  kgs: ['KILOGRAM'],
  kilo: ['KILOGRAM'],
  kilogram: ['KILOGRAM'],
  t: ['TON'],
  ton: ['TON'],
  tonne: ['TON'],
  oz: ['OUNCE'],
  ounce: ['OUNCE'],
  lb: ['POUND'],
  lbs: ['POUND'],
  pound: ['POUND'],
  µm: ['MICROMETER'],
  um: ['MICROMETER'],
  mm: ['MILLIMETER'],
  cm: ['CENTIMETER'],
  dm: ['DECIMETER'],
  m: ['METER'],
  meter: ['METER'],
  metre: ['METER'],
  km: ['KILOMETER'],
  in: ['INCH'],
  inch: ['INCH'],
  '"': ['INCH'],
  ft: ['FEET', 'FOOT'],
  foot: ['FEET', 'FOOT'],
  feet: ['FEET', 'FOOT'],
  yd: ['YARD'],
  mi: ['MILE'],
  ml: ['MILLILITER'],
  cl: ['CENTILITER'],
  dl: ['DECILITER'],
  l: ['LITER'],
  ltr: ['LITER'],
  liter: ['LITER'],
  litre: ['LITER'],
  'mm³': ['CUBIC_MILLIMETER'],
  mm3: ['CUBIC_MILLIMETER'],
  'cm³': ['CUBIC_CENTIMETER'],
  cm3: ['CUBIC_CENTIMETER'],
  cc: ['CUBIC_CENTIMETER'],
  'dm³': ['CUBIC_DECIMETER'],
  dm3: ['CUBIC_DECIMETER'],
  'm³': ['CUBIC_METER'],
  m3: ['CUBIC_METER'],
  'in³': ['CUBIC_INCH'],
  'ft³': ['CUBIC_FOOT'],
  gal: ['GALLON'],
  'mm²': ['SQUARE_MILLIMETER'],
  mm2: ['SQUARE_MILLIMETER'],
  'cm²': ['SQUARE_CENTIMETER'],
  cm2: ['SQUARE_CENTIMETER'],
  'm²': ['SQUARE_METER'],
  m2: ['SQUARE_METER'],
  ha: ['HECTARE'],
  'km²': ['SQUARE_KILOMETER'],
  'in²': ['SQUARE_INCH'],
  'ft²': ['SQUARE_FOOT'],
  ms: ['MILLISECOND'],
  s: ['SECOND'],
  sec: ['SECOND'],
  min: ['MINUTE'],
  h: ['HOUR'],
  hr: ['HOUR'],
  d: ['DAY'],
  day: ['DAY'],
  '°c': ['CELSIUS'],
  // "c" is a carat in ERPs' weight units (Tryton) and Celsius elsewhere: the family decides.
  c: ['CARAT', 'CELSIUS'],
  ct: ['CARAT'],
  '°f': ['FAHRENHEIT'],
  f: ['FAHRENHEIT'],
  k: ['KELVIN'],
};

/** Akeneo unit codes an ERP symbol may stand for: the configured table first, then the aliases, then the symbol itself as a code. */
export function unitCandidates(erpUnit: string, configured: Readonly<Record<string, string>> = {}): string[] {
  const raw = erpUnit.trim();
  const explicit = configured[raw] ?? configured[raw.toLowerCase()];
  if (explicit) return [explicit];
  const alias = ERP_UNIT_ALIASES[raw.toLowerCase()];
  if (alias) return [...alias];
  // Already an Akeneo code ("kilogram", "KILOGRAM")? Akeneo upper-cases unit codes itself.
  const asCode = raw.toUpperCase().replace(/[\s-]+/g, '_');
  return /^[A-Z0-9_]+$/.test(asCode) ? [asCode] : [];
}
