/**
 * Tenants wait their turn (issue 18): a run that finds its PIM connection (PIM URL + client id)
 * held by another tenant's run queues behind it, in the order runs came, instead of being
 * refused; it says whom it waits for, and gives up after `sync.lockWaitSeconds`, naming that
 * tenant and the fix. A run of the same state as the holder or a waiter is a duplicate: refused
 * at once (RunLockedError / DuplicateWaitError), as before. Stale or dead holders are taken over
 * by the lock's own rule (lock.ts, lock-table.ts), so waiting never outlives a crashed run.
 */
import { resolve } from 'node:path';
import type { StateConfig } from './config.js';
import { ConnectionQueuedError, type ConnectionLocks, type LockHolder } from './connection-lock.js';
import { isOwnerAlive, lockOwnerId, takeRunLock, type HeldLock } from './lock.js';
import { RunLockedError } from './state/port.js';

/** What a waiting run tells (the Console's progress, `ferry sync`'s message). */
export interface ConnectionWaiting {
  /** Whose run it waits for, in words: "shop-a's run #41". */
  waitingFor: string;
  /** Tenants queued before this run (they go first). */
  ahead: string[];
  /** Since when it waits (ISO). */
  since: string;
}

export interface ConnectionWaitOptions {
  /** How long to wait for other tenants' runs (ms); 0: refuse at once, as a busy lock always was. */
  timeoutMs: number;
  /** How often the queue is looked at (ms, default 1000). */
  pollMs?: number;
  /** Called when the run starts waiting, and again when whom it waits for changes. */
  onWaiting?: (w: ConnectionWaiting) => void;
  signal?: AbortSignal;
}

/** The state a run writes, as the lock compares them: a file, or a PostgreSQL database + schema (never credentials). */
export function stateKeyOf(state: StateConfig): string {
  if (state.driver === 'sqlite') return `sqlite:${resolve(state.path)}`;
  const url = new URL(state.url!);
  return `postgres://${url.host}${url.pathname}#${state.schema ?? 'public'}`;
}

/** The tenant a run is for when nobody named it: the state it writes (its file, or its schema). */
export function defaultTenantLabel(state: StateConfig): string {
  return state.driver === 'sqlite' ? resolve(state.path) : `schema ${state.schema ?? 'public'}`;
}

const CONNECTION_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/** "shop-a's run #41", or for a tenant named by its state "the run #41 of /srv/a/ferry.db". */
export function runOf(tenant: string, runId: number | null): string {
  const id = runId !== null ? ` #${runId}` : '';
  return CONNECTION_NAME.test(tenant) ? `${tenant}'s run${id}` : `the run${id} of ${tenant}`;
}

/** Thrown when another tenant's run kept the connection past `sync.lockWaitSeconds`. */
export class LockWaitTimeoutError extends Error {
  constructor(me: string, waitedFor: string, waitedMs: number, connection: string, otherTenant: string | null) {
    const other = otherTenant ?? 'the other tenant';
    const mine = runOf(me, null);
    super(
      `${mine.charAt(0).toUpperCase()}${mine.slice(1)} waited ${formatWait(waitedMs)} for ${waitedFor} on the same PIM connection (${connection}) and gave up (sync.lockWaitSeconds). ` +
        `Two tenants on one Akeneo Connection run one at a time: give ${me} or ${other} an Akeneo Connection of its own (pim.clientId), ` +
        `move their schedules apart, or raise sync.lockWaitSeconds.`,
    );
    this.name = 'LockWaitTimeoutError';
  }
}

function formatWait(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 360) / 10} h`;
}

const busy = (err: unknown) => err instanceof RunLockedError || err instanceof ConnectionQueuedError;

/**
 * Takes the connection lock for `me`, waiting behind other tenants' runs (see the file comment).
 * `locks` must have been opened for `me` (its rows say whose run holds or waits).
 */
export async function takeConnectionLock(
  locks: ConnectionLocks,
  name: string,
  me: LockHolder,
  lock: { staleAfterMs: number; heartbeatMs: number; onLost?: () => void },
  wait: ConnectionWaitOptions,
  connection: string,
): Promise<HeldLock> {
  const owner = lockOwnerId();
  const attempt = async () => (await takeRunLock(locks, name, { ...lock, owner })).lock;
  try {
    return await attempt();
  } catch (err) {
    if (!busy(err)) throw err;
    const holder = locks.holderOf(name);
    // The same state (or a holder that does not say whose it is, an older Ferry): the usual conflict.
    if (err instanceof RunLockedError && (!holder?.holder || holder.holder.stateKey === me.stateKey)) throw err;
    if (wait.timeoutMs <= 0) throw err;
  }
  const since = Date.now();
  let told = '';
  let lastFor = 'another run';
  let lastTenant: string | null = null;
  try {
    for (;;) {
      const queue = locks.enqueue(name, owner, lock.staleAfterMs, isOwnerAlive);
      const holder = locks.holderOf(name);
      const ahead = queue.slice(0, Math.max(0, queue.findIndex((w) => w.owner === owner))).map((w) => w.tenant);
      if (holder?.holder && holder.owner !== owner) {
        lastFor = runOf(holder.holder.tenant, holder.runId);
        lastTenant = holder.holder.tenant;
      } else if (ahead.length > 0) {
        lastFor = runOf(ahead[0]!, null);
        lastTenant = ahead[0]!;
      }
      const news = `${lastFor}|${ahead.join(',')}`;
      if (news !== told) {
        told = news;
        wait.onWaiting?.({ waitingFor: lastFor, ahead, since: new Date(since).toISOString() });
      }
      await sleep(wait.pollMs ?? 1000, wait.signal);
      if (wait.signal?.aborted) throw new Error(`stopped while waiting for ${lastFor} (same PIM connection, ${connection}); nothing was run`);
      locks.touchWaiter(owner);
      try {
        return await attempt();
      } catch (err) {
        if (!busy(err)) throw err;
      }
      if (Date.now() - since >= wait.timeoutMs) throw new LockWaitTimeoutError(me.tenant, lastFor, Date.now() - since, connection, lastTenant);
    }
  } finally {
    // Taken or given up: out of the queue either way (taking it removed the row already).
    locks.leaveQueue(owner);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((done) => {
    if (signal?.aborted) return done();
    const t = setTimeout(finish, ms);
    function finish() {
      clearTimeout(t);
      signal?.removeEventListener('abort', finish);
      done();
    }
    signal?.addEventListener('abort', finish, { once: true });
  });
}
