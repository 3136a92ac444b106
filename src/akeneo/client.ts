/**
 * createAkeneoClient: wires the transport (governor, retries, events), the token source and
 * every resource client. Product endpoints (uuid or identifier) are chosen on first use
 * from detect() unless the options force one.
 */
import { randomUUID } from 'node:crypto';
import { PasswordGrantTokens, StaticTokens, type ConnectionCredentials } from './auth.js';
import type { BatchResult } from './batch.js';
import { rateLimitsSchema, type PimConfig, type RateLimitsConfig } from './config.js';
import { detectPim, type EndpointMode, type PimInfo } from './detect.js';
import type { ClientStats, RequestEventListener } from './events.js';
import { createDispatcher } from './http.js';
import { instanceCap, LocalGovernor, type CallGovernor, type GovernorLimits } from './governor.js';
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
import { AkeneoError } from './errors.js';
import { search } from './search.js';
import type { Logger } from '../logging.js';

export type AkeneoAuthOptions =
  | { kind: 'connection'; clientId: string; secret: string; username: string; password: string }
  /** Several Connections of the same PIM: calls are spread across them (each its own token and cap). */
  | { kind: 'connections'; connections: ConnectionCredentials[] }
  | { kind: 'app'; token: string };

/**
 * Builds the governor of a client from the limits it computed (the shared, cross-process one:
 * src/budget, wired by src/app). `connectionIds` names each connection (its client id, or `app`).
 */
/** The token sources of several clients of one process, by PIM and connection (AkeneoClientOptions.tokens). */
export type TokenCache = Map<string, PasswordGrantTokens>;

export type GovernorFactory = (spec: { url: string; connectionIds: string[]; limits: GovernorLimits }) => CallGovernor;

/** The limits the governor applies: the instance budget times instanceShare, the per-connection cap. */
export function governorLimitsOf(limits: RateLimitsConfig, connections: number): GovernorLimits {
  const share = limits.instanceShare ?? 1;
  return {
    connections,
    perConnection: limits.concurrency,
    // One connection alone keeps today's meaning of `concurrency`; several share the instance.
    instance: Math.max(1, Math.floor((limits.instanceConcurrency ?? 10) * share)),
    requestsPerSecond: limits.requestsPerSecond * share,
    optionWritesPerSecond: limits.optionWritesPerSecond * share,
  };
}

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
  /** The governor to use instead of the in-process one (a budget shared across processes). */
  governor?: GovernorFactory;
  /**
   * Tokens shared by the clients of one process that are given the same cache (a `ferry worker`'s
   * shard slots): one token request per PIM connection instead of one per client. The first
   * client to need a connection's token asks for it, through its own transport: clients sharing a
   * cache are closed together.
   */
  tokens?: TokenCache;
}

/** A product in identifier mode is keyed by identifier, in uuid mode by uuid. */
export interface ProductsClient extends DeletableResourceClient<Product> {
  /** 'uuid' (/products-uuid) or 'identifier' (/products), as detected or configured. */
  mode(): Promise<EndpointMode>;
  /** The code of the product identifier attribute (e.g. `sku`), looked up once. */
  identifierAttribute(): Promise<string>;
  /**
   * uuid mode: the uuids of existing products by identifier (missing ones are absent from the
   * map), with IN searches chunked to stay under URL limits. For keeping an ERP key ↔ uuid map.
   */
  uuidsByIdentifier(identifiers: readonly string[]): Promise<Map<string, string>>;
}

export type EeRecord = { code: string; values?: Record<string, { locale: string | null; channel: string | null; data: unknown }[]>; [k: string]: unknown };

export interface AkeneoClient {
  readonly url: string;
  detect(): Promise<PimInfo>;
  /**
   * What another client of the same PIM detected (a queued run's plan, for its shards): detect()
   * answers it without asking the PIM again. Ignored once this client detected on its own.
   */
  adoptPimInfo(info: PimInfo): void;
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
  referenceEntityAttributeOptions(entityCode: string, attributeCode: string): ResourceClient<EeRecord>;
  referenceEntityRecords(entityCode: string): ResourceClient<EeRecord>;
  referenceEntityMediaFiles: { upload(file: { content: Buffer; filename: string; contentType?: string }): Promise<string> };
  /** EE/SaaS: asset families and their assets. */
  assetFamilies: ResourceClient<EeRecord>;
  assetAttributes(familyCode: string): ResourceClient<EeRecord>;
  assetAttributeOptions(familyCode: string, attributeCode: string): ResourceClient<EeRecord>;
  assets(familyCode: string): DeletableResourceClient<EeRecord>;
  assetMediaFiles: { upload(file: { content: Buffer; filename: string; contentType?: string }): Promise<string> };
  /** Total items of a page-mode list (with_count), e.g. count('/api/rest/v1/families'). */
  count(route: string, query?: ListQuery): Promise<number | undefined>;
  /** The limits in force (configured values, the current adaptive concurrency, the connections and the instance cap). */
  limits(): RateLimitsConfig & { currentConcurrency: number; connections: number; instanceCap: number };
  stats(): ClientStats & { peakConcurrency: number; tokenRequests: number };
  /**
   * Asks each connection for its token now, in the background, unless it holds a fresh one: a
   * caller with local work before its first call (a queued run's shard reads the ERP and maps its
   * first groups) then has it at that call instead of waiting a round trip. Never throws: a token
   * request that fails is asked again, and its error told, at the first call.
   */
  warmUp(): void;
  /** Closes the keep-alive connections. */
  close(): Promise<void>;
}

