/**
 * The sandbox's state, all in memory: it implements the rules' read-only CatalogView and the
 * writes the routes make, over five parts with one job each (in ./store/): the catalog
 * structure (structure.ts, which the store extends), the category tree (category-tree.ts), the
 * product index (product-index.ts), the product model tree (model-tree.ts) and the content
 * other than products (content.ts: media, records, assets). The store itself keeps what spans
 * them: the change version that list caches key on, change events for persistence, and
 * cascades (deleting a product model deletes its sub-models and variant products).
 *
 * Stored objects are never cloned on the hot path: the rules return new objects and the store
 * keeps them as they are, so callers must treat them as immutable.
 */
import type { Product, ProductModel, ValueEntry, Values } from '../akeneo/model.js';
import type { CatalogView } from './rules/contract.js';
import { ContentStore, type ChangeKind, type ChangeListener, type MediaFileRecord } from './store/content.js';
import { lower } from './store/indexes.js';
import { ModelTree } from './store/model-tree.js';
import { ProductIndex, rowToProduct, type StoredProduct } from './store/product-index.js';
import { CatalogStructure, type CodedObject, type StructureSnapshot } from './store/structure.js';

export type { ChangeKind, ChangeListener, MediaFileRecord } from './store/content.js';
export { rowToProduct, rowValue, type StoredProduct } from './store/product-index.js';
export type { CodedObject, StoredFamilyVariant, StructureSnapshot } from './store/structure.js';

export class SandboxStore extends CatalogStructure implements CatalogView {
  private readonly productIndex = new ProductIndex(() => this.uniqueAttributes());
  private readonly modelTree = new ModelTree();
  private readonly content = new ContentStore((kind, key, value) => this.emit(kind, key, value));

  /** lower-case uuid → stored row */
  readonly products = this.productIndex.rows;
  readonly productModels = this.modelTree.models;
  readonly media = this.content.media;
  readonly records = this.content.records;
  readonly assets = this.content.assets;

  private listeners: ChangeListener[] = [];
  /** Bumped on every change that can alter a product or product model list (list caches key on it). */
  version = 0;
  /** Filtered-list positions by query, valid while `version` is unchanged (see routes/products.ts). */
  readonly listCache = new Map<string, { version: number; positions: number[] }>();

