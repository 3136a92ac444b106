/**
 * Reference entities and assets end to end (issue 16, point 4), against the sandbox's EE edition:
 * bootstrap creates the reference entity, its record attribute, the asset family and the link
 * attributes; the first sync creates brand records and assets from images (uploaded once per
 * content through the asset media file endpoint) before the products that link them; a second
 * sync writes nothing; a changed brand attribute and a changed image update only that record and
 * that asset; an image no item names any more is deleted under the `delete` policy while a record
 * is kept (Akeneo's API cannot delete records). On CE, bootstrap and the sync say the mapping
 * needs EE. AdventureWorks' data (../shared/data/adventureworks) has no product photos, so the
 * test draws its own PNGs.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AkeneoClient } from '../../src/akeneo/index.js';
import { ferryConfigSchema, type FerryConfig } from '../../src/config/schema.js';
import { createLogger } from '../../src/logging.js';
import { loadReferenceDataStructure } from '../../src/mapping/bootstrap-reference.js';
import { describePlan, isEmptyPlan, planBootstrap, resolveMapping } from '../../src/mapping/index.js';
import { loadPimStructure } from '../../src/mapping/pim-structure.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { bootstrapPim } from '../../src/sync/bootstrap.js';
import { formatReport, runSync } from '../../src/sync/index.js';
import { FakeErp } from './fakes.js';
import { checkCounts, sandboxPimConfig, tempDirs } from './support/e2e.js';
import { clientFor } from './support/pim.js';

const silent = createLogger({ level: 'silent' });
const tempDir = tempDirs('ferry-refdata-e2e-');

/** A valid 1×1 PNG of one colour. */
function png(rgb: [number, number, number]): Buffer {
  const crc32 = (buf: Buffer): number => {
    let c = ~0;
    for (const b of buf) {
      c ^= b;
      for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
    }
    return ~c >>> 0;
  };
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.from([0, ...rgb]))), chunk('IEND', Buffer.alloc(0))]);
}

function setup(sb: RunningSandbox): { config: FerryConfig; erp: FakeErp; media: string } {
  const dir = tempDir();
  const media = join(dir, 'media');
  mkdirSync(media);
  const config = ferryConfigSchema.parse({
    pim: sandboxPimConfig(sb),
    erp: { type: 'demo', path: join(dir, 'unused.sqlite') },
    mapping: {
      identity: { enabled: false },
      codes: { normalise: true },
      attributes: { name: { type: 'text' } },
      referenceEntities: {
        brand: { from: 'brand', link: 'brand_link', labels: { en_US: 'Brand' }, imageFrom: 'brand_logo', attributes: { country: 'brand_country' } },
      },
      assetFamilies: { packshots: { from: 'image', link: 'packshots', labels: { en_US: 'Packshots' } } },
      structure: {
        categories: { mode: 'ignore' },
        families: { default: 'gear', definitions: { gear: { attributes: ['name', 'brand_link', 'packshots'] } } },
      },
    },
    state: { path: join(dir, 'ferry.db') },
    sync: { mediaRoot: media, deletion: 'delete' },
  });
  const erp = new FakeErp();
  const item = (sku: string, name: string, brand: string, country: string, image: string) =>
    erp.put({ stream: 'items', key: sku, group: null, categories: [], active: true, fields: { name, brand, brand_country: country, brand_year: 1999, brand_logo: `logos/${brand}.png`, image } });
  item('BK-R93R-62', 'Road-150 Red, 62', 'Contoso Ltd', 'US', 'roadbike_red.png');
  item('BK-R93R-44', 'Road-150 Red, 44', 'Contoso Ltd', 'US', 'roadbike_red.png');
  item('HL-U509', 'Sport-100 Helmet', 'Adventure Works', 'CA', 'helmet.png');
  item('SO-B909', 'Mountain Bike Socks', 'Adventure Works', 'CA', 'socks.png');
  writeFileSync(join(media, 'roadbike_red.png'), png([200, 0, 0]));
  writeFileSync(join(media, 'helmet.png'), png([0, 0, 200]));
  writeFileSync(join(media, 'socks.png'), png([0, 200, 0]));
  mkdirSync(join(media, 'logos'));
  writeFileSync(join(media, 'logos', 'Contoso Ltd.png'), png([10, 10, 10]));
  writeFileSync(join(media, 'logos', 'Adventure Works.png'), png([20, 20, 20]));
  return { config, erp, media };
}

