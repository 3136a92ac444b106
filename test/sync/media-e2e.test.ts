/**
 * Media end to end: ERP image paths → the real mapper (upload requests) → the engine (reads,
 * hashes, uploads once per content) → the real client → the sandbox, which serves the file back.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AkeneoClient } from '../../src/akeneo/index.js';
import { ferryConfigSchema, type FerryConfig } from '../../src/config/schema.js';
import { createLogger } from '../../src/logging.js';
import { startSandbox, type RunningSandbox } from '../../src/sandbox/index.js';
import { runSync } from '../../src/sync/index.js';
import { bootstrapPim } from '../../src/sync/quickstart.js';
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
    sync: { mediaRoot: join(dir, 'media') },
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
});
