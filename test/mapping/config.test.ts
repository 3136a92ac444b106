import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { configJsonSchema } from '../../src/config/schema.js';
import { mappingConfigSchema, looksHot } from '../../src/mapping/config.js';
import { resolveMapping } from '../../src/mapping/resolve.js';

const base = `
pim: { url: "http://127.0.0.1:1", clientId: a, secret: b, username: c, password: d }
erp: { type: demo }
`;

describe('mapping config', () => {
  it('is part of ferry.yaml and its JSON Schema, with descriptions', () => {
    const schema = JSON.stringify(configJsonSchema());
    expect(schema).toContain('referencePrice');
    expect(schema).toContain('singleGroupAsSimpleProduct');
    expect(schema).toContain('declare this as a reference price');
    const cfg = parseConfig(`${base}mapping: { preset: demo, attributes: { title: name } }`, 'ferry.yaml');
    expect(cfg.mapping.preset).toBe('demo');
  });

  it('refuses hot data at validation, explaining cold vs hot data and how to declare a reference price', () => {
    expect(() => parseConfig(`${base}mapping: { attributes: { cost: { from: standard_cost, type: number } } }`, 'ferry.yaml')).toThrow(/hot data/);
    const r = mappingConfigSchema.safeParse({ attributes: { stock_level: 'qty_on_hand' } });
    expect(r.success).toBe(false);
    const msg = r.error!.issues[0]!.message;
    expect(msg).toContain('cold product data');
    expect(msg).toContain('e-commerce');
    expect(msg).toContain('referencePrice: true');
    expect(mappingConfigSchema.safeParse({ attributes: { list_price: { type: 'price', referencePrice: true } } }).success).toBe(true);
    expect(mappingConfigSchema.safeParse({ attributes: { msrp: { type: 'price' } } }).success).toBe(false);
    expect(mappingConfigSchema.safeParse({ hotData: { allow: ['quantity_per_pack'] }, attributes: { pack: 'quantity_per_pack' } }).success).toBe(true);
  });

  it('recognises hot-looking field names by word', () => {
    for (const f of ['list_price', 'StandardCost', 'stock', 'qty_available', 'SafetyStockLevel', 'on_hand']) expect(looksHot(f)).toBe(true);
    for (const f of ['name', 'description', 'weight', 'costume', 'stockholm_style']) expect(looksHot(f)).toBe(false);
  });

  it('refuses an invalid SKU pattern and unknown keys', () => {
    expect(mappingConfigSchema.safeParse({ structure: { variants: { groupBy: 'sku', skuPattern: '([' } } }).success).toBe(false);
    expect(mappingConfigSchema.safeParse({ atributes: {} }).success).toBe(false);
  });

  it('lets the user extend and override a preset field by field', () => {
    const m = resolveMapping(
      mappingConfigSchema.parse({
        preset: 'demo',
        locales: { es: 'es_ES' },
        attributes: { name: { from: 'title' }, ean: false, material: { type: 'simpleselect' } },
        structure: { categories: { root: 'erp_root' } },
      }),
    );
    expect(m.attributes.get('name')).toMatchObject({ from: ['title'], type: 'text', localizable: true });
    expect(m.attributes.has('ean')).toBe(false);
    expect(m.attributes.get('material')).toMatchObject({ from: ['material'], type: 'simpleselect' });
    expect(m.locales).toEqual({ en: 'en_US', fr: 'fr_FR', de: 'de_DE', es: 'es_ES' });
    expect(m.structure.categories).toMatchObject({ root: 'erp_root', prefix: 'erp_', mode: 'tree' });
    expect(m.codes.normalise).toBe(true);
    expect(resolveMapping(mappingConfigSchema.parse({})).codes.normalise).toBe(false);
  });
});
