/**
 * Media end to end: ERP image paths → the real mapper (upload requests) → the engine (reads,
 * hashes, uploads once per content) → the real client → the sandbox, which serves the file back.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AkeneoClient } from '../../src/akeneo/index.js';
import { ferryConfigSchema, type FerryConfig } from '../../src/config/schema.js';
import { createLogger } from '../../src/logging.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { runSync } from '../../src/sync/index.js';
import { bootstrapPim } from '../../src/sync/bootstrap.js';
import { FakeErp } from './fakes.js';
import { checkCounts, sandboxPimConfig, tempDirs } from './support/e2e.js';
import { clientFor, recordingClient } from './support/pim.js';

const silent = createLogger({ level: 'silent' });
const tempDir = tempDirs('ferry-media-e2e-');
let sb: RunningSandbox;

beforeAll(async () => {
  sb = await startSandbox({ catalog: 'demo' });
});
afterAll(async () => {
  await sb.close();
});

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
  const raw = Buffer.from([0, ...rgb]);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** The client, with every media upload counted. */
function countingUploads(client: AkeneoClient): { client: AkeneoClient; uploads: string[] } {
  const uploads: string[] = [];
  const mediaFiles = new Proxy(client.mediaFiles, {
    get(obj, prop, receiver) {
      if (prop === 'upload') {
        return async (req: Parameters<AkeneoClient['mediaFiles']['upload']>[0]) => {
          uploads.push(req.filename);
          return obj.upload(req);
        };
      }
      return Reflect.get(obj, prop, receiver) as unknown;
    },
  });
  return { client: new Proxy(client, { get: (obj, prop, receiver) => (prop === 'mediaFiles' ? mediaFiles : (Reflect.get(obj, prop, receiver) as unknown)) }), uploads };
}

function setup(): { config: FerryConfig; dir: string; erp: FakeErp } {
  const dir = tempDir();
  const config = ferryConfigSchema.parse({
    pim: sandboxPimConfig(sb),
    erp: { type: 'demo', path: join(dir, 'unused.sqlite') },
    mapping: { attributes: { ean: { type: 'text' }, packshot: { type: 'image', from: 'image' } } },
    state: { path: join(dir, 'ferry.db') },
    sync: { mediaRoot: join(dir, 'media'), mediaHosts: ['127.0.0.1'] }, // the test image servers listen on loopback
  });
  const erp = new FakeErp();
  // FakeErp has no categories or groups here: plain products with an EAN and an image path.
  erp.put({ stream: 'items', key: 'IMG-1', group: null, categories: [], active: true, fields: { ean: '4006381333931', image: 'one.png' } });
  erp.put({ stream: 'items', key: 'IMG-2', group: null, categories: [], active: true, fields: { ean: '4006381333948', image: 'same-as-one.png' } });
  erp.put({ stream: 'items', key: 'IMG-3', group: null, categories: [], active: true, fields: { ean: '4006381333955', image: 'three.png' } });
  return { config, dir, erp };
}

