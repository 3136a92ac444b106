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
import { RunLockedError, type LockInfo, type StateStore } from './state/port.js';

export type LockStore = Pick<StateStore, 'acquireLock' | 'heartbeat' | 'releaseLock' | 'close'>;

/** Where the connection locks live (see the file comment). */
export function defaultLockDir(): string {
  if (process.env.FERRY_LOCK_DIR) return resolve(process.env.FERRY_LOCK_DIR);
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  return join(tmpdir(), `ferry-locks-${uid}`);
}

export class ConnectionLocks implements LockStore {
  private readonly db: Database.Database;

  readonly dir: string;

  constructor(dir?: string) {
    this.dir = dir ? resolve(dir) : defaultLockDir();
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    // The default is in a shared temp dir: refuse one someone else owns (they could fake our locks).
    const chosen = dir !== undefined || Boolean(process.env.FERRY_LOCK_DIR);
    const st = statSync(this.dir);
    if (!chosen && typeof process.getuid === 'function' && st.uid !== process.getuid()) {
      throw new Error(`the lock directory ${this.dir} belongs to another user; set sync.lockDir (or FERRY_LOCK_DIR) to a directory of yours`);
    }
    this.db = new Database(join(this.dir, 'locks.db'));
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS locks (name TEXT PRIMARY KEY, owner TEXT NOT NULL, run_id INTEGER, state_path TEXT, acquired_at TEXT NOT NULL, heartbeat_at INTEGER NOT NULL)',
    );
  }

  async acquireLock(name: string, owner: string, staleAfterMs: number, isOwnerAlive?: (owner: string) => boolean): Promise<LockInfo | null> {
    const take = this.db.transaction((): LockInfo | null => {
      const now = Date.now();
      const row = this.db.prepare('SELECT * FROM locks WHERE name = ?').get(name) as
        | { name: string; owner: string; run_id: number | null; acquired_at: string; heartbeat_at: number }
        | undefined;
      let recovered: LockInfo | null = null;
      if (row) {
        const info: LockInfo = { name: row.name, owner: row.owner, runId: row.run_id, acquiredAt: row.acquired_at, heartbeatAt: new Date(row.heartbeat_at).toISOString() };
        const stale = now - row.heartbeat_at >= staleAfterMs;
        const dead = isOwnerAlive ? !isOwnerAlive(row.owner) : false;
        if (row.owner !== owner && !stale && !dead) throw new RunLockedError(info);
        if (row.owner !== owner) recovered = info;
      }
      this.db
        .prepare(
          'INSERT INTO locks (name, owner, run_id, acquired_at, heartbeat_at) VALUES (?, ?, NULL, ?, ?) ' +
            'ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, run_id = NULL, acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at',
        )
        .run(name, owner, new Date(now).toISOString(), now);
      return recovered;
    });
    return take.immediate();
  }

  async heartbeat(name: string, owner: string, runId: number | null): Promise<boolean> {
    return this.db.prepare('UPDATE locks SET heartbeat_at = ?, run_id = ? WHERE name = ? AND owner = ?').run(Date.now(), runId, name, owner).changes === 1;
  }

  async releaseLock(name: string, owner: string): Promise<void> {
    this.db.prepare('DELETE FROM locks WHERE name = ? AND owner = ?').run(name, owner);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
