/**
 * /products-uuid, /products (identifier) and /product-models: list (page + search_after,
 * filters, trimming), get, create, upsert, collection upsert, delete. Writes go through the
 * rules; the store keeps what they return.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Product, ProductModel } from '../../akeneo/model.js';
import { runCollection, type ItemOutcome } from '../batch.js';
import { json, route, written, type SandboxContext } from '../context.js';
import { baseUrl, isObject, jsonBody, parseQuery, plain, seg, type Query } from '../http.js';
import { extraParams, pageBody, parsePaging, type PageParams } from '../pagination.js';
import {
  inScopeTree,
  modelSearchable,
  parseTrim,
  productSearchable,
  renderProduct,
  renderProductModel,
  type Endpoint,
} from '../product-view.js';
import { compileSearch, completeness, type Searchable } from '../search.js';
import { rowToProduct, type StoredProduct } from '../store.js';

const lower = (s: string): string => s.toLowerCase();

export interface WriteOutcome {
  status: number;
  body?: Record<string, unknown>;
  location?: string;
  key?: string;
}

const productPath = (endpoint: Endpoint): string => (endpoint === 'uuid' ? '/api/rest/v1/products-uuid' : '/api/rest/v1/products');

export function productLocation(base: string, endpoint: Endpoint, p: Product): string {
  return endpoint === 'uuid' ? `${base}/api/rest/v1/products-uuid/${p.uuid}` : `${base}/api/rest/v1/products/${seg(p.identifier ?? '')}`;
}

/** One product write (single POST/PATCH, a batch line, or a media upload's value). */
export function writeProduct(
  ctx: SandboxContext,
  base: string,
  endpoint: Endpoint,
  method: 'POST' | 'PATCH',
  urlKey: string | undefined,
  patch: unknown,
): WriteOutcome {
  const { store } = ctx;
  let existing: Product | null = null;
  if (method === 'PATCH' && urlKey !== undefined) {
    existing = (endpoint === 'uuid' ? store.productByUuid(urlKey) : store.productByIdentifier(urlKey)) ?? null;
  }
  const result = ctx.rules.applyProductWrite(store, existing, patch, {
    endpoint,
    method,
    ...(urlKey !== undefined ? { urlKey } : {}),
    newUuid: ctx.newUuid(),
    now: ctx.now(),
    uuidProducts: ctx.edition.uuidProducts,
    valueMessagesBefore6: ctx.edition.version === '5.0',
  });
  if (!result.ok) return { status: result.status, body: result.body as unknown as Record<string, unknown> };
  const value = result.value;
  if (existing && existing.uuid !== value.uuid) store.deleteProduct(String(existing.uuid));
  store.putProduct(value);
  const status = result.created ? 201 : 204;
  return { status, location: productLocation(base, endpoint, value) };
}

export function writeProductModel(
  ctx: SandboxContext,
  base: string,
  method: 'POST' | 'PATCH',
  urlKey: string | undefined,
  patch: unknown,
): WriteOutcome {
  const { store } = ctx;
  const existing = method === 'PATCH' && urlKey !== undefined ? (store.productModel(urlKey) ?? null) : null;
  const result = ctx.rules.applyProductModelWrite(store, existing, patch, {
    method,
    ...(urlKey !== undefined ? { urlKey } : {}),
    now: ctx.now(),
    valueMessagesBefore6: ctx.edition.version === '5.0',
  });
  if (!result.ok) return { status: result.status, body: result.body as unknown as Record<string, unknown> };
  store.putProductModel(result.value);
  return {
    status: result.created ? 201 : 204,
    location: `${base}/api/rest/v1/product-models/${seg(result.value.code)}`,
  };
}

function answer(reply: FastifyReply, out: WriteOutcome): FastifyReply {
  if (out.body) return json(reply, out.body, out.status);
  return written(reply, out.status, out.location ?? '');
}

const toItem = (o: WriteOutcome): ItemOutcome => ({ status: o.status, ...(o.body ? { body: o.body } : {}) });

