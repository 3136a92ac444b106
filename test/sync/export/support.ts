/**
 * What the export end-to-end tests share: a sandbox PIM with a small family Julia enriches, the
 * status attributes bootstrapped, and products created the way Julia creates them (no SKU).
 */
import { randomUUID } from 'node:crypto';
import type { AkeneoClient } from '../../../src/akeneo/index.js';
import type { Product } from '../../../src/akeneo/model.js';
import type { ExportConfig } from '../../../src/mapping/export/config.js';
import { applyStatusAttributes, planStatusAttributes } from '../../../src/sync/export/bootstrap.js';

export const JULIA_DESCRIPTION = 'Soft organic cotton, cut for spring: Julia wrote this.';

/** Attributes and a family like a PIM where Julia creates products before the ERP knows them. */
export async function prepareJuliasPim(client: AkeneoClient, exportConfig: ExportConfig, family = 'tshirts'): Promise<void> {
  await client.attributes.upsert({ code: 'product_weight', type: 'pim_catalog_metric', group: 'marketing', metric_family: 'Weight', default_metric_unit: 'GRAM', decimals_allowed: true, negative_allowed: false, localizable: false, scopable: false } as never);
  const own = ['sku', 'marketing_title', 'marketing_description', 'marketing_season', 'product_weight'];
  const existing = await client.families.find(family);
  await client.families.upsert(
    existing
      ? { ...existing, attributes: [...new Set([...existing.attributes, ...own])] }
      : ({ code: family, attribute_as_label: 'marketing_title', attributes: own } as never),
  );
  const applied = await applyStatusAttributes(client, await planStatusAttributes(client, exportConfig));
  if (applied.failures.length) throw new Error(applied.failures.join('; '));
}

/** A product as Julia creates it in the PIM: no identifier, marketing texts, tagged `to_export`. */
export async function createJuliasProduct(client: AkeneoClient, title: string, extra: Product['values'] = {}, family = 'tshirts'): Promise<string> {
  const uuid = randomUUID();
  await client.products.upsert({
    uuid,
    family,
    values: {
      marketing_title: [
        { locale: 'en_US', scope: null, data: title },
        { locale: 'fr_FR', scope: null, data: `${title} (fr)` },
        { locale: 'de_DE', scope: null, data: `${title} (de)` },
      ],
      marketing_description: [{ locale: 'en_US', scope: 'ecommerce', data: JULIA_DESCRIPTION }],
      product_weight: [{ locale: null, scope: null, data: { amount: '250', unit: 'GRAM' } }],
      erp_status: [{ locale: null, scope: null, data: 'to_export' }],
      ...extra,
    },
  });
  return uuid;
}

export async function productByUuid(client: AkeneoClient, uuid: string): Promise<Product> {
  return client.products.get(uuid);
}

export function plain(product: Product, attribute: string): unknown {
  return product.values?.[attribute]?.find((v) => v.locale === null && v.scope === null)?.data;
}
