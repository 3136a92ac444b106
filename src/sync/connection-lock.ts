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
 */
import { mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteLockTable } from './state/lock-table.js';
import type { StateStore } from './state/port.js';

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
  return db;
}

export class ConnectionLocks extends SqliteLockTable implements LockStore {
  readonly dir: string;
  private readonly file: Database.Database;

  constructor(dir?: string) {
    const where = dir ? resolve(dir) : defaultLockDir();
    const file = openLockFile(where, dir !== undefined || Boolean(process.env.FERRY_LOCK_DIR));
    super(file);
    this.dir = where;
    this.file = file;
  }

  async close(): Promise<void> {
    if (this.file.open) this.file.close();
  }
}
