/**
 * Issue 16 on real Tryton 6.0 data (the files-adapter version is test/mapping/axes-locales-e2e.test.ts):
 * a PIM with one locale (the sandbox's `empty` catalog: en_US, no families), a Tryton with four
 * languages (en, fr, de, zh_CN) and seven selection attributes, a T-shirt template that only colour
 * and size together tell apart (red S, red M, blue M, blue XL), all through the `tryton` preset.
 * One confirmed bootstrap (three locales activated through the channel, exactly the family variants
 * the templates need), a sync with zero rejects and each template on the right family variant, then
 * a second sync that writes nothing. The colour options carry Tryton's translated labels in all four
 * locales; a label changed in Tryton updates that option alone, a new option is created with its labels.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AkeneoClient } from '../../src/akeneo/index.js';
import type { ProductModel } from '../../src/akeneo/model.js';
import { ferryConfigSchema, type FerryConfig } from '../../src/config/schema.js';
import type { FieldValue } from '../../src/erp/port.js';
import { TrytonRpc } from '../../src/erp/tryton/rpc.js';
import { createTrytonSource, type TrytonSource } from '../../src/erp/tryton/index.js';
import { createLogger } from '../../src/logging.js';
import { describePlan, loadPimStructure, planBootstrap } from '../../src/mapping/index.js';
import { resolveMapping } from '../../src/mapping/resolve.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { runSync } from '../../src/sync/index.js';
import { bootstrapPim, readAxisSamples } from '../../src/sync/bootstrap.js';
import { startTryton, type RunningTryton } from '../support/tryton/index.js';
import { skipTryton } from '../erp/tryton/helpers.js';
import { checkCounts, sandboxPimConfig, tempDirs } from './support/e2e.js';
import { clientFor, pimSnapshot, recordingClient } from './support/pim.js';

const silent = createLogger({ level: 'silent' });
const tempDir = tempDirs('ferry-tryton-axes-');
const LANGUAGES = ['en', 'fr', 'de', 'zh_CN'];

/** Seven selection attributes; colour labels translated, the others the same text in every language. */
const SELECTS: { name: string; label: Record<string, string>; options: [string, Record<string, string>][] }[] = [
  {
    name: 'color',
    label: { en: 'Colour', fr: 'Couleur', de: 'Farbe', zh_CN: '颜色' },
    options: [
      ['red', { en: 'Red', fr: 'Rouge', de: 'Rot', zh_CN: '红色' }],
      ['blue', { en: 'Blue', fr: 'Bleu', de: 'Blau', zh_CN: '蓝色' }],
      ['black', { en: 'Black', fr: 'Noir', de: 'Schwarz', zh_CN: '黑色' }],
    ],
  },
  { name: 'size', label: { en: 'Size', fr: 'Taille', de: 'Größe', zh_CN: '尺码' }, options: ['s', 'm', 'xl'].map((s) => [s, { en: s.toUpperCase() }]) },
  { name: 'material', label: { en: 'Material', fr: 'Matière', de: 'Material', zh_CN: '材料' }, options: ['cotton', 'wool', 'silk'].map((s) => [s, { en: s[0]!.toUpperCase() + s.slice(1) }]) },
  { name: 'fit', label: { en: 'Fit' }, options: [['regular', { en: 'Regular' }], ['slim', { en: 'Slim' }]] },
  { name: 'season', label: { en: 'Season' }, options: [['summer', { en: 'Summer' }], ['winter', { en: 'Winter' }]] },
  { name: 'collar', label: { en: 'Collar' }, options: [['round', { en: 'Round' }], ['vee', { en: 'V' }]] },
  { name: 'sleeve', label: { en: 'Sleeve' }, options: [['short', { en: 'Short' }], ['long', { en: 'Long' }]] },
];

