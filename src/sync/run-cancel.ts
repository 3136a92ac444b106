/**
 * Stopping a run from another process: the Console asks (a row in `run_cancel_requests`, in the
 * state's SQLite file both share) and the process holding the run — a terminal's `ferry sync` —
 * polls for it and aborts through SyncOptions.signal, so the run ends `interrupted` as on
 * Ctrl-C, its report saying who asked. The engine's tables are not touched: the table is created
 * on demand by whichever side comes first.
 */
import Database from 'better-sqlite3';
import type { StateStore } from './state/port.js';

const TABLE = `CREATE TABLE IF NOT EXISTS run_cancel_requests (
  run_id       INTEGER PRIMARY KEY,
  requested_by TEXT NOT NULL,
  requested_at TEXT NOT NULL
)`;

type Db = Database.Database;

/** Records a stop request for a run (idempotent: the first asker is kept). */
export function requestRunCancel(db: Db, runId: number, requestedBy: string, now: Date = new Date()): void {
  db.exec(TABLE);
  db.prepare('INSERT OR IGNORE INTO run_cancel_requests (run_id, requested_by, requested_at) VALUES (?, ?, ?)').run(runId, requestedBy, now.toISOString());
}

/** Who asked to stop the run, or null. */
export function cancelRequestOf(db: Db, runId: number): { requestedBy: string; requestedAt: string } | null {
  db.exec(TABLE);
  const row = db.prepare('SELECT requested_by, requested_at FROM run_cancel_requests WHERE run_id = ?').get(runId) as { requested_by: string; requested_at: string } | undefined;
  return row ? { requestedBy: row.requested_by, requestedAt: row.requested_at } : null;
}

/** A StateStore that tells when the engine numbered the run (startRun), for whoever needs the id. */
export function announcingRunId(state: StateStore, onRunId: (id: number) => void): StateStore {
  return new Proxy(state, {
    get(target, prop, receiver) {
      if (prop === 'startRun') {
        // Every argument passes through: the owner (third) lets `ferry runs` tell a dead run.
        return async (...args: Parameters<StateStore['startRun']>) => {
          const id = await target.startRun(...args);
          onRunId(id);
          return id;
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * Polls the state file for a stop request of the run `runId()` names (null until numbered) and
 * calls `onCancel` once with who asked. Returns the stop function. A poll that fails (file busy)
 * is tried again at the next tick.
 */
export function watchRunCancel(statePath: string, runId: () => number | null, onCancel: (requestedBy: string) => void, intervalMs = 1000): () => void {
  let db: Db | null = null;
  let done = false;
  const tick = () => {
    const id = runId();
    if (done || id === null) return;
    try {
      db ??= new Database(statePath, { fileMustExist: true, timeout: 2000 });
      const asked = cancelRequestOf(db, id);
      if (asked) {
        done = true;
        onCancel(asked.requestedBy);
      }
    } catch {
      // Busy or not there yet: the next tick asks again.
    }
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return () => {
    done = true;
    clearInterval(timer);
    db?.close();
    db = null;
  };
}
