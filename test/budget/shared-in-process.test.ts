/**
 * Several clients in one process (a `ferry worker`'s shard slots) share one budget object:
 * one FIFO of waiters and one small pool of database connections, however many clients.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pimConfigSchema } from '../../src/akeneo/config.js';
import { sharedGovernorFor } from '../../src/app/pim-client.js';
import { createPgDatabase, pgProblem, serviceGate, type TestDatabase } from '../erp/sql/databases.js';

const enabled = serviceGate('PostgreSQL (127.0.0.1:5432)', await pgProblem());

let db: TestDatabase | undefined;
let dbUrl = '';
let dbName = '';
beforeAll(async () => {
  if (!enabled) return;
  db = await createPgDatabase();
  dbName = String(db.connection.database);
  dbUrl = `postgres://postgres@127.0.0.1:5432/${dbName}`;
});
afterAll(async () => {
  await db?.drop();
});

async function connectionsTo(database: string): Promise<number> {
  const c = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await c.connect();
  try {
    const { rows } = await c.query<{ n: string }>('select count(*) as n from pg_stat_activity where datname = $1', [database]);
    return Number(rows[0]!.n);
  } finally {
    await c.end();
  }
}

describe.runIf(enabled)('shared budget, several clients in one process', () => {
  it('gives every client of the process the same budget: one pool, one queue; the last close releases it', async () => {
    const pim = pimConfigSchema.parse({
      url: 'https://pim.example.com',
      clientId: 'ferry',
      secret: 's',
      username: 'u',
      password: 'p',
      limits: { shared: { url: dbUrl, instance: 'one-process', leaseMs: 5000 } },
    });
    const factory = sharedGovernorFor(pim)!;
    const spec = { url: pim.url, connectionIds: ['ferry'], limits: { instance: 1, perConnection: 1, connections: 1, requestsPerSecond: 100, optionWritesPerSecond: 3 } };
    const governors = Array.from({ length: 6 }, () => factory(spec));
    // One slot in all: the second client's call waits for the first's, as one queue.
    const first = await governors[0]!.acquire({ optionWrite: false });
    let secondGranted = false;
    const second = governors[1]!.acquire({ optionWrite: false }).then((p) => {
      secondGranted = true;
      return p;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(secondGranted).toBe(false);
    first.release();
    (await second).release();
    for (const g of governors.slice(2)) (await g.acquire({ optionWrite: false })).release();
    // Six clients, one budget: its pool (at most 3) and its LISTEN connection.
    expect(await connectionsTo(dbName)).toBeLessThanOrEqual(4);
    // Closing all but one keeps the budget working for the last.
    for (const g of governors.slice(0, 5)) await g.close();
    (await governors[5]!.acquire({ optionWrite: false })).release();
    await governors[5]!.close();
    await new Promise((r) => setTimeout(r, 200));
    expect(await connectionsTo(dbName)).toBe(0);
  });
});
