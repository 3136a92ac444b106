/**
 * The grouping index: ERP items by their group key, the one structure a run must fill before it
 * maps anything (the mapper sees all items of a group at once, and an ERP does not promise to
 * send them together). Small runs keep the records in memory as JSON text; past `spillAfter`
 * items the index moves them to a temporary SQLite file, so a run's memory stays flat however
 * large the catalog (a 100,000-item index held ~60 MB of heap in memory, ~2 MB spilled).
 * Groups come back in the order their first item was added, one chunk at a time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ErpRecord } from '../erp/port.js';

/** Prefix for items without a group: each is its own one-item group. */
const SOLO = '\u0001';

export interface GroupingIndexOptions {
  /** Items kept in memory before the index spills to disk (default 20,000). */
  spillAfter?: number;
  /** Where the temporary file goes (default the OS temp directory). */
  dir?: string;
  /**
   * Keep each item as its key and group only (chunks() then gives such stubs, not whole records):
   * for a queued run's plan, which hands the keys over and lets the shards read the records again.
   * A stub is a tenth of a record's size or less, so it stays in memory ten times longer before the
   * index spills (and does not spend the plan's time writing records to disk it never reads).
   */
  keysOnly?: boolean;
}

/** Records of the spilled index: one row per item, keyed by the group's first-seen position. */
class SpillFile {
  private readonly folder: string;
  private readonly db: Database.Database;
  private readonly insert: Database.Statement<[number, string]>;
  private pending: [number, string][] = [];
  /** A run that throws before reading the index back still removes the file when the process exits. */
  private readonly onExit = () => this.close();

  constructor(dir: string) {
    this.folder = mkdtempSync(join(dir, 'ferry-grouping-'));
    this.db = new Database(join(this.folder, 'index.sqlite'));
    // A scratch file: no journal, no fsync, a small page cache (the point is to keep memory low).
    this.db.pragma('journal_mode = OFF');
    this.db.pragma('synchronous = OFF');
    this.db.pragma('cache_size = -4000');
    this.db.exec('CREATE TABLE item (grp INTEGER NOT NULL, record TEXT NOT NULL)');
    this.insert = this.db.prepare('INSERT INTO item (grp, record) VALUES (?, ?)');
    process.once('exit', this.onExit);
  }

  add(groupSeq: number, text: string): void {
    this.pending.push([groupSeq, text]);
    if (this.pending.length >= 1000) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    this.db.transaction(() => {
      for (const [g, t] of rows) this.insert.run(g, t);
    })();
  }

  /** Every row, grouped: [group position, record texts] in group order, insertion order within. */
  *groups(): Generator<[number, string[]]> {
    this.flush();
    this.db.exec('CREATE INDEX item_grp ON item (grp)');
    let current = -1;
    let texts: string[] = [];
    for (const row of this.db.prepare('SELECT grp, record FROM item ORDER BY grp, rowid').raw().iterate() as IterableIterator<[number, string]>) {
      if (row[0] !== current) {
        if (texts.length > 0) yield [current, texts];
        current = row[0];
        texts = [];
      }
      texts.push(row[1]);
    }
    if (texts.length > 0) yield [current, texts];
  }

  close(): void {
    process.off('exit', this.onExit);
    if (this.db.open) this.db.close();
    rmSync(this.folder, { recursive: true, force: true });
  }
}

export class GroupingIndex {
  /** Group key → its records as JSON text, until the index spills. */
  private readonly groups = new Map<string, string[]>();
  /** Group key → first-seen position; also the list of group keys once spilled. */
  private readonly groupSeq = new Map<string, number>();
  private readonly itemKeys = new Set<string>();
  private spill: SpillFile | null = null;
  private readonly spillAfter: number;
  private readonly dir: string;
  private readonly keysOnly: boolean;
  size = 0;

  constructor(options: GroupingIndexOptions = {}) {
    this.keysOnly = options.keysOnly === true;
    this.spillAfter = options.spillAfter ?? (this.keysOnly ? 200_000 : 20_000);
    this.dir = options.dir ?? tmpdir();
  }

  static groupKeyOf(item: ErpRecord): string {
    return item.group ? item.group : `${SOLO}${item.key}`;
  }

  static isSolo(groupKey: string): boolean {
    return groupKey.startsWith(SOLO);
  }

  /** Whether the index has moved to disk (for tests and reports). */
  get spilled(): boolean {
    return this.spill !== null;
  }

  hasItem(key: string): boolean {
    return this.itemKeys.has(key);
  }

  add(item: ErpRecord): boolean {
    if (this.itemKeys.has(item.key)) return false;
    this.itemKeys.add(item.key);
    const g = GroupingIndex.groupKeyOf(item);
    let seq = this.groupSeq.get(g);
    if (seq === undefined) {
      seq = this.groupSeq.size;
      this.groupSeq.set(g, seq);
    }
    const text = JSON.stringify(this.keysOnly ? { stream: item.stream, key: item.key, group: item.group } : item);
    this.size++;
    if (this.spill) {
      this.spill.add(seq, text);
      return true;
    }
    const list = this.groups.get(g);
    if (list) list.push(text);
    else this.groups.set(g, [text]);
    if (this.size > this.spillAfter) this.moveToDisk();
    return true;
  }

  private moveToDisk(): void {
    const spill = new SpillFile(this.dir);
    for (const [g, texts] of this.groups) {
      const seq = this.groupSeq.get(g)!;
      for (const t of texts) spill.add(seq, t);
    }
    this.groups.clear();
    this.spill = spill;
  }

  /** Real group keys (not solo items) present in the index. */
  groupKeys(): string[] {
    return [...this.groupSeq.keys()].filter((g) => !GroupingIndex.isSolo(g));
  }

  itemKeySet(): ReadonlySet<string> {
    return this.itemKeys;
  }

  /** Yields groups in chunks, parsing them on the way and releasing their text; closes the index. */
  *chunks(size: number): Generator<[string, ErpRecord[]][]> {
    let chunk: [string, ErpRecord[]][] = [];
    try {
      if (this.spill) {
        const keyAt: string[] = new Array<string>(this.groupSeq.size);
        for (const [g, seq] of this.groupSeq) keyAt[seq] = g;
        for (const [seq, texts] of this.spill.groups()) {
          chunk.push([keyAt[seq]!, texts.map((t) => JSON.parse(t) as ErpRecord)]);
          if (chunk.length >= size) {
            yield chunk;
            chunk = [];
          }
        }
      } else {
        for (const [g, texts] of this.groups) {
          chunk.push([g, texts.map((t) => JSON.parse(t) as ErpRecord)]);
          this.groups.delete(g);
          if (chunk.length >= size) {
            yield chunk;
            chunk = [];
          }
        }
      }
      if (chunk.length > 0) yield chunk;
    } finally {
      this.close();
    }
  }

  /** Removes the temporary file, if any. Safe to call twice. */
  close(): void {
    this.spill?.close();
  }
}
