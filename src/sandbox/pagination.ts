/**
 * Akeneo's list pagination: offset mode (`page`, `with_count`, 10,000-item window on the
 * Elasticsearch-backed lists) and search_after mode, with `_links` built the way Akeneo
 * orders their query parameters.
 */
import { buildHref, HttpError, plain, type Query } from './http.js';

export interface PageParams {
  mode: 'page' | 'search_after';
  page: number;
  limit: number;
  withCount: boolean;
  searchAfter?: string;
}

export interface PagingRules {
  /** Which modes the endpoint knows. */
  modes: ('page' | 'search_after')[];
  /** Products and product models refuse page*limit > 10,000. */
  cap?: boolean;
  defaultLimit?: number;
}

const PAGING_KEYS = new Set(['page', 'limit', 'with_count', 'pagination_type', 'search_after']);

function positiveInt(v: string): number | undefined {
  return /^\d+$/.test(v) && Number(v) >= 1 ? Number(v) : undefined;
}

export function parsePaging(q: Query, rules: PagingRules): PageParams {
  const type = q['pagination_type'] ?? rules.modes[0] ?? 'page';
  if (type !== 'page' && type !== 'search_after') throw plain(422, 'Pagination type does not exist.');
  if (!rules.modes.includes(type)) throw plain(422, 'Pagination type is not supported.');
  let limit = rules.defaultLimit ?? 10;
  if (q['limit'] !== undefined) {
    const n = positiveInt(q['limit']);
    if (n === undefined) throw plain(422, `"${q['limit']}" is not a valid limit number.`);
    if (n > 100) throw plain(422, 'You cannot request more than 100 items.');
    limit = n;
  }
  let page = 1;
  if (q['page'] !== undefined && type === 'page') {
    const n = positiveInt(q['page']);
    if (n === undefined) throw plain(422, `"${q['page']}" is not a valid page number.`);
    page = n;
  }
  let withCount = false;
  if (q['with_count'] !== undefined) {
    if (q['with_count'] !== 'true' && q['with_count'] !== 'false') {
      throw plain(422, `Parameter "with_count" has to be a boolean. Only "true" or "false" allowed, "${q['with_count']}" given.`);
    }
    withCount = q['with_count'] === 'true' && type === 'page';
  }
  if (rules.cap && type === 'page' && page * limit > 10_000) {
    throw new HttpError(422, {
      code: 422,
      message:
        'You have reached the maximum number of pages you can retrieve with the "page" pagination type. Please use the search after pagination type instead',
      _links: { documentation: { href: 'http://api.akeneo.com/documentation/pagination.html#the-search-after-method' } },
    });
  }
  const out: PageParams = { mode: type, page, limit, withCount };
  if (type === 'search_after' && q['search_after'] !== undefined) out.searchAfter = q['search_after'];
  return out;
}

/** Non-paging query parameters, in request order, to carry into every link. */
export function extraParams(q: Query): [string, string][] {
  return Object.entries(q).filter(([k]) => !PAGING_KEYS.has(k));
}

/** 'product': products and product models; 'structure': everything else in page mode. */
export type LinkStyle = 'product' | 'structure';

export interface PageInput<T> {
  base: string;
  path: string;
  style: LinkStyle;
  params: PageParams;
  extras: [string, string][];
  items: T[];
  total?: number;
  /** search_after: the key of the last item (becomes the next cursor). */
  lastKey?: string;
}

export function pageBody<T>(input: PageInput<T>): Record<string, unknown> {
  const { base, path, style, params, extras, items } = input;
  const hasNext = items.length === params.limit && items.length > 0;
  if (params.mode === 'search_after') {
    const head: [string, string | undefined][] =
      style === 'product'
        ? [
            ['with_count', 'false'],
            ['pagination_type', 'search_after'],
            ['limit', String(params.limit)],
          ]
        : [
            ['pagination_type', 'search_after'],
            ['limit', String(params.limit)],
          ];
    const links: Record<string, { href: string }> = {
      self: { href: buildHref(base, path, [...head, ...extras, ['search_after', params.searchAfter]]) },
      first: { href: buildHref(base, path, [...head, ...extras]) },
    };
    if (hasNext && input.lastKey !== undefined) {
      links['next'] = { href: buildHref(base, path, [...head, ...extras, ['search_after', input.lastKey]]) };
    }
    return { _links: links, _embedded: { items } };
  }
  const head = (page: number): [string, string][] =>
    style === 'product'
      ? [
          ['page', String(page)],
          ['with_count', String(params.withCount)],
          ['pagination_type', 'page'],
          ['limit', String(params.limit)],
        ]
      : [
          ['page', String(page)],
          ['limit', String(params.limit)],
          ['with_count', String(params.withCount)],
        ];
  const links: Record<string, { href: string }> = {
    self: { href: buildHref(base, path, [...head(params.page), ...extras]) },
    first: { href: buildHref(base, path, [...head(1), ...extras]) },
  };
  if (params.page > 1) links['previous'] = { href: buildHref(base, path, [...head(params.page - 1), ...extras]) };
  if (hasNext) links['next'] = { href: buildHref(base, path, [...head(params.page + 1), ...extras]) };
  const body: Record<string, unknown> = { _links: links, current_page: params.page };
  if (params.withCount) body['items_count'] = input.total ?? 0;
  body['_embedded'] = { items };
  return body;
}

/** Offset-page slice of a full list. */
export function slicePage<T>(all: readonly T[], params: PageParams): T[] {
  const start = (params.page - 1) * params.limit;
  return all.slice(start, start + params.limit);
}
