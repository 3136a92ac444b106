/** The ERP's option labels (describe()'s optionLabels) → Akeneo option labels, in bootstrap's plan and the mapper's option list. */
import { describe, expect, it } from 'vitest';
import type { LocalizedText, StreamDescription } from '../../src/erp/port.js';
import { createMapper, mappingConfigSchema, planBootstrap } from '../../src/mapping/index.js';
import { labelsCovered, optionLabelsFrom } from '../../src/mapping/option-labels.js';
import { buildPimStructure } from '../../src/mapping/pim-structure.js';
import { resolveMapping } from '../../src/mapping/resolve.js';
import { demoPim } from './fixtures.js';

const text = (values: Record<string, string>): LocalizedText => ({ kind: 'localized', values });

const colours: StreamDescription[] = [
  {
    stream: 'items',
    supportsDelta: false,
    fields: [
      { name: 'name', type: 'localized', languages: ['en', 'fr', 'de', 'zh_CN'] },
      {
        name: 'color',
        type: 'select',
        options: ['red', 'blue', 'green'],
        optionLabels: {
          red: text({ en: 'Red', fr: 'Rouge', de: 'Rot', zh_CN: '红色', xx: 'Rrr' }),
          blue: text({ en: 'Blue', fr: '  ', de: 'Blau' }),
          // green: no label in the ERP
        },
      },
    ],
  },
];

/** One active locale (en_US) among the locales Akeneo knows. */
const onePim = () =>
  buildPimStructure({
    edition: 'CE',
    attributes: [{ code: 'sku', type: 'pim_catalog_identifier', group: 'other' }],
    attributeGroups: ['other'],
    channels: [{ code: 'ecommerce', locales: ['en_US'], currencies: ['USD'], category_tree: 'master' }],
    locales: [{ code: 'en_US', enabled: true }, ...['fr_FR', 'de_DE', 'zh_CN'].map((code) => ({ code, enabled: false }))],
    categories: ['master'],
  });

describe('optionLabelsFrom', () => {
  const mapping = resolveMapping(mappingConfigSchema.parse({ preset: 'tryton', dropLanguages: ['de'] }));
  const localeOf = (lang: string): string | null => ({ en: 'en_US', fr: 'fr_FR', de: 'de_DE', en_GB: 'en_US' })[lang] ?? null;

  it('maps each language through the locale table, keeping accepted locales, leaving out dropped languages, blank and unmapped texts', () => {
    const accepted = new Set(['en_US', 'fr_FR', 'de_DE']);
    expect(optionLabelsFrom(text({ en: ' Red ', fr: 'Rouge', de: 'Rot', xx: 'Rrr' }), mapping, localeOf, accepted)).toEqual({ en_US: 'Red', fr_FR: 'Rouge' });
    expect(optionLabelsFrom(text({ en: 'Red', fr: 'Rouge' }), mapping, localeOf, new Set(['en_US']))).toEqual({ en_US: 'Red' });
    expect(optionLabelsFrom(text({ fr: '   ' }), mapping, localeOf, accepted)).toEqual({});
    expect(optionLabelsFrom(undefined, mapping, localeOf, accepted)).toEqual({});
  });

  it('the default language wins a locale two languages reach', () => {
    expect(optionLabelsFrom(text({ en_GB: 'Colour red', en: 'Color red' }), mapping, localeOf, new Set(['en_US']))).toEqual({ en_US: 'Color red' });
  });

  it('labelsCovered compares only the locales Ferry writes', () => {
    expect(labelsCovered({ en_US: 'Red' }, { en_US: 'Red', it_IT: 'Rosso' })).toBe(true);
    expect(labelsCovered({ en_US: 'Red', fr_FR: 'Rouge' }, { en_US: 'Red' })).toBe(false);
    expect(labelsCovered({ en_US: 'Red' }, null)).toBe(false);
  });
});

describe('bootstrap: new options carry the ERP labels', () => {
  it('in every locale the PIM accepts, including the ones the plan activates; an option without labels keeps its value', () => {
    const plan = planBootstrap(mappingConfigSchema.parse({ preset: 'tryton' }), onePim(), colours, { samples: [] });
    const options = Object.fromEntries(plan.options.filter((o) => o.attribute === 'color').map((o) => [o.code, o.labels]));
    expect(options).toEqual({
      red: { en_US: 'Red', fr_FR: 'Rouge', de_DE: 'Rot', zh_CN: '红色' },
      blue: { en_US: 'Blue', de_DE: 'Blau' },
      green: { en_US: 'green' },
    });
  });

  it('a dropped language gives no label', () => {
    const plan = planBootstrap(mappingConfigSchema.parse({ preset: 'tryton', dropLanguages: ['zh_CN', 'fr'] }), onePim(), colours, { samples: [] });
    expect(plan.options.find((o) => o.code === 'red')!.labels).toEqual({ en_US: 'Red', de_DE: 'Rot' });
  });
});

describe('mapper.mapOptionLabels', () => {
  const mapper = createMapper(mappingConfigSchema.parse({ preset: 'demo' }), demoPim());

  it('gives each labelled option of an ERP-owned select with the labels the PIM has now (null: not in the PIM)', () => {
    expect(mapper.mapOptionLabels!(colours)).toEqual([
      // demoPim's red has en_US "Red" only; zh_CN is not a locale of that PIM.
      { kind: 'option', attribute: 'color', code: 'red', labels: { en_US: 'Red', fr_FR: 'Rouge', de_DE: 'Rot' }, erpValue: 'red', current: { en_US: 'Red' } },
      { kind: 'option', attribute: 'color', code: 'blue', labels: { en_US: 'Blue', de_DE: 'Blau' }, erpValue: 'blue', current: { en_US: 'Blue' } },
    ]);
  });

  it("uses the PIM's spelling of an existing code and the mapping's renames", () => {
    const m = createMapper(mappingConfigSchema.parse({ preset: 'demo', options: { renames: { size: { small: 's' } } } }), demoPim());
    const sizes: StreamDescription[] = [{ stream: 'items', supportsDelta: false, fields: [{ name: 'size', type: 'select', options: ['Small', 'XL'], optionLabels: { Small: text({ en: 'Small' }), XL: text({ fr: 'Très grand' }) } }] }];
    expect(m.mapOptionLabels!(sizes).map((o) => [o.code, o.labels, o.current])).toEqual([
      ['S', { en_US: 'Small' }, {}],
      ['xl', { fr_FR: 'Très grand' }, null], // the demo preset's codes are lower case
    ]);
  });

  it('leaves alone attributes Ferry does not own and fields without labels', () => {
    const description: StreamDescription[] = [{ stream: 'items', supportsDelta: false, fields: [{ name: 'brand', type: 'select', options: ['acme'] }] }];
    expect(mapper.mapOptionLabels!(description)).toEqual([]);
    // color in a group the mapping does not own: the PIM's to label.
    const pim = demoPim({ attributes: [{ code: 'sku', type: 'pim_catalog_identifier', group: 'erp' }, { code: 'color', type: 'pim_catalog_simpleselect', group: 'marketing' }] });
    const notOwned = createMapper(mappingConfigSchema.parse({}), pim);
    expect(createMapper(mappingConfigSchema.parse({}), demoPim()).mapOptionLabels!(colours).map((o) => o.code)).toEqual(['red', 'blue']);
    expect(notOwned.ownedAttributes.has('color')).toBe(false);
    expect(notOwned.mapOptionLabels!(colours)).toEqual([]);
  });
});
