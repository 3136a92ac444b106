/**
 * What happens to Akeneo events after the receiver answered (it answers at once; the work is
 * here, off the request):
 * 1. `accept` (synchronous, fast): an event id already taken is a duplicate (at-least-once
 *    delivery; ids are kept in console_events_seen, so a restart does not forget them); events
 *    written by Ferry's own connection are dropped (no loop); the rest wait per product.
 * 2. Debounce: a product's events are settled `debounceSeconds` after its last one, in event
 *    time order; an event older than one already handled for that product is stale (unordered
 *    delivery) and changes nothing.
 * 3. Decision on the product's state after its newest event (the Events API carries it, the
 *    Event Platform does not: then the product is re-read): status `to_export` → export it;
 *    not tagged → nothing; otherwise only when a value other than the status attributes changed
 *    since the last event handled (the fingerprint), so a status write-back alone never loops;
 *    an edit of a product already sent goes again with `export.updates: owned`.
 * 4. Trigger: the products to export are gathered and exported in one run; while another run
 *    goes (the Console's, a schedule's, a terminal's) they wait and go in the next one.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '../../logging.js';
import type { ConsoleDb } from '../store/db.js';
import type { ProductEvent } from './parse.js';

export interface ProductState {
  identifier: string | null;
  values: Record<string, unknown>;
  categories?: readonly string[];
}

/** How the export finds its products (the `export:` config's tag and updates). */
export type TagRule = { kind: 'status' } | { kind: 'boolean'; attribute: string } | { kind: 'category'; category: string };

export interface IntakeSettings {
  debounceMs: number;
  ferryAuthors: readonly string[];
  statusAttribute: string;
  /** Attributes only Ferry writes (status, message, ERP id): their changes alone trigger nothing. */
  statusAttributes: readonly string[];
  tag: TagRule;
  updates: 'never' | 'owned';
  /** Pause before asking again when a run is going (ms). */
  retryBusyMs?: number;
}

export interface IntakeDeps {
  db: ConsoleDb;
  settings: IntakeSettings;
  /** Reads a product's current values (Event Platform events carry none); null when gone. */
  readProduct(key: string, identifier: string | null): Promise<ProductState | null>;
  /** Starts an export of these products; 'busy' when another run goes (asked again later). */
  trigger(keys: string[]): Promise<'started' | 'busy'>;
  logger: Logger;
  clock?: () => number;
}

export interface AcceptResult {
  accepted: number;
  duplicates: number;
  own: number;
  ignored: number;
}

export interface IntakeStats extends AcceptResult {
  exportsTriggered: number;
  productsExported: number;
  skipped: Record<string, number>;
}

interface Waiting {
  events: ProductEvent[];
  timer: NodeJS.Timeout;
}

/** Keeps a week of event ids: Akeneo retries for hours, never for days. */
export const SEEN_KEEP_MS = 7 * 24 * 3_600_000;

export class EventIntake {
  private readonly waiting = new Map<string, Waiting>();
  private readonly toExport = new Set<string>();
  private settling = 0;
  private pumping: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  private readonly clock: () => number;
  readonly stats: IntakeStats = { accepted: 0, duplicates: 0, own: 0, ignored: 0, exportsTriggered: 0, productsExported: 0, skipped: {} };

  constructor(private readonly deps: IntakeDeps) {
    this.clock = deps.clock ?? Date.now;
    deps.db.prepare('DELETE FROM console_events_seen WHERE received_at < ?').run(this.clock() - SEEN_KEEP_MS);
  }

