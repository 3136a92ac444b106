/**
 * createAkeneoClient: wires the transport (governor, retries, events), the token source and
 * every resource client. Product endpoints (uuid or identifier) are chosen on first use
 * from detect() unless the options force one.
 */
import { randomUUID } from 'node:crypto';
import { PasswordGrantTokens, StaticTokens } from './auth.js';
import type { BatchResult } from './batch.js';
import { rateLimitsSchema, type PimConfig, type RateLimitsConfig } from './config.js';
import { detectPim, type EndpointMode, type PimInfo } from './detect.js';
import type { ClientStats, RequestEventListener } from './events.js';
import { createDispatcher } from './http.js';
import { createMediaFiles, uploadToHeaderCode, type MediaFilesClient } from './media.js';
import type {
  AssociationType,
  Attribute,
  AttributeGroup,
  AttributeOption,
  Category,
  Channel,
  Currency,
  Family,
  FamilyVariant,
  Locale,
  MeasurementFamily,
  Product,
  ProductModel,
} from './model.js';
import { countItems } from './pagination.js';
import {
  Resource,
  stripReadOnly,
  type DeletableResourceClient,
  type ListQuery,
  type ReadOnlyResourceClient,
  type ResourceClient,
  type ResourceDef,
  type WriteResult,
} from './resources.js';
import { Transport } from './transport.js';
import type { Logger } from '../logging.js';

export type AkeneoAuthOptions =
  | { kind: 'connection'; clientId: string; secret: string; username: string; password: string }
  | { kind: 'app'; token: string };

export interface AkeneoClientOptions {
  url: string;
  auth: AkeneoAuthOptions;
  limits?: Partial<RateLimitsConfig>;
  endpoints?: 'auto' | EndpointMode;
  timeoutMs?: number;
  onEvent?: RequestEventListener;
  /** Base of the exponential backoff (ms, default 1000); tests shorten it. */
  backoffBaseMs?: number;
  /** Refresh the connection token this long before it expires (ms, default 60 000). */
  tokenRefreshMarginMs?: number;
}

/** A product in identifier mode is keyed by identifier, in uuid mode by uuid. */
export interface ProductsClient extends DeletableResourceClient<Product> {
  /** 'uuid' (/products-uuid) or 'identifier' (/products), as detected or configured. */
  mode(): Promise<EndpointMode>;
}

export type EeRecord = { code: string; values?: Record<string, { locale: string | null; channel: string | null; data: unknown }[]>; [k: string]: unknown };

export interface AkeneoClient {
  readonly url: string;
  detect(): Promise<PimInfo>;
  products: ProductsClient;
  productModels: DeletableResourceClient<ProductModel>;
  categories: ResourceClient<Category>;
  attributes: ResourceClient<Attribute>;
  attributeGroups: ResourceClient<AttributeGroup>;
  families: DeletableResourceClient<Family>;
  associationTypes: ResourceClient<AssociationType>;
  channels: ResourceClient<Channel>;
  measurementFamilies: ResourceClient<MeasurementFamily>;
  attributeOptions(attributeCode: string): ResourceClient<AttributeOption>;
  familyVariants(familyCode: string): ResourceClient<FamilyVariant>;
  locales: ReadOnlyResourceClient<Locale>;
  currencies: ReadOnlyResourceClient<Currency>;
  mediaFiles: MediaFilesClient;
  /** EE/SaaS: reference entities and their records. */
  referenceEntities: ResourceClient<EeRecord>;
  referenceEntityAttributes(entityCode: string): ResourceClient<EeRecord>;
  referenceEntityRecords(entityCode: string): ResourceClient<EeRecord>;
  referenceEntityMediaFiles: { upload(file: { content: Buffer; filename: string; contentType?: string }): Promise<string> };
  /** EE/SaaS: asset families and their assets. */
  assetFamilies: ResourceClient<EeRecord>;
  assetAttributes(familyCode: string): ResourceClient<EeRecord>;
  assets(familyCode: string): DeletableResourceClient<EeRecord>;
  assetMediaFiles: { upload(file: { content: Buffer; filename: string; contentType?: string }): Promise<string> };
  /** Total items of a page-mode list (with_count), e.g. count('/api/rest/v1/families'). */
  count(route: string, query?: ListQuery): Promise<number | undefined>;
  /** The limits in force (configured values and the current adaptive concurrency). */
  limits(): RateLimitsConfig & { currentConcurrency: number };
  stats(): ClientStats & { peakConcurrency: number; tokenRequests: number };
  /** Closes the keep-alive connections. */
  close(): Promise<void>;
}

