/**
 * One lock per PIM connection (issue 11, point 9): two configs with different state files
 * against one PIM never run at once. The second waits its turn (issue 18) and runs after the
 * first; told not to wait, it is refused without sending any PIM request.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ferryConfigSchema } from '../../src/config/schema.js';
import { createErpSource } from '../../src/erp/factory.js';
import { createLogger } from '../../src/logging.js';
import { startSandbox } from '../../src/sandbox/index.js';
import { runSync } from '../../src/app/run-sync.js';
import { ConnectionLocks } from '../../src/sync/connection-lock.js';
import { bootstrapPim } from '../../src/sync/bootstrap.js';
import { sandboxPimConfig, tempDirs } from './support/e2e.js';
import { clientFor } from './support/pim.js';

const silent = createLogger({ level: 'silent' });
const tempDir = tempDirs('ferry-conn-lock-');

describe('the connection lock', () => {
  it('two configs with different state.path against one PIM: the second waits for the first, or without waiting is refused before any PIM request', async () => {
    const sb = await startSandbox({ catalog: 'demo', latency: '20ms+1ms/line' });
    const dir = tempDir();
    const lockDir = join(dir, 'locks');
    const configFor = (name: string) =>
      ferryConfigSchema.parse({
        pim: sandboxPimConfig(sb),
        erp: { type: 'demo', path: join(dir, 'demo-erp.sqlite'), items: 400, seed: 2 },
        mapping: { preset: 'demo' },
        state: { path: join(dir, `${name}.db`) },
        sync: { lockDir },
      });
    const a = configFor('a');
    const b = configFor('b');
    const boot = clientFor(sb);
    const source = createErpSource(a.erp);
    await bootstrapPim(boot, a.mapping, source);
    await source.close();
    await boot.close();
    try {
      const first = runSync(a, { logger: silent, tenant: 'shop-a' });
      // Wait until A is writing.
      while ((sb.stats().products ?? 0) === 0) await new Promise((r) => setTimeout(r, 10));
      let requestsOfB = 0;
      const clientB = clientFor(sb, { onEvent: () => void requestsOfB++ });
      // Not waiting (ferry sync --no-wait): refused before any PIM request.
      await expect(runSync(b, { logger: silent, client: clientB, tenant: 'shop-b', lockWait: { timeoutMs: 0 } })).rejects.toThrow(/another sync run .* is in progress since/);
      expect(requestsOfB).toBe(0);
      // Waiting (the default): B says whom it waits for, sends nothing meanwhile, and runs once A is done.
      const waits: string[] = [];
      const second = runSync(b, { logger: silent, client: clientB, tenant: 'shop-b', lockWait: { pollMs: 50, onWaiting: (w) => waits.push(w.waitingFor) } });
      const done = await first;
      expect(done.status).toBe('succeeded');
      expect(waits).toEqual(["shop-a's run #1"]);
      const afterWait = await second;
      expect(afterWait.status).toBe('succeeded');
      expect(Date.parse(afterWait.startedAt)).toBeGreaterThanOrEqual(Date.parse(done.finishedAt));
      await clientB.close();
      // Nothing left behind in the lock file.
      const locks = new ConnectionLocks(lockDir);
      await expect(locks.acquireLock(`sync:${sb.url}:${sb.clientId}`, 'probe:1:x', 120_000)).resolves.toBeNull();
      await locks.close();
    } finally {
      await sb.close();
    }
  }, 120_000);

  it('a lock left by a dead process is recovered at once', async () => {
    const dir = tempDir();
    const locks = new ConnectionLocks(join(dir, 'locks'));
    const { hostname } = await import('node:os');
    const { isOwnerAlive } = await import('../../src/sync/lock.js');
    await locks.acquireLock('sync:http://pim:x', `${hostname()}:4194301:dead`, 120_000, isOwnerAlive);
    await expect(locks.acquireLock('sync:http://pim:x', `${hostname()}:${process.pid}:me`, 120_000, isOwnerAlive)).resolves.toMatchObject({ owner: `${hostname()}:4194301:dead` });
    await locks.close();
  });
});