/** Keys sorted for a list, and where a search_after cursor starts. */
function startAfter(sortedKeys: readonly string[], cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const c = lower(cursor);
  let lo = 0;
  let hi = sortedKeys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sortedKeys[mid] as string) <= c) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface ListSpec<T> {
  /** ordered entities with their sort key (lower-case) */
  keys: readonly string[];
  entity: (i: number) => T;
  searchable: (e: T) => Searchable;
  render: (e: T) => Record<string, unknown>;
  cursorOf: (e: T) => string;
  selfHref: (e: T) => string;
}

/**
 * Matching positions of a filtered list, cached per query and store version, so paging through
 * a filtered 100,000-product list (page after page, with_count or not) scans it once.
 */
const MATCH_CACHE_SIZE = 16;

function matchingPositions<T>(
  spec: ListSpec<T>,
  match: (s: Searchable) => boolean,
  cacheKey: string | undefined,
  version: number,
  matchCache: Map<string, { version: number; positions: number[] }>,
): number[] {
  const hit = cacheKey === undefined ? undefined : matchCache.get(cacheKey);
  if (hit && hit.version === version) return hit.positions;
  const positions: number[] = [];
  for (let i = 0; i < spec.keys.length; i++) if (match(spec.searchable(spec.entity(i)))) positions.push(i);
  if (cacheKey === undefined) return positions;
  matchCache.delete(cacheKey);
  matchCache.set(cacheKey, { version, positions });
  if (matchCache.size > MATCH_CACHE_SIZE) matchCache.delete(matchCache.keys().next().value as string);
  return positions;
}

/** Filters relative to "now" (SINCE LAST N DAYS) change without writes: never cached. */
function listCacheKey(parts: string[]): string | undefined {
  return parts.some((p) => p.includes('SINCE LAST')) ? undefined : JSON.stringify(parts);
}

interface ListFilter {
  match: (s: Searchable) => boolean;
  /** undefined = do not cache (time-relative filters) */
  cacheKey: string | undefined;
  version: number;
  cache: Map<string, { version: number; positions: number[] }>;
}

function collect<T>(spec: ListSpec<T>, params: PageParams, filter: ListFilter | undefined) {
  const items: T[] = [];
  const all = filter ? matchingPositions(spec, filter.match, filter.cacheKey, filter.version, filter.cache) : undefined;
  const count = all ? all.length : spec.keys.length;
  const at = (n: number): number => (all ? (all[n] as number) : n);
  if (params.mode === 'search_after') {
    // first matching position whose key sorts after the cursor
    const start = startAfter(spec.keys, params.searchAfter);
    let lo = 0;
    let hi = count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (at(mid) < start) lo = mid + 1;
      else hi = mid;
    }
    for (let n = lo; n < count && items.length < params.limit; n++) items.push(spec.entity(at(n)));
    return { items, total: count };
  }
  const offset = (params.page - 1) * params.limit;
  for (let n = offset; n < Math.min(count, offset + params.limit); n++) items.push(spec.entity(at(n)));
  return { items, total: count };
}

function listResponse<T>(
  req: FastifyRequest,
  path: string,
  q: Query,
  params: PageParams,
  spec: ListSpec<T>,
  filter?: ListFilter,
) {
  const { items, total } = collect(spec, params, filter);
  const base = baseUrl(req);
  const rendered = items.map((e) => ({ _links: { self: { href: spec.selfHref(e) } }, ...spec.render(e) }));
  const last = items[items.length - 1];
  return pageBody({
    base,
    path,
    style: 'product',
    params,
    extras: extraParams(q),
    items: rendered,
    total,
    ...(last !== undefined ? { lastKey: spec.cursorOf(last) } : {}),
  });
}

