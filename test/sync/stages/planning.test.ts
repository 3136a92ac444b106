import { describe, expect, it } from 'vitest';
import type { ErpRecord } from '../../../src/erp/port.js';
import { RunContext } from '../../../src/sync/stages/context.js';
import { CollisionGuard } from '../../../src/sync/stages/collisions.js';
import { planGone } from '../../../src/sync/stages/deletions.js';
import { MediaUploads } from '../../../src/sync/stages/media.js';
import { PimWatch } from '../../../src/sync/stages/pim-watch.js';
import { PlannedIds } from '../../../src/sync/stages/planned.js';
import { Planner } from '../../../src/sync/stages/planning.js';
import type { SettledNotes, SyncTask } from '../../../src/sync/stages/tasks.js';
import type { EntityState } from '../../../src/sync/state/port.js';
import { stageWorld, type StageWorld } from './support.js';

/** Records what planning settled without a write. */
class Notes implements SettledNotes {
  settled: [string, boolean, string | undefined][] = [];
  markSettled(id: string, ok: boolean, reason?: string): void {
    this.settled.push([id, ok, reason]);
  }
}

function plannerOf(w: StageWorld, notes: SettledNotes | null = new Notes()): Planner {
  const media = new MediaUploads(w.ctx, new PimWatch(w.ctx, () => undefined));
  return new Planner(w.ctx, media, new PlannedIds(w.ctx), notes);
}

/** What the applying stage would store after every task succeeded. */
function written(tasks: SyncTask[]): EntityState[] {
  return tasks.map((t) => ({
    type: t.ctx.type,
    code: t.ctx.code,
    pimId: t.ctx.pimId,
    originStream: t.ctx.origin!.stream,
    originKey: t.ctx.origin!.key,
    groupKey: t.ctx.groupKey,
    hashes: t.ctx.nextHashes,
    erpVersion: t.ctx.origin!.updatedAt,
    status: 'synced',
  }));
}

function group(w: StageWorld): [string, ErpRecord[]][] {
  const g = w.erp.put({ stream: 'groups', key: 'tshirt', fields: { description: 'A shirt' } });
  const red = w.erp.item('tshirt_red', 'tshirt', { name: 'Red', color: 'red' });
  const blue = w.erp.item('tshirt_blue', 'tshirt', { name: 'Blue', color: 'blue' });
  for (const r of [g, red, blue]) w.ctx.ledger.read(r.stream, r.key);
  return [['tshirt', [red, blue]]];
}

