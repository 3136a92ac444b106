/**
 * A resource of the API (categories, families, products…) as one small client: list, get,
 * find, upsert, create, upsertMany, delete. The per-resource differences (routes, key field,
 * paging mode, batch format, write budget) are data in a ResourceDef.
 */
import { upsertBatch, type BatchResult, type BatchSpec } from './batch.js';
import { AkeneoError } from './errors.js';
import { paginate, type PagingMode } from './pagination.js';
import { SearchBuilder, type DateStyle } from './search.js';
import type { QueryValue, Transport } from './transport.js';

export interface ListQuery {
  /** A search JSON string, or a builder (its long IN lists are walked chunk by chunk). */
  search?: string | SearchBuilder;
  /** Page size, at most 100 (the default). */
  limit?: number;
  /** Only these attributes' values (products, product models). */
  attributes?: string | readonly string[];
  /** Only these locales' values (plus non-localizable ones). */
  locales?: string | readonly string[];
  /** Only this channel's values; Akeneo also drops products outside the channel's tree. */
  scope?: string;
  /** Page mode only: ask Akeneo for the total (items_count). */
  withCount?: boolean;
  /** Page mode only: the pages after the first go out together (PageRequest.pagesAtOnce), for a list read whole. */
  pagesAtOnce?: boolean;
  /** Override the paging mode (search_after is used wherever it exists). */
  paginationType?: 'page' | 'search_after';
  searchLocale?: string;
  searchScope?: string;
  withAttributeOptions?: boolean;
  /** Any other query parameter Akeneo accepts. */
  params?: Record<string, QueryValue>;
}

export interface WriteResult {
  /** 201 created, 204 updated. */
  status: number;
  outcome: 'created' | 'updated';
  key: string;
  /** Products in uuid mode: the product's uuid. */
  uuid?: string;
  /** The resource's URL, from the Location header. */
  location?: string;
}

export interface ResourceClient<T> {
  list(query?: ListQuery): AsyncIterable<T>;
  get(key: string): Promise<T>;
  /** Like get, but undefined when the resource does not exist (404). */
  find(key: string): Promise<T | undefined>;
  /** PATCH one item: creates it when missing, merges it otherwise. */
  upsert(item: T): Promise<WriteResult>;
  /** POST one item: fails with 422 when it exists. Not retried unless refused before processing. */
  create(item: T): Promise<WriteResult>;
  /** Collection PATCH; one result per input item, in input order. */
  upsertMany(items: readonly T[]): Promise<BatchResult<T>[]>;
}
export interface DeletableResourceClient<T> extends ResourceClient<T> {
  delete(key: string): Promise<void>;
}
export interface ReadOnlyResourceClient<T> {
  list(query?: ListQuery): AsyncIterable<T>;
  get(key: string): Promise<T>;
  find(key: string): Promise<T | undefined>;
}

export interface ResourceDef<T> {
  noun: string;
  /** Collection route, e.g. /api/rest/v1/attributes/{attribute_code}/options */
  collection: string;
  /** Item route with its key placeholder, e.g. /api/rest/v1/attributes/{attribute_code}/options/{code} */
  item: string;
  itemParam: string;
  /** Values of the placeholders shared by both routes (attribute_code…). */
  params?: Record<string, string>;
  keyField: 'code' | 'uuid' | 'identifier';
  paging: PagingMode;
  dateStyle: DateStyle;
  /** Collection PATCH format; absent when Akeneo has none (upsertMany then sends one PATCH per item). */
  batch?: 'ndjson' | 'json-array';
  optionWrite?: boolean;
  prepare?: (item: T) => Record<string, unknown>;
  parentOf?: (item: Record<string, unknown>) => string | null | undefined;
  /** No GET per item (measurement families): get() scans the list. */
  getByListing?: boolean;
}

export function toQuery(query: ListQuery | undefined, search: string | undefined, mode: PagingMode): Record<string, QueryValue> {
  const join = (v: string | readonly string[] | undefined) => (v === undefined ? undefined : typeof v === 'string' ? v : v.join(','));
  return {
    ...(search ? { search } : {}),
    attributes: join(query?.attributes),
    locales: join(query?.locales),
    scope: query?.scope,
    with_count: query?.withCount && mode === 'page' ? true : undefined,
    search_locale: query?.searchLocale,
    search_scope: query?.searchScope,
    with_attribute_options: query?.withAttributeOptions,
    ...query?.params,
  };
}

export function searchStrings(search: ListQuery['search'], style: DateStyle): (string | undefined)[] {
  if (search === undefined) return [undefined];
  if (typeof search === 'string') return [search];
  return search.isEmpty() ? [undefined] : search.chunks(style);
}

export class Resource<T> implements DeletableResourceClient<T> {
  constructor(
    protected readonly transport: Transport,
    readonly def: ResourceDef<T>,
  ) {}

  list(query?: ListQuery): AsyncIterable<T> {
    const { transport, def } = this;
    const mode: PagingMode =
      def.paging === 'none' || def.paging === 'search_after_only'
        ? def.paging
        : (query?.paginationType ?? def.paging);
    return {
      async *[Symbol.asyncIterator]() {
        for (const search of searchStrings(query?.search, def.dateStyle)) {
          yield* paginate<T>(transport, {
            route: def.collection,
            params: def.params,
            query: toQuery(query, search, mode),
            mode,
            limit: query?.limit,
            ...(query?.pagesAtOnce ? { pagesAtOnce: true } : {}),
          });
        }
      },
    };
  }

  async get(key: string): Promise<T> {
    const found = await this.find(key);
    if (found === undefined) {
      throw new AkeneoError({
        status: 404,
        message: `${this.def.noun} "${key}" does not exist (or the connection may not see it)`,
        method: 'GET',
        path: this.def.item,
      });
    }
    return found;
  }

