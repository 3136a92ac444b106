/**
 * mapping.referenceEntities / mapping.assetFamilies (issue 16, point 4): the config's defaults and
 * refusals, the asset code rule, the records and assets collected from items (codes as the link
 * values, labels per active locale, each once), the link attributes the mapper feeds, and the
 * bootstrap plan on EE (what it creates) and CE (why it does not).
 */
import { describe, expect, it } from 'vitest';
import type { Attribute } from '../../src/akeneo/model.js';
import { describePlan, planBootstrap } from '../../src/mapping/bootstrap.js';
import { checkMapping } from '../../src/mapping/check.js';
import { mappingConfigSchema } from '../../src/mapping/config.js';
import { createMapper } from '../../src/mapping/index.js';
import type { MappedProduct } from '../../src/mapping/types.js';
import { assetCode, ReferenceDataCollector } from '../../src/mapping/reference-data.js';
import { resolveMapping } from '../../src/mapping/resolve.js';
import { demoPim, item, loc } from './fixtures.js';

const CONFIG = {
  codes: { normalise: true },
  locales: { en: 'en_US', fr: 'fr_FR', zh: 'zh_CN' },
  referenceEntities: {
    brand: { from: 'brand', link: 'brand_link', labelFrom: 'brand_name', attributes: { country: 'brand_country', founded: { from: 'brand_year', type: 'number' } } },
    material: { from: 'materials', collection: true, separator: '|' },
  },
  assetFamilies: { packshots: { from: ['image', 'thumbnail'], code: 'img_{file}' } },
};

const EE_LINKS: Attribute[] = [
  { code: 'brand_link', type: 'akeneo_reference_entity', group: 'erp', reference_data_name: 'brand' },
  { code: 'material', type: 'akeneo_reference_entity_collection', group: 'erp', reference_data_name: 'material' },
  { code: 'packshots', type: 'pim_catalog_asset_collection', group: 'erp', reference_data_name: 'packshots' },
];

function eePim() {
  const base = demoPim();
  const attributes = [...base.attributes.values(), ...EE_LINKS];
  return demoPim({ edition: 'EE', attributes, families: [{ code: 'plain', attribute_as_label: 'sku', attributes: ['sku', 'name', 'ean', ...EE_LINKS.map((a) => a.code)] }] });
}

