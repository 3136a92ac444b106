/** One converter per Akeneo attribute type, compiled once per attribute with its options. */
import type { Attribute } from '../../akeneo/model.js';
import type { CodeTable } from '../codes.js';
import type { ResolvedAttribute } from '../resolve.js';
import type { MediaResolver, PimStructure } from '../types.js';
import { booleanConverter } from './boolean.js';
import { fail, type Converter } from './common.js';
import { dateConverter } from './date.js';
import { mediaConverter } from './media.js';
import { metricConverter } from './metric.js';
import { numberConverter } from './number.js';
import { priceConverter } from './price.js';
import { assetCollectionConverter, referenceConverter } from './reference.js';
import { multiSelectConverter, simpleSelectConverter, type OptionLabels } from './select.js';
import { textConverter } from './text.js';

export * from './common.js';
export { booleanConverter, dateConverter, mediaConverter, metricConverter, numberConverter, priceConverter, referenceConverter, textConverter };
export { multiSelectConverter, simpleSelectConverter };

export interface ConverterDeps {
  pim: PimStructure;
  codes: CodeTable;
  spec: ResolvedAttribute | undefined;
  media: MediaResolver | undefined;
  autoCreateOptions: boolean;
  renames: Record<string, string> | undefined;
  /** Locale for labels of options created from a non-localized value. */
  labelLocale: string | null;
  /** Labels of a select fed by a localized field (the mapper passes the per-locale texts). */
  labelsOf?: (value: unknown) => OptionLabels;
}

export function converterFor(attribute: Attribute, deps: ConverterDeps): Converter {
  const spec = deps.spec ?? ({} as Partial<ResolvedAttribute>);
  const selectCtx = { attribute, existing: deps.pim.options.get(attribute.code), codes: deps.codes };
  const selectOpts = {
    renames: { ...(deps.renames ?? {}), ...(spec.renames ?? {}) },
    autoCreate: deps.autoCreateOptions,
    separator: spec.separator,
    labelLocale: deps.labelLocale,
  };
  switch (attribute.type) {
    case 'pim_catalog_identifier':
    case 'pim_catalog_text':
    case 'pim_catalog_textarea':
      return textConverter(attribute, { trim: spec.trim, maxLength: spec.maxLength });
    case 'pim_catalog_number':
      return numberConverter(attribute, { decimals: spec.decimals, negativeAllowed: spec.negativeAllowed });
    case 'pim_catalog_metric':
      return metricConverter(attribute, deps.pim.measurementFamilies.get(attribute.metric_family ?? spec.metricFamily ?? ''), {
        decimals: spec.decimals,
        negativeAllowed: spec.negativeAllowed,
        unit: spec.unit,
        units: spec.units,
        convertTo: spec.convertTo,
        precision: spec.precision,
      });
    case 'pim_catalog_price_collection':
      return priceConverter(attribute, deps.pim.currencies, {
        decimals: spec.decimals,
        negativeAllowed: spec.negativeAllowed,
        currency: spec.currency,
        currencies: spec.currencies,
      });
    case 'pim_catalog_boolean':
      return booleanConverter({ trueValues: spec.trueValues, falseValues: spec.falseValues });
    case 'pim_catalog_date':
      return dateConverter(attribute, { formats: spec.formats, timeZone: spec.timeZone });
    case 'pim_catalog_simpleselect':
      return simpleSelectConverter(selectCtx, selectOpts, deps.labelsOf);
    case 'pim_catalog_multiselect':
      return multiSelectConverter(selectCtx, selectOpts);
    case 'pim_catalog_image':
    case 'pim_catalog_file':
      return mediaConverter(attribute, deps.media);
    case 'akeneo_reference_entity':
    case 'pim_reference_data_simpleselect':
      return referenceConverter(attribute.code, deps.codes, false, spec.separator);
    case 'pim_catalog_asset_collection':
      if (spec.assetCodeRule) return assetCollectionConverter(spec.assetCodeRule, spec.separator ?? null);
      return referenceConverter(attribute.code, deps.codes, true, spec.separator);
    case 'akeneo_reference_entity_collection':
    case 'pim_reference_data_multiselect':
      return referenceConverter(attribute.code, deps.codes, true, spec.separator);
    default:
      return () =>
        fail(
          'unknown_attribute',
          `attributes of type ${attribute.type} cannot be fed from the ERP`,
          'a supported attribute type',
          `Remove mapping.attributes.${attribute.code}, or map the field to an attribute of another type.`,
        );
  }
}

/** Attribute type → the short mapping type name, and back (bootstrap, check, docs). */
export const TYPE_BY_MAPPING: Record<string, Attribute['type']> = {
  text: 'pim_catalog_text',
  textarea: 'pim_catalog_textarea',
  identifier: 'pim_catalog_identifier',
  number: 'pim_catalog_number',
  metric: 'pim_catalog_metric',
  price: 'pim_catalog_price_collection',
  boolean: 'pim_catalog_boolean',
  date: 'pim_catalog_date',
  simpleselect: 'pim_catalog_simpleselect',
  multiselect: 'pim_catalog_multiselect',
  image: 'pim_catalog_image',
  file: 'pim_catalog_file',
  reference_entity: 'akeneo_reference_entity',
  reference_entity_collection: 'akeneo_reference_entity_collection',
  reference_data_simpleselect: 'pim_reference_data_simpleselect',
  reference_data_multiselect: 'pim_reference_data_multiselect',
  asset_collection: 'pim_catalog_asset_collection',
};
