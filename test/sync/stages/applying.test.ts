import { describe, expect, it } from 'vitest';
import { Applier } from '../../../src/sync/stages/applying.js';
import { PimUnreachableError } from '../../../src/sync/stages/errors.js';
import { MediaUploads } from '../../../src/sync/stages/media.js';
import { PimWatch } from '../../../src/sync/stages/pim-watch.js';
import { PlannedIds } from '../../../src/sync/stages/planned.js';
import { RANK, type SyncTask } from '../../../src/sync/stages/tasks.js';
import { stageWorld, type StageWorld } from './support.js';

function applierOf(w: StageWorld): { apply: Applier; planned: PlannedIds } {
  const pim = new PimWatch(w.ctx, () => undefined);
  const planned = new PlannedIds(w.ctx);
  return { apply: new Applier(w.ctx, pim, new MediaUploads(w.ctx, pim), planned), planned };
}

function modelTask(code: string): SyncTask {
  return {
    id: `product_model:${code}`,
    lane: 'product_model',
    rank: RANK.root_model!,
    deps: [],
    attempts: 0,
    payload: { code, family: 'fam', family_variant: 'fam_by_color', values: {} },
    ctx: { type: 'product_model', code, label: code, origin: { stream: 'groups', key: code, updatedAt: '2026-01-01T00:00:00.000Z' }, groupKey: null, pimId: null, nextHashes: { '@family': 'f' }, effect: 'write', statusAfter: 'synced', create: true },
  };
}

function productTask(sku: string, parent: string): SyncTask {
  const uuid = `00000000-0000-4000-8000-${sku.padStart(12, '0').slice(-12)}`;
  return {
    id: `product:${sku}`,
    lane: 'product',
    rank: RANK.product!,
    deps: [`product_model:${parent}`],
    attempts: 0,
    payload: { uuid, parent, values: { sku: [{ locale: null, scope: null, data: sku }] } },
    ctx: { type: 'product', code: sku, label: sku, origin: { stream: 'items', key: sku, updatedAt: null }, groupKey: parent, pimId: uuid, nextHashes: { '@parent': 'p' }, effect: 'write', statusAfter: 'synced', create: true },
  };
}

describe('applying stage', () => {
  it('sends a planned task list parents first and settles each line: state rows committed, outcomes in the ledger', async () => {
    const w = await stageWorld();
    for (const [s, k] of [['groups', 'tshirt'], ['items', '1'], ['items', '2']] as const) {
      w.ctx.ledger.read(s, k);
      w.ctx.ledger.expect(s, k);
    }
    const { apply } = applierOf(w);
    apply.begin();
    await apply.feed([modelTask('tshirt'), productTask('1', 'tshirt'), productTask('2', 'tshirt')]);
    await apply.finish();

    expect(w.pim.calls.map((c) => c.lane)).toEqual(['product_model', 'product']);
    expect(apply.batchesSent()).toEqual({ product_model: 1, product: 1 });
    expect(w.ctx.ledger.outcomeOf('items', '1')).toBe('created');
    expect(w.ctx.ledger.outcomeOf('groups', 'tshirt')).toBe('created');
    const stored = await w.state.getEntities('product', ['1', '2']);
    expect(stored.get('1')).toMatchObject({ status: 'synced', groupKey: 'tshirt', hashes: { '@parent': 'p' } });
  });

  it('a parent the PIM refuses holds its children: rejected with the reason, never sent', async () => {
    const w = await stageWorld();
    for (const [s, k] of [['groups', 'tshirt'], ['items', '1']] as const) {
      w.ctx.ledger.read(s, k);
      w.ctx.ledger.expect(s, k);
    }
    w.pim.faults.push((lane) => (lane === 'product_model' ? { status: 422, message: 'Property "family_variant" expects a valid family variant code.' } : null));
    const { apply } = applierOf(w);
    apply.begin();
    await apply.feed([modelTask('tshirt'), productTask('1', 'tshirt')]);
    await apply.finish();

    expect(w.pim.calls.map((c) => c.lane)).toEqual(['product_model']);
    expect(w.ctx.ledger.outcomeOf('groups', 'tshirt')).toBe('rejected');
    expect(w.ctx.ledger.outcomeOf('items', '1')).toBe('rejected');
    const held = w.ctx.rejectsShown.find((r) => r.key === '1')!;
    expect(held.message).toMatch(/^SKU 1 was not sent because/);
  });

  it('a whole batch without an answer is retried, then settles', async () => {
    const w = await stageWorld();
    w.ctx.ledger.read('groups', 'mug');
    w.ctx.ledger.expect('groups', 'mug');
    w.pim.batchErrors = 1;
    const { apply } = applierOf(w);
    apply.begin();
    const t = modelTask('mug');
    await apply.feed([t]);
    await apply.finish();
    expect(t.attempts).toBeGreaterThan(0);
    expect(t.ctx.maybeWritten).toBe(true);
    // A create the PIM may have written on the first attempt is still a create.
    expect(w.ctx.ledger.outcomeOf('groups', 'mug')).toBe('created');
  }, 20_000);

  it('the PIM silent past the limit stops the run with PimUnreachableError; an answer in time cancels it', async () => {
    const w = await stageWorld({ pimUnreachableMs: 30 });
    const dead: unknown[] = [];
    const watch = new PimWatch(w.ctx, (err) => dead.push(err));
    watch.silent('connect ECONNREFUSED');
    watch.answered();
    await new Promise((r) => setTimeout(r, 60));
    expect(dead).toEqual([]);
    watch.silent('connect ECONNREFUSED');
    await new Promise((r) => setTimeout(r, 60));
    expect(dead).toHaveLength(1);
    expect(w.ctx.stopError).toBeInstanceOf(PimUnreachableError);
    expect(() => w.ctx.checkAbort()).toThrow(/ECONNREFUSED/);
    watch.close();
  });
});
