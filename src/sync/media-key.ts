/**
 * How a media source is shown and how the state DB keys it. A signed or private URL carries
 * credentials (user:password, signature and token query parameters): it is shown with those
 * redacted, and stored only as a hash of the whole address (which still tells the same address
 * next run) next to its redacted form — never raw.
 */
import { createHash } from 'node:crypto';

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

/** True when a source holds a credential (userinfo or a credential-like query parameter). */
export function mediaSourceHasSecret(source: string): boolean {
  if (!isMediaUrl(source)) return false;
  try {
    const url = new URL(source);
    return Boolean(url.username || url.password) || [...url.searchParams.keys()].some((k) => SECRET_QUERY.test(k));
  } catch {
    return /\/\/[^/@]*@/.test(source);
  }
}

/** The state DB's key for a source: the source itself, or `sha256:…` of it when it holds a credential. */
export function mediaSourceKey(source: string): string {
  return mediaSourceHasSecret(source) ? `sha256:${createHash('sha256').update(source).digest('hex')}` : source;
}
