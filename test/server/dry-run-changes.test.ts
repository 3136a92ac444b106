/**
 * A dry run from the Console shows, per record, the values that would change: before (as the
 * PIM has them now) and after (as the ERP has them), in every selector mode, not only with keys.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobSchema } from '../../src/server/api/contract.js';
import { changesOf } from '../../src/server/runs/plan-changes.js';
import { tempDirs } from '../sync/support/e2e.js';
import { editErp, runThroughApi, startTestConsole, type TestConsole } from './support.js';

const tempDir = tempDirs('ferry-console-plan-');

describe('Console dry run: before and after', () => {
  let tc: TestConsole;
  let sku: string;
  let oldWeight: string;
  beforeAll(async () => {
    tc = await startTestConsole(tempDir());
    await runThroughApi(tc, { mode: 'full' });
    const erp = new Database((tc.config.erp as { path: string }).path, { readonly: true });
    ({ sku, weight: oldWeight } = erp.prepare("SELECT sku, weight FROM items WHERE archived = 0 AND weight IS NOT NULL AND weight <> '' ORDER BY sku LIMIT 1").get() as { sku: string; weight: string });
    erp.close();
    editErp(tc.config, "UPDATE items SET weight = '987.5', updated_at = '2031-01-01 00:00:00' WHERE sku = ?", sku);
  });
  afterAll(async () => tc?.close());

  async function plan(body: Record<string, unknown>) {
    const { jobId } = await runThroughApi(tc, { ...body, dryRun: true });
    const res = await tc.server.app.inject({ method: 'GET', url: `/api/v1/jobs/${jobId}`, headers: tc.as.viewer.headers });
    return jobSchema.parse(res.json()).report!.plan!;
  }

  const amountOf = (v: unknown) => Number((v as { amount?: unknown } | null)?.amount);

  for (const [what, body] of [
    ['only these SKUs', () => ({ mode: 'keys', keys: [sku] })],
    ['changes only (delta)', () => ({ mode: 'delta' })],
  ] as const) {
    it(`${what}: the changed weight, before from the PIM and after from the ERP`, async () => {
      const p = await plan(body());
      const planned = p.payloads?.find((x) => x.entityType === 'product' && x.action === 'update' && JSON.stringify(x.payload).includes('987.5'));
      expect(planned, JSON.stringify(p.payloads?.slice(0, 3))).toBeDefined();
      const weight = planned!.changes?.find((c) => c.field.startsWith('values.') && amountOf(c.after) === 987.5);
      expect(weight, JSON.stringify(planned!.changes)).toBeDefined();
      expect(amountOf(weight!.before)).toBe(Number(oldWeight));
      // Only what changes: the unchanged values of the product are not listed.
      expect(planned!.changes!.length).toBeLessThan(4);
    });
  }

  it('a record to create has no before', () => {
    const lines = changesOf({ identifier: 'X', family: 'shoes', values: { name: [{ locale: 'en_US', scope: null, data: 'Boot' }] }, labels: { en_US: 'B' } }, null);
    expect(lines).toEqual([
      { field: 'family', locale: null, scope: null, before: null, after: 'shoes' },
      { field: 'values.name', locale: 'en_US', scope: null, before: null, after: 'Boot' },
      { field: 'labels', locale: 'en_US', scope: null, before: null, after: 'B' },
    ]);
    const update = changesOf({ code: 'c', labels: { en_US: 'New' }, parent: 'p2' }, { code: 'c', labels: { en_US: 'Old', fr_FR: 'Vieux' }, parent: 'p1' });
    expect(update).toEqual([
      { field: 'labels', locale: 'en_US', scope: null, before: 'Old', after: 'New' },
      { field: 'parent', locale: null, scope: null, before: 'p1', after: 'p2' },
    ]);
  });
});
