/**
 * A small Akeneo look-alike for the client's tests: real HTTP on 127.0.0.1, an OAuth token
 * endpoint, bearer checks, an in-memory product store (search_after + page lists, NDJSON
 * batch PATCH), media files, and hooks to script faults. Every request is recorded so tests
 * can check what the client really sent.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
  text: string;
  at: number;
}

export type Handler = (req: RecordedRequest, res: ServerResponse, socket: Socket) => void | Promise<void>;

export interface FakeOptions {
  clientId?: string;
  secret?: string;
  username?: string;
  password?: string;
  tokenLifetimeSeconds?: number;
  /** Lines per collection PATCH before answering 413 (Akeneo: 100). */
  maxLines?: number;
  /** Delay before answering each API call (ms), to hold calls in flight. */
  latencyMs?: number;
  /** Extra delay per NDJSON line (ms), as the sandbox's latency model. */
  latencyPerLineMs?: number;
}

export interface StoredProduct {
  uuid: string;
  [k: string]: unknown;
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { ...(text ? { 'Content-Type': 'application/json' } : {}), ...headers });
  res.end(text);
}

export class FakeAkeneo {
  readonly options: Required<FakeOptions>;
  readonly requests: RecordedRequest[] = [];
  readonly products = new Map<string, StoredProduct>();
  readonly categories = new Map<string, Record<string, unknown>>();
  readonly media = new Map<string, { filename: string; content: Buffer; contentType: string; fields: Record<string, string> }>();
  tokenRequests: { grant: string; at: number }[] = [];
  /** Valid access tokens → expiry (ms epoch). */
  readonly accessTokens = new Map<string, number>();
  readonly refreshTokens = new Set<string>();
  inFlight = 0;
  peakInFlight = 0;
  /** Extra delay per request (ms) before the built-in behaviour, to reorder concurrent calls. */
  delayFor: ((req: RecordedRequest) => number) | undefined;
  private readonly overrides: { method: string; pattern: RegExp; handler: Handler; times: number }[] = [];
  private server: Server | undefined;
  url = '';

  constructor(options: FakeOptions = {}) {
    this.options = {
      clientId: 'client_1',
      secret: 'S3cr3t-client-value',
      username: 'erp_user',
      password: 'P4ssw0rd-user-value',
      tokenLifetimeSeconds: 3600,
      maxLines: 100,
      latencyMs: 0,
      latencyPerLineMs: 0,
      ...options,
    };
  }

  /** Answers the next `times` matching requests with `handler` (before the built-in behaviour). */
  on(method: string, pattern: RegExp, handler: Handler, times = Infinity): this {
    this.overrides.push({ method, pattern, handler, times });
    return this;
  }

  /** Expires every issued access token (as if an hour had passed). */
  expireAccessTokens(): void {
    this.accessTokens.clear();
  }

  apiRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.startsWith('/api/rest/'));
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return this;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const u = new URL(req.url ?? '/', 'http://x');
    const rec: RecordedRequest = { method: req.method ?? 'GET', path: u.pathname, query: u.searchParams, headers: req.headers, body, text: body.toString('utf8'), at: Date.now() };
    this.requests.push(rec);
    this.inFlight++;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    try {
      for (const o of this.overrides) {
        if (o.times > 0 && o.method === rec.method && o.pattern.test(rec.path)) {
          o.times--;
          await o.handler(rec, res, req.socket);
          return;
        }
      }
      const lines = rec.headers['content-type'] === 'application/vnd.akeneo.collection+json' ? rec.text.split('\n').length : 0;
      const delay = (rec.path.startsWith('/api/rest/') ? this.options.latencyMs + lines * this.options.latencyPerLineMs : 0) + (this.delayFor?.(rec) ?? 0);
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      await this.builtin(rec, res);
    } catch (err) {
      if (!res.headersSent) json(res, 500, { code: 500, message: String(err) });
    } finally {
      this.inFlight--;
    }
  }

  private async builtin(req: RecordedRequest, res: ServerResponse): Promise<void> {
    if (req.path === '/api/oauth/v1/token' && req.method === 'POST') return this.token(req, res);
    if (!req.path.startsWith('/api/rest/v1')) return json(res, 404, { code: 404, message: 'Not found' });
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    const exp = this.accessTokens.get(token);
    if (exp === undefined || exp < Date.now()) return json(res, 401, { code: 401, message: 'The access token provided is invalid.' });

    const p = req.path.slice('/api/rest/v1'.length);
    if (p === '/system-information') return json(res, 200, { version: '7.0.40', edition: 'CE' });
    if (p === '/products-uuid' && req.method === 'GET') return this.listProducts(req, res);
    if (p === '/products-uuid' && req.method === 'PATCH') return this.patchProducts(req, res);
    const one = /^\/products-uuid\/([0-9a-f-]{36})$/.exec(p);
    if (one && req.method === 'GET') {
      const prod = this.products.get(one[1]!);
      return prod ? json(res, 200, { ...prod, _links: { self: { href: `${this.url}${req.path}` } } }) : json(res, 404, { code: 404, message: `Product "${one[1]}" does not exist or you do not have permission to access it.` });
    }
    if (one && req.method === 'PATCH') {
      const item = JSON.parse(req.text) as Record<string, unknown>;
      const created = !this.products.has(one[1]!);
      this.products.set(one[1]!, { ...(this.products.get(one[1]!) ?? {}), ...item, uuid: one[1]! });
      res.writeHead(created ? 201 : 204, { Location: `${this.url}/api/rest/v1/products-uuid/${one[1]}` });
      return void res.end();
    }
    if (one && req.method === 'DELETE') {
      this.products.delete(one[1]!);
      res.writeHead(204);
      return void res.end();
    }
    if (p === '/categories' && req.method === 'GET') return this.listPaged(req, res, [...this.categories.values()]);
    if (p === '/categories' && req.method === 'PATCH') return this.patchCategories(req, res);
    if (p === '/media-files' && req.method === 'POST') return this.uploadMedia(req, res);
    const media = /^\/media-files\/(.+?)(\/download)?$/.exec(p);
    if (media && req.method === 'GET') {
      const code = decodeURIComponent(media[1]!);
      const m = this.media.get(code);
      if (!m) return json(res, 404, { code: 404, message: `Media file "${code}" does not exist.` });
      if (media[2]) {
        res.writeHead(200, { 'Content-Type': m.contentType, 'Content-Disposition': `attachment; filename="${m.filename}"` });
        return void res.end(m.content);
      }
      return json(res, 200, {
        code,
        original_filename: m.filename,
        mime_type: m.contentType,
        size: m.content.length,
        extension: m.filename.split('.').pop(),
        _links: { download: { href: `${this.url}/api/rest/v1/media-files/${code}/download` } },
      });
    }
    for (const list of ['/channels', '/locales', '/currencies', '/families', '/attributes']) {
      if (p === list && req.method === 'GET') return this.listPaged(req, res, [{ code: `${list.slice(1)}_a`, enabled: true }, { code: `${list.slice(1)}_b`, enabled: false }, { code: `${list.slice(1)}_c`, enabled: true }]);
    }
    return json(res, 404, { code: 404, message: 'Resource not found' });
  }

  private token(req: RecordedRequest, res: ServerResponse): void {
    const basic = req.headers.authorization ?? '';
    const decoded = basic.startsWith('Basic ') ? Buffer.from(basic.slice(6), 'base64').toString('utf8') : '';
    let body: Record<string, string>;
    try {
      body = req.headers['content-type']?.includes('json') ? (JSON.parse(req.text) as Record<string, string>) : Object.fromEntries(new URLSearchParams(req.text));
    } catch {
      return json(res, 400, { code: 400, message: 'Invalid json message received' });
    }
    this.tokenRequests.push({ grant: body.grant_type ?? '', at: Date.now() });
    const o = this.options;
    if (decoded !== `${o.clientId}:${o.secret}`) {
      return json(res, 422, { code: 422, message: 'Parameter "client_id" is missing or does not match any client, or secret is invalid' });
    }
    if (body.grant_type === 'password') {
      if (body.username !== o.username || body.password !== o.password) return json(res, 422, { code: 422, message: 'No user found for the given username and password' });
    } else if (body.grant_type === 'refresh_token') {
      if (!body.refresh_token || !this.refreshTokens.has(body.refresh_token)) return json(res, 422, { code: 422, message: 'Refresh token is invalid or has expired' });
      this.refreshTokens.delete(body.refresh_token);
    } else {
      return json(res, 422, { code: 422, message: 'Parameter "grant_type", "username" or "password" is missing, empty or invalid' });
    }
    const access = randomBytes(16).toString('hex');
    const refresh = randomBytes(16).toString('hex');
    this.accessTokens.set(access, Date.now() + o.tokenLifetimeSeconds * 1000);
    this.refreshTokens.add(refresh);
    json(res, 200, { access_token: access, expires_in: o.tokenLifetimeSeconds, token_type: 'bearer', scope: null, refresh_token: refresh });
  }

  private listProducts(req: RecordedRequest, res: ServerResponse): void {
    const limit = Number(req.query.get('limit') ?? 10);
    if (limit > 100) return json(res, 422, { code: 422, message: 'You cannot request more than 100 items.' });
    const all = [...this.products.values()].sort((a, b) => (a.uuid < b.uuid ? -1 : 1));
    if (req.query.get('pagination_type') === 'search_after') {
      // An opaque cursor, as SaaS does: clients must follow the link, not build it.
      const cursor = req.query.get('search_after');
      const after = cursor ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
      const page = all.filter((p) => p.uuid > after).slice(0, limit);
      const last = page[page.length - 1];
      const links: Record<string, { href: string }> = { self: { href: `${this.url}${req.path}?${req.query}` } };
      if (page.length === limit && last) {
        const next = new URLSearchParams(req.query);
        next.set('search_after', Buffer.from(last.uuid).toString('base64url'));
        links.next = { href: `${this.url}${req.path}?${next}` };
      }
      return json(res, 200, { _links: links, _embedded: { items: page.map((p) => ({ _links: { self: { href: `${this.url}/api/rest/v1/products-uuid/${p.uuid}` } }, ...p })) } });
    }
    return this.listPaged(req, res, all);
  }

  private listPaged(req: RecordedRequest, res: ServerResponse, all: unknown[]): void {
    const limit = Number(req.query.get('limit') ?? 10);
    const page = Number(req.query.get('page') ?? 1);
    const items = all.slice((page - 1) * limit, page * limit);
    const links: Record<string, { href: string }> = { self: { href: `${this.url}${req.path}?${req.query}` } };
    if (items.length === limit) {
      const next = new URLSearchParams(req.query);
      next.set('page', String(page + 1));
      links.next = { href: `${this.url}${req.path}?${next}` };
    }
    json(res, 200, { _links: links, current_page: page, ...(req.query.get('with_count') === 'true' ? { items_count: all.length } : {}), _embedded: { items } });
  }

  /** NDJSON upsert: 413 over maxLines; per line 201/204, or 422 when a test marks the product invalid. */
  private patchProducts(req: RecordedRequest, res: ServerResponse): void {
    if (req.headers['content-type'] !== 'application/vnd.akeneo.collection+json') {
      return json(res, 415, { code: 415, message: `'${req.headers['content-type']}' in 'Content-type' header is not valid. Only 'application/vnd.akeneo.collection+json' is allowed.` });
    }
    const lines = req.text.split('\n');
    if (lines.length > this.options.maxLines) return json(res, 413, { code: 413, message: `Too many resources to process, ${this.options.maxLines} is the maximum allowed.` });
    const out = lines.map((text, i) => {
      let item: Record<string, unknown>;
      try {
        item = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return { line: i + 1, status_code: 400, message: 'Invalid json message received' };
      }
      const uuid = item.uuid as string | undefined;
      if (!uuid) return { line: i + 1, status_code: 422, message: 'Uuid is missing.' };
      if (item.family === 'unknown_family') {
        return {
          line: i + 1,
          uuid,
          status_code: 422,
          message: 'Validation failed.',
          errors: [{ property: 'family', message: 'The unknown_family family does not exist in your PIM.' }],
        };
      }
      const created = !this.products.has(uuid);
      this.products.set(uuid, { ...(this.products.get(uuid) ?? {}), ...item, uuid } as StoredProduct);
      return { line: i + 1, uuid, status_code: created ? 201 : 204 };
    });
    res.writeHead(200, { 'Content-Type': 'application/vnd.akeneo.collection+json' });
    res.end(out.map((o) => JSON.stringify(o)).join('\n'));
  }

  private patchCategories(req: RecordedRequest, res: ServerResponse): void {
    const lines = req.text.split('\n');
    if (lines.length > this.options.maxLines) return json(res, 413, { code: 413, message: 'Too many resources to process, 100 is the maximum allowed.' });
    const out = lines.map((text, i) => {
      const item = JSON.parse(text) as Record<string, unknown>;
      const code = item.code as string;
      const parent = item.parent as string | null | undefined;
      if (parent && !this.categories.has(parent)) {
        return { line: i + 1, code, status_code: 422, message: 'Validation failed.', errors: [{ property: 'parent', message: `The category "${parent}" does not exist` }] };
      }
      const created = !this.categories.has(code);
      this.categories.set(code, { ...(this.categories.get(code) ?? {}), ...item });
      return { line: i + 1, code, status_code: created ? 201 : 204 };
    });
    res.writeHead(200, { 'Content-Type': 'application/vnd.akeneo.collection+json' });
    res.end(out.map((o) => JSON.stringify(o)).join('\n'));
  }

  private uploadMedia(req: RecordedRequest, res: ServerResponse): void {
    const type = req.headers['content-type'] ?? '';
    const boundary = /boundary=(.+)$/.exec(type)?.[1];
    if (!type.startsWith('multipart/form-data') || !boundary) return json(res, 415, { code: 415, message: "Only 'multipart/form-data' is allowed." });
    const parts = parseMultipart(req.body, boundary);
    const file = parts.find((p) => p.name === 'file' && p.filename !== undefined);
    if (!file) return json(res, 422, { code: 422, message: 'Property "file" is required.' });
    const fields: Record<string, string> = {};
    for (const p of parts) if (p.filename === undefined) fields[p.name] = p.content.toString('utf8');
    if (!fields.product === !fields.product_model) return json(res, 422, { code: 422, message: 'You should give either a "product" or a "product_model" key.' });
    const hash = randomUUID().replace(/-/g, '');
    const code = `${hash[0]}/${hash[1]}/${hash[2]}/${hash[3]}/${hash}_${file.filename}`;
    this.media.set(code, { filename: file.filename!, content: file.content, contentType: file.contentType ?? 'application/octet-stream', fields });
    res.writeHead(201, { Location: `${this.url}/api/rest/v1/media-files/${code}` });
    res.end();
  }
}

export interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  content: Buffer;
}

/** Splits a multipart/form-data body into its parts (enough for tests). */
export function parseMultipart(body: Buffer, boundary: string): Part[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Part[] = [];
  let pos = body.indexOf(delimiter);
  while (pos >= 0) {
    const start = pos + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const raw = body.subarray(start + 2, next - 2); // skip CRLF after the delimiter and before the next
    const headEnd = raw.indexOf('\r\n\r\n');
    const head = raw.subarray(0, headEnd).toString('utf8');
    const content = raw.subarray(headEnd + 4);
    const name = /name="([^"]*)"/.exec(head)?.[1] ?? '';
    const filename = /filename="([^"]*)"/.exec(head)?.[1];
    const contentType = /Content-Type:\s*(.+)/i.exec(head)?.[1]?.trim();
    parts.push({ name, ...(filename !== undefined ? { filename } : {}), ...(contentType ? { contentType } : {}), content });
    pos = next;
  }
  return parts;
}

export async function startFake(options: FakeOptions = {}): Promise<FakeAkeneo> {
  return new FakeAkeneo(options).start();
}

/** Client options matching a fake's credentials, with fast backoff for tests. */
export function clientOptionsFor(fake: FakeAkeneo, extra: Record<string, unknown> = {}) {
  return {
    url: fake.url,
    auth: { kind: 'connection' as const, clientId: fake.options.clientId, secret: fake.options.secret, username: fake.options.username, password: fake.options.password },
    endpoints: 'uuid' as const,
    backoffBaseMs: 20,
    ...extra,
  };
}
