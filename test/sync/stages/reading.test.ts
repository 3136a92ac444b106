import { describe, expect, it } from 'vitest';
import { RecordReader } from '../../../src/sync/stages/reading.js';
import { stageWorld } from './support.js';

describe('reading stage', () => {
  it('completes a group whose one item changed: its sibling is read again by key and does not move the watermark', async () => {
    const { erp, state, ctx } = await stageWorld();
    erp.put({ stream: 'groups', key: 'tshirt', fields: {} });
    const blue = erp.item('tshirt_blue', 'tshirt', { name: 'Blue' });
    const red = erp.item('tshirt_red', 'tshirt', { name: 'Red' });
    // An earlier run knew both members of the group.
    await state.saveGroupMembers([
      { stream: 'items', key: 'tshirt_blue', groupKey: 'tshirt', record: null },
      { stream: 'items', key: 'tshirt_red', groupKey: 'tshirt', record: null },
    ]);
    const reader = new RecordReader(ctx);
    const read = await reader.readItems({ mode: 'since', since: red.updatedAt!, groupSince: red.updatedAt!, extraItemKeys: [], allowed: null });

    const chunks = [...read.index.chunks(10)];
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toHaveLength(1);
    const [groupKey, items] = chunks[0]![0]!;
    expect(groupKey).toBe('tshirt');
    expect(items.map((i) => i.key).sort()).toEqual(['tshirt_blue', 'tshirt_red']);
    expect([...read.seenItemKeys].sort()).toEqual(['tshirt_blue', 'tshirt_red']);
    expect(read.groups.has('tshirt')).toBe(true);
    // Only the main since-read moves the watermark: blue (earlier) was read by key.
    expect(reader.maxUpdatedAt.items).toBe(red.updatedAt);
    expect(blue.updatedAt! < red.updatedAt!).toBe(true);
    expect(erp.reads.some((r) => r.stream === 'items' && r.keys === 1)).toBe(true);
    expect(ctx.ledger.has('items', 'tshirt_blue')).toBe(true);
  });

  it('--category: resolves the subtree and leaves items outside it out of the run (counted, not read)', async () => {
    const { erp, ctx } = await stageWorld({ category: 'cat_a' });
    erp.put({ stream: 'categories', key: 'master', parent: null, fields: {} });
    erp.put({ stream: 'categories', key: 'cat_a', parent: 'master', fields: {} });
    erp.put({ stream: 'categories', key: 'cat_b', parent: 'cat_a', fields: {} });
    erp.put({ stream: 'categories', key: 'other', parent: 'master', fields: {} });
    erp.item('in_b', null, { name: 'In B' }, { categories: ['cat_b'] });
    erp.item('elsewhere', null, { name: 'Elsewhere' }, { categories: ['other'] });
    const reader = new RecordReader(ctx);

    const cats = await reader.readCategories(undefined);
    expect(cats.records).toHaveLength(4);
    expect([...cats.allowed!].sort()).toEqual(['cat_a', 'cat_b']);

    const read = await reader.readItems({ mode: 'category', since: undefined, groupSince: undefined, extraItemKeys: [], allowed: cats.allowed });
    expect([...read.seenItemKeys]).toEqual(['in_b']);
    expect(ctx.outOfScope).toBe(1);
    expect(ctx.ledger.has('items', 'elsewhere')).toBe(false);
  });

  it('an unreadable ERP row is a reject of the run, never a silent drop', async () => {
    const { erp, ctx } = await stageWorld();
    erp.item('ok', null, { name: 'OK' });
    erp.item('broken', null, { name: 'Broken' });
    erp.badRows.set('items:broken', { key: 'broken', field: 'weight', message: 'weight "x" is not a number' });
    const read = await new RecordReader(ctx).readItems({ mode: 'full', since: undefined, groupSince: undefined, extraItemKeys: [], allowed: null });
    expect([...read.seenItemKeys]).toEqual(['ok']);
    expect(ctx.ledger.outcomeOf('items', 'broken')).toBe('rejected');
    expect(ctx.rejectsShown).toHaveLength(1);
    expect(ctx.rejectsShown[0]).toMatchObject({ key: 'broken', attribute: 'weight' });
    expect(ctx.rejectsShown[0]!.message).toContain('weight "x" is not a number');
  });
});
