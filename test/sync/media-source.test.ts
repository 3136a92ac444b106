import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaLookup, mediaReader } from '../../src/sync/media-source.js';
import type { MediaRow } from '../../src/sync/state/port.js';

describe('mediaReader (URLs)', () => {
  let server: Server;
  let base = '';
  const seen: Record<string, string | undefined>[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ path: req.url, inm: req.headers['if-none-match'], ims: req.headers['if-modified-since'] });
      if (req.url === '/slow.png') return; // never answers
      if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304).end();
      res.writeHead(200, { etag: '"v1"', 'last-modified': 'Sun, 01 Nov 2026 00:00:00 GMT' }).end('PNGDATA');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('downloads with the validators of the last download and reports a 304 as the known content', async () => {
    const first = await mediaReader(undefined)(`${base}/a/pic.png`);
    expect(first).toMatchObject({ filename: 'pic.png', etag: '"v1"', lastModified: 'Sun, 01 Nov 2026 00:00:00 GMT' });
    expect(seen.at(-1)).toMatchObject({ inm: undefined, ims: undefined });
    const known = new Map<string, MediaRow>([[`${base}/a/pic.png`, { source: `${base}/a/pic.png`, contentHash: 'h', code: 'c/o/d/e.png', etag: '"v1"', lastModified: 'Sun, 01 Nov 2026 00:00:00 GMT' }]]);
    const again = await mediaReader(undefined, known)(`${base}/a/pic.png`);
    expect(again).toEqual({ notModified: true, contentHash: 'h', code: 'c/o/d/e.png' });
    expect(seen.at(-1)).toMatchObject({ inm: '"v1"', ims: 'Sun, 01 Nov 2026 00:00:00 GMT' });
  });

  it('names the address and the reason when the server is unreachable or too slow', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await expect(mediaReader(undefined)(`http://127.0.0.1:${port}/x.png`)).rejects.toThrow(`download of http://127.0.0.1:${port}/x.png failed: ECONNREFUSED`);
    await expect(mediaReader(undefined, new Map(), 200)(`${base}/slow.png`)).rejects.toThrow(`download of ${base}/slow.png timed out after 0.2 s`);
  });
});

describe('mediaLookup', () => {
  const row: MediaRow = { source: 'https://cdn.example/p.png', contentHash: 'h', code: 'c.png', etag: '"x"' };
  const known = new Map([[row.source, row]]);
  it('revalidate sends every known URL to the engine; trust answers its code at once', () => {
    expect(mediaLookup(known, undefined, 'revalidate')(row.source)).toBeUndefined();
    expect(mediaLookup(known, undefined, 'trust')(row.source)).toBe('c.png');
    expect(mediaLookup(known, undefined, 'trust')('https://cdn.example/new.png')).toBeUndefined();
  });
});
