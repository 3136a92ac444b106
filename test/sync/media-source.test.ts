import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isForbiddenAddress } from '../../src/sync/media-net.js';
import { MediaRefusedError, mediaLookup, mediaReader, mediaSourceForDisplay } from '../../src/sync/media-source.js';
import type { MediaRow } from '../../src/sync/state/port.js';

/** The test image servers listen on loopback: allowlisted, as a user with an internal image host would. */
const local = { hosts: ['127.0.0.1'] };

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
      res.writeHead(200, { 'content-type': 'image/png', etag: '"v1"', 'last-modified': 'Sun, 01 Nov 2026 00:00:00 GMT' }).end('PNGDATA');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('downloads with the validators of the last download and reports a 304 as the known content', async () => {
    const first = await mediaReader(undefined, new Map(), local)(`${base}/a/pic.png`);
    expect(first).toMatchObject({ filename: 'pic.png', etag: '"v1"', lastModified: 'Sun, 01 Nov 2026 00:00:00 GMT' });
    expect(seen.at(-1)).toMatchObject({ inm: undefined, ims: undefined });
    const known = new Map<string, MediaRow>([[`${base}/a/pic.png`, { source: `${base}/a/pic.png`, contentHash: 'h', code: 'c/o/d/e.png', etag: '"v1"', lastModified: 'Sun, 01 Nov 2026 00:00:00 GMT' }]]);
    const again = await mediaReader(undefined, known, local)(`${base}/a/pic.png`);
    expect(again).toEqual({ notModified: true, contentHash: 'h', code: 'c/o/d/e.png' });
    expect(seen.at(-1)).toMatchObject({ inm: '"v1"', ims: 'Sun, 01 Nov 2026 00:00:00 GMT' });
  });

  it('never shows the credentials of a signed or private URL in its errors', async () => {
    const signed = `${base}/private/p.png?X-Amz-Signature=deadbeef01&X-Amz-Credential=AKIA123&w=400&token=s3cr3t`;
    const err = await mediaReader(undefined, new Map(), local)(signed.replace('/private/p.png', '/forbidden/p.png')).catch((e: Error) => e);
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
    await expect(mediaReader(undefined, new Map(), local)(`http://127.0.0.1:${port}/x.png`)).rejects.toThrow(`download of http://127.0.0.1:${port}/x.png failed: ECONNREFUSED`);
    await expect(mediaReader(undefined, new Map(), { ...local, timeoutMs: 200 })(`${base}/slow.png`)).rejects.toThrow(`download of ${base}/slow.png timed out after 0.2 s`);
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

describe('mediaReader (local paths stay inside sync.mediaRoot)', () => {
  const base = mkdtempSync(join(tmpdir(), 'ferry-media-root-'));
  const root = join(base, 'media');
  mkdirSync(join(root, 'sub'), { recursive: true });
  mkdirSync(join(base, 'outside'));
  writeFileSync(join(root, 'sub', 'ok.png'), 'PNG');
  writeFileSync(join(base, 'outside', 'secret.txt'), 'TOP SECRET');
  symlinkSync(join(base, 'outside', 'secret.txt'), join(root, 'link.png'));
  symlinkSync(join(base, 'outside'), join(root, 'dirlink'));
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('reads a file inside the root', async () => {
    const read = await mediaReader(root)('sub/ok.png');
    expect(read).toMatchObject({ filename: 'ok.png', size: 3 });
  });

  it.each([
    ['../outside/secret.txt', 'leads outside sync.mediaRoot'],
    ['sub/../../outside/secret.txt', 'leads outside sync.mediaRoot'],
    ['link.png', 'leads outside sync.mediaRoot'],
    ['dirlink/secret.txt', 'leads outside sync.mediaRoot'],
    ['../outside/missing.txt', 'leads outside sync.mediaRoot'],
    ['/etc/hostname', 'is an absolute path'],
    [join(base, 'outside', 'secret.txt'), 'is an absolute path'],
  ])('refuses %s, naming the rule', async (source, rule) => {
    const err = await mediaReader(root)(source).catch((e: Error) => e);
    expect(err).toBeInstanceOf(MediaRefusedError);
    expect(String(err)).toContain(rule);
    expect(String(err)).toContain('sync.mediaRoot');
  });

  it('reads an absolute path only when sync.mediaAllowAbsolute is on; relative paths stay contained even then', async () => {
    const abs = join(base, 'outside', 'secret.txt');
    await expect(mediaReader(root, new Map(), { allowAbsolute: true })(abs)).resolves.toMatchObject({ filename: 'secret.txt' });
    await expect(mediaReader(root, new Map(), { allowAbsolute: true })('../outside/secret.txt')).rejects.toThrow('leads outside sync.mediaRoot');
  });

  it('refuses a file above sync.mediaMaxBytes', async () => {
    await expect(mediaReader(root, new Map(), { maxBytes: 2 })('sub/ok.png')).rejects.toThrow('more than sync.mediaMaxBytes (2)');
  });

  it('mediaLookup never answers for a path outside the root', () => {
    const row: MediaRow = { source: 'link.png', contentHash: 'h', code: 'c.png', size: null };
    expect(mediaLookup(new Map([[row.source, row]]), root)('link.png')).toBeUndefined();
  });
});

describe('isForbiddenAddress', () => {
  it.each(['127.0.0.1', '127.9.9.9', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', 'not-an-ip'])(
    'refuses %s',
    (address) => expect(isForbiddenAddress(address)).toBe(true),
  );
  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows %s', (address) => expect(isForbiddenAddress(address)).toBe(false));
});

describe('mediaReader (URLs: no internal addresses, size and type limits)', () => {
  let server: Server;
  let port = 0;
  let base = '';
  const auths: (string | undefined)[] = [];
  let sentBytes = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      auths.push(req.headers.authorization);
      const url = req.url ?? '';
      if (url === '/to-localhost.png') return void res.writeHead(302, { location: `http://localhost:${port}/img.png` }).end();
      if (url === '/to-file') return void res.writeHead(302, { location: 'file:///etc/passwd' }).end();
      if (url === '/same-host-redirect.png') return void res.writeHead(301, { location: '/img.png' }).end();
      if (url === '/page.html') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>internal admin</html>');
      if (url === '/untyped') return void res.writeHead(200).end('data');
      if (url === '/declared-huge.png') return void res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(10 ** 9) }).end();
      if (url === '/endless.png') {
        // No Content-Length: the limit must cut the stream, not wait for its end.
        res.writeHead(200, { 'content-type': 'image/png' });
        const chunk = Buffer.alloc(64 * 1024, 1);
        const pump = () => {
          while (sentBytes < 64 * 1024 * 1024) {
            sentBytes += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        res.on('close', () => res.removeAllListeners('drain'));
        return pump();
      }
      res.writeHead(200, { 'content-type': 'image/png; charset=binary' }).end('PNG');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('refuses loopback by default, by address and by a name that resolves to it (checked at connect time)', async () => {
    const before = auths.length;
    await expect(mediaReader(undefined)(`${base}/img.png`)).rejects.toThrow(`127.0.0.1 is a loopback, private, link-local or reserved address. If this image server is yours, add "127.0.0.1:${port}" to sync.mediaHosts`);
    await expect(mediaReader(undefined)(`http://localhost:${port}/img.png`)).rejects.toThrow(/localhost is (127\.0\.0\.1|::1), a loopback/);
    await expect(mediaReader(undefined)(`http://[::ffff:127.0.0.1]:${port}/img.png`)).rejects.toThrow('a loopback, private');
    await expect(mediaReader(undefined)('http://169.254.169.254/latest/meta-data/')).rejects.toThrow('a loopback, private');
    expect(auths.length).toBe(before); // nothing reached the server
  });

  it('an allowlisted host may be internal; a redirect is checked again at every hop', async () => {
    await expect(mediaReader(undefined, new Map(), local)(`${base}/same-host-redirect.png`)).resolves.toMatchObject({ content: Buffer.from('PNG') });
    await expect(mediaReader(undefined, new Map(), local)(`${base}/to-localhost.png`)).rejects.toThrow(`refused (after 1 redirect, at localhost:${port})`);
    await expect(mediaReader(undefined, new Map(), local)(`${base}/to-file`)).rejects.toThrow('redirects to a file: address');
    await expect(mediaReader(undefined, new Map(), { hosts: [`127.0.0.1:${port + 1}`] })(`${base}/img.png`)).rejects.toThrow('sync.mediaHosts');
    await expect(mediaReader(undefined, new Map(), { hosts: [`127.0.0.1:${port}`] })(`${base}/img.png`)).resolves.toMatchObject({ content: Buffer.from('PNG') });
  });

  it('requires an image or document content type', async () => {
    await expect(mediaReader(undefined, new Map(), local)(`${base}/page.html`)).rejects.toThrow('its content type is "text/html", not an image or a document');
    await expect(mediaReader(undefined, new Map(), local)(`${base}/untyped`)).rejects.toThrow('its content type is missing');
  });

  it('caps the size: a declared size at once, an undeclared one while streaming (the rest is never read)', async () => {
    await expect(mediaReader(undefined, new Map(), { ...local, maxBytes: 1024 * 1024 })(`${base}/declared-huge.png`)).rejects.toThrow('1000000000 bytes, more than sync.mediaMaxBytes (1048576)');
    await expect(mediaReader(undefined, new Map(), { ...local, maxBytes: 1024 * 1024 })(`${base}/endless.png`)).rejects.toThrow('more than sync.mediaMaxBytes (1048576) bytes; the download was stopped there');
    expect(sentBytes).toBeLessThan(32 * 1024 * 1024);
  });

  it('sends user:password of the URL as Basic auth to its own origin only', async () => {
    auths.length = 0;
    await mediaReader(undefined, new Map(), local)(`http://bob:hunter2@127.0.0.1:${port}/same-host-redirect.png`);
    expect(auths).toEqual([`Basic ${Buffer.from('bob:hunter2').toString('base64')}`, `Basic ${Buffer.from('bob:hunter2').toString('base64')}`]);
  });
});
