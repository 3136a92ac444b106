/**
 * Reading: the ERP's streams in the run's scope (a delta since the watermarks, --full, --since,
 * --keys, --category, the retry queue, keys --verify asks for again), each record registered once
 * in the outcome ledger, items gathered by group into the grouping index, and every group an item
 * read belongs to completed with all its members (whole groups, always). Rows the source could not
 * read and duplicated keys become rejects here, never silent drops.
 *
 * Reads only the ErpSource and the state (retry queue, group members): an export direction or a
 * shard worker can use it without the rest of the run.
 */
import type { ErpRecord, StreamName } from '../../erp/port.js';
import { chunks } from '../../util/chunks.js';
import { laterOf } from '../../util/timestamps.js';
import { GroupingIndex } from '../grouping.js';
import { STREAM_TYPES } from '../ledger.js';
import type { ReportReject, SyncMode } from '../report.js';
import type { RunContext } from './context.js';

type Stream = 'items' | 'groups' | 'categories';
const STREAMS: readonly Stream[] = ['items', 'groups', 'categories'];

/** What an items read covers: the run's mode, the since-dates of items and groups, keys asked for again, the --category subtree. */
export interface ItemScope {
  mode: SyncMode;
  since: string | undefined;
  groupSince: string | undefined;
  extraItemKeys: string[];
  /** ERP category keys an item must be in (--category), else null. */
  allowed: ReadonlySet<string> | null;
  /** The index keeps the items' keys and groups only (GroupingIndexOptions.keysOnly): a queued run's plan. */
  keysOnly?: boolean;
}

export interface CategoriesRead {
  records: ErpRecord[];
  /** --category: the category and its descendants (ERP keys); else null. */
  allowed: Set<string> | null;
}

export interface ItemsRead {
  /** The items read, by group (chunks() hands them over once and closes the index). */
  index: GroupingIndex;
  /** The group records read. */
  groups: Map<string, ErpRecord>;
  /** Item keys of the touched groups that Ferry has in the PIM: they come first in their group. */
  inPim: ReadonlySet<string>;
  /** Every item key read (a full run's deletions compare the state with it). */
  seenItemKeys: ReadonlySet<string>;
}

export class RecordReader {
  /** The latest change date per stream among the records of its main read (the next watermark). */
  readonly maxUpdatedAt: Record<string, string | null> = { items: null, groups: null, categories: null };
  /** Keys queued for retry by earlier runs, per stream (read again by key in a delta). */
  private readonly retryKeys: Record<string, Set<string>> = { items: new Set(), groups: new Set(), categories: new Set() };
  private readonly inPim = new Set<string>();
  /** Duplicated ERP rows, by key: how many copies were read (each extra copy is a reject of its own). */
  private readonly duplicates = new Map<string, number>();
  /** ReadOptions.fields of the items and groups reads: `none` for a plan that keeps keys only. */
  private itemFields: 'all' | 'none' = 'all';

  constructor(private readonly ctx: RunContext) {}

  /** Delta and --since runs read again what earlier runs queued for retry. */
  async loadRetries(mode: SyncMode): Promise<void> {
    for (const s of STREAMS) {
      if (mode === 'delta' || mode === 'since') for (const k of await this.ctx.deps.state.listRetries(s)) this.retryKeys[s]!.add(k);
    }
  }

  /** Whether an earlier run queued this record for retry. */
  wasQueued(stream: string, key: string): boolean {
    return this.retryKeys[stream]?.has(key) === true;
  }

