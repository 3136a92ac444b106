/**
 * HTTP plumbing shared by the routes: Akeneo's error envelopes, body decoding with Akeneo's
 * content-type and JSON errors, absolute base URLs, query-string rules and link encoding.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorBody } from '../akeneo/model.js';

export const COLLECTION_TYPE = 'application/vnd.akeneo.collection+json';

/** A response the handler wants sent as-is (status + Akeneo body). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody | Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof body['message'] === 'string' ? body['message'] : `HTTP ${status}`);
  }
}

export const plain = (status: number, message: string): HttpError => new HttpError(status, { code: status, message });

/**
 * JSON as PHP's json_encode writes it (Akeneo's bodies): `/` escaped as `\/`, non-ASCII as
 * `\uXXXX`. Equivalent JSON for any parser; byte-identical for clients that compare raw bodies.
 */
export function phpJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/\//g, '\\/')
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function sendError(reply: FastifyReply, err: HttpError): FastifyReply {
  for (const [k, v] of Object.entries(err.headers)) void reply.header(k, v);
  return reply.code(err.status).type('application/json').send(phpJson(err.body));
}

/** scheme://host the API was called on: Location headers and _links are absolute. */
export function baseUrl(req: FastifyRequest): string {
  const host = req.headers.host ?? `${req.hostname}`;
  return `${req.protocol}://${host}`;
}

export function rawBody(req: FastifyRequest): string {
  const b = req.body;
  if (b === undefined || b === null) return '';
  if (Buffer.isBuffer(b)) return b.toString('utf8');
  return typeof b === 'string' ? b : '';
}

function mediaType(req: FastifyRequest): string | undefined {
  const ct = req.headers['content-type'];
  if (!ct) return undefined;
  return ct.split(';')[0]?.trim().toLowerCase();
}

/** 415 unless Content-Type is one of `allowed` (Akeneo's two texts: missing vs wrong). */
export function requireContentType(req: FastifyRequest, allowed: string): void {
  const raw = req.headers['content-type'];
  const type = mediaType(req);
  if (!raw || !type) {
    throw plain(415, `The 'Content-type' header is missing. '${allowed}' has to specified as value.`);
  }
  if (type !== allowed) {
    throw plain(415, `"${raw.split(';')[0]?.trim()}" in "Content-Type" header is not valid. Only "${allowed}" is allowed.`);
  }
}

/** Decodes a JSON request body: 415 for a wrong type, 400 `Invalid json message received` otherwise. */
export function jsonBody(req: FastifyRequest): unknown {
  requireContentType(req, 'application/json');
  const text = rawBody(req);
  if (text.trim() === '') throw plain(400, 'Invalid json message received');
  try {
    return JSON.parse(text);
  } catch {
    throw plain(400, 'Invalid json message received');
  }
}

/** 406 when Accept is present and excludes JSON (Akeneo accepts none, JSON or a wildcard). */
export function checkAccept(req: FastifyRequest, extra: string[] = []): void {
  const accept = req.headers.accept;
  if (!accept || accept.trim() === '') return;
  const types = accept.split(',').map((t) => t.split(';')[0]?.trim().toLowerCase() ?? '');
  const ok = types.some(
    (t) => t === 'application/json' || t === '*/*' || t === 'application/*' || t === COLLECTION_TYPE || extra.includes(t),
  );
  if (!ok) throw plain(406, `"${accept}" in "Accept" header is not valid. Only "application/json" is allowed.`);
}

export type Query = Record<string, string>;

/** The query string as Akeneo reads it: single values, bracket syntax refused. */
export function parseQuery(req: FastifyRequest): Query {
  const idx = req.url.indexOf('?');
  const out: Query = {};
  if (idx < 0) return out;
  const params = new URLSearchParams(req.url.slice(idx + 1));
  for (const [k, v] of params) {
    if (k.includes('[')) throw plain(400, 'Bracket syntax is not supported in query parameters.');
    out[k] = v;
  }
  return out;
}

/** PHP rawurlencode, then / ? @ : ! ; , * left readable as Akeneo's link builder does. */
export function encodeQueryValue(v: string): string {
  return encodeURIComponent(v)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%2F/g, '/')
    .replace(/%3F/g, '?')
    .replace(/%40/g, '@')
    .replace(/%3A/g, ':')
    .replace(/%21/g, '!')
    .replace(/%3B/g, ';')
    .replace(/%2C/g, ',')
    .replace(/%2A/g, '*');
}

export function buildHref(base: string, path: string, params: [string, string | undefined][]): string {
  const qs = params
    .filter((p): p is [string, string] => p[1] !== undefined)
    .map(([k, v]) => `${k}=${encodeQueryValue(v)}`)
    .join('&');
  return qs ? `${base}${path}?${qs}` : `${base}${path}`;
}

/** Path segment in a Location header / self link. */
export const seg = (s: string): string => encodeURIComponent(s);

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