  async find(key: string): Promise<T | undefined> {
    if (this.def.getByListing) {
      for await (const item of this.list()) if ((item as Record<string, unknown>)[this.def.keyField] === key) return item;
      return undefined;
    }
    const res = await this.transport.call({ method: 'GET', route: this.def.item, params: this.itemParams(key), allow: [404] });
    if (res.status === 404) return undefined;
    const body = res.json() as Record<string, unknown>;
    delete body._links;
    return body as T;
  }

  async upsert(item: T): Promise<WriteResult> {
    if (this.def.getByListing) {
      const [result] = await this.upsertMany([item]);
      if (!result || result.outcome === 'failed') throw batchFailure(this.def, result);
      return { status: result.status, outcome: result.outcome, key: result.key };
    }
    const wire = this.wire(item);
    const key = this.keyOf(wire);
    const res = await this.transport.call({
      method: 'PATCH',
      route: this.def.item,
      params: this.itemParams(key),
      body: { kind: 'json', value: wire },
      optionWrite: this.def.optionWrite,
    });
    return this.writeResult(res.status, key, res.header('location'));
  }

  async create(item: T): Promise<WriteResult> {
    const wire = this.wire(item);
    const res = await this.transport.call({
      method: 'POST',
      route: this.def.collection,
      params: this.def.params,
      body: { kind: 'json', value: wire },
      optionWrite: this.def.optionWrite,
    });
    const location = res.header('location');
    const fromLocation = location ? decodeURIComponent(location.replace(/\/+$/, '').split('/').pop() ?? '') : '';
    return this.writeResult(res.status, (wire[this.def.keyField] as string | undefined) ?? fromLocation, location);
  }

  async upsertMany(items: readonly T[]): Promise<BatchResult<T>[]> {
    if (this.def.batch) {
      const spec: BatchSpec<T> = {
        route: this.def.collection,
        params: this.def.params,
        format: this.def.batch,
        keyField: this.def.keyField,
        noun: this.def.noun,
        prepare: (item) => this.wire(item),
        parentOf: this.def.parentOf,
        optionWrite: this.def.optionWrite,
      };
      return upsertBatch(this.transport, spec, items);
    }
    // No collection endpoint: one PATCH per item, still concurrent through the governor.
    return Promise.all(
      items.map(async (input, index): Promise<BatchResult<T>> => {
        const key = this.keyOf(this.wire(input));
        try {
          const r = await this.upsert(input);
          return { input, index, line: 1, status: r.status, outcome: r.outcome, key: r.key };
        } catch (err) {
          if (!(err instanceof AkeneoError) || err.name === 'AkeneoAuthError') throw err;
          return { input, index, line: 1, status: err.status ?? 0, outcome: 'failed', key, message: `${this.def.noun} ${key}: ${err.toString()}`, ...(err.errors.length ? { errors: err.errors } : {}) };
        }
      }),
    );
  }

  async delete(key: string): Promise<void> {
    await this.transport.call({ method: 'DELETE', route: this.def.item, params: this.itemParams(key) });
  }

  protected wire(item: T): Record<string, unknown> {
    return this.def.prepare ? this.def.prepare(item) : { ...(item as Record<string, unknown>) };
  }

  protected keyOf(wire: Record<string, unknown>): string {
    const key = wire[this.def.keyField];
    if (typeof key !== 'string' || key === '') {
      throw new AkeneoError({ status: 422, message: `the ${this.def.noun} has no ${this.def.keyField}; set it and send it again`, method: 'PATCH', path: this.def.item });
    }
    return key;
  }

  protected itemParams(key: string): Record<string, string> {
    return { ...this.def.params, [this.def.itemParam]: key };
  }

  protected writeResult(status: number, key: string, location: string | undefined): WriteResult {
    return {
      status,
      outcome: status === 201 ? 'created' : 'updated',
      key,
      ...(this.def.keyField === 'uuid' ? { uuid: key } : {}),
      ...(location ? { location } : {}),
    };
  }
}

function batchFailure<T>(def: ResourceDef<T>, result: BatchResult<T> | undefined): AkeneoError {
  return new AkeneoError({
    status: result?.status,
    message: result?.message ?? `${def.noun} was not written`,
    errors: result?.errors,
    method: 'PATCH',
    path: def.collection,
  });
}

/** Fields Akeneo computes and refuses (or ignores) on write; strip them so a read item can be written back. */
const READ_ONLY_TOP = ['_links', 'created', 'updated', 'metadata', 'quality_scores', 'completenesses', 'root_parent'];
const READ_ONLY_VALUE = ['linked_data', 'attribute_type', 'reference_data_name', '_links'];

export function stripReadOnly(item: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...item };
  for (const k of READ_ONLY_TOP) delete out[k];
  const values = out.values;
  if (values && typeof values === 'object' && !Array.isArray(values)) {
    let dirty = false;
    for (const list of Object.values(values as Record<string, unknown>)) {
      if (Array.isArray(list) && list.some((v) => v && typeof v === 'object' && READ_ONLY_VALUE.some((k) => k in v))) dirty = true;
    }
    if (dirty) {
      const cleaned: Record<string, unknown> = {};
      for (const [attr, list] of Object.entries(values as Record<string, unknown>)) {
        cleaned[attr] = Array.isArray(list)
          ? list.map((v) => {
              if (!v || typeof v !== 'object') return v;
              const copy = { ...(v as Record<string, unknown>) };
              for (const k of READ_ONLY_VALUE) delete copy[k];
              return copy;
            })
          : list;
      }
      out.values = cleaned;
    }
  }
  return out;
}
