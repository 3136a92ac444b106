/**
 * Where media content comes from: the ERP gives a media value as a path (relative to
 * `sync.mediaRoot`) or an http(s) URL. This module reads one for upload, and tells the mapper
 * which sources need no read at all because their content is known to be the one uploaded.
 *
 * - A local file is known while its size and mtime are those it had when it was hashed.
 * - A URL, with `sync.mediaUrls: revalidate` (the default), is asked again on every run that
 *   maps its record, with the validators of its last download (If-None-Match, If-Modified-
 *   Since): a 304 costs no download and no upload; a new content at the same address is
 *   uploaded and the value follows. With `trust`, an address is taken as its content forever
 *   (no request to the image server once uploaded).
 */
import { realpathSync, statSync } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import { basename, isAbsolute, relative, resolve } from 'node:path';
import { request, type Dispatcher } from 'undici';
import { mediaFilename } from '../mapping/media.js';
import { ForbiddenAddressError, isAllowlistedHost, isForbiddenAddress, mediaDispatcher } from './media-net.js';
import type { MediaRow } from './state/port.js';

export type MediaUrlPolicy = 'revalidate' | 'trust';

/** A content that was read (downloaded or from disk), with what tells next time whether it changed. */
export interface MediaContent {
  content: Buffer;
  filename: string;
  /** Local file: its size and mtime when read. */
  size?: number;
  mtimeMs?: number;
  /** URL: the server's validators, sent back on the next read. */
  etag?: string | null;
  lastModified?: string | null;
}

/** The server answered 304: the content is the one already uploaded as `code`. */
export interface MediaNotModified {
  notModified: true;
  contentHash: string;
  code: string;
}

export type MediaRead = MediaContent | MediaNotModified;
export type MediaReader = (source: string) => Promise<MediaRead>;

import { isMediaUrl, isStoredSourceKey, mediaSourceForDisplay, mediaSourceKey } from './media-key.js';

export { isMediaUrl, mediaSourceForDisplay, mediaSourceKey };

const DOWNLOAD_TIMEOUT_MS = 60_000;
/** Default for `sync.mediaMaxBytes`. */
export const DEFAULT_MEDIA_MAX_BYTES = 50 * 1024 * 1024;
const MAX_REDIRECTS = 5;

/** How sources may be read: the `sync.media*` settings. */
export interface MediaReadOptions {
  timeoutMs?: number;
  /** `sync.mediaAllowAbsolute`: absolute paths may be read (anywhere the process can read). */
  allowAbsolute?: boolean;
  /** `sync.mediaMaxBytes`: a larger file or download is refused (a download is cut when it passes it). */
  maxBytes?: number;
  /** `sync.mediaHosts`: hosts that may be internal (loopback, private, …) addresses. */
  hosts?: readonly string[];
}

/** A media source refused by a rule (outside the media root, internal address, too big, wrong type). */
export class MediaRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MediaRefusedError';
  }
}

/**
 * Reads a source: a URL (conditionally, when `known` holds its validators), or a path relative
 * to `root` with its size and mtime.
 */
export function mediaReader(root: string | undefined, known: ReadonlyMap<string, MediaRow> = new Map(), options: MediaReadOptions | number = {}): MediaReader {
  const opts: MediaReadOptions = typeof options === 'number' ? { timeoutMs: options } : options;
  return async (source) => {
    if (isStoredSourceKey(source)) {
      throw new MediaRefusedError(
        'this record was re-mapped from the copy Ferry keeps of it, which holds only a hash of its signed URL (never the URL itself), and that media was never uploaded; it is read when the ERP sends the record again',
      );
    }
    if (isMediaUrl(source)) return download(source, known.get(mediaSourceKey(source)), opts);
    return readLocal(root, source, opts);
  };
}

/**
 * Where a local source really is, or why it may not be read: the path is resolved against the
 * media root with every symbolic link followed, and must stay inside the root's own real path.
 * An absolute path is refused unless `sync.mediaAllowAbsolute` is on.
 */
