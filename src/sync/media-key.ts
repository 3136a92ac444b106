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

/** True for a state DB hash key (`sha256:<hex>`) standing where a signed URL was. */
export const isStoredSourceKey = (source: string): boolean => /^sha256:[0-9a-f]{64}$/.test(source);

/**
 * A value (a raw ERP record) as the state DB may keep it: every string that is a URL holding a
 * credential becomes its hash key, the same key the media store knows it by. Re-mapping a group
 * from this copy therefore still finds a media uploaded before (by its key); only a media never
 * uploaded cannot be fetched from it, since the URL's secret is deliberately not kept.
 */
export function withoutSourceSecrets<T>(value: T): T {
  if (typeof value === 'string') return (mediaSourceHasSecret(value) ? mediaSourceKey(value) : value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => withoutSourceSecrets(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = withoutSourceSecrets(v);
    return out as T;
  }
  return value;
}