/** template code, variant suffix, colour, size, material, swatch (a text attribute that follows the colour). */
const VARIANTS: [string, string, string, string, string, string][] = [
  ['TS-ORG', '-RED-S', 'red', 's', 'cotton', '#c00'],
  ['TS-ORG', '-RED-M', 'red', 'm', 'cotton', '#c00'],
  ['TS-ORG', '-BLU-M', 'blue', 'm', 'cotton', '#00c'],
  ['TS-ORG', '-BLU-XL', 'blue', 'xl', 'cotton', '#00c'],
  ['CAP', '-S', 'black', 's', 'wool', '#000'],
  ['CAP', '-M', 'black', 'm', 'wool', '#000'],
  ['SCARF', '-RED', 'red', 'm', 'silk', '#c00'],
  ['SCARF', '-BLU', 'blue', 'm', 'silk', '#00c'],
];
const NAMES: Record<string, Record<string, string>> = {
  'TS-ORG': { en: 'Organic tee', fr: 'T-shirt bio', de: 'Bio-Hemd', zh_CN: '有机T恤' },
  CAP: { en: 'Wool cap', fr: 'Bonnet en laine', de: 'Wollmütze', zh_CN: '羊毛帽' },
  SCARF: { en: 'Silk scarf', fr: 'Écharpe en soie', de: 'Seidenschal', zh_CN: '丝巾' },
};

const selection = (s: (typeof SELECTS)[number], lang: string) => s.options.map(([code, labels]) => `${code}:${labels[lang] ?? labels['en']!}`).join('\n');

/** Writes the colour attribute's selection as SELECTS[0] has it now, in each of `languages` (the source language first). */
async function writeColours(tryton: RunningTryton, languages: string[]): Promise<void> {
  const rpc = new TrytonRpc({ url: tryton.url, database: tryton.database, username: tryton.username, password: tryton.password });
  await rpc.login();
  try {
    const [id] = (await rpc.call('model.product.attribute.search', [[['name', '=', 'color']], 0, 1, null, {}])) as number[];
    for (const lang of languages) await rpc.call('model.product.attribute.write', [[id], { selection: selection(SELECTS[0]!, lang) }, { language: lang }]);
  } finally {
    await rpc.logout();
  }
}

