import { beforeEach, describe, expect, it } from 'vitest';
import type { Product } from '../../../src/akeneo/model.js';
import { applyProductModelWrite, applyProductWrite } from '../../../src/sandbox/rules/index.js';
import type { ProductWriteContext } from '../../../src/sandbox/rules/contract.js';
import { MemoryCatalog, NOW, sharedMissing, uuidFor } from './support/catalog.js';

const skip = sharedMissing('sandbox product rules');

function ctx(method: 'POST' | 'PATCH', urlKey?: string, endpoint: 'uuid' | 'identifier' = 'identifier'): ProductWriteContext {
  return { endpoint, method, urlKey, newUuid: uuidFor(), now: NOW };
}

describe.skipIf(skip)('product rules (technical catalog)', () => {
  let view: MemoryCatalog;
  const write = (method: 'POST' | 'PATCH', body: unknown, urlKey?: string) => {
    const existing = urlKey ? (view.productByIdentifier(urlKey) ?? null) : null;
    const r = applyProductWrite(view, existing, body, ctx(method, urlKey));
    if (r.ok) view.commitProduct(r.value);
    return r;
  };
  const model = (code: string, body: Record<string, unknown>) => {
    const r = applyProductModelWrite(view, view.productModel(code) ?? null, { code, ...body }, { method: 'PATCH', urlKey: code, now: NOW });
    if (!r.ok) throw new Error(JSON.stringify(r.body));
    view.commitModel(r.value);
  };
  const get = (id: string) => view.productByIdentifier(id) as Product;
  beforeEach(() => {
    view = MemoryCatalog.technical();
  });

  it('creates with Akeneo defaults and the identifier value', () => {
    const r = write('POST', { identifier: 'p1' });
    expect(r).toMatchObject({ ok: true, created: true });
    expect(get('p1')).toMatchObject({
      identifier: 'p1',
      enabled: true,
      family: null,
      categories: [],
      groups: [],
      parent: null,
      values: { sku: [{ locale: null, scope: null, data: 'p1' }] },
      created: NOW,
      updated: NOW,
      quantified_associations: {},
    });
    expect(Object.keys(get('p1').associations ?? {}).sort()).toEqual(['PACK', 'SUBSTITUTION', 'UPSELL', 'X_SELL']);
  });

  it('normalises units, decimals, prices, dates and option case', () => {
    const r = write('POST', {
      identifier: 'v',
      values: {
        a_metric: [{ locale: null, scope: null, data: { amount: '987654321987.1234', unit: 'Kilowatt' } }],
        a_metric_without_decimal: [{ locale: null, scope: null, data: { amount: 98, unit: 'CentiMeter' } }],
        a_number_float: [{ locale: null, scope: null, data: '12.56' }],
        a_number_float_negative: [{ locale: null, scope: null, data: '-99.873200000000' }],
        a_price: [{ locale: null, scope: null, data: [{ amount: '45', currency: 'USD' }, { amount: '56.53', currency: 'EUR' }] }],
        a_date: [{ locale: null, scope: null, data: '2016-06-13T00:00:00+02:00' }],
        a_simple_select: [{ locale: null, scope: null, data: 'OptiONB' }],
      },
    });
    expect(r.ok).toBe(true);
    const v = get('v').values ?? {};
    expect(v.a_metric?.[0]?.data).toEqual({ amount: '987654321987.1234', unit: 'KILOWATT' });
    expect(v.a_metric_without_decimal?.[0]?.data).toEqual({ amount: 98, unit: 'CENTIMETER' });
    expect(v.a_number_float?.[0]?.data).toBe('12.5600');
    expect(v.a_number_float_negative?.[0]?.data).toBe('-99.8732');
    expect(v.a_price?.[0]?.data).toEqual([
      { amount: '56.53', currency: 'EUR' },
      { amount: '45.00', currency: 'USD' },
    ]);
    expect(v.a_date?.[0]?.data).toMatch(/^2016-06-13T00:00:00[+-]\d{2}:\d{2}$/);
    expect(v.a_simple_select?.[0]?.data).toBe('optionB');
  });

  it('answers the documented and violation envelopes with Akeneo texts', () => {
    write('PATCH', { identifier: 'simple' }, 'simple');
    expect(write('POST', { identifier: 'simple' })).toEqual({
      ok: false,
      status: 422,
      body: { code: 422, message: 'Validation failed.', errors: [{ property: 'identifier', message: 'The simple identifier is already used for another product.' }] },
    });
    expect(write('POST', { identifier: 'n', extra_property: 'foo' })).toMatchObject({
      body: {
        message: 'Property "extra_property" does not exist. Check the expected format on the API documentation.',
        _links: { documentation: { href: 'http://api.akeneo.com/api-reference.html#post_products' } },
      },
    });
    expect(write('POST', { values: { sku: [{ locale: null, scope: null, data: 'foo' }] } })).toMatchObject({
      body: { _links: { documentation: { href: 'http://api.akeneo.com/api-reference.html#post_products_uuid' } } },
    });
    expect(write('PATCH', { identifier: 'bar' }, 'foo')).toEqual({
      ok: false,
      status: 422,
      body: { code: 422, message: 'The identifier "bar" provided in the request body must match the identifier "foo" provided in the url.' },
    });
    const bad = write('PATCH', { identifier: 'x', values: { a_text: [{ locale: null, scope: null, data: ['an_array'] }] } }, 'x');
    expect(bad.ok ? '' : bad.body.message).toBe(
      'The a_text attribute requires a string, a array was detected. Check the expected format on the API documentation.',
    );
    const dup = write('PATCH', {
      values: { a_simple_select: [{ locale: null, scope: null, data: 'optionB' }, { locale: null, scope: null, data: 'optionA' }] },
    }, 'y');
    expect(dup.ok ? '' : dup.body.message).toContain('You cannot update the same product value on the "a_simple_select" attribute twice');
    const obj = write('PATCH', { values: { a_metric: { locale: null, scope: null, data: null } } }, 'z');
    expect(obj.ok ? '' : obj.body.message).toBe(
      'Property "a_metric" expects an array with valid data, one of the values is not an array. Check the expected format on the API documentation.',
    );
  });

  it('reads values as Akeneo value factories do', () => {
    const msg = (body: unknown) => {
      const r = write('PATCH', { values: body }, 'factory');
      return r.ok ? 'ok' : r.body.message;
    };
    const one = (data: unknown) => [{ locale: null, scope: null, data }];
    expect(msg({ a_multi_select: one(['optionB', 'OPTIONA']) })).toBe('ok');
    expect(get('factory').values?.a_multi_select?.[0]?.data).toEqual(['optionA', 'optionB']);
    expect(msg({ a_multi_select: one(['optionA', 3]) })).toBe(
      'Property "a_multi_select" expects an array with valid data, one of the options is not a string, "integer" given. Check the expected format on the API documentation.',
    );
    expect(msg({ a_metric: one({ amount: null, unit: 'KILOWATT' }) })).toBe(
      'Property "a_metric" expects an array with valid data, key "amount" has to be a numeric, "NULL" given. Check the expected format on the API documentation.',
    );
    expect(msg({ a_metric: one({ unit: 'KILOWATT' }) })).toBe(
      'Property "a_metric" expects an array with the key "amount". Check the expected format on the API documentation.',
    );
    expect(msg({ a_number_float: one('   ') })).toBe(
      'Property "a_number_float" expects a numeric as data, "string" given. Check the expected format on the API documentation.',
    );
    expect(msg({ a_date: one('13/06/2016') })).toBe(
      'The a_date attribute requires a valid date. Please use the following format yyyy-mm-dd for dates. Check the expected format on the API documentation.',
    );
    expect(msg({ a_yes_no: one(1) })).toBe(
      'The a_yes_no attribute requires a boolean value (true or false) as data, a integer was detected. Check the expected format on the API documentation.',
    );
    expect(msg({ a_text: [{ locale: 'en_US', scope: null, data: 'x' }] })).toBe(
      'The a_text attribute requires neither a channel (nothing was detected) nor a locale (en_US was detected). Check the expected format on the API documentation.',
    );
    expect(msg({ a_localized_and_scopable_text_area: [{ locale: 'en_US', scope: null, data: 'x' }] })).toBe(
      'The a_localized_and_scopable_text_area attribute requires a value per channel (nothing was detected) and a locale (en_US was detected). Check the expected format on the API documentation.',
    );
    const numbers = write('PATCH', {
      values: {
        a_number_float: one('foobar'),
        a_number_integer: one('12.5'),
        a_number_float_negative: one('-300'),
        a_text: one('x'.repeat(201)),
      },
    }, 'factory');
    expect(numbers.ok ? [] : numbers.body.errors?.map((e) => e.message)).toEqual([
      'The a_number_float attribute requires a number, and the submitted foobar value is not.',
      'The a_number_integer attribute requires a non-decimal value, and 12.5 is not a valid value.',
      'The a_number_float_negative attribute requires an equal or greater than -250 value.',
      'The a_text attribute must not contain more than 200 characters. The submitted value is too long.',
    ]);
  });

  it('reports value violations with attribute, locale and scope', () => {
    const r = write('PATCH', {
      values: {
        a_simple_select: [{ locale: null, scope: null, data: 'unknown_color' }],
        a_localized_and_scopable_text_area: [
          { locale: 'es_ES', scope: 'tablet', data: 'x' },
          { locale: 'en_US', scope: 'unknown', data: 'x' },
          { locale: 'fr_FR', scope: 'ecommerce', data: 'x' },
        ],
        a_price: [{ locale: null, scope: null, data: [{ amount: 1, currency: 'UNKNOWN' }] }],
        a_metric: [{ locale: null, scope: null, data: { amount: 1, unit: 'GRAM' } }],
      },
    }, 'foo');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.body.errors).toEqual([
      { property: 'values', message: 'Please specify a valid currency for the a_price attribute, the UNKNOWN code was sent.', attribute: 'a_price', locale: null, scope: null, currency: 'UNKNOWN' },
      { property: 'values', message: 'Please specify a valid metric unit', attribute: 'a_metric', locale: null, scope: null },
      { property: 'values', message: 'The unknown_color value is not in the a_simple_select attribute option list.', attribute: 'a_simple_select', locale: null, scope: null },
      { property: 'values', message: 'The a_localized_and_scopable_text_area attribute requires a value per channel. The unknown channel (scope) must exist in your PIM', attribute: 'a_localized_and_scopable_text_area', locale: 'en_US', scope: 'unknown' },
      { property: 'values', message: 'The a_localized_and_scopable_text_area attribute requires a valid locale. The es_ES locale does not exist.', attribute: 'a_localized_and_scopable_text_area', locale: 'es_ES', scope: 'tablet' },
      { property: 'values', message: 'The a_localized_and_scopable_text_area attribute requires a valid locale. The fr_FR locale is not bound to the ecommerce channel.', attribute: 'a_localized_and_scopable_text_area', locale: 'fr_FR', scope: 'ecommerce' },
    ]);
  });

  it('merges values per attribute/locale/scope, replaces lists, merges associations per type', () => {
    write('PATCH', { categories: ['master'] }, 'target');
    write('PATCH', {
      family: 'familyA2',
      groups: ['groupA'],
      values: {
        a_metric: [{ locale: null, scope: null, data: { amount: '10.0000', unit: 'KILOWATT' } }],
        a_date: [{ locale: null, scope: null, data: '2016-06-13' }],
        a_localized_and_scopable_text_area: [{ locale: 'en_US', scope: 'ecommerce', data: 'en' }],
      },
      associations: { X_SELL: { products: ['target'], groups: ['groupA'] } },
    }, 'complete');
    const r = write('PATCH', {
      groups: ['groupB', 'groupA'],
      categories: [],
      values: {
        a_metric: [{ locale: null, scope: null, data: null }],
        a_localized_and_scopable_text_area: [{ locale: 'fr_FR', scope: 'tablet', data: 'fr' }],
      },
      associations: { X_SELL: { groups: [] }, PACK: { product_models: [] } },
    }, 'complete');
    expect(r).toMatchObject({ ok: true, created: false, changed: true });
    const p = get('complete');
    expect(p.groups).toEqual(['groupB', 'groupA']);
    expect(p.categories).toEqual([]);
    expect(Object.keys(p.values ?? {}).sort()).toEqual(['a_date', 'a_localized_and_scopable_text_area', 'sku']);
    expect(p.values?.a_localized_and_scopable_text_area).toHaveLength(2);
    expect(p.associations?.X_SELL).toEqual({ products: [get('target').uuid], product_models: [], groups: [] });
    const again = write('PATCH', {}, 'complete');
    expect(again).toMatchObject({ ok: true, created: false, changed: false });
  });

  it('handles variant products as Akeneo does', () => {
    model('test', {
      family_variant: 'familyVariantA1',
      values: {
        a_price: [{ locale: null, scope: null, data: [{ amount: '50', currency: 'EUR' }] }],
        a_number_float: [{ locale: null, scope: null, data: '12.5' }],
      },
    });
    model('amor', { parent: 'test', values: { a_simple_select: [{ locale: null, scope: null, data: 'optionB' }] } });
    expect(view.productModel('amor')).toMatchObject({ family: 'familyA', family_variant: 'familyVariantA1', parent: 'test' });
    expect(view.productModel('test')?.values?.a_price?.[0]?.data).toEqual([{ amount: '50.00', currency: 'EUR' }]);

    const created = write('POST', { identifier: 'v1', parent: 'amor', values: { a_yes_no: [{ locale: null, scope: null, data: true }] } });
    expect(created).toMatchObject({ ok: true });
    expect(get('v1')).toMatchObject({ family: 'familyA', parent: 'amor' });

    expect(write('POST', { identifier: 'v2', parent: 'amor', family: 'familyA2', values: { a_yes_no: [{ locale: null, scope: null, data: false }] } }))
      .toMatchObject({ body: { errors: [{ property: 'family', message: 'The variant product family must be the same than its parent' }] } });
    expect(write('POST', { identifier: 'v3', parent: 'amor', values: {} })).toMatchObject({
      body: { errors: [{ property: 'attribute', message: 'Attribute "a_yes_no" cannot be empty, as it is defined as an axis for this entity' }] },
    });
    expect(write('POST', { identifier: 'v4', parent: 'test', values: { a_simple_select: [{ locale: null, scope: null, data: 'optionB' }], a_yes_no: [{ locale: null, scope: null, data: true }] } }))
      .toMatchObject({
        body: {
          errors: [
            { property: 'parent', message: 'The variant product cannot have product model "test" as parent, (this product model can only have other product models as children)' },
            { property: 'attribute', message: 'Cannot set the property "sku" to this entity as it is not in the attribute set' },
          ],
        },
      });
    expect(write('PATCH', { parent: 'amor', values: { a_yes_no: [{ locale: null, scope: null, data: true }] } }, 'v5')).toMatchObject({
      body: {
        errors: [
          { property: 'attribute', message: 'Cannot set value "1" for the attribute axis "a_yes_no" on variant product "v5", as the variant product "v1" already has this value' },
        ],
      },
    });
    // Ancestor-level values are silently ignored.
    const ignored = write('PATCH', { values: { a_simple_select: [{ locale: null, scope: null, data: 'optionA' }], a_yes_no: [{ locale: null, scope: null, data: true }] } }, 'v1');
    expect(ignored).toMatchObject({ ok: true, changed: false });
    expect(get('v1').values?.a_simple_select).toBeUndefined();
    // Variant → simple keeps inherited values.
    expect(write('PATCH', { parent: null }, 'v1')).toMatchObject({ ok: true, created: false });
    expect(Object.keys(get('v1').values ?? {}).sort()).toEqual(['a_number_float', 'a_price', 'a_simple_select', 'a_yes_no', 'sku']);
    // Simple → variant answers "created" (201) and keeps only its level's values.
    const converted = write('PATCH', { parent: 'amor' }, 'v1');
    expect(converted).toMatchObject({ ok: true, created: true });
    expect(Object.keys(get('v1').values ?? {}).sort()).toEqual(['a_yes_no', 'sku']);
    expect(write('PATCH', { parent: 'nope' }, 'simple_one')).toMatchObject({ ok: false });
  });

  it('keeps secondary identifier attributes unique', () => {
    view.attributesByCode.set('ean', { code: 'ean', type: 'pim_catalog_identifier', group: 'attributeGroupA', unique: true, localizable: false, scopable: false });
    expect(write('PATCH', { values: { ean: [{ locale: null, scope: null, data: '0123456789' }] } }, 'e1')).toMatchObject({ ok: true });
    expect(write('PATCH', { values: { ean: [{ locale: null, scope: null, data: '0123456789' }] } }, 'e2')).toMatchObject({
      body: { errors: [{ property: 'identifier', message: 'The 0123456789 value is already set on another product for the ean identifier attribute.' }] },
    });
  });

  it('checks associations targets and the identifier format', () => {
    expect(write('POST', { identifier: 'a', associations: { X_SELL: { product_models: ['a_non_exiting_product_model'] } } })).toMatchObject({
      body: {
        message:
          'Property "associations" expects a valid product model identifier. The product model does not exist, "a_non_exiting_product_model" given. Check the expected format on the API documentation.',
      },
    });
    expect(write('PATCH', { identifier: 'foo,' }, 'foo,')).toMatchObject({
      body: { errors: [{ property: 'identifier', message: 'This field should not contain any comma or semicolon or leading/trailing space' }] },
    });
    expect(write('PATCH', { family: 'unknown_family_code' }, 'f')).toMatchObject({
      body: { message: 'The unknown_family_code family does not exist in your PIM. Check the expected format on the API documentation.' },
    });
    expect(write('PATCH', { categories: ['unknown_category_code'] }, 'f')).toMatchObject({
      body: { message: 'The unknown_category_code category does not exist in your PIM. Check the expected format on the API documentation.' },
    });
  });

  it('writes through /products-uuid with identifier in values and uuids in associations', () => {
    const uuid = '3f2b6a4e-8f53-4c5e-9c1e-0a2b3c4d5e6f';
    const r = applyProductWrite(view, null, { uuid, values: { sku: [{ locale: null, scope: null, data: 'U1' }] } }, ctx('PATCH', uuid, 'uuid'));
    expect(r).toMatchObject({ ok: true, value: { uuid, identifier: 'U1' } });
    if (r.ok) view.commitProduct(r.value);
    const none = applyProductWrite(view, null, {}, ctx('POST', undefined, 'uuid'));
    expect(none.ok).toBe(true);
    expect(none.ok && 'identifier' in none.value).toBe(false);
    const other = '9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d';
    const byUrl = applyProductWrite(view, null, { values: { sku: [{ locale: null, scope: null, data: 'U2' }] } }, ctx('PATCH', other, 'uuid'));
    expect(byUrl).toMatchObject({ ok: true, created: true, value: { uuid: other, identifier: 'U2' } });
    expect(applyProductWrite(view, null, { uuid }, ctx('POST', undefined, 'uuid'))).toMatchObject({
      body: { errors: [{ property: 'uuid', message: `The ${uuid} uuid is already used for another product.` }] },
    });
    const assoc = applyProductWrite(view, null, { associations: { UPSELL: { products: [uuid] } } }, ctx('POST', undefined, 'uuid'));
    expect(assoc.ok && assoc.value.associations?.UPSELL?.products).toEqual([uuid]);
  });
});
