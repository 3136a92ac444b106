/**
 * The Quick start's demo on every edition the sandbox plays (issue 19): bootstrap, a full sync,
 * a delta after changes in the ERP (items with a new weight, an edited product line, an archived item),
 * then a rerun that must write nothing — against CE 6.0 (identifier endpoints, no read-only
 * attributes), CE 7.0, EE 7.0 and SaaS. Each run's PIM end state is checked on its own, then
 * the four end states must be the same catalog: the edition changes the road, not the result.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AkeneoClient } from '../../src/akeneo/index.js';
import { ferryConfigSchema, type FerryConfig } from '../../src/config/schema.js';
import { createErpSource } from '../../src/erp/factory.js';
import { createLogger } from '../../src/logging.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { runSync } from '../../src/sync/index.js';
import { bootstrapPim } from '../../src/sync/bootstrap.js';
import type { RunReport } from '../../src/sync/report.js';
import { checkCounts, sandboxPimConfig, tempDirs } from '../sync/support/e2e.js';
import { clientFor, pimSnapshot } from '../sync/support/pim.js';

const silent = createLogger({ level: 'silent' });
const tempDir = tempDirs('ferry-editions-');
const ITEMS = 40;
const SEED = 19;

const MATRIX = [
  { edition: 'ce', version: '6.0', label: 'CE 6.0', endpointMode: 'identifier', readOnly: false },
  { edition: 'ce', version: '7.0', label: 'CE 7.0', endpointMode: 'uuid', readOnly: false },
  { edition: 'ee', version: '7.0', label: 'EE 7.0', endpointMode: 'uuid', readOnly: true },
  { edition: 'saas', version: undefined, label: 'SaaS', endpointMode: 'uuid', readOnly: true },
] as const;

type Snapshot = Awaited<ReturnType<typeof pimSnapshot>>;
interface Outcome {
  full: RunReport;
  delta: RunReport;
  rerun: RunReport;
  snapshot: Snapshot;
  detected: { version: string; edition: string; endpointMode: string };
  readOnlyAttributes: string[];
  /** "METHOD /route" → requests, from the sandbox's stats. */
  routes: string[];
}

/** The same ERP changes on every edition: two items with a new weight, an edited product line, an archived item. */
function changeErp(erpPath: string): { renamed: string[]; archived: string; template: string } {
  const db = new Database(erpPath);
  try {
    const later = new Date(Date.now() + 1000).toISOString();
    const items = db.prepare('SELECT sku, template_code FROM items WHERE archived = 0 ORDER BY sku').all() as { sku: string; template_code: string | null }[];
    const renamed = items.slice(0, 2).map((i) => i.sku);
    for (const sku of renamed) db.prepare('UPDATE items SET weight = ?, updated_at = ? WHERE sku = ?').run('1.234', later, sku);
    const archived = items[items.length - 1]!.sku;
    db.prepare('UPDATE items SET archived = 1, updated_at = ? WHERE sku = ?').run(later, archived);
    const template = (db.prepare('SELECT code FROM templates ORDER BY code LIMIT 1').get() as { code: string }).code;
    db.prepare('UPDATE templates SET name_en = ?, updated_at = ? WHERE code = ?').run(`Edited line ${template}`, later, template);
    return { renamed, archived, template };
  } finally {
    db.close();
  }
}

async function demoOn(sb: RunningSandbox, erpPath: string): Promise<Outcome & { changes: ReturnType<typeof changeErp> }> {
  const dir = tempDir();
  const config: FerryConfig = ferryConfigSchema.parse({
    pim: sandboxPimConfig(sb),
    erp: { type: 'demo', path: erpPath, items: ITEMS, seed: SEED },
    mapping: { preset: 'demo' },
    state: { path: join(dir, 'ferry.db') },
    sync: { deletion: 'disable' },
  });
  const client: AkeneoClient = clientFor(sb);
  const run = async (full: boolean): Promise<RunReport> => {
    const source = createErpSource(config.erp);
    try {
      const report = await runSync(config, { client, source, logger: silent, full });
      checkCounts(report);
      expect(report.status, `${sb.edition.label}: ${JSON.stringify(report.rejects.slice(0, 3))}`).toBe('succeeded');
      return report;
    } finally {
      await source.close();
    }
  };
  try {
    const detected = await client.detect();
    const source = createErpSource(config.erp);
    try {
      const boot = await bootstrapPim(client, config.mapping, source);
      expect(boot.failures, `${sb.edition.label} bootstrap`).toEqual([]);
    } finally {
      await source.close();
    }
    const readOnlyAttributes: string[] = [];
    for await (const a of client.attributes.list()) if (a.is_read_only === true) readOnlyAttributes.push(a.code);
    const full = await run(true);
    const changes = changeErp(erpPath);
    const delta = await run(false);
    const rerun = await run(false);
    const routes = Object.keys(sb.stats().requests);
    return { full, delta, rerun, snapshot: await pimSnapshot(client), detected, readOnlyAttributes, changes, routes };
  } finally {
    await client.close();
  }
}

