/**
 * Two tenants of one deployment on the same PIM instance (each on its own Akeneo Connection) share
 * the instance's budget when both set `pim.limits.shared`: syncing at once, they never have more
 * calls in flight at the PIM than the instance allows (2 here, so the control has room to show it). The control, without `shared`, shows each
 * believing it has the whole instance (so the first assertion can fail). Both read the same demo
 * ERP (one seed): two catalogs would clash on the codes the generator gives.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../../src/sandbox/index.js';
import { budgetDatabase } from '../budget/database.js';
import { ferry } from '../support/ferry-cli.js';

const budgetDb = await budgetDatabase();
const enabled = budgetDb.enabled;
const dir = mkdtempSync(join(tmpdir(), 'ferry-connections-budget-'));
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
});

/** Peak calls in flight at the sandbox while the two tenants of `<name>/ferry.yaml` sync at once. */
async function peakWithBoth(name: string, shared: boolean): Promise<{ peak: number; throttled: number }> {
  const sb = await startSandbox({ catalog: 'demo', limits: 'saas', latency: '40ms+1ms/line', connections: 2 });
  try {
    const folder = join(dir, name);
    const limits = shared ? `{ instanceConcurrency: 2, shared: { url: "${budgetDb.url()}", leaseMs: 5000 } }` : '{ instanceConcurrency: 2 }';
    const tenant = (t: string, i: number) => {
      const c = sb.connections[i]!;
      return [
        `  ${t}:`,
        `    pim: { url: "${sb.url}", clientId: ${c.clientId}, secret: ${c.secret}, username: ${c.username}, password: ${c.password}, timeoutMs: 10000, limits: ${limits} }`,
        `    erp: { type: demo, path: ./${t}.sqlite, items: 400, seed: 3 }`,
        '    mapping: { preset: demo }',
      ];
    };
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'ferry.yaml'), ['connections:', ...tenant('a', 0), ...tenant('b', 1), ''].join('\n'));
    for (const t of ['a', 'b']) {
      const r = await ferry(['pim', 'bootstrap', '--yes', '--connection', t], folder);
      expect(r.code, r.stderr).toBe(0);
    }
    const before = sb.stats().peakConcurrent.instance;
    const runs = await Promise.all(['a', 'b'].map((t) => ferry(['sync', '--full', '--connection', t], folder)));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    return { peak: Math.max(before, sb.stats().peakConcurrent.instance), throttled: sb.stats().throttled429 };
  } finally {
    await sb.close();
  }
}

describe.runIf(enabled)('two tenants on one PIM instance', () => {
  it('share its budget with pim.limits.shared: never more than the instance allows in flight', async () => {
    const shared = await peakWithBoth('shared', true);
    expect(shared.peak).toBeLessThanOrEqual(2);
    // Sharing also the request and option-write rates: the PIM never had to refuse a call.
    expect(shared.throttled).toBe(0);
    // Control: each tenant alone keeps to 2, together they go past it.
    const apart = await peakWithBoth('apart', false);
    console.log('[two tenants, one PIM instance]', JSON.stringify({ shared, apart }));
    expect(apart.peak).toBeGreaterThan(2);
  }, 300_000);
});
