import { beforeEach, describe, expect, it } from 'vitest';
import { applyProductModelWrite, applyProductWrite } from '../../../src/sandbox/rules/index.js';
import { MemoryCatalog, NOW, sharedMissing, uuidFor } from './support/catalog.js';

const skip = sharedMissing('sandbox product model rules');

describe.skipIf(skip)('product model rules (technical catalog)', () => {
  let view: MemoryCatalog;
  const write = (method: 'POST' | 'PATCH', body: Record<string, unknown>, urlKey?: string) => {
    const existing = urlKey ? (view.productModel(urlKey) ?? null) : null;
    const r = applyProductModelWrite(view, existing, body, { method, urlKey, now: NOW });
    if (r.ok) view.commitModel(r.value);
    return r;
  };
  const root = (code: string) =>
    write('PATCH', {
      code,
      family_variant: 'familyVariantA1',
      values: {
        a_price: [{ locale: null, scope: null, data: [{ amount: '50', currency: 'EUR' }] }],
        a_number_float: [{ locale: null, scope: null, data: '12.5' }],
        a_localized_and_scopable_text_area: [{ locale: 'en_US', scope: 'ecommerce', data: `I like ${code}!` }],
      },
    }, code);
  beforeEach(() => {
    view = MemoryCatalog.technical();
    for (const c of ['sweat', 'tshirt', 'hat']) expect(root(c)).toMatchObject({ ok: true, created: true });
    expect(write('PATCH', { code: 'tshirt_sub', parent: 'tshirt', values: { a_simple_select: [{ locale: null, scope: null, data: 'optionB' }] } }, 'tshirt_sub'))
      .toMatchObject({ ok: true });
  });

  it('creates a sub-model: family variant and family from the parent, own values only', () => {
    const r = write('POST', {
      code: 'sub',
      parent: 'sweat',
      values: {
        a_simple_select: [{ locale: null, scope: null, data: 'optionb' }],
        a_number_float: [{ locale: null, scope: null, data: '99' }],
      },
    });
    expect(r).toMatchObject({
      ok: true,
      value: { code: 'sub', family: 'familyA', family_variant: 'familyVariantA1', parent: 'sweat', categories: [], values: { a_simple_select: [{ locale: null, scope: null, data: 'optionB' }] } },
    });
    expect(view.productModel('sweat')?.values?.a_number_float?.[0]?.data).toBe('12.5000');
  });

  it('answers Akeneo texts for product model errors', () => {
    const message = (r: ReturnType<typeof write>) => (r.ok ? '' : r.body.message);
    expect(message(write('POST', { code: 'x', parent: 'sweat', family_variant: 'familyVariantA2' }))).toBe(
      'The parent is not a product model of the family variant "familyVariantA2" but belongs to the family "familyVariantA1". Check the expected format on the API documentation.',
    );
    expect(message(write('POST', { code: 'x', parent: 'tshirt_sub', family_variant: 'familyVariantA1' }))).toBe(
      'Property "parent" expects a valid parent code. The new parent of the product model must be a root product model, "tshirt_sub" given. Check the expected format on the API documentation.',
    );
    expect(write('POST', { code: 'x', parent: 'tshirt', values: { a_simple_select: [{ locale: null, scope: null, data: 'optionB' }] } })).toMatchObject({
      body: { errors: [{ property: 'attribute', message: 'Cannot set value "[optionB]" for the attribute axis "a_simple_select" on product model "x", as the product model "tshirt_sub" already has this value' }] },
    });
    expect(write('POST', { parent: 'sweat', values: { a_simple_select: [{ locale: null, scope: null, data: 'optionA' }] } })).toMatchObject({
      body: { errors: [{ property: 'code', message: 'The product model code must not be empty.' }] },
    });
    expect(message(write('PATCH', { code: 'tshirt_sub', michel: 'field' }, 'tshirt_sub'))).toBe('Property "michel" does not exist. Check the expected format on the API documentation.');
    expect(message(write('PATCH', { values: { nope: [{ locale: null, scope: null, data: 'x' }] } }, 'tshirt_sub'))).toBe(
      'Property "nope" does not exist. Check the expected format on the API documentation.',
    );
    expect(message(write('PATCH', { code: 'sweat', family_variant: 'familyVariantA2' }, 'sweat'))).toBe(
      'Property "family_variant" cannot be modified, "familyVariantA2" given. Check the expected format on the API documentation.',
    );
    expect(write('PATCH', { code: 'sweat', family_variant: 'fAmIlYVaRiAnTA1' }, 'sweat')).toMatchObject({ ok: true });
    expect(message(write('PATCH', { code: 'tshirt_sub', parent: null }, 'tshirt_sub'))).toBe(
      'Property "parent" cannot be modified, "NULL" given. Check the expected format on the API documentation.',
    );
    expect(message(write('PATCH', { code: 'sweat', parent: 'hat' }, 'sweat'))).toBe(
      'Property "parent" cannot be modified, "hat" given. Check the expected format on the API documentation.',
    );
    expect(write('PATCH', { code: 'sweat', parent: null }, 'sweat')).toMatchObject({ ok: true });
    expect(message(write('PATCH', { code: 'tshirt_sub', values: { a_simple_select: [{ locale: null, data: 'optionB' }] } }, 'tshirt_sub'))).toBe(
      'Property "a_simple_select" expects an array with the key "scope". Check the expected format on the API documentation.',
    );
    expect(message(write('POST', { code: 'y', family_variant: null }))).toBe(
      'Property "family_variant" does not expect an empty value. Check the expected format on the API documentation.',
    );
    expect(message(write('POST', { code: 'y', family_variant: 'familyVariantA1', family: 'non_matching_family' }))).toBe(
      'The family "non_matching_family" does not match the family of the variant "familyVariantA1". Check the expected format on the API documentation.',
    );
  });

  it('keeps a sub-model axis value immutable and refuses duplicate codes', () => {
    expect(write('PATCH', { values: { a_simple_select: [{ locale: null, scope: null, data: 'optionA' }] } }, 'tshirt_sub')).toMatchObject({
      body: { errors: [{ property: 'attribute', message: 'Variant axis "a_simple_select" cannot be modified, "[optionA]" given' }] },
    });
    expect(write('POST', { code: 'sweat', family_variant: 'familyVariantA1' })).toMatchObject({
      body: { errors: [{ property: 'code', message: 'The same code is already set on another product model.' }] },
    });
  });

  it('refuses a parent on a one-level family variant and a missing axis', () => {
    write('PATCH', { code: 'r2', family_variant: 'familyVariantA2' }, 'r2');
    expect(write('POST', { code: 'sub_product', parent: 'r2' })).toMatchObject({
      body: { errors: [{ property: 'parent', message: 'The product model "sub_product" cannot have a parent' }] },
    });
    expect(write('POST', { code: 'no_axis', parent: 'sweat' })).toMatchObject({
      body: { errors: [{ property: 'attribute', message: 'Attribute "a_simple_select" cannot be empty, as it is defined as an axis for this entity' }] },
    });
  });

  it('stores product associations by uuid and refuses unknown targets', () => {
    const p = applyProductWrite(view, null, { identifier: 'any_product' }, { endpoint: 'identifier', method: 'POST', newUuid: uuidFor(), now: NOW });
    if (!p.ok) throw new Error('setup');
    view.commitProduct(p.value);
    const r = write('PATCH', { associations: { SUBSTITUTION: { products: ['any_product'] } } }, 'tshirt_sub');
    expect(r.ok && r.value.associations?.SUBSTITUTION?.products).toEqual([p.value.uuid]);
    expect(write('PATCH', { associations: { X_SELL: { products: ['a_non_exiting_product'] } } }, 'tshirt_sub')).toMatchObject({
      body: {
        message:
          'The “associations” property expects a valid product identifier. The a_non_exiting_product product does not exist or your connection does not have permission to access it. Check the expected format on the API documentation.',
      },
    });
  });
});
