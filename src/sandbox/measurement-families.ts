/**
 * Akeneo's standard measurement families, built in because the API cannot create them in a
 * fresh PIM either (they ship with the installer). Facts from Akeneo's public documentation:
 * each unit converts to the family's standard unit by applying `convert_from_standard`
 * operations in order (e.g. GRAM: mul 0.001 → KILOGRAM).
 */
import type { MeasurementFamily, MeasurementUnit } from '../akeneo/model.js';

type Op = [operator: 'mul' | 'div' | 'add' | 'sub', value: string];
type UnitDef = [code: string, label: string, symbol: string, ops: Op[]];

function family(code: string, label: string, standard: string, units: UnitDef[]): MeasurementFamily {
  const out: Record<string, MeasurementUnit> = {};
  for (const [unit, unitLabel, symbol, ops] of units) {
    out[unit] = {
      code: unit,
      labels: { en_US: unitLabel },
      convert_from_standard: ops.map(([operator, value]) => ({ operator, value })),
      symbol,
    };
  }
  return { code, labels: { en_US: label }, standard_unit_code: standard, units: out };
}

const mul = (value: string): Op[] => [['mul', value]];

export function standardMeasurementFamilies(): MeasurementFamily[] {
  return [
    family('Area', 'Area', 'SQUARE_METER', [
      ['SQUARE_MILLIMETER', 'Square millimeter', 'mm²', mul('0.000001')],
      ['SQUARE_CENTIMETER', 'Square centimeter', 'cm²', mul('0.0001')],
      ['SQUARE_DECIMETER', 'Square decimeter', 'dm²', mul('0.01')],
      ['SQUARE_METER', 'Square meter', 'm²', mul('1')],
      ['CENTIARE', 'Centiare', 'ca', mul('1')],
      ['SQUARE_DEKAMETER', 'Square dekameter', 'dam²', mul('100')],
      ['ARE', 'Are', 'a', mul('100')],
      ['SQUARE_HECTOMETER', 'Square hectometer', 'hm²', mul('10000')],
      ['HECTARE', 'Hectare', 'ha', mul('10000')],
      ['SQUARE_KILOMETER', 'Square kilometer', 'km²', mul('1000000')],
      ['SQUARE_MIL', 'Square mil', 'sq mil', mul('0.00000000064516')],
      ['SQUARE_INCH', 'Square inch', 'in²', mul('0.00064516')],
      ['SQUARE_FOOT', 'Square foot', 'ft²', mul('0.09290304')],
      ['SQUARE_YARD', 'Square yard', 'yd²', mul('0.83612736')],
      ['ARPENT', 'Arpent', 'arpent', mul('3418.89')],
      ['ACRE', 'Acre', 'A', mul('4046.856422')],
      ['SQUARE_FURLONG', 'Square furlong', 'fur²', mul('40468.726')],
      ['SQUARE_MILE', 'Square mile', 'mi²', mul('2589988.110336')],
    ]),
    family('Binary', 'Binary', 'BYTE', [
      ['BIT', 'Bit', 'b', mul('0.125')],
      ['BYTE', 'Byte', 'B', mul('1')],
      ['KILOBYTE', 'Kilobyte', 'kB', mul('1024')],
      ['MEGABYTE', 'Megabyte', 'MB', mul('1048576')],
      ['GIGABYTE', 'Gigabyte', 'GB', mul('1073741824')],
      ['TERABYTE', 'Terabyte', 'TB', mul('1099511627776')],
    ]),
    family('Duration', 'Duration', 'SECOND', [
      ['MILLISECOND', 'Millisecond', 'ms', mul('0.001')],
      ['SECOND', 'Second', 's', mul('1')],
      ['MINUTE', 'Minute', 'm', mul('60')],
      ['HOUR', 'Hour', 'h', mul('3600')],
      ['DAY', 'Day', 'd', mul('86400')],
      ['WEEK', 'Week', 'week', mul('604800')],
      ['MONTH', 'Month', 'month', mul('2628000')],
      ['YEAR', 'Year', 'year', mul('31536000')],
    ]),
    family('ElectricCharge', 'Electric charge', 'AMPEREHOUR', [
      ['MILLIAMPEREHOUR', 'Milliampere hour', 'mAh', mul('0.001')],
      ['AMPEREHOUR', 'Ampere hour', 'Ah', mul('1')],
      ['MILLICOULOMB', 'Millicoulomb', 'mC', mul('0.000000277777778')],
      ['COULOMB', 'Coulomb', 'C', mul('0.000277777778')],
    ]),
    family('Energy', 'Energy', 'JOULE', [
      ['JOULE', 'Joule', 'J', mul('1')],
      ['CALORIE', 'Calorie', 'cal', mul('4.184')],
      ['KILOCALORIE', 'Kilocalorie', 'kcal', mul('4184')],
      ['KILOJOULE', 'Kilojoule', 'kJ', mul('1000')],
      ['WATTHOUR', 'Watt hour', 'Wh', mul('3600')],
      ['KILOWATTHOUR', 'Kilowatt hour', 'kWh', mul('3600000')],
    ]),
    family('Frequency', 'Frequency', 'HERTZ', [
      ['HERTZ', 'Hertz', 'Hz', mul('1')],
      ['KILOHERTZ', 'Kilohertz', 'kHz', mul('1000')],
      ['MEGAHERTZ', 'Megahertz', 'MHz', mul('1000000')],
      ['GIGAHERTZ', 'Gigahertz', 'GHz', mul('1000000000')],
      ['TERAHERTZ', 'Terahertz', 'THz', mul('1000000000000')],
    ]),
    family('Length', 'Length', 'METER', [
      ['MILLIMETER', 'Millimeter', 'mm', mul('0.001')],
      ['CENTIMETER', 'Centimeter', 'cm', mul('0.01')],
      ['DECIMETER', 'Decimeter', 'dm', mul('0.1')],
      ['METER', 'Meter', 'm', mul('1')],
      ['DEKAMETER', 'Dekameter', 'dam', mul('10')],
      ['HECTOMETER', 'Hectometer', 'hm', mul('100')],
      ['KILOMETER', 'Kilometer', 'km', mul('1000')],
      ['MIL', 'Mil', 'mil', mul('0.0000254')],
      ['INCH', 'Inch', 'in', mul('0.0254')],
      ['FEET', 'Feet', 'ft', mul('0.3048')],
      ['YARD', 'Yard', 'yd', mul('0.9144')],
      ['CHAIN', 'Chain', 'ch', mul('20.1168')],
      ['FURLONG', 'Furlong', 'fur', mul('201.168')],
      ['MILE', 'Mile', 'mi', mul('1609.344')],
    ]),
    family('Power', 'Power', 'WATT', [
      ['WATT', 'Watt', 'W', mul('1')],
      ['KILOWATT', 'Kilowatt', 'kW', mul('1000')],
      ['MEGAWATT', 'Megawatt', 'MW', mul('1000000')],
      ['GIGAWATT', 'Gigawatt', 'GW', mul('1000000000')],
      ['TERAWATT', 'Terawatt', 'TW', mul('1000000000000')],
    ]),
    family('Pressure', 'Pressure', 'BAR', [
      ['BAR', 'Bar', 'Bar', mul('1')],
      ['PASCAL', 'Pascal', 'Pa', mul('0.00001')],
      ['HECTOPASCAL', 'Hectopascal', 'hPa', mul('0.001')],
      ['MILLIBAR', 'Millibar', 'mBar', mul('0.001')],
      ['ATM', 'Atmosphere', 'atm', mul('0.986923')],
      ['PSI', 'PSI', 'PSI', mul('14.50376985373022')],
      ['TORR', 'Torr', 'Torr', mul('750.06375541921')],
      ['MMHG', 'mmHg', 'mmHg', mul('750.06375541921')],
    ]),
    family('Speed', 'Speed', 'METER_PER_SECOND', [
      ['METER_PER_SECOND', 'Meter per second', 'mdivs', mul('1')],
      ['METER_PER_MINUTE', 'Meter per minute', 'mdivm', [['div', '60']]],
      ['METER_PER_HOUR', 'Meter per hour', 'mdivh', mul('0.00027777777777778')],
      ['KILOMETER_PER_HOUR', 'Kilometer per hour', 'kmdivh', mul('0.27777777777778')],
      ['FOOT_PER_SECOND', 'Foot per second', 'ftdivs', mul('0.3048')],
      ['FOOT_PER_HOUR', 'Foot per hour', 'ftdivh', mul('0.00008466683600033')],
      ['YARD_PER_HOUR', 'Yard per hour', 'yddivh', mul('0.00025400050800102')],
      ['MILE_PER_HOUR', 'Mile per hour', 'mi/h', mul('0.44704')],
    ]),
    family('Temperature', 'Temperature', 'KELVIN', [
      ['CELSIUS', 'Celsius', '°C', [['add', '273.15']]],
      ['FAHRENHEIT', 'Fahrenheit', '°F', [['sub', '32'], ['div', '1.8'], ['add', '273.15']]],
      ['KELVIN', 'Kelvin', '°K', mul('1')],
      ['RANKINE', 'Rankine', '°R', [['div', '1.8']]],
      ['REAUMUR', 'Réaumur', '°r', [['mul', '1.25'], ['add', '273.15']]],
    ]),
    family('Voltage', 'Voltage', 'VOLT', [
      ['MILLIVOLT', 'Millivolt', 'mV', mul('0.001')],
      ['CENTIVOLT', 'Centivolt', 'cV', mul('0.01')],
      ['DECIVOLT', 'Decivolt', 'dV', mul('0.1')],
      ['VOLT', 'Volt', 'V', mul('1')],
      ['DEKAVOLT', 'Dekavolt', 'daV', mul('10')],
      ['HECTOVOLT', 'Hectovolt', 'hV', mul('100')],
      ['KILOVOLT', 'Kilovolt', 'kV', mul('1000')],
    ]),
    family('Volume', 'Volume', 'CUBIC_METER', [
      ['CUBIC_MILLIMETER', 'Cubic millimeter', 'mm³', mul('0.000000001')],
      ['CUBIC_CENTIMETER', 'Cubic centimeter', 'cm³', mul('0.000001')],
      ['MILLILITER', 'Milliliter', 'ml', mul('0.000001')],
      ['CENTILITER', 'Centiliter', 'cl', mul('0.00001')],
      ['DECILITER', 'Deciliter', 'dl', mul('0.0001')],
      ['CUBIC_DECIMETER', 'Cubic decimeter', 'dm³', mul('0.001')],
      ['LITER', 'Liter', 'l', mul('0.001')],
      ['CUBIC_METER', 'Cubic meter', 'm³', mul('1')],
      ['OUNCE', 'Ounce', 'oz', mul('0.00002957353')],
      ['PINT', 'Pint', 'pt', mul('0.00056826125')],
      ['BARREL', 'Barrel', 'bbl', mul('0.158987294928')],
      ['LIQUID_GALLON', 'Liquid gallon', 'gal', mul('0.003785411784')],
      ['CUBIC_FOOT', 'Cubic foot', 'ft³', mul('0.028316846592')],
      ['CUBIC_INCH', 'Cubic inch', 'in³', mul('0.000016387064')],
      ['CUBIC_YARD', 'Cubic yard', 'yd³', mul('0.764554857984')],
    ]),
    family('Weight', 'Weight', 'KILOGRAM', [
      ['MICROGRAM', 'Microgram', 'μg', mul('0.000000001')],
      ['MILLIGRAM', 'Milligram', 'mg', mul('0.000001')],
      ['GRAM', 'Gram', 'g', mul('0.001')],
      ['KILOGRAM', 'Kilogram', 'kg', mul('1')],
      ['TON', 'Ton', 't', mul('1000')],
      ['GRAIN', 'Grain', 'gr', mul('0.00006479891')],
      ['DENIER', 'Denier', 'denier', mul('0.001275')],
      ['ONCE', 'Once', 'once', mul('0.03059')],
      ['MARC', 'Marc', 'marc', mul('0.24475')],
      ['LIVRE', 'Livre', 'livre', mul('0.4895')],
      ['OUNCE', 'Ounce', 'oz', mul('0.028349523125')],
      ['POUND', 'Pound', 'lb', mul('0.45359237')],
    ]),
  ];
}

/** Converts an amount in `unit` to the family's standard unit (used by number filters on metrics). */
export function toStandardUnit(family: MeasurementFamily, unit: string, amount: number): number | undefined {
  const def = family.units[unit] ?? Object.values(family.units).find((u) => u.code.toLowerCase() === unit.toLowerCase());
  if (!def) return undefined;
  let v = amount;
  for (const { operator, value } of def.convert_from_standard) {
    const n = Number(value);
    if (operator === 'mul') v *= n;
    else if (operator === 'div') v /= n;
    else if (operator === 'add') v += n;
    else if (operator === 'sub') v -= n;
  }
  return v;
}