  onChange(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  private emit(kind: ChangeKind, key: string, value: unknown | null): void {
    for (const l of this.listeners) l(kind, key, value);
  }

  // ---------------------------------------------------------------- CatalogView (content)

  productModel(code: string): ProductModel | undefined {
    return this.modelTree.models.get(code);
  }
  productByUuid(uuid: string): Product | undefined {
    const row = this.productIndex.row(uuid);
    return row ? rowToProduct(row) : undefined;
  }
  productByIdentifier(identifier: string): Product | undefined {
    const row = this.productIndex.rowByIdentifier(identifier);
    return row ? rowToProduct(row) : undefined;
  }
  /** The stored row (metadata + JSON) without parsing the product. */
  productRow(uuid: string): StoredProduct | undefined {
    return this.productIndex.row(uuid);
  }
  productRowByIdentifier(identifier: string): StoredProduct | undefined {
    return this.productIndex.rowByIdentifier(identifier);
  }
  productModelsChildren(code: string): readonly ProductModel[] {
    return this.modelTree.children(code);
  }
  productsOfModel(code: string, onlyValuesOf?: readonly string[]): readonly Product[] {
    const set = this.productIndex.uuidsOfModel(code);
    if (!set) return [];
    const out: Product[] = [];
    if (onlyValuesOf) {
      const wanted = new Set(onlyValuesOf.map(lower));
      for (const u of set) {
        const row = this.productIndex.row(u);
        if (!row) continue;
        const values: Values = {};
        for (const k in row.values) if (wanted.has(lower(k))) values[k] = JSON.parse(row.values[k] as string) as ValueEntry[];
        const p: Product = { uuid: row.uuid, values };
        if (row.identifier !== undefined) p.identifier = row.identifier;
        out.push(p);
      }
      return out;
    }
    for (const u of set) {
      const p = this.productByUuid(u);
      if (p) out.push(p);
    }
    return out;
  }
  uniqueValueOwner(attribute: string, data: unknown): string | undefined {
    return this.productIndex.uniqueValueOwner(attribute, data);
  }
  referenceEntityRecord(referenceEntity: string, code: string): { code: string } | undefined {
    return this.content.records.get(lower(referenceEntity))?.get(code);
  }
  asset(assetFamily: string, code: string): { code: string } | undefined {
    return this.content.assets.get(lower(assetFamily))?.get(code);
  }
  mediaFile(code: string): { code: string; original_filename: string } | undefined {
    return this.content.media.get(code);
  }

  // ---------------------------------------------------------------- products

  /** Stores a product as the rules returned it (uuid required). */
  putProduct(p: Product, opts: { silent?: boolean } = {}): void {
    this.version++;
    const row = this.productIndex.put(p);
    if (!opts.silent) this.emit('product', row.uuid, row);
  }

  deleteProduct(uuid: string): boolean {
    this.version++;
    const key = this.productIndex.delete(uuid);
    if (key === undefined) return false;
    this.emit('product', key, null);
    return true;
  }

  /** Uuids ordered by uuid (the /products-uuid list order). */
  productUuidsByUuid(): readonly string[] {
    return this.productIndex.uuidsByUuid();
  }

  /** Uuids of products that have an identifier, ordered case-insensitively by it (/products order). */
  productUuidsByIdentifier(): readonly string[] {
    return this.productIndex.uuidsByIdentifier();
  }

  /** Lower-case identifiers aligned with productUuidsByIdentifier() (search_after keys). */
  productIdentifierKeys(): readonly string[] {
    return this.productIndex.identifierKeys();
  }

  // ---------------------------------------------------------------- product models

  putProductModel(m: ProductModel, opts: { silent?: boolean } = {}): void {
    this.version++;
    this.modelTree.put(m);
    if (!opts.silent) this.emit('product_model', lower(m.code), m);
  }

  deleteProductModel(code: string): boolean {
    this.version++;
    const old = this.modelTree.models.get(code);
    if (!old) return false;
    // Akeneo deletes the whole subtree: sub-models and variant products.
    for (const child of this.modelTree.children(old.code)) this.deleteProductModel(child.code);
    for (const u of [...(this.productIndex.uuidsOfModel(old.code) ?? [])]) this.deleteProduct(u);
    this.modelTree.remove(code, old);
    this.emit('product_model', lower(old.code), null);
    return true;
  }

  productModelsSorted(): readonly ProductModel[] {
    return this.modelTree.sorted();
  }

  /** The chain of ancestors of a product or product model, nearest first. */
  ancestors(parent: string | null | undefined): ProductModel[] {
    return this.modelTree.ancestors(parent);
  }

  // ---------------------------------------------------------------- structure writes

  /** Call after any structure write: drops derived caches and tells persistence. */
  structureChanged(): void {
    this.version++;
    this.dropDerivedStructure();
    this.emit('structure', 'all', null);
  }

  override loadStructure(s: StructureSnapshot): void {
    this.version++;
    super.loadStructure(s);
  }

  // ---------------------------------------------------------------- media, records, assets

  putRecord(entity: string, record: CodedObject, opts: { silent?: boolean } = {}): void {
    this.content.putRecord(entity, record, opts);
  }
  deleteRecord(entity: string, code: string): boolean {
    return this.content.deleteRecord(entity, code);
  }
  putAsset(family: string, asset: CodedObject, opts: { silent?: boolean } = {}): void {
    this.content.putAsset(family, asset, opts);
  }
  deleteAsset(family: string, code: string): boolean {
    return this.content.deleteAsset(family, code);
  }
  putMedia(m: MediaFileRecord, opts: { silent?: boolean } = {}): void {
    this.content.putMedia(m, opts);
  }
  deleteMedia(code: string): void {
    this.content.deleteMedia(code);
  }

  /** Drops products, product models, media, records and assets (the content a reset removes). */
  clearContent(): void {
    this.version++;
    this.productIndex.clear();
    this.modelTree.clear();
    this.content.clear();
  }
}
