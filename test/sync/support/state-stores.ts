/**
 * The state stores the engine tests run against, for `describe.each`: SQLite in memory and, when
 * PostgreSQL answers on 127.0.0.1:5432, a fresh schema of one throw-away database per test file
 * (skipped with a note otherwise, failed under CI=true). Stores opened are closed after each test.
 * Call at the top level of a test file (it registers the file's hooks).
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { StateStore } from '../../../src/sync/state/port.js';
import { PostgresStateStore } from '../../../src/sync/state/postgres.js';
import { SqliteStateStore } from '../../../src/sync/state/sqlite.js';
import { createPgStateDatabase, pgStateAvailable, type PgStateDatabase } from './pg-state.js';

export interface StateStoreKind {
  name: 'SQLite' | 'PostgreSQL';
  /** A new, empty, migrated store. */
  open(): Promise<StateStore>;
}

export async function stateStoreKinds(): Promise<StateStoreKind[]> {
  const opened: StateStore[] = [];
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
  });
  const kinds: StateStoreKind[] = [
    {
      name: 'SQLite',
      open: async () => {
        const s = new SqliteStateStore(':memory:');
        opened.push(s);
        await s.migrate();
        return s;
      },
    },
  ];
  if (!(await pgStateAvailable())) return kinds;
  let db: PgStateDatabase | null = null;
  beforeAll(async () => {
    db = await createPgStateDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });
  kinds.push({
    name: 'PostgreSQL',
    open: async () => {
      const s = new PostgresStateStore({ url: db!.url, schema: db!.freshSchema(), poolSize: 2 });
      opened.push(s);
      await s.migrate();
      return s;
    },
  });
  return kinds;
}