export async function containedMediaPath(root: string | undefined, source: string, allowAbsolute = false): Promise<string> {
  const rootShown = root ?? '(the current directory)';
  if (source.includes('\0')) throw new MediaRefusedError(`the path contains a NUL character; fix the path in the ERP`);
  if (isAbsolute(source) && !allowAbsolute) {
    throw new MediaRefusedError(
      `"${source}" is an absolute path; media paths must be relative to sync.mediaRoot (${rootShown}). Make the path relative, or set sync.mediaAllowAbsolute: true to allow absolute paths`,
    );
  }
  const rootReal = await realpath(resolve(root ?? process.cwd()));
  const candidate = resolve(rootReal, source);
  let real: string;
  try {
    real = await realpath(candidate);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      if (!isAbsolute(source) && !isInside(rootReal, candidate)) throw outside(source, rootShown);
      throw new MediaRefusedError(`file "${source}" not found under sync.mediaRoot (${rootShown})`);
    }
    throw err;
  }
  if (isAbsolute(source) && allowAbsolute) return real;
  if (!isInside(rootReal, real)) throw outside(source, rootShown);
  return real;
}

function outside(source: string, rootShown: string): MediaRefusedError {
  return new MediaRefusedError(
    `"${source}" leads outside sync.mediaRoot (${rootShown}) through ".." or a symbolic link; only files inside the media root are read. Fix the path in the ERP or move the file into the media root`,
  );
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

async function readLocal(root: string | undefined, source: string, opts: MediaReadOptions): Promise<MediaContent> {
  const path = await containedMediaPath(root, source, opts.allowAbsolute);
  // Stat before reading: a file rewritten meanwhile then looks changed on the next run, never the reverse.
  const st = await stat(path);
  if (!st.isFile()) throw new MediaRefusedError(`"${source}" is not a regular file`);
  const max = opts.maxBytes ?? DEFAULT_MEDIA_MAX_BYTES;
  if (st.size > max) throw new MediaRefusedError(`"${source}" is ${st.size} bytes, more than sync.mediaMaxBytes (${max})`);
  return { content: await readFile(path), filename: basename(path), size: st.size, mtimeMs: st.mtimeMs };
}

/** Content types a media download may have: images and documents (S3's default binary type too). */
const MEDIA_TYPE =
  /^(image\/[\w.+-]+|application\/(pdf|octet-stream|zip|msword|rtf|postscript|vnd\.ms-[\w.+-]+|vnd\.openxmlformats-officedocument\.[\w.+-]+|vnd\.oasis\.opendocument\.[\w.+-]+)|binary\/octet-stream|text\/(plain|csv)|video\/[\w.+-]+|audio\/[\w.+-]+)$/i;

async function download(source: string, row: MediaRow | undefined, opts: MediaReadOptions): Promise<MediaRead> {
  const shown = mediaSourceForDisplay(source);
  const timeoutMs = opts.timeoutMs ?? DOWNLOAD_TIMEOUT_MS;
  const maxBytes = opts.maxBytes ?? DEFAULT_MEDIA_MAX_BYTES;
  const signal = AbortSignal.timeout(timeoutMs);
  let url = new URL(source);
  // user:password in the URL goes as Basic auth, to that origin only (never to a redirect's host).
  const origin = url.origin;
  const auth = url.username || url.password ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}` : null;
  url.username = '';
  url.password = '';
  for (let hop = 0; ; hop++) {
    const allowed = isAllowlistedHost(url, opts.hosts ?? []);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!allowed && isIP(host) !== 0 && isForbiddenAddress(host)) throw refusedAddress(shown, hop, url, host);
    const headers: Record<string, string> = {};
    if (hop === 0 && row?.etag) headers['if-none-match'] = row.etag;
    if (hop === 0 && row?.lastModified) headers['if-modified-since'] = row.lastModified;
    if (auth && url.origin === origin) headers.authorization = auth;
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, { method: 'GET', headers, signal, dispatcher: mediaDispatcher(!allowed) });
    } catch (err) {
      if (signal.aborted) throw new Error(`download of ${shown} timed out after ${timeoutMs / 1000} s`, { cause: err });
      if (err instanceof ForbiddenAddressError) throw refusedAddress(shown, hop, url, err.address);
      const e = err as { code?: string; message?: string; cause?: { code?: string } };
      throw new Error(`download of ${shown} failed: ${e.code && e.code !== 'UND_ERR_SOCKET' ? e.code : (e.cause?.code ?? e.message)}`, { cause: err });
    }
    const status = res.statusCode;
    if (status >= 300 && status < 400 && status !== 304) {
      res.body.resume();
      const location = header(res.headers, 'location');
      if (!location) throw new Error(`download of ${shown} failed: HTTP ${status} without a Location`);
      if (hop >= MAX_REDIRECTS) throw new Error(`download of ${shown} failed: more than ${MAX_REDIRECTS} redirects`);
      const next = new URL(location, url);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new MediaRefusedError(`download of ${shown} refused: it redirects to a ${next.protocol} address; only http(s) is followed`);
      next.username = '';
      next.password = '';
      url = next;
      continue;
    }
    if (status === 304 && row) {
      res.body.resume();
      return { notModified: true, contentHash: row.contentHash, code: row.code };
    }
    if (status < 200 || status >= 300) {
      res.body.resume();
      throw new Error(`download of ${shown} failed with HTTP ${status}`);
    }
    const type = (header(res.headers, 'content-type') ?? '').split(';')[0]!.trim();
    if (!MEDIA_TYPE.test(type)) {
      stopReading(res.body);
      throw new MediaRefusedError(`download of ${shown} refused: its content type is ${type ? `"${type}"` : 'missing'}, not an image or a document`);
    }
    const declared = Number(header(res.headers, 'content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > maxBytes) {
      stopReading(res.body);
      throw new MediaRefusedError(`download of ${shown} refused: ${declared} bytes, more than sync.mediaMaxBytes (${maxBytes})`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    try {
      for await (const chunk of res.body) {
        total += (chunk as Buffer).length;
        if (total > maxBytes) {
          stopReading(res.body);
          throw new MediaRefusedError(`download of ${shown} refused: more than sync.mediaMaxBytes (${maxBytes}) bytes; the download was stopped there`);
        }
        chunks.push(chunk as Buffer);
      }
    } catch (err) {
      if (err instanceof MediaRefusedError) throw err;
      if (signal.aborted) throw new Error(`download of ${shown} timed out after ${timeoutMs / 1000} s`, { cause: err });
      throw new Error(`download of ${shown} failed while reading: ${(err as { code?: string }).code ?? (err as Error).message}`, { cause: err });
    }
    return {
      content: Buffer.concat(chunks, total),
      filename: mediaFilename(source),
      etag: header(res.headers, 'etag') ?? null,
      lastModified: header(res.headers, 'last-modified') ?? null,
    };
  }
}

/**
 * Stops a download we refuse: destroying undici's body emits an AbortError, which must not become
 * an uncaught exception of the process (it would end a whole run for one refused image).
 */
function stopReading(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function refusedAddress(shown: string, hop: number, url: URL, address: string): MediaRefusedError {
  const via = hop > 0 ? ` (after ${hop} redirect${hop === 1 ? '' : 's'}, at ${url.host})` : '';
  return new MediaRefusedError(
    `download of ${shown} refused${via}: ${url.hostname} is ${address === url.hostname.replace(/^\[|\]$/g, '') ? '' : `${address}, `}a loopback, private, link-local or reserved address. If this image server is yours, add "${url.host}" to sync.mediaHosts`,
  );
}

/**
 * The mapper's media lookup: the code a source was uploaded as, when its content is known not
 * to have changed; undefined sends the source to the engine, which reads it (see above) and
 * uploads only a content the PIM does not have.
 */
export function mediaLookup(known: ReadonlyMap<string, MediaRow>, root: string | undefined, urls: MediaUrlPolicy = 'revalidate'): (source: string) => string | undefined {
  return (source) => {
    const row = known.get(mediaSourceKey(source));
    if (!row) return undefined;
    // A stored record's signed URL, kept as its hash key: it cannot be revalidated (its secret is not
    // kept), and it was uploaded under this code when the record was last read from the ERP.
    if (isStoredSourceKey(source)) return row.code;
    if (isMediaUrl(source)) return urls === 'trust' ? row.code : undefined;
    try {
      // Only a path inside the media root can be known; anything else goes to the engine's read, which refuses it.
      const rootReal = realpathSync(resolve(root ?? process.cwd()));
      const path = realpathSync(resolve(rootReal, source));
      if (!isInside(rootReal, path) && !isAbsolute(source)) return undefined;
      if (row.size === null || row.size === undefined) return row.code;
      const st = statSync(path);
      return st.size === row.size && st.mtimeMs === row.mtimeMs ? row.code : undefined;
    } catch {
      // Gone or unreadable: let the engine's read report it on the record.
      return undefined;
    }
  };
}