  /** Reads the category tree (all of it for --category, whose subtree it resolves). */
  async readCategories(since: string | undefined): Promise<CategoriesRead> {
    this.ctx.progress('categories');
    const records: ErpRecord[] = [];
    const wantAll = !!this.ctx.opts.category;
    const categoryKeys = this.ctx.opts.categoryKeys;
    for await (const rec of this.readStream('categories', categoryKeys?.length ? { keys: categoryKeys } : { since: wantAll ? undefined : since })) {
      if (this.noteRead(rec, true)) records.push(rec);
    }
    const retry = [...(this.retryKeys.categories ?? [])].filter((k) => !this.ctx.ledger.has('categories', k));
    for await (const rec of this.readStream('categories', { keys: retry })) if (this.noteRead(rec)) records.push(rec);

    let allowed: Set<string> | null = null;
    if (this.ctx.opts.category) {
      const root = this.ctx.opts.category;
      if (!records.some((r) => r.key === root)) {
        throw new Error(`category ${root} does not exist in the ERP; check the code (ferry erp read --stream categories)`);
      }
      const children = new Map<string, string[]>();
      for (const r of records) if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r.key]);
      allowed = new Set();
      const stack = [root];
      while (stack.length > 0) {
        const k = stack.pop()!;
        if (allowed.has(k)) continue;
        allowed.add(k);
        stack.push(...(children.get(k) ?? []));
      }
    }
    return { records, allowed };
  }

  /** Reads the items in scope and their groups, whole. */
  async readItems(scope: ItemScope): Promise<ItemsRead> {
    const { mode, since, groupSince, extraItemKeys, allowed } = scope;
    this.ctx.progress('reading');
    const index = new GroupingIndex({ keysOnly: scope.keysOnly === true });
    // Keys only: the source may skip the fields' columns and look-ups (a bad field is the shard's reject).
    this.itemFields = scope.keysOnly === true ? 'none' : 'all';
    const inCategory = (rec: ErpRecord) => !allowed || (rec.categories ?? []).some((c) => allowed.has(c));
    // --category: items outside the subtree are not in the run's scope. They are not counted
    // (like the items --keys does not name), but a grouped one is remembered by key: when a
    // sibling is in scope, the group is mapped whole (axes, single-item groups).
    const outOfScope = new Map<string, string[]>();
    const take = (rec: ErpRecord, main = false, scoped = true) => {
      if (rec.stream !== 'items') return;
      if (index.hasItem(rec.key)) return;
      if (scoped && !inCategory(rec)) {
        this.ctx.outOfScope++;
        if (rec.group) {
          const keys = outOfScope.get(rec.group);
          if (keys) keys.push(rec.key);
          else outOfScope.set(rec.group, [rec.key]);
        }
        return;
      }
      if (!this.noteRead(rec, main)) return;
      index.add(rec);
    };

    // The same key twice in one read (a duplicated row): the first is the record, the second a
    // reject of its own, never a silent drop.
    const takeOnce = (rec: ErpRecord, main: boolean) => {
      if (rec.stream === 'items' && index.hasItem(rec.key)) this.rejectDuplicate(rec);
      else take(rec, main);
    };
    if (mode === 'keys') {
      // Only categoryKeys (a retry of rejected categories) reads no item.
      const asked = new Set(this.ctx.opts.keys ?? []);
      for await (const rec of this.readStream('items', { keys: this.ctx.opts.keys ?? [] })) {
        asked.delete(rec.key);
        takeOnce(rec, false);
      }
      this.ctx.keysNotFound = [...asked];
    } else {
      for await (const rec of this.readStream('items', { since })) takeOnce(rec, true);
    }
    const retryItems = [...(this.retryKeys.items ?? []), ...extraItemKeys].filter((k) => !index.hasItem(k));
    // Asked for by key (retries, --verify --repair): in scope whatever their category.
    for await (const rec of this.readStream('items', { keys: retryItems })) take(rec, false, false);
    if (outOfScope.size > 0) {
      const siblings: string[] = [];
      for (const g of index.groupKeys()) for (const k of outOfScope.get(g) ?? []) siblings.push(k);
      outOfScope.clear();
      for await (const rec of this.readStream('items', { keys: siblings })) {
        if (index.hasItem(rec.key) || !this.noteRead(rec)) continue;
        this.ctx.outOfScope--;
        index.add(rec);
      }
    }

    // Groups: all of them in a full read; otherwise the changed ones and those of the items read.
    const groups = new Map<string, ErpRecord>();
    const takeGroup = (rec: ErpRecord, main = false) => {
      if (groups.has(rec.key)) return;
      this.noteRead(rec, main);
      groups.set(rec.key, rec);
    };
    const fullRead = since === undefined && mode !== 'keys' && mode !== 'category';
    if (fullRead) {
      for await (const rec of this.readStream('groups', {})) takeGroup(rec, true);
    } else if (mode === 'delta' || mode === 'since') {
      for await (const rec of this.readStream('groups', { since: groupSince })) takeGroup(rec, true);
      const retryGroups = [...(this.retryKeys.groups ?? [])].filter((k) => !groups.has(k));
      for await (const rec of this.readStream('groups', { keys: retryGroups })) takeGroup(rec);
    }

    if (!fullRead) {
      // A group re-read only because `since` is inclusive (same version Ferry already synced)
      // and none of whose items changed needs no re-mapping: without this, a catalog created
      // in one transaction (one timestamp) would be read whole on every delta run.
      const itemGroups = new Set(index.groupKeys());
      const candidates = [...groups.keys()].filter((g) => !itemGroups.has(g));
      const versions = await this.ctx.deps.state.getOriginVersions('groups', candidates);
      for (const g of candidates) {
        const rec = groups.get(g)!;
        if (rec.updatedAt !== null && versions.get(g) === rec.updatedAt) {
          this.ctx.ledger.settle('groups', g, 'unchanged', null, false);
          groups.delete(g);
        }
      }
    }
    await this.completeGroups(index, groups, takeGroup, fullRead);
    return { index, groups, inPim: this.inPim, seenItemKeys: index.itemKeySet() };
  }

  /**
   * Whole groups, always: every group an item read belongs to gets all its members, as Ferry
   * last knew them. Members are read again from the ERP by key (fresh data); a member the source
   * cannot give any more (a files-adapter delta: its file is in done/) is taken as last read.
   * So a variant never loses its parent and axis clashes across files are caught, and a group
   * is a model or a simple product whatever the run's mode (archived members included).
   */
  private async completeGroups(index: GroupingIndex, groups: Map<string, ErpRecord>, takeGroup: (rec: ErpRecord) => void, fullRead: boolean): Promise<void> {
    const { state } = this.ctx.deps;
    const touched = [...new Set<string>([...index.groupKeys(), ...(fullRead ? [] : groups.keys())])];
    if (touched.length === 0) return;
    const missing = new Set<string>();
    const storedItems = new Map<string, ErpRecord>();
    const storedGroups = new Map<string, ErpRecord>();
    for (const keys of (await state.findGroupMembers(touched)).values()) {
      for (const k of keys) {
        this.inPim.add(k);
        if (!index.hasItem(k)) missing.add(k);
      }
    }
    for (const m of await state.getGroupMembers(touched)) {
      if (m.stream === 'items') {
        if (!index.hasItem(m.key)) missing.add(m.key);
        if (m.record) storedItems.set(m.key, m.record);
      } else if (m.record) storedGroups.set(m.key, m.record);
    }
    if (missing.size > 0) {
      for await (const rec of this.readStream('items', { keys: [...missing] })) {
        if (index.hasItem(rec.key) || !this.noteRead(rec)) continue;
        index.add(rec);
      }
      for (const key of missing) {
        const rec = storedItems.get(key);
        if (!rec || index.hasItem(key) || !this.noteRead(rec)) continue;
        index.add(rec);
      }
    }
    const needGroups = index.groupKeys().filter((g) => !groups.has(g));
    if (needGroups.length > 0) {
      for await (const rec of this.readStream('groups', { keys: needGroups })) takeGroup(rec);
      for (const g of needGroups) {
        const rec = storedGroups.get(g);
        if (rec && !groups.has(g)) takeGroup(rec);
      }
    }
  }

  private rejectDuplicate(rec: ErpRecord): void {
    const n = (this.duplicates.get(rec.key) ?? 1) + 1;
    this.duplicates.set(rec.key, n);
    const key = `${rec.key} (copy ${n})`;
    if (!this.ctx.ledger.read(rec.stream, key)) return;
    this.ctx.duplicateKeys.add(key);
    const message = `SKU ${rec.key} is read ${n === 2 ? 'twice' : `${n} times`} from the ERP (the same key in several rows); the first row is synced, this copy is not. One of the rows is wrong and may hold other data.`;
    const fix = `Remove the duplicate row of ${rec.key} from the ERP export (or give it its own key), then run ferry sync again.`;
    this.ctx.ledger.settle(rec.stream, key, 'rejected', message, false);
    this.ctx.plan.actions.product!.reject++;
    const item: ReportReject = { stream: rec.stream, key, entityType: 'product', label: rec.key, message, fix };
    this.ctx.showReject(item);
    void this.ctx.addRejects([{ ...item, runId: this.ctx.runId ?? 0, payload: rec }]);
  }

  /**
   * Registers a record read. Only records from the stream's main (since/full) read move the
   * watermark: a record re-read by key (a sibling, a retry) may carry a date later than
   * records the main read did not see yet, and must not push the watermark past them.
   */
  private noteRead(rec: ErpRecord, moveWatermark = false): boolean {
    if (!this.ctx.ledger.read(rec.stream, rec.key)) return false;
    if (moveWatermark) this.maxUpdatedAt[rec.stream] = laterOf(this.maxUpdatedAt[rec.stream] ?? null, rec.updatedAt);
    return true;
  }

  private async *readStream(stream: StreamName, opts: { since?: string; keys?: string[] }): AsyncIterable<ErpRecord> {
    const { source } = this.ctx.deps;
    if (!source.streams.includes(stream)) return;
    const fields = stream === 'items' || stream === 'groups' ? this.itemFields : 'all';
    const projection = fields === 'none' ? { fields } : {};
    const onReject = (r: { key?: string; location: string; message: string; raw: string; field?: string }) => {
      // An ERP row that could not be read: a reject of this run, never silently dropped.
      const key = r.key ?? r.location;
      if (!this.ctx.ledger.read(stream, key)) return;
      // A row without a readable key cannot be asked for again by key: it is reported, not queued.
      if (r.key === undefined) this.ctx.unretriableKeys.add(key);
      this.ctx.ledger.settle(stream, key, 'rejected', r.message, false);
      const item: ReportReject = {
        stream,
        key,
        entityType: STREAM_TYPES[stream] ?? stream,
        label: key,
        attribute: r.field ?? null,
        message: `${STREAM_TYPES[stream] === 'product' ? 'SKU' : stream} ${key} (${r.location}): ${r.message}`,
        fix:
          r.key === undefined
            ? 'Correct the row in the ERP export (its key could not be read, so it cannot be asked for again by key); the corrected export is read on the next run.'
            : 'Correct the record in the ERP; it is read again on the next run.',
      };
      // In the report Julia reads, like every other reject (not only in `runs show --rejects`).
      this.ctx.showReject(item);
      void this.ctx.addRejects([{ ...item, runId: this.ctx.runId ?? 0, payload: r.raw }]);
    };
    if (opts.keys) {
      for (const part of chunks(opts.keys, this.ctx.opts.keysChunk ?? 500)) {
        if (part.length === 0) continue;
        this.ctx.checkAbort();
        for await (const rec of source.read(stream, { keys: part, onReject, ...projection, ...(this.ctx.opts.signal ? { signal: this.ctx.opts.signal } : {}) })) {
          this.ctx.checkAbort();
          yield rec;
        }
        // A source that honours the signal ends its read early: that read is not complete.
        this.ctx.checkAbort();
      }
      return;
    }
    this.ctx.checkAbort();
    for await (const rec of source.read(stream, { ...(opts.since ? { since: opts.since } : {}), onReject, ...projection, ...(this.ctx.opts.signal ? { signal: this.ctx.opts.signal } : {}) })) {
      // A stop request ends the read here (the source is closed by the caller as usual).
      this.ctx.checkAbort();
      yield rec;
    }
    this.ctx.checkAbort();
  }
}
