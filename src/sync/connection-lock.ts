/**
 * The connection lock: one sync per PIM connection (PIM URL + client id) on this machine,
 * whatever state file each config uses. Two configs with different `state.path` aimed at one PIM
 * would otherwise both run, each within the PIM's budget, together over it (429s), and write
 * the same products from two states.
 *
 * The lock cannot live in a state database (each config has its own), so it lives in a small
 * SQLite file of its own, `locks.db`, in a directory every Ferry run of this OS user shares:
 * `sync.lockDir` when set, else `$FERRY_LOCK_DIR`, else `<os temp dir>/ferry-locks-<uid>`
 * (created 0700). A row per lock name holds the owner (`host:pid:random`), the run id, and a
 * heartbeat; a dead owner (same host, pid gone) or a heartbeat older than the lock timeout is
 * recovered, exactly like the state lock (lock.ts). Runs on several hosts, or under several OS
 * users, share the lock only if they share that directory (point `sync.lockDir` at it; a local
 * file system: SQLite locking is unreliable over NFS).
 *
 * Tenants wait their turn (issue 18): the holder's row also says whose run it is (`tenant`, and
 * `state_path`: the state it writes), and runs of other tenants queue in `waiters`, taking the
 * lock in the order they came (connection-wait.ts). A run of the same state as the holder or a
 * waiter is a duplicate: refused, never queued.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { lockTakeover, SqliteLockTable, type LockDbRow } from './state/lock-table.js';
import type { LockInfo, StateStore } from './state/port.js';

export type LockStore = Pick<StateStore, 'acquireLock' | 'heartbeat' | 'releaseLock' | 'close'>;

/** Where the connection locks live (see the file comment). */
export function defaultLockDir(): string {
  if (process.env.FERRY_LOCK_DIR) return resolve(process.env.FERRY_LOCK_DIR);
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  return join(tmpdir(), `ferry-locks-${uid}`);
}

/** Opens `locks.db` in `dir` (created 0700), refusing a default directory another user owns. */
function openLockFile(dir: string, chosen: boolean): Database.Database {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // The default is in a shared temp dir: refuse one someone else owns (they could fake our locks).
  const st = statSync(dir);
  if (!chosen && typeof process.getuid === 'function' && st.uid !== process.getuid()) {
    throw new Error(`the lock directory ${dir} belongs to another user; set sync.lockDir (or FERRY_LOCK_DIR) to a directory of yours`);
  }
  const db = new Database(join(dir, 'locks.db'));
  db.pragma('busy_timeout = 5000');
  db.exec(
    'CREATE TABLE IF NOT EXISTS locks (name TEXT PRIMARY KEY, owner TEXT NOT NULL, run_id INTEGER, state_path TEXT, acquired_at TEXT NOT NULL, heartbeat_at INTEGER NOT NULL)',
  );
  // Files written before tenants queued have no tenant column: added in place (another process may race us to it).
  if (!(db.prepare('PRAGMA table_info(locks)').all() as { name: string }[]).some((c) => c.name === 'tenant')) {
    try {
      db.exec('ALTER TABLE locks ADD COLUMN tenant TEXT');
    } catch (err) {
      if (!/duplicate column/i.test(String(err))) throw err;
    }
  }
  // The queue: FIFO by rowid (a new row's rowid is above every row still there).
  db.exec(
    'CREATE TABLE IF NOT EXISTS waiters (owner TEXT PRIMARY KEY, name TEXT NOT NULL, tenant TEXT NOT NULL, state_key TEXT NOT NULL, since TEXT NOT NULL, heartbeat_at INTEGER NOT NULL)',
  );
  return db;
}

/** Whose run holds or waits for a connection lock. */
export interface LockHolder {
  /** As people name it: the deployment's connection name, else the state the run writes. */
  tenant: string;
  /** The state the run writes (a file, a database schema): a second run of the same state is a duplicate. */
  stateKey: string;
}

export interface ConnectionWaiter extends LockHolder {
  owner: string;
  /** When it started waiting (ISO). */
  since: string;
}

