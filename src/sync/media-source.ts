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
import { statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { mediaFilename } from '../mapping/media.js';
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

export const isMediaUrl = (source: string): boolean => /^https?:\/\//i.test(source);

/** Query parameters whose values are credentials in signed or private image URLs (S3, GCS, CDNs). */
const SECRET_QUERY = /token|sig|key|secret|pass|auth|credential|session|^x-amz-|^x-goog-/i;

/**
 * A media source as it may be shown (errors, reports, logs): a URL loses its user:password and
 * the values of credential-like query parameters. Paths pass unchanged.
 */
export function mediaSourceForDisplay(source: string): string {
  if (!isMediaUrl(source)) return source;
  let url: URL;
  try {
    url = new URL(source);
  } catch {
    return source.replace(/\/\/[^/@]*@/, '//[redacted]@');
  }
  if (url.username || url.password) {
    url.username = '[redacted]';
    url.password = '';
  }
  for (const name of [...url.searchParams.keys()]) if (SECRET_QUERY.test(name)) url.searchParams.set(name, '[redacted]');
  return decodeURI(url.toString());
}

const DOWNLOAD_TIMEOUT_MS = 60_000;

/**
 * Reads a source: a URL (conditionally, when `known` holds its validators), or a path relative
 * to `root` with its size and mtime.
 */
export function mediaReader(root: string | undefined, known: ReadonlyMap<string, MediaRow> = new Map(), timeoutMs = DOWNLOAD_TIMEOUT_MS): MediaReader {
  return async (source) => {
    if (isMediaUrl(source)) return download(source, known.get(source), timeoutMs);
    const path = resolve(root ?? process.cwd(), source);
    // Stat before reading: a file rewritten meanwhile then looks changed on the next run, never the reverse.
    const st = await stat(path);
    return { content: await readFile(path), filename: basename(path), size: st.size, mtimeMs: st.mtimeMs };
  };
}

async function download(source: string, row: MediaRow | undefined, timeoutMs: number): Promise<MediaRead> {
  const shown = mediaSourceForDisplay(source);
  const headers: Record<string, string> = {};
  if (row?.etag) headers['if-none-match'] = row.etag;
  if (row?.lastModified) headers['if-modified-since'] = row.lastModified;
  let res: Response;
  try {
    res = await fetch(source, { headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    if ((err as Error).name === 'TimeoutError') throw new Error(`download of ${shown} timed out after ${timeoutMs / 1000} s`, { cause: err });
    // fetch() says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, …) is its cause.
    const reason = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`download of ${shown} failed: ${reason?.code ?? reason?.message ?? (err as Error).message}`, { cause: err });
  }
  if (res.status === 304 && row) return { notModified: true, contentHash: row.contentHash, code: row.code };
  if (!res.ok) throw new Error(`download of ${shown} failed with HTTP ${res.status}`);
  return {
    content: Buffer.from(await res.arrayBuffer()),
    filename: mediaFilename(source),
    etag: res.headers.get('etag'),
    lastModified: res.headers.get('last-modified'),
  };
}

/**
 * The mapper's media lookup: the code a source was uploaded as, when its content is known not
 * to have changed; undefined sends the source to the engine, which reads it (see above) and
 * uploads only a content the PIM does not have.
 */
export function mediaLookup(known: ReadonlyMap<string, MediaRow>, root: string | undefined, urls: MediaUrlPolicy = 'revalidate'): (source: string) => string | undefined {
  return (source) => {
    const row = known.get(source);
    if (!row) return undefined;
    if (isMediaUrl(source)) return urls === 'trust' ? row.code : undefined;
    if (row.size === null || row.size === undefined) return row.code;
    try {
      const st = statSync(resolve(root ?? process.cwd(), source));
      return st.size === row.size && st.mtimeMs === row.mtimeMs ? row.code : undefined;
    } catch {
      // Gone or unreadable: let the engine's read report it on the record.
      return undefined;
    }
  };
}
