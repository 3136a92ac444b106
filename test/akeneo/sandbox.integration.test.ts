/** The client against Ferry's own Akeneo sandbox (src/sandbox). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { createAkeneoClient, type AkeneoClient, type Product } from '../../src/akeneo/index.js';
import { runPimCheck } from '../../src/app/pim-check.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';

function clientFor(s: RunningSandbox, extra: Partial<Parameters<typeof createAkeneoClient>[0]> = {}): AkeneoClient {
  return createAkeneoClient({
    url: s.url,
    auth: { kind: 'connection', clientId: s.clientId, secret: s.secret, username: s.username, password: s.password },
    backoffBaseMs: 50,
    ...extra,
  });
}

const sku = (data: string) => ({ sku: [{ locale: null, scope: null, data }] });

describe('client ↔ sandbox', () => {
  let sandbox: RunningSandbox;
  let client: AkeneoClient;
  beforeAll(async () => {
    sandbox = await startSandbox({ catalog: 'demo', limits: 'saas' });
    client = clientFor(sandbox);
  });
  afterAll(async () => {
    await client?.close();
    await sandbox?.close();
  });

  it('detects a SaaS PIM with uuid endpoints', async () => {
    const info = await client.detect();
    expect(info.endpointMode).toBe('uuid');
    expect(info.edition).toBeTruthy();
  });

  it('ferry pim check reads version, edition and counts', async () => {
    const report = await runPimCheck({
      url: sandbox.url,
      clientId: sandbox.clientId,
      secret: sandbox.secret,
      username: sandbox.username,
      password: sandbox.password,
      endpoints: 'auto',
      timeoutMs: 10_000,
      limits: { concurrency: 4, requestsPerSecond: 100, optionWritesPerSecond: 3, maxRetries: 6 },
    });
    expect(report.endpointMode).toBe('uuid');
    expect(report.counts.channels).toBe(2);
    expect(report.counts.activeLocales).toBe(3);
    expect(report.counts.attributes).toBeGreaterThan(0);
  });

  it('reads the demo catalog structure', async () => {
    const channels: string[] = [];
    for await (const c of client.channels.list()) channels.push(c.code);
    expect(channels).toEqual(expect.arrayContaining(['ecommerce', 'mobile']));
    const sku = await client.attributes.get('sku');
    expect(sku.type).toBe('pim_catalog_identifier');
  });

  it('batch-upserts products and maps line errors back to inputs', async () => {
    const items: Product[] = [
      { values: sku(`IT-${randomUUID().slice(0, 8)}`), categories: ['master'] },
      { values: sku(`IT-${randomUUID().slice(0, 8)}`), family: 'no_such_family_here' },
      { values: sku(`IT-${randomUUID().slice(0, 8)}`) },
    ];
    const results = await client.products.upsertMany(items);
    expect(results.map((r) => r.outcome)).toEqual(['created', 'failed', 'created']);
    expect(results[1]!.status).toBe(422);
    expect(results[1]!.message).toMatch(/no_such_family_here/);
    const again = await client.products.upsertMany([{ ...items[0]!, uuid: results[0]!.uuid }]);
    expect(again[0]!.outcome).toBe('updated');
    const read = await client.products.get(results[0]!.uuid!);
    expect(read.values?.sku?.[0]?.data).toBe((items[0]!.values!.sku![0]!.data));
  });

  it('keeps the ERP key ↔ uuid map in the caller\'s hands', async () => {
    const ids = Array.from({ length: 120 }, (_, i) => `MAP-${i}-${randomUUID().slice(0, 6)}`);
    const results = await client.products.upsertMany(ids.map((identifier) => ({ identifier })));
    expect(results.filter((r) => r.outcome !== 'created')).toEqual([]);
    let map = new Map<string, string>();
    for (let attempt = 0; attempt < 20 && map.size < ids.length; attempt++) {
      map = await client.products.uuidsByIdentifier([...ids, 'NOT-THERE']);
      if (map.size < ids.length) await new Promise((r) => setTimeout(r, 250));
    }
    expect(map.size).toBe(ids.length);
    results.forEach((r, i) => expect(map.get(ids[i]!)).toBe(r.uuid));
  });

  it('pages through products with search_after', async () => {
    const items = Array.from({ length: 250 }, (_, i) => ({ values: sku(`PAGE-${i}-${randomUUID().slice(0, 6)}`) }));
    const results = await client.products.upsertMany(items);
    expect(results.filter((r) => r.outcome === 'failed')).toEqual([]);
    const wanted = new Set(results.map((r) => r.uuid));
    // Lists may lag behind writes (search index): poll briefly.
    let seen = 0;
    for (let attempt = 0; attempt < 20; attempt++) {
      seen = 0;
      for await (const p of client.products.list()) if (wanted.has(p.uuid)) seen++;
      if (seen === wanted.size) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(seen).toBe(wanted.size);
  });

  it('writes a category tree, parents before children', async () => {
    const suffix = randomUUID().slice(0, 6);
    const cats = [
      ...Array.from({ length: 120 }, (_, i) => ({ code: `it_${suffix}_p${i}`, parent: 'master' })),
      ...Array.from({ length: 120 }, (_, i) => ({ code: `it_${suffix}_c${i}`, parent: `it_${suffix}_p${i}` })),
    ];
    const results = await client.categories.upsertMany(cats);
    expect(results.filter((r) => r.outcome !== 'created')).toEqual([]);
  });

  it('survives injected faults: every idempotent write lands exactly once', async () => {
    const faulty = await startSandbox({
      catalog: 'demo',
      limits: 'saas',
      faults: '429:0.05,500:0.03,reset:0.02,timeout:0.02,500-after-write:0.02',
      timeoutFaultMs: 3000,
      seed: 7,
    });
    const c = clientFor(faulty, { limits: { maxRetries: 8 }, timeoutMs: 1500 });
    try {
      const items = Array.from({ length: 1500 }, (_, i) => ({ uuid: randomUUID(), values: sku(`FAULT-${i}`) }));
      const results = await c.products.upsertMany(items);
      expect(results.filter((r) => r.outcome === 'failed')).toEqual([]);
      expect(c.stats().retried).toBeGreaterThan(0);
      // Replayed PATCHes upsert the same uuids: no duplicates.
      expect((faulty.stats() as { products?: number }).products).toBe(1500);
      // Single-item upserts too: many more calls, so every fault kind shows up.
      const singles = Array.from({ length: 200 }, (_, i) => ({ uuid: randomUUID(), values: sku(`FAULT-SINGLE-${i}`) }));
      const written = await Promise.all(singles.map((p) => c.products.upsert(p)));
      expect(written.every((w) => w.outcome === 'created' || w.outcome === 'updated')).toBe(true);
      expect((faulty.stats() as { products?: number }).products).toBe(1700);
      const faults = (faulty.stats() as { faultsInjected?: Record<string, number> }).faultsInjected ?? {};
      console.info('[faults injected]', JSON.stringify(faults), 'client stats', JSON.stringify(c.stats()));
      expect(Object.values(faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(5);
    } finally {
      await c.close();
      await faulty.close();
    }
  });

  it('uploads a media file to a product and downloads it back', async () => {
    const attributes: string[] = [];
    for await (const a of client.attributes.list()) if (a.type === 'pim_catalog_image') attributes.push(a.code);
    if (attributes.length === 0) {
      console.warn('[skip] media upload: the demo catalog has no image/file attribute');
      return;
    }
    const id = `MEDIA-${randomUUID().slice(0, 8)}`;
    const [created] = await client.products.upsertMany([{ values: sku(id) }]);
    expect(created!.outcome).toBe('created');
    // A 1×1 PNG.
    const content = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
    const attribute = (await client.attributes.get(attributes[0]!)) as { code: string; localizable?: boolean; scopable?: boolean };
    const code = await client.mediaFiles.upload({
      content,
      filename: 'front.png',
      product: { identifier: id, attribute: attribute.code, locale: attribute.localizable ? 'en_US' : null, scope: attribute.scopable ? 'ecommerce' : null },
    });
    expect(code).toMatch(/front/);
    expect((await client.mediaFiles.get(code)).original_filename).toBe('front.png');
    const product = await client.products.get(created!.uuid!);
    expect(product.values?.[attribute.code]?.[0]?.data).toBe(code);
    expect((await client.mediaFiles.download(code)).equals(content)).toBe(true);
  });

  it('refreshes tokens before they expire', async () => {
    const shortLived = await startSandbox({ catalog: 'demo', tokenLifetimeSeconds: 2 });
    const c = clientFor(shortLived);
    try {
      await c.channels.get('ecommerce');
      await new Promise((r) => setTimeout(r, 2100));
      await c.channels.get('ecommerce');
      expect(c.stats().tokenRequests).toBe(2);
    } finally {
      await c.close();
      await shortLived.close();
    }
  });
});
