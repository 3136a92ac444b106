/**
 * The sandbox's content other than products and product models: media files, reference
 * entity records and assets (EE). Each write tells the store's listeners (persistence).
 */
import type { CodeMap } from '../code-map.js';
import { childMap, lower } from './indexes.js';
import type { CodedObject } from './structure.js';

export interface MediaFileRecord {
  code: string;
  original_filename: string;
  mime_type: string;
  size: number;
  extension: string;
  content: Buffer;
  /** Which upload endpoint made it: product media, asset media, reference-entity media. */
  kind: 'media' | 'asset' | 'reference_entity';
}

export type ChangeKind = 'product' | 'product_model' | 'media' | 'record' | 'asset' | 'structure';
export type ChangeListener = (kind: ChangeKind, key: string, value: unknown | null) => void;

export class ContentStore {
  readonly media = new Map<string, MediaFileRecord>();
  /** reference entity (lower) → records */
  readonly records = new Map<string, CodeMap<CodedObject>>();
  /** asset family (lower) → assets */
  readonly assets = new Map<string, CodeMap<CodedObject>>();

  constructor(private readonly emit: ChangeListener) {}

  putRecord(entity: string, record: CodedObject, opts: { silent?: boolean } = {}): void {
    this.putChild('record', this.records, entity, record, { entity, record }, opts);
  }

  deleteRecord(entity: string, code: string): boolean {
    return this.deleteChild('record', this.records, entity, code);
  }

  putAsset(family: string, asset: CodedObject, opts: { silent?: boolean } = {}): void {
    this.putChild('asset', this.assets, family, asset, { family, asset }, opts);
  }

  deleteAsset(family: string, code: string): boolean {
    return this.deleteChild('asset', this.assets, family, code);
  }

  putMedia(m: MediaFileRecord, opts: { silent?: boolean } = {}): void {
    this.media.set(m.code, m);
    if (!opts.silent) this.emit('media', m.code, m);
  }

  deleteMedia(code: string): void {
    if (this.media.delete(code)) this.emit('media', code, null);
  }

  clear(): void {
    this.media.clear();
    this.records.clear();
    this.assets.clear();
  }

  /** Records and assets: one code map per owner (entity or family); events keyed `owner\0code`. */
  private putChild(kind: 'record' | 'asset', maps: Map<string, CodeMap<CodedObject>>, owner: string, item: CodedObject, event: unknown, opts: { silent?: boolean }): void {
    const k = lower(owner);
    childMap(maps, k).set(item.code, item);
    if (!opts.silent) this.emit(kind, `${k}\u0000${lower(item.code)}`, event);
  }

  private deleteChild(kind: 'record' | 'asset', maps: Map<string, CodeMap<CodedObject>>, owner: string, code: string): boolean {
    if (!maps.get(lower(owner))?.delete(code)) return false;
    this.emit(kind, `${lower(owner)}\u0000${lower(code)}`, null);
    return true;
  }
}
