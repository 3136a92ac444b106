/**
 * Issue 16, end to end: a PIM with one locale (the sandbox's `empty` catalog: en_US, no families),
 * a files ERP with four languages (en, fr, de, zh_CN) and seven select fields, a T-shirt group
 * that only colour and size together tell apart (red S, red M, blue M, blue XL). One confirmed
 * bootstrap (locales activated through the channel, exactly the family variants the groups need),
 * then a sync with zero rejects, each group on the right family variant, and a second sync that
 * writes nothing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ferryConfigSchema } from '../../src/config/schema.js';
import { createErpSource } from '../../src/erp/factory.js';
import { createLogger } from '../../src/logging.js';
import { axisProblems, describePlan, loadPimStructure, planBootstrap } from '../../src/mapping/index.js';
import { resolveMapping } from '../../src/mapping/resolve.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { bootstrapPim, readAxisSamples } from '../../src/sync/bootstrap.js';
import { runSync } from '../../src/app/run-sync.js';
import { sandboxPimConfig, tempDirs } from '../sync/support/e2e.js';
import { clientFor, pimSnapshot } from '../sync/support/pim.js';

const silent = createLogger({ level: 'silent' });
const tempDir = tempDirs('ferry-axes-e2e-');
const SELECTS = ['color', 'size', 'material', 'fit', 'season', 'collar', 'sleeve'];

/** sku, model, names in four languages, seven selects, and a swatch text constant per colour. */
function writeErp(folder: string, extra: string[][] = []): void {
  const header = ['sku', 'model', 'name_en', 'name_fr', 'name_de', 'name_zh_CN', ...SELECTS, 'swatch'];
  const row = (sku: string, model: string, color: string, size: string, material: string, swatch: string) => [sku, model, `Tee ${sku}`, `T-shirt ${sku}`, `Hemd ${sku}`, `T恤 ${sku}`, color, size, material, 'regular', 'summer', 'round', 'short', swatch];
  const rows = [
    row('TS-ORG-RED-S', 'TS-ORG', 'Red', 'S', 'Cotton', '#c00'),
    row('TS-ORG-RED-M', 'TS-ORG', 'Red', 'M', 'Cotton', '#c00'),
    row('TS-ORG-BLU-M', 'TS-ORG', 'Blue', 'M', 'Cotton', '#00c'),
    row('TS-ORG-BLU-XL', 'TS-ORG', 'Blue', 'XL', 'Cotton', '#00c'),
    row('CAP-S', 'CAP', 'Black', 'S', 'Wool', '#000'),
    row('CAP-M', 'CAP', 'Black', 'M', 'Wool', '#000'),
    row('SCARF-RED', 'SCARF', 'Red', 'M', 'Silk', '#c00'),
    row('SCARF-BLU', 'SCARF', 'Blue', 'M', 'Silk', '#00c'),
    ...extra,
  ];
  const csv = (cells: string[]) => cells.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',');
  writeFileSync(join(folder, 'items.csv'), `${[header, ...rows].map(csv).join('\n')}\n`);
}

function configFor(sb: Awaited<ReturnType<typeof startSandbox>>, dir: string) {
  const folder = join(dir, 'drop');
  mkdirSync(folder, { recursive: true });
  return {
    folder,
    config: ferryConfigSchema.parse({
      pim: sandboxPimConfig(sb),
      erp: {
        type: 'files',
        folder,
        languages: ['en', 'fr', 'de', 'zh_CN'],
        moveAfterRead: false,
        streams: {
          items: { pattern: 'items*.csv', key: 'sku', group: 'model', fields: { ...Object.fromEntries(SELECTS.map((s) => [s, { type: 'select' }])), swatch: { type: 'string' } } },
        },
      },
      mapping: {
        codes: { normalise: true },
        defaultLanguage: 'en',
        structure: {
          categories: { mode: 'ignore' },
          families: { default: 'apparel', definitions: { apparel: { attributes: ['name'], includeErpAttributes: true, variantsFromErp: true } } },
          variants: { groupBy: 'group' },
        },
      },
      state: { path: join(dir, 'ferry.db') },
    }),
  };
}

