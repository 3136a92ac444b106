/**
 * One PIM instance's rate budget shared by every Ferry process that talks to it, in PostgreSQL
 * (docs/operations.md, "One budget for several processes" says why PostgreSQL and not Redis).
 *
 * Each call in flight holds a lease row (instance, connection, holder, expiry); an acquire is one
 * call of `ferry_budget_acquire` (schema.ts), which under the instance row's lock counts the
 * live leases of the instance and of each connection, checks the request and option-write
 * buckets, and takes a lease, all or nothing. A process renews its leases every third of the
 * lease; when it dies, its leases expire and the slots come back. A release deletes the lease and
 * NOTIFYs, which wakes the processes waiting for a slot at once (they also poll, for expiries).
 *
 * In one process, waiting callers queue FIFO and only the head asks the database, so waiting
 * costs one query per release, not one per waiter. Option writes queue apart: one waiting for
 * the 3/s option budget does not hold up the other calls.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { instanceCap, type CallGovernor, type CallPermit, type GovernorLimits } from '../akeneo/governor.js';
import { BUDGET_DDL } from './schema.js';

export interface PostgresBudgetOptions {
  /** postgres:// URL of the database holding the budget. */
  url: string;
  /** Name of the PIM instance (processes with the same name share one budget). */
  instance: string;
  /** The connections' names (client ids), in the client's order. */
  connectionIds: readonly string[];
  limits: GovernorLimits;
  /** A lease not renewed for this long is free again (ms). */
  leaseMs: number;
  /** Longest wait between two asks while a slot is awaited (ms): how soon an expired lease is noticed. */
  pollMs?: number;
  /** 429s in a row before the shared cap halves, and the cooldown between two halvings (ms). */
  shrinkAfter429s?: number;
  shrinkCooldownMs?: number;
  /** Successes per unit of cap before the shared cap grows by one. */
  growAfterSuccesses?: number;
}

const NOTIFY_CHANNEL = 'ferry_budget';

/** The URL without user and password, for messages. */
function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'the configured database';
  }
}

interface Waiter {
  pin: string | undefined;
  since: number;
  resolve: (permit: { id: string; connection: string }) => void;
  reject: (err: unknown) => void;
}

/** One FIFO of waiters whose head asks the database until granted. */
class Queue {
  readonly waiters: Waiter[] = [];
  private pumping = false;
  private running: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  /** A slot was released while the head was asking: ask again without waiting. */
  private kicked = false;

  constructor(
    private readonly ask: (pin: string | undefined) => Promise<{ id: string; connection: string } | { waitMs: number }>,
    private readonly pollMs: number,
  ) {}

  push(w: Waiter): void {
    this.waiters.push(w);
    if (!this.pumping) this.running = this.pump();
  }

  /**
   * Rejects every waiter and resolves once no ask is in flight: an ask that was running when the
   * budget closed may still insert a lease, which close() must see to delete.
   */
  async drain(failure: Error): Promise<void> {
    for (const w of this.waiters.splice(0)) w.reject(failure);
    this.wake?.();
    await this.running;
  }

  /** A slot was released somewhere: ask again now. */
  notify(): void {
    this.kicked = true;
    this.wake?.();
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.waiters.length > 0) {
        const head = this.waiters[0]!;
        let answer;
        this.kicked = false;
        try {
          answer = await this.ask(head.pin);
        } catch (err) {
          this.waiters.shift();
          head.reject(err);
          continue;
        }
        if ('id' in answer) {
          this.waiters.shift();
          head.resolve(answer);
          continue;
        }
        if (this.kicked && answer.waitMs < 0) continue;
        const waitMs = answer.waitMs < 0 ? this.pollMs : Math.min(answer.waitMs, this.pollMs);
        const ac = new AbortController();
        this.wake = () => ac.abort();
        await sleep(waitMs, undefined, { signal: ac.signal }).catch(() => undefined);
        this.wake = undefined;
      }
    } finally {
      this.pumping = false;
    }
  }
}

