/**
 * The sandbox answers each step of a family-variant change as Akeneo does (read in
 * pim-community-dev: RemoveParent, AddParent, the product controllers, ProductModel deletion),
 * over HTTP, on uuid endpoints (SaaS) and identifier endpoints (6.0):
 * - `PATCH parent: null` on a variant: a simple product keeping its inherited values,
 *   categories, associations and quantified associations (an ancestor's quantity for a target the
 *   product also links wins, array_replace_recursive);
 * - `DELETE` of a product model: its sub-models and the variants still under it go with it;
 * - `PATCH parent: <code>` on a simple product: answered 201, only the variant level's values
 *   kept; the axes must be filled and unique under the model, the family must be the model's;
 * - before 6.0 there is no `DELETE /product-models/{code}` (405).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AkeneoError, createAkeneoClient, type AkeneoClient } from '../../src/akeneo/index.js';
import type { Product } from '../../src/akeneo/model.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';

const v = (data: unknown, locale: string | null = null) => [{ locale, scope: null, data }];

async function structure(pim: AkeneoClient): Promise<void> {
  await pim.attributes.upsertMany([
    { code: 'color', type: 'pim_catalog_simpleselect', group: 'other', localizable: false, scopable: false },
    { code: 'size', type: 'pim_catalog_simpleselect', group: 'other', localizable: false, scopable: false },
    { code: 'title', type: 'pim_catalog_text', group: 'other', localizable: false, scopable: false },
    { code: 'note', type: 'pim_catalog_text', group: 'other', localizable: false, scopable: false },
    { code: 'ean', type: 'pim_catalog_text', group: 'other', localizable: false, scopable: false },
  ] as never);
  await pim.attributeOptions('color').upsertMany([{ code: 'red', attribute: 'color' }, { code: 'blue', attribute: 'color' }]);
  await pim.attributeOptions('size').upsertMany([{ code: 's', attribute: 'size' }, { code: 'm', attribute: 'size' }]);
  await pim.families.upsert({ code: 'shirt', attributes: ['sku', 'color', 'size', 'title', 'note', 'ean'], attribute_as_label: 'sku' } as never);
  await pim.families.upsert({ code: 'sock', attributes: ['sku', 'color', 'size'], attribute_as_label: 'sku' } as never);
  await pim.familyVariants('shirt').upsert({ code: 'by_color_size', family: 'shirt', variant_attribute_sets: [{ level: 1, axes: ['color'], attributes: ['color', 'note'] }, { level: 2, axes: ['size'], attributes: ['size', 'ean'] }] } as never);
  await pim.familyVariants('shirt').upsert({ code: 'by_size', family: 'shirt', variant_attribute_sets: [{ level: 1, axes: ['size'], attributes: ['size', 'ean', 'color'] }] } as never);
  await pim.associationTypes.upsert({ code: 'KIT', is_quantified: true, is_two_way: false } as never);
  await pim.categories.upsertMany([{ code: 'summer', parent: 'master' }, { code: 'sale', parent: 'master' }] as never);
}

describe.each([
  { label: 'uuid endpoints (SaaS)', version: undefined },
  { label: 'identifier endpoints (6.0)', version: '6.0' },
])('family-variant change steps on $label', ({ version }) => {
  let sb: RunningSandbox;
  let pim: AkeneoClient;
  const byId = new Map<string, string>();
  const find = async (sku: string): Promise<Product | null> => {
    for await (const p of pim.products.list({ search: JSON.stringify({ sku: [{ operator: 'IN', value: [sku] }] }) })) return p;
    return null;
  };
  const key = (sku: string) => (version ? { identifier: sku } : { uuid: byId.get(sku)! });
  const patch = async (sku: string, body: Record<string, unknown>) => (await pim.products.upsertMany([{ ...key(sku), ...body } as Product]))[0]!;

  beforeAll(async () => {
    sb = await startSandbox({ catalog: 'demo', ...(version ? { edition: 'ce', version } : {}) });
    pim = createAkeneoClient({ url: sb.url, auth: { kind: 'connection', clientId: sb.clientId, secret: sb.secret, username: sb.username, password: sb.password } });
    await structure(pim);
    await pim.productModels.upsert({ code: 'KIT-BOX', family_variant: 'by_size', values: {} } as never);
    await pim.productModels.upsert({ code: 'M', family_variant: 'by_color_size', categories: ['summer'], values: { title: v('Shirt') }, associations: { UPSELL: { products: [], product_models: [], groups: [] } }, quantified_associations: { KIT: { products: [], product_models: [{ code: 'KIT-BOX', quantity: 1 }] } } } as never);
    await pim.productModels.upsert({ code: 'M-red', parent: 'M', family_variant: 'by_color_size', categories: ['sale'], values: { color: v('red'), note: v('Julia on red') } } as never);
    await pim.productModels.upsert({ code: 'M-blue', parent: 'M', family_variant: 'by_color_size', values: { color: v('blue') } } as never);
    for (const [sku, parent, size] of [['S-RED-S', 'M-red', 's'], ['S-RED-M', 'M-red', 'm'], ['S-BLUE-S', 'M-blue', 's']] as const) {
      const r = await pim.products.upsert({ ...(version ? { identifier: sku } : {}), family: 'shirt', parent, values: { sku: v(sku), size: v(size), ean: v(`ean-${sku}`) }, quantified_associations: { KIT: { products: [], product_models: [{ code: 'KIT-BOX', quantity: 5 }] } } } as never);
      if (r.uuid) byId.set(sku, r.uuid);
    }
  }, 60_000);
  afterAll(async () => {
    await pim?.close();
    await sb?.close();
  });

  it('parent: null makes a simple product that keeps everything it inherited', async () => {
    const line = await patch('S-RED-S', { parent: null });
    expect(line.outcome).toBe('updated');
    const p = (await find('S-RED-S'))!;
    expect(p.parent).toBeNull();
    expect(p.family).toBe('shirt');
    expect(p.values?.title?.[0]?.data).toBe('Shirt');
    expect(p.values?.note?.[0]?.data).toBe('Julia on red');
    expect(p.values?.color?.[0]?.data).toBe('red');
    expect(p.values?.ean?.[0]?.data).toBe('ean-S-RED-S');
    expect([...(p.categories ?? [])].sort()).toEqual(['sale', 'summer']);
    // The model's quantity for the same target replaces the product's own (array_replace_recursive).
    const kit = (p.quantified_associations as Record<string, { product_models: { quantity: number }[] }>).KIT?.product_models;
    expect(kit).toHaveLength(1);
    expect(kit?.[0]).toMatchObject({ quantity: 1 });
  });

  it('deleting a model deletes its sub-models and the variants still under them, not a detached product', async () => {
    await pim.productModels.delete!('M');
    for (const code of ['M', 'M-red', 'M-blue']) await expect(pim.productModels.get(code)).rejects.toMatchObject({ status: 404 });
    expect(await find('S-RED-M')).toBeNull();
    expect(await find('S-BLUE-S')).toBeNull();
    expect(await find('S-RED-S')).not.toBeNull();
  });

  it('parent: <code> attaches a simple product: 201, only the variant level kept, axes and family checked', async () => {
    await pim.productModels.upsert({ code: 'N', family_variant: 'by_size', values: { title: v('Shirt again') } } as never);
    const attached = await patch('S-RED-S', { parent: 'N' });
    expect(attached.status).toBe(201);
    const p = (await find('S-RED-S'))!;
    expect(p.parent).toBe('N');
    // title and note are model-level in by_size: the product's own copies are dropped, the model's shows.
    expect(p.values?.title?.[0]?.data).toBe('Shirt again');
    expect(p.values?.note).toBeUndefined();
    expect(p.values?.color?.[0]?.data).toBe('red');
    expect(p.values?.size?.[0]?.data).toBe('s');

    // A second simple product with the same axis value is refused; one without the axis too.
    const twin = await pim.products.upsert({ ...(version ? { identifier: 'TWIN' } : {}), family: 'shirt', values: { sku: v('TWIN'), size: v('s') } } as never);
    if (twin.uuid) byId.set('TWIN', twin.uuid);
    const dup = await patch('TWIN', { parent: 'N' });
    expect(dup.outcome).toBe('failed');
    expect(JSON.stringify(dup.errors)).toContain('already has this value');
    const bare = await pim.products.upsert({ ...(version ? { identifier: 'BARE' } : {}), family: 'shirt', values: { sku: v('BARE') } } as never);
    if (bare.uuid) byId.set('BARE', bare.uuid);
    const noAxis = await patch('BARE', { parent: 'N' });
    expect(JSON.stringify(noAxis.errors)).toContain('Attribute \\"size\\" cannot be empty');
    const sock = await pim.products.upsert({ ...(version ? { identifier: 'SOCK' } : {}), family: 'sock', values: { sku: v('SOCK'), size: v('m') } } as never);
    if (sock.uuid) byId.set('SOCK', sock.uuid);
    const otherFamily = await patch('SOCK', { parent: 'N' });
    expect(JSON.stringify(otherFamily.errors)).toContain('The variant product family must be the same than its parent');
  });
});

describe('family-variant change steps before 6.0', () => {
  it('has no DELETE /product-models/{code} on 5.0', async () => {
    const sb = await startSandbox({ catalog: 'demo', edition: 'ce', version: '5.0' });
    const pim = createAkeneoClient({ url: sb.url, auth: { kind: 'connection', clientId: sb.clientId, secret: sb.secret, username: sb.username, password: sb.password } });
    try {
      await structure(pim);
      await pim.productModels.upsert({ code: 'M', family_variant: 'by_size', values: {} } as never);
      const err = await pim.productModels.delete!('M').then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(AkeneoError);
      // The path exists (GET, PATCH), the method does not: Symfony's router answers 405.
      expect((err as AkeneoError).status).toBe(405);
      expect((await pim.productModels.get('M')).code).toBe('M');
    } finally {
      await pim.close();
      await sb.close();
    }
  }, 60_000);
});
