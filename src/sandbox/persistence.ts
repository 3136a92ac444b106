/**
 * Optional SQLite persistence (`dataFile`): the store's changes are collected as dirty keys and
 * flushed in one transaction every 200 ms (and on close), so writes stay fast and a restart
 * keeps the state. Structure is saved as one JSON snapshot; content as one row per entity.
 */
import Database from 'better-sqlite3';
import type { Product, ProductModel } from '../akeneo/model.js';
import { rowToProduct, type ChangeKind, type CodedObject, type MediaFileRecord, type SandboxStore, type StoredProduct, type StructureSnapshot } from './store.js';

type DB = Database.Database;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS products (uuid TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS product_models (code TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS media (code TEXT PRIMARY KEY, meta TEXT NOT NULL, content BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS records (key TEXT PRIMARY KEY, container TEXT NOT NULL, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS assets (key TEXT PRIMARY KEY, container TEXT NOT NULL, json TEXT NOT NULL);
`;

export class SqlitePersistence {
  private readonly db: DB;
  private readonly dirty = new Map<ChangeKind, Map<string, unknown>>();
  private structureDirty = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    file: string,
    private readonly store: SandboxStore,
  ) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
  }

  /** True when the file already holds a sandbox state. */
  hasState(): boolean {
    return this.db.prepare("SELECT 1 FROM meta WHERE key = 'structure'").get() !== undefined;
  }

  /** Loads the saved state into the store (structure first, then content, silently). */
  restore(): void {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'structure'").get() as { value: string } | undefined;
    if (!row) return;
    this.store.loadStructure(JSON.parse(row.value) as StructureSnapshot);
    this.store.clearContent();
    for (const r of this.db.prepare('SELECT json FROM product_models').iterate() as Iterable<{ json: string }>) {
      this.store.putProductModel(JSON.parse(r.json) as ProductModel, { silent: true });
    }
    for (const r of this.db.prepare('SELECT json FROM products').iterate() as Iterable<{ json: string }>) {
      this.store.putProduct(JSON.parse(r.json) as Product, { silent: true });
    }
    for (const r of this.db.prepare('SELECT meta, content FROM media').iterate() as Iterable<{ meta: string; content: Buffer }>) {
      this.store.putMedia({ ...(JSON.parse(r.meta) as Omit<MediaFileRecord, 'content'>), content: r.content }, { silent: true });
    }
    for (const r of this.db.prepare('SELECT container, json FROM records').iterate() as Iterable<{ container: string; json: string }>) {
      this.store.putRecord(r.container, JSON.parse(r.json) as CodedObject, { silent: true });
    }
    for (const r of this.db.prepare('SELECT container, json FROM assets').iterate() as Iterable<{ container: string; json: string }>) {
      this.store.putAsset(r.container, JSON.parse(r.json) as CodedObject, { silent: true });
    }
  }

  /** Starts listening to the store and flushing periodically. */
  attach(): void {
    this.store.onChange((kind, key, value) => {
      if (kind === 'structure') {
        this.structureDirty = true;
      } else {
        let m = this.dirty.get(kind);
        if (!m) {
          m = new Map();
          this.dirty.set(kind, m);
        }
        m.set(key, value);
      }
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, 200);
    this.timer.unref();
  }

  /** Replaces everything with an empty content set and the given structure (reset / first start). */
  replaceAll(structure: StructureSnapshot): void {
    this.dirty.clear();
    this.structureDirty = false;
    this.db.transaction(() => {
      for (const t of ['products', 'product_models', 'media', 'records', 'assets']) this.db.exec(`DELETE FROM ${t}`);
      this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('structure', ?)").run(JSON.stringify(structure));
    })();
  }

  flush(): void {
    if (this.dirty.size === 0 && !this.structureDirty) return;
    const dirty = new Map(this.dirty);
    this.dirty.clear();
    const structure = this.structureDirty ? this.store.snapshotStructure() : undefined;
    this.structureDirty = false;
    const upProduct = this.db.prepare('INSERT OR REPLACE INTO products (uuid, json) VALUES (?, ?)');
    const delProduct = this.db.prepare('DELETE FROM products WHERE uuid = ?');
    const upModel = this.db.prepare('INSERT OR REPLACE INTO product_models (code, json) VALUES (?, ?)');
    const delModel = this.db.prepare('DELETE FROM product_models WHERE code = ?');
    const upMedia = this.db.prepare('INSERT OR REPLACE INTO media (code, meta, content) VALUES (?, ?, ?)');
    const delMedia = this.db.prepare('DELETE FROM media WHERE code = ?');
    const upRecord = this.db.prepare('INSERT OR REPLACE INTO records (key, container, json) VALUES (?, ?, ?)');
    const delRecord = this.db.prepare('DELETE FROM records WHERE key = ?');
    const upAsset = this.db.prepare('INSERT OR REPLACE INTO assets (key, container, json) VALUES (?, ?, ?)');
    const delAsset = this.db.prepare('DELETE FROM assets WHERE key = ?');
    this.db.transaction(() => {
      if (structure) this.db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('structure', ?)").run(JSON.stringify(structure));
      for (const [kind, entries] of dirty) {
        for (const [key, value] of entries) {
          switch (kind) {
            case 'product':
              if (value === null) delProduct.run(key);
              else upProduct.run(key, JSON.stringify(rowToProduct(value as StoredProduct)));
              break;
            case 'product_model':
              if (value === null) delModel.run(key);
              else upModel.run(key, JSON.stringify(value));
              break;
            case 'media': {
              if (value === null) delMedia.run(key);
              else {
                const { content, ...meta } = value as MediaFileRecord;
                upMedia.run(key, JSON.stringify(meta), content);
              }
              break;
            }
            case 'record': {
              if (value === null) delRecord.run(key);
              else {
                const v = value as { entity: string; record: CodedObject };
                upRecord.run(key, v.entity, JSON.stringify(v.record));
              }
              break;
            }
            case 'asset': {
              if (value === null) delAsset.run(key);
              else {
                const v = value as { family: string; asset: CodedObject };
                upAsset.run(key, v.family, JSON.stringify(v.asset));
              }
              break;
            }
            default:
              break;
          }
        }
      }
    })();
  }

  close(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.flush();
    this.closed = true;
    this.db.close();
  }
}
