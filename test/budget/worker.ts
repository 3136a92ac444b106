/**
 * A Ferry process for the shared-budget tests, run as a child (`node --import tsx worker.ts`):
 *
 * - `calls`: builds a client on every connection given, with the shared budget (or the
 *   in-process governor with `local`), prints `ready` once it has a token per connection, waits
 *   for a line on stdin, then makes CALLS requests, PARALLEL at a time, and prints its stats.
 * - `hold`: takes SLOTS leases in the shared budget, prints `held`, and waits to be killed.
 */
import { createAkeneoClient } from '../../src/akeneo/index.js';
import type { GovernorLimits } from '../../src/akeneo/governor.js';
import { PostgresBudget } from '../../src/budget/postgres.js';

interface Args {
  mode: 'calls' | 'hold';
  governor: 'shared' | 'local';
  sandboxUrl: string;
  dbUrl: string;
  instance: string;
  connections: { clientId: string; secret: string; username: string; password: string }[];
  calls: number;
  parallel: number;
  leaseMs: number;
  slots?: number;
  limits?: GovernorLimits;
}

const args = JSON.parse(process.argv[2]!) as Args;
const line = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');
const go = new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));

if (args.mode === 'hold') {
  const budget = new PostgresBudget({
    url: args.dbUrl,
    instance: args.instance,
    connectionIds: args.connections.map((c) => c.clientId),
    limits: args.limits!,
    leaseMs: args.leaseMs,
  });
  for (let i = 0; i < args.slots!; i++) await budget.acquire({ optionWrite: false });
  line({ held: args.slots });
  await new Promise(() => undefined);
} else {
  const client = createAkeneoClient({
    url: args.sandboxUrl,
    auth: { kind: 'connections', connections: args.connections },
    limits: { concurrency: 4, instanceConcurrency: 10, maxRetries: 8 },
    backoffBaseMs: 100,
    ...(args.governor === 'shared'
      ? {
          governor: ({ connectionIds, limits }) =>
            new PostgresBudget({ url: args.dbUrl, instance: args.instance, connectionIds, limits, leaseMs: args.leaseMs }),
        }
      : {}),
  });
  // A few calls at once first, spread over the connections, so the tokens are in hand before the measured burst.
  await Promise.all(Array.from({ length: 4 * args.connections.length }, (_, i) => client.families.find(`warmup_${i}`)));
  line({ ready: true });
  await go;
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: args.parallel }, async () => {
      while (next < args.calls) {
        next++;
        await client.families.find(`missing_${next}`);
      }
    }),
  );
  const ms = Math.round(performance.now() - t0);
  line({ done: true, ms, stats: client.stats() });
  await client.close();
  process.exit(0);
}