/** The PIM's colour options: code → labels. */
async function colourLabels(client: AkeneoClient): Promise<Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, string>> = {};
  for await (const o of client.attributeOptions('color').list()) out[o.code] = Object.fromEntries(Object.entries(o.labels ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'));
  return out;
}

const RED = { en_US: 'Red', fr_FR: 'Rouge', de_DE: 'Rot', zh_CN: '红色' };
const BLUE = { en_US: 'Blue', fr_FR: 'Bleu', de_DE: 'Blau', zh_CN: '蓝色' };
const BLACK = { en_US: 'Black', fr_FR: 'Noir', de_DE: 'Schwarz', zh_CN: '黑色' };

/** The selection attributes (and the swatch text) in Tryton, labels and option labels in every language. */
async function createAttributes(tryton: RunningTryton): Promise<void> {
  const rpc = new TrytonRpc({ url: tryton.url, database: tryton.database, username: tryton.username, password: tryton.password });
  await rpc.login();
  try {
    const ids = (await rpc.call('model.product.attribute.create', [
      [...SELECTS.map((s) => ({ name: s.name, type_: 'selection', string: s.label['en']!, selection: selection(s, 'en') })), { name: 'swatch', type_: 'char', string: 'Swatch' }],
      {},
    ])) as number[];
    // zh_CN ships with Tryton but is not loaded in the test database: make it translatable first.
    const [zh] = (await rpc.call('model.ir.lang.search', [[['code', '=', 'zh_CN']], 0, 1, null, { active_test: false }])) as number[];
    await rpc.call('model.ir.lang.write', [[zh], { translatable: true, active: true }, {}]);
    for (const lang of LANGUAGES.filter((l) => l !== 'en')) {
      for (const [i, s] of SELECTS.entries()) {
        await rpc.call('model.product.attribute.write', [[ids[i]], { string: s.label[lang] ?? s.label['en']!, selection: selection(s, lang) }, { language: lang }]);
      }
    }
  } finally {
    await rpc.logout();
  }
}

describe.skipIf(skipTryton)('issue 16 on Tryton: one-locale PIM, four languages, seven selections, a template told apart by colour + size', () => {
  let tryton: RunningTryton;
  let sandbox: RunningSandbox;
  let source: TrytonSource;
  let client: AkeneoClient;
  let config: FerryConfig;

  beforeAll(async () => {
    tryton = await startTryton({ seed: 'none' });
    await createAttributes(tryton);
    sandbox = await startSandbox({ catalog: 'empty' });
    config = ferryConfigSchema.parse({
      pim: sandboxPimConfig(sandbox),
      erp: { type: 'tryton', url: tryton.url, database: tryton.database, username: tryton.username, password: tryton.password, languages: LANGUAGES },
      mapping: { preset: 'tryton' },
      state: { path: `${tempDir()}/ferry.db` },
    });
    source = createTrytonSource({ ...(config.erp as Parameters<typeof createTrytonSource>[0] & object), deltaSkewSeconds: 0 } as Parameters<typeof createTrytonSource>[0]);
    // The templates and their variants, written through Ferry's Tryton sink (names in four languages).
    const groups = Object.entries(NAMES).map(([key, values]) => ({ stream: 'groups' as const, key, updatedAt: null, fields: { name: { kind: 'localized' as const, values } } }));
    expect((await source.upsert('groups', groups)).map((r) => r.outcome)).toEqual(['created', 'created', 'created']);
    const items = VARIANTS.map(([group, suffix, color, size, material, swatch]) => {
      const fields: Record<string, FieldValue> = { color, size, material, fit: 'regular', season: 'summer', collar: 'round', sleeve: 'short', swatch };
      return { stream: 'items' as const, key: `${group}${suffix}`, group, updatedAt: null, fields };
    });
    const results = await source.upsert('items', items);
    expect(results.filter((r) => r.outcome !== 'created')).toEqual([]);
    client = clientFor(sandbox);
  }, 180_000);

  afterAll(async () => {
    await source?.close();
    await client?.close();
    await sandbox?.close();
    await tryton?.close();
  });

  it('plans the three missing locales and exactly the family variants the templates need, then bootstraps in one pass', async () => {
    const mapping = resolveMapping(config.mapping);
    const plan = planBootstrap(mapping, await loadPimStructure(client), await source.describe(), { samples: await readAxisSamples(mapping, source) });
    expect(plan.locales.map((l) => l.locale).sort()).toEqual(['de_DE', 'fr_FR', 'zh_CN']);
    expect(plan.channels.map((c) => [c.code, [...c.locales].sort()])).toEqual([['ecommerce', ['de_DE', 'en_US', 'fr_FR', 'zh_CN']]]);
    expect(plan.familyVariants.map((f) => [f.code, f.variant_attribute_sets.map((s) => s.axes)]).sort()).toEqual([
      ['tryton_product_by_color', [['color']]],
      ['tryton_product_by_color_then_size', [['color'], ['size']]],
      ['tryton_product_by_size', [['size']]],
    ]);
    const twoLevels = plan.familyVariants.find((f) => f.code === 'tryton_product_by_color_then_size')!;
    expect(twoLevels.variant_attribute_sets[0]!.attributes).toContain('swatch');
    expect(plan.indistinguishable).toEqual([]);
    expect(describePlan(plan).join('\n')).toContain('+ locale zh_CN activated for ERP language zh_CN (added to channel ecommerce');

    // Dropped instead: no activation, no note, and the preset's labels stay out of the dropped locale.
    const dropped = resolveMapping({ ...config.mapping, dropLanguages: ['zh_CN'] });
    const withoutZh = planBootstrap(dropped, await loadPimStructure(client), await source.describe(), { samples: await readAxisSamples(dropped, source) });
    expect(withoutZh.locales.map((l) => l.locale).sort()).toEqual(['de_DE', 'fr_FR']);
    expect(withoutZh.notes.filter((n) => n.includes('zh_CN'))).toEqual([]);
    expect(withoutZh.familyVariants.map((f) => f.code).sort()).toEqual(plan.familyVariants.map((f) => f.code).sort());

    const summary = await bootstrapPim(client, config.mapping, source);
    expect(summary.failures).toEqual([]);
    const enabled: string[] = [];
    for await (const l of await client.locales.list()) if (l.enabled) enabled.push(l.code);
    expect(enabled.sort()).toEqual(['de_DE', 'en_US', 'fr_FR', 'zh_CN']);
    // The options carry Tryton's labels in every locale, not their codes.
    expect(await colourLabels(client)).toEqual({ red: RED, blue: BLUE, black: BLACK });
  }, 120_000);

  it('syncs with zero rejects, each template on the family variant its data needs, names in all four locales', async () => {
    const first = await runSync(config, { client, source, logger: silent, full: true });
    checkCounts(first);
    expect(first.rejects, JSON.stringify(first.rejects.slice(0, 3))).toEqual([]);
    expect(first.status).toBe('succeeded');
    expect(first.byType.product.created).toBe(VARIANTS.length);
    const snap = await pimSnapshot(client);
    const product = (sku: string) => snap.products[sku] as { parent: string; values: Record<string, { locale: string | null; data: unknown }[]> };
    const model = (code: string) => snap.models[code] as ProductModel;
    const rootCode = (sku: string) => {
      let code = product(sku).parent;
      while (model(code).parent) code = model(code).parent!;
      return code;
    };
    const root = (sku: string) => model(rootCode(sku));
    expect(root('TS-ORG-BLU-M').family_variant).toBe('tryton_product_by_color_then_size');
    // Blue M sits under the blue sub-model, next to blue XL and apart from red M.
    expect(product('TS-ORG-BLU-M').parent).toBe(product('TS-ORG-BLU-XL').parent);
    expect(product('TS-ORG-BLU-M').parent).not.toBe(product('TS-ORG-RED-M').parent);
    expect(model(product('TS-ORG-BLU-M').parent).parent).toBe(rootCode('TS-ORG-RED-S'));
    expect(root('CAP-S').family_variant).toBe('tryton_product_by_size');
    expect(root('SCARF-RED').family_variant).toBe('tryton_product_by_color');
    const name = root('TS-ORG-BLU-M').values?.['name'] ?? [];
    expect(Object.fromEntries(name.map((v) => [v.locale, v.data])), JSON.stringify(name)).toEqual({ en_US: 'Organic tee', fr_FR: 'T-shirt bio', de_DE: 'Bio-Hemd', zh_CN: '有机T恤' });
    expect(await colourLabels(client)).toEqual({ red: RED, blue: BLUE, black: BLACK });
  }, 120_000);

  it('a second sync writes nothing', async () => {
    const { client: recording, writes } = recordingClient(client);
    const second = await runSync(config, { client: recording, source, logger: silent, full: true });
    checkCounts(second);
    expect(second.rejects).toEqual([]);
    expect(writes).toEqual([]);
    expect(second.counts.created + second.counts.updated + second.counts.deleted + second.counts.disabled).toBe(0);
  }, 120_000);

  it('a label changed in Tryton updates that option alone; a new option is created with its labels', async () => {
    SELECTS[0]!.options[1]![1].fr = 'Bleu roi';
    await writeColours(tryton, ['fr']);
    const changed = recordingClient(client);
    const third = await runSync(config, { client: changed.client, source, logger: silent });
    checkCounts(third);
    expect(third.rejects).toEqual([]);
    expect(changed.writes).toEqual([{ resource: 'options:color', lines: [{ code: 'blue', attribute: 'color', labels: { ...BLUE, fr_FR: 'Bleu roi' } }] }]);
    expect(await colourLabels(client)).toEqual({ red: RED, blue: { ...BLUE, fr_FR: 'Bleu roi' }, black: BLACK });

    SELECTS[0]!.options.push(['green', { en: 'Green', fr: 'Vert', de: 'Grün', zh_CN: '绿色' }]);
    await writeColours(tryton, LANGUAGES);
    const added = recordingClient(client);
    const fourth = await runSync(config, { client: added.client, source, logger: silent });
    expect(fourth.rejects).toEqual([]);
    expect(added.writes).toEqual([{ resource: 'options:color', lines: [{ code: 'green', attribute: 'color', labels: { en_US: 'Green', fr_FR: 'Vert', de_DE: 'Grün', zh_CN: '绿色' } }] }]);

    const quiet = recordingClient(client);
    const fifth = await runSync(config, { client: quiet.client, source, logger: silent });
    expect(fifth.rejects).toEqual([]);
    expect(quiet.writes).toEqual([]);
  }, 120_000);
});
