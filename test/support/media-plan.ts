/**
 * Media upload planning by content hash, as a pure function: no production code uses it (the sync
 * engine plans its uploads itself, src/sync/stages/media.ts); it moved here from src/mapping/media.ts so
 * that its test keeps describing the rule until the engine's media stage (issue 12) adopts or drops it.
 * The first owner of a hash gets the upload (Akeneo's upload also sets the value on it); every other
 * owner gets the returned media-file code as a plain value. Reading the bytes is the caller's port.
 */
import { contentHash } from '../../src/mapping/media.js';
import type { MediaUploadRequest } from '../../src/mapping/types.js';

export interface MediaUploadGroup {
  hash: string;
  /** The request whose upload creates the media file. */
  upload: MediaUploadRequest;
  /** Requests that reuse the uploaded file's code. */
  reuse: MediaUploadRequest[];
  content: Buffer;
}

export interface MediaPlan {
  groups: MediaUploadGroup[];
  /** Requests whose source could not be read: the message says which file and why. */
  failed: { request: MediaUploadRequest; message: string }[];
}

/**
 * Reads each distinct source once (`read` resolves a path/URL to bytes) and groups requests by
 * content hash. `known` maps a hash to a media-file code already in the PIM: those groups come back
 * with every request in `reuse` and no upload needed (upload.source is still set for reporting).
 */
export async function planMediaUploads(
  requests: readonly MediaUploadRequest[],
  read: (source: string) => Promise<Buffer>,
  known: (hash: string) => string | undefined = () => undefined,
): Promise<MediaPlan & { reuseKnown: { code: string; requests: MediaUploadRequest[] }[] }> {
  const bySource = new Map<string, Promise<{ ok: true; content: Buffer; hash: string } | { ok: false; message: string }>>();
  for (const r of requests) {
    if (!bySource.has(r.source)) {
      bySource.set(
        r.source,
        read(r.source).then(
          (content) => ({ ok: true as const, content, hash: contentHash(content) }),
          (err: unknown) => ({ ok: false as const, message: `media ${JSON.stringify(r.source)} cannot be read: ${err instanceof Error ? err.message : String(err)}` }),
        ),
      );
    }
  }
  const groups = new Map<string, MediaUploadGroup>();
  const knownGroups = new Map<string, { code: string; requests: MediaUploadRequest[] }>();
  const failed: MediaPlan['failed'] = [];
  for (const r of requests) {
    const res = await bySource.get(r.source)!;
    if (!res.ok) {
      failed.push({ request: r, message: res.message });
      continue;
    }
    const code = known(res.hash);
    if (code) {
      const g = knownGroups.get(res.hash) ?? { code, requests: [] };
      g.requests.push(r);
      knownGroups.set(res.hash, g);
      continue;
    }
    const g = groups.get(res.hash);
    if (g) g.reuse.push(r);
    else groups.set(res.hash, { hash: res.hash, upload: r, reuse: [], content: res.content });
  }
  return { groups: [...groups.values()], failed, reuseKnown: [...knownGroups.values()] };
}
