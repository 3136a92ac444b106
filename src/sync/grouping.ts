/**
 * The grouping index: ERP items by their group key, the one structure a run holds whole
 * (the mapper must see all items of a group at once, and an ERP does not promise to send
 * them together). Records are kept as JSON text, which is several times smaller in memory
 * than the parsed objects, and parsed back one group at a time.
 */
import type { ErpRecord } from '../erp/port.js';

/** Prefix for items without a group: each is its own one-item group. */
const SOLO = '\u0001';

export class GroupingIndex {
  private readonly groups = new Map<string, string[]>();
  private readonly itemKeys = new Set<string>();
  size = 0;

  static groupKeyOf(item: ErpRecord): string {
    return item.group ? item.group : `${SOLO}${item.key}`;
  }

  static isSolo(groupKey: string): boolean {
    return groupKey.startsWith(SOLO);
  }

  hasItem(key: string): boolean {
    return this.itemKeys.has(key);
  }

  add(item: ErpRecord): boolean {
    if (this.itemKeys.has(item.key)) return false;
    this.itemKeys.add(item.key);
    const g = GroupingIndex.groupKeyOf(item);
    const list = this.groups.get(g);
    const text = JSON.stringify(item);
    if (list) list.push(text);
    else this.groups.set(g, [text]);
    this.size++;
    return true;
  }

  /** Real group keys (not solo items) present in the index. */
  groupKeys(): string[] {
    return [...this.groups.keys()].filter((g) => !GroupingIndex.isSolo(g));
  }

  itemKeySet(): ReadonlySet<string> {
    return this.itemKeys;
  }

  /** Yields groups in chunks, parsing them on the way and releasing their text. */
  *chunks(size: number): Generator<[string, ErpRecord[]][]> {
    let chunk: [string, ErpRecord[]][] = [];
    for (const [g, texts] of this.groups) {
      chunk.push([g, texts.map((t) => JSON.parse(t) as ErpRecord)]);
      this.groups.delete(g);
      if (chunk.length >= size) {
        yield chunk;
        chunk = [];
      }
    }
    if (chunk.length > 0) yield chunk;
  }
}