describe('planning stage', () => {
  it('turns a new group into a task list, model before its variants; an unchanged rerun plans nothing and settles it', async () => {
    const w = await stageWorld();
    const part = group(w);
    const groups = new Map([['tshirt', w.erp.records.get('groups:tshirt')!]]);
    const first = await plannerOf(w).planGroups(part, groups, new Set());
    expect(first.map((t) => t.id)).toEqual(['product_model:tshirt', 'product:tshirt_red', 'product:tshirt_blue']);
    expect(first[1]!.deps).toEqual(['product_model:tshirt']);
    expect(first.every((t) => t.ctx.create)).toBe(true);
    expect(first[1]!.payload).toMatchObject({ parent: 'tshirt', values: { name: [{ data: 'Red' }] } });

    await w.state.saveEntities(written(first));
    // The next run: a fresh context over the same state.
    const w2 = { ...w, ctx: new RunContext(w.deps, {}) };
    const notes = new Notes();
    const part2: [string, ErpRecord[]][] = [['tshirt', part[0]![1]]];
    for (const k of ['tshirt_red', 'tshirt_blue']) w2.ctx.ledger.read('items', k);
    w2.ctx.ledger.read('groups', 'tshirt');
    const second = await plannerOf(w2, notes).planGroups(part2, groups, new Set());
    expect(second).toEqual([]);
    expect(w2.ctx.ledger.outcomeOf('items', 'tshirt_red')).toBe('unchanged');
    expect(notes.settled).toContainEqual(['product_model:tshirt', true, undefined]);
  });

  it('categories: parents before children, each child waiting for its parent', async () => {
    const w = await stageWorld();
    const master = w.erp.put({ stream: 'categories', key: 'master', parent: null, fields: { name: 'Master' } });
    const shirts = w.erp.put({ stream: 'categories', key: 'shirts', parent: 'master', fields: { name: 'Shirts' } });
    for (const r of [master, shirts]) w.ctx.ledger.read(r.stream, r.key);
    const tasks = await plannerOf(w).planCategories([shirts, master]);
    expect(tasks.map((t) => t.id)).toEqual(['category:master', 'category:shirts']);
    expect(tasks[1]!.deps).toEqual(['category:master']);
    expect(tasks[1]!.payload).toMatchObject({ code: 'shirts', parent: 'master', labels: { en_US: 'Shirts' } });
  });

  it('a changed value gives a task carrying only that value', async () => {
    const w = await stageWorld();
    const part = group(w);
    const groups = new Map([['tshirt', w.erp.records.get('groups:tshirt')!]]);
    await w.state.saveEntities(written(await plannerOf(w).planGroups(part, groups, new Set())));
    const w2 = { ...w, ctx: new RunContext(w.deps, {}) };
    const red = { ...part[0]![1][0]!, fields: { ...part[0]![1][0]!.fields, name: 'Crimson' }, updatedAt: w.erp.tick() };
    for (const k of ['tshirt_red', 'tshirt_blue']) w2.ctx.ledger.read('items', k);
    w2.ctx.ledger.read('groups', 'tshirt');
    const tasks = await plannerOf(w2).planGroups([['tshirt', [red, part[0]![1][1]!]]], groups, new Set());
    expect(tasks.map((t) => t.id)).toEqual(['product:tshirt_red']);
    expect(Object.keys(tasks[0]!.payload.values as object)).toEqual(['name']);
    expect(tasks[0]!.ctx.create).toBe(false);
  });

  it('a dry run plans no task and counts the plan instead', async () => {
    const w = await stageWorld({ dryRun: true });
    const part = group(w);
    const tasks = await plannerOf(w, null).planGroups(part, new Map([['tshirt', w.erp.records.get('groups:tshirt')!]]), new Set());
    expect(tasks).toEqual([]);
    expect(w.ctx.plan.actions.product!.create).toBe(2);
    expect(w.ctx.plan.actions.product_model!.create).toBe(1);
    expect(w.ctx.ledger.outcomeOf('items', 'tshirt_red')).toBe('created');
  });

  it('options: planned once, and every entity using one waits for it', async () => {
    const w = await stageWorld();
    const planned = new PlannedIds(w.ctx);
    const out: SyncTask[] = [];
    const id = planned.option({ kind: 'option', attribute: 'color', code: 'Teal', labels: {}, erpValue: 'Teal' }, out);
    expect(planned.option({ kind: 'option', attribute: 'color', code: 'teal', labels: {}, erpValue: 'teal' }, out)).toBe(id);
    expect(out.map((t) => t.id)).toEqual(['option:color:teal']);
    const entity = { kind: 'product' as const, origin: { stream: 'items' as const, key: 'p', updatedAt: null }, identifier: 'p', family: 'fam', parent: null, categories: [], values: { color: [{ locale: null, scope: null, data: 'TEAL' }] } };
    expect(planned.optionDepsOf(entity)).toEqual([id]);
  });

  it('identifier collisions: of two SKUs the PIM takes for one, the second is held back with both named', async () => {
    const w = await stageWorld();
    const entity = (sku: string) => ({ kind: 'product' as const, origin: { stream: 'items' as const, key: sku, updatedAt: null }, identifier: sku, family: 'fam', parent: null, categories: [], values: {} });
    for (const k of ['ABC-1', 'abc-1']) w.ctx.ledger.read('items', k);
    const guard = new CollisionGuard(w.ctx);
    await guard.check([{ entities: [entity('ABC-1'), entity('abc-1')] }], new Map(), new Map());
    expect(guard.heldBack('product:ABC-1')).toBeUndefined();
    expect(guard.heldBack('product:abc-1')).toContain('ABC-1');
    expect(w.ctx.ledger.outcomeOf('items', 'abc-1')).toBe('rejected');
    expect(w.ctx.rejectsShown[0]!.fix).toContain('Rename');
  });

  it('deletions: a synced product gone from a full read gets the policy (disable) as a task', async () => {
    const w = await stageWorld();
    await w.state.saveEntities([
      { type: 'product', code: 'kept', pimId: 'u1', originStream: 'items', originKey: 'kept', groupKey: null, hashes: {}, erpVersion: null, status: 'synced' },
      { type: 'product', code: 'gone', pimId: 'u2', originStream: 'items', originKey: 'gone', groupKey: null, hashes: { '@enabled': 'x' }, erpVersion: null, status: 'synced' },
    ]);
    const pages: SyncTask[][] = [];
    for await (const tasks of planGone(w.ctx, new Set(['kept']))) pages.push(tasks);
    const tasks = pages.flat();
    expect(tasks.map((t) => t.id)).toEqual(['gone:product:gone']);
    expect(tasks[0]!.payload).toEqual({ uuid: 'u2', enabled: false });
    expect(tasks[0]!.ctx).toMatchObject({ gone: true, effect: 'policy', statusAfter: 'disabled' });
    expect(w.ctx.deletions.gone).toBe(1);
    expect(w.ctx.policyDone.gone.names).toEqual(['gone']);
  });
});
