/**
 * FamilyVariantChanges against the sandbox and a real state store: what each mode writes (the
 * PIM and the state) before the engine plans the group. The whole path through `ferry sync` is in
 * family-variant-change-e2e.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, beforeAll } from 'vitest';
import { createAkeneoClient, type AkeneoClient } from '../../src/akeneo/index.js';
import type { MappedEntity } from '../../src/mapping/types.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { FamilyVariantChanges } from '../../src/sync/family-variant-change.js';
import { fingerprint } from '../../src/sync/hash.js';
import type { EntityState } from '../../src/sync/state/port.js';
import type { StateStore } from '../../src/sync/state/port.js';
import { stateStoreKinds } from './support/state-stores.js';
import { pimSnapshot } from './support/pim.js';

const v = (data: unknown) => [{ locale: null, scope: null, data }];
const origin = (key: string, stream = 'items') => ({ stream, key, updatedAt: null }) as never;

/** The store of the state kind whose tests run now (set before each kind's tests). */
let openState: () => Promise<StateStore>;

describe.each(await stateStoreKinds())('$name state', ({ open }) => {
  beforeAll(() => {
    openState = open;
  });

  describe('FamilyVariantChanges.prepare', () => {
    let sb: RunningSandbox;
    let pim: AkeneoClient;
    let state: StateStore;
    const rows: EntityState[] = [];
    const row = (type: 'product' | 'product_model', code: string, hashes: Record<string, string>, pimId: string | null = null): EntityState => ({
      type, code, pimId, originStream: type === 'product' ? 'items' : 'groups', originKey: code, groupKey: 'M', hashes, erpVersion: null, status: 'synced',
    });

    beforeEach(async () => {
      sb = await startSandbox({ catalog: 'demo' });
      pim = createAkeneoClient({ url: sb.url, auth: { kind: 'connection', clientId: sb.clientId, secret: sb.secret, username: sb.username, password: sb.password } });
      state = await openState();
      await pim.attributes.upsertMany([
        { code: 'color', type: 'pim_catalog_simpleselect', group: 'other', localizable: false, scopable: false },
        { code: 'size', type: 'pim_catalog_simpleselect', group: 'other', localizable: false, scopable: false },
        { code: 'title', type: 'pim_catalog_text', group: 'other', localizable: false, scopable: false },
      ] as never);
      await pim.attributeOptions('color').upsertMany([{ code: 'red', attribute: 'color' }, { code: 'blue', attribute: 'color' }]);
      await pim.attributeOptions('size').upsertMany([{ code: 's', attribute: 'size' }]);
      await pim.families.upsert({ code: 'shirt', attributes: ['sku', 'color', 'size', 'title'], attribute_as_label: 'sku' } as never);
      await pim.familyVariants('shirt').upsert({ code: 'by_color_size', family: 'shirt', variant_attribute_sets: [{ level: 1, axes: ['color'], attributes: ['color'] }, { level: 2, axes: ['size'], attributes: ['size'] }] } as never);
      await pim.familyVariants('shirt').upsert({ code: 'by_color', family: 'shirt', variant_attribute_sets: [{ level: 1, axes: ['color'], attributes: ['color', 'size'] }] } as never);
      // Two levels in the PIM: M → M-red / M-blue → one product each.
      await pim.productModels.upsert({ code: 'M', family_variant: 'by_color_size', values: { title: v('Julia') } } as never);
      rows.length = 0;
      rows.push(row('product_model', 'M', { '@family_variant': fingerprint('by_color_size'), '@parent': fingerprint(null) }));
      for (const c of ['red', 'blue']) {
        await pim.productModels.upsert({ code: `M-${c}`, parent: 'M', family_variant: 'by_color_size', values: { color: v(c) } } as never);
        rows.push(row('product_model', `M-${c}`, { '@family_variant': fingerprint('by_color_size'), '@parent': fingerprint('M') }));
        const r = await pim.products.upsert({ family: 'shirt', parent: `M-${c}`, values: { sku: v(`P-${c}`), size: v('s') } } as never);
        rows.push(row('product', `P-${c}`, { '@parent': fingerprint(`M-${c}`), '@family': fingerprint('shirt') }, r.uuid ?? null));
      }
      await state.saveEntities(rows);
    }, 60_000);
    afterEach(async () => {
      await pim.close();
      await sb.close();
      await state.close();
    });

    // The mapping now: one level (by_color), the products straight under M.
    const entities: MappedEntity[] = [
      { kind: 'product_model', origin: origin('M', 'groups'), code: 'M', family: 'shirt', familyVariant: 'by_color', parent: null, values: {} },
      { kind: 'product', origin: origin('P-red'), identifier: 'P-red', family: 'shirt', parent: 'M', values: { color: v('red'), size: v('s') } },
      { kind: 'product', origin: origin('P-blue'), identifier: 'P-blue', family: 'shirt', parent: 'M', values: { color: v('blue'), size: v('s') } },
    ];
    const maps = async () => ({
      models: await state.getEntities('product_model', ['M']),
      products: await state.getEntities('product', ['P-red', 'P-blue']),
    });
    const changes = (over: Partial<ConstructorParameters<typeof FamilyVariantChanges>[0]> = {}) =>
      new FamilyVariantChanges({ client: pim, state, mode: 'uuid', dryRun: false, confirmed: true, ownedAttributes: new Set(['color', 'size']), identifierAttribute: 'sku', updateOnly: false, ...over });

    it('update-only mode refuses and writes nothing', async () => {
      const before = await pimSnapshot(pim);
      const fv = changes({ updateOnly: true });
      const { models, products } = await maps();
      const refused = await fv.prepare(entities, models, products);
      expect(refused?.message).toContain('update-only mode (sync.updateOnly) never does');
      expect(fv.changes[0]).toMatchObject({ model: 'M', from: 'by_color_size', to: 'by_color', status: 'refused' });
      expect(await pimSnapshot(pim)).toEqual(before);
      expect((await state.getEntities('product_model', ['M'])).get('M')?.status).toBe('synced');
    });

    it('confirmed: detaches, deletes the old layout, forgets it in the state and keeps the PIM values for the new model', async () => {
      const fv = changes();
      const { models, products } = await maps();
      expect(await fv.prepare(entities, models, products)).toBeNull();
      expect(fv.changes[0]?.status).toBe('done');
      for (const code of ['M', 'M-red', 'M-blue']) await expect(pim.productModels.get(code)).rejects.toMatchObject({ status: 404 });
      const snap = await pimSnapshot(pim);
      expect(snap.productCount).toBe(2);
      // The state: every model of the old layout deleted (the sub-models the mapping no longer
      // gives included), the products' parent forgotten so the engine sends it again.
      const stored = await state.getEntities('product_model', ['M', 'M-red', 'M-blue']);
      for (const code of ['M', 'M-red', 'M-blue']) expect(stored.get(code)).toMatchObject({ status: 'deleted', hashes: {} });
      const storedProducts = await state.getEntities('product', ['P-red', 'P-blue']);
      for (const p of storedProducts.values()) {
        expect(p.hashes['@parent']).toBeUndefined();
        expect(p.hashes['@family']).toBe(fingerprint('shirt'));
      }
      expect(models.get('M')?.status).toBe('deleted');
      // The create payload gets Julia's model value (not Ferry's: title is not owned).
      const payload: Record<string, unknown> = { code: 'M', family_variant: 'by_color', values: {} };
      fv.addKeptValues(entities[0]!, payload);
      expect(payload.values).toEqual({ title: v('Julia') });
    });

    it('a dry run reads and lists the steps, writing nothing', async () => {
      const before = await pimSnapshot(pim);
      const fv = changes({ dryRun: true, confirmed: false });
      const { models, products } = await maps();
      expect(await fv.prepare(entities, models, products)).toBeNull();
      expect(fv.changes[0]?.status).toBe('planned');
      expect(fv.changes[0]?.steps[0]).toContain('and its 2 sub-models (M-blue, M-red) and the 2 products under them; keep the PIM values Ferry does not own on the models: title');
      expect(await pimSnapshot(pim)).toEqual(before);
      expect((await state.getEntities('product_model', ['M'])).get('M')?.status).toBe('synced');
      // Planned as new in memory only: the engine shows a create.
      expect(models.get('M')?.status).toBe('deleted');
    });
  });
});