describe('the Quick start demo on every edition', () => {
  const outcomes = new Map<string, Outcome & { changes: ReturnType<typeof changeErp> }>();
  const sandboxes: RunningSandbox[] = [];

  beforeAll(async () => {
    // One generated ERP copied per edition, so every edition sees the same items and the same changes.
    const { copyFileSync } = await import('node:fs');
    const seedDir = tempDir();
    const seedPath = join(seedDir, 'demo-erp.sqlite');
    const gen = createErpSource(ferryConfigSchema.parse({ pim: { url: 'https://x', token: 't' }, erp: { type: 'demo', path: seedPath, items: ITEMS, seed: SEED }, mapping: { preset: 'demo' } }).erp);
    await gen.check();
    await gen.close();
    for (const m of MATRIX) {
      const sb = await startSandbox({ catalog: 'demo', edition: m.edition, ...(m.version ? { version: m.version } : {}) });
      sandboxes.push(sb);
      const erpPath = join(tempDir(), 'demo-erp.sqlite');
      copyFileSync(seedPath, erpPath);
      outcomes.set(m.label, await demoOn(sb, erpPath));
    }
  }, 120_000);

  afterAll(async () => {
    for (const sb of sandboxes) await sb.close();
  });

  for (const m of MATRIX) {
    it(`${m.label}: detected, bootstrapped, synced, delta applied, rerun writes nothing`, () => {
      const o = outcomes.get(m.label)!;
      expect(o.detected.endpointMode).toBe(m.endpointMode);
      expect(o.detected.edition).toBe(m.edition === 'saas' ? 'Serenity' : m.edition.toUpperCase());
      if (m.version) expect(o.detected.version.startsWith(m.version.slice(0, 2))).toBe(true);
      // Products went through the endpoints the edition has, and only those.
      const productWrites = o.routes.filter((r) => /^PATCH \/api\/rest\/v1\/products(-uuid)?$/.test(r));
      expect(productWrites).toEqual([m.endpointMode === 'uuid' ? 'PATCH /api/rest/v1/products-uuid' : 'PATCH /api/rest/v1/products']);
      expect(o.routes.filter((r) => r.includes('(no route)'))).toEqual([]);
      // Read-only ERP attributes only where the edition has them.
      if (m.readOnly) expect(o.readOnlyAttributes.length).toBeGreaterThan(3);
      else expect(o.readOnlyAttributes).toEqual([]);

      expect(o.full.counts.rejected).toBe(0);
      expect(o.full.byType.product.created).toBeGreaterThan(ITEMS / 2);
      expect(o.full.byType.product_model.created).toBeGreaterThan(2);
      // The delta writes what changed and only that; the rerun writes nothing.
      expect(o.delta.byType.product).toMatchObject({ updated: 2, created: 0, disabled: 1, deleted: 0, rejected: 0 });
      expect(o.delta.byType.product_model).toMatchObject({ updated: 1, created: 0, rejected: 0 });
      expect(o.delta.counts.created).toBe(0);
      expect(o.rerun.requests.writes).toBe(0);
      expect(o.rerun.counts.created + o.rerun.counts.updated + o.rerun.counts.rejected + o.rerun.counts.deleted).toBe(0);

      // The PIM's end state carries the changes.
      const products = o.snapshot.products as Record<string, { enabled: boolean; values: Record<string, { locale: string | null; data: unknown }[]> }>;
      expect(o.snapshot.productCount).toBe(Object.keys(products).length);
      // Everything created is there once (the archived item is disabled, not deleted), nothing else.
      expect(o.snapshot.productCount).toBe(o.full.byType.product.created);
      // (a product line is one root model; its sub-models come with it)
      const roots = Object.values(o.snapshot.models as Record<string, { parent: string | null }>).filter((x) => x.parent === null);
      expect(roots).toHaveLength(o.full.byType.product_model.created);
      expect(Object.keys(o.snapshot.models).length).toBeGreaterThan(roots.length);
      expect(Object.values(products).filter((p) => !p.enabled)).toHaveLength(1);
      for (const sku of o.changes.renamed) {
        expect(products[sku]?.values['weight']?.[0]?.data, `${m.label} ${sku}`).toMatchObject({ amount: expect.stringMatching(/^1\.234/) });
      }
      expect(products[o.changes.archived]?.enabled).toBe(false);
      const models = o.snapshot.models as Record<string, { values: Record<string, { locale: string | null; data: unknown }[]> }>;
      expect(models[o.changes.template]?.values['name']?.find((v) => v.locale === 'en_US')?.data).toBe(`Edited line ${o.changes.template}`);
      expect(Object.keys(o.snapshot.categories).length).toBeGreaterThan(3);
    });
  }

  it('every edition ends with the same catalog', () => {
    const [first, ...rest] = MATRIX.map((m) => outcomes.get(m.label)!.snapshot);
    for (const s of rest) expect(s).toEqual(first);
  });
});
