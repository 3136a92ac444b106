/**
 * Stopping a run from another process: the Console asks (StateStore.requestRunCancel: a row in
 * the state, SQLite file or PostgreSQL alike) and whoever runs the run — a terminal's `ferry
 * sync`, the plan and shards of a queued run on the workers — polls for it through its own store
 * and aborts through SyncOptions.signal, so the run ends `interrupted` as on Ctrl-C, its report
 * saying who asked.
 */
import type { StateStore } from './state/port.js';

/** The reason a run stopped from the Console gives (its report's `interrupted.reason`). */
export function cancelReason(requestedBy: string): string {
  return `cancelled from the Console by ${requestedBy}`;
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
 * Polls the state for a stop request of the run `runId()` names (null until numbered) and calls
 * `onCancel` once with who asked. Returns the stop function. A poll that fails (file busy, the
 * database away a moment) is tried again at the next tick; one poll at a time.
 */
export function watchRunCancel(
  state: Pick<StateStore, 'runCancelRequest'>,
  runId: () => number | null,
  onCancel: (requestedBy: string) => void,
  intervalMs = 1000,
): () => void {
  let done = false;
  let polling = false;
  const tick = () => {
    const id = runId();
    if (done || polling || id === null) return;
    polling = true;
    state
      .runCancelRequest(id)
      .then((asked) => {
        if (asked && !done) {
          done = true;
          onCancel(asked.requestedBy);
        }
      })
      .catch(() => undefined)
      .finally(() => (polling = false));
  };
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return () => {
    done = true;
    clearInterval(timer);
  };
}
