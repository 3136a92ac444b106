/**
 * Ready mappings per adapter. A preset is a partial `mapping:` section; the user's file extends
 * and overrides it field by field (resolve.ts). Both target the structure `ferry pim bootstrap`
 * creates: attribute group `erp`, ERP-owned attributes, one family with its family variants.
 */
import type { MappingConfig } from './config.js';

type PresetConfig = Omit<MappingConfig, 'preset'>;

const LOCALES = { en: 'en_US', fr: 'fr_FR', de: 'de_DE' };

/** Attributes both ERPs share under the standard field names (common.md). */
const STANDARD_ATTRIBUTES: NonNullable<MappingConfig['attributes']> = {
  name: { type: 'text', localizable: true, labels: { en_US: 'Name', fr_FR: 'Nom', de_DE: 'Name' } },
  description: { type: 'textarea', localizable: true, labels: { en_US: 'Description', fr_FR: 'Description', de_DE: 'Beschreibung' } },
  weight: {
    type: 'metric',
    metricFamily: 'Weight',
    unit: 'KILOGRAM',
    decimals: true,
    labels: { en_US: 'Weight', fr_FR: 'Poids', de_DE: 'Gewicht' },
  },
  length: { type: 'metric', metricFamily: 'Length', unit: 'CENTIMETER', decimals: true, labels: { en_US: 'Length', fr_FR: 'Longueur', de_DE: 'Länge' } },
  width: { type: 'metric', metricFamily: 'Length', unit: 'CENTIMETER', decimals: true, labels: { en_US: 'Width', fr_FR: 'Largeur', de_DE: 'Breite' } },
  height: { type: 'metric', metricFamily: 'Length', unit: 'CENTIMETER', decimals: true, labels: { en_US: 'Height', fr_FR: 'Hauteur', de_DE: 'Höhe' } },
  ean: { type: 'text', maxLength: 14, labels: { en_US: 'EAN', fr_FR: 'EAN', de_DE: 'EAN' } },
};

export const DEMO_PRESET: PresetConfig = {
  codes: { normalise: true, case: 'lower' },
  // `axes` only tells which fields vary inside a template; the family variants already say it.
  identity: { ignore: ['axes'] },
  locales: LOCALES,
  defaultLanguage: 'en',
  attributes: {
    ...STANDARD_ATTRIBUTES,
    brand: { type: 'simpleselect', labels: { en_US: 'Brand', fr_FR: 'Marque', de_DE: 'Marke' } },
    color: { type: 'simpleselect', labels: { en_US: 'Color', fr_FR: 'Couleur', de_DE: 'Farbe' } },
    size: { type: 'simpleselect', labels: { en_US: 'Size', fr_FR: 'Taille', de_DE: 'Größe' } },
  },
  structure: {
    categories: { mode: 'tree', root: 'master', prefix: 'erp_', labelField: 'name' },
    families: {
      default: 'erp_product',
      definitions: {
        erp_product: {
          labels: { en_US: 'ERP product', fr_FR: 'Produit ERP', de_DE: 'ERP-Produkt' },
          attributes: ['name', 'description', 'brand', 'color', 'size', 'weight', 'length', 'width', 'height', 'ean'],
          attributeAsLabel: 'name',
          variants: {
            erp_product_color_size: {
              labels: { en_US: 'By color and size' },
              levels: [
                { axes: ['color'], attributes: [] },
                { axes: ['size'], attributes: ['ean', 'weight'] },
              ],
            },
            erp_product_color: { labels: { en_US: 'By color' }, levels: [{ axes: ['color'], attributes: ['ean', 'weight'] }] },
            erp_product_size: { labels: { en_US: 'By size' }, levels: [{ axes: ['size'], attributes: ['ean', 'weight'] }] },
          },
          attributeGroups: ['marketing'],
          includeErpAttributes: true,
        },
      },
    },
    // Demo item names repeat the template's name with the variant's colour and size ("Pro Boot – Red, 40"):
    // the model's name is the template's, and the items' are expected to differ.
    variants: { groupBy: 'group', familyVariant: { erp_product: 'auto' }, singleGroupAsSimpleProduct: true, ignoreItemDifferences: ['name'] },
  },
  options: { autoCreate: true },
};

export const TRYTON_PRESET: PresetConfig = {
  codes: { normalise: true, case: 'lower' },
  // The product type and default unit are Tryton bookkeeping, not catalog data.
  identity: { ignore: ['type', 'uom'] },
  locales: LOCALES,
  defaultLanguage: 'en',
  attributes: {
    ...STANDARD_ATTRIBUTES,
    volume: { type: 'metric', metricFamily: 'Volume', unit: 'LITER', decimals: true, labels: { en_US: 'Volume', fr_FR: 'Volume', de_DE: 'Volumen' } },
  },
  structure: {
    categories: { mode: 'tree', root: 'master', prefix: 'tryton_', labelField: 'name' },
    families: {
      default: 'tryton_product',
      definitions: {
        tryton_product: {
          labels: { en_US: 'Tryton product', fr_FR: 'Produit Tryton', de_DE: 'Tryton-Produkt' },
          attributes: ['name', 'description', 'weight', 'length', 'width', 'height', 'volume', 'ean'],
          attributeAsLabel: 'name',
          attributeGroups: ['marketing'],
          includeErpAttributes: true,
          variantsFromErp: true,
        },
      },
    },
    variants: { groupBy: 'group', familyVariant: { tryton_product: 'auto' }, singleGroupAsSimpleProduct: true },
  },
  options: { autoCreate: true },
};