/** The lock's holder; `holder` null when it did not say (written by an older Ferry). */
export interface ConnectionHolder extends LockInfo {
  holder: LockHolder | null;
}

/** Thrown to a run that finds the lock free but runs of other tenants waiting before it. */
export class ConnectionQueuedError extends Error {
  constructor(readonly first: ConnectionWaiter) {
    super(`${first.tenant}'s run waits for this PIM connection since ${first.since} and goes first; wait your turn (or run again once it has run).`);
    this.name = 'ConnectionQueuedError';
  }
}

/** Thrown when a run of the same state already waits for the lock: duplicates are refused, not queued. */
export class DuplicateWaitError extends Error {
  constructor(readonly waiter: ConnectionWaiter) {
    super(`a run of ${waiter.tenant} already waits for this PIM connection (${waiter.owner}, since ${waiter.since}); a second one is not queued. Wait for it, or stop it first.`);
    this.name = 'DuplicateWaitError';
  }
}

interface WaiterDbRow {
  owner: string;
  name: string;
  tenant: string;
  state_key: string;
  since: string;
  heartbeat_at: number;
}

const toWaiter = (r: WaiterDbRow): ConnectionWaiter => ({ owner: r.owner, tenant: r.tenant, stateKey: r.state_key, since: r.since });

function toHolder(row: LockDbRow & { tenant?: string | null; state_path?: string | null }): ConnectionHolder {
  return {
    name: row.name,
    owner: row.owner,
    runId: row.run_id,
    acquiredAt: row.acquired_at,
    heartbeatAt: new Date(Number(row.heartbeat_at)).toISOString(),
    holder: row.tenant && row.state_path ? { tenant: row.tenant, stateKey: row.state_path } : null,
  };
}

export class ConnectionLocks extends SqliteLockTable implements LockStore {
  readonly dir: string;
  private readonly file: Database.Database;

  /** `holder`: whose runs take the lock through this object (written into the lock's row). */
  constructor(
    dir?: string,
    private readonly holder?: LockHolder,
  ) {
    const where = dir ? resolve(dir) : defaultLockDir();
    const file = openLockFile(where, dir !== undefined || Boolean(process.env.FERRY_LOCK_DIR));
    super(file);
    this.dir = where;
    this.file = file;
  }

  /**
   * The takeover rule of every lock (lockTakeover: RunLockedError while a live owner holds it, a
   * stale or dead one taken over), then the queue: while runs of other tenants wait, only the
   * first of them may take a free lock (ConnectionQueuedError to anyone else). The row says whose run it is.
   */
  override async acquireLock(name: string, owner: string, staleAfterMs: number, isOwnerAlive?: (owner: string) => boolean): Promise<LockInfo | null> {
    const take = this.file.transaction((): LockInfo | null => {
      const now = Date.now();
      const row = this.file.prepare('SELECT * FROM locks WHERE name = ?').get(name) as LockDbRow | undefined;
      const recovered = lockTakeover(row, owner, now, staleAfterMs, isOwnerAlive);
      const first = this.liveWaiters(name, now, staleAfterMs, isOwnerAlive)[0];
      if (first && first.owner !== owner) throw new ConnectionQueuedError(first);
      this.file
        .prepare(
          'INSERT INTO locks (name, owner, run_id, state_path, tenant, acquired_at, heartbeat_at) VALUES (?, ?, NULL, ?, ?, ?, ?) ' +
            'ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, run_id = NULL, state_path = excluded.state_path, tenant = excluded.tenant, acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at',
        )
        .run(name, owner, this.holder?.stateKey ?? null, this.holder?.tenant ?? null, new Date(now).toISOString(), now);
      this.file.prepare('DELETE FROM waiters WHERE owner = ?').run(owner);
      return recovered;
    });
    return take.immediate();
  }

  /** The lock's current row (live or not: the caller met its RunLockedError), or null when free. */
  holderOf(name: string): ConnectionHolder | null {
    const row = this.file.prepare('SELECT * FROM locks WHERE name = ?').get(name) as (LockDbRow & { tenant: string | null; state_path: string | null }) | undefined;
    return row ? toHolder(row) : null;
  }

