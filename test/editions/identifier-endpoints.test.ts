/**
 * What the matrix does not cover, on the identifier endpoints of a CE 6.0 (issue 19): media
 * uploads attached by SKU, every deletion policy (disable, delete, uncategorize, ignore; the PIM's
 * end state asserted), and update-only finding products the PIM
 * already has by SKU. Each against the sandbox answering as CE 6.0, where /products-uuid does not exist.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Product } from '../../src/akeneo/model.js';
import { ferryConfigSchema } from '../../src/config/schema.js';
import { createLogger } from '../../src/logging.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { runSync } from '../../src/sync/index.js';
import { bootstrapPim } from '../../src/sync/bootstrap.js';
import { FakeErp } from '../sync/fakes.js';
import { checkCounts, sandboxPimConfig, tempDirs } from '../sync/support/e2e.js';

/** The sandbox's reset needs its control header (a cross-site page cannot send it); a refused reset fails the test. */
async function resetSandbox(): Promise<void> {
  const r = await fetch(`${sb.url}/_sandbox/reset`, { method: 'POST', headers: { 'x-ferry-sandbox': '1' } });
  if (r.status >= 300) throw new Error(`POST /_sandbox/reset answered ${r.status}`);
}
import { clientFor } from '../sync/support/pim.js';

const silent = createLogger({ level: 'silent' });
const tempDir = tempDirs('ferry-editions-id-');
let sb: RunningSandbox;

beforeAll(async () => {
  sb = await startSandbox({ catalog: 'demo', edition: 'ce', version: '6.0' });
});
afterAll(async () => {
  await sb.close();
});

/** Three plain products with an EAN and (optionally) an image path. */
function erpWith(images: boolean): FakeErp {
  const erp = new FakeErp();
  for (const [i, key] of ['CE-1', 'CE-2', 'CE-3'].entries()) {
    erp.put({ stream: 'items', key, group: null, categories: [], active: true, fields: { ean: `400638133393${i}`, ...(images ? { image: `${key}.png` } : {}) } });
  }
  return erp;
}

function configFor(dir: string, sync: Record<string, unknown>, attributes: Record<string, unknown> = { ean: { type: 'text' } }) {
  return ferryConfigSchema.parse({
    pim: sandboxPimConfig(sb),
    erp: { type: 'demo', path: join(dir, 'unused.sqlite') },
    mapping: { attributes },
    state: { path: join(dir, 'ferry.db') },
    sync,
  });
}

async function productsBySku(): Promise<Map<string, Product>> {
  const client = clientFor(sb);
  const out = new Map<string, Product>();
  for await (const p of client.products.list({ limit: 100 })) out.set(String(p.identifier), p);
  await client.close();
  return out;
}

function noUuidRoutes(): void {
  const used = Object.keys(sb.stats().requests);
  expect(used.filter((r) => r.includes('products-uuid') || r.includes('(no route)'))).toEqual([]);
}