  /** Takes a delivery's events; returns at once (no PIM or ERP call here). */
  accept(events: readonly ProductEvent[]): AcceptResult {
    const out: AcceptResult = { accepted: 0, duplicates: 0, own: 0, ignored: 0 };
    const remember = this.deps.db.prepare('INSERT OR IGNORE INTO console_events_seen (event_id, received_at) VALUES (?, ?)');
    const now = this.clock();
    const fresh: ProductEvent[] = [];
    this.deps.db.transaction(() => {
      for (const e of events) {
        if (remember.run(e.id, now).changes === 0) out.duplicates++;
        else fresh.push(e);
      }
    })();
    for (const e of fresh) {
      if (e.author !== null && this.deps.settings.ferryAuthors.includes(e.author)) out.own++;
      else if (e.entity !== 'product' || e.change === 'removed') out.ignored++;
      else {
        out.accepted++;
        this.wait(e);
      }
    }
    this.stats.accepted += out.accepted;
    this.stats.duplicates += out.duplicates;
    this.stats.own += out.own;
    this.stats.ignored += out.ignored;
    return out;
  }

  private wait(e: ProductEvent): void {
    const entry = this.waiting.get(e.key);
    if (entry) clearTimeout(entry.timer);
    const events = entry ? [...entry.events, e] : [e];
    const timer = setTimeout(() => void this.settle(e.key), this.deps.settings.debounceMs);
    this.waiting.set(e.key, { events, timer });
  }

  private skip(reason: string): void {
    this.stats.skipped[reason] = (this.stats.skipped[reason] ?? 0) + 1;
  }

  private async settle(key: string): Promise<void> {
    const entry = this.waiting.get(key);
    this.waiting.delete(key);
    if (!entry || this.closed) return this.checkIdle();
    this.settling++;
    try {
      const wanted = await this.decide(key, entry.events);
      if (wanted !== null) {
        this.toExport.add(wanted.key);
        this.pump();
      }
    } catch (err) {
      this.deps.logger.warn({ product: key, err: err instanceof Error ? err.message : String(err) }, 'an Akeneo event could not be handled; the next event or scheduled export takes the product');
      this.skip('error');
    } finally {
      this.settling--;
      this.checkIdle();
    }
  }

  /**
   * What the product's newest state asks for: an export of it (tagged now, or edited after its
   * export with `export.updates: owned`), or nothing (the reason counted).
   */
  private async decide(key: string, events: ProductEvent[]): Promise<{ key: string } | null> {
    const { db, settings } = this.deps;
    const row = db.prepare('SELECT last_event_time, fingerprint FROM console_event_products WHERE product_key = ?').get(key) as { last_event_time: number; fingerprint: string | null } | undefined;
    const ordered = [...events].sort((a, b) => a.time - b.time);
    // Equal times are not stale: the Events API dates events to the second.
    const newer = row ? ordered.filter((e) => e.time >= row.last_event_time) : ordered;
    if (newer.length === 0) {
      this.skip('stale');
      return null;
    }
    const newest = newer[newer.length - 1]!;
    const identifier = [...newer].reverse().find((e) => e.identifier)?.identifier ?? null;
    const resource = newest.resource as { values?: Record<string, unknown>; categories?: unknown } | null;
    const state: ProductState | null = resource?.values
      ? { identifier, values: resource.values, ...(Array.isArray(resource.categories) ? { categories: resource.categories as string[] } : {}) }
      : await this.deps.readProduct(key, identifier);
    if (!state) {
      this.skip('gone');
      return null;
    }
    const fingerprint = fingerprintOf(state.values, settings.statusAttributes);
    db.prepare(
      `INSERT INTO console_event_products (product_key, last_event_time, fingerprint, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (product_key) DO UPDATE SET last_event_time = excluded.last_event_time, fingerprint = excluded.fingerprint, updated_at = excluded.updated_at`,
    ).run(key, newest.time, fingerprint, new Date(this.clock()).toISOString());
    const status = statusOf(state.values, settings.statusAttribute);
    // The uuid the event names: the export finds a product by it on every endpoint mode.
    const exportKey = key;
    if (status === 'to_export') return { key: exportKey };
    const tagged = isTagged(state, settings.tag);
    if (status === null && !tagged) {
      this.skip('not tagged');
      return null;
    }
    if (row?.fingerprint === fingerprint) {
      this.skip('only the status changed');
      return null;
    }
    if ((status === 'exported' || status === 'in_erp') && settings.updates === 'never') {
      this.skip('already in the ERP (export.updates: never)');
      return null;
    }
    // Edited after its export (export.updates: owned): sent again by key, like a tagged one.
    return { key: exportKey };
  }

