/**
 * Shards of a queued run that need the same new options write each once (ShardHooks.claimOptions):
 * the shard that claimed an option writes it, the others wait for the state to say it is written
 * (the shards starting together otherwise each sent the run's new options, at Akeneo's 3 option
 * writes/s). The claimant never writing it: the waiting shard writes it itself after awaitOptionMs.
 */
import { describe, expect, it } from 'vitest';
import type { RequestEvent } from '../../src/akeneo/events.js';
import { runSync } from '../../src/app/run-sync.js';
import { createLogger } from '../../src/logging.js';
import { openStateStore } from '../../src/sync/index.js';
import { tempDirs } from './support/e2e.js';
import { bootstrappedDemo } from './support/demo-pim.js';
import { clientFor } from './support/pim.js';

const silent = createLogger({ level: 'silent' });
const tempDir = tempDirs('ferry-option-claims-');
const OPTIONS_ROUTE = /\/attributes\/\{attribute_code\}\/options$/;

async function setUp() {
  const { sb, config, admin } = await bootstrappedDemo(tempDir(), { items: 80, seed: 5 }, { withoutOptions: true });
  const state = await openStateStore(config.state);
  const runId = await state.startRun('full', { queued: true }, 'test');
  // The plan part, as a worker runs it: categories written, the groups in scope handed over.
  let groups: string[][] = [];
  const plan = await runSync(config, { logger: silent, full: true, client: admin, state, part: { role: 'plan', runId, onPlan: async (p) => void (groups = p.groups.map((g) => g.items)) } });
  expect(plan.status).toBe('succeeded');
  await admin.close();
  const half = Math.ceil(groups.length / 2);
  const optionLines = (events: RequestEvent[]) => events.filter((e) => e.method === 'PATCH' && OPTIONS_ROUTE.test(e.route)).reduce((n, e) => n + (e.lines ?? 0), 0);
  const shard = (part: number, keys: string[], hooks: { claimOptions: (codes: string[]) => Promise<ReadonlySet<string>>; awaitOptionMs?: number }) => {
    const events: RequestEvent[] = [];
    const client = clientFor(sb, { onEvent: (e) => events.push(e as RequestEvent) });
    const report = runSync(config, { logger: silent, keys, client, state, part: { role: 'shard', runId, ...hooks } }).finally(() => client.close());
    return { report, optionLines: () => optionLines(events) };
  };
  return { sb, state, shard, keys: [groups.slice(0, half).flat(), groups.slice(half).flat()] };
}

describe('shards and new options', () => {
  it('the shard that claimed an option writes it; the other waits for it, then writes its products', async () => {
    const { sb, state, shard, keys } = await setUp();
    try {
      const claims = new Map<string, number>();
      const asked: Record<number, string[]> = { 1: [], 2: [] };
      let part2Claimed!: () => void;
      const afterPart2 = new Promise<void>((resolve) => (part2Claimed = resolve));
      const claimFor = (part: number) => async (codes: string[]) => {
        // Part 1 asks after part 2 claimed its first options (and before it wrote them).
        if (part === 1) await afterPart2;
        asked[part]!.push(...codes);
        for (const c of codes) if (!claims.has(c)) claims.set(c, part);
        if (part === 2) part2Claimed();
        return new Set(codes.filter((c) => claims.get(c) === part));
      };
      const first = shard(1, keys[0]!, { claimOptions: claimFor(1) });
      const second = shard(2, keys[1]!, { claimOptions: claimFor(2) });
      const [r1, r2] = await Promise.all([first.report, second.report]);
      expect(r1.status, JSON.stringify(r1.rejects.slice(0, 3))).toBe('succeeded');
      expect(r2.status, JSON.stringify(r2.rejects.slice(0, 3))).toBe('succeeded');
      const claimedBy = (part: number) => new Set([...claims].filter(([, p]) => p === part).map(([c]) => c));
      // Part 1 needed options part 2 had claimed: it waited for them instead of writing them.
      expect(asked[1]!.filter((c) => claims.get(c) === 2).length).toBeGreaterThan(0);
      // Every new option was written once, by the part that claimed it.
      expect(first.optionLines()).toBe(claimedBy(1).size);
      expect(second.optionLines()).toBe(claimedBy(2).size);
      expect(claims.size).toBe(new Set([...asked[1]!, ...asked[2]!]).size);
      expect(r1.counts.created).toBe(r1.counts.read - r1.counts.skipped);
      expect(r1.counts.rejected).toBe(0);
      // Both shards' products are in the PIM.
      const admin = clientFor(sb);
      let inPim = 0;
      for await (const _ of admin.products.list({ limit: 100 })) inPim++;
      await admin.close();
      expect(inPim).toBe(r1.byType.product.created + r2.byType.product.created);
      expect(r1.byType.product.created).toBeGreaterThan(0);
    } finally {
      await state.close();
      await sb.close();
    }
  });

  it('an option its claimant never writes is written by the waiting shard after awaitOptionMs', async () => {
    const { sb, state, shard, keys } = await setUp();
    try {
      // Every option belongs to a part that never runs.
      const only = shard(1, keys[0]!, { claimOptions: async () => new Set<string>(), awaitOptionMs: 300 });
      const r = await only.report;
      expect(r.status, JSON.stringify(r.rejects.slice(0, 3))).toBe('succeeded');
      expect(only.optionLines()).toBeGreaterThan(0);
      expect(r.byType.product.created).toBe(r.counts.read - r.counts.skipped - r.byType.product_model.created);
      expect(r.counts.rejected).toBe(0);
    } finally {
      await state.close();
      await sb.close();
    }
  });
});