const V1 = '/api/rest/v1';

function codeDef<T>(noun: string, path: string, extra: Partial<ResourceDef<T>> = {}): ResourceDef<T> {
  return {
    noun,
    collection: `${V1}/${path}`,
    item: `${V1}/${path}/{code}`,
    itemParam: 'code',
    keyField: 'code',
    paging: 'page',
    dateStyle: 'iso',
    batch: 'ndjson',
    ...extra,
  };
}

export function createAkeneoClient(options: AkeneoClientOptions): AkeneoClient {
  const limits = rateLimitsSchema.parse(options.limits ?? {});
  const secrets = options.auth.kind === 'connection' ? [options.auth.secret, options.auth.password] : [options.auth.token];
  const dispatcher = createDispatcher(Math.max(limits.concurrency + 2, 6));
  const transport = new Transport({
    baseUrl: options.url,
    dispatcher,
    timeoutMs: options.timeoutMs ?? 60_000,
    concurrency: limits.concurrency,
    requestsPerSecond: limits.requestsPerSecond,
    optionWritesPerSecond: limits.optionWritesPerSecond,
    maxRetries: limits.maxRetries,
    onEvent: options.onEvent,
    secrets,
    backoffBaseMs: options.backoffBaseMs,
  });
  const tokens =
    options.auth.kind === 'connection'
      ? new PasswordGrantTokens(transport, options.auth, options.tokenRefreshMarginMs ?? 60_000)
      : new StaticTokens(options.auth.token);
  transport.setTokenSource(tokens);

  let detected: Promise<PimInfo> | undefined;
  const detect = () => {
    detected ??= detectPim(transport, options.endpoints ?? 'auto').catch((err: unknown) => {
      detected = undefined; // let a later call try again
      throw err;
    });
    return detected;
  };
  const mode = async (): Promise<EndpointMode> => {
    if (options.endpoints === 'uuid' || options.endpoints === 'identifier') return options.endpoints;
    return (await detect()).endpointMode;
  };

  const productDefs: Record<EndpointMode, ResourceDef<Product>> = {
    uuid: {
      noun: 'product',
      collection: `${V1}/products-uuid`,
      item: `${V1}/products-uuid/{uuid}`,
      itemParam: 'uuid',
      keyField: 'uuid',
      paging: 'search_after',
      dateStyle: 'product',
      batch: 'ndjson',
      // The uuid is the key: generate one for a new product, so the caller learns it from the result.
      prepare: (p) => {
        const wire = stripReadOnly(p);
        if (typeof wire.uuid !== 'string' || wire.uuid === '') wire.uuid = randomUUID();
        delete wire.identifier; // not a property of /products-uuid; the identifier is a value there
        return wire;
      },
    },
    identifier: {
      noun: 'product',
      collection: `${V1}/products`,
      item: `${V1}/products/{code}`,
      itemParam: 'code',
      keyField: 'identifier',
      paging: 'search_after',
      dateStyle: 'product',
      batch: 'ndjson',
      prepare: (p) => {
        const wire = stripReadOnly(p);
        delete wire.uuid;
        return wire;
      },
    },
  };
  const productResources = {
    uuid: new Resource<Product>(transport, productDefs.uuid),
    identifier: new Resource<Product>(transport, productDefs.identifier),
  };
  const current = async () => productResources[await mode()];
  const products: ProductsClient = {
    mode,
    list: (q?: ListQuery) => ({
      async *[Symbol.asyncIterator]() {
        yield* (await current()).list(q);
      },
    }),
    get: async (k) => (await current()).get(k),
    find: async (k) => (await current()).find(k),
    upsert: async (p): Promise<WriteResult> => (await current()).upsert(p),
    create: async (p) => (await current()).create(p),
    upsertMany: async (items): Promise<BatchResult<Product>[]> => (await current()).upsertMany(items),
    delete: async (k) => (await current()).delete(k),
  };

  const parentField = (item: Record<string, unknown>) => (typeof item.parent === 'string' ? item.parent : undefined);
  const r = <T>(def: ResourceDef<T>) => new Resource<T>(transport, def);

  return {
    url: options.url,
    detect,
    products,
    productModels: r<ProductModel>(
      codeDef('product model', 'product-models', { paging: 'search_after', dateStyle: 'product', parentOf: parentField, prepare: (m) => stripReadOnly(m) }),
    ),
    categories: r<Category>(codeDef('category', 'categories', { parentOf: parentField, prepare: (c) => stripReadOnly(c as unknown as Record<string, unknown>) })),
    attributes: r<Attribute>(codeDef('attribute', 'attributes')),
    attributeGroups: r<AttributeGroup>(codeDef('attribute group', 'attribute-groups')),
    families: r<Family>(codeDef('family', 'families')),
    associationTypes: r<AssociationType>(codeDef('association type', 'association-types')),
    channels: r<Channel>(codeDef('channel', 'channels')),
    measurementFamilies: r<MeasurementFamily>(
      codeDef('measurement family', 'measurement-families', { paging: 'none', batch: 'json-array', getByListing: true }),
    ),
    attributeOptions: (attributeCode) =>
      r<AttributeOption>({
        ...codeDef<AttributeOption>('attribute option', 'attributes/{attribute_code}/options'),
        params: { attribute_code: attributeCode },
        optionWrite: true,
        // The attribute comes from the route; a mismatching one in the body is a 422.
        prepare: (o) => ({ ...o, attribute: o.attribute ?? attributeCode }),
      }),
    familyVariants: (familyCode) =>
      r<FamilyVariant>({ ...codeDef<FamilyVariant>('family variant', 'families/{family_code}/variants'), params: { family_code: familyCode } }),
    locales: r<Locale>(codeDef('locale', 'locales', { batch: undefined })),
    currencies: r<Currency>(codeDef('currency', 'currencies', { batch: undefined })),
    mediaFiles: createMediaFiles(transport),
    referenceEntities: r<EeRecord>(codeDef('reference entity', 'reference-entities', { paging: 'search_after_only', batch: undefined })),
    referenceEntityAttributes: (entity) =>
      r<EeRecord>({
        ...codeDef<EeRecord>('reference entity attribute', 'reference-entities/{reference_entity_code}/attributes', { paging: 'none', batch: undefined }),
        params: { reference_entity_code: entity },
      }),
    referenceEntityRecords: (entity) =>
      r<EeRecord>({
        ...codeDef<EeRecord>('record', 'reference-entities/{reference_entity_code}/records', { paging: 'search_after_only', batch: 'json-array' }),
        params: { reference_entity_code: entity },
      }),
    referenceEntityMediaFiles: {
      upload: (file) => uploadToHeaderCode(transport, `${V1}/reference-entities-media-files`, 'reference-entities-media-file-code', file),
    },
    assetFamilies: r<EeRecord>(codeDef('asset family', 'asset-families', { paging: 'search_after_only', batch: undefined })),
    assetAttributes: (family) =>
      r<EeRecord>({
        ...codeDef<EeRecord>('asset attribute', 'asset-families/{asset_family_code}/attributes', { paging: 'none', batch: undefined }),
        params: { asset_family_code: family },
      }),
    assets: (family) =>
      r<EeRecord>({
        ...codeDef<EeRecord>('asset', 'asset-families/{asset_family_code}/assets', { paging: 'search_after_only', batch: 'json-array' }),
        params: { asset_family_code: family },
      }),
    assetMediaFiles: {
      upload: (file) => uploadToHeaderCode(transport, `${V1}/asset-media-files`, 'asset-media-file-code', file),
    },
    count: (route, query) =>
      countItems(transport, route, undefined, query?.search && typeof query.search === 'string' ? { search: query.search } : undefined),
    limits: () => ({ ...limits, currentConcurrency: transport.limiter.limit }),
    stats: () => ({
      ...transport.stats,
      peakConcurrency: transport.limiter.peak,
      tokenRequests: tokens instanceof PasswordGrantTokens ? tokens.requests : 0,
    }),
    close: () => dispatcher.close(),
  };
}

/** The client for the `pim:` section of ferry.yaml. */
export function createAkeneoClientFromConfig(
  pim: PimConfig,
  extra: { onEvent?: RequestEventListener; logger?: Logger } = {},
): AkeneoClient {
  const auth: AkeneoAuthOptions =
    'token' in pim
      ? { kind: 'app', token: pim.token }
      : { kind: 'connection', clientId: pim.clientId, secret: pim.secret, username: pim.username, password: pim.password };
  const logger = extra.logger;
  const onEvent: RequestEventListener | undefined =
    extra.onEvent || logger
      ? (e) => {
          extra.onEvent?.(e);
          if (logger) {
            const level = e.status === undefined || e.status >= 500 || e.status === 429 ? 'warn' : 'debug';
            logger[level]({ akeneo: e }, `${e.method} ${e.route} → ${e.status ?? e.error ?? '?'} in ${e.durationMs} ms`);
          }
        }
      : undefined;
  return createAkeneoClient({ url: pim.url, auth, limits: pim.limits, endpoints: pim.endpoints, timeoutMs: pim.timeoutMs, onEvent });
}