/**
 * SAP S/4HANA through the OData adapter (profile s4). A configurable material (KMAT) becomes a
 * product model and the materials naming it in CrossPlantConfigurableProduct its variants; the
 * others are simple products. API_PRODUCT_SRV does not carry the characteristics (colour, size, …)
 * that tell a configurable material's variants apart, so the preset offers two family variants and
 * lets `auto` pick per model: by `size` where the sizes alone tell the variants apart, else by
 * `variant` (the material number, which always does). A grouping field the user names replaces
 * the configurable material (structure.variants, docs/erp-odata.md). The product group is a select
 * attribute (the service has no category tree); SAP bookkeeping fields stay out.
 */
export const S4_PRESET: PresetConfig = {
  codes: { normalise: true, case: 'lower' },
  identity: { ignore: ['product_type', 'base_unit', 'division', 'product_hierarchy', 'old_product_id'] },
  locales: LOCALES,
  defaultLanguage: 'en',
  attributes: {
    ...STANDARD_ATTRIBUTES,
    net_weight: { type: 'metric', metricFamily: 'Weight', unit: 'KILOGRAM', decimals: true, labels: { en_US: 'Net weight', fr_FR: 'Poids net', de_DE: 'Nettogewicht' } },
    size: { type: 'simpleselect', labels: { en_US: 'Size', fr_FR: 'Taille', de_DE: 'Größe' } },
    variant: { type: 'simpleselect', labels: { en_US: 'Variant', fr_FR: 'Variante', de_DE: 'Variante' } },
    product_group: { type: 'simpleselect', labels: { en_US: 'Product group', fr_FR: 'Groupe de produits', de_DE: 'Warengruppe' } },
  },
  structure: {
    categories: { mode: 'ignore' },
    families: {
      default: 's4_product',
      definitions: {
        s4_product: {
          labels: { en_US: 'SAP product', fr_FR: 'Produit SAP', de_DE: 'SAP-Produkt' },
          attributes: ['name', 'description', 'product_group', 'size', 'variant', 'weight', 'net_weight', 'ean'],
          attributeAsLabel: 'name',
          attributeGroups: ['marketing'],
          includeErpAttributes: true,
          variants: {
            s4_product_by_size: { labels: { en_US: 'By size' }, levels: [{ axes: ['size'], attributes: ['variant', 'ean', 'weight', 'net_weight'] }] },
            s4_product_by_variant: { labels: { en_US: 'By variant' }, levels: [{ axes: ['variant'], attributes: ['size', 'ean', 'weight', 'net_weight'] }] },
          },
        },
      },
    },
    // A variant's name says what sets it apart ("Mountain-100 Silver, 38"): the model keeps the
    // configurable material's name, and the items' are expected to differ.
    variants: { groupBy: 'group', familyVariant: { s4_product: 'auto' }, singleGroupAsSimpleProduct: true, ignoreItemDifferences: ['name'] },
  },
  options: { autoCreate: true },
};

/**
 * Microsoft Dynamics 365 Business Central through the OData adapter (profile bc). An item with
 * item variants becomes a product model whose variants are told apart by `variant` (the variant
 * code, unique per item); an item without variants is a simple product. Item categories become
 * an Akeneo category tree (BC's are flat, under `master`). BC's API v2.0 has one name per item
 * (no translations): it lands in the default locale. Item type and base unit are bookkeeping.
 */
export const BC_PRESET: PresetConfig = {
  codes: { normalise: true, case: 'lower' },
  identity: { ignore: ['item_type', 'base_unit', 'name_2'] },
  locales: LOCALES,
  defaultLanguage: 'en',
  attributes: {
    name: STANDARD_ATTRIBUTES.name!,
    ean: STANDARD_ATTRIBUTES.ean!,
    variant: { type: 'simpleselect', labels: { en_US: 'Variant', fr_FR: 'Variante', de_DE: 'Variante' } },
    variant_description: { type: 'text', labels: { en_US: 'Variant description', fr_FR: 'Description de la variante', de_DE: 'Variantenbeschreibung' } },
  },
  structure: {
    categories: { mode: 'tree', root: 'master', prefix: 'bc_', labelField: 'name' },
    families: {
      default: 'bc_item',
      definitions: {
        bc_item: {
          labels: { en_US: 'Business Central item', fr_FR: 'Article Business Central', de_DE: 'Business Central-Artikel' },
          attributes: ['name', 'ean', 'variant', 'variant_description'],
          attributeAsLabel: 'name',
          attributeGroups: ['marketing'],
          includeErpAttributes: true,
          variants: { bc_item_by_variant: { labels: { en_US: 'By item variant' }, levels: [{ axes: ['variant'], attributes: ['variant_description', 'ean'] }] } },
        },
      },
    },
    // An item with one variant is still a model: BC says the item has variants.
    variants: { groupBy: 'group', familyVariant: { bc_item: 'bc_item_by_variant' }, singleGroupAsSimpleProduct: false },
  },
  options: { autoCreate: true },
};

export const PRESETS: Readonly<Record<'demo' | 'tryton' | 's4' | 'bc', PresetConfig>> = { demo: DEMO_PRESET, tryton: TRYTON_PRESET, s4: S4_PRESET, bc: BC_PRESET };