const V1 = '/api/rest/v1';

/** A prepare step that leaves out fields Akeneo sends but refuses on write (x-read-only, or not part of the route's body). */
function omit<T>(...keys: string[]): (item: T) => Record<string, unknown> {
  return (item) => {
    const out: Record<string, unknown> = { ...(item as Record<string, unknown>) };
    delete out._links;
    for (const k of keys) delete out[k];
    return out;
  };
}

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
  const auth = options.auth;
  const credentials: ConnectionCredentials[] =
    auth.kind === 'connections' ? auth.connections : auth.kind === 'connection' ? [auth] : [];
  const secrets = auth.kind === 'app' ? [auth.token] : credentials.flatMap((c) => [c.secret, c.password]);
  const connectionIds = auth.kind === 'app' ? ['app'] : credentials.map((c) => c.clientId);
  const governorLimits = governorLimitsOf(limits, connectionIds.length);
  const governor =
    options.governor?.({ url: options.url, connectionIds, limits: governorLimits }) ??
    // One connection, no explicit instance settings: `concurrency` alone, as before.
    new LocalGovernor(governorLimits);
  const cap = instanceCap(governorLimits);
  const dispatcher = createDispatcher(Math.max(cap + 2, 6));
  const transport = new Transport({
    baseUrl: options.url,
    dispatcher,
    timeoutMs: options.timeoutMs ?? 60_000,
    concurrency: limits.concurrency,
    requestsPerSecond: limits.requestsPerSecond,
    optionWritesPerSecond: limits.optionWritesPerSecond,
    maxRetries: limits.maxRetries,
    governor,
    onEvent: options.onEvent,
    secrets,
    backoffBaseMs: options.backoffBaseMs,
  });
  const tokenSources =
    auth.kind === 'app'
      ? [new StaticTokens(auth.token)]
      : credentials.map((c, i) => {
          const key = JSON.stringify([options.url, c.clientId, c.username]);
          const shared = options.tokens?.get(key);
          if (shared) return shared;
          const tokens = new PasswordGrantTokens(transport, c, options.tokenRefreshMarginMs ?? 60_000, undefined, i);
          options.tokens?.set(key, tokens);
          return tokens;
        });
  transport.setTokenSources(tokenSources);

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

  const parentField = (item: Record<string, unknown>) => (typeof item.parent === 'string' ? item.parent : undefined);
  const r = <T>(def: ResourceDef<T>) => new Resource<T>(transport, def);
  const attributeResource = r<Attribute>(codeDef('attribute', 'attributes', { prepare: omit('group_labels') }));

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
        // /products-uuid has no `identifier` property: the identifier is the value of the
        // identifier attribute. Move it there (resolved before any write that needs it).
        if (typeof wire.identifier === 'string' && identifierAttribute) {
          const values = (wire.values ?? {}) as Record<string, unknown>;
          if (values[identifierAttribute] === undefined) {
            wire.values = { ...values, [identifierAttribute]: [{ locale: null, scope: null, data: wire.identifier }] };
          }
        }
        delete wire.identifier;
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
  let identifierAttribute: string | undefined;
  let identifierLookup: Promise<string> | undefined;
  /** The product identifier attribute (`sku` usually): the main one on SaaS, where several may exist. */
  const resolveIdentifierAttribute = (): Promise<string> => {
    identifierLookup ??= (async () => {
      const candidates: Attribute[] = [];
      try {
        for await (const a of attributeResource.list({ search: search('iso').in('type', ['pim_catalog_identifier']) })) candidates.push(a);
      } catch (err) {
        // Older PIMs have no `type` filter on attributes: scan them all instead.
        if (!(err instanceof AkeneoError) || (err.status !== 400 && err.status !== 422)) throw err;
        for await (const a of attributeResource.list()) if (a.type === 'pim_catalog_identifier') candidates.push(a);
      }
      const main = candidates.find((a) => a.is_main_identifier === true) ?? candidates.find((a) => a.type === 'pim_catalog_identifier');
      if (!main) throw new AkeneoError({ message: 'the PIM has no identifier attribute (type pim_catalog_identifier)', method: 'GET', path: `${V1}/attributes` });
      identifierAttribute = main.code;
      return main.code;
    })().catch((err: unknown) => {
      identifierLookup = undefined;
      throw err;
    });
    return identifierLookup;
  };
  const current = async (items?: readonly Product[]) => {
    const m = await mode();
    if (m === 'uuid' && items?.some((p) => typeof p.identifier === 'string')) await resolveIdentifierAttribute();
    return productResources[m];
  };
  const products: ProductsClient = {
    mode,
    identifierAttribute: resolveIdentifierAttribute,
    async uuidsByIdentifier(identifiers) {
      const out = new Map<string, string>();
      if (identifiers.length === 0) return out;
      if ((await mode()) !== 'uuid') {
        throw new AkeneoError({ message: 'uuids exist only with the uuid product endpoints (Akeneo 7.0+ / SaaS); this client uses identifier endpoints', method: 'GET', path: `${V1}/products` });
      }
      const attr = await resolveIdentifierAttribute();
      const r = productResources.uuid;
      for await (const p of r.list({ search: search().in(attr, [...new Set(identifiers)]), attributes: [attr] })) {
        const id = p.values?.[attr]?.[0]?.data;
        if (typeof id === 'string' && p.uuid) out.set(id, p.uuid);
      }
      return out;
    },
    list: (q?: ListQuery) => ({
      async *[Symbol.asyncIterator]() {
        yield* (await current()).list(q);
      },
    }),
    get: async (k) => (await current()).get(k),
    find: async (k) => (await current()).find(k),
    upsert: async (p): Promise<WriteResult> => (await current([p])).upsert(p),
    create: async (p) => (await current([p])).create(p),
    upsertMany: async (items): Promise<BatchResult<Product>[]> => (await current(items)).upsertMany(items),
    delete: async (k) => (await current()).delete(k),
  };


  return {
    url: options.url,
    detect,
    adoptPimInfo(info: PimInfo) {
      detected ??= Promise.resolve(info);
    },
    products,
    productModels: r<ProductModel>(
      codeDef('product model', 'product-models', { paging: 'search_after', dateStyle: 'product', parentOf: parentField, prepare: (m) => stripReadOnly(m) }),
    ),
    categories: r<Category>(codeDef('category', 'categories', { parentOf: parentField, prepare: omit('updated', 'position') })),
    attributes: attributeResource,
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
      r<FamilyVariant>({
        ...codeDef<FamilyVariant>('family variant', 'families/{family_code}/variants'),
        params: { family_code: familyCode },
        // The family comes from the route; Akeneo answers 'Property "family" does not exist.' to one in the body.
        prepare: omit('family'),
      }),
    locales: r<Locale>(codeDef('locale', 'locales', { batch: undefined })),
    currencies: r<Currency>(codeDef('currency', 'currencies', { batch: undefined })),
    mediaFiles: createMediaFiles(transport),
    referenceEntities: r<EeRecord>(codeDef('reference entity', 'reference-entities', { paging: 'search_after_only', batch: undefined })),
    referenceEntityAttributes: (entity) =>
      r<EeRecord>({
        ...codeDef<EeRecord>('reference entity attribute', 'reference-entities/{reference_entity_code}/attributes', { paging: 'none', batch: undefined }),
        params: { reference_entity_code: entity },
      }),
    referenceEntityAttributeOptions: (entity, attribute) =>
      r<EeRecord>({
        ...codeDef<EeRecord>(
          'reference entity attribute option',
          'reference-entities/{reference_entity_code}/attributes/{attribute_code}/options',
          { paging: 'none', batch: undefined },
        ),
        params: { reference_entity_code: entity, attribute_code: attribute },
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
    assetAttributeOptions: (family, attribute) =>
      r<EeRecord>({
        ...codeDef<EeRecord>('asset attribute option', 'asset-families/{asset_family_code}/attributes/{attribute_code}/options', {
          paging: 'none',
          batch: undefined,
        }),
        params: { asset_family_code: family, attribute_code: attribute },
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
    limits: () => ({ ...limits, currentConcurrency: governor.limit, connections: connectionIds.length, instanceCap: cap }),
    stats: () => ({
      ...transport.stats,
      peakConcurrency: governor.peak,
      tokenRequests: tokenSources.reduce((n, t) => n + (t instanceof PasswordGrantTokens ? t.requests : 0), 0),
    }),
    warmUp: () => {
      for (const tokens of tokenSources) tokens.token().catch(() => undefined);
    },
    close: async () => {
      await governor.close();
      await dispatcher.close();
    },
  };
}

/** The client for the `pim:` section of ferry.yaml. */
export function createAkeneoClientFromConfig(
  pim: PimConfig,
  extra: { onEvent?: RequestEventListener; logger?: Logger; governor?: GovernorFactory; tokens?: TokenCache } = {},
): AkeneoClient {
  const auth = authOf(pim);
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
  return createAkeneoClient({
    url: pim.url,
    auth,
    limits: pim.limits,
    endpoints: pim.endpoints,
    timeoutMs: pim.timeoutMs,
    onEvent,
    ...(extra.governor ? { governor: extra.governor } : {}),
    ...(extra.tokens ? { tokens: extra.tokens } : {}),
  });
}

/** The client's auth options for a `pim:` section. */
export function authOf(pim: PimConfig): AkeneoAuthOptions {
  if ('token' in pim) return { kind: 'app', token: pim.token };
  if ('connections' in pim) return { kind: 'connections', connections: pim.connections };
  return { kind: 'connection', clientId: pim.clientId, secret: pim.secret, username: pim.username, password: pim.password };
}
