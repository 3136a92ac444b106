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
    const k = lower(entity);
    childMap(this.records, k).set(record.code, record);
    if (!opts.silent) this.emit('record', `${k}\u0000${lower(record.code)}`, { entity, record });
  }

  deleteRecord(entity: string, code: string): boolean {
    const map = this.records.get(lower(entity));
    if (!map?.delete(code)) return false;
    this.emit('record', `${lower(entity)}\u0000${lower(code)}`, null);
    return true;
  }

  putAsset(family: string, asset: CodedObject, opts: { silent?: boolean } = {}): void {
    const k = lower(family);
    childMap(this.assets, k).set(asset.code, asset);
    if (!opts.silent) this.emit('asset', `${k}\u0000${lower(asset.code)}`, { family, asset });
  }

  deleteAsset(family: string, code: string): boolean {
    const map = this.assets.get(lower(family));
    if (!map?.delete(code)) return false;
    this.emit('asset', `${lower(family)}\u0000${lower(code)}`, null);
    return true;
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
}