  /**
   * Puts `owner` in the lock's queue (behind those already there); refuses a duplicate: a live
   * waiter of the same state. Waiters whose process is gone or silent past `staleAfterMs` are dropped.
   */
  enqueue(name: string, owner: string, staleAfterMs: number, isOwnerAlive?: (owner: string) => boolean): ConnectionWaiter[] {
    const holder = this.holder;
    if (!holder) throw new Error('ConnectionLocks.enqueue needs the holder the locks were opened for');
    const add = this.file.transaction((): ConnectionWaiter[] => {
      const now = Date.now();
      const waiting = this.liveWaiters(name, now, staleAfterMs, isOwnerAlive);
      const twin = waiting.find((w) => w.stateKey === holder.stateKey && w.owner !== owner);
      if (twin) throw new DuplicateWaitError(twin);
      if (!waiting.some((w) => w.owner === owner)) {
        this.file
          .prepare('INSERT INTO waiters (owner, name, tenant, state_key, since, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(owner, name, holder.tenant, holder.stateKey, new Date(now).toISOString(), now);
      }
      return this.liveWaiters(name, now, staleAfterMs, isOwnerAlive);
    });
    return add.immediate();
  }

  /** A waiter's heartbeat: it is still there (a silent waiter is dropped from the queue after the lock timeout). */
  touchWaiter(owner: string): void {
    this.file.prepare('UPDATE waiters SET heartbeat_at = ? WHERE owner = ?').run(Date.now(), owner);
  }

  leaveQueue(owner: string): void {
    this.file.prepare('DELETE FROM waiters WHERE owner = ?').run(owner);
  }

  /** The live waiters of `name`, first first; drops the others. */
  private liveWaiters(name: string, now: number, staleAfterMs: number, isOwnerAlive?: (owner: string) => boolean): ConnectionWaiter[] {
    const rows = this.file.prepare('SELECT * FROM waiters WHERE name = ? ORDER BY rowid').all(name) as WaiterDbRow[];
    const live: ConnectionWaiter[] = [];
    for (const r of rows) {
      const gone = now - Number(r.heartbeat_at) >= staleAfterMs || (isOwnerAlive ? !isOwnerAlive(r.owner) : false);
      if (gone) this.file.prepare('DELETE FROM waiters WHERE owner = ?').run(r.owner);
      else live.push(toWaiter(r));
    }
    return live;
  }

  async close(): Promise<void> {
    if (this.file.open) this.file.close();
  }
}

/**
 * What the lock directory says about a state's runs, read only (`ferry runs`, the Console): the
 * holder of each lock and who waits for it, live ones only. Empty when there is no lock file yet.
 */
export function readConnectionQueue(dir: string | undefined, staleAfterMs: number, isOwnerAlive: (owner: string) => boolean): { holders: ConnectionHolder[]; waiters: (ConnectionWaiter & { name: string })[] } {
  const file = join(dir ? resolve(dir) : defaultLockDir(), 'locks.db');
  if (!existsSync(file)) return { holders: [], waiters: [] };
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const now = Date.now();
    const fresh = (r: { owner: string; heartbeat_at: number }) => now - Number(r.heartbeat_at) < staleAfterMs && isOwnerAlive(r.owner);
    const holders = (db.prepare('SELECT * FROM locks').all() as (LockDbRow & { tenant?: string | null; state_path?: string | null })[]).filter(fresh).map(toHolder);
    const hasQueue = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'waiters'").get() !== undefined;
    const waiters = hasQueue ? (db.prepare('SELECT * FROM waiters ORDER BY rowid').all() as WaiterDbRow[]).filter(fresh).map((r) => ({ ...toWaiter(r), name: r.name })) : [];
    return { holders, waiters };
  } catch {
    // A lock file being created or of another shape: nothing to tell rather than a failed page.
    return { holders: [], waiters: [] };
  } finally {
    db?.close();
  }
}
