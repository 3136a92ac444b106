import { describe, expect, it } from 'vitest';
import type { StreamDescription } from '../../src/erp/port.js';
import { describePlan, mappingConfigSchema, planBootstrap } from '../../src/mapping/index.js';
import { buildPimStructure } from '../../src/mapping/pim-structure.js';

const description: StreamDescription[] = [
  { stream: 'items', supportsDelta: false, fields: [{ name: 'name', type: 'localized', languages: ['en', 'fr', 'de', 'zh_CN', 'xx'] }, { name: 'color', type: 'select', options: ['Red'] }] },
];
/** One active locale (en_US) among the locales Akeneo knows. */
const pim = () =>
  buildPimStructure({
    edition: 'CE',
    attributes: [{ code: 'sku', type: 'pim_catalog_identifier', group: 'other' }],
    attributeGroups: ['other'],
    channels: [{ code: 'ecommerce', locales: ['en_US'], currencies: ['USD'], category_tree: 'master' }, { code: 'print', locales: ['en_US'], currencies: ['USD'], category_tree: 'master' }],
    locales: [{ code: 'en_US', enabled: true }, ...['fr_FR', 'de_DE', 'de_AT', 'zh_CN'].map((code) => ({ code, enabled: false }))],
    categories: ['master'],
  });

describe('bootstrap plan: locales', () => {
  it('lists the ERP languages without an active locale and activates them through the channels Ferry writes to', () => {
    const plan = planBootstrap(mappingConfigSchema.parse({ preset: 'tryton', channels: { default: ['ecommerce'] } }), pim(), description, { samples: [] });
    expect(plan.locales).toEqual([
      { language: 'fr', locale: 'fr_FR' },
      { language: 'de', locale: 'de_DE' },
      { language: 'zh_CN', locale: 'zh_CN' },
    ]);
    expect(plan.channels.map((c) => [c.code, c.locales])).toEqual([['ecommerce', ['en_US', 'fr_FR', 'de_DE', 'zh_CN']]]);
    expect(plan.notes).toContain('ERP language xx: no PIM locale matches it, so its texts are not sent; map it (mapping.locales.xx: <locale>) or drop it (mapping.dropLanguages: [xx]).');
    expect(describePlan(plan)[0]).toBe('+ locale fr_FR activated for ERP language fr (added to channel ecommerce; map or drop it in mapping.locales / mapping.dropLanguages instead)');
  });

  it('labels only in accepted locales: the preset\'s fr/de labels stay once those locales are activated, and go when dropped', () => {
    const kept = planBootstrap(mappingConfigSchema.parse({ preset: 'tryton' }), pim(), description, { samples: [] });
    expect(Object.keys(kept.families[0]!.family.labels ?? {}).sort()).toEqual(['de_DE', 'en_US', 'fr_FR']);
    const dropped = planBootstrap(mappingConfigSchema.parse({ preset: 'tryton', dropLanguages: ['fr', 'de', 'zh_CN', 'xx'] }), pim(), description, { samples: [] });
    expect(dropped.locales).toEqual([]);
    expect(dropped.notes.some((n) => n.includes('ERP language'))).toBe(false);
    const labelled = [...dropped.attributeGroups, ...dropped.attributes, ...dropped.options, ...dropped.families.map((f) => f.family)];
    expect(labelled.length).toBeGreaterThan(3);
    for (const x of labelled) expect(Object.keys(x.labels ?? {})).toEqual(['en_US']);
    expect(dropped.attributeGroups[0]!.labels).toEqual({ en_US: 'ERP data' });
  });

  it('labels in a known but inactive locale are kept: Akeneo accepts them (its Locale constraint only checks existence)', () => {
    // The ERP has English only, so fr_FR and de_DE stay inactive; the preset's labels in them are still written.
    const englishOnly: StreamDescription[] = [{ stream: 'items', supportsDelta: false, fields: [{ name: 'name', type: 'localized', languages: ['en'] }] }];
    const plan = planBootstrap(mappingConfigSchema.parse({ preset: 'tryton' }), pim(), englishOnly, { samples: [] });
    expect(plan.locales).toEqual([]);
    expect(plan.families[0]!.family.labels).toEqual({ en_US: 'Tryton product', fr_FR: 'Produit Tryton', de_DE: 'Tryton-Produkt' });
    // A locale the PIM does not know at all is still left out.
    const unknown = planBootstrap(mappingConfigSchema.parse({ preset: 'tryton', structure: { families: { definitions: { tryton_product: { labels: { en_US: 'P', xx_XX: 'Q' } } } } } }), pim(), englishOnly, { samples: [] });
    expect(unknown.families[0]!.family.labels?.['en_US']).toBe('P');
    expect(Object.keys(unknown.families[0]!.family.labels ?? {})).not.toContain('xx_XX');
    // The generated attribute group label goes only to locales in use.
    expect(Object.keys(plan.attributeGroups[0]!.labels ?? {})).toEqual(['en_US']);
  });

  it('a language mapped to a locale the PIM does not know is noted with the fix, not activated', () => {
    const plan = planBootstrap(mappingConfigSchema.parse({ preset: 'tryton', locales: { fr: 'fr_XX' } }), pim(), description, { samples: [] });
    expect(plan.locales.map((l) => l.locale)).not.toContain('fr_XX');
    expect(plan.notes).toContain('ERP language fr maps to locale fr_XX, which this PIM does not know; map it to a locale the PIM has (mapping.locales.fr) or drop it (mapping.dropLanguages: [fr]).');
  });
});
