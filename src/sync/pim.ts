/**
 * The slice of the Akeneo client the sync engine uses. The real client
 * (src/akeneo/index.ts) satisfies it structurally; tests pass small fakes.
 */
import type { BatchResult } from '../akeneo/index.js';
import type { Category, Product, ProductModel, AttributeOption } from '../akeneo/model.js';

/** One line's outcome of an upsert: the client's own BatchResult, named for the engine's port. */
export type SyncBatchResult<T> = BatchResult<T>;

export interface MediaWhere {
  attribute: string;
  locale: string | null;
  scope: string | null;
}

export interface SyncListQuery {
  search?: string;
  limit?: number;
  attributes?: string;
  locales?: string;
  scope?: string;
}

export interface SyncResource<T> {
  upsertMany(items: T[]): Promise<SyncBatchResult<T>[]>;
  list(query?: SyncListQuery): AsyncIterable<T>;
  get(id: string): Promise<T>;
}

/** A reference entity record or an asset as the EE endpoints take it (`channel`, not `scope`). */
export interface EeItem {
  code: string;
  values?: Record<string, { locale: string | null; channel: string | null; data: unknown }[]>;
  [k: string]: unknown;
}

export interface SyncPimClient {
  detect(): Promise<{ version: string; edition: string; endpointMode: 'uuid' | 'identifier' }>;
  products: SyncResource<Product> & { delete(id: string): Promise<unknown> };
  productModels: SyncResource<ProductModel> & { delete?(id: string): Promise<unknown> };
  categories: SyncResource<Category>;
  attributeOptions(attributeCode: string): Pick<SyncResource<AttributeOption>, 'upsertMany'>;
  mediaFiles: {
    upload(req: {
      content: Buffer;
      filename: string;
      product?: MediaWhere & ({ uuid: string } | { identifier: string });
      productModel?: MediaWhere & { code: string };
    }): Promise<string>;
  };
  stats(): { total: number; writes: number; retried: number; throttled: number };
  /** EE / SaaS (mapping.referenceEntities / assetFamilies): records, assets and asset media files. */
  referenceEntityRecords?(entity: string): { upsertMany(items: readonly EeItem[]): Promise<SyncBatchResult<EeItem>[]> };
  assets?(family: string): { upsertMany(items: readonly EeItem[]): Promise<SyncBatchResult<EeItem>[]>; delete(code: string): Promise<void> };
  assetMediaFiles?: { upload(file: { content: Buffer; filename: string }): Promise<string> };
  referenceEntityMediaFiles?: { upload(file: { content: Buffer; filename: string }): Promise<string> };
}
