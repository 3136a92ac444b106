/**
 * The `locks` table's protocol, one piece of code for the state store's run lock (sqlite.ts) and
 * the connection lock's own file (../connection-lock.ts): a row per lock name holds its owner, run
 * id and heartbeat; a row whose heartbeat is older than the lock timeout, or whose owner is dead,
 * is taken over (and returned, so the caller can say whose run it recovered).
 */
import type Database from 'better-sqlite3';
import { RunLockedError, type LockInfo, type StateStore } from './port.js';

export interface LockDbRow {
  name: string;
  owner: string;
  run_id: number | null;
  acquired_at: string;
  heartbeat_at: number;
}

/**
 * The takeover rule, the same in every store: another owner's lock stands while its heartbeat is
 * fresh and its owner alive (RunLockedError); otherwise it is taken over and returned, so the
 * caller can say whose run it recovered. Null when the lock was free or already ours.
 */
export function lockTakeover(row: LockDbRow | undefined, owner: string, now: number, staleAfterMs: number, isOwnerAlive?: (owner: string) => boolean): LockInfo | null {
  if (!row || row.owner === owner) return null;
  const heartbeatAt = Number(row.heartbeat_at);
  const info: LockInfo = { name: row.name, owner: row.owner, runId: row.run_id, acquiredAt: row.acquired_at, heartbeatAt: new Date(heartbeatAt).toISOString() };
  const stale = now - heartbeatAt >= staleAfterMs;
  const dead = isOwnerAlive ? !isOwnerAlive(row.owner) : false;
  if (!stale && !dead) throw new RunLockedError(info);
  return info;
}

/** The lock methods of the StateStore port over a `locks` table of `db`. */
export class SqliteLockTable implements Pick<StateStore, 'acquireLock' | 'heartbeat' | 'releaseLock'> {
  constructor(private readonly db: Database.Database) {}

  /** Takes the lock for `owner`; throws RunLockedError while another live owner holds it. */
  async acquireLock(name: string, owner: string, staleAfterMs: number, isOwnerAlive?: (owner: string) => boolean): Promise<LockInfo | null> {
    const take = this.db.transaction((): LockInfo | null => {
      const now = Date.now();
      const row = this.db.prepare('SELECT * FROM locks WHERE name = ?').get(name) as LockDbRow | undefined;
      const recovered = lockTakeover(row, owner, now, staleAfterMs, isOwnerAlive);
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

  /** False when `owner` no longer holds the lock (it was taken over). */
  async heartbeat(name: string, owner: string, runId: number | null): Promise<boolean> {
    return this.db.prepare('UPDATE locks SET heartbeat_at = ?, run_id = ? WHERE name = ? AND owner = ?').run(Date.now(), runId, name, owner).changes === 1;
  }

  async releaseLock(name: string, owner: string): Promise<void> {
    this.db.prepare('DELETE FROM locks WHERE name = ? AND owner = ?').run(name, owner);
  }
}