export class PostgresBudget implements CallGovernor {
  private readonly pool: pg.Pool;
  private listener: pg.Client | undefined;
  private readonly holder = `${process.pid}:${randomUUID()}`;
  private readonly held = new Set<string>();
  private readonly calls: Queue;
  private readonly optionWrites: Queue;
  private ready: Promise<void> | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private cap: number;
  private inFlight = 0;
  private peakInFlight = 0;
  private throttledInARow = 0;
  private successes = 0;

  constructor(private readonly options: PostgresBudgetOptions) {
    if (options.connectionIds.length !== options.limits.connections) {
      throw new RangeError(`shared budget: ${options.connectionIds.length} connection names for ${options.limits.connections} connections`);
    }
    this.cap = instanceCap(options.limits);
    this.pool = new pg.Pool({ connectionString: options.url, max: 3, idleTimeoutMillis: 30_000 });
    // A pooled connection that drops (database restart) must not crash the process: the next
    // query reconnects, and a failing query fails the call that needed it.
    this.pool.on('error', () => undefined);
    const pollMs = options.pollMs ?? 50;
    this.calls = new Queue((pin) => this.ask(pin, false), pollMs);
    this.optionWrites = new Queue((pin) => this.ask(pin, true), pollMs);
  }

  get limit(): number {
    return this.cap;
  }
  get peak(): number {
    return this.peakInFlight;
  }