describe('media → sandbox, end to end', () => {
  it('uploads each content once, the PIM serves the same bytes; an unchanged run uploads nothing; a changed file is uploaded again', async () => {
    const { config, dir, erp } = setup();
    const media = join(dir, 'media');
    mkdirSync(media);
    const red = png([255, 0, 0]);
    const blue = png([0, 0, 255]);
    writeFileSync(join(media, 'one.png'), red);
    writeFileSync(join(media, 'same-as-one.png'), red);
    writeFileSync(join(media, 'three.png'), blue);

    const base = clientFor(sb);
    await bootstrapPim(base, config.mapping, erp);
    const { client: counted, uploads } = countingUploads(base);
    const { client, writes } = recordingClient(counted);
    const packshot = async (sku: string): Promise<string> => {
      for await (const p of base.products.list({ search: JSON.stringify({ sku: [{ operator: 'IN', value: [sku] }] }) })) {
        return String(p.values?.packshot?.[0]?.data ?? '');
      }
      return '';
    };

    const first = await runSync(config, { client, source: erp, logger: silent, full: true });
    checkCounts(first);
    expect(first.status, JSON.stringify(first.rejects)).toBe('succeeded');
    expect(first.counts.created).toBe(3);
    expect(uploads).toHaveLength(2); // one.png and same-as-one.png share their content
    const [c1, c2, c3] = [await packshot('IMG-1'), await packshot('IMG-2'), await packshot('IMG-3')];
    expect(c1).not.toBe('');
    expect(c2).toBe(c1);
    expect(c3).not.toBe(c1);
    expect(Buffer.compare(await base.mediaFiles.download(c1), red)).toBe(0);
    expect(Buffer.compare(await base.mediaFiles.download(c3), blue)).toBe(0);

    // No change: no upload, no write at all.
    uploads.length = 0;
    writes.length = 0;
    const second = await runSync(config, { client, source: erp, logger: silent, full: true });
    checkCounts(second);
    expect(uploads).toHaveLength(0);
    expect(writes, JSON.stringify(writes)).toHaveLength(0);
    expect(second.requests.writes).toBe(0);
    expect(second.counts.unchanged).toBe(3);

    // three.png changes on disk (same path, same ERP record): uploaded again, the value follows.
    const green = png([0, 255, 0]);
    writeFileSync(join(media, 'three.png'), green);
    const third = await runSync(config, { client, source: erp, logger: silent, full: true });
    checkCounts(third);
    expect(third.status, JSON.stringify(third.rejects)).toBe('succeeded');
    expect(uploads).toEqual(['three.png']);
    expect(third.counts.updated).toBe(1);
    const c3b = await packshot('IMG-3');
    expect(c3b).not.toBe(c3);
    expect(Buffer.compare(await base.mediaFiles.download(c3b), green)).toBe(0);
    expect(await packshot('IMG-1')).toBe(c1);

    // And quiet again.
    uploads.length = 0;
    writes.length = 0;
    const fourth = await runSync(config, { client, source: erp, logger: silent, full: true });
    expect(fourth.counts.unchanged).toBe(3);
    expect(uploads).toHaveLength(0);
    expect(writes).toHaveLength(0);
    await base.close();
  }, 60_000);

  it('URLs: revalidated with the validators of their last download; a 304 costs nothing, a new content at the same address is uploaded; trust asks nothing', async () => {
    const files = new Map<string, { body: Buffer; validators: boolean }>();
    const requests: { path: string; conditional: boolean; status: number }[] = [];
    const modified = new Date('2026-11-01T00:00:00Z').toUTCString();
    const server: Server = createServer((req, res) => {
      const file = files.get(req.url ?? '');
      const conditional = req.headers['if-none-match'] !== undefined || req.headers['if-modified-since'] !== undefined;
      if (!file) {
        requests.push({ path: req.url ?? '', conditional, status: 404 });
        res.writeHead(404).end();
        return;
      }
      const etag = `"${createHash('sha1').update(file.body).digest('hex')}"`;
      if (file.validators && req.headers['if-none-match'] === etag) {
        requests.push({ path: req.url!, conditional, status: 304 });
        res.writeHead(304, { etag }).end();
        return;
      }
      requests.push({ path: req.url!, conditional, status: 200 });
      res.writeHead(200, { 'content-type': 'image/png', ...(file.validators ? { etag, 'last-modified': modified } : {}) }).end(file.body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const red = png([255, 0, 0]);
      files.set('/a.png', { body: red, validators: true });
      files.set('/same-as-a.png', { body: red, validators: true });
      files.set('/c.png', { body: png([0, 0, 255]), validators: true });
      files.set('/plain.png', { body: png([9, 9, 9]), validators: false }); // a server that sends no ETag or Last-Modified

      const { config } = setup();
      const erp = new FakeErp();
      const paths = ['a.png', 'same-as-a.png', 'c.png', 'plain.png'];
      paths.forEach((path, i) =>
        erp.put({ stream: 'items', key: `URL-${i + 1}`, group: null, categories: [], active: true, fields: { ean: `400638133410${i}`, image: `${base}/${path}` } }),
      );
      const sdk = clientFor(sb);
      await bootstrapPim(sdk, config.mapping, erp);
      const { client: counted, uploads } = countingUploads(sdk);
      const { client, writes } = recordingClient(counted);
      const packshot = async (sku: string): Promise<string> => {
        for await (const p of sdk.products.list({ search: JSON.stringify({ sku: [{ operator: 'IN', value: [sku] }] }) })) return String(p.values?.packshot?.[0]?.data ?? '');
        return '';
      };
      const run = async (cfg: FerryConfig = config) => {
        const r = await runSync(cfg, { client, source: erp, logger: silent, full: true });
        checkCounts(r);
        expect(r.status, JSON.stringify(r.rejects)).toBe('succeeded');
        return r;
      };

      const first = await run();
      expect(first.counts.created).toBe(4);
      expect(uploads.sort()).toEqual(['a.png', 'c.png', 'plain.png']); // a and same-as-a share their content
      expect(requests.every((r) => !r.conditional && r.status === 200)).toBe(true);
      expect(Buffer.compare(await sdk.mediaFiles.download(await packshot('URL-2')), red)).toBe(0);

      // Nothing changed: each address is asked once, with its validators; 304s cost no download.
      requests.length = 0;
      uploads.length = 0;
      writes.length = 0;
      const second = await run();
      expect(second.counts.unchanged).toBe(4);
      expect(uploads).toHaveLength(0);
      expect(writes).toHaveLength(0);
      expect(requests.filter((r) => r.status === 304).map((r) => r.path).sort()).toEqual(['/a.png', '/c.png', '/same-as-a.png']);
      expect(requests.filter((r) => r.status === 304).every((r) => r.conditional)).toBe(true);
      // Without validators, the content is downloaded and hashed again: same content, no upload.
      expect(requests.filter((r) => r.path === '/plain.png')).toEqual([{ path: '/plain.png', conditional: false, status: 200 }]);

      // A new picture at the same address: downloaded, uploaded, and the value follows.
      const green = png([0, 255, 0]);
      files.set('/c.png', { body: green, validators: true });
      const codeBefore = await packshot('URL-3');
      uploads.length = 0;
      const third = await run();
      expect(uploads).toEqual(['c.png']);
      expect(third.counts).toMatchObject({ updated: 1, unchanged: 3 });
      const codeAfter = await packshot('URL-3');
      expect(codeAfter).not.toBe(codeBefore);
      expect(Buffer.compare(await sdk.mediaFiles.download(codeAfter), green)).toBe(0);

      // trust: an address once uploaded is never asked again.
      requests.length = 0;
      files.set('/a.png', { body: png([1, 2, 3]), validators: true });
      const trusting = ferryConfigSchema.parse({ ...config, sync: { ...config.sync, mediaUrls: 'trust' } });
      const fourth = await run(trusting);
      expect(fourth.counts.unchanged).toBe(4);
      expect(requests).toHaveLength(0);
      await sdk.close();
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  }, 60_000);

  it('a URL that answers 404 rejects its record, naming the address; the others are synced', async () => {
    const server: Server = createServer((_req, res) => res.writeHead(404).end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/gone.png`;
    try {
      const { config, dir, erp } = setup();
      mkdirSync(join(dir, 'media'));
      for (const f of ['one.png', 'same-as-one.png', 'three.png']) writeFileSync(join(dir, 'media', f), png([4, 5, 6]));
      erp.edit('items', 'IMG-3', (r) => (r.fields.image = url));
      const sdk = clientFor(sb);
      await bootstrapPim(sdk, config.mapping, erp);
      const r = await runSync(config, { client: sdk, source: erp, logger: silent, full: true });
      checkCounts(r);
      expect(r.counts.rejected).toBe(1);
      expect(r.rejects[0]!.key).toBe('IMG-3');
      expect(r.rejects[0]!.message).toContain(`download of ${url} failed with HTTP 404`);
      await sdk.close();
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  }, 60_000);

  it('a path leaving sync.mediaRoot, an absolute path and an internal URL each reject their record, naming record, attribute and rule; nothing is uploaded', async () => {
    const { config, dir, erp } = setup();
    mkdirSync(join(dir, 'media'));
    mkdirSync(join(dir, 'outside'));
    writeFileSync(join(dir, 'outside', 'secret.png'), png([1, 2, 3]));
    writeFileSync(join(dir, 'media', 'one.png'), png([4, 5, 6]));
    erp.edit('items', 'IMG-2', (r) => (r.fields.image = '../outside/secret.png'));
    erp.edit('items', 'IMG-3', (r) => (r.fields.image = join(dir, 'outside', 'secret.png')));
    erp.put({ stream: 'items', key: 'IMG-4', group: null, categories: [], active: true, fields: { ean: '4006381333962', image: 'http://169.254.169.254/latest/meta-data/credentials.png' } });
    const base = clientFor(sb);
    const { client: sdk, uploads } = countingUploads(base);
    await bootstrapPim(base, config.mapping, erp);
    const r = await runSync(config, { client: sdk, source: erp, logger: silent, full: true });
    checkCounts(r);
    expect(r.counts.rejected).toBe(3);
    expect(uploads).toEqual(['one.png']);
    const byKey = new Map(r.rejects.map((x) => [x.key, x]));
    expect(byKey.get('IMG-2')).toMatchObject({ attribute: 'packshot' });
    expect(byKey.get('IMG-2')!.message).toMatch(/^SKU IMG-2, attribute 'packshot': media \.\.\/outside\/secret\.png: .*leads outside sync\.mediaRoot/);
    expect(byKey.get('IMG-3')!.message).toContain('is an absolute path; media paths must be relative to sync.mediaRoot');
    expect(byKey.get('IMG-3')!.message).toContain('sync.mediaAllowAbsolute: true');
    expect(byKey.get('IMG-4')!.message).toContain('169.254.169.254 is a loopback, private, link-local or reserved address');
    await base.close();
  }, 60_000);
});