describe('issue 16: one-locale PIM, four ERP languages, seven selects, a group told apart by colour + size', () => {
  it('bootstraps in one pass, syncs with zero rejects on the right family variants, then writes nothing', async () => {
    const sb = await startSandbox({ catalog: 'empty' });
    const dir = tempDir();
    const client = clientFor(sb, {});
    try {
      const { config } = configFor(sb, dir);
      writeErp(config.erp.type === 'files' ? config.erp.folder : '');
      const source = createErpSource(config.erp, { readOnly: true });
      // The plan: the three missing locales activated through the channel, exactly two family variants.
      const mapping = resolveMapping(config.mapping);
      const plan = planBootstrap(mapping, await loadPimStructure(client), await source.describe(), { samples: await readAxisSamples(mapping, source) });
      expect(plan.locales.map((l) => l.locale).sort()).toEqual(['de_DE', 'fr_FR', 'zh_CN']);
      expect(plan.channels.map((c) => [c.code, [...c.locales].sort()])).toEqual([['ecommerce', ['de_DE', 'en_US', 'fr_FR', 'zh_CN']]]);
      expect(plan.familyVariants.map((f) => [f.code, f.variant_attribute_sets.map((s) => s.axes)])).toEqual([
        ['apparel_by_color_then_size', [['color'], ['size']]],
        ['apparel_by_size', [['size']]],
        ['apparel_by_color', [['color']]],
      ]);
      // The swatch follows the colour: it lives on the colour sub-model.
      expect(plan.familyVariants[0]!.variant_attribute_sets[0]!.attributes).toContain('swatch');
      expect(plan.indistinguishable).toEqual([]);
      expect(describePlan(plan).join('\n')).toContain('+ locale zh_CN activated for ERP language zh_CN (added to channel ecommerce');
      // Confirmed bootstrap (what `ferry pim bootstrap --yes` does): no failure at all.
      const summary = await bootstrapPim(client, config.mapping, source);
      expect(summary.failures).toEqual([]);
      await source.close();
      const locales = await client.locales.list();
      const enabled: string[] = [];
      for await (const l of locales) if (l.enabled) enabled.push(l.code);
      expect(enabled.sort()).toEqual(['de_DE', 'en_US', 'fr_FR', 'zh_CN']);

      const first = await runSync(config, { logger: silent, full: true });
      expect(first.rejects, JSON.stringify(first.rejects.slice(0, 3))).toEqual([]);
      expect(first.status).toBe('succeeded');
      expect(first.byType.product.created).toBe(8);
      const snap = await pimSnapshot(client);
      const model = (code: string) => snap.models[code] as { family_variant: string; parent: string | null };
      expect(model('TS-ORG').family_variant).toBe('apparel_by_color_then_size');
      expect(model('TS-ORG_blue')).toMatchObject({ family_variant: 'apparel_by_color_then_size', parent: 'TS-ORG' });
      expect(model('CAP').family_variant).toBe('apparel_by_size');
      expect(model('SCARF').family_variant).toBe('apparel_by_color');
      const tee = snap.products['TS-ORG-BLU-M'] as { parent: string; values: Record<string, { locale: string | null; data: unknown }[]> };
      expect(tee.parent).toBe('TS-ORG_blue');
      // The name went to all four locales, the three activated ones included.
      expect(tee.values['name']?.map((v) => v.locale).sort()).toEqual(['de_DE', 'en_US', 'fr_FR', 'zh_CN']);

      const second = await runSync(config, { logger: silent, full: true });
      expect(second.rejects).toEqual([]);
      for (const type of ['product', 'product_model'] as const) {
        expect(second.byType[type].created, type).toBe(0);
        expect(second.byType[type].updated, type).toBe(0);
      }
    } finally {
      await client.close();
      await sb.close();
    }
  }, 120_000);

  it('a group whose items no field tells apart is reported before the sync, by group, with the fields tried and the fix', async () => {
    const sb = await startSandbox({ catalog: 'empty' });
    const dir = tempDir();
    const client = clientFor(sb, {});
    try {
      const { config, folder } = configFor(sb, dir);
      // Two socks that share every select value: no set of fields can tell them apart.
      const sock = (sku: string) => [sku, 'SOCK', 'Sock', 'Chaussette', 'Socke', '袜子', 'Grey', 'M', 'Wool', 'regular', 'winter', 'none', 'none', '#888'];
      writeErp(folder, [sock('SOCK-1'), sock('SOCK-2')]);
      const source = createErpSource(config.erp, { readOnly: true });
      const mapping = resolveMapping(config.mapping);
      const plan = planBootstrap(mapping, await loadPimStructure(client), await source.describe(), { samples: await readAxisSamples(mapping, source) });
      await source.close();
      expect(plan.indistinguishable).toHaveLength(1);
      const [g] = plan.indistinguishable;
      expect(g).toMatchObject({ group: 'SOCK', family: 'apparel', items: 2, skus: ['SOCK-1', 'SOCK-2'] });
      expect(g!.tried).toEqual([]);
      expect(g!.message).toBe('ERP group "SOCK" (family apparel, 2 items): no set of select fields tells its items apart, e.g. SKU "SOCK-1" and SKU "SOCK-2" have the same (no select field varies in this group)');
      expect(g!.fix).toContain('mapping.structure.variants.familyVariant.apparel');
      const problems = axisProblems(plan);
      expect(problems.find((p) => p.code === 'indistinguishable_group')).toMatchObject({ severity: 'error' });
      expect(problems.filter((p) => p.code === 'missing_family_variant').length).toBe(3);
    } finally {
      await client.close();
      await sb.close();
    }
  }, 60_000);
});
