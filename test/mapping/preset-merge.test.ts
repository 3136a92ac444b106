/**
 * "Your file extends the preset and overrides it field by field; objects merge, lists replace"
 * (docs/mapping.md), checked section by section for every preset.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { PRESETS } from '../../src/mapping/presets.js';
import { resolveMapping } from '../../src/mapping/resolve.js';

const BASE = 'pim: { url: "https://pim.example", token: t }\nerp: { type: demo }\n';

function resolved(preset: keyof typeof PRESETS, mapping: string) {
  return resolveMapping(parseConfig(`${BASE}mapping:\n  preset: ${preset}\n${mapping}`, 'ferry.yaml').mapping);
}

const FAMILY = { demo: 'erp_product', tryton: 'tryton_product', s4: 's4_product', bc: 'bc_item' } as const;

describe.each(['demo', 'tryton', 's4', 'bc'] as const)('the %s preset merges field by field', (preset) => {
  const family = FAMILY[preset];
  const presetFamily = PRESETS[preset].structure!.families!.definitions![family]!;

  it('structure.families.definitions: one more family variant without restating the family', () => {
    const m = resolved(
      preset,
      [
        '  structure:',
        '    families:',
        '      definitions:',
        `        ${family}:`,
        '          variants:',
        '            by_brand_and_size:',
        '              levels: [{ axes: [size], attributes: [ean] }]',
      ].join('\n'),
    );
    const def = m.structure.families.definitions[family]!;
    expect(def.attributes).toEqual(presetFamily.attributes);
    expect(def.attributeAsLabel).toBe(presetFamily.attributeAsLabel);
    expect(def.labels).toEqual(presetFamily.labels);
    expect(Object.keys(def.variants ?? {})).toEqual([...Object.keys(presetFamily.variants ?? {}), 'by_brand_and_size']);
    expect(def.variants!.by_brand_and_size!.levels).toEqual([{ axes: ['size'], attributes: ['ean'] }]);
  });

  it('structure.families.definitions: a list given replaces the preset list', () => {
    const m = resolved(preset, `  structure: { families: { definitions: { ${family}: { attributes: [name, ean] } } } }`);
    expect(m.structure.families.definitions[family]!.attributes).toEqual(['name', 'ean']);
    expect(m.structure.families.definitions[family]!.labels).toEqual(presetFamily.labels);
  });

  it('structure.families: a default changed, the definitions kept', () => {
    const m = resolved(preset, '  structure: { families: { default: other } }');
    expect(m.structure.families.default).toBe('other');
    expect(m.structure.families.definitions[family]!.attributes).toEqual(presetFamily.attributes);
  });

  it('structure.categories and structure.variants: one key changed, the others kept', () => {
    const m = resolved(preset, '  structure: { categories: { prefix: x_ }, variants: { modelPrefix: m_ } }');
    const p = PRESETS[preset].structure!;
    const { root, labelField } = p.categories!;
    expect(m.structure.categories).toMatchObject({ prefix: 'x_', mode: p.categories!.mode, ...(root ? { root } : {}), ...(labelField ? { labelField } : {}) });
    expect(m.structure.variants).toMatchObject({ modelPrefix: 'm_', groupBy: p.variants!.groupBy, familyVariant: p.variants!.familyVariant });
  });

  it('attributes: one key of an attribute changed, its type and labels kept; false removes it', () => {
    const m = resolved(preset, '  attributes: { name: { from: title }, ean: false }');
    expect(m.attributes.get('name')).toMatchObject({ from: ['title'], type: 'text', localizable: true, labels: (PRESETS[preset].attributes!.name as { labels: unknown }).labels });
    expect(m.attributes.has('ean')).toBe(false);
    if (PRESETS[preset].attributes!.weight) expect(m.attributes.get('weight')?.type).toBe('metric');
    else expect(m.attributes.get('variant')?.type).toBe('simpleselect');
  });

  it('codes, identity, locales, options: one key changed, the others kept', () => {
    const m = resolved(preset, '  codes: { case: preserve }\n  identity: { enabled: false }\n  locales: { es: es_ES }\n  options: { renames: { color: { rouge: red } } }');
    expect(m.codes).toEqual({ normalise: true, case: 'preserve' });
    expect(m.identity.enabled).toBe(false);
    expect([...m.identity.ignore]).toEqual(PRESETS[preset].identity!.ignore);
    expect(m.locales).toEqual({ ...PRESETS[preset].locales, es: 'es_ES' });
    expect(m.options).toEqual({ autoCreate: true, renames: { color: { rouge: 'red' } } });
  });

  it('a family or family variant the preset does not define must be complete, with the key path named', () => {
    const text = `${BASE}mapping:\n  preset: ${preset}\n  structure: { families: { definitions: { shoes: { labels: { en_US: Shoes } }, ${family}: { variants: { by_x: { labels: { en_US: X } } } } } } }`;
    try {
      parseConfig(text, 'ferry.yaml');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const paths = (err as ConfigError).problems.map((p) => p.path);
      expect(paths).toContain('mapping.structure.families.definitions.shoes.attributes');
      expect(paths).toContain(`mapping.structure.families.definitions.${family}.variants.by_x.levels`);
    }
  });
});
