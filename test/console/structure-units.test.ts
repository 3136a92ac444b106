/**
 * The Mapping page's draft edits and the edits a save sends: a structure or settings change is
 * sent as the deepest changed key path (so ferry.yaml keeps every other line), a cleared field
 * leaves no empty map behind, and a key the key-path syntax cannot spell is written with its map.
 */
import { describe, expect, it } from 'vitest';
import { draftChanges, setDraftPath, setStructureKey } from '../../web/src/components/mapping/draft-edit.js';

describe('mapping draft edits', () => {
  it('sets and clears a value at a key path, pruning maps left empty', () => {
    const draft = { preset: 'demo' };
    const path = ['structure', 'families', 'definitions', 'erp_product', 'variants', 'by_size', 'levels'];
    const levels = [{ axes: ['size'], attributes: [] }];
    const set = setDraftPath(draft, path, levels);
    expect(set).toEqual({ preset: 'demo', structure: { families: { definitions: { erp_product: { variants: { by_size: { levels } } } } } } });
    expect(draft).toEqual({ preset: 'demo' });
    expect(setDraftPath(set, path, undefined)).toEqual({ preset: 'demo' });
    expect(setDraftPath(setStructureKey(set, 'variants', 'modelPrefix', 'm_'), ['structure', 'variants', 'modelPrefix'], '')).toEqual(set);
    expect(setDraftPath({ dropLanguages: ['de'] }, ['dropLanguages'], [])).toEqual({});
  });

  it('sends the deepest changed keys, removals, and whole maps whose keys a key path cannot spell', () => {
    const saved = { preset: 'demo', locales: { en: 'en_US' }, structure: { variants: { groupBy: 'group', familyVariant: { erp_product: 'auto' } } }, attributes: { weight: { unit: 'KILOGRAM' } } };
    const draft = {
      preset: 'demo',
      locales: { en: 'en_GB', de: 'de_DE' },
      structure: { variants: { groupBy: 'group', familyVariant: { erp_product: 'erp_product_size' } }, families: { definitions: { erp_product: { variants: { x: { levels: [{ axes: ['size'], attributes: [] }] } } } } } },
      attributes: { weight: { unit: 'KILOGRAM', renames: { '3.5': 'three_five' } } },
    };
    expect(draftChanges(saved, draft)).toEqual([
      { path: 'mapping.locales.en', value: 'en_GB' },
      { path: 'mapping.locales.de', value: 'de_DE' },
      { path: 'mapping.structure.variants.familyVariant.erp_product', value: 'erp_product_size' },
      { path: 'mapping.structure.families', value: draft.structure.families },
      { path: 'mapping.attributes.weight.renames', value: { '3.5': 'three_five' } },
    ]);
    expect(draftChanges(draft, saved)).toContainEqual({ path: 'mapping.structure.families', remove: true });
    expect(draftChanges(saved, saved)).toEqual([]);
  });
});
