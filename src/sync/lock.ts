/**
 * The run lock: one sync per PIM connection at a time. The holder refreshes a heartbeat;
 * a lock whose heartbeat is older than the timeout, or whose holder is a dead process on
 * this host (kill -9, power cut of a container), is recovered by the next run.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { StateStore } from './state/port.js';

export function lockOwnerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/** False only when the owner is certainly dead: same host, and its pid no longer exists. */
export function isOwnerAlive(owner: string): boolean {
  const [host, pidText] = owner.split(':');
  if (host !== hostname()) return true;
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return true;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface HeldLock {
  owner: string;
  setRunId(runId: number): void;
  release(): Promise<void>;
}

export async function takeRunLock(
  state: Pick<StateStore, 'acquireLock' | 'heartbeat' | 'releaseLock'>,
  name: string,
  options: { staleAfterMs: number; heartbeatMs: number; onLost?: () => void; owner?: string },
): Promise<{ lock: HeldLock; recovered: boolean }> {
  // A given owner: the one a run already waits in the connection's queue under (connection-wait.ts).
  const owner = options.owner ?? lockOwnerId();
  const previous = await state.acquireLock(name, owner, options.staleAfterMs, isOwnerAlive);
  let runId: number | null = null;
  let released = false;
  const timer = setInterval(() => {
    state
      .heartbeat(name, owner, runId)
      .then((held) => {
        if (!held && !released) options.onLost?.();
      })
      .catch(() => undefined);
  }, options.heartbeatMs);
  timer.unref();
  return {
    recovered: previous !== null,
    lock: {
      owner,
      setRunId(id) {
        runId = id;
        void state.heartbeat(name, owner, id).catch(() => undefined);
      },
      async release() {
        released = true;
        clearInterval(timer);
        await state.releaseLock(name, owner);
      },
    },
  };
}