  /** Creates the tables and function, starts listening and renewing; once, on first use. */
  private start(): Promise<void> {
    this.ready ??= (async () => {
      const client = await this.pool.connect().catch((err: unknown) => {
        throw this.unreachable(err);
      });
      try {
        await client.query('begin');
        await client.query(BUDGET_DDL);
        await client.query('commit');
      } catch (err) {
        await client.query('rollback').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
      const listener = new pg.Client({ connectionString: this.options.url });
      listener.on('error', () => undefined);
      await listener.connect();
      listener.on('notification', (n) => {
        if (n.payload === this.options.instance) {
          this.calls.notify();
          this.optionWrites.notify();
        }
      });
      await listener.query(`listen ${NOTIFY_CHANNEL}`);
      this.listener = listener;
      const every = Math.max(250, Math.floor(this.options.leaseMs / 3));
      this.renewTimer = setInterval(() => void this.renew(), every);
      this.renewTimer.unref();
    })().catch((err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  private unreachable(err: unknown): Error {
    return new Error(
      `pim.limits.shared: cannot use the shared budget database at ${safeUrl(this.options.url)} (${err instanceof Error ? err.message : String(err)}); check pim.limits.shared.url and that PostgreSQL runs`,
    );
  }

  private async ask(pin: string | undefined, optionWrite: boolean): Promise<{ id: string; connection: string } | { waitMs: number }> {
    const l = this.options.limits;
    const res = await this.pool.query<{ lease_id: string | null; lease_connection: string | null; wait_ms: number; cap: number }>(
      'select * from ferry_budget_acquire($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)',
      [
        this.options.instance,
        this.options.connectionIds,
        pin ?? null,
        this.holder,
        l.perConnection,
        instanceCap(l),
        l.requestsPerSecond,
        burstOf(l.requestsPerSecond),
        optionWrite,
        l.optionWritesPerSecond,
        burstOf(l.optionWritesPerSecond),
        this.options.leaseMs,
      ],
    );
    const row = res.rows[0]!;
    this.cap = row.cap;
    if (row.lease_id !== null && row.lease_connection !== null) return { id: row.lease_id, connection: row.lease_connection };
    return { waitMs: row.wait_ms };
  }

  async acquire(call: { optionWrite: boolean; connection?: number }): Promise<CallPermit> {
    if (this.closed) throw new Error('shared budget: closed');
    await this.start();
    const pin = call.connection === undefined ? undefined : this.options.connectionIds[call.connection];
    if (call.connection !== undefined && pin === undefined) throw new RangeError(`no connection ${call.connection}`);
    const since = performance.now();
    const lease = await new Promise<{ id: string; connection: string }>((resolve, reject) =>
      (call.optionWrite ? this.optionWrites : this.calls).push({ pin, since, resolve, reject }),
    );
    this.held.add(lease.id);
    this.inFlight++;
    if (this.inFlight > this.peakInFlight) this.peakInFlight = this.inFlight;
    let released = false;
    return {
      connection: this.options.connectionIds.indexOf(lease.connection),
      waitMs: performance.now() - since,
      release: () => {
        if (released) return;
        released = true;
        this.inFlight--;
        this.held.delete(lease.id);
        void this.release(lease.id);
      },
    };
  }

  private async release(id: string): Promise<void> {
    try {
      await this.pool.query(
        `with gone as (delete from ferry_budget_lease where id = $1 returning instance) select pg_notify('${NOTIFY_CHANNEL}', instance) from gone`,
        [id],
      );
    } catch {
      // The lease expires on its own: a lost release only delays that slot by the lease.
    }
    // Our own waiters need no round trip through the database to learn of it.
    this.calls.notify();
    this.optionWrites.notify();
  }

  private async renew(): Promise<void> {
    if (this.held.size === 0) return;
    try {
      await this.pool.query(
        'update ferry_budget_lease set expires_at = clock_timestamp() + make_interval(secs => $2 / 1000.0) where holder = $1',
        [this.holder, this.options.leaseMs],
      );
    } catch {
      // Retried at the next tick; until the lease runs out the slots stay ours.
    }
  }

  onThrottled(): void {
    this.successes = 0;
    if (++this.throttledInARow < (this.options.shrinkAfter429s ?? 2)) return;
    this.throttledInARow = 0;
    void this.pool
      .query(
        `update ferry_budget_instance set cap = greatest(1, cap / 2), shrunk_at = clock_timestamp()
          where instance = $1 and shrunk_at < clock_timestamp() - make_interval(secs => $2 / 1000.0) returning cap`,
        [this.options.instance, this.options.shrinkCooldownMs ?? 1000],
      )
      .then((r: pg.QueryResult<{ cap: number }>) => {
        if (r.rows[0]) this.cap = r.rows[0].cap;
      })
      .catch(() => undefined);
  }

  onSuccess(): void {
    this.throttledInARow = 0;
    const max = instanceCap(this.options.limits);
    if (this.cap >= max) return;
    if (++this.successes < (this.options.growAfterSuccesses ?? 10) * this.cap) return;
    this.successes = 0;
    void this.pool
      .query('update ferry_budget_instance set cap = least(max_cap, cap + 1) where instance = $1 returning cap', [this.options.instance])
      .then((r: pg.QueryResult<{ cap: number }>) => {
        if (r.rows[0]) this.cap = r.rows[0].cap;
        this.calls.notify();
      })
      .catch(() => undefined);
  }

  /** Frees this process's leases at once (not after the lease) and closes the connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.renewTimer) clearInterval(this.renewTimer);
    const failure = new Error('shared budget: closed');
    await Promise.all([this.calls.drain(failure), this.optionWrites.drain(failure)]);
    if (this.ready) {
      try {
        await this.ready;
        await this.pool.query(
          `with gone as (delete from ferry_budget_lease where holder = $1 returning instance) select pg_notify('${NOTIFY_CHANNEL}', instance) from gone limit 1`,
          [this.holder],
        );
      } catch {
        // Leases left behind expire on their own.
      }
    }
    await this.listener?.end().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }
}

/**
 * Calls a bucket lets through at once: half a second's worth. The PIM counts calls as they
 * arrive, and arrivals bunch up on the network; a bucket half as deep as the PIM's keeps that
 * margin while the rate itself stays whole.
 */
function burstOf(perSecond: number): number {
  return Math.max(1, Math.floor(perSecond / 2));
}

/** The default name of a PIM instance in the shared budget: its URL, without credentials or a trailing slash. */
export function instanceNameOf(pimUrl: string): string {
  try {
    const u = new URL(pimUrl);
    return `${u.protocol}//${u.host.toLowerCase()}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return pimUrl;
  }
}
