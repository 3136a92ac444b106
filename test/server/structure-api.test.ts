/**
 * The Mapping page's structure and settings through the API, against the sandbox PIM and the demo
 * ERP with a ferry.yaml on disk: the editable layouts and axis candidates, a new family variant
 * changing the group preview before it is saved or bootstrapped, axes Akeneo would refuse named by
 * key path with a fix, a locale the PIM lacks refused the same way, and a save through PUT /config
 * that keeps the file's comments and that the config loader reads back.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { resolveMapping } from '../../src/mapping/resolve.js';
import { configFileSchema, mappingOverviewSchema, mappingPreviewSchema, type MappingOverview, type MappingPreview } from '../../src/server/api/contract.js';
import { PASSWORDS, startTestConsole, type TestConsole } from '../console/support/console.js';
import { tempDirs } from '../sync/support/e2e.js';
import { draftChanges } from '../../web/src/components/mapping/draft-edit.js';
import { signIn, type Session } from './support.js';

const tempDir = tempDirs('ferry-console-structure-');
let tc: TestConsole;
let julia: Session;
let file: string;

/** The test's ferry.yaml keeps comments inside `mapping:` so a save can be seen keeping them. */
const COMMENTED = 'mapping:\n  # the demo preset: templates become product models\n  preset: demo # keep this comment\n  structure:\n    variants:\n      modelPrefix: "" # no prefix, on purpose\n';

beforeAll(async () => {
  tc = await startTestConsole(tempDir(), { items: 60, configFile: true });
  file = join(dirname(tc.erpPath), 'ferry.yaml');
  const text = readFileSync(file, 'utf8');
  expect(text).toContain('mapping:\n  preset: demo\n');
  writeFileSync(file, text.replace('mapping:\n  preset: demo\n', COMMENTED));
  julia = await signIn(tc.server, 'julia', PASSWORDS.julia);
}, 120_000);
afterAll(async () => {
  await tc?.close();
});

async function post(url: string, payload: Record<string, unknown>) {
  const res = await tc.server.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: julia.headers, payload });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as unknown;
}
const overview = async (mapping?: Record<string, unknown>): Promise<MappingOverview> => mappingOverviewSchema.parse(await post('/mapping/overview', mapping ? { mapping } : {}));
const preview = async (body: Record<string, unknown>): Promise<MappingPreview> => mappingPreviewSchema.parse(await post('/mapping/preview', body));

/** A new family variant of the demo family: sizes first, then colours (the preset has colour first). */
const SIZE_THEN_COLOR = {
  preset: 'demo',
  structure: {
    families: { definitions: { erp_product: { variants: { erp_product_size_color: { levels: [{ axes: ['size'], attributes: [] }, { axes: ['color'], attributes: ['ean', 'weight'] }] } } } } },
    variants: { familyVariant: { erp_product: 'erp_product_size_color' } },
  },
};

/** A group of the sample with sub-models under the saved mapping, and its item keys. */
async function groupWithSubModels(): Promise<{ keys: string[]; unit: MappingPreview['units'][number] }> {
  for (let i = 0; i < 15; i++) {
    const p = await preview({ sample: 10 });
    const unit = p.units.find((u) => u.kind === 'group' && u.entities.some((e) => e.role === 'sub-model') && u.entities.filter((e) => e.role === 'variant').length >= 2);
    if (unit) return { keys: [unit.records.find((r) => r.key !== unit.key)?.key ?? p.keys[0]!], unit };
  }
  throw new Error('no group with sub-models in 15 samples of the demo ERP');
}