function listProducts(ctx: SandboxContext, req: FastifyRequest, endpoint: Endpoint, q: Query): Record<string, unknown> {
  const { store } = ctx;
  const params = parsePaging(q, { modes: ['page', 'search_after'], cap: true });
  const trim = parseTrim(store, q);
  const search = compileSearch(q['search'], {
    store,
    kind: 'product',
    ...(q['search_locale'] ? { searchLocale: q['search_locale'] } : {}),
    ...(q['search_scope'] ? { searchScope: q['search_scope'] } : {}),
  });
  const filtered = q['search'] !== undefined || trim.scopeCategories !== undefined;
  const filter = filtered
    ? {
        match: (s: Searchable) => inScopeTree(s, trim) && search(s),
        cacheKey: listCacheKey(['product', endpoint, q['search'] ?? '', q['scope'] ?? '', q['search_locale'] ?? '', q['search_scope'] ?? '']),
        version: store.version,
        cache: store.listCache,
      }
    : undefined;
  const uuids = endpoint === 'uuid' ? store.productUuidsByUuid() : store.productUuidsByIdentifier();
  const keys = endpoint === 'uuid' ? uuids : store.productIdentifierKeys();
  const base = baseUrl(req);
  const withCompleteness = q['with_completenesses'] === 'true' && ctx.edition.completenesses;
  return listResponse<StoredProduct>(req, productPath(endpoint), q, params, {
    keys,
    entity: (i) => store.productRow(uuids[i] as string) as StoredProduct,
    searchable: (row) => productSearchable(store, row),
    render: (row) => {
      const p = rowToProduct(row);
      const out = editionView(ctx, renderProduct(store, p, endpoint, trim));
      if (withCompleteness) out['completenesses'] = completenessesOf(ctx, row, trim.scope);
      return out;
    },
    cursorOf: (row) => (endpoint === 'uuid' ? row.uuid : (row.identifier ?? '')),
    selfHref: (row) => productLocation(base, endpoint, { uuid: row.uuid, ...(row.identifier !== undefined ? { identifier: row.identifier } : {}) }),
  }, filter);
}

/** Before 7.0 a product has no uuid in the API (the spec: `uuid` x-from-version 7.0). */
function editionView(ctx: SandboxContext, out: Record<string, unknown>): Record<string, unknown> {
  if (!ctx.edition.uuidProducts) delete out['uuid'];
  return out;
}

function completenessesOf(ctx: SandboxContext, row: StoredProduct, scope?: string): { scope: string; locale: string; data: number }[] {
  const s = productSearchable(ctx.store, row);
  const out: { scope: string; locale: string; data: number }[] = [];
  for (const channel of ctx.store.channels()) {
    if (scope && lower(scope) !== lower(channel.code)) continue;
    const m = completeness(ctx.store, s, channel.code);
    if (!m) continue;
    for (const [locale, data] of m) out.push({ scope: channel.code, locale, data });
  }
  return out;
}

function listModels(ctx: SandboxContext, req: FastifyRequest, q: Query): Record<string, unknown> {
  const { store } = ctx;
  const params = parsePaging(q, { modes: ['page', 'search_after'], cap: true });
  const trim = parseTrim(store, q);
  const descendants = (s: Searchable): Searchable[] => {
    const out: Searchable[] = [];
    const walk = (code: string): void => {
      for (const p of store.productsOfModel(code)) {
        const row = store.productRow(String(p.uuid));
        if (row) out.push(productSearchable(store, row));
      }
      for (const m of store.productModelsChildren(code)) walk(m.code);
    };
    walk(s.code ?? '');
    return out;
  };
  const search = compileSearch(
    q['search'],
    {
      store,
      kind: 'product_model',
      ...(q['search_locale'] ? { searchLocale: q['search_locale'] } : {}),
      ...(q['search_scope'] ? { searchScope: q['search_scope'] } : {}),
    },
    descendants,
  );
  const filtered = q['search'] !== undefined || trim.scopeCategories !== undefined;
  const filter = filtered
    ? {
        match: (s: Searchable) => inScopeTree(s, trim) && search(s),
        cacheKey: listCacheKey(['model', q['search'] ?? '', q['scope'] ?? '', q['search_locale'] ?? '', q['search_scope'] ?? '']),
        version: store.version,
        cache: store.listCache,
      }
    : undefined;
  const models = store.productModelsSorted();
  const keys = models.map((m) => lower(m.code));
  const base = baseUrl(req);
  return listResponse<ProductModel>(req, '/api/rest/v1/product-models', q, params, {
    keys,
    entity: (i) => models[i] as ProductModel,
    searchable: (m) => modelSearchable(store, m),
    render: (m) => renderProductModel(store, m, trim),
    cursorOf: (m) => m.code,
    selfHref: (m) => `${base}/api/rest/v1/product-models/${seg(m.code)}`,
  }, filter);
}

function param(req: FastifyRequest, name: string): string {
  return (req.params as Record<string, string>)[name] ?? '';
}

