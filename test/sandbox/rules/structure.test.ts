import { beforeEach, describe, expect, it } from 'vitest';
import type { StructureEntities, StructureKind } from '../../../src/sandbox/rules/contract.js';
import { applyStructureWrite } from '../../../src/sandbox/rules/index.js';
import { MemoryCatalog, NOW, sharedMissing } from './support/catalog.js';

const skip = sharedMissing('sandbox structure rules');

describe.skipIf(skip)('structure rules (technical catalog)', () => {
  let view: MemoryCatalog;
  beforeEach(() => {
    view = MemoryCatalog.technical();
  });
  function write<K extends StructureKind>(kind: K, existing: StructureEntities[K] | null, body: unknown, method: 'POST' | 'PATCH', urlKey?: string, parentKey?: string) {
    return applyStructureWrite(kind, view, existing, body, { method, urlKey, parentKey, now: NOW });
  }

  it('fills attribute defaults and validates type/group', () => {
    const r = write('attribute', null, { code: 'an_attr_text', type: 'pim_catalog_text', group: 'attributeGroupA' }, 'POST');
    expect(r.ok && r.value).toEqual({
      code: 'an_attr_text', type: 'pim_catalog_text', group: 'attributeGroupA',
      group_labels: { en_US: 'Attribute group A', fr_FR: "Groupe d'attribut A" },
      unique: false, useable_as_grid_filter: false, allowed_extensions: [], metric_family: null, default_metric_unit: null,
      reference_data_name: null, available_locales: [], max_characters: null, validation_rule: null, validation_regexp: null,
      wysiwyg_enabled: null, number_min: null, number_max: null, decimals_allowed: null, negative_allowed: null, date_min: null,
      date_max: null, max_file_size: null, minimum_input_length: null, sort_order: 0, localizable: false, scopable: false,
      labels: {}, guidelines: {}, auto_option_sorting: null, default_value: null,
    });
    expect(write('attribute', null, {}, 'PATCH', 'new_incomplete_text')).toEqual({
      ok: false, status: 422,
      body: { code: 422, message: 'Validation failed.', errors: [
        { property: 'type', message: 'This value should not be blank.' },
        { property: 'group', message: 'This value should not be blank.' },
      ] },
    });
    const metric = view.attribute('a_metric') ?? null;
    expect(write('attribute', metric, { code: 'new_code' }, 'PATCH', 'a_metric')).toMatchObject({
      body: { errors: [{ property: 'code', message: 'This property cannot be changed.' }] },
    });
    expect(write('attribute', null, { code: 'inconsistent_code2' }, 'PATCH', 'inconsistent_code1')).toEqual({
      ok: false, status: 422,
      body: { code: 422, message: 'The code "inconsistent_code2" provided in the request body must match the code "inconsistent_code1" provided in the url.' },
    });
    expect(write('attribute', null, { code: 'x', type: 'pim_catalog_matrix', group: 'attributeGroupA' }, 'POST')).toMatchObject({
      body: { message: 'Property "type" expects a valid attribute type. The attribute type does not exist, "pim_catalog_matrix" given. Check the expected format on the API documentation.' },
    });
    const text = view.attribute('a_text') ?? null;
    const labelled = write('attribute', text, { labels: { en_US: 'US', fr_FR: 'FR', de_DE: 'DE' } }, 'PATCH', 'a_text');
    expect(labelled.ok).toBe(true);
    if (!labelled.ok) return;
    const cleared = write('attribute', labelled.value, { labels: { en_US: null, fr_FR: '' } }, 'PATCH', 'a_text');
    expect(cleared.ok && cleared.value.labels).toEqual({ de_DE: 'DE' });
    expect(cleared.ok && cleared.value.sort_order).toBe(6);
  });

  it('requires numeric flags, reserves codes, keeps immutable properties', () => {
    expect(write('attribute', null, { code: 'weight_g', type: 'pim_catalog_number', group: 'other' }, 'POST')).toMatchObject({
      body: { errors: [
        { property: 'decimals_allowed', message: 'This value should not be null.' },
        { property: 'negative_allowed', message: 'This value should not be null.' },
      ] },
    });
    expect(write('attribute', null, { code: 'FAMILY', type: 'pim_catalog_text', group: 'other' }, 'POST')).toMatchObject({
      body: { errors: [{ property: 'code', message: 'This code is not available' }] },
    });
    expect(write('attribute', null, { code: 'Enabled', type: 'pim_catalog_text', group: 'other' }, 'POST')).toMatchObject({ ok: true });
    const m = write('attribute', null, {
      code: 'w', type: 'pim_catalog_metric', group: 'other', metric_family: 'Weight', default_metric_unit: 'gram', decimals_allowed: true, negative_allowed: false,
    }, 'POST');
    expect(m.ok && m.value.default_metric_unit).toBe('GRAM');
    expect(write('attribute', view.attribute('a_text') ?? null, { localizable: true }, 'PATCH', 'a_text')).toMatchObject({
      body: { errors: [{ property: 'localizable', message: 'This property cannot be changed.' }] },
    });
    expect(write('attribute', null, { code: 'bad-code', type: 'pim_catalog_text', group: 'other' }, 'POST')).toMatchObject({
      body: { errors: [{ property: 'code', message: 'Attribute code may contain only letters, numbers and underscore' }] },
    });
    expect(write('attribute', null, { code: 'd', type: 'pim_catalog_date', group: 'other', date_min: 'a date' }, 'POST')).toMatchObject({
      body: { message: 'Property "date_min" expects a string with the format "yyyy-mm-dd" as data, "a date" given. Check the expected format on the API documentation.' },
    });
    expect(write('attribute', view.attribute('a_text') ?? null, { labels: null }, 'PATCH', 'a_text')).toMatchObject({
      body: { message: 'Property "labels" expects an array as data, "NULL" given. Check the expected format on the API documentation.' },
    });
  });

  it('creates options with a default sort order and normalised label locales', () => {
    const r = write('attribute_option', null, { code: 'optionL', labels: { en_uS: 'Option L', FR_fr: 'L option' } }, 'POST', undefined, 'a_multi_select');
    expect(r.ok && r.value).toEqual({ code: 'optionL', attribute: 'a_multi_select', sort_order: 21, labels: { en_US: 'Option L', fr_FR: 'L option' } });
    expect(write('attribute_option', null, { code: 'optionA', attribute: 'sku' }, 'POST', undefined, 'sku')).toMatchObject({
      body: { errors: [{ property: 'attribute', message: 'Attribute "sku" does not support options. Only attributes of type "pim_catalog_simpleselect", "pim_catalog_multiselect" support options' }] },
    });
    expect(write('attribute_option', null, { code: 'foo,' }, 'PATCH', 'foo,', 'a_multi_select')).toMatchObject({
      body: { errors: [{ property: 'code', message: 'Option code may contain only letters, numbers and underscores' }] },
    });
  });

  it('keeps the identifier in families and replaces requirements per channel sent', () => {
    const minimal = write('family', null, { code: 'new_family' }, 'POST');
    expect(minimal.ok && minimal.value).toEqual({
      code: 'new_family', attributes: ['sku'], attribute_as_label: 'sku', attribute_as_image: null,
      attribute_requirements: { ecommerce: ['sku'], ecommerce_china: ['sku'], tablet: ['sku'] }, labels: {},
    });
    const a2 = write('family', view.family('familyA2') ?? null, {
      attributes: ['sku', 'a_metric'], attribute_as_label: 'sku', attribute_requirements: { tablet: ['sku', 'a_metric'] }, labels: { en_US: 'Family A2 US' },
    }, 'PATCH', 'familyA2');
    expect(a2.ok && a2.value.attribute_requirements).toEqual({ ecommerce: ['a_metric', 'sku'], ecommerce_china: ['sku'], tablet: ['a_metric', 'sku'] });
    const a1 = write('family', view.family('familyA1') ?? null, {
      attributes: ['sku'], attribute_as_label: 'sku', attribute_as_image: null, attribute_requirements: { ecommerce: [], tablet: [] }, labels: {},
    }, 'PATCH', 'familyA1');
    expect(a1.ok && a1.value).toMatchObject({ attribute_requirements: { ecommerce_china: ['sku'] }, labels: { en_US: 'A family A1' } });
    expect(write('family', null, { code: 'f', attribute_requirements: { ecommerce: ['a_text'] } }, 'POST')).toMatchObject({
      body: { errors: [{ property: 'attribute_requirements', message: 'The attribute "a_text" cannot be an attribute required for the channel "ecommerce" as it does not belong to this family' }] },
    });
  });

  it('places axes and the identifier in family variant levels', () => {
    const r = write('family_variant', null, {
      code: 'new_family_variant',
      variant_attribute_sets: [
        { level: 1, axes: ['a_ref_data_simple_select'], attributes: ['a_ref_data_simple_select'] },
        { level: 2, axes: ['a_yes_no'], attributes: ['a_yes_no'] },
      ],
    }, 'POST', undefined, 'familyA');
    expect(r.ok && r.value.variant_attribute_sets).toEqual([
      { level: 1, axes: ['a_ref_data_simple_select'], attributes: ['a_ref_data_simple_select'] },
      { level: 2, axes: ['a_yes_no'], attributes: ['a_yes_no', 'sku'] },
    ]);
    expect(write('family_variant', null, { code: 'x', variant_attribute_sets: [{ level: 2, axes: ['a_yes_no'], attributes: [] }] }, 'POST', undefined, 'familyA'))
      .toMatchObject({ body: { errors: [{ property: 'variant_attribute_sets', message: 'There is no variant attribute set for level "1"' }] } });
    const existing = view.familyVariantByCode('familyVariantA1') ?? null;
    expect(write('family_variant', existing, { variant_attribute_sets: [{ level: 1, axes: ['a_simple_select'], attributes: [] }] }, 'PATCH', 'familyVariantA1', 'familyA'))
      .toMatchObject({ body: { message: 'The number of variant attribute sets cannot be changed. Check the expected format on the API documentation.' } });
  });

  it('validates categories', () => {
    const r = write('category', null, { code: 'empty_label_category', parent: 'master', labels: { en_US: 'US label', fr_FR: null, de_DE: '' } }, 'POST');
    expect(r.ok && r.value).toEqual({ code: 'empty_label_category', parent: 'master', updated: NOW, labels: { en_US: 'US label' } });
    expect(write('category', null, { code: 'c', parent: 'bar' }, 'POST')).toMatchObject({
      body: { message: 'Property "parent" expects a valid category code. The category does not exist, "bar" given. Check the expected format on the API documentation.' },
    });
    expect(write('category', view.category('master') ?? null, { parent: 'categoryA' }, 'PATCH', 'master')).toMatchObject({
      body: { message: "You can't move a category tree linked to a user. Check the expected format on the API documentation." },
    });
    expect(write('category', view.category('categoryA') ?? null, { parent: 'categoryA1' }, 'PATCH', 'categoryA')).toMatchObject({ status: 422 });
  });
});