describe('mapping.referenceEntities and mapping.assetFamilies', () => {
  it('resolve with their defaults and add the link attributes the mapper feeds', () => {
    const resolved = resolveMapping(mappingConfigSchema.parse(CONFIG));
    expect(resolved.referenceData.referenceEntities[0]).toEqual({
      code: 'brand',
      from: 'brand',
      link: 'brand_link',
      collection: false,
      separator: ',',
      labelFrom: 'brand_name',
      imageFrom: null,
      attributes: [
        { code: 'country', from: 'brand_country', type: 'text' },
        { code: 'founded', from: 'brand_year', type: 'number' },
      ],
    });
    expect(resolved.referenceData.assetFamilies[0]).toEqual({ code: 'packshots', from: ['image', 'thumbnail'], link: 'packshots', separator: null, codeRule: 'img_{file}', mediaAttribute: 'media' });
    expect(resolved.attributes.get('brand_link')).toMatchObject({ type: 'reference_entity', referenceEntity: 'brand', from: ['brand'] });
    expect(resolved.attributes.get('material')).toMatchObject({ type: 'reference_entity_collection', referenceEntity: 'material', separator: '|' });
    expect(resolved.attributes.get('packshots')).toMatchObject({ type: 'asset_collection', assetFamily: 'packshots', assetCodeRule: 'img_{file}' });
    // An explicit attribute mapping of the link wins.
    const own = resolveMapping(mappingConfigSchema.parse({ ...CONFIG, attributes: { brand_link: { from: 'brand', type: 'reference_entity', referenceEntity: 'brand', labels: { en_US: 'Maker' } } } }));
    expect(own.attributes.get('brand_link')?.labels).toEqual({ en_US: 'Maker' });
  });

  it('refuses codes Akeneo would refuse and unknown keys, naming the path', () => {
    const bad = mappingConfigSchema.safeParse({ referenceEntities: { 'the brand': { from: 'brand' } } });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toContain('letters, digits and _ only');
    const typo = mappingConfigSchema.safeParse({ assetFamilies: { packshots: { form: 'image' } } });
    expect(typo.success).toBe(false);
    expect(typo.error?.issues.map((i) => i.path.join('.'))).toContain('assetFamilies.packshots.from');
  });

  it('asset codes follow the rule over the file name, for paths and URLs', () => {
    expect(assetCode('{file}', 'photos/Road-150 Red.JPG')).toBe('road_150_red');
    expect(assetCode('img_{file}_{ext}', 'https://cdn.example.com/a/b/helmet.png?v=3')).toBe('img_helmet_png');
    expect(assetCode('{file}', 'C:\\media\\Café.gif')).toBe('cafe');
    expect(assetCode('{ext}', 'photos/readme')).toBeNull();
  });

  it('collects each record and asset once, with labels in active locales and the item values', () => {
    const resolved = resolveMapping(mappingConfigSchema.parse(CONFIG));
    const collector = new ReferenceDataCollector(resolved.referenceData, resolved, eePim());
    const first = collector.collect([
      item('A', { brand: 'Contoso Ltd', brand_name: loc({ en: 'Contoso', fr: 'Contoso SA', zh: '康托索' }), brand_country: 'US', brand_year: 1999, materials: 'Cotton|Wool', image: 'a/red.png' }),
      item('B', { brand: 'Contoso Ltd', brand_country: 'XX', materials: 'Wool', thumbnail: 'thumbs/red.png' }),
      item('C', { brand: '', image: '' }),
    ]);
    expect(first.records).toEqual([
      {
        entity: 'brand',
        code: 'contoso_ltd',
        origin: 'A',
        values: {
          // zh_CN is not an active locale of this PIM: no label there.
          label: [
            { locale: 'en_US', channel: null, data: 'Contoso' },
            { locale: 'fr_FR', channel: null, data: 'Contoso SA' },
          ],
          country: [{ locale: null, channel: null, data: 'US' }],
          founded: [{ locale: null, channel: null, data: '1999' }],
        },
      },
      { entity: 'material', code: 'cotton', origin: 'A', values: { label: [{ locale: 'en_US', channel: null, data: 'Cotton' }] } },
      { entity: 'material', code: 'wool', origin: 'A', values: { label: [{ locale: 'en_US', channel: null, data: 'Wool' }] } },
    ]);
    // B's red.png (another folder, same name) is the same asset: the rule decides identity.
    expect(first.assets).toEqual([{ family: 'packshots', code: 'img_red', source: 'a/red.png', mediaAttribute: 'media', origin: 'A' }]);
    expect(first.problems).toEqual([]);
    // An item inherits the brand its group record (template) has, as the mapper does.
    const fromGroup = collector.collect([item('E', { image: 'e.png' }, { group: 'T1' })], new Map([['T1', item('T1', { brand: 'Globex' }, { stream: 'groups' })]]));
    expect(fromGroup.records.map((r) => r.code)).toEqual(['globex']);
    // A later chunk naming them again adds nothing; everything is in the seen set for deletions.
    expect(collector.collect([item('D', { brand: 'Contoso Ltd', image: 'red.png' })])).toEqual({ records: [], assets: [], problems: [] });
    expect([...collector.seenCodes()].sort()).toEqual([
      'asset:packshots:img_e',
      'asset:packshots:img_red',
      'reference_entity_record:brand:contoso_ltd',
      'reference_entity_record:brand:globex',
      'reference_entity_record:material:cotton',
      'reference_entity_record:material:wool',
    ]);
  });

  it('without code normalisation, a name that is no code is a problem naming the item, the field and the fix', () => {
    const resolved = resolveMapping(mappingConfigSchema.parse({ referenceEntities: { brand: { from: 'brand' } } }));
    const got = new ReferenceDataCollector(resolved.referenceData, resolved, eePim()).collect([item('SKU-9', { brand: 'Contoso Ltd' })]);
    expect(got.records).toEqual([]);
    expect(got.problems).toEqual([{ origin: 'SKU-9', field: 'brand', message: '"Contoso Ltd" cannot become a record code of reference entity brand (pattern)', fix: 'Turn on mapping.codes.normalise, or fix the value in the ERP.' }]);
  });

  it('the mapper links products with the same codes the collector gives records and assets', () => {
    const mapper = createMapper(mappingConfigSchema.parse({ ...CONFIG, identity: { enabled: false }, structure: { families: { default: 'plain' }, categories: { mode: 'ignore' } } }), eePim());
    const r = mapper.mapItems([item('A', { brand: 'Contoso Ltd', materials: 'Cotton|Wool', image: 'a/red.png', thumbnail: 'b.png' })], new Map());
    expect(r.errors).toEqual([]);
    const product = r.entities.find((e): e is MappedProduct => e.kind === 'product')!;
    const data = Object.fromEntries(Object.entries(product.values).map(([k, v]) => [k, v[0]?.data]));
    expect(data).toMatchObject({ brand_link: 'contoso_ltd', material: ['cotton', 'wool'], packshots: ['img_red'] }); // the first filled field, as the collector reads it
  });

  it('a link attribute that would not link is an error of ferry check and a note of the plan, with the fix', () => {
    // The fixture PIM's `brand` is a simple select: the default link code of a `brand` entity collides with it.
    const config = mappingConfigSchema.parse({ referenceEntities: { brand: { from: 'brand' } }, assetFamilies: { packshots: { from: 'image' } }, attributes: { packshots: { from: 'image', type: 'image' } } });
    const problems = checkMapping(config, demoPim({ edition: 'EE' }), []).filter((p) => p.code === 'reference_link');
    expect(problems).toEqual([
      {
        severity: 'error',
        code: 'reference_link',
        attribute: 'brand',
        message: "mapping.referenceEntities.brand: the PIM's attribute brand is pim_catalog_simpleselect, not a link to brand",
        fix: 'Set mapping.referenceEntities.brand.link to a new attribute code (bootstrap creates it).',
      },
      {
        severity: 'error',
        code: 'reference_link',
        attribute: 'packshots',
        message: 'mapping.assetFamilies.packshots: its link attribute packshots is mapped as image in mapping.attributes (or the preset), so products would not link the assets',
        fix: 'Give mapping.assetFamilies.packshots another `link` code, or remove mapping.attributes.packshots.',
      },
    ]);
    expect(planBootstrap(config, demoPim({ edition: 'EE' }), []).notes).toContain(`${problems[0]!.message}; ${problems[0]!.fix}`);
  });

  it('bootstrap plans the entities, families and link attributes on EE; on CE it says the mapping needs EE, and check refuses the links', () => {
    const config = mappingConfigSchema.parse(CONFIG);
    const ee = planBootstrap(config, demoPim({ edition: 'EE' }), []);
    expect(ee.referenceData).toEqual({
      referenceEntities: [
        { code: 'brand', labels: { en_US: 'Brand' }, attributes: [{ code: 'country', type: 'text', labels: { en_US: 'Country' } }, { code: 'founded', type: 'number', labels: { en_US: 'Founded' } }] },
        { code: 'material', labels: { en_US: 'Material' }, attributes: [] },
      ],
      assetFamilies: [{ code: 'packshots', labels: { en_US: 'Packshots' }, mediaAttribute: 'media' }],
    });
    expect(ee.attributes.filter((a) => EE_LINKS.some((l) => l.code === a.code)).map((a) => [a.code, a.type, a.reference_data_name])).toEqual([
      ['brand_link', 'akeneo_reference_entity', 'brand'],
      ['material', 'akeneo_reference_entity_collection', 'material'],
      ['packshots', 'pim_catalog_asset_collection', 'packshots'],
    ]);
    // With what the PIM has: only what it lacks, existing ones marked.
    const partial = planBootstrap(config, demoPim({ edition: 'EE' }), [], {
      referenceData: { referenceEntities: new Map([['brand', new Set(['label', 'country'])], ['material', new Set()]]), assetFamilies: new Map([['packshots', { attributes: new Set(), mainMedia: null }]]) },
    });
    expect(describePlan(partial).filter((l) => /reference entity|asset family/.test(l))).toEqual(['~ reference entity brand: add attributes founded (number)', '~ asset family packshots: add media attribute media']);
    const ce = planBootstrap(config, demoPim(), []);
    expect(ce.referenceData).toEqual({ referenceEntities: [], assetFamilies: [] });
    expect(ce.notes.join('\n')).toContain('mapping.referenceEntities (brand, material) and mapping.assetFamilies (packshots) need Akeneo Enterprise Edition or SaaS: this PIM is the Community Edition 7.0.0');
    const problems = checkMapping(config, demoPim(), []).filter((p) => p.code === 'edition_unsupported');
    expect(problems.map((p) => p.attribute).sort()).toEqual(['brand_link', 'material', 'packshots']);
  });
});
