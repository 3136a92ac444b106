/**
 * Media files: upload (multipart; the new code comes back in Location), metadata, download.
 * Asset Manager and reference-entity media uploads return their code in a header instead.
 */
import mime from 'mime';
import { z } from 'zod';
import { AkeneoError } from './errors.js';
import type { MediaFile } from './model.js';
import { paginate } from './pagination.js';
import type { ListQuery } from './resources.js';
import { toQuery } from './resources.js';
import type { MultipartPart, Transport } from './transport.js';

export interface MediaTarget {
  attribute: string;
  scope?: string | null;
  locale?: string | null;
}

export interface MediaUpload {
  content: Buffer;
  filename: string;
  contentType?: string;
  /** The product value to set: by identifier (documented) or uuid (newer PIMs). */
  product?: MediaTarget & ({ identifier: string } | { uuid: string });
  productModel?: MediaTarget & { code: string };
}

export interface MediaFilesClient {
  upload(upload: MediaUpload): Promise<string>;
  get(code: string): Promise<MediaFile>;
  download(code: string): Promise<Buffer>;
  list(query?: ListQuery): AsyncIterable<MediaFile>;
}

const MEDIA_ROUTE = '/api/rest/v1/media-files';
const MEDIA_ITEM = '/api/rest/v1/media-files/{media_code}';
const MEDIA_DOWNLOAD = '/api/rest/v1/media-files/{media_code}/download';

const mediaSchema = z.looseObject({ code: z.string(), original_filename: z.string(), mime_type: z.string(), size: z.coerce.number(), extension: z.string() });

/** The media code is everything after /media-files/ in Location (codes contain slashes). */
export function mediaCodeFromLocation(location: string): string {
  const marker = '/media-files/';
  const path = location.includes('://') ? new URL(location).pathname : location.split('?')[0]!;
  const at = path.lastIndexOf(marker);
  if (at < 0) throw new Error(`unexpected Location ${location}`);
  return decodeURIComponent(path.slice(at + marker.length).replace(/\/+$/, ''));
}

export function createMediaFiles(transport: Transport): MediaFilesClient {
  return {
    async upload(upload) {
      if (upload.product && upload.productModel) {
        throw new AkeneoError({ status: 422, message: 'a media upload targets a product or a product model, not both', method: 'POST', path: MEDIA_ROUTE });
      }
      const parts: MultipartPart[] = [];
      if (upload.product) parts.push({ name: 'product', value: JSON.stringify(target(upload.product)) });
      if (upload.productModel) parts.push({ name: 'product_model', value: JSON.stringify(target(upload.productModel)) });
      parts.push({ name: 'file', filename: upload.filename, content: upload.content, contentType: upload.contentType ?? mimeTypeOf(upload.filename) });
      // A repeated upload would store a second file: only retried when refused before processing.
      const res = await transport.call({ method: 'POST', route: MEDIA_ROUTE, body: { kind: 'multipart', parts }, idempotent: false });
      const location = res.header('location');
      if (!location) throw new AkeneoError({ status: res.status, message: 'the PIM accepted the file but sent no Location header with its code', method: 'POST', path: MEDIA_ROUTE });
      return mediaCodeFromLocation(location);
    },
    async get(code) {
      const res = await transport.call({ method: 'GET', route: MEDIA_ITEM, params: { media_code: code } });
      const parsed = mediaSchema.safeParse(res.json());
      if (!parsed.success) throw new AkeneoError({ message: `unexpected media file description for ${code}`, method: 'GET', path: MEDIA_ITEM });
      return parsed.data as MediaFile;
    },
    async download(code) {
      const res = await transport.call({ method: 'GET', route: MEDIA_DOWNLOAD, params: { media_code: code }, headers: { Accept: '' } });
      return res.body;
    },
    list(query) {
      return { [Symbol.asyncIterator]: () => paginate<MediaFile>(transport, { route: MEDIA_ROUTE, mode: 'page', query: toQuery(query, undefined, 'page'), limit: query?.limit }) };
    },
  };
}

function target(t: MediaTarget & object): Record<string, unknown> {
  // Akeneo requires all four keys, locale and scope as null when not applicable.
  return { ...t, locale: t.locale ?? null, scope: t.scope ?? null };
}

/** Asset Manager / reference-entity uploads: `file` only, the code in a dedicated header. */
export async function uploadToHeaderCode(
  transport: Transport,
  route: string,
  header: string,
  file: { content: Buffer; filename: string; contentType?: string },
): Promise<string> {
  const res = await transport.call({
    method: 'POST',
    route,
    idempotent: false,
    body: { kind: 'multipart', parts: [{ name: 'file', filename: file.filename, content: file.content, contentType: file.contentType ?? mimeTypeOf(file.filename) }] },
  });
  const code = res.header(header) ?? (res.header('location') ? decodeURIComponent(res.header('location')!.split('/').pop() ?? '') : undefined);
  if (!code) throw new AkeneoError({ status: res.status, message: `the PIM accepted the file but sent no ${header} header`, method: 'POST', path: route });
  return code;
}

/** The MIME type of a file by its extension (the `mime` package's table), application/octet-stream when unknown. */
function mimeTypeOf(filename: string): string {
  return mime.getType(filename) ?? 'application/octet-stream';
}
