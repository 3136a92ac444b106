/**
 * A queued run's plan (RunPart `plan`) cuts the items into shards by key and group only: it asks
 * the ERP for no field of items and groups (ReadOptions.fields `none`), so a big catalog's plan
 * does not read, convert and look up what only the shards map. The categories it writes are all
 * in the PIM when it hands the shards over, though it reads the keys while they are written.
 */
import { describe, expect, it } from 'vitest';
import { runSync } from '../../src/app/run-sync.js';
import { createErpSource } from '../../src/erp/factory.js';
import type { ErpSource, ReadOptions, StreamName } from '../../src/erp/port.js';
import { createLogger } from '../../src/logging.js';
import { openStateStore } from '../../src/sync/index.js';
import { tempDirs } from './support/e2e.js';
import { bootstrappedDemo } from './support/demo-pim.js';
import { clientFor } from './support/pim.js';

const silent = createLogger({ level: 'silent' });
const tempDir = tempDirs('ferry-plan-keys-');

describe('the plan of a queued run', () => {
  it('reads items and groups without their fields, hands over every item once, with every category written', async () => {
    const { sb, config, admin } = await bootstrappedDemo(tempDir(), { items: 120, seed: 3 });
    const state = await openStateStore(config.state);
    try {
      const demo = createErpSource(config.erp);
      const reads: { stream: StreamName; fields: ReadOptions['fields'] }[] = [];
      const recording: ErpSource = {
        ...demo,
        kind: demo.kind,
        streams: demo.streams,
        check: () => demo.check(),
        describe: () => demo.describe(),
        close: () => demo.close(),
        read(stream, options) {
          reads.push({ stream, fields: options?.fields });
          return demo.read(stream, options);
        },
      };
      const runId = await state.startRun('full', { queued: true }, 'test');
      let handedOver: string[] = [];
      const categoriesAtPlan: string[] = [];
      const report = await runSync(config, {
        logger: silent,
        full: true,
        client: admin,
        state,
        openSource: () => recording,
        part: {
          role: 'plan',
          runId,
          onPlan: async (plan) => {
            handedOver = plan.groups.flatMap((g) => g.items);
            for await (const c of admin.categories.list()) categoriesAtPlan.push(c.code);
          },
        },
      });
      expect(report.status, report.error ?? '').toBe('succeeded');

      expect(reads.filter((r) => r.stream === 'items' || r.stream === 'groups').map((r) => r.fields)).not.toContain(undefined);
      expect(new Set(reads.filter((r) => r.stream === 'items' || r.stream === 'groups').map((r) => r.fields))).toEqual(new Set(['none']));
      expect(reads.find((r) => r.stream === 'categories')?.fields).toBeUndefined();

      const all: string[] = [];
      const source = createErpSource(config.erp);
      for await (const rec of source.read('items')) all.push(rec.key);
      const erpCategories: string[] = [];
      for await (const rec of source.read('categories')) erpCategories.push(rec.key);
      await source.close();
      expect([...handedOver].sort()).toEqual(all.sort());
      expect(new Set(handedOver).size).toBe(handedOver.length);
      // The demo mapping prefixes the ERP's category codes.
      expect(erpCategories.length).toBeGreaterThan(10);
      for (const code of erpCategories) expect(categoriesAtPlan).toContain(`erp_${code}`);
    } finally {
      await state.close();
      await admin.close();
      await sb.close();
    }
  });

  it("hands the shards over before it applies a full run's deletion policy, which no shard waits for", async () => {
    const { sb, config: base, admin } = await bootstrappedDemo(tempDir(), { items: 60, seed: 4 });
    const config = { ...base, sync: { ...base.sync, deletion: 'disable' as const } };
    const state = await openStateStore(config.state);
    try {
      expect((await runSync(config, { logger: silent, full: true, client: admin, state })).status).toBe('succeeded');
      // One product's item leaves the ERP.
      const demo = createErpSource(config.erp);
      let gone: string | undefined;
      for await (const rec of demo.read('items')) if (rec.active !== false) gone ??= rec.key;
      expect(gone).toBeDefined();
      const without: ErpSource = {
        ...demo,
        async *read(stream, options) {
          for await (const rec of demo.read(stream, options)) if (stream !== 'items' || rec.key !== gone) yield rec;
        },
      };
      const order: string[] = [];
      const client = clientFor(sb, { onEvent: (e) => e.method === 'PATCH' && /products/.test(e.route ?? '') && order.push('deletion policy') });
      const runId = await state.startRun('full', { queued: true }, 'test');
      const report = await runSync(config, {
        logger: silent,
        full: true,
        client,
        state,
        openSource: () => without,
        part: { role: 'plan', runId, onPlan: async () => void order.push('shards handed over') },
      });
      await client.close();
      expect(report.status, report.error ?? '').toBe('succeeded');
      expect(report.deletions).toMatchObject({ policy: 'disable', gone: 1, applied: 1, failed: 0 });
      expect(order).toEqual(['shards handed over', 'deletion policy']);
    } finally {
      await state.close();
      await admin.close();
      await sb.close();
    }
  });
});
