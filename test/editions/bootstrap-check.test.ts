/**
 * Bootstrap and `ferry check` per edition, against the sandbox's live structure (issue 19):
 * on CE the ERP group's attributes cannot be read-only (the plan says so and what to do instead),
 * and a mapping to reference entities or assets is refused with the fix; on EE/SaaS neither applies.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ferryConfigSchema } from '../../src/config/schema.js';
import { createErpSource } from '../../src/erp/factory.js';
import { checkMapping, describePlan, planBootstrap } from '../../src/mapping/index.js';
import { loadPimStructure } from '../../src/mapping/pim-structure.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { tempDirs } from '../sync/support/e2e.js';
import { clientFor } from '../sync/support/pim.js';

const tempDir = tempDirs('ferry-editions-boot-');

async function planOn(edition: 'ce' | 'ee' | 'saas', version?: '6.0' | '7.0') {
  const sb = await startSandbox({ catalog: 'demo', edition, ...(version ? { version } : {}) });
  const config = ferryConfigSchema.parse({
    pim: { url: sb.url, token: 't' },
    erp: { type: 'demo', path: join(tempDir(), 'demo-erp.sqlite'), items: 20, seed: 3 },
    mapping: {
      preset: 'demo',
      attributes: { brand_entity: { from: 'brand', type: 'reference_entity', referenceEntity: 'brands' }, pictures: { from: 'brand', type: 'asset_collection' } },
    },
  });
  const client = clientFor(sb);
  const source = createErpSource(config.erp);
  try {
    const pim = await loadPimStructure(client);
    const description = await source.describe();
    return { pim, plan: planBootstrap(config.mapping, pim, description), problems: checkMapping(config.mapping, pim, description) };
  } finally {
    await source.close();
    await client.close();
    await sb.close();
  }
}

describe('bootstrap and check per edition', () => {
  it('CE 6.0: editable ERP attributes with the reason and the alternative; no reference entity or asset attribute', async () => {
    const { plan, problems } = await planOn('ce', '6.0');
    expect(plan.readOnly).toBe(false);
    expect(plan.attributes.length).toBeGreaterThan(3);
    expect(plan.attributes.every((a) => a.is_read_only === undefined)).toBe(true);
    const text = describePlan(plan).join('\n');
    expect(text).toContain('note: attributes of group erp: created editable, not read-only — this PIM is Akeneo Community Edition 6.0.28');
    expect(text).toContain('ferry sync --verify --repair');
    expect(plan.attributes.map((a) => a.code)).not.toContain('brand_entity');
    expect(text).toContain('attribute brand_entity: not created — akeneo_reference_entity exists on Enterprise Edition and SaaS only');

    const refused = problems.filter((p) => p.code === 'edition_unsupported');
    expect(refused.map((p) => p.attribute).sort()).toEqual(['brand_entity', 'pictures']);
    const brand = refused.find((p) => p.attribute === 'brand_entity')!;
    expect(brand).toMatchObject({ severity: 'error', erpField: 'brand' });
    expect(brand.message).toBe('attribute brand_entity is mapped as reference_entity, but this PIM is Akeneo Community Edition 6.0.28, which has no reference entities: they exist on Enterprise Edition and SaaS only');
    expect(brand.fix).toMatch(/simpleselect/);
    expect(refused.find((p) => p.attribute === 'pictures')!.message).toMatch(/no assets \(the Asset Manager\)/);
  });

  for (const [edition, version] of [['ee', '7.0'], ['saas', undefined]] as const) {
    it(`${edition}: read-only ERP attributes, and reference entity / asset mappings are not refused for the edition`, async () => {
      const { plan, problems } = await planOn(edition, version);
      expect(plan.readOnly).toBe(true);
      expect(plan.attributes.filter((a) => a.group === 'erp').every((a) => a.is_read_only === true)).toBe(true);
      expect(plan.notes.join('\n')).not.toMatch(/not read-only|Enterprise Edition and SaaS only/);
      expect(problems.filter((p) => p.code === 'edition_unsupported')).toEqual([]);
    });
  }
});