  /** Starts one export for everything gathered; when a run goes, asks again a little later. */
  private pump(): void {
    if (this.pumping || this.closed || !this.hasWork()) return;
    this.pumping = (async () => {
      // Products settled together (one burst) go in one export.
      await new Promise((resolve) => setTimeout(resolve, Math.min(200, this.deps.settings.debounceMs)));
      if (this.closed) return;
      const keys = [...this.toExport].sort();
      this.toExport.clear();
      let outcome: 'started' | 'busy';
      try {
        outcome = await this.deps.trigger(keys);
      } catch (err) {
        this.deps.logger.warn({ products: keys.length, err: err instanceof Error ? err.message : String(err) }, 'the export for Akeneo events could not start');
        outcome = 'busy';
      }
      if (outcome === 'started') {
        this.stats.exportsTriggered++;
        this.stats.productsExported += keys.length;
      } else {
        for (const k of keys) this.toExport.add(k);
        this.retryTimer = setTimeout(() => {
          this.retryTimer = null;
          this.pump();
        }, this.deps.settings.retryBusyMs ?? 1000);
      }
    })().finally(() => {
      this.pumping = null;
      // Products settled while the export was starting go in the next one.
      if (this.hasWork() && this.retryTimer === null) this.pump();
      this.checkIdle();
    });
  }

  private hasWork(): boolean {
    return this.toExport.size > 0;
  }

  /** Nothing waiting, settling or starting (tests; an export already started may still run). */
  isIdle(): boolean {
    return this.waiting.size === 0 && this.settling === 0 && this.pumping === null && !this.hasWork();
  }

  async idle(): Promise<void> {
    if (this.isIdle()) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private checkIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  close(): void {
    this.closed = true;
    for (const w of this.waiting.values()) clearTimeout(w.timer);
    this.waiting.clear();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.toExport.clear();
    this.checkIdle();
  }
}

/** Tagged by the export's rule (the status tag: any status at all means the export knows it). */
function isTagged(state: ProductState, tag: TagRule): boolean {
  if (tag.kind === 'boolean') {
    const entries = state.values[tag.attribute];
    return Array.isArray(entries) && (entries[0] as { data?: unknown } | undefined)?.data === true;
  }
  if (tag.kind === 'category') return state.categories?.includes(tag.category) === true;
  return false;
}

/** The export status of a product's values (the first value of the status attribute), or null. */
export function statusOf(values: Record<string, unknown>, attribute: string): string | null {
  const entries = values[attribute];
  if (!Array.isArray(entries)) return null;
  const data = (entries[0] as { data?: unknown } | undefined)?.data;
  return typeof data === 'string' && data !== '' ? data : null;
}

/** A hash of the values but the status attributes, stable whatever the key order. */
export function fingerprintOf(values: Record<string, unknown>, statusAttributes: readonly string[]): string {
  const skip = new Set(statusAttributes.map((a) => a.toLowerCase()));
  const kept = Object.keys(values)
    .filter((k) => !skip.has(k.toLowerCase()))
    .sort()
    // A value's entries (one per locale / channel) may come in any order.
    .map((k) => {
      const v = values[k];
      return [k, Array.isArray(v) ? v.map((e) => JSON.stringify(stable(e))).sort() : stable(v)];
    });
  return createHash('sha256').update(JSON.stringify(kept)).digest('hex');
}

function stable(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stable);
  if (v && typeof v === 'object') {
    return Object.keys(v)
      .sort()
      .map((k) => [k, stable((v as Record<string, unknown>)[k])]);
  }
  return v;
}