describe('structure and settings API', () => {
  it('lists the family variant layouts, the attributes that can be axes and the settings with their help', async () => {
    const o = await overview();
    const layout = o.structureEdit.layouts.find((l) => l.code === 'erp_product_color_size')!;
    expect(layout).toMatchObject({ family: 'erp_product', source: 'preset', inPim: true, path: 'mapping.structure.families.definitions.erp_product.variants.erp_product_color_size' });
    expect(layout.levels.map((l) => l.axes)).toEqual([['color'], ['size']]);
    expect(layout.pimLevels?.map((l) => l.axes)).toEqual([['color'], ['size']]);
    const axis = (code: string) => o.structureEdit.axisCandidates.find((a) => a.code === code);
    expect(axis('color')).toMatchObject({ inPim: true, unusable: null });
    expect(axis('name')?.unusable).toMatch(/localizable|text/);
    expect(o.structureEdit.families.find((f) => f.code === 'erp_product')?.attributes).toContain('size');
    const en = o.settings.languages.find((l) => l.language === 'en')!;
    expect(en).toMatchObject({ locale: 'en_US', source: 'preset', inErp: true });
    expect(o.settings.channels.pim.length).toBeGreaterThan(0);
    expect(o.settings.ownership.groups).toContain('erp');
    expect(o.settings.help['mapping.hotData.allow']).toMatch(/look hot but are cold/);
    expect(o.settings.help['mapping.structure.variants.singleGroupAsSimpleProduct']).toMatch(/one item/);
  });

  it('a new family variant in the draft changes the group preview before it is saved or bootstrapped', async () => {
    const { keys, unit: before } = await groupWithSubModels();
    const rootBefore = before.entities.find((e) => e.role === 'root model')!;
    expect(rootBefore.familyVariant).toBe('erp_product_color_size');
    const subAxis = (u: MappingPreview['units'][number]) => u.entities.filter((e) => e.role === 'sub-model').map((e) => e.values.map((v) => v.attribute));
    expect(subAxis(before).every((attrs) => attrs.includes('color'))).toBe(true);

    const after = await preview({ mapping: SIZE_THEN_COLOR, keys });
    expect(after.problems).toEqual([]);
    expect(after.asIfBootstrapped).toEqual(['erp_product_size_color']);
    const unit = after.units.find((u) => u.key === before.key)!;
    expect(unit.entities.find((e) => e.role === 'root model')!.familyVariant).toBe('erp_product_size_color');
    const subs = unit.entities.filter((e) => e.role === 'sub-model');
    expect(subs.length).toBeGreaterThan(0);
    for (const s of subs) expect(s.values.map((v) => v.attribute)).toContain('size');
    for (const s of subs) expect(s.values.map((v) => v.attribute)).not.toContain('color');
    // Nothing saved: the saved mapping still previews colour first.
    const again = (await preview({ keys })).units.find((u) => u.key === before.key)!;
    expect(again.entities.find((e) => e.role === 'root model')!.familyVariant).toBe('erp_product_color_size');
  });

  it('refuses axes Akeneo would refuse, new axes on a family variant the PIM has, and an unknown choice, each by key path with a fix', async () => {
    const base = 'mapping.structure.families.definitions.erp_product.variants';
    const p = await preview({
      mapping: {
        preset: 'demo',
        structure: {
          families: {
            definitions: {
              erp_product: {
                variants: {
                  erp_product_by_name: { levels: [{ axes: ['name'], attributes: [] }] },
                  erp_product_color: { levels: [{ axes: ['size'], attributes: [] }] },
                  erp_product_twice: { levels: [{ axes: ['color'], attributes: [] }, { axes: ['color'], attributes: [] }] },
                },
              },
            },
          },
          variants: { familyVariant: { erp_product: 'erp_product_nowhere' } },
        },
      },
    });
    expect(p.units).toEqual([]);
    const at = (path: string) => p.problems.find((x) => x.path === path);
    expect(at(`${base}.erp_product_by_name.levels[0].axes[0]`)?.message).toMatch(/name cannot be a variant axis: (localizable|a text)/);
    expect(at(`${base}.erp_product_by_name.levels[0].axes[0]`)?.fix).toMatch(/Pick one of: .*color/);
    expect(at(`${base}.erp_product_color.levels`)?.message).toMatch(/exists in the PIM with axes color/);
    expect(at(`${base}.erp_product_color.levels`)?.fix).toMatch(/new code/);
    expect(at(`${base}.erp_product_twice.levels[1].axes[0]`)?.message).toMatch(/axis twice/);
    expect(at('mapping.structure.variants.familyVariant.erp_product')?.fix).toMatch(/auto or one of: .*erp_product_color_size/);
    // The table still answers for the draft (the editor keeps what was typed), with the same problems.
    const o = await overview({ preset: 'demo', structure: { families: { definitions: { erp_product: { variants: { erp_product_by_name: { levels: [{ axes: ['name'], attributes: [] }] } } } } } } });
    expect(o.structureEdit.layouts.map((l) => l.code)).toContain('erp_product_by_name');
    expect(o.problems.map((x) => x.path)).toEqual([`${base}.erp_product_by_name.levels[0].axes[0]`]);
  });

  it('a level without axes (the schema refuses it) names the key path and the axes\' help', async () => {
    const p = await preview({ mapping: { preset: 'demo', structure: { families: { definitions: { erp_product: { variants: { erp_product_two: { levels: [{ axes: ['size'], attributes: [] }, { axes: [], attributes: [] }] } } } } } } } });
    const problem = p.problems.find((x) => x.path === 'mapping.structure.families.definitions.erp_product.variants.erp_product_two.levels[1].axes')!;
    expect(problem.fix).toMatch(/Axis attributes of this level/);
  });

  it('refuses a locale or a channel the PIM does not have, by key path', async () => {
    const p = await preview({ mapping: { preset: 'demo', locales: { en: 'xx_XX' }, channels: { default: ['nowhere'] } } });
    expect(p.problems.find((x) => x.path === 'mapping.locales.en')?.fix).toMatch(/en_US/);
    expect(p.problems.find((x) => x.path === 'mapping.channels.default[0]')?.message).toContain('nowhere');
  });

  it('saves the structure and settings through PUT /config: comments kept, the loader and the table read them back', async () => {
    const read = async () => configFileSchema.parse((await tc.server.app.inject({ method: 'GET', url: '/api/v1/config', headers: julia.headers })).json());
    const zeroAxes = await tc.server.app.inject({
      method: 'PUT',
      url: '/api/v1/config',
      headers: julia.headers,
      payload: { baseVersion: (await read()).version, changes: [{ path: 'mapping.structure.families.definitions.erp_product.variants.erp_product_none', value: { levels: [{ axes: [], attributes: [] }] } }] },
    });
    expect(zeroAxes.statusCode).toBe(422);
    expect((zeroAxes.json() as { errors: { path: string }[] }).errors.map((e) => e.path)).toContain('mapping.structure.families.definitions.erp_product.variants.erp_product_none.levels[0].axes');
    const before = readFileSync(file, 'utf8');
    // The edits the page sends (web/src/components/mapping/draft-edit.ts): the deepest keys that changed.
    const saved = (await overview()).saved;
    const draft = { ...saved, structure: { ...SIZE_THEN_COLOR.structure, variants: { modelPrefix: '', ...SIZE_THEN_COLOR.structure.variants } }, hotData: { allow: ['quantity_per_pack'] }, locales: { de: 'de_DE' } };
    const changes = draftChanges(saved, draft);
    expect(changes.map((c) => c.path)).toEqual(['mapping.structure.variants.familyVariant', 'mapping.structure.families', 'mapping.hotData', 'mapping.locales']);
    const res = await tc.server.app.inject({
      method: 'PUT',
      url: '/api/v1/config',
      headers: julia.headers,
      payload: {
        baseVersion: (await read()).version,
        changes,
        note: 'structure edited in the Console',
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    const after = readFileSync(file, 'utf8');
    expect(after).toContain('  # the demo preset: templates become product models\n  preset: demo # keep this comment\n');
    expect(after).toContain('      modelPrefix: "" # no prefix, on purpose\n');
    expect(after.slice(0, after.indexOf('mapping:'))).toBe(before.slice(0, before.indexOf('mapping:')));
    expect(parse(after).mapping.structure).toEqual(draft.structure);
    const loaded = resolveMapping((await loadConfig(file, {})).mapping);
    expect(loaded.structure.variants.familyVariant.erp_product).toBe('erp_product_size_color');
    expect(loaded.structure.families.definitions.erp_product!.variants!.erp_product_size_color!.levels[0]!.axes).toEqual(['size']);
    expect([...loaded.hotData.allow]).toEqual(['quantity_per_pack']);
    const o = await overview();
    expect(o.structureEdit.layouts.find((l) => l.code === 'erp_product_size_color')).toMatchObject({ source: 'file', inPim: false });
    expect(o.structure.variants.familyVariant.erp_product).toBe('erp_product_size_color');
    expect(o.settings.hotData.allow).toEqual(['quantity_per_pack']);
  });
});
