/**
 * Tenants wait their turn on one PIM connection (src/sync/connection-wait.ts), on the real lock
 * file: another tenant's run queues behind the holder and takes the lock when it is released, a
 * third queues behind the second, a run of the holder's own state is refused at once (no queue of
 * duplicates), the wait is bounded and its error names the other tenant and the fix, and a dead
 * holder is still taken over at once.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConnectionLocks, DuplicateWaitError, readConnectionQueue, type LockHolder } from '../../src/sync/connection-lock.js';
import { LockWaitTimeoutError, runOf, takeConnectionLock, type ConnectionWaiting } from '../../src/sync/connection-wait.js';
import { isOwnerAlive } from '../../src/sync/lock.js';
import { RunLockedError } from '../../src/sync/state/port.js';
import { tempDirs } from './support/e2e.js';

const tempDir = tempDirs('ferry-conn-wait-');
const NAME = 'sync:http://pim.test:ferry';
const lockTimes = { staleAfterMs: 120_000, heartbeatMs: 60_000 };
const tenant = (name: string): LockHolder => ({ tenant: name, stateKey: `sqlite:/srv/${name}.db` });

/** A tenant's view of the lock directory, as a run opens it. */
function opener(dir: string) {
  const opened: ConnectionLocks[] = [];
  return {
    open(t: LockHolder) {
      const l = new ConnectionLocks(dir, t);
      opened.push(l);
      return l;
    },
    async closeAll() {
      for (const l of opened) await l.close();
    },
  };
}

const take = (locks: ConnectionLocks, t: LockHolder, waits: ConnectionWaiting[] = [], timeoutMs = 10_000, pollMs = 20) =>
  takeConnectionLock(locks, NAME, t, lockTimes, { timeoutMs, pollMs, onWaiting: (w) => waits.push(w) }, 'http://pim.test, client id ferry');

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('waiting for another tenant on the same PIM connection', () => {
  it("a second tenant waits for the first's run, a third behind it, in the order they came", async () => {
    const files = opener(join(tempDir(), 'locks'));
    try {
      const a = await take(files.open(tenant('shop-a')), tenant('shop-a'));
      a.setRunId(41);
      const order: string[] = [];
      const waitsB: ConnectionWaiting[] = [];
      const waitsC: ConnectionWaiting[] = [];
      // B looks at the queue rarely, C often: only the order they came keeps C from going first.
      const b = take(files.open(tenant('shop-b')), tenant('shop-b'), waitsB, 10_000, 150).then((l) => (order.push('shop-b'), l));
      await tick(100);
      const c = take(files.open(tenant('shop-c')), tenant('shop-c'), waitsC, 10_000, 5).then((l) => (order.push('shop-c'), l));
      await tick(200);
      expect(order).toEqual([]);
      expect(waitsB[0]).toMatchObject({ waitingFor: "shop-a's run #41", ahead: [] });
      expect(waitsC[0]).toMatchObject({ waitingFor: "shop-a's run #41", ahead: ['shop-b'] });
      // Both show in the lock directory, in their order, beside the holder.
      const seen = readConnectionQueue(files.open(tenant('probe')).dir, 120_000, isOwnerAlive);
      expect(seen.holders.map((h) => h.holder?.tenant)).toEqual(['shop-a']);
      expect(seen.waiters.map((w) => w.tenant)).toEqual(['shop-b', 'shop-c']);

      await a.release();
      const lb = await b;
      await tick(100);
      // C did not overtake B, and waits for B's run now.
      expect(order).toEqual(['shop-b']);
      expect(waitsC.at(-1)).toMatchObject({ waitingFor: "shop-b's run", ahead: [] });
      await lb.release();
      await (await c).release();
      expect(order).toEqual(['shop-b', 'shop-c']);
      expect(readConnectionQueue(files.open(tenant('probe')).dir, 120_000, isOwnerAlive)).toEqual({ holders: [], waiters: [] });
    } finally {
      await files.closeAll();
    }
  });

  it('a run of the same state as the holder, or as a waiter, is refused at once: no queue of duplicates', async () => {
    const files = opener(join(tempDir(), 'locks'));
    try {
      const a = await take(files.open(tenant('shop-a')), tenant('shop-a'));
      const started = Date.now();
      await expect(take(files.open(tenant('shop-a')), tenant('shop-a'))).rejects.toBeInstanceOf(RunLockedError);
      expect(Date.now() - started).toBeLessThan(1000);
      const b = take(files.open(tenant('shop-b')), tenant('shop-b'));
      await tick(100);
      await expect(take(files.open(tenant('shop-b')), tenant('shop-b'))).rejects.toBeInstanceOf(DuplicateWaitError);
      await a.release();
      await (await b).release();
    } finally {
      await files.closeAll();
    }
  });

  it('the wait is bounded: the error names the other tenant, its run and the fix; the queue is left', async () => {
    const files = opener(join(tempDir(), 'locks'));
    try {
      const a = await take(files.open(tenant('shop-a')), tenant('shop-a'));
      a.setRunId(7);
      const err = await take(files.open(tenant('shop-b')), tenant('shop-b'), [], 200).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LockWaitTimeoutError);
      expect((err as Error).message).toMatch(
        /^Shop-b's run waited \d+ s for shop-a's run #7 on the same PIM connection \(http:\/\/pim\.test, client id ferry\) and gave up \(sync\.lockWaitSeconds\)\. .*give shop-b or shop-a an Akeneo Connection of its own \(pim\.clientId\), move their schedules apart, or raise sync\.lockWaitSeconds\.$/,
      );
      expect(readConnectionQueue(files.open(tenant('probe')).dir, 120_000, isOwnerAlive).waiters).toEqual([]);
      // With no wait at all (--no-wait): refused at once, as a busy lock always was.
      await expect(take(files.open(tenant('shop-b')), tenant('shop-b'), [], 0)).rejects.toBeInstanceOf(RunLockedError);
      await a.release();
    } finally {
      await files.closeAll();
    }
  });

  it("a dead holder's lock is taken over at once, a dead waiter leaves the queue", async () => {
    const files = opener(join(tempDir(), 'locks'));
    try {
      const dead = `${hostname()}:4194301:dead`;
      const ghost = files.open(tenant('shop-a'));
      await ghost.acquireLock(NAME, dead, 120_000, isOwnerAlive);
      ghost.enqueue(NAME, `${hostname()}:4194302:gone`, 120_000, () => true);
      const waits: ConnectionWaiting[] = [];
      const started = Date.now();
      const b = await take(files.open(tenant('shop-b')), tenant('shop-b'), waits);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(waits).toEqual([]);
      await b.release();
    } finally {
      await files.closeAll();
    }
  });
});

describe('runOf', () => {
  it('names a connection by its name, a state by its path', () => {
    expect(runOf('shop-a', 41)).toBe("shop-a's run #41");
    expect(runOf('/srv/a/data/ferry.db', null)).toBe('the run of /srv/a/data/ferry.db');
  });
});
