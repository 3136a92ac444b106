/**
 * What the sync engine and the media source share about media uploads: the content hash that
 * identifies a file (each distinct file is uploaded once) and the file name an upload carries.
 */
import { createHash } from 'node:crypto';

export function contentHash(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** File name for the upload: the last path segment of the source, without query string. */
export function mediaFilename(source: string): string {
  const path = /^https?:\/\//i.test(source) ? new URL(source).pathname : source;
  const name = path.split(/[\\/]/).pop() || 'file';
  return decodeURIComponent(name);
}