export function registerProductRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const { store } = ctx;
  for (const endpoint of ['uuid', 'identifier'] as const) {
    const path = productPath(endpoint);
    const keyField = endpoint === 'uuid' ? 'uuid' : 'identifier';
    const find = (key: string): Product | undefined => (endpoint === 'uuid' ? store.productByUuid(key) : store.productByIdentifier(key));

    route(app, 'GET', path, (req, reply) => json(reply, listProducts(ctx, req, endpoint, parseQuery(req))));
    route(app, 'GET', `${path}/:key`, (req, reply) => {
      const key = param(req, 'key');
      const q = parseQuery(req);
      const p = find(key);
      if (!p) throw plain(404, `Product "${key}" does not exist or you do not have permission to access it.`);
      const out = editionView(ctx, renderProduct(store, p, endpoint, parseTrim(store, q)));
      const row = store.productRow(String(p.uuid));
      if (q['with_completenesses'] === 'true' && ctx.edition.completenesses && row) out['completenesses'] = completenessesOf(ctx, row);
      return json(reply, out);
    });
    route(app, 'POST', path, (req, reply) => answer(reply, writeProduct(ctx, baseUrl(req), endpoint, 'POST', undefined, jsonBody(req))));
    route(app, 'PATCH', `${path}/:key`, (req, reply) =>
      answer(reply, writeProduct(ctx, baseUrl(req), endpoint, 'PATCH', param(req, 'key'), jsonBody(req))),
    );
    route(app, 'PATCH', path, (req, reply) =>
      runCollection(req, reply, keyField, (key, item) => toItem(writeProduct(ctx, baseUrl(req), endpoint, 'PATCH', key, item))),
    );
    route(app, 'DELETE', `${path}/:key`, (req, reply) => {
      const key = param(req, 'key');
      const p = find(key);
      if (!p) throw plain(404, `The ${key} product does not exist in your PIM or you do not have permission to access it.`);
      store.deleteProduct(String(p.uuid));
      return reply.code(204).send();
    });
  }

  // SaaS: POST /products-uuid/search — the list query in a JSON body (search as a string).
  route(app, 'POST', '/api/rest/v1/products-uuid/search', (req, reply) => {
    const body = jsonBody(req);
    if (!isObject(body)) throw plain(400, 'Invalid json message received');
    const q: Query = { ...parseQuery(req) };
    for (const [k, v] of Object.entries(body)) {
      if (v === undefined || v === null) continue;
      q[k] = typeof v === 'string' ? v : Array.isArray(v) ? v.join(',') : typeof v === 'object' ? JSON.stringify(v) : String(v);
    }
    return json(reply, listProducts(ctx, req, 'uuid', q));
  });

  route(app, 'GET', '/api/rest/v1/product-models', (req, reply) => json(reply, listModels(ctx, req, parseQuery(req))));
  route(app, 'GET', '/api/rest/v1/product-models/:code', (req, reply) => {
    const code = param(req, 'code');
    const m = store.productModel(code);
    if (!m) throw plain(404, `Product model "${code}" does not exist or you do not have permission to access it.`);
    return json(reply, renderProductModel(store, m, parseTrim(store, parseQuery(req))));
  });
  route(app, 'POST', '/api/rest/v1/product-models', (req, reply) =>
    answer(reply, writeProductModel(ctx, baseUrl(req), 'POST', undefined, jsonBody(req))),
  );
  route(app, 'PATCH', '/api/rest/v1/product-models/:code', (req, reply) =>
    answer(reply, writeProductModel(ctx, baseUrl(req), 'PATCH', param(req, 'code'), jsonBody(req))),
  );
  route(app, 'PATCH', '/api/rest/v1/product-models', (req, reply) =>
    runCollection(req, reply, 'code', (key, item) => toItem(writeProductModel(ctx, baseUrl(req), 'PATCH', key, item))),
  );
  route(app, 'DELETE', '/api/rest/v1/product-models/:code', (req, reply) => {
    const code = param(req, 'code');
    if (!store.productModel(code)) {
      throw plain(404, `The ${code} product model does not exist in your PIM or you do not have permission to access it.`);
    }
    store.deleteProductModel(code);
    return reply.code(204).send();
  });
}
