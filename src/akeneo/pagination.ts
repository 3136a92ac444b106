/**
 * Async iteration over Akeneo's list endpoints: search_after where it exists (products,
 * product models, reference entities, assets…), page mode elsewhere, 100 items per page,
 * and the `next` link always followed as Akeneo gives it (its cursor is opaque).
 */
import { z } from 'zod';
import { AkeneoError } from './errors.js';
import type { QueryValue, Transport } from './transport.js';

export type PagingMode = 'page' | 'search_after' | 'search_after_only' | 'none';

export interface PageRequest {
  route: string;
  params?: Record<string, string>;
  query?: Record<string, QueryValue>;
  mode: PagingMode;
  limit?: number;
  /**
   * Page mode: the first page asks for the total (with_count) and the pages after it go out
   * together, a list of N pages then costs two latencies instead of N. A page the total did not
   * foresee (items added meanwhile) is still followed from the last page's `next` link.
   */
  pagesAtOnce?: boolean;
}

const pageSchema = z.looseObject({
  _links: z.looseObject({ next: z.looseObject({ href: z.string() }).optional() }).optional(),
  _embedded: z.looseObject({ items: z.array(z.unknown()) }),
  items_count: z.number().optional(),
});

/** Removes the HAL `_links` Akeneo adds to each item, so an item read can be written back as is. */
function stripLinks<T>(item: unknown): T {
  if (item && typeof item === 'object' && '_links' in item) {
    const { _links: _ignored, ...rest } = item as Record<string, unknown>;
    return rest as T;
  }
  return item as T;
}

export async function* paginate<T>(transport: Transport, req: PageRequest): AsyncGenerator<T, void, undefined> {
  const limit = Math.min(100, Math.max(1, req.limit ?? 100));
  if (req.mode === 'none') {
    const res = await transport.call({ method: 'GET', route: req.route, params: req.params, query: req.query });
    const body = res.json();
    if (!Array.isArray(body)) throw unexpected(req.route, 'a JSON array');
    for (const item of body) yield stripLinks<T>(item);
    return;
  }
  const query: Record<string, QueryValue> = { ...req.query, limit };
  // Endpoints where search_after is the only mode reject the parameter on some versions: leave it out.
  if (req.mode === 'search_after') query.pagination_type = 'search_after';
  let url: string | undefined;
  if (req.mode === 'page' && req.pagesAtOnce) {
    url = yield* pagesAtOnce<T>(transport, req, query, limit);
    if (url === undefined) return;
  }
  for (;;) {
    const res = await transport.call(url ? { method: 'GET', route: req.route, url } : { method: 'GET', route: req.route, params: req.params, query });
    const page = pageOf(req.route, res.json());
    const items = page._embedded.items;
    for (const item of items) yield stripLinks<T>(item);
    const next = page._links?.next?.href;
    // A full last page is followed by an empty one; stop at either sign.
    if (!next || items.length === 0) return;
    url = next;
  }
}

/** PageRequest.pagesAtOnce: yields every page's items in order; returns the last page's `next` link, if any. */
async function* pagesAtOnce<T>(transport: Transport, req: PageRequest, query: Record<string, QueryValue>, limit: number): AsyncGenerator<T, string | undefined, undefined> {
  const page = async (n: number, withCount: boolean) =>
    pageOf(req.route, (await transport.call({ method: 'GET', route: req.route, params: req.params, query: { ...query, page: n, ...(withCount ? { with_count: true } : {}) } })).json());
  const first = await page(1, true);
  const pages = Math.ceil((first.items_count ?? 0) / limit);
  // Asked at once; each awaited in turn so the items come in the PIM's order.
  const rest = Array.from({ length: Math.max(0, pages - 1) }, (_, i) => page(i + 2, false));
  // Not one of them left unhandled if an earlier one fails.
  for (const p of rest) p.catch(() => undefined);
  let last = first;
  for (const item of first._embedded.items) yield stripLinks<T>(item);
  for (const p of rest) {
    last = await p;
    for (const item of last._embedded.items) yield stripLinks<T>(item);
  }
  return last._embedded.items.length === 0 ? undefined : last._links?.next?.href;
}

/** A list page as the PIM answered it, or an error saying the answer is no page. */
function pageOf(route: string, body: unknown): z.infer<typeof pageSchema> {
  const parsed = pageSchema.safeParse(body);
  if (!parsed.success) throw unexpected(route, 'a page with _embedded.items');
  return parsed.data;
}

function unexpected(route: string, what: string): AkeneoError {
  return new AkeneoError({ message: `the PIM's answer is not ${what}; is pim.url the PIM itself?`, method: 'GET', path: route });
}

/** Number of items (page mode with_count), read from the first page. */
export async function countItems(transport: Transport, route: string, params?: Record<string, string>, query?: Record<string, QueryValue>): Promise<number | undefined> {
  const res = await transport.call({ method: 'GET', route, params, query: { ...query, limit: 1, with_count: true } });
  const parsed = pageSchema.safeParse(res.json());
  return parsed.success ? parsed.data.items_count : undefined;
}