/** A token for a raw request (the client has no download for reference entity media). */
async function tokenOf(sb: RunningSandbox): Promise<string> {
  const res = await fetch(`${sb.url}/api/oauth/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${sb.clientId}:${sb.secret}`).toString('base64')}` },
    body: JSON.stringify({ grant_type: 'password', username: sb.username, password: sb.password }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

async function productValues(client: AkeneoClient, sku: string): Promise<Record<string, unknown>> {
  for await (const p of client.products.list({ search: JSON.stringify({ sku: [{ operator: 'IN', value: [sku] }] }) })) {
    return Object.fromEntries(Object.entries(p.values ?? {}).map(([k, v]) => [k, v[0]?.data]));
  }
  return {};
}

describe.each([
  ['EE 7.0', { edition: 'ee', version: '7.0' }],
  ['SaaS', { edition: 'saas' }],
] as const)('reference entities and assets → sandbox %s, end to end', (_name, edition) => {
  let sb: RunningSandbox;
  beforeAll(async () => {
    sb = await startSandbox({ catalog: 'demo', ...edition });
  });
  afterAll(async () => {
    await sb.close();
  });

  it('creates records and assets before the products linking them, then writes only what changed, and applies the deletion policy', async () => {
    const { config, erp, media } = setup(sb);
    const client = clientFor(sb);
    try {
      const plan = planBootstrap(config.mapping, await loadPimStructure(client), []);
      const lines = describePlan(plan).join('\n');
      expect(lines).toContain('+ reference entity brand with attributes country (text)');
      expect(lines).toContain('+ asset family packshots with media attribute media');
      expect(plan.attributes.find((a) => a.code === 'brand_link')).toMatchObject({ type: 'akeneo_reference_entity', reference_data_name: 'brand' });
      expect(plan.attributes.find((a) => a.code === 'packshots')).toMatchObject({ type: 'pim_catalog_asset_collection', reference_data_name: 'packshots' });
      await bootstrapPim(client, config.mapping, erp);
      expect((await client.referenceEntityAttributes('brand').get('country'))['type']).toBe('text');
      expect((await client.assetFamilies.get('packshots'))['attribute_as_main_media']).toBe('media');
      // Bootstrapped: a new plan made with what the PIM has is empty.
      const after = await loadPimStructure(client);
      const resolved = resolveMapping(config.mapping);
      const again = planBootstrap(resolved, after, [], { referenceData: (await loadReferenceDataStructure(client, resolved, after))! });
      expect(again.referenceData).toEqual({ referenceEntities: [], assetFamilies: [] });
      expect(isEmptyPlan(again), describePlan(again).join('\n')).toBe(true);

      // First sync: 2 brands, 3 assets (the two red bikes share one image), 4 products linking them.
      const first = await runSync(config, { client, source: erp, logger: silent, full: true });
      checkCounts(first);
      expect(first.status, JSON.stringify([first.rejects, first.referenceData])).toBe('succeeded');
      expect(first.counts.created).toBe(4);
      // 5 files: 3 packshots (the red bikes share one) and 2 brand logos through the reference entity media endpoint.
      expect(first.referenceData).toMatchObject({ records: { created: 2, failed: 0 }, assets: { created: 3, failed: 0 }, uploads: 5 });
      const contoso = await client.referenceEntityRecords('brand').get('contoso_ltd');
      expect(contoso.values?.['label']).toEqual([{ locale: 'en_US', channel: null, data: 'Contoso Ltd' }]);
      expect(contoso.values?.['country']?.[0]?.data).toBe('US');
      const logo = String(contoso.values?.['image']?.[0]?.data);
      const served = await fetch(`${sb.url}/api/rest/v1/reference-entities-media-files/${logo}`, { headers: { authorization: `Bearer ${await tokenOf(sb)}` } });
      expect(served.status, logo).toBe(200);
      expect(Buffer.from(await served.arrayBuffer()).equals(png([10, 10, 10]))).toBe(true);
      const asset = await client.assets('packshots').get('roadbike_red');
      expect(typeof asset.values?.['media']?.[0]?.data).toBe('string');
      expect(await productValues(client, 'BK-R93R-44')).toMatchObject({ brand_link: 'contoso_ltd', packshots: ['roadbike_red'] });
      expect(await productValues(client, 'HL-U509')).toMatchObject({ brand_link: 'adventure_works', packshots: ['helmet'] });

      // Second sync: nothing changed, nothing written.
      const second = await runSync(config, { client, source: erp, logger: silent, full: true });
      checkCounts(second);
      expect(second.requests.writes).toBe(0);
      expect(second.referenceData).toMatchObject({ records: { created: 0, updated: 0, unchanged: 2 }, assets: { created: 0, updated: 0, unchanged: 3 }, uploads: 0 });

      // A brand's country, the other brand's logo and one packshot change: those records and that asset only.
      erp.edit('items', 'HL-U509', (r) => (r.fields['brand_country'] = 'MX'));
      writeFileSync(join(media, 'socks.png'), png([0, 250, 0]));
      writeFileSync(join(media, 'logos', 'Contoso Ltd.png'), png([30, 30, 30]));
      const third = await runSync(config, { client, source: erp, logger: silent, full: true });
      checkCounts(third);
      expect(third.status, JSON.stringify(third.rejects)).toBe('succeeded');
      expect(third.referenceData).toMatchObject({ records: { updated: 2, unchanged: 0 }, assets: { updated: 1, unchanged: 2 }, uploads: 2 });
      expect((await client.referenceEntityRecords('brand').get('contoso_ltd')).values?.['image']?.[0]?.data).not.toBe(logo);
      expect((await client.referenceEntityRecords('brand').get('adventure_works')).values?.['country']?.[0]?.data).toBe('MX');
      const socks = await client.assets('packshots').get('socks');
      expect(socks.values?.['media']?.[0]?.data).not.toBe(asset.values?.['media']?.[0]?.data);

      // The helmet and socks leave the ERP: their assets go (policy delete), the brand record stays (no API deletion).
      erp.remove('items', 'HL-U509');
      erp.remove('items', 'SO-B909');
      // Someone deleted the socks' packshot in the PIM already: gone is what the policy wants, not a failure.
      await client.assets('packshots').delete('socks');
      const fourth = await runSync(config, { client, source: erp, logger: silent, full: true });
      checkCounts(fourth);
      expect(fourth.referenceData).toMatchObject({ assets: { deleted: 2, failed: 0 }, records: { kept: 1 } });
      expect(fourth.referenceData!.messages).toContain('asset socks of packshots: no ERP item names it any more; it was already gone from the PIM (sync.deletion: delete).');
      expect(fourth.referenceData!.messages).toContain('asset helmet of packshots: no ERP item names it any more; deleted (sync.deletion: delete).');
      expect(await client.assets('packshots').find('helmet')).toBeUndefined();
      expect(await client.assets('packshots').find('roadbike_red')).toBeDefined();
      expect(await client.referenceEntityRecords('brand').find('adventure_works')).toBeDefined();
      expect(fourth.referenceData!.messages.join('\n')).toContain("record adventure_works of brand: no ERP item names it any more; kept (Akeneo's API cannot delete reference entity records)");

      const text = formatReport(fourth);
      expect(text).toContain('reference entity records: 0 created, 0 updated, 1 unchanged, 1 kept; assets: 0 created, 0 updated, 1 unchanged, 2 deleted (0 files uploaded)');
      if (process.env['SHOW_REPORT']) console.log(text);
      // Nothing left to delete: the next run is quiet again.
      const fifth = await runSync(config, { client, source: erp, logger: silent, full: true });
      expect(fifth.referenceData?.assets.deleted ?? 0).toBe(0);
    } finally {
      await client.close();
    }
  });
});

describe('reference data the PIM refuses, and a dry run', () => {
  it('a refused record is listed with the PIM\'s reason, and the product linking it is rejected naming the record; a dry run writes nothing', async () => {
    const sb = await startSandbox({ catalog: 'demo', edition: 'ee', version: '7.0' });
    const client = clientFor(sb);
    try {
      const { config, erp } = setup(sb);
      await bootstrapPim(client, config.mapping, erp);
      // Planned and counted, nothing written, nothing read from disk.
      const dry = await runSync(config, { client, source: erp, logger: silent, full: true, dryRun: true });
      expect(dry.requests.writes).toBe(0);
      expect(dry.referenceData).toMatchObject({ records: { created: 2 }, assets: { created: 3 }, uploads: 0 });
      expect(await client.referenceEntityRecords('brand').find('contoso_ltd')).toBeUndefined();

      // The mapping now names a record attribute (founded) the PIM lacks (no bootstrap since): Akeneo refuses both records.
      const withBad = ferryConfigSchema.parse({
        ...config,
        mapping: { ...config.mapping, referenceEntities: { brand: { from: 'brand', link: 'brand_link', imageFrom: 'brand_logo', attributes: { country: 'brand_country', founded: 'brand_year' } } } },
      });
      const report = await runSync(withBad, { client, source: erp, logger: silent, full: true });
      checkCounts(report);
      expect(report.referenceData).toMatchObject({ records: { created: 0, failed: 2 }, assets: { created: 3 } });
      expect(report.referenceData!.messages.join('\n')).toContain('record contoso_ltd of brand (from item BK-R93R-62): ');
      expect(report.counts.rejected).toBe(4);
      expect(report.rejects.map((r) => r.message).join('\n')).toContain('The following records do not exist for the "brand" reference entity: contoso_ltd');
    } finally {
      await client.close();
      await sb.close();
    }
  });
});

describe('reference entities and assets on the Community Edition', () => {
  it('the bootstrap plan and the sync say the mapping needs EE / SaaS', async () => {
    const sb = await startSandbox({ catalog: 'demo', edition: 'ce', version: '7.0' });
    const client = clientFor(sb);
    try {
      const { config, erp } = setup(sb);
      const plan = planBootstrap(config.mapping, await loadPimStructure(client), []);
      const text = describePlan(plan).join('\n');
      expect(text).toContain('mapping.referenceEntities (brand) and mapping.assetFamilies (packshots) need Akeneo Enterprise Edition or SaaS: this PIM is the Community Edition');
      expect(plan.referenceData).toEqual({ referenceEntities: [], assetFamilies: [] });
      const report = await runSync(config, { client, source: erp, logger: silent, full: true });
      expect(report.status).toBe('failed');
      expect(report.error).toContain('mapping.referenceEntities / mapping.assetFamilies need Akeneo Enterprise Edition or SaaS; this PIM is the Community Edition');
      expect(report.requests.writes).toBe(0);
    } finally {
      await client.close();
      await sb.close();
    }
  });
});
