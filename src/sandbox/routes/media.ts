/**
 * Media files: product/product-model media upload (multipart, also sets the value), metadata,
 * download and list; EE asset and reference-entity media uploads.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import mimeTypes from 'mime';
import { json, route, written, type SandboxContext } from '../context.js';
import { baseUrl, HttpError, isObject, parseQuery, plain } from '../http.js';
import { boundaryOf, MultipartError, parseMultipart, type Part } from '../multipart.js';
import { extraParams, pageBody, parsePaging, slicePage } from '../pagination.js';
import type { MediaFileRecord } from '../store.js';
import { writeProduct, writeProductModel } from './products.js';

const V1 = '/api/rest/v1';

async function multipartParts(req: FastifyRequest): Promise<Part[]> {
  const raw = req.headers['content-type'];
  const type = raw?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'multipart/form-data') {
    throw plain(415, `"${raw?.split(';')[0]?.trim() ?? ''}" in "Content-Type" header is not valid. Only "multipart/form-data" is allowed.`);
  }
  const boundary = boundaryOf(raw);
  if (!boundary) throw plain(400, 'The multipart/form-data Content-Type header has no boundary.');
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  try {
    return await parseMultipart(body, boundary);
  } catch (err) {
    if (err instanceof MultipartError) throw plain(400, err.message);
    throw err;
  }
}

function makeMedia(file: Part, kind: MediaFileRecord['kind']): MediaFileRecord {
  const filename = (file.filename ?? 'file').replace(/[\\/]/g, '_') || 'file';
  const hash = createHash('sha1').update(file.data).update(randomBytes(8)).digest('hex');
  const dot = filename.lastIndexOf('.');
  const extension = dot >= 0 ? filename.slice(dot + 1).toLowerCase() : '';
  const mime = file.contentType && file.contentType !== 'application/octet-stream' ? file.contentType : (mimeTypes.getType(extension) ?? 'application/octet-stream');
  return {
    code: `${hash[0]}/${hash[1]}/${hash[2]}/${hash[3]}/${hash}_${filename}`,
    original_filename: filename,
    mime_type: mime,
    size: file.data.length,
    extension,
    content: Buffer.from(file.data),
    kind,
  };
}

function target(parts: Part[], name: string): Record<string, unknown> | undefined {
  const p = parts.find((x) => x.name === name);
  if (!p) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(p.data.toString('utf8'));
  } catch {
    throw plain(422, `Property "${name}" expects a valid JSON object, "${p.data.toString('utf8').slice(0, 100)}" given.`);
  }
  if (!isObject(parsed)) throw plain(422, `Property "${name}" expects a valid JSON object.`);
  for (const key of ['attribute', 'scope', 'locale']) {
    if (!(key in parsed)) throw plain(422, `Property "${name}" expects an array with the key "${key}".`);
  }
  return parsed;
}

function metadata(base: string, m: MediaFileRecord): Record<string, unknown> {
  return {
    code: m.code,
    original_filename: m.original_filename,
    mime_type: m.mime_type,
    size: m.size,
    extension: m.extension,
    _links: { download: { href: `${base}${V1}/media-files/${m.code}/download` } },
  };
}

export function registerMediaRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const { store } = ctx;

  route(app, 'POST', `${V1}/media-files`, async (req, reply) => {
    const parts = await multipartParts(req);
    const file = parts.find((p) => p.name === 'file' && p.filename !== undefined);
    if (!file) throw plain(422, 'Property "file" is required.');
    const product = target(parts, 'product');
    const model = target(parts, 'product_model');
    if (!product && !model) throw plain(422, 'You should at least give one of the following properties: "product" or "product_model".');
    if (product && model) throw plain(422, 'You should give either a "product" or a "product_model" key.');
    const media = makeMedia(file, 'media');
    const base = baseUrl(req);
    const t = (product ?? model) as Record<string, unknown>;
    const value = { [String(t['attribute'])]: [{ locale: t['locale'] ?? null, scope: t['scope'] ?? null, data: media.code }] };
    store.putMedia(media);
    let outcome;
    if (product) {
      const byUuid = typeof product['uuid'] === 'string';
      const key = String(byUuid ? product['uuid'] : product['identifier']);
      const existing = byUuid ? store.productByUuid(key) : store.productByIdentifier(key);
      if (!existing) {
        store.deleteMedia(media.code);
        throw plain(404, `Product "${key}" does not exist.`);
      }
      outcome = writeProduct(ctx, base, byUuid ? 'uuid' : 'identifier', 'PATCH', key, { values: value });
    } else {
      const code = String((model as Record<string, unknown>)['code']);
      if (!store.productModel(code)) {
        store.deleteMedia(media.code);
        throw plain(404, `Product model "${code}" does not exist.`);
      }
      outcome = writeProductModel(ctx, base, 'PATCH', code, { values: value });
    }
    if (outcome.body) {
      store.deleteMedia(media.code);
      throw new HttpError(outcome.status, outcome.body);
    }
    return written(reply, 201, `${base}${V1}/media-files/${media.code}`);
  });

  route(app, 'GET', `${V1}/media-files`, (req, reply) => {
    const q = parseQuery(req);
    const params = parsePaging(q, { modes: ['page'] });
    const base = baseUrl(req);
    const all = [...store.media.values()].filter((m) => m.kind === 'media');
    const items = slicePage(all, params).map((m) => ({ _links: { self: { href: `${base}${V1}/media-files/${m.code}` } }, ...metadata(base, m) }));
    return json(reply, pageBody({ base, path: `${V1}/media-files`, style: 'structure', params, extras: extraParams(q), items, total: all.length }));
  });

  route(app, 'GET', `${V1}/media-files/*`, (req, reply) => {
    const rest = decodeURIComponent((req.params as Record<string, string>)['*'] ?? '');
    const download = rest.endsWith('/download');
    const code = download ? rest.slice(0, -'/download'.length) : rest;
    const m = store.media.get(code);
    if (!m || m.kind !== 'media') throw plain(404, `Media file "${code}" does not exist.`);
    if (!download) return json(reply, metadata(baseUrl(req), m));
    return reply
      .code(200)
      .header('content-type', m.mime_type)
      .header('content-disposition', `attachment; filename="${m.original_filename.replace(/"/g, '')}"`)
      .send(m.content);
  });

  for (const [path, header, kind] of [
    [`${V1}/asset-media-files`, 'Asset-media-file-code', 'asset'],
    [`${V1}/reference-entities-media-files`, 'Reference-entities-media-file-code', 'reference_entity'],
  ] as const) {
    route(app, 'POST', path, async (req, reply) => {
      const file = (await multipartParts(req)).find((p) => p.name === 'file' && p.filename !== undefined);
      if (!file) throw plain(422, 'Property "file" is required.');
      const media = makeMedia(file, kind);
      store.putMedia(media);
      return reply.code(201).header(header.toLowerCase(), media.code).header('location', `${baseUrl(req)}${path}/${media.code}`).send();
    });
    route(app, 'GET', `${path}/*`, (req, reply) => {
      const code = decodeURIComponent((req.params as Record<string, string>)['*'] ?? '');
      const m = store.media.get(code);
      if (!m || m.kind !== kind) throw plain(404, `Media file "${code}" does not exist.`);
      return reply.code(200).header('content-type', m.mime_type).header('content-disposition', `attachment; filename="${m.original_filename}"`).send(m.content);
    });
  }
}
