import { describe, expect, it } from 'vitest';
import { Scheduler, type LineResult, type Task } from '../../src/sync/scheduler.js';

function task(id: string, lane: string, rank: number, deps: string[] = []): Task<null> {
  return { id, lane, rank, deps, payload: { id }, attempts: 0, ctx: null };
}

/** A scheduler whose PIM answers every line created after `answerMs`, recording each batch sent (lane, task ids). */
function recordingScheduler(answerMs: number): { s: Scheduler<null>; sent: { lane: string; ids: string[] }[] } {
  const sent: { lane: string; ids: string[] }[] = [];
  const s = new Scheduler<null>(
    {
      send: async (lane, tasks) => {
        sent.push({ lane, ids: tasks.map((t) => t.id) });
        await new Promise((r) => setTimeout(r, answerMs));
        return tasks.map((): LineResult => ({ outcome: 'created', status: 201 }));
      },
      settle: async (tasks) => tasks.map(() => ({ kind: 'ok' as const })),
      batchFailed: async () => [],
      held: () => undefined,
    },
    { maxInFlight: 8 },
  );
  return { s, sent };
}

describe('Scheduler', () => {
  it('sends full batches of 100, keeps several in flight, and sends partial batches only at the end', async () => {
    const sent: { lane: string; size: number }[] = [];
    let inFlight = 0;
    let peak = 0;
    const s = new Scheduler<null>(
      {
        send: async (lane, tasks) => {
          sent.push({ lane, size: tasks.length });
          inFlight++;
          peak = Math.max(peak, inFlight);
          await new Promise((r) => setTimeout(r, 10));
          inFlight--;
          return tasks.map((): LineResult => ({ outcome: 'created', status: 201 }));
        },
        settle: async (tasks) => tasks.map(() => ({ kind: 'ok' as const })),
        batchFailed: async () => [],
        held: () => undefined,
      },
      { maxInFlight: 4 },
    );
    for (let i = 0; i < 1050; i++) s.add(task(`p${i}`, 'product', 4));
    await s.finish();
    expect(sent.map((b) => b.size)).toEqual([...Array(10).fill(100), 50]);
    expect(peak).toBe(4);
  });

  it('at the end, keeps the partial batch of a lane while its tasks wait for parents in flight, then sends them together', async () => {
    const { s, sent } = recordingScheduler(10);
    // A shard's tail: 30 products whose model is already settled, 150 waiting for 3 models.
    s.markSettled('m:old', true);
    for (let i = 0; i < 30; i++) s.add(task(`ready${i}`, 'product', 4, ['m:old']));
    for (let i = 0; i < 150; i++) s.add(task(`child${i}`, 'product', 4, [`m:${i % 3}`]));
    for (let i = 0; i < 3; i++) s.add(task(`m:${i}`, 'model', 2));
    await s.finish();
    const products = sent.filter((b) => b.lane === 'product');
    // One trickle per settled parent would be 4 batches (30, then 50 per model); together: 100 + 80.
    expect(products.map((b) => b.ids.length)).toEqual([100, 80]);
    expect(sent[0]).toEqual({ lane: 'model', ids: ['m:0', 'm:1', 'm:2'] });
  });

  it('while the producer still plans, sends a partial batch others wait for as soon as it yields (a shard\'s first options)', async () => {
    const { s, sent } = recordingScheduler(5);
    const plansNextChunk = () => new Promise((r) => setTimeout(r, 60));
    // The first chunk: two new options, five models using one of them.
    s.add(task('o:red', 'option:color', 0));
    s.add(task('o:blue', 'option:color', 0));
    for (let i = 0; i < 5; i++) s.add(task(`m${i}`, 'model', 2, ['o:red']));
    await plansNextChunk();
    // The options went (the models wait for them); the models, ready now, wait for no one: kept for a fuller batch.
    expect(sent).toEqual([{ lane: 'option:color', ids: ['o:red', 'o:blue'] }]);
    // The next chunk: products of those models. Nothing is in flight: the models go.
    for (let i = 0; i < 5; i++) s.add(task(`p${i}`, 'product', 4, [`m${i}`]));
    await plansNextChunk();
    expect(sent[1]).toEqual({ lane: 'model', ids: ['m0', 'm1', 'm2', 'm3', 'm4'] });
    expect(sent).toHaveLength(2);
    await s.finish();
    expect(sent.map((b) => [b.lane, b.ids.length])).toEqual([
      ['option:color', 2],
      ['model', 5],
      ['product', 5],
    ]);
  });

  it('sends a partial batch whose tasks wait for a parent nobody planned, once nothing is in flight', async () => {
    const sent: string[][] = [];
    const held: string[] = [];
    const s = new Scheduler<null>({
      send: async (_lane, tasks) => {
        sent.push(tasks.map((t) => t.id));
        return tasks.map((): LineResult => ({ outcome: 'created', status: 201 }));
      },
      settle: async (tasks) => tasks.map(() => ({ kind: 'ok' as const })),
      batchFailed: async () => [],
      held: (t) => void held.push(t.id),
    });
    s.add(task('p:ready', 'product', 4));
    s.add(task('p:orphan', 'product', 4, ['m:never']));
    await s.finish();
    expect(sent).toEqual([['p:ready']]);
    expect(held).toEqual(['p:orphan']);
  });

  it('sends children only after their parent and holds them when it fails', async () => {
    const order: string[] = [];
    const held: string[] = [];
    const s = new Scheduler<null>({
      send: async (_lane, tasks) => {
        order.push(...tasks.map((t) => t.id));
        return tasks.map((t): LineResult => (t.id === 'm:bad' ? { outcome: 'failed', status: 422, message: 'nope' } : { outcome: 'created', status: 201 }));
      },
      settle: async (tasks, results) => results.map((r, i) => (r.outcome === 'failed' ? { kind: 'failed' as const, reason: `${tasks[i]!.id} refused` } : { kind: 'ok' as const })),
      batchFailed: async () => [],
      held: (t, reason) => void held.push(`${t.id}: ${reason}`),
    });
    s.add(task('p:1', 'product', 4, ['m:good']));
    s.add(task('p:2', 'product', 4, ['m:bad']));
    s.add(task('m:good', 'model', 2));
    s.add(task('m:bad', 'model', 2));
    s.add(task('p:3', 'product', 4, ['m:never']));
    await s.finish();
    expect(order.indexOf('m:good')).toBeLessThan(order.indexOf('p:1'));
    expect(order).not.toContain('p:2');
    expect(held).toHaveLength(2);
    expect(held.find((h) => h.startsWith('p:2'))).toContain('m:bad refused');
    expect(held.find((h) => h.startsWith('p:3'))).toContain('not part of this run');
  });

  it('retries lines with a delay and after new dependencies', async () => {
    let calls = 0;
    const s = new Scheduler<null>({
      send: async (_lane, tasks) => tasks.map((): LineResult => ({ outcome: calls++ === 0 ? 'failed' : 'created', status: 201 })),
      settle: async (tasks, results) =>
        results.map((r, i) => (r.outcome === 'failed' ? (tasks[i]!.attempts === 0 ? { kind: 'retry' as const, delayMs: 5, deps: ['opt'] } : { kind: 'failed' as const, reason: 'x' }) : { kind: 'ok' as const })),
      batchFailed: async () => [],
      held: () => undefined,
    });
    s.add(task('p', 'product', 4));
    setTimeout(() => s.add(task('opt', 'option', 0)), 1);
    await new Promise((r) => setTimeout(r, 3));
    await s.finish();
    expect(s.isSettled('p')).toEqual({ ok: true, reason: undefined });
  });

  it('aborts when a hook throws (a fatal error)', async () => {
    const s = new Scheduler<null>({
      send: async () => {
        throw new Error('auth refused');
      },
      settle: async () => [],
      batchFailed: async (_t, err) => {
        throw err;
      },
      held: () => undefined,
    });
    s.add(task('p', 'product', 4));
    await expect(s.finish()).rejects.toThrow('auth refused');
  });
});
