import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mediaLookup, mediaReader, mediaSourceForDisplay } from '../../src/sync/media-source.js';
import type { MediaRow } from '../../src/sync/state/port.js';

describe('mediaReader (URLs)', () => {
  let server: Server;
  let base = '';
  const seen: Record<string, string | undefined>[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ path: req.url, inm: req.headers['if-none-match'], ims: req.headers['if-modified-since'] });
      if (req.url === '/slow.png') return; // never answers
      if (req.url?.startsWith('/forbidden')) return void res.writeHead(403).end();
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

  it('never shows the credentials of a signed or private URL in its errors', async () => {
    const signed = `${base}/private/p.png?X-Amz-Signature=deadbeef01&X-Amz-Credential=AKIA123&w=400&token=s3cr3t`;
    const err = await mediaReader(undefined)(signed.replace('/private/p.png', '/forbidden/p.png')).catch((e: Error) => e);
    expect(String(err)).toContain(`download of ${base}/forbidden/p.png?`);
    expect(String(err)).toContain('failed with HTTP 403');
    expect(String(err)).toContain('w=400');
    for (const secret of ['deadbeef01', 'AKIA123', 's3cr3t']) expect(String(err)).not.toContain(secret);
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

describe('mediaSourceForDisplay', () => {
  it('drops user:password and credential-like query values; keeps paths and plain parameters', () => {
    expect(mediaSourceForDisplay('https://bob:hunter2@cdn.example/a.png')).toBe('https://[redacted]@cdn.example/a.png');
    expect(mediaSourceForDisplay('https://cdn.example/a.png?size=large&sig=abc&api_key=k1')).toBe('https://cdn.example/a.png?size=large&sig=[redacted]&api_key=[redacted]');
    expect(mediaSourceForDisplay('images/a b.png')).toBe('images/a b.png');
    expect(mediaSourceForDisplay('https://cdn.example/été/a.png')).toBe('https://cdn.example/été/a.png');
  });
});