describe('identifier endpoints (CE 6.0)', () => {
  it('media: the image is uploaded and attached by SKU, the PIM serves its bytes, a rerun uploads nothing', async () => {
    await resetSandbox();
    const dir = tempDir();
    mkdirSync(join(dir, 'media'));
    const bytes = new Map(['CE-1', 'CE-2', 'CE-3'].map((k, i) => [k, Buffer.from(`GIF89a-${k}-${i}`)]));
    for (const [k, b] of bytes) writeFileSync(join(dir, 'media', `${k}.png`), b);
    const config = configFor(dir, { mediaRoot: join(dir, 'media') }, { ean: { type: 'text' }, packshot: { type: 'image', from: 'image' } });
    const erp = erpWith(true);
    const client = clientFor(sb);
    try {
      await bootstrapPim(client, config.mapping, erp);
      const first = await runSync(config, { client, source: erp, logger: silent, full: true });
      checkCounts(first);
      expect(first.status, JSON.stringify(first.rejects)).toBe('succeeded');
      expect(first.byType.product.created).toBe(3);
      const products = await productsBySku();
      for (const [sku, b] of bytes) {
        const code = String(products.get(sku)?.values?.['packshot']?.[0]?.data ?? '');
        expect(code, sku).not.toBe('');
        expect(Buffer.compare(await client.mediaFiles.download(code), b), sku).toBe(0);
        expect(products.get(sku)).not.toHaveProperty('uuid');
      }
      const again = await runSync(config, { client, source: erp, logger: silent, full: true });
      expect(again.requests.writes).toBe(0);
      noUuidRoutes();
    } finally {
      await client.close();
    }
  });

  for (const policy of ['disable', 'delete'] as const) {
    it(`deletions (${policy}): an item gone from the ERP is handled by SKU on the next full run`, async () => {
      await resetSandbox();
      const dir = tempDir();
      const config = configFor(dir, { deletion: policy });
      const erp = erpWith(false);
      const client = clientFor(sb);
      try {
        await bootstrapPim(client, config.mapping, erp);
        const first = await runSync(config, { client, source: erp, logger: silent, full: true });
        expect(first.status, JSON.stringify(first.rejects)).toBe('succeeded');
        erp.remove('items', 'CE-3');
        const second = await runSync(config, { client, source: erp, logger: silent, full: true });
        checkCounts(second);
        expect(second.status, JSON.stringify(second.rejects)).toBe('succeeded');
        expect(second.deletions).toMatchObject({ policy, gone: 1, applied: 1, failed: 0 });
        const products = await productsBySku();
        if (policy === 'delete') expect(products.has('CE-3')).toBe(false);
        else expect(products.has('CE-3')).toBe(true);
        if (policy === 'disable') expect(products.get('CE-3')!.enabled).toBe(false);
        expect(products.get('CE-1')!.enabled).toBe(true);
        noUuidRoutes();
      } finally {
        await client.close();
      }
    });
  }

  /** Three products in an ERP category (tree mode: it becomes an Akeneo category under master). */
  function categorizedErp(): FakeErp {
    const erp = new FakeErp();
    erp.put({ stream: 'categories', key: 'ce_tools', parent: null, fields: { name: 'Tools' } });
    for (const [i, key] of ['CE-1', 'CE-2', 'CE-3'].entries()) {
      erp.put({ stream: 'items', key, group: null, categories: ['ce_tools'], active: true, fields: { ean: `400638133393${i}` } });
    }
    return erp;
  }

  it('deletions (uncategorize): an archived and a gone item leave their categories by SKU, stay enabled; a rerun writes nothing', async () => {
    await resetSandbox();
    const dir = tempDir();
    const config = configFor(dir, { deletion: 'uncategorize' });
    const erp = categorizedErp();
    const client = clientFor(sb);
    try {
      await bootstrapPim(client, config.mapping, erp);
      const first = await runSync(config, { client, source: erp, logger: silent, full: true });
      expect(first.status, JSON.stringify(first.rejects)).toBe('succeeded');
      expect([...(await productsBySku()).values()].map((p) => p.categories)).toEqual([['ce_tools'], ['ce_tools'], ['ce_tools']]);
      erp.edit('items', 'CE-2', (r) => (r.active = false));
      erp.remove('items', 'CE-3');
      const second = await runSync(config, { client, source: erp, logger: silent, full: true });
      checkCounts(second);
      expect(second.status, JSON.stringify(second.rejects)).toBe('succeeded');
      expect(second.deletions).toMatchObject({ policy: 'uncategorize', gone: 1, applied: 1, failed: 0 });
      const products = await productsBySku();
      expect([...products.keys()].sort()).toEqual(['CE-1', 'CE-2', 'CE-3']);
      expect(products.get('CE-1')!.categories).toEqual(['ce_tools']);
      for (const sku of ['CE-2', 'CE-3']) {
        expect(products.get(sku)!.categories, sku).toEqual([]);
        expect(products.get(sku)!.enabled, sku).toBe(true);
        expect(products.get(sku)).not.toHaveProperty('uuid');
      }
      const again = await runSync(config, { client, source: erp, logger: silent, full: true });
      expect(again.requests.writes).toBe(0);
      noUuidRoutes();
    } finally {
      await client.close();
    }
  });

  it('deletions (ignore): an archived item is synced as any other, a gone one is counted and left as it is', async () => {
    await resetSandbox();
    const dir = tempDir();
    const config = configFor(dir, { deletion: 'ignore' });
    const erp = categorizedErp();
    const client = clientFor(sb);
    try {
      await bootstrapPim(client, config.mapping, erp);
      const first = await runSync(config, { client, source: erp, logger: silent, full: true });
      expect(first.status, JSON.stringify(first.rejects)).toBe('succeeded');
      erp.edit('items', 'CE-2', (r) => {
        r.active = false;
        r.fields.ean = '4006381333999';
      });
      erp.remove('items', 'CE-3');
      const second = await runSync(config, { client, source: erp, logger: silent, full: true });
      checkCounts(second);
      expect(second.status, JSON.stringify(second.rejects)).toBe('succeeded');
      expect(second.deletions).toMatchObject({ policy: 'ignore', gone: 1, applied: 0, failed: 0 });
      const products = await productsBySku();
      expect([...products.keys()].sort()).toEqual(['CE-1', 'CE-2', 'CE-3']);
      for (const sku of ['CE-1', 'CE-2', 'CE-3']) {
        expect(products.get(sku)!.enabled, sku).toBe(true);
        expect(products.get(sku)!.categories, sku).toEqual(['ce_tools']);
      }
      expect(products.get('CE-2')!.values?.['ean']?.[0]?.data).toBe('4006381333999');
      expect(products.get('CE-3')!.values?.['ean']?.[0]?.data).toBe('4006381333932');
      noUuidRoutes();
    } finally {
      await client.close();
    }
  });

  it('update-only: finds the products the PIM has by SKU, updates their ERP values, creates nothing', async () => {
    await resetSandbox();
    const dir = tempDir();
    const config = configFor(dir, { updateOnly: true });
    const erp = erpWith(false);
    const client = clientFor(sb);
    try {
      await bootstrapPim(client, config.mapping, erp);
      // Julia created CE-2 in the PIM, by SKU: the only endpoint a 6.0 has.
      await client.products.upsert({ identifier: 'CE-2', values: {} } as never);
      const r = await runSync(config, { client, source: erp, logger: silent, full: true });
      checkCounts(r);
      expect(r.status, JSON.stringify(r.rejects)).toBe('succeeded');
      expect(r.byType.product).toMatchObject({ created: 0, updated: 1, skipped: 2 });
      const products = await productsBySku();
      expect([...products.keys()]).toEqual(['CE-2']);
      expect(products.get('CE-2')!.values?.['ean']?.[0]?.data).toBe('4006381333931');
      noUuidRoutes();
    } finally {
      await client.close();
    }
  });
});
